"""The inbound dedupe claim, on every path (concurrent claims: tests/storage/test_inbound.py)."""

from __future__ import annotations

import datetime as dt

from storage.db import Database, UnitOfWork
from tests.storage.contract.conftest import Unit


async def test_claim_is_idempotent(database: Database, unit: Unit, now: dt.datetime) -> None:
    async def first(uow: UnitOfWork) -> None:
        assert await uow.inbound.claim("telegram", "100", now)
        assert not await uow.inbound.claim("telegram", "100", now)
        assert await uow.inbound.claim("whatsapp", "100", now)  # other channel, other update

    async def again(uow: UnitOfWork) -> None:
        assert not await uow.inbound.claim("telegram", "100", now)
        assert not await uow.inbound.claim("whatsapp", "100", now)
        assert await uow.inbound.claim("telegram", "101", now)

    await unit(first)
    await unit(again)


async def test_prune(database: Database, unit: Unit, now: dt.datetime) -> None:
    async def claim(uow: UnitOfWork) -> None:
        assert await uow.inbound.claim("telegram", "old", now - dt.timedelta(days=3))
        assert await uow.inbound.claim("telegram", "new", now)

    async def prune(uow: UnitOfWork) -> None:
        assert await uow.inbound.prune(now - dt.timedelta(days=1)) == 1
        assert await uow.inbound.prune(now - dt.timedelta(days=1)) == 0
        assert await uow.inbound.claim("telegram", "old", now)
        assert not await uow.inbound.claim("telegram", "new", now)

    await unit(claim)
    await unit(prune)
