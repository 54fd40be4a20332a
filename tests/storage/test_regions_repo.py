from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.records import RegionRecord
from tests.storage.conftest import REGIONS, SRI_MENANTI


async def test_get_and_count(seeded: Database) -> None:
    async with seeded.unit_of_work() as uow:
        assert await uow.regions.count() == len(REGIONS)
        assert await uow.regions.get(SRI_MENANTI) == RegionRecord(
            SRI_MENANTI, "Sri Menanti", 4, "desa", "18.04.19", "Asia/Jakarta"
        )
        assert await uow.regions.get("18.04.19.2999") is None


async def test_upsert_updates_an_existing_region(seeded: Database) -> None:
    async with seeded.unit_of_work() as uow:
        await uow.regions.get(SRI_MENANTI)
        await uow.regions.upsert(
            SRI_MENANTI, "Pekon Sri Menanti", 4, "desa", "18.04.19", "Asia/Jakarta"
        )
        region = await uow.regions.get(SRI_MENANTI)
        assert region is not None
        assert region.name == "Pekon Sri Menanti"
        assert await uow.regions.count() == len(REGIONS)


async def test_children_and_within(seeded: Database) -> None:
    async with seeded.unit_of_work() as uow:
        assert [r.code for r in await uow.regions.children("18.04")] == ["18.04.07", "18.04.19"]
        assert [r.code for r in await uow.regions.children("18")] == ["18.04"]
        assert await uow.regions.children(SRI_MENANTI) == []
        assert [r.code for r in await uow.regions.within("18.04.19")] == [
            "18.04.19",
            "18.04.19.2006",
            "18.04.19.2007",
        ]
        assert len(await uow.regions.within("35")) == 4
        # "18.0" is not a prefix of "18.04": codes match by whole parts only.
        with pytest.raises(ValueError, match="region code"):
            await uow.regions.within("18.0")
        assert [r.code for r in await uow.regions.within("18.04.07.2001")] == ["18.04.07.2001"]


async def test_parent_must_exist(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.regions.upsert("18.04", "Lampung Barat", 2, "kabupaten", "18", "Asia/Jakarta")
