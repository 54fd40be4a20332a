"""``uow.turns.start``: claim, sender, "last wrote" and open form at the start of an update
(one statement on PostgreSQL, the same answers as the separate steps on SQLite)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database, UnitOfWork
from storage.models import Identity
from tests.conftest import peers
from tests.storage.conftest import SRI_MENANTI, SUMBER_ALAM


async def _person(db: Database, now: dt.datetime) -> int:
    async with db.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        await uow.people.add_identity(person_id, "telegram", "77", "Siti", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(person_id, "peratin", SUMBER_ALAM, now)
        await uow.people.mark_blocked("telegram", "77", now)
    return person_id


async def _last_inbound(uow: UnitOfWork) -> dt.datetime | None:
    found: dt.datetime | None = await uow.session.scalar(
        select(Identity.last_inbound_at).where(Identity.external_id == "77")
    )
    return found


async def test_a_new_update_finds_the_sender_and_notes_they_wrote(
    seeded: Database, now: dt.datetime
) -> None:
    person_id = await _person(seeded, now)
    later = now + dt.timedelta(minutes=5)

    async def work(uow: UnitOfWork) -> None:
        expected = await uow.people.find_by_identity("telegram", "77")
        start = await uow.turns.start("telegram", "u1", "77", later)
        assert start.claimed
        assert start.person == expected  # blocked_at as it was before this update
        assert start.person is not None and start.person.blocked_at is not None
        assert [r.region_name for r in start.person.roles] == ["Sri Menanti", "Sumber Alam"]
        assert await _last_inbound(uow) == later

    await seeded.run(work)
    async with seeded.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "77")
        assert person is not None and person.person_id == person_id
        assert person.blocked_at is None  # writing to us unblocks


async def test_a_duplicate_claims_and_touches_nothing(seeded: Database, now: dt.datetime) -> None:
    await _person(seeded, now)
    await seeded.run(lambda uow: uow.turns.start("telegram", "u1", "77", now))
    later = now + dt.timedelta(hours=1)

    async def again(uow: UnitOfWork) -> None:
        start = await uow.turns.start("telegram", "u1", "77", later)
        assert not start.claimed and start.person is None
        assert await _last_inbound(uow) == now

    await seeded.run(again)


async def test_an_unknown_sender_is_claimed_without_a_person(
    seeded: Database, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        start = await uow.turns.start("telegram", "u9", "stranger", now)
        assert start.claimed and start.person is None

    await seeded.run(work)
    async with seeded.unit_of_work() as uow:
        assert await uow.inbound.seen("telegram", "u9")


async def test_the_open_form_is_the_one_get_open_reads(seeded: Database, now: dt.datetime) -> None:
    person_id = await _person(seeded, now)
    async with seeded.unit_of_work() as uow:
        household_id = await uow.households.add(
            SRI_MENANTI, "Agus", "1804191611200001", None, "", "", "", now=now
        )
        old = await uow.sessions.create(person_id, "f", 1, None, {"a": 1}, "telegram", now)
        await uow.sessions.finish(old, "completed", "telegram", now)
        session_id = await uow.sessions.create(
            person_id, "f", 1, household_id, {"b": [1, "x"]}, "telegram", now
        )

    async def work(uow: UnitOfWork) -> None:
        start = await uow.turns.start("telegram", "u2", "77", now)
        assert start.person is not None
        remembered = await uow.sessions.get_open(person_id)
        assert remembered is not None and remembered.id == session_id
        assert remembered.household_region == SRI_MENANTI
        await uow.sessions.save(session_id, "active", {"b": 2}, "telegram", now)
        again = await uow.sessions.get_open(person_id)  # read again after a write
        assert again is not None and again.state == {"b": 2}

    await seeded.run(work)
    async with seeded.unit_of_work() as uow:
        fresh = await uow.sessions.get_open(person_id)
        assert fresh is not None and fresh.state == {"b": 2}
        assert fresh.household_region == SRI_MENANTI


async def _waiting_for_a_lock(url: str) -> bool:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            waiting = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
    finally:
        await engine.dispose()
    return bool(waiting)


async def test_two_processes_take_one_senders_updates_in_turn(
    seeded: Database, now: dt.datetime
) -> None:
    """Two updates of one chat at once in two processes: the second continues from the
    first's form state (before, it read the state the first was replacing and overwrote it)."""
    if seeded.dialect != "postgresql":
        pytest.skip("SQLite takes its single writer lock before the first read")
    person_id = await _person(seeded, now)
    async with seeded.unit_of_work() as uow:
        session_id = await uow.sessions.create(person_id, "f", 1, None, {"n": 0}, "telegram", now)
    first_saved = asyncio.Event()
    release = asyncio.Event()

    async def first(uow: UnitOfWork) -> None:
        await uow.turns.start("telegram", "u1", "77", now)
        record = await uow.sessions.get_open(person_id)
        assert record is not None and record.state == {"n": 0}
        await uow.sessions.save(session_id, "active", {"n": 1}, "telegram", now)
        first_saved.set()
        await release.wait()  # the transaction stays open meanwhile

    async def second(uow: UnitOfWork) -> int:
        start = await uow.turns.start("telegram", "u2", "77", now)
        assert start.claimed and start.person is not None
        record = await uow.sessions.get_open(person_id)
        assert record is not None
        await uow.sessions.save(session_id, "active", {"n": record.state["n"] + 1}, "telegram", now)
        return int(record.state["n"])

    async with peers(seeded, 2) as (one, other):
        running = asyncio.create_task(one.run(first))
        await first_saved.wait()
        later = asyncio.create_task(other.run(second))
        for _ in range(500):  # until the second waits for the first's row lock
            if await _waiting_for_a_lock(seeded.url):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the second update never waited for the first")
        assert not later.done()
        release.set()
        await running
        assert await later == 1  # it saw the first's answer
    async with seeded.unit_of_work() as uow:
        record = await uow.sessions.get_open(person_id)
        assert record is not None and record.state == {"n": 2}
