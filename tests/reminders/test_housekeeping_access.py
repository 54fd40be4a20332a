"""Issue 15 in the hourly housekeeping job: forms idle for twice KAWAL_SESSION_IDLE_DAYS close
(``expired``, nothing saved; sooner ones close when their person writes, with a message), and
counted attempts (access_throttle) older than the longest window that counts them go."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from handlers.ports import FixedClock
from reminders.housekeeping import IDLE_SESSION_FACTOR, KEEP_THROTTLE, Retention, housekeeping
from storage.db import Database

NOW = dt.datetime(2027, 1, 25, 3, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


async def _session(db: Database, last_answer: dt.datetime, status: str = "active") -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.create("Operator", "id", last_answer)
        return await uow.sessions.create(
            person, "usulan_baru", 1, None, {"stage": "form"}, "telegram", last_answer, status
        )


async def _statuses(db: Database, *ids: int) -> list[str]:
    async with db.unit_of_work() as uow:
        found = [await uow.sessions.get(n) for n in ids]
    return [s.status if s else "-" for s in found]


async def test_forms_idle_twice_the_idle_days_are_closed(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    assert IDLE_SESSION_FACTOR == 2
    old = await _session(database, NOW - 14 * DAY)
    waiting = await _session(database, NOW - 30 * DAY, "waiting")
    recent = await _session(database, NOW - 14 * DAY + SECOND)  # told when its person writes
    done = await _session(database, NOW - 90 * DAY, "completed")

    with caplog.at_level(logging.INFO, logger="reminders.housekeeping"):
        assert (
            await housekeeping(database, FixedClock(NOW), None, Retention(session_idle_days=7)) == 0
        )  # no rows went
    assert await _statuses(database, old, waiting, recent, done) == [
        "expired",
        "expired",
        "active",
        "completed",
    ]
    assert "housekeeping: 2 forms idle for 14 days or more closed" in caplog.messages
    async with database.unit_of_work() as uow:
        closed = await uow.sessions.get(old)
    assert closed is not None and closed.updated_at == NOW and closed.state == {"stage": "form"}

    await housekeeping(database, FixedClock(NOW + SECOND), None, Retention(session_idle_days=7))
    assert await _statuses(database, recent) == ["expired"]


async def test_the_idle_days_are_a_parameter(database: Database) -> None:
    session = await _session(database, NOW - 4 * DAY)
    await housekeeping(database, FixedClock(NOW), None, Retention(session_idle_days=3))
    assert await _statuses(database, session) == ["active"]
    await housekeeping(database, FixedClock(NOW + 2 * DAY), None, Retention(session_idle_days=3))
    assert await _statuses(database, session) == ["expired"]


async def test_old_throttle_rows_are_pruned_the_rest_still_count(database: Database) -> None:
    assert KEEP_THROTTLE == 8 * DAY  # longer than the longest window: a 7-day invite lockout
    async with database.unit_of_work() as uow:
        await uow.throttle.add("dupcheck", "1", NOW - 8 * DAY - SECOND)
        await uow.throttle.add("media", "1", NOW - 8 * DAY - SECOND)
        await uow.throttle.add("invite", "telegram:55", NOW - 7 * DAY)
        await uow.throttle.add("dupcheck", "1", NOW - dt.timedelta(minutes=5))

    assert await housekeeping(database, FixedClock(NOW)) == 2
    async with database.unit_of_work() as uow:
        since = NOW - 30 * DAY
        assert await uow.throttle.count("dupcheck", "1", since) == 1
        assert await uow.throttle.count("media", "1", since) == 0
        assert await uow.throttle.count("invite", "telegram:55", since) == 1
    assert (
        await housekeeping(
            database, FixedClock(NOW), retention=Retention(throttle=dt.timedelta(days=2))
        )
        == 1
    )
