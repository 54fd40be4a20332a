"""The inbound claim under concurrency: separate handles racing for one update (the claim on
each path: tests/storage/contract/test_inbound.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

from storage.db import Database
from tests.conftest import peers


async def test_concurrent_claims_let_exactly_one_through(
    database: Database, now: dt.datetime
) -> None:
    async def claim(db: Database, platform_id: str, barrier: asyncio.Barrier) -> bool:
        async with db.unit_of_work() as uow:
            await barrier.wait()
            return await uow.inbound.claim("whatsapp", platform_id, now)

    async with peers(database, 3) as handles:
        for n in range(5):
            barrier = asyncio.Barrier(3)
            results = await asyncio.gather(*(claim(db, f"wamid.{n}", barrier) for db in handles))
            assert sorted(results) == [False, False, True]


async def test_claim_released_by_a_rolled_back_competitor(
    database: Database, now: dt.datetime
) -> None:
    """A claim that is rolled back does not count: the next attempt may process the update."""
    first_claimed = asyncio.Event()
    second_started = asyncio.Event()

    async def first(database: Database) -> bool:
        try:
            async with database.unit_of_work() as uow:
                claimed = await uow.inbound.claim("telegram", "7", now)
                first_claimed.set()
                await second_started.wait()
                raise RuntimeError(f"crash after claim={claimed}")
        except RuntimeError:
            return False

    async def second(database: Database) -> bool:
        await first_claimed.wait()
        async with database.unit_of_work() as uow:
            second_started.set()
            return await uow.inbound.claim("telegram", "7", now)

    async with peers(database, 2) as (one, two):
        assert list(await asyncio.gather(first(one), second(two))) == [False, True]
    async with database.unit_of_work() as uow:
        assert not await uow.inbound.claim("telegram", "7", now)
