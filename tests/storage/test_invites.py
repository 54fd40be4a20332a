from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.records import InviteRecord
from tests.conftest import peers
from tests.storage.conftest import BUJUR_BARAT, SRI_MENANTI


async def test_create_get_redeem(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        await uow.invites.create("ABC123", "operator", SRI_MENANTI, None, now)
        assert await uow.invites.get("ABC123") == InviteRecord(
            "ABC123", "operator", SRI_MENANTI, None, now, None, 1, 0, None
        )
        redeemed = await uow.invites.redeem("ABC123", now)
        assert redeemed is not None
        assert (redeemed.role, redeemed.region_code, redeemed.uses) == ("operator", SRI_MENANTI, 1)
        assert await uow.invites.redeem("ABC123", now) is None  # used up
        assert await uow.invites.redeem("NOPE", now) is None
        assert await uow.invites.get("NOPE") is None
        invite = await uow.invites.get("ABC123")
        assert invite is not None
        assert invite.uses == 1


async def test_multi_use_expiry_and_revocation(seeded: Database, now: dt.datetime) -> None:
    expires = now + dt.timedelta(days=7)
    async with seeded.unit_of_work() as uow:
        creator = await uow.people.create("Dinsos", "id", now)
        await uow.invites.create("MULTI", "operator", SRI_MENANTI, creator, now, expires, 3)
        await uow.invites.create("GONE", "peratin", SRI_MENANTI, creator, now, max_uses=5)
        uses = [await uow.invites.redeem("MULTI", now) for _ in range(4)]
        assert [u.uses if u else None for u in uses] == [1, 2, 3, None]
        await uow.invites.create("LATE", "operator", SRI_MENANTI, creator, now, expires, 2)
        assert await uow.invites.redeem("LATE", expires) is None  # expiry is exclusive
        ok = await uow.invites.redeem("LATE", expires - dt.timedelta(seconds=1))
        assert ok is not None
        assert ok.created_by == creator
        assert ok.expires_at == expires
        assert await uow.invites.revoke("GONE", now)
        assert not await uow.invites.revoke("GONE", now)
        assert await uow.invites.redeem("GONE", now) is None
        gone = await uow.invites.get("GONE")
        assert gone is not None
        assert (gone.uses, gone.revoked_at) == (0, now)


async def test_max_uses_must_be_positive(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        with pytest.raises(ValueError, match="max_uses"):
            await uow.invites.create("ZERO", "operator", SRI_MENANTI, None, now, max_uses=0)


async def test_code_is_unique(seeded: Database, now: dt.datetime) -> None:
    with pytest.raises(IntegrityError):
        async with seeded.unit_of_work() as uow:
            await uow.invites.create("DUP", "operator", SRI_MENANTI, None, now)
            await uow.invites.create("DUP", "peratin", SRI_MENANTI, None, now)


async def test_redeem_rolled_back_gives_the_use_back(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        await uow.invites.create("ONCE", "operator", SRI_MENANTI, None, now)
    with pytest.raises(RuntimeError):
        async with seeded.unit_of_work() as uow:
            assert await uow.invites.redeem("ONCE", now) is not None
            raise RuntimeError("handler failed")
    async with seeded.unit_of_work() as uow:
        assert await uow.invites.redeem("ONCE", now) is not None


async def test_concurrent_redeems_of_a_single_use_code(seeded: Database, now: dt.datetime) -> None:
    rounds = 5
    async with seeded.unit_of_work() as uow:
        for n in range(rounds):
            await uow.invites.create(f"RACE{n}", "operator", SRI_MENANTI, None, now)

    async def redeem(db: Database, code: str, barrier: asyncio.Barrier) -> InviteRecord | None:
        async with db.unit_of_work() as uow:
            await barrier.wait()  # both transactions are open before either redeems
            return await uow.invites.redeem(code, now)

    async with peers(seeded, 2) as (one, two):
        for n in range(rounds):
            barrier = asyncio.Barrier(2)
            results = await asyncio.gather(
                redeem(one, f"RACE{n}", barrier), redeem(two, f"RACE{n}", barrier)
            )
            assert sum(r is not None for r in results) == 1
        async with seeded.unit_of_work() as uow:
            invite = await uow.invites.get(f"RACE{n}")
            assert invite is not None
            assert invite.uses == 1


async def test_second_redeem_waits_for_the_first_then_fails(
    seeded: Database, now: dt.datetime
) -> None:
    """The first transaction holds the use until it commits; the second then sees it used up."""
    async with seeded.unit_of_work() as uow:
        await uow.invites.create("HOLD", "operator", SRI_MENANTI, None, now)
    first_redeemed = asyncio.Event()
    second_started = asyncio.Event()

    async def first(db: Database) -> InviteRecord | None:
        async with db.unit_of_work() as uow:
            result = await uow.invites.redeem("HOLD", now)
            first_redeemed.set()
            await second_started.wait()
            return result

    async def second(db: Database) -> InviteRecord | None:
        await first_redeemed.wait()
        async with db.unit_of_work() as uow:
            second_started.set()
            return await uow.invites.redeem("HOLD", now)

    async with peers(seeded, 2) as (a, b):
        one, two = await asyncio.gather(first(a), second(b))
    assert one is not None
    assert two is None


async def test_list_usable_or_all_by_region(seeded: Database, now: dt.datetime) -> None:
    week = now + dt.timedelta(days=7)
    async with seeded.unit_of_work() as uow:
        create = uow.invites.create
        await create("OPEN", "operator", SRI_MENANTI, None, now, week)
        await create("FOREVER", "camat", "18.04.19", None, now - dt.timedelta(minutes=1))
        await create("FAR", "operator", BUJUR_BARAT, None, now + dt.timedelta(minutes=1))
        await create("USED", "operator", SRI_MENANTI, None, now)
        await uow.invites.redeem("USED", now)
        await create("EXPIRED", "operator", SRI_MENANTI, None, now, now)
        await create("REVOKED", "operator", SRI_MENANTI, None, now, week, 3)
        await uow.invites.revoke("REVOKED", now)

        def codes(found: list[InviteRecord]) -> list[str]:
            return [i.code for i in found]

        assert codes(await uow.invites.list(now)) == ["FAR", "OPEN", "FOREVER"]  # newest first
        assert codes(await uow.invites.list(now, ["18.04"])) == ["OPEN", "FOREVER"]
        assert codes(await uow.invites.list(now, ["18.04.19.2006"])) == ["OPEN"]
        assert codes(await uow.invites.list(week, ["18.04"])) == ["FOREVER"]  # OPEN expired
        assert codes(await uow.invites.list(now, ["18.04"], include_inactive=True)) == [
            "EXPIRED",
            "OPEN",
            "REVOKED",
            "USED",
            "FOREVER",
        ]
        assert codes(await uow.invites.list(now, ["35", "18.04.19"])) == ["FAR", "OPEN", "FOREVER"]
