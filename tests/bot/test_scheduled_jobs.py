"""What ``kawal run`` ticks: every job by name, its interval and its arguments from the settings,
and the deadlines job really plans reminders when it runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.jobs import scheduled_jobs
from bot.regions import load_regions
from bot.settings import Settings
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import Draft
from handlers.kit.timing import QuietHours, local_instant
from handlers.ports import FixedClock
from reminders.deadlines import PlanRound, plan_deadlines
from storage.db import Database

WIB = "Asia/Jakarta"


def _settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # no stray .env
        data_dir=tmp_path / "data",
        scheduler_interval=42,
        quiet_hours="22:00-06:00",
    )


def test_every_job_is_wired_with_its_interval_from_the_settings(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    db, clock = Database("sqlite+aiosqlite:///unused.db"), FixedClock(dt.datetime.now(dt.UTC))
    jobs = {job.id: job for job in scheduled_jobs(settings, db, clock)}
    assert {name: job.seconds for name, job in jobs.items()} == {
        "housekeeping": 3600,
        "deadlines": 42,
        "announcements": 15,  # at most every 15 s: a scheduled announcement goes out on time
        "announcement-nudges": 42,
        "digest": 42,
    }
    planner = jobs["deadlines"]
    assert planner.func is plan_deadlines
    assert planner.args == (db, clock, QuietHours(dt.time(22), dt.time(6)))
    assert all(job.args[:2] == (db, clock) for job in jobs.values())


async def test_the_deadlines_job_plans_reminders(database: Database, tmp_path: Path) -> None:
    due = local_instant(dt.date(2026, 1, 27), dt.time(16), WIB)
    clock = FixedClock(local_instant(dt.date(2026, 1, 20), dt.time(8), WIB))
    async with database.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        person = await uow.people.create("Operator", now=clock.now())
        await uow.people.assign_role(person, "operator", "18.04.19.2006", clock.now())
        await uow.people.set_consent(person, "2026-11", clock.now())
        draft = Draft("Ekspor DTKS", due, "18.04", ("operator",))
        await deadlines.create(uow, draft, by=None, channel="cli", now=clock.now())
    [job] = [j for j in scheduled_jobs(_settings(tmp_path), database, clock) if j.id == "deadlines"]
    planned = await job.func(*job.args)
    assert isinstance(planned, PlanRound) and planned.reminders == 1
    async with database.unit_of_work() as uow:
        assert await uow.outbox.count_by_status("deadline:") == {"pending": 1}
