"""``kawal``: Announcements from Dinsos."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    DbOption,
    app,
    chat_form,
    fail,
    run_async,
    say,
    say_n,
    settings_for,
    with_db,
)
from flows import read_answer
from flows.host_types import local_value
from flows.regions import is_region_code, timezone_for
from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.saver import FORM_ID
from handlers.kit.dates import when_text
from handlers.kit.i18n import t
from handlers.kit.timing import local_instant
from handlers.kit.workbooks import write_sheets
from storage.db import Database
from storage.files import private_dir, private_file

# ---- announcements ---------------------------------------------------------------------------

announcement_app = typer.Typer(help="Announcements from Dinsos: reports.", no_args_is_help=True)
app.add_typer(announcement_app, name="announcement")
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})


def _keep_media(source: Path, data_dir: Path) -> tuple[str, str]:
    """Copy an attachment under the data folder (the outbox sends it later); (path, kind)."""
    if not source.is_file():
        raise fail(say("media_missing", path=source))
    if source.stat().st_size > 20 * 1024 * 1024:
        raise fail(say("media_too_big", name=source.name))
    folder = data_dir / "media" / "announcements"
    private_dir(folder)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    target = folder / f"{stamp}-{source.name}"
    private_file(target).write_bytes(source.read_bytes())
    kind = "photo" if source.suffix.lower() in PHOTO_SUFFIXES else "document"
    return str(target.resolve()), kind


def _scheduled(at: str, zone: str, now: datetime) -> datetime | None:
    """``--at`` read by the form's send-time question (local time of the first region); None
    for SEKARANG. Not understood: the CLI's words (they name the option); too early or too
    far ahead: the form's."""
    parsed = read_answer(chat_form(FORM_ID), "when", at, {"zone": zone, "now": now.isoformat()})
    if parsed.error is not None:
        if parsed.reason in {"invalid", "invalid_now", "no_time", "missing"}:
            raise fail(say("at_invalid", at=at))
        raise fail(f"--at {at}: {parsed.error}")
    local = local_value(parsed.value)
    return local_instant(local.date(), local.time(), zone) if local else None


