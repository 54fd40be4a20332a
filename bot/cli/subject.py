"""``kawal subject``: a household's data subject (UU PDP): the report of everything recorded
about a NIK, and restricting the household at its subject's request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import CLI_LANG, DbOption, app, fail, run_async, say, settings_for, with_db
from flows.ids import mask_nik
from handlers.privacy.subjects import (
    digits_of,
    households_of,
    is_number,
    report_lines,
    set_restricted,
    subject_report,
)
from storage.db import Database

subject_app = typer.Typer(
    help="Data subjects (UU PDP): report on a NIK, restrict a household.", no_args_is_help=True
)
app.add_typer(subject_app, name="subject")

NumberArgument = Annotated[
    str, typer.Argument(help="NIK or No. KK, 16 digits (spaces, dots, dashes allowed)")
]


def _number(text: str) -> str:
    number = digits_of(text)
    if not is_number(number):
        raise fail(say("subject_number", number=text[:40]))
    return number


@subject_app.command("report")
def report(number: NumberArgument, db: DbOption = None) -> None:
    """Every record, change, export and view touching the NIK, with who and when,
    e.g. kawal subject report 1804194107950003 (answer within 3x24 hours, UU PDP Ps. 32)."""
    wanted = _number(number)
    settings = settings_for(db)

    async def work(database: Database) -> list[str]:
        async with database.unit_of_work() as uow:
            found = await subject_report(
                uow, wanted, areas=None, by=None, channel="cli", now=datetime.now(UTC)
            )
        return report_lines(found, CLI_LANG) if found.trails else []

    lines = run_async(lambda: with_db(settings, work))
    if not lines:
        raise fail(say("subject_none", number=mask_nik(wanted)))
    typer.echo("\n".join(lines))


def _restrict(number: str, db: str | None, restricted: bool) -> None:
    wanted = _number(number)
    settings = settings_for(db)

    async def work(database: Database) -> tuple[int, int]:
        async with database.unit_of_work() as uow:
            households = await households_of(uow, wanted, None)
            changed = await set_restricted(
                uow, households, restricted, by=None, channel="cli", now=datetime.now(UTC)
            )
        return len(households), changed

    found, changed = run_async(lambda: with_db(settings, work))
    if not found:
        raise fail(say("subject_none", number=mask_nik(wanted)))
    key = "subject_restricted" if restricted else "subject_unrestricted"
    typer.echo(say(key, number=mask_nik(wanted), changed=changed, found=found))


@subject_app.command("restrict")
def restrict(number: NumberArgument, db: DbOption = None) -> None:
    """Restrict the households of the NIK: left out of exports, lists, search and counts."""
    _restrict(number, db, True)


@subject_app.command("unrestrict")
def unrestrict(number: NumberArgument, db: DbOption = None) -> None:
    """Lift the restriction of the households of the NIK."""
    _restrict(number, db, False)
