"""The hourly housekeeping job: old inbound ids and raw webhook bodies are forgotten, and charts
and exports older than ``KAWAL_FILES_KEEP_DAYS`` are deleted (file times set with ``os.utime``,
the clock injected)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import select

from bot.jobs import scheduled_jobs
from bot.settings import Settings
from handlers.kit.deferred import reuse
from handlers.ports import FixedClock
from reminders.housekeeping import (
    KEEP_INBOUND_BODIES,
    KEEP_PROCESSED_INBOUND,
    Retention,
    housekeeping,
)
from storage.db import Database
from storage.models import ProcessedInbound

NOW = dt.datetime(2027, 1, 25, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
FILES_7 = Retention(files_days=7, media_days=3660)


def _file(path: Path, age: dt.timedelta) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


async def test_old_charts_and_exports_are_deleted_the_rest_stays(
    database: Database, tmp_path: Path
) -> None:
    data = tmp_path / "kawal-data"
    old = [
        _file(data / "exports" / "kualitas-18.04-20270101-080000-3.xlsx", 8 * DAY),
        _file(data / "charts" / "progres-18.04.19-ab12.png", 7 * DAY + dt.timedelta(seconds=1)),
        _file(data / "exports" / "2027" / "ekspor-18.04.csv", 30 * DAY),  # below, too
    ]
    kept = [
        _file(data / "exports" / "progres-18.04-cd34.xlsx", 7 * DAY - dt.timedelta(seconds=1)),
        _file(data / "charts" / "progres-18.04.07-ef56.png", DAY),
        _file(data / "media" / "telegram-photo-1.jpg", 90 * DAY),  # KAWAL_MEDIA_KEEP_DAYS
        _file(data / "outbox" / "journal-1.log", 90 * DAY),  # the outbox's crash journal
    ]
    clock = FixedClock(NOW)

    assert await housekeeping(database, clock, data, FILES_7) == 3
    assert [p.exists() for p in old] == [False, False, False]
    assert all(p.exists() for p in kept)
    assert await housekeeping(database, clock, data, FILES_7) == 0

    clock.advance(DAY)  # a day later the chart made six days ago is old too
    assert await housekeeping(database, clock, data, FILES_7) == 1
    assert not kept[0].exists() and kept[1].exists()
    assert await housekeeping(database, clock, tmp_path / "nowhere", FILES_7) == 0


async def test_a_chart_asked_for_again_counts_as_new(database: Database, tmp_path: Path) -> None:
    """The same chart is not drawn twice (its name is its content), but it is kept as long
    as people keep asking for it."""
    data = tmp_path / "kawal-data"
    chart = _file(data / "charts" / "progres-18.04.19-ab12.png", 6 * DAY)
    assert reuse(chart, NOW)
    assert chart.stat().st_mtime == NOW.timestamp()
    assert await housekeeping(database, FixedClock(NOW + 6 * DAY), data, FILES_7) == 0
    assert chart.exists()
    assert not reuse(data / "charts" / "missing.png", NOW)


async def _claims(db: Database) -> set[str]:
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(select(ProcessedInbound.platform_id))
    return {str(row[0]) for row in rows}


async def _bodies(db: Database) -> dict[str, int]:
    async with db.unit_of_work() as uow:
        return {
            status: await uow.inbound_events.count("whatsapp", status)
            for status in ("new", "processing", "processed", "failed")
        }


async def test_update_ids_outlive_metas_retries_and_old_bodies_go(database: Database) -> None:
    """Meta retries a WhatsApp webhook for up to 7 days: its wamid claim must still be there
    then, or the retry would be answered again. Raw bodies go after a week, failed ones too."""
    assert (KEEP_PROCESSED_INBOUND, KEEP_INBOUND_BODIES) == (8 * DAY, 7 * DAY)
    async with database.unit_of_work() as uow:
        await uow.inbound.claim("whatsapp", "wamid.A", NOW)
        await uow.inbound.claim("telegram", "9001", NOW)
        done, failed, waiting, busy = [
            await uow.inbound_events.add("whatsapp", "{}", NOW) for _ in range(4)
        ]
        await uow.inbound_events.add("telegram", "{}", NOW)
    async with database.unit_of_work() as uow:
        claimed = await uow.inbound_events.claim("whatsapp", NOW, limit=4)
        assert [e.id for e in claimed] == [done, failed, waiting, busy]
        await uow.inbound_events.mark_processed(done, NOW)
        await uow.inbound_events.mark_failed(failed, NOW, "boom", retry=False)
        await uow.inbound_events.mark_failed(waiting, NOW, "boom", retry=True)
    clock = FixedClock(NOW + 7 * DAY - dt.timedelta(seconds=1))
    assert await housekeeping(database, clock) == 0
    clock.advance(dt.timedelta(seconds=2))  # a week: the done bodies go, the claims stay
    assert await housekeeping(database, clock) == 2
    assert await _bodies(database) == {"new": 1, "processing": 1, "processed": 0, "failed": 0}
    assert await _claims(database) == {"wamid.A", "9001"}
    clock.advance(DAY - dt.timedelta(seconds=2))  # 8 days less a second
    assert await housekeeping(database, clock) == 0
    clock.advance(dt.timedelta(seconds=2))
    assert await housekeeping(database, clock) == 2
    assert await _claims(database) == set()
    async with database.unit_of_work() as uow:
        assert await uow.inbound_events.count("telegram") == 1  # never claimed: waiting


def test_kawal_run_prunes_after_the_configured_days(database: Database, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        files_keep_days=3,
        session_idle_days=5,
        media_keep_days=10,
        webhook_bodies_keep_days=2,
        inbound_ids_keep_days=9,
    )
    [job] = [
        j for j in scheduled_jobs(settings, database, FixedClock(NOW)) if j.func is housekeeping
    ]
    assert job.args[2:] == (
        tmp_path / "data",
        Retention(
            files_days=3,
            media_days=10,
            session_idle_days=5,
            webhook_bodies=2 * DAY,
            inbound_ids=9 * DAY,
        ),
    )
    assert Settings.model_fields["files_keep_days"].default == 7
    assert Settings.model_fields["media_keep_days"].default == 30
