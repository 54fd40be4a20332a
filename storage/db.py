"""The database handle and the unit of work.

    db = Database("sqlite+aiosqlite:///kawal-data/kawal.db")
    await db.connect()
    async with db.unit_of_work() as uow:      # one transaction: commit on exit, rollback on error
        if await uow.inbound.claim("telegram", "123", now):
            ...
    reply = await db.run(handle_update)       # the same, for ``async def handle_update(uow)``
    await db.dispose()

Two ways into one transaction:

- :meth:`Database.unit_of_work`, an async context manager around an ``AsyncSession`` (aiosqlite
  or asyncpg) for everyone: CLI, senders, imports, tests.
- :meth:`Database.run`, for the hot path (one inbound update): ``await run(work)`` runs
  ``async def work(uow)`` in one transaction with Core sessions (no ORM layer per statement, see
  :mod:`storage.repos._base`). On PostgreSQL it runs on an asyncpg ``AsyncConnection``, with
  BEGIN sent before ``work`` starts and no ping per checkout: a pooled connection the server
  ended meanwhile fails at that BEGIN and is replaced once (nothing ran on it yet). On
  SQLite it runs on a synchronous sqlite3 connection right in the event loop's thread: the
  repositories' ``await session.execute(...)`` complete without suspending (a statement takes
  tens of microseconds, less than a hop to another thread), so an update needs no thread hop,
  no greenlet and no GIL hand-over per statement (measured: a thread per statement, as
  aiosqlite does, or even one hop per update to a database thread, left throughput bound by
  GIL hand-overs between the two threads).

A third way, for long reads (an export of a whole region): :meth:`Database.read` runs
``work(uow)`` in a read-only transaction on a worker thread, with its own connection and event
loop, after the update's unit of work committed: it neither holds SQLite's writer lock nor
takes the event loop's thread, so the chat keeps answering meanwhile.

SQLite has one writer. In this process, every unit of work (both kinds) first takes the
database's writer lock, an ``asyncio.Lock``: fair, and nothing blocks the event loop while
waiting. Other processes are waited for off the event loop: the in-loop connection tries
``BEGIN IMMEDIATE`` without waiting, and when another process holds the lock the unit runs on
the database thread instead, whose connection waits up to ``busy_timeout``. That thread (with
its own connection and event loop) also runs units passed ``offload=True`` (long ones, such as
a register import, so the event loop keeps serving meanwhile). Every connection gets WAL,
foreign keys, ``synchronous=NORMAL`` and the busy timeout, and every transaction starts with
``BEGIN IMMEDIATE``: writers queue for the lock up front instead of failing when a read
transaction later tries to write. :meth:`~Database.run` returns only after the commit, so
nothing is acknowledged before it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, RootTransaction, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from storage.files import private_sqlite
from storage.repos._base import AsyncCoreSession, DbSession, SyncCoreSession
from storage.repos.acks import AckRepository
from storage.repos.announcements import AnnouncementRepository
from storage.repos.audit import AuditRepository
from storage.repos.deadlines import DeadlineRepository
from storage.repos.households import HouseholdRepository
from storage.repos.inbound import InboundRepository
from storage.repos.inbound_events import InboundEventRepository
from storage.repos.invites import InviteRepository
from storage.repos.outbox import OutboxRepository
from storage.repos.people import PeopleRepository
from storage.repos.privacy import PrivacyRepository
from storage.repos.problem_reports import ProblemReportRepository
from storage.repos.processing import ProcessingLogRepository
from storage.repos.progress import ProgressRepository
from storage.repos.quality import QualityRepository
from storage.repos.regions import RegionRepository
from storage.repos.sessions import FormSessionRepository
from storage.repos.subjects import SubjectRepository
from storage.repos.submissions import SubmissionRepository
from storage.repos.throttle import ThrottleRepository
from storage.repos.turns import TurnRepository
from storage.repos.web import WebRepository

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "Database", "UnitOfWork"]
SQLITE_BUSY_TIMEOUT_MS = 5000
T = TypeVar("T")
log = logging.getLogger(__name__)


class UnitOfWork:
    """One session and one transaction; the repositories share it and never commit."""

    def __init__(self, session: DbSession, dialect: str) -> None:
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
        self.acks = AckRepository(session, dialect)
        self.progress = ProgressRepository(session, dialect)
        self.quality = QualityRepository(session, dialect)
        self.deadlines = DeadlineRepository(session, dialect)
        self.announcements = AnnouncementRepository(session, dialect)
        self.throttle = ThrottleRepository(session, dialect)
        self.processing = ProcessingLogRepository(session, dialect)
        self.subjects = SubjectRepository(session, dialect)
        self.privacy = PrivacyRepository(session, dialect)
        self.turns = TurnRepository(session, dialect, self.inbound, self.people, self.sessions)

        self.web = WebRepository(session, dialect)

    async def flush(self) -> None:
        """Send pending ORM changes now (repositories write with statements, so rarely needed)."""
        await self.session.flush()


Work = Callable[[UnitOfWork], Awaitable[T]]


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


def _sqlite_events(engine: Engine) -> None:
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)


def _no_waiting(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # The event loop's connection never sleeps in SQLite's busy handler: a unit that finds the
    # lock taken by another process goes to the database thread, which may wait.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=0")
    finally:
        cursor.close()


def _read_only(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA query_only=ON")
    finally:
        cursor.close()


def _sqlite_on_begin_read(connection: Connection) -> None:
    # A deferred BEGIN: the snapshot starts at the first read; no writer lock is taken.
    connection.exec_driver_sql("BEGIN")


def _is_busy(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlite_errorname", "") in {"SQLITE_BUSY", "SQLITE_LOCKED"}


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
        self._inline: _InlineSqlite | None = None
        self._thread: _SqliteThread | None = None
        self._reader: Engine | None = None  # SQLite: read-only connections for Database.read

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("Database is not connected: call connect() first")
        return self._engine

    async def connect(self) -> None:
        """Create the engine (on SQLite also the in-loop connection and the database thread)
        and check that the database answers."""
        if self._engine is not None:
            return
        engine = self._create_engine()
        inline: _InlineSqlite | None = None
        thread: _SqliteThread | None = None
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            if self.dialect == "sqlite":
                inline = _InlineSqlite(self._sync_engine(waits=False))
                thread = _SqliteThread(self._sync_engine(waits=True))
                await thread.start()
        except BaseException:
            if inline is not None:
                inline.close()
            await engine.dispose()
            raise
        self._engine = engine
        self._inline, self._thread = inline, thread
        if self.dialect == "sqlite":
            self._reader = self._sqlite_reader()
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    def _sqlite_path(self) -> Path:
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            raise ValueError("use a SQLite file: an in-memory database is not shared")
        return Path(database).expanduser()

    def _create_engine(self) -> AsyncEngine:
        # Statements in logs and error messages never carry their values (names, NIK, ...).
        options: dict[str, Any] = {"echo": self.echo, "hide_parameters": True}
        if self.dialect == "postgresql":
            # No ping per checkout (three round trips: BEGIN, ";", ROLLBACK): a connection
            # that died meanwhile (a restarted server) fails at the unit's BEGIN, which is sent
            # first (:func:`_begin_now`), before any work: the unit is run again once on a new
            # connection (see :meth:`Database.run`). Connections are renewed after 30 minutes.
            options.update(pool_size=10, max_overflow=10, pool_recycle=1800)
            engine = create_async_engine(self.url, **options)
            _begin_now(engine.sync_engine.dialect)
            return engine
        # Created 0600 before SQLite opens it: its WAL and SHM files take its mode.
        private_sqlite(self._sqlite_path())
        # Connections are cheap; WAL lets readers run beside the single writer.
        options.update(pool_size=5, max_overflow=5, pool_timeout=30)
        engine = create_async_engine(self.url, **options)
        _sqlite_events(engine.sync_engine)
        return engine

    def _sync_engine(self, *, waits: bool) -> Engine:
        """An engine of one connection with the standard library's sqlite3, same file."""
        url = make_url(self.url).set(drivername="sqlite")
        engine = create_engine(
            url, echo=self.echo, hide_parameters=True, pool_size=1, max_overflow=0
        )
        _sqlite_events(engine)
        if not waits:
            event.listen(engine, "connect", _no_waiting)
        return engine

    def _sqlite_reader(self) -> Engine:
        """Read-only connections to the same file, one per :meth:`read` (opened in its
        thread): ``query_only``, and a deferred BEGIN (a snapshot, no writer lock)."""
        url = make_url(self.url).set(drivername="sqlite")
        engine = create_engine(url, echo=self.echo, hide_parameters=True, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "connect", _read_only)
        event.listen(engine, "begin", _sqlite_on_begin_read)
        return engine

    async def dispose(self) -> None:
        self._reader = None  # NullPool: a read still running closes its own connection
        engine, self._engine, self._sessions = self._engine, None, None
        inline, self._inline = self._inline, None
        thread, self._thread = self._thread, None
        try:
            if thread is not None:
                await thread.stop()
        finally:
            if inline is not None:
                inline.close()
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
            session = await _session_in_transaction(self._sessions)
            try:
                yield UnitOfWork(session, self.dialect)
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()
            finally:
                await session.close()
            return
        async with self._sqlite_writer, self._sessions() as session, session.begin():
            yield UnitOfWork(session, self.dialect)

    async def run(self, work: Work[T], *, offload: bool = False) -> T:
        """``await work(uow)`` in one transaction: committed before this returns, rolled back
        if ``work`` raises.

        On SQLite ``work`` runs on a synchronous connection: in the caller's thread, or with
        ``offload`` (or while another process holds the write lock) on the database thread, in
        that thread's event loop; then it must not use the caller's loop (its futures, tasks,
        locks or network clients). ``work`` must not start another unit of work."""
        if self._sessions is None or self._engine is None:
            raise RuntimeError("Database is not connected: call connect() first")
        if self._sqlite_writer is None:
            async with _connection_in_transaction(self._engine) as connection:
                session = AsyncCoreSession(connection)
                await session.start()
                try:
                    result = await work(UnitOfWork(session, self.dialect))
                    await session.finish()
                finally:
                    await session.close()
                return result
        inline, thread = self._inline, self._thread
        if inline is None or thread is None:
            raise RuntimeError("Database is not connected: call connect() first")
        async with self._sqlite_writer:
            transaction = None if offload else inline.try_begin()
            if transaction is None:
                return await thread.run(work)
            return await _complete(inline.connection, transaction, work)

    async def read(self, work: Work[T]) -> T:
        """``await work(uow)`` in a read-only transaction (one consistent snapshot) on a worker
        thread, and what it returns.

        For long reads, such as an export of a whole region: they hold no writer lock (on
        SQLite the update's units of work go on beside them) and use neither the caller's
        thread nor its event loop. ``work`` runs in the worker thread's own event loop, so
        it must not use the caller's loop (futures, tasks, locks), and it cannot write."""
        if self._engine is None:
            raise RuntimeError("Database is not connected: call connect() first")
        if self.dialect == "sqlite":
            reader = self._reader
            if reader is None:
                raise RuntimeError("Database is not connected: call connect() first")
            return await asyncio.to_thread(lambda: asyncio.run(_read_sqlite(reader, work)))
        url, echo = self.url, self.echo
        return await asyncio.to_thread(lambda: asyncio.run(_read_postgresql(url, echo, work)))


