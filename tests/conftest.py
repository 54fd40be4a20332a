"""Fixtures shared by every test folder: a real database per backend, a fixed clock value.

``db_url`` runs a test once on SQLite (a file in ``tmp_path``) and once on PostgreSQL when
``KAWAL_TEST_POSTGRES_URL`` is set (e.g. ``postgresql+asyncpg://postgres@127.0.0.1:5432/test``);
the PostgreSQL schema ``public`` is dropped and recreated first, so every test starts empty.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database
from storage.migrate import upgrade
from tests.log_guard import IdLeakHandler

POSTGRES_ENV = "KAWAL_TEST_POSTGRES_URL"


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


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per backend (PostgreSQL only when configured)."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (an asyncpg URL to a throwaway db)")
    await reset_postgres(url)
    return url


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    """A migrated, connected ``Database`` on each backend; disposed after the test."""
    await upgrade(db_url)
    async with Database(db_url) as db:
        yield db


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, connected ``Database`` on a SQLite file only."""
    url = sqlite_url(tmp_path)
    await upgrade(url)
    async with Database(url) as db:
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
