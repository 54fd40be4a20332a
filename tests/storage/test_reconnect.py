"""PostgreSQL without a ping per checkout: pooled connections that the server ended (a restart,
``pg_terminate_backend``) are replaced at the unit's BEGIN, before any work ran on them."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import Database, UnitOfWork


async def _terminate_others(url: str) -> int:
    """End every other backend of the database, as a server restart would; how many."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            ended = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            await connection.commit()
    finally:
        await engine.dispose()
    return int(ended or 0)


async def _pooled(database: Database, count: int) -> None:
    """Leave ``count`` connections in the pool (several units at once)."""
    connections = [await database.engine.connect() for _ in range(count)]
    for connection in connections:
        await connection.execute(text("SELECT 1"))
    for connection in connections:
        await connection.close()


@pytest.fixture
async def pg(database: Database) -> Database:
    if database.dialect != "postgresql":
        pytest.skip("a PostgreSQL server to restart")
    return database


async def test_no_ping_per_checkout(pg: Database) -> None:
    assert not pg.engine.sync_engine.pool._pre_ping


async def test_run_survives_connections_ended_by_the_server(
    pg: Database, now: dt.datetime, caplog: pytest.LogCaptureFixture
) -> None:
    await _pooled(pg, 3)
    assert await _terminate_others(pg.url) >= 3

    async def work(uow: UnitOfWork) -> bool:
        return await uow.inbound.claim("telegram", "after-restart", now)

    with caplog.at_level(logging.WARNING, logger="storage.db"):
        assert await pg.run(work)
    assert "database connection lost" in caplog.text
    # the pool's other dead connections went with the first: the next units just work
    for n in range(3):

        async def next_one(uow: UnitOfWork, n: int = n) -> bool:
            return await uow.inbound.claim("telegram", f"next-{n}", now)

        assert await pg.run(next_one)
    async with pg.unit_of_work() as uow:
        assert await uow.inbound.seen("telegram", "after-restart")


async def test_unit_of_work_survives_connections_ended_by_the_server(
    pg: Database, now: dt.datetime
) -> None:
    await _pooled(pg, 2)
    assert await _terminate_others(pg.url) >= 2
    async with pg.unit_of_work() as uow:
        assert await uow.inbound.claim("telegram", "uow-after-restart", now)
    async with pg.unit_of_work() as uow:
        assert await uow.inbound.seen("telegram", "uow-after-restart")


async def test_a_connection_lost_during_the_work_is_not_run_again(
    pg: Database, now: dt.datetime
) -> None:
    """Only a dead connection found at BEGIN is replaced: once work ran, the error is the
    caller's (the update is not acknowledged; the platform sends it again)."""
    calls = 0

    async def work(uow: UnitOfWork) -> None:
        nonlocal calls
        calls += 1
        await uow.inbound.claim("telegram", "mid-work", now)
        await _terminate_others(pg.url)
        await uow.inbound.claim("telegram", "mid-work-2", now)

    with pytest.raises(DBAPIError):
        await pg.run(work)
    assert calls == 1
    async with pg.unit_of_work() as uow:  # nothing of it was kept; the next unit works
        assert not await uow.inbound.seen("telegram", "mid-work")
