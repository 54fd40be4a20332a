"""``kawal web``: serve the web console alone; ``kawal web link``: a one-time login link."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import DbOption, app, fail, run_async, settings_for, with_db
from handlers.people.console_link import LINK_MINUTES
from handlers.ports import SystemClock
from locales import domain
from storage.db import Database

# bot.web (aiohttp, Jinja2) is imported by the commands themselves: `kawal chat` never loads it.
WEB = domain("web")

web_app = typer.Typer(help=WEB.t("cli_help", "id"))
app.add_typer(web_app, name="web")
LANG = "id"  # the command line speaks Indonesian


@web_app.callback(invoke_without_command=True)
def web(
    ctx: typer.Context,
    db: DbOption = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: KAWAL_HTTP_PORT)")] = None,
) -> None:
    """Serve only the web console (no chat channel needed) until Ctrl-C."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_for(db)
    if port is not None:
        settings = settings.model_copy(update={"http_port": port})
    from bot.web.serve import run_console

    typer.echo(WEB.t("cli_serving", LANG, url=settings.console_url))
    run_async(lambda: run_console(settings))


@web_app.command()
def link(
    user: Annotated[str, typer.Option("--user", help="Person id or terminal user (demo-dinsos)")],
    db: DbOption = None,
) -> None:
    """Print a one-time login link (10 minutes) to the console for a person."""
    from bot.web.serve import LinkProblem, login_link

    settings = settings_for(db)

    async def work(database: Database) -> tuple[str, str]:
        return await login_link(database, user, settings.console_url, SystemClock())

    try:
        name, url = run_async(lambda: with_db(settings, work))
    except LinkProblem as problem:
        raise fail(WEB.t(problem.key, LANG, **problem.fields)) from None
    typer.echo(WEB.t("cli_link", LANG, name=name, minutes=LINK_MINUTES, url=url))