def _begin_now(dialect: Dialect) -> None:
    """Make ``connection.begin()`` send BEGIN at once on asyncpg (SQLAlchemy's adapter sends it
    with the first statement). No extra round trip: the BEGIN goes anyway. But a connection
    that died while in the pool (a restarted server, a cut network) now fails at the begin,
    before the unit of work ran anything, where it is safe to take another connection."""

    def do_begin(dbapi_connection: Any) -> None:
        dbapi_connection.await_(dbapi_connection._start_transaction())

    dialect.do_begin = do_begin  # type: ignore[method-assign]  # one engine's dialect


def _is_stale(error: DBAPIError) -> bool:
    """The pooled connection was dead (SQLAlchemy invalidated it and the pool's older ones)."""
    return bool(error.connection_invalidated)


@asynccontextmanager
async def _connection_in_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection with its transaction begun (BEGIN sent), committed when the block ends,
    rolled back if it raises. A connection found dead at BEGIN is replaced once."""
    for attempt in range(2):
        connection = await engine.connect()
        try:
            transaction = await connection.begin()
        except DBAPIError as error:
            await connection.close()
            if attempt or not _is_stale(error):
                raise
            log.warning("database connection lost; the unit of work takes a new one")
            continue
        try:
            yield connection
        except BaseException:
            await transaction.rollback()
            raise
        else:
            await transaction.commit()
        finally:
            await connection.close()
        return


async def _session_in_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncSession:
    """A session with a connection checked out and BEGIN sent; a connection found dead at
    BEGIN is replaced once (nothing ran on it yet)."""
    for attempt in range(2):
        session = sessions()
        try:
            await session.begin()
            await session.connection()
        except BaseException as error:
            await session.close()
            if attempt or not isinstance(error, DBAPIError) or not _is_stale(error):
                raise
            log.warning("database connection lost; the unit of work takes a new one")
            continue
        return session
    raise AssertionError("unreachable")


async def _read_sqlite(engine: Engine, work: Work[T]) -> T:
    with engine.connect() as connection:
        transaction = connection.begin()
        session = SyncCoreSession(connection)
        try:
            return await work(UnitOfWork(session, "sqlite"))
        finally:
            await session.close()
            transaction.rollback()


async def _read_postgresql(url: str, echo: bool, work: Work[T]) -> T:
    # asyncpg's connections belong to one event loop: this thread's loop gets its own.
    engine = create_async_engine(url, echo=echo, hide_parameters=True, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            reading = await connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            transaction = await reading.begin()
            session = AsyncCoreSession(reading)
            try:
                return await work(UnitOfWork(session, "postgresql"))
            finally:
                await session.close()
                await transaction.rollback()
    finally:
        await engine.dispose()


async def _complete(connection: Connection, transaction: RootTransaction, work: Work[T]) -> T:
    """Run ``work`` in ``transaction`` (begun on ``connection``), then commit or roll back."""
    session = SyncCoreSession(connection)
    try:
        result = await work(UnitOfWork(session, "sqlite"))
        await session.finish()
        transaction.commit()
    except BaseException:
        with contextlib.suppress(Exception):  # the error that got us here matters more
            transaction.rollback()
        raise
    finally:
        await session.close()
    return result


class _InlineSqlite:
    """The SQLite connection used in the event loop's thread (it never waits for the lock)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self.connection = engine.connect()

    def try_begin(self) -> RootTransaction | None:
        """``BEGIN IMMEDIATE`` now, or None when another process holds the write lock."""
        try:
            return self.connection.begin()
        except OperationalError as error:
            if _is_busy(error):
                return None
            raise

    def close(self) -> None:
        try:
            self.connection.close()
        finally:
            self._engine.dispose()


