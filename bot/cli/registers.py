"""``kawal``: Household registers: import, list and the export for SIKS-NG."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    CLI_LANG,
    DbOption,
    app,
    fail,
    run_async,
    say,
    say_n,
    settings_for,
    with_db,
)
from bot.runtime import forms_from
from handlers.kit.i18n import tn
from handlers.registers.exporter import ExportCounts, export_file_name, export_region
from handlers.registers.exports import form_labels
from handlers.registers.importer import ImportReport, import_file
from storage.db import Database, UnitOfWork

households_app = typer.Typer(help="The village household registers (DTKS).", no_args_is_help=True)
app.add_typer(households_app, name="households")

# ---- households: import and export -------------------------------------------------------


@households_app.command("import")
def households_import(
    file: Annotated[Path, typer.Argument(help="Register file: .csv or .xlsx, one row per person")],
    region: Annotated[str, typer.Option(help="Village (or wider) code, e.g. 18.04.19.2006")],
    check: Annotated[bool, typer.Option("--check", help="Only check the file, change nothing")] = (
        False
    ),
    db: DbOption = None,
) -> None:
    """Import a DTKS register: all rows or none; a re-import updates instead of duplicating."""
    if not file.is_file():
        raise fail(say("file_missing", file=file))
    settings = settings_for(db)

    async def work(database: Database) -> ImportReport:
        return await import_file(
            database,
            file,
            region,
            datetime.now(UTC),
            limits=settings.import_limits,
            channel="cli",
            apply=not check,
        )

    report = run_async(lambda: with_db(settings, work))
    if not report.ok:
        typer.echo(report.text(CLI_LANG), err=True)
        raise typer.Exit(code=1)
    if check:
        typer.echo(say_n("import_checked", report.rows, name=file.name, rows=report.rows))
        return
    typer.echo(report.text(CLI_LANG))


@households_app.command("list")
def households_list(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04.19.2006")],
    status: Annotated[str | None, typer.Option(help="pending, verified, ...")] = None,
    db: DbOption = None,
) -> None:
    """Count households per status in a region (NIK/KK are never printed)."""
    settings = settings_for(db)

    async def work(database: Database) -> dict[str, int]:
        async with database.unit_of_work() as uow:
            return await uow.households.count_by_status(region)

    counts = run_async(lambda: with_db(settings, work))
    for name, count in counts.items():
        if status is None or name == status:
            typer.echo(f"{name:<10} {count}")


@app.command("export")
def export(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04.19 (kecamatan)")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx, or csv (a zip of 3 files)")] = "xlsx",
    since: Annotated[
        str | None, typer.Option(help="Only what changed from this date on (YYYY-MM-DD)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: data_dir/exports)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export households, members and new proposals for typing into SIKS-NG."""
    if fmt not in ("xlsx", "csv"):
        raise fail(say("export_format"))
    start: datetime | None = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            raise fail(say("export_since")) from None
    settings = settings_for(db)
    suffix = "xlsx" if fmt == "xlsx" else "zip"
    name = export_file_name(region, datetime.now(UTC), suffix)  # the region's local time
    target = out or settings.data_dir / "exports" / name
    forms = forms_from(settings)

    async def export(uow: UnitOfWork) -> ExportCounts:
        return await export_region(
            uow,
            region,
            target,
            "xlsx" if fmt == "xlsx" else "csv",
            since=start,
            labels=form_labels(forms),
        )

    async def work(database: Database) -> ExportCounts:
        # A read-only snapshot: a running bot goes on writing (SQLite's one writer) meanwhile.
        counts = await database.read(export)
        async with database.unit_of_work() as uow:  # the record of processing (UU PDP)
            await uow.processing.add(
                "export", datetime.now(UTC), by=None, channel="cli", region_code=region
            )
        return counts

    counts = run_async(lambda: with_db(settings, work))
    typer.echo(
        say(
            "export_done",
            region=region,
            households=tn("count_families", counts.households, CLI_LANG),
            members=tn("count_members", counts.members, CLI_LANG),
            proposals=tn("count_proposals", counts.proposals, CLI_LANG),
            path=counts.path,
        )
    )
