"""The repository contract: every test here runs once per unit-of-work path and backend.

``unit(work)`` runs ``async def work(uow)`` in one transaction, committed when it returns, the
way the test's path does it:

- ``unit_of_work``: ``async with Database.unit_of_work()`` (an ``AsyncSession``), as the CLI,
  the senders and the imports do;
- ``run``: ``Database.run`` (the hot path: ``SyncCoreSession`` on SQLite in the event loop's
  thread, ``AsyncCoreSession`` on PostgreSQL);
- ``offload``: ``Database.run(..., offload=True)``, SQLite's database thread (its own loop);
  PostgreSQL has no such path, so it is skipped there.

A repository must give the same results on each: what one path stores, the others read.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import pytest

from storage.db import Database, UnitOfWork

T = TypeVar("T")
PATHS = ("unit_of_work", "run", "offload")


@dataclass(frozen=True)
class Unit:
    database: Database
    path: str

    async def __call__(self, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        if self.path == "unit_of_work":
            async with self.database.unit_of_work() as uow:
                return await work(uow)
        return await self.database.run(work, offload=self.path == "offload")


@pytest.fixture(params=PATHS, autouse=True)
def path(request: pytest.FixtureRequest) -> str:
    """The unit-of-work path of this test (first: a skip costs no database)."""
    backend = request.node.callspec.params.get("migrated_url")
    if request.param == "offload" and backend != "sqlite":
        pytest.skip("offload is SQLite's database thread; PostgreSQL has one run path")
    return str(request.param)


@pytest.fixture
def unit(path: str, database: Database) -> Unit:
    return Unit(database, path)
