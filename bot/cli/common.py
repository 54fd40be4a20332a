"""What every ``kawal`` sub-command shares: the app, settings, the database, output."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.logs import setup_logging
from bot.runtime import open_database
from bot.settings import Settings
from flows import Form, builtin_forms
from handlers.kit.context import ROLE_LEVEL
from locales import domain
from storage.db import Database
from storage.files import make_private, private_dir, restrict_umask

app = typer.Typer(help="Kawal: pendamping pemutakhiran DTKS/DTSEN.", no_args_is_help=True)

ROLES = tuple(ROLE_LEVEL)
CLI = domain("cli")  # the command line's words: locales/<lang>/LC_MESSAGES/cli.po
CLI_LANG = "id"  # the command line speaks Indonesian, like the offices that run it
T = TypeVar("T")
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite file (default: settings)")
]


def say(key: str, /, **fields: object) -> str:
    """The command line's message ``key``, formatted with ``fields``."""
    return CLI.t(key, CLI_LANG, **fields)


def say_n(key: str, n: int, /, **fields: object) -> str:
    """The command line's message ``key`` in the plural form for ``n``."""
    return CLI.tn(key, n, CLI_LANG, **fields)


def settings_for(db: str | None = None, *, conversation: bool = False) -> Settings:
    """The settings of one command. ``conversation``: the terminal chat, where log lines on
    the screen would break into the conversation, so only warnings show there unless the
    log goes to a file (``KAWAL_LOG_FILE``)."""
    settings = Settings()
    if db:
        url = db if "://" in db else f"sqlite+aiosqlite:///{Path(db).resolve()}"
        settings = settings.model_copy(update={"database_url": url})
    # The composition root of every command: whatever Kawal writes from here on is private
    # (database, logs, exports, media), and no configured secret reaches a log line.
    restrict_umask()
    level = settings.log_level
    if conversation and settings.log_file is None and level.upper() in ("DEBUG", "INFO"):
        level = "WARNING"
    setup_logging(level, settings.log_file, settings.secret_values())
    return settings


def run_async(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())  # type: ignore[arg-type]  # an Awaitable from an async def is a Coroutine


async def with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    db = await open_database(settings)
    try:
        return await work(db)
    finally:
        await db.dispose()


def fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


def check_output(path: Path | None, option: str, example: str) -> None:
    """Stop with a clear message before any work when ``path`` cannot be the file written."""
    if path is None:
        return
    try:
        is_dir = path.is_dir()
        parent = next((p for p in path.parents if p.exists()), None)
    except OSError as error:  # e.g. a name too long for the file system
        raise cannot_write(path, option, example, error) from None
    if is_dir:
        raise fail(say("output_is_folder", option=option, path=path, example=path / example))
    if parent is not None and not parent.is_dir():
        raise fail(
            say("output_parent_is_file", option=option, path=path, parent=parent, example=example)
        )


def cannot_write(path: Path, option: str, example: str, error: OSError) -> typer.Exit:
    reason = error.strerror or str(error)
    return fail(say("cannot_write", path=path, reason=reason, option=option, example=example))


def write_output(path: Path, option: str, example: str, write: Callable[[Path], object]) -> None:
    """``write(path)`` after making its folder; a system error becomes a message to act on."""
    try:
        private_dir(path.parent)
        write(path)
        make_private(path)
    except OSError as error:
        raise cannot_write(path, option, example, error) from None


def print_table(header: list[str], rows: list[list[Any]]) -> None:
    table: list[list[Any]] = [list(header), *rows]
    cells = [[str(v) for v in row] for row in table]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        line = "  ".join(
            value.ljust(width) if i < 3 else value.rjust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        )
        typer.echo(line.rstrip())


@cache
def chat_form(form_id: str) -> Form:
    """A form of the chat, whose questions read the options that give the same answers (one
    copy of the checks: ``flows.read_answer``)."""
    form = builtin_forms().latest(form_id)
    if form is None:  # pragma: no cover - shipped with Kawal
        raise LookupError(form_id)
    return form
