"""Fixtures shared by every test folder: a real database per backend, a fixed clock value.

``db_url`` runs a test once on SQLite (a file in ``tmp_path``) and once on PostgreSQL when
``KAWAL_TEST_POSTGRES_URL`` is set (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``),
on an empty database; ``database`` / ``migrated_url`` start from a copy of a template migrated
once per run. On PostgreSQL the configured database is only connected to: the tests' databases
(``<name>_kawal_<worker>`` and its template) are made beside it, so its role needs CREATEDB.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database
from storage.migrate import upgrade, upgrade_sync
from tests.log_guard import IdLeakHandler

POSTGRES_ENV = "KAWAL_TEST_POSTGRES_URL"
UPDATE_GOLDENS_ENV = "KAWAL_UPDATE_GOLDENS"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help=f"rewrite the golden transcripts (tests/flows/testdata) from what the engine does "
        f"now (also {UPDATE_GOLDENS_ENV}=1); review the diff",
    )


# The longest tests (``pytest --durations=30``: processes killed and restarted, whole CLI runs,
# a 20k-household export) start first, so that with ``-n 2`` no worker is left with one of them
# at the end while the other idles. Order only: every test still runs.
RUN_FIRST = (
    "tests/faults/test_broadcast_crash.py",
    "tests/faults/test_crash.py",
    "tests/bot/test_dtks_end_to_end.py",
    "tests/handlers/registers/test_exporter.py::test_export_of_20k",
    "tests/faults/test_hostile_handlers.py",
    "tests/bot/test_console_chat.py",
    "tests/bot/test_chat_startup.py",
    "tests/channels/telegram/test_process.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        found = [i for i, prefix in enumerate(RUN_FIRST) if item.nodeid.startswith(prefix)]
        return found[0] if found else len(RUN_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.fixture(scope="session")
def update_goldens(pytestconfig: pytest.Config) -> bool:
    """Whether golden files are rewritten instead of compared."""
    return bool(pytestconfig.getoption("--update-goldens")) or os.environ.get(
        UPDATE_GOLDENS_ENV, ""
    ) not in ("", "0")


@pytest.fixture(scope="session", autouse=True)
def no_unmasked_ids_in_logs() -> Iterator[IdLeakHandler]:
    """Fails the run if any log record of the suite carried an unmasked NIK / No. KK."""
    guard = IdLeakHandler()
    root = logging.getLogger()
    level = root.level
    root.addHandler(guard)
    root.setLevel(min(level, logging.INFO))
    yield guard
    root.removeHandler(guard)
    root.setLevel(level)
    assert not guard.leaks, f"unmasked NIK/KK in {len(guard.leaks)} log records: {guard.leaks[:5]}"


@pytest.fixture(autouse=True)
def keep_root_logging() -> Iterator[None]:
    """Puts the root logger's handlers and level back after each test.

    ``kawal`` commands run in-process call ``setup_logging``, which replaces every root handler
    with one on the stream of that moment (a CliRunner's, closed right after): later tests would
    then lose pytest's capture and the NIK guard above, and print "Logging error" into their output.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


def sqlite_url(directory: Path) -> str:
    return f"sqlite+aiosqlite:///{directory / 'kawal.db'}"


async def reset_postgres(url: str) -> None:
    """Drop everything in schema ``public`` so the test starts from an empty database."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


# ---- templates: the migrations run once per test run, each test starts from a copy ----------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to the newest revision, once per run (copied for each test)."""
    directory = tmp_path_factory.mktemp("template")
    upgrade_sync(sqlite_url(directory))
    path = directory / "kawal.db"
    assert not path.with_name("kawal.db-wal").exists()  # closed: everything is in the file
    return path


def copy_sqlite_template(template: Path, directory: Path) -> str:
    """A migrated SQLite database in ``directory`` (a copy of the template): its URL."""
    shutil.copyfile(template, directory / "kawal.db")
    return sqlite_url(directory)


class PostgresDatabases:
    """Databases beside the configured one (which is only connected to, never changed): a
    template migrated once per run, and the test's own database, made again for every test by
    copying the template (``CREATE DATABASE ... TEMPLATE``: about 0.07 s, where dropping the
    schema and migrating took 0.3-1 s). Names carry the xdist worker, so workers never meet."""

    def __init__(self, url: str) -> None:
        self._admin = make_url(url)
        base = self._admin.database or "test"
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.template = f"{base}_kawal_template_{worker}"
        self.work = f"{base}_kawal_{worker}"
        self._template_ready = False

    def url_of(self, name: str) -> str:
        return self._admin.set(database=name).render_as_string(hide_password=False)

    async def _recreate(self, name: str, template: str) -> None:
        engine = create_async_engine(
            self._admin.render_as_string(hide_password=False),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
        )
        try:
            async with engine.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await connection.execute(
                    text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG')
                )
        finally:
            await engine.dispose()

    async def empty(self) -> str:
        """The test's database, empty (no tables): its URL."""
        await self._recreate(self.work, "template0")
        return self.url_of(self.work)

    async def migrated(self) -> str:
        """The test's database, migrated to the newest revision: its URL."""
        if not self._template_ready:
            await self._recreate(self.template, "template0")
            await upgrade(self.url_of(self.template))
            self._template_ready = True
        await self._recreate(self.work, self.template)
        return self.url_of(self.work)


@pytest.fixture(scope="session")
def postgres_databases() -> PostgresDatabases | None:
    url = os.environ.get(POSTGRES_ENV)
    return PostgresDatabases(url) if url else None


def _postgres(databases: PostgresDatabases | None) -> PostgresDatabases:
    if databases is None:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (an asyncpg URL to a throwaway db)")
    return databases


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    postgres_databases: PostgresDatabases | None,
) -> str:
    """An empty database URL, once per backend (PostgreSQL only when configured)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return await _postgres(postgres_databases).empty()


@pytest.fixture(params=["sqlite", "postgres"])
async def migrated_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_databases: PostgresDatabases | None,
) -> str:
    """A database URL migrated to the newest revision, once per backend (a copy of the run's
    template: the migrations themselves are tested in tests/storage/test_migrations.py)."""
    if request.param == "sqlite":
        return copy_sqlite_template(sqlite_template, tmp_path)
    return await _postgres(postgres_databases).migrated()


@pytest.fixture
async def database(migrated_url: str) -> AsyncIterator[Database]:
    """A migrated, connected ``Database`` on each backend; disposed after the test."""
    async with Database(migrated_url) as db:
        yield db


@pytest.fixture
async def sqlite_database(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Database]:
    """A migrated, connected ``Database`` on a SQLite file only."""
    async with Database(copy_sqlite_template(sqlite_template, tmp_path)) as db:
        yield db


@pytest.fixture
def now() -> dt.datetime:
    """A fixed, timezone-aware UTC instant (tests never read the clock)."""
    return dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)


@contextlib.asynccontextmanager
async def peers(database: Database, count: int) -> AsyncIterator[list[Database]]:
    """``count`` handles on the same database, like separate processes would have.

    On SQLite one handle queues its own units of work (single writer), so concurrency between
    transactions is only real across handles.
    """
    handles = [database]
    try:
        for _ in range(count - 1):
            other = Database(database.url)
            await other.connect()
            handles.append(other)
        yield handles
    finally:
        for other in handles[1:]:
            await other.dispose()
