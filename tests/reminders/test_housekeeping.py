"""The hourly housekeeping job: old inbound ids are forgotten, and charts and exports older than
``KAWAL_FILES_KEEP_DAYS`` are deleted (file times set with ``os.utime``, the clock injected)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from bot.run import scheduled_jobs
from bot.settings import Settings
from handlers.deferred import reuse
from handlers.ports import FixedClock
from reminders.scheduler import housekeeping
from storage.db import Database

NOW = dt.datetime(2027, 1, 25, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


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
        _file(data / "media" / "telegram-photo-1.jpg", 90 * DAY),  # received files: not ours
        _file(data / "outbox" / "journal-1.log", 90 * DAY),  # the outbox's crash journal
    ]
    clock = FixedClock(NOW)

    assert await housekeeping(database, clock, data, 7) == 3
    assert [p.exists() for p in old] == [False, False, False]
    assert all(p.exists() for p in kept)
    assert await housekeeping(database, clock, data, 7) == 0

    clock.advance(DAY)  # a day later the chart made six days ago is old too
    assert await housekeeping(database, clock, data, 7) == 1
    assert not kept[0].exists() and kept[1].exists()
    assert await housekeeping(database, clock, tmp_path / "nowhere", 7) == 0


async def test_a_chart_asked_for_again_counts_as_new(database: Database, tmp_path: Path) -> None:
    """The same chart is not drawn twice (its name is its content), but it is kept as long
    as people keep asking for it."""
    data = tmp_path / "kawal-data"
    chart = _file(data / "charts" / "progres-18.04.19-ab12.png", 6 * DAY)
    assert reuse(chart, NOW)
    assert chart.stat().st_mtime == NOW.timestamp()
    assert await housekeeping(database, FixedClock(NOW + 6 * DAY), data, 7) == 0
    assert chart.exists()
    assert not reuse(data / "charts" / "missing.png", NOW)


def test_kawal_run_prunes_after_the_configured_days(database: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", files_keep_days=3)
    [job] = [
        j for j in scheduled_jobs(settings, database, FixedClock(NOW)) if j.func is housekeeping
    ]
    assert job.args[2:] == (tmp_path / "data", 3)
    assert Settings.model_fields["files_keep_days"].default == 7
