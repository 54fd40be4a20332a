"""Storage test helpers: a database with a few real regions."""

from __future__ import annotations

import pytest

from flows.regions import kind_of, level_of, parent_of, timezone_for
from storage.db import Database

REGIONS = [
    ("18", "Lampung"),
    ("18.04", "Lampung Barat"),
    ("18.04.19", "Air Hitam"),
    ("18.04.19.2006", "Sri Menanti"),
    ("18.04.19.2007", "Sumber Alam"),
    ("18.04.07", "Way Tenong"),
    ("18.04.07.2001", "Mutar Alam"),
    ("35", "Jawa Timur"),
    ("35.28", "Pamekasan"),
    ("35.28.11", "Batumarmar"),
    ("35.28.11.2001", "Bujur Barat"),
]
SRI_MENANTI = "18.04.19.2006"
SUMBER_ALAM = "18.04.19.2007"
MUTAR_ALAM = "18.04.07.2001"
BUJUR_BARAT = "35.28.11.2001"


async def seed_regions(db: Database) -> None:
    async with db.unit_of_work() as uow:
        for code, name in REGIONS:
            await uow.regions.upsert(
                code, name, level_of(code), kind_of(code), parent_of(code), timezone_for(code)
            )


@pytest.fixture
async def seeded(database: Database) -> Database:
    """The migrated database of ``database`` with ``REGIONS`` loaded."""
    await seed_regions(database)
    return database
