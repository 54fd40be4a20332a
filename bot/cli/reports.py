"""``kawal``: Oversight reports: progress and data quality."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    DbOption,
    app,
    check_output,
    fail,
    print_table,
    run_async,
    say,
    settings_for,
    with_db,
    write_output,
)
from bot.runtime import forms_from
from flows.regions import is_region_code, timezone_for
from handlers.kit.workbooks import progress_table, write_progress_xlsx
from handlers.progress import view as progress_view
from handlers.progress.charts import render_progress_chart
from handlers.quality import view as quality_view
from handlers.registers.exports import form_labels
from storage.db import Database
from storage.repos.progress import RegionProgress, UpcomingDeadline

report_app = typer.Typer(help="Oversight reports: progress, data quality.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("progress")
def report_progress(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04 (kabupaten)")],
    png: Annotated[Path | None, typer.Option(help="Write the progress chart (PNG) here")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write every village as XLSX here")] = None,
    db: DbOption = None,
) -> None:
    """Progress per village (laggards first) with the next deadline; optionally a PNG chart."""
    if not is_region_code(region):
        raise fail(say("region_unknown_example", region=region))
    check_output(png, "--png", "progres.png")
    check_output(xlsx, "--xlsx", "progres.xlsx")
    settings = settings_for(db)
    lang = settings.lang
    now = datetime.now(UTC)

    Found = tuple[RegionProgress | None, UpcomingDeadline | None]

    async def work(database: Database) -> Found:
        async with database.unit_of_work() as uow:
            found = await uow.progress.region(region)
            deadline = await progress_view.next_deadline(uow, region, now) if found else None
            return found, deadline

    result: Found = run_async(lambda: with_db(settings, work))
    found, deadline = result  # read first, render after: no transaction is held meanwhile
    if found is None:
        raise fail(say("region_missing", region=region))
    typer.echo(progress_view.summary(found, deadline, now, lang).split("\n\n")[0])
    typer.echo("")
    villages = progress_view.laggards_first(found.villages)
    header, rows = progress_table(villages, found.names, lang, short=True)
    print_table(header, rows)
    if png is not None:
        chart = progress_view.chart_for(found, deadline, now, lang, min_bars=1)
        if chart is None:
            raise fail(say("chart_nothing", region=region))
        write_output(png, "--png", "progres.png", lambda path: render_progress_chart(chart, path))
        typer.echo(say("chart_written", path=png, kb=png.stat().st_size // 1024))
    if xlsx is not None:
        groups = found.groups(found.level + 1) if found.level < 3 else []
        write_output(
            xlsx,
            "--xlsx",
            "progres.xlsx",
            lambda path: write_progress_xlsx(path, villages, groups, found.names, lang),
        )
        typer.echo(f"XLSX: {xlsx}")


@report_app.command("quality")
def report_quality(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04 (kabupaten)")],
    out: Annotated[Path, typer.Option(help="Output XLSX file")],
    untouched_since: Annotated[
        str | None,
        typer.Option(help="Households not changed since this date (YYYY-MM-DD or DD-MM-YYYY)"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Without --untouched-since: this many days ago (default 30)"),
    ] = None,
    mask: Annotated[bool, typer.Option("--mask", help="Mask every NIK and No. KK")] = False,
    db: DbOption = None,
) -> None:
    """Duplicate NIKs, NIKs that disagree with the answers, and households nobody touched."""
    if not is_region_code(region):
        raise fail(say("region_unknown_example", region=region))
    check_output(out, "--out", "kualitas.xlsx")
    settings = settings_for(db)
    lang = settings.lang
    now = datetime.now(UTC)
    since = quality_view.untouched_since(
        untouched_since,
        now,
        days or settings.quality_untouched_days,
        timezone_for(region),
        lang,
    )
    if isinstance(since, str):
        raise fail(say("untouched_invalid", date=untouched_since))
    forms = forms_from(settings)

    async def work(database: Database) -> quality_view.QualityReport | None:
        async with database.unit_of_work() as uow:
            return await quality_view.gather(uow, region, since, lang, untouched_limit=None)

    report = run_async(lambda: with_db(settings, work))
    if report is None:
        raise fail(say("region_missing", region=region))
    typer.echo(quality_view.summary(report, lang))
    write_output(
        out,
        "--out",
        "kualitas.xlsx",
        lambda path: quality_view.write_quality_xlsx(
            path, report, lang, full_areas=[] if mask else [region], labels=form_labels(forms)
        ),
    )
    typer.echo(f"XLSX: {out}")