class _SqliteThread:
    """A thread with its own SQLite connection and event loop, for units of work that must not
    run in the caller's thread: long ones, and those that have to wait for another process.

    The caller holds the database's writer lock while a unit runs here, so there is one at a
    time; the thread's loop runs nothing else."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="kawal-sqlite", daemon=True)
        self._connection: Connection | None = None
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._closing = False

    async def start(self) -> None:
        self._thread.start()
        try:
            await asyncio.wrap_future(self._ready)
        except BaseException:
            await asyncio.to_thread(self._thread.join)
            raise

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._connection = self._engine.connect()
        except BaseException as error:
            self._ready.set_exception(error)
            self._close()
            return
        self._ready.set_result(None)
        try:
            self._loop.run_forever()
        finally:
            self._close()

    def _close(self) -> None:
        try:
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            if self._connection is not None:
                self._connection.close()
            self._engine.dispose()
        finally:
            self._loop.close()

    async def run(self, work: Work[T]) -> T:
        if self._closing:
            raise RuntimeError("Database is not connected: call connect() first")
        if threading.current_thread() is self._thread:
            raise RuntimeError("a unit of work cannot start inside another one")
        job = asyncio.run_coroutine_threadsafe(self._unit(work), self._loop)
        return await asyncio.wrap_future(job)

    async def _unit(self, work: Work[T]) -> T:
        connection = self._connection
        if connection is None:
            raise RuntimeError("the database thread has no connection")
        return await _complete(connection, connection.begin(), work)

    async def stop(self) -> None:
        """Stop the thread (the caller's units of work have ended: it holds no job)."""
        if self._closing:
            return
        self._closing = True
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            await asyncio.to_thread(self._thread.join)
