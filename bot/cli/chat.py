"""``kawal``: The terminal chat, the demo and serving the channels."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.channels.console import ConsoleChat, ConsoleSender, greeting
from bot.channels.console import run as run_console
from bot.cli.common import (
    DbOption,
    app,
    fail,
    run_async,
    say,
    settings_for,
    with_db,
)
from bot.jobs import scheduled_jobs
from bot.runtime import build_kawal
from bot.settings import Settings
from handlers.ports import SystemClock
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from storage.db import Database

# ---- chat and demo -----------------------------------------------------------------------


async def _chat(settings: Settings, user: str, name: str) -> None:
    async def work(db: Database) -> None:
        clock = SystemClock()
        kawal = build_kawal(settings, db, clock)
        chat = ConsoleChat(kawal.handle, user, name)
        interactive = sys.stdin.isatty()
        # Proactive messages (announcements, reminders) reach the terminal too: the scheduled
        # jobs and the outbox run after every message, and in the background while idle.
        console = ConsoleSender(settings.data_dir / "console-inbox", user, sys.stdout)
        journal = SendJournal(settings.data_dir / "outbox")
        outbox = OutboxSender(db, {console.channel.value: console}, clock, journal)
        jobs = scheduled_jobs(settings, db, clock)

        async def deliver() -> None:
            for job in jobs:
                try:
                    await job.func(*job.args)
                except Exception:
                    logging.getLogger(__name__).exception("job %s failed", job.id)
            await outbox.run_once()

        if interactive:
            await outbox.start()
        else:
            journal.open()
            await outbox.recover()
        try:
            waiting = console.take_inbox(user)
            if waiting:
                typer.echo(waiting + "\n")
            if interactive:
                typer.echo(greeting())
                out = await chat.send("/menu")
                typer.echo(out)
            await deliver()
            await run_console(chat, sys.stdin, sys.stdout, interactive=interactive, after=deliver)
        finally:
            await outbox.stop()

    await with_db(settings, work)


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Terminal identity (channel 'console')")] = "terminal",
    name: Annotated[str, typer.Option(help="Display name offered at registration")] = "",
    db: DbOption = None,
) -> None:
    """Chat with Kawal in this terminal (also works with piped stdin: one message per line)."""
    settings = settings_for(db, conversation=True)
    run_async(lambda: _chat(settings, user, name))


def _program() -> str:
    """How this command was started (``.venv/bin/kawal`` from ``make demo``), for commands to
    copy; ``kawal`` otherwise."""
    invoked = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return str(invoked) if invoked.name == "kawal" else "kawal"


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="SQLite file for the demo")] = "kawal-demo.db",
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the demo database and build it again")
    ] = False,
    chat_after: Annotated[bool, typer.Option("--chat/--no-chat", help="Open the chat")] = True,
    user: Annotated[str, typer.Option(help="Who to chat as")] = "demo-operator",
) -> None:
    """Open the demo (Kab. Lampung Barat) in the terminal chat as its operator: the demo
    database is built when missing and kept afterwards, so what was filled in is still there
    next time (--reset starts over)."""
    from bot import demo as demo_data  # region data, needed only to build the demo

    path = Path(db)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    settings = settings_for(str(path), conversation=True)

    async def work(database: Database) -> dict[str, int]:
        async with database.unit_of_work() as uow:
            if await uow.regions.count() > 0:
                return {}  # an existing demo: resumed as it was left
        return await demo_data.seed(database, SystemClock().now(), settings.consent_version)

    created = run_async(lambda: with_db(settings, work))
    program = _program()
    if created:
        typer.echo(say("demo_ready", path=path, **created))
    else:
        typer.echo(say("demo_resumed", path=path, command=f"{program} demo --db {path} --reset"))
    typer.echo(say("demo_come_back"))
    for person in demo_data.DEMO_PEOPLE:
        command = f"{program} chat --db {path} --user {person.external_id}"
        typer.echo(say("demo_come_back_line", role=person.role, command=command))
    if chat_after:
        run_async(lambda: _chat(settings, user, ""))


# ---- serving -----------------------------------------------------------------------------


@app.command()
def run(db: DbOption = None) -> None:
    """Serve the configured channels (Telegram: polling, or webhook with TELEGRAM_WEBHOOK_URL),
    the web console and /healthz until SIGTERM or Ctrl-C; with no channel, the console alone."""
    from bot.run import run as serve
    from handlers.ports import DeliveryError

    settings = settings_for(db)
    try:
        run_async(lambda: serve(settings))
    except DeliveryError as error:
        raise fail(
            say("telegram_unreachable", url=settings.telegram_api_url, error=error)
        ) from None
