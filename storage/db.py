"""The database handle and the unit of work.

    db = Database("sqlite+aiosqlite:///kawal-data/kawal.db")
    await db.connect()
    async with db.unit_of_work() as uow:      # one transaction: commit on exit, rollback on error
        if await uow.inbound.claim("telegram", "123", now):
            ...
    await db.dispose()

On SQLite every connection gets WAL, foreign keys, ``synchronous=NORMAL`` and a busy timeout, and
every transaction starts with ``BEGIN IMMEDIATE``: writers queue for the lock up front instead of
failing when a read transaction later tries to write.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from storage.repos.audit import AuditRepository
from storage.repos.deadlines import DeadlineRepository
from storage.repos.households import HouseholdRepository
from storage.repos.inbound import InboundRepository
from storage.repos.inbound_events import InboundEventRepository
from storage.repos.invites import InviteRepository
from storage.repos.outbox import OutboxRepository
from storage.repos.people import PeopleRepository
from storage.repos.problem_reports import ProblemReportRepository
from storage.repos.progress import ProgressRepository
from storage.repos.quality import QualityRepository
from storage.repos.regions import RegionRepository
from storage.repos.sessions import FormSessionRepository
from storage.repos.submissions import SubmissionRepository

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "Database", "UnitOfWork"]

SQLITE_BUSY_TIMEOUT_MS = 5000


class UnitOfWork:
    """One session and one transaction; the repositories share it and never commit."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session = session
        self.dialect = dialect
        self.regions = RegionRepository(session, dialect)
        self.people = PeopleRepository(session, dialect)
        self.invites = InviteRepository(session, dialect)
        self.households = HouseholdRepository(session, dialect)
        self.sessions = FormSessionRepository(session, dialect)
        self.submissions = SubmissionRepository(session, dialect)
        self.audit = AuditRepository(session, dialect)
        self.inbound = InboundRepository(session, dialect)
        self.problem_reports = ProblemReportRepository(session, dialect)
        self.inbound_events = InboundEventRepository(session, dialect)
        self.outbox = OutboxRepository(session, dialect)
        self.progress = ProgressRepository(session, dialect)
        self.quality = QualityRepository(session, dialect)
        self.deadlines = DeadlineRepository(session, dialect)

    async def flush(self) -> None:
        """Send pending ORM changes now (repositories write with statements, so rarely needed)."""
        await self.session.flush()


def _sqlite_on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the driver's own BEGIN is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
    finally:
        cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Engine and session factory for one database URL (async drivers: aiosqlite, asyncpg)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self.dialect: str = make_url(url).get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {self.dialect!r}: use sqlite or postgresql")
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        # SQLite has one writer: queue this process's units of work here, fairly and without
        # polling, instead of letting them race for the file lock (busy_timeout only covers
        # other processes then).
        self._sqlite_writer = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("Database is not connected: call connect() first")
        return self._engine

    async def connect(self) -> None:
        """Create the engine and check that the database answers."""
        if self._engine is not None:
            return
        engine = self._create_engine()
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except BaseException:
            await engine.dispose()
            raise
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    def _create_engine(self) -> AsyncEngine:
        options: dict[str, Any] = {"echo": self.echo}
        if self.dialect == "postgresql":
            options.update(pool_size=10, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)
            return create_async_engine(self.url, **options)
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            raise ValueError("use a SQLite file: an in-memory database is not shared")
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # Connections are cheap; WAL lets readers run beside the single writer.
        options.update(pool_size=5, max_overflow=5, pool_timeout=30)
        engine = create_async_engine(self.url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_on_begin)
        return engine

    async def dispose(self) -> None:
        engine, self._engine, self._sessions = self._engine, None, None
        if engine is not None:
            await engine.dispose()

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.dispose()

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        if self._sessions is None:
            raise RuntimeError("Database is not connected: call connect() first")
        if self._sqlite_writer is None:
            async with self._sessions() as session, session.begin():
                yield UnitOfWork(session, self.dialect)
            return
        async with self._sqlite_writer, self._sessions() as session, session.begin():
            yield UnitOfWork(session, self.dialect)
