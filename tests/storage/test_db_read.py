"""``Database.read``: long reads in a read-only snapshot on a worker thread, beside the writers."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from sqlalchemy.exc import DBAPIError

from storage.db import Database, UnitOfWork

WAIT = 10  # seconds a test waits for the other thread at most (a hang fails, never passes)


async def _people(uow: UnitOfWork) -> list[str]:
    return [p.name for p in await uow.people.list_people()]


async def test_read_sees_what_was_committed_off_the_callers_thread(
    database: Database, now: dt.datetime
) -> None:
    async with database.unit_of_work() as uow:
        await uow.people.create("Siti", "id", now)

    async def work(uow: UnitOfWork) -> tuple[list[str], threading.Thread]:
        return await _people(uow), threading.current_thread()

    names, thread = await database.read(work)
    assert names == ["Siti"]
    assert thread is not threading.current_thread()
    assert thread.name != "kawal-sqlite"  # not SQLite's database thread either


async def test_read_cannot_write(database: Database, now: dt.datetime) -> None:
    async def write(uow: UnitOfWork) -> int:
        return await uow.people.create("Siti", "id", now)

    with pytest.raises(DBAPIError, match=r"read-?only"):
        await database.read(write)
    async with database.unit_of_work() as uow:
        assert await _people(uow) == []


async def test_writers_go_on_while_a_read_runs_and_the_read_keeps_its_snapshot(
    database: Database, now: dt.datetime
) -> None:
    """The read holds no writer lock: updates commit while it is paused half-way, and it goes
    on seeing the database as it was when it began (one consistent export)."""
    async with database.unit_of_work() as uow:
        await uow.people.create("Siti", "id", now)
    halfway, resume = threading.Event(), threading.Event()

    async def paused_read(uow: UnitOfWork) -> tuple[list[str], list[str]]:
        before = await _people(uow)
        halfway.set()
        assert resume.wait(WAIT)  # blocks this read's own thread and loop only
        return before, await _people(uow)

    reading = asyncio.create_task(database.read(paused_read))
    assert await asyncio.to_thread(halfway.wait, WAIT)

    async def write(uow: UnitOfWork) -> None:
        await uow.people.create("Budi", "id", now)

    await asyncio.wait_for(database.run(write), WAIT)  # not queued behind the read
    async with database.unit_of_work() as uow:
        await uow.people.create("Ani", "id", now)
    assert not reading.done()
    resume.set()
    assert await reading == (["Siti"], ["Siti"])
    assert await database.read(_people) == ["Siti", "Budi", "Ani"]


async def test_a_failed_read_leaves_the_database_usable(
    database: Database, now: dt.datetime
) -> None:
    class Boom(Exception):
        pass

    async def broken(uow: UnitOfWork) -> None:
        await _people(uow)
        raise Boom

    with pytest.raises(Boom):
        await database.read(broken)
    async with database.unit_of_work() as uow:
        await uow.people.create("Siti", "id", now)
    assert await database.read(_people) == ["Siti"]


async def test_read_needs_a_connected_database(database: Database) -> None:
    other = Database(database.url)
    with pytest.raises(RuntimeError, match="connect"):
        await other.read(_people)
    await other.connect()
    assert await other.read(_people) == []
    await other.dispose()
    with pytest.raises(RuntimeError, match="connect"):
        await other.read(_people)
