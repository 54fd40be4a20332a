"""Race tests on PostgreSQL: hold one transaction open at a chosen point and let another run
until it finishes or waits for a row lock, then let the first go on.

    async with LockWatch(database) as watch:
        ...  # transaction A reached its barrier and waits on an asyncio.Event
        other = asyncio.ensure_future(transaction_b())
        finished = await watch.until_done_or_blocked(other)  # False: B waits for A's lock
        barrier.set()

:class:`HeldClaims` does this to the outbox sender: every claim that took rows keeps its
transaction (and its row locks) open until another claim has run, so two senders really claim
at the same time.

Nothing sleeps: the watch asks ``pg_stat_activity`` again each time the event loop comes
back to it, so B runs meanwhile. SQLite has one writer at a time, so two transactions there
never interleave: these tests are for PostgreSQL only.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Self

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database
from storage.repos.outbox import ClaimedMessage, OutboxRepository

_WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
    "AND pid <> pg_backend_pid()"
)
_MAX_POLLS = 50_000  # a few seconds of polling: far more than any round here takes


def postgres_only(database: Database) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time: two transactions cannot interleave there")


class LockWatch:
    """A connection of its own that sees whether another backend waits for a lock."""

    def __init__(self, database: Database) -> None:
        self._url = database.url
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        self._engine = create_async_engine(self._url, poolclass=NullPool)
        self._connection = await self._engine.connect()
        await self._connection.execution_options(isolation_level="AUTOCOMMIT")
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._engine is not None:
            await self._engine.dispose()

    async def waiting(self) -> int:
        """How many other backends of this database wait for a lock right now."""
        assert self._connection is not None
        return int((await self._connection.execute(_WAITING)).scalar_one())

    async def until_done_or_blocked(self, *tasks: asyncio.Future[Any]) -> bool:
        """True as soon as one of ``tasks`` is done, False as soon as a backend waits for a
        lock (the task is then stuck behind the transaction held open)."""
        for _ in range(_MAX_POLLS):
            if any(task.done() for task in tasks):
                return True
            if await self.waiting():
                return False
        raise AssertionError("neither finished nor waited for a lock")


class HeldClaims:
    """Patches ``OutboxRepository.claim``: a claim that took rows returns only once another
    claim has returned meanwhile (it ran while this one's transaction was open: with ``FOR
    UPDATE SKIP LOCKED`` it skipped these rows), once a backend waits for a lock (a claim
    without the row lock waits for these rows, then takes them again), or :meth:`poke`.

        holds = HeldClaims(watch, monkeypatch)
        ...  # two senders drain the outbox
        assert holds.overlapped  # claims really ran side by side
    """

    def __init__(self, watch: LockWatch, monkeypatch: pytest.MonkeyPatch) -> None:
        self.watch = watch
        self.returned = 0  # claims returned
        self.pokes = 0
        self.overlapped = 0  # holds released because another claim returned meanwhile
        original = OutboxRepository.claim
        holds = self

        async def claim(
            repo: OutboxRepository, worker: str, now: Any, limit: int, lease: Any
        ) -> list[ClaimedMessage]:
            rows = await original(repo, worker, now, limit, lease)
            holds.returned += 1
            if rows:
                await holds._hold(holds.returned, holds.pokes)
            return rows

        monkeypatch.setattr(OutboxRepository, "claim", claim)

    def poke(self) -> None:
        """Release the claim held now (its peer has finished and will not claim again)."""
        self.pokes += 1

    async def _hold(self, returned: int, pokes: int) -> None:
        for _ in range(_MAX_POLLS):
            if self.returned > returned:
                self.overlapped += 1
                return
            if self.pokes > pokes or await self.watch.waiting():
                return
        raise AssertionError("a held claim was never released")