@app.command("announce")
def announce(
    region: Annotated[
        list[str], typer.Option(help="Region code; repeat for several: --region 18.04.10")
    ],
    text_file: Annotated[Path, typer.Option(help="The announcement text (UTF-8), e.g. notice.txt")],
    roles: Annotated[
        str, typer.Option(help="Who gets it: operator, peratin, camat, e.g. operator,peratin")
    ] = "operator",
    at: Annotated[
        str | None,
        typer.Option("--at", help="Send later, local time of the first region: 2026-12-01T08:00"),
    ] = None,
    media: Annotated[
        Path | None, typer.Option(help="A photo (jpg/png) or document sent with it")
    ] = None,
    nudge_hours: Annotated[
        int | None, typer.Option(help="Nudge who has not confirmed after this many hours; 0: no")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before sending")] = False,
    db: DbOption = None,
) -> None:
    """Send an announcement, e.g. kawal announce --region 18.04 --roles operator
    --text-file notice.txt [--at 2026-12-01T08:00]."""
    settings = settings_for(db)
    codes = tuple(dict.fromkeys(c.strip() for c in region if c.strip()))
    bad = [c for c in codes if not is_region_code(c)]
    if bad or not codes:
        raise fail(say("regions_invalid", codes=", ".join(bad) or say("empty")))
    try:
        text = text_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(say("text_unreadable", path=text_file, error=exc)) from exc
    role_names = tuple(r.strip().lower() for r in roles.split(",") if r.strip())
    now = datetime.now(UTC)
    scheduled = _scheduled(at, timezone_for(codes[0]), now) if at is not None else None
    media_path, media_kind = (None, None)
    draft = announcements.Draft(
        text=text,
        region_codes=codes,
        roles=role_names,
        scheduled_at=scheduled,
        nudge_after_hours=(
            settings.announcement_nudge_hours if nudge_hours is None else nudge_hours
        ),
    )

    async def preview(database: Database) -> tuple[list[str], list[str]]:
        async with database.unit_of_work() as uow:
            check = replace(draft, media_path=str(media) if media else None, media_kind="document")
            errors = await announcements.problems(uow, check, codes, now, "id")
            found = await announcements.audience(uow, codes, role_names)
            return errors, announcements.preview_lines(found, "id")

    errors, lines = run_async(lambda: with_db(settings, preview))
    if errors:
        raise fail("\n".join(errors))
    typer.echo("\n".join(lines))
    when = when_text(scheduled, timezone_for(codes[0]), "id") if scheduled else say("now")
    typer.echo(say("announce_when", when=when))
    if not yes and not typer.confirm(say("announce_confirm"), default=False):
        raise typer.Exit(code=1)
    if media is not None:
        media_path, media_kind = _keep_media(media, settings.data_dir)
    draft = replace(draft, media_path=media_path, media_kind=media_kind)

    async def work(database: Database) -> tuple[int, int]:
        async with database.unit_of_work() as uow:
            announcement_id = await announcements.create(
                uow, draft, by=None, channel="cli", now=now, quiet=settings.quiet
            )
            queued = len(await uow.outbox.people_of(announcements.campaign(announcement_id)))
        return announcement_id, queued

    announcement_id, queued = run_async(lambda: with_db(settings, work))
    if scheduled and scheduled > now:
        typer.echo(say("announce_scheduled", id=announcement_id))
    else:
        typer.echo(say_n("announce_queued", queued, id=announcement_id))


@announcement_app.command("list")
def announcement_list(db: DbOption = None) -> None:
    """The newest announcements with their counts."""
    settings = settings_for(db)

    async def work(database: Database) -> list[str]:
        lines = []
        async with database.unit_of_work() as uow:
            for record in await uow.announcements.recent(limit=50):
                found = await reports.report(uow, record.id)
                assert found is not None  # noqa: S101 - just listed
                zone = timezone_for(record.region_codes[0])
                total = found.overall
                counts = say(
                    "announcement_counts",
                    total=total.total,
                    sent=total.sent,
                    failed=total.failed,
                    acknowledged=total.acknowledged,
                )
                lines.append(
                    f"#{record.id} {when_text(record.scheduled_at, zone, 'id')} "
                    f"[{t('ann_status_' + record.status)}] {', '.join(record.region_codes)} "
                    f"{','.join(record.roles)}\n    {counts}"
                )
        return lines

    lines = run_async(lambda: with_db(settings, work))
    typer.echo("\n".join(lines) if lines else say("announcements_none"))


@announcement_app.command("report")
def announcement_report(
    announcement_id: Annotated[int, typer.Argument(help="The announcement's number")],
    xlsx: Annotated[
        Path | None, typer.Option(help="Also write every recipient to this XLSX file")
    ] = None,
    db: DbOption = None,
) -> None:
    """The report Dinsos sees, with everyone who has not confirmed yet."""
    settings = settings_for(db)

    async def work(database: Database) -> reports.Report | None:
        async with database.unit_of_work() as uow:
            return await reports.report(uow, announcement_id)

    found = run_async(lambda: with_db(settings, work))
    if found is None:
        raise fail(say("announcement_not_found", id=announcement_id))
    typer.echo(reports.report_text(found, "id", people=100_000))
    if xlsx is not None:
        write_sheets(xlsx, reports.report_sheets(found, "id"))
        typer.echo(say("written", path=xlsx))


@announcement_app.command("cancel")
def announcement_cancel(
    announcement_id: Annotated[int, typer.Argument(help="The announcement's number")],
    db: DbOption = None,
) -> None:
    """Cancel a scheduled announcement before it goes out."""
    settings = settings_for(db)

    async def work(database: Database) -> bool:
        async with database.unit_of_work() as uow:
            record = await uow.announcements.get(announcement_id)
            if record is None:
                return False
            return await announcements.cancel(
                uow, record, by=None, channel="cli", now=datetime.now(UTC)
            )

    if not run_async(lambda: with_db(settings, work)):
        raise fail(say("announcement_not_cancelled", id=announcement_id))
    typer.echo(say("announcement_cancelled", id=announcement_id))
