"""``Database.run``: the hot-path unit of work (Core sessions; on SQLite in the loop's thread)."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import Database, UnitOfWork
from storage.migrate import upgrade
from storage.models import Identity, Person, ProcessedInbound, Region
from storage.repos._base import needs_orm
from tests.storage.conftest import SRI_MENANTI, seed_regions


class Boom(Exception):
    pass


async def test_run_commits_and_returns_what_work_returns(
    database: Database, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> int:
        assert await uow.inbound.claim("telegram", "1", now)
        person_id = await uow.people.create("Siti", "id", now)
        await uow.people.add_identity(person_id, "telegram", "77", "Siti", now)
        return person_id

    person_id = await database.run(work)
    async with database.unit_of_work() as uow:
        found = await uow.people.find_by_identity("telegram", "77")
        assert not await uow.inbound.claim("telegram", "1", now)
    assert found is not None and found.person_id == person_id


async def test_run_rolls_everything_back_when_work_raises(
    database: Database, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        assert await uow.inbound.claim("telegram", "9", now)
        await uow.people.create("Siti", "id", now)
        raise Boom

    with pytest.raises(Boom):
        await database.run(work)

    async def check(uow: UnitOfWork) -> tuple[int, bool]:
        return len(await uow.people.list_people()), await uow.inbound.claim("telegram", "9", now)

    assert await database.run(check) == (0, True)


async def test_a_failed_statement_rolls_back_and_the_next_unit_works(
    database: Database, now: dt.datetime
) -> None:
    async def broken(uow: UnitOfWork) -> None:
        await uow.people.create("Siti", "id", now)
        await uow.households.add_member(999, 1, "Budi", None, "kepala_keluarga", "L", None)

    with pytest.raises(IntegrityError):
        await database.run(broken)

    async def count(uow: UnitOfWork) -> int:
        return len(await uow.people.list_people())

    assert await database.run(count) == 0


async def test_orm_statements_get_orm_results_in_run(database: Database, now: dt.datetime) -> None:
    await seed_regions(database)

    async def work(uow: UnitOfWork) -> tuple[object, object, object]:
        region = await uow.session.scalar(select(Region).where(Region.code == SRI_MENANTI))
        name = await uow.session.scalar(select(Region.name).where(Region.code == SRI_MENANTI))
        person = Person(name="Rina", lang="id", created_at=now)
        uow.session.add(person)
        await uow.session.flush()
        fetched = await uow.session.get(Person, person.id)
        return region, name, fetched

    region, name, fetched = await database.run(work)
    assert isinstance(region, Region) and region.name == "Sri Menanti"
    assert name == "Sri Menanti"
    assert isinstance(fetched, Person) and fetched.name == "Rina"
    async with database.unit_of_work() as uow:
        assert [p.name for p in await uow.people.list_people()] == ["Rina"]


async def test_returning_rows_left_unread_do_not_block_the_commit(
    database: Database, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        person_id = await uow.people.create("Siti", "id", now)
        # Rows of INSERT/UPDATE ... RETURNING that nobody reads (SQLite cannot commit while a
        # write statement still has rows to step through).
        await uow.session.execute(
            insert(Identity)
            .values(
                person_id=person_id,
                channel="telegram",
                external_id="5",
                display_name="Siti",
                created_at=now,
            )
            .returning(Identity.id)
        )
        await uow.session.execute(
            update(Person).where(Person.id == person_id).values(name="Sinta").returning(Person.id)
        )

    await database.run(work)
    async with database.unit_of_work() as uow:
        found = await uow.people.find_by_identity("telegram", "5")
    assert found is not None and found.name == "Sinta"


async def test_run_needs_a_connected_database(database: Database) -> None:
    other = Database(database.url)

    async def work(uow: UnitOfWork) -> None:
        return None

    with pytest.raises(RuntimeError, match="connect"):
        await other.run(work)
    await other.connect()
    await other.run(work)
    await other.dispose()
    with pytest.raises(RuntimeError, match="connect"):
        await other.run(work)


def test_statements_the_orm_runs_differently_are_recognised() -> None:
    assert needs_orm(select(Region), None)
    assert needs_orm(select(Region.code, Region), None)
    assert needs_orm(insert(Person), [{"name": "a"}, {"name": "b"}])
    assert needs_orm(update(Person), [{"id": 1, "name": "a"}])
    assert not needs_orm(select(Region.code, Region.name), None)
    assert not needs_orm(insert(Person).values(name="a"), None)
    assert not needs_orm(insert(Person), {"name": "a"})
    assert not needs_orm(update(Person).where(Person.id == 1).values(name="a"), None)
    assert not needs_orm(text("SELECT 1"), None)
    assert not needs_orm(select(ProcessedInbound.__table__.c.channel), None)


# ---- SQLite: where a unit runs, and waiting for the single writer ---------------------------


async def test_sqlite_units_run_in_the_callers_thread_unless_offloaded(
    sqlite_database: Database,
) -> None:
    async def where(uow: UnitOfWork) -> threading.Thread:
        await uow.session.execute(text("SELECT 1"))
        return threading.current_thread()

    assert await sqlite_database.run(where) is threading.current_thread()
    elsewhere = await sqlite_database.run(where, offload=True)
    assert elsewhere is not threading.current_thread()
    assert elsewhere.name == "kawal-sqlite"


async def test_sqlite_run_waits_for_a_unit_of_work_of_the_same_process(
    sqlite_database: Database, now: dt.datetime
) -> None:
    order: list[str] = []
    inside = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with sqlite_database.unit_of_work() as uow:
            await uow.people.create("First", "id", now)
            inside.set()
            await release.wait()
            order.append("unit_of_work")

    async def work(uow: UnitOfWork) -> None:
        await uow.people.create("Second", "id", now)
        order.append("run")

    holding = asyncio.create_task(holder())
    await inside.wait()
    running = asyncio.create_task(sqlite_database.run(work))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not running.done()
    release.set()
    await asyncio.gather(holding, running)
    assert order == ["unit_of_work", "run"]
    async with sqlite_database.unit_of_work() as uow:
        assert [p.name for p in await uow.people.list_people()] == ["First", "Second"]


async def test_sqlite_run_waits_for_another_process_off_the_event_loop(
    sqlite_database: Database, now: dt.datetime
) -> None:
    """Another process holds the write lock: the unit waits on the database thread while the
    event loop keeps running, and completes once the lock is released."""
    path = sqlite_database.url.split("///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")

        async def work(uow: UnitOfWork) -> str:
            await uow.people.create("Siti", "id", now)
            return threading.current_thread().name

        running = asyncio.create_task(sqlite_database.run(work))
        ticks = 0
        while ticks < 50:  # the loop is not blocked while the unit waits for the lock
            await asyncio.sleep(0)
            ticks += 1
        assert not running.done()
        other.execute("COMMIT")
        assert await running == "kawal-sqlite"
    finally:
        other.close()
    async with sqlite_database.unit_of_work() as uow:
        assert [p.name for p in await uow.people.list_people()] == ["Siti"]


async def test_sqlite_database_thread_stops_with_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    await upgrade(url)
    before = {t.name for t in threading.enumerate()}
    db = Database(url)
    await db.connect()
    assert "kawal-sqlite" in {t.name for t in threading.enumerate()} - before
    await db.dispose()
    assert "kawal-sqlite" not in {t.name for t in threading.enumerate()} - before


# ---- prepared statements ---------------------------------------------------------------------


async def test_prepared_statements_give_the_same_rows_as_any_session(
    database: Database, now: dt.datetime
) -> None:
    """The per-update statements run on the driver directly in ``run``: same records."""
    await seed_regions(database)
    async with database.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        identity_id = await uow.people.add_identity(person_id, "telegram", "8", "Siti", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        household_id = await uow.households.add(
            SRI_MENANTI, "Budi", None, None, "Dusun I", "001", "002", now=now
        )
        await uow.households.add_member(household_id, 1, "Budi", None, "kepala_keluarga", "L", None)
        session_id = await uow.sessions.create(
            person_id, "verifikasi_keluarga", 1, household_id, {"a": [1, "x"]}, "telegram", now
        )
        expected = (
            await uow.people.find_by_identity("telegram", "8"),
            await uow.sessions.get_open(person_id),
            await uow.sessions.get(session_id),
            await uow.households.get(household_id),
        )

    async def work(uow: UnitOfWork) -> tuple[object, ...]:
        assert await uow.inbound.claim("telegram", "100", now)  # opens the transaction
        assert not await uow.inbound.claim("telegram", "100", now)
        found = (
            await uow.people.find_by_identity("telegram", "8"),
            await uow.sessions.get_open(person_id),
            await uow.sessions.get(session_id),
            await uow.households.get(household_id),
        )
        assert await uow.people.touch_inbound(identity_id, now)
        assert await uow.sessions.save(session_id, "waiting", {"b": {"c": 2}}, "console", now)
        return found

    assert await database.run(work) == expected
    async with database.unit_of_work() as uow:
        saved = await uow.sessions.get(session_id)
        identities = await uow.people.identities_of(person_id)
    assert saved is not None and (saved.status, saved.state, saved.channel) == (
        "waiting",
        {"b": {"c": 2}},
        "console",
    )
    assert identities[0].last_inbound_at == now


async def test_a_failing_prepared_statement_rolls_the_unit_back(
    database: Database, now: dt.datetime
) -> None:
    async with database.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        session_id = await uow.sessions.create(person_id, "f", 1, None, {}, "telegram", now)

    async def work(uow: UnitOfWork) -> None:
        assert await uow.inbound.claim("telegram", "200", now)
        # channel is NOT NULL: the database refuses the prepared UPDATE
        await uow.sessions.save(session_id, "waiting", {}, None, now)  # type: ignore[arg-type]

    with pytest.raises(DBAPIError):
        await database.run(work)

    async def retry(uow: UnitOfWork) -> tuple[bool, str | None]:
        record = await uow.sessions.get(session_id)
        return await uow.inbound.claim("telegram", "200", now), record.status if record else None

    assert await database.run(retry) == (True, "active")
