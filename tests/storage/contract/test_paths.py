"""The contract's fixture really takes each path (a suite that silently ran one path for all
would pass and prove nothing)."""

from __future__ import annotations

import datetime as dt
import threading

from storage.db import Database, UnitOfWork
from tests.storage.contract.conftest import Unit

MAIN = threading.main_thread().name
EXPECTED = {
    ("sqlite", "unit_of_work"): ("AsyncSession", MAIN),
    ("sqlite", "run"): ("SyncCoreSession", MAIN),
    ("sqlite", "offload"): ("SyncCoreSession", "kawal-sqlite"),
    ("postgresql", "unit_of_work"): ("AsyncSession", MAIN),
    ("postgresql", "run"): ("AsyncCoreSession", MAIN),
}


async def test_each_path_runs_its_own_session(unit: Unit, database: Database) -> None:
    async def where(uow: UnitOfWork) -> tuple[str, str]:
        return type(uow.session).__name__, threading.current_thread().name

    assert await unit(where) == EXPECTED[(database.dialect, unit.path)]


async def test_what_one_path_commits_every_path_reads(
    unit: Unit, database: Database, now: dt.datetime
) -> None:
    async def write(uow: UnitOfWork) -> int:
        return await uow.people.create("Siti", "id", now)

    person_id = await unit(write)
    async with database.unit_of_work() as uow:
        assert [p.id for p in await uow.people.list_people()] == [person_id]
    for offload in (False, True):

        async def read(uow: UnitOfWork) -> list[int]:
            return [p.id for p in await uow.people.list_people()]

        assert await database.run(read, offload=offload) == [person_id]
