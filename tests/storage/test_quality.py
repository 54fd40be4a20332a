"""Data-quality queries on both backends: duplicate NIKs, NIK / answer mismatches, untouched."""

from __future__ import annotations

import datetime as dt

import pytest

from flows.ids import NIK_PLACEHOLDERS
from storage.db import Database, UnitOfWork
from tests.storage.conftest import BUJUR_BARAT, MUTAR_ALAM, SRI_MENANTI, SUMBER_ALAM

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)
PLACEHOLDERS = tuple(NIK_PLACEHOLDERS)

AGUS = "1804072704900258"  # man, 27-04-1990
LESTARI = "1804195405640159"  # woman: day 54 = 14, 14-05-1964
DARMAWAN = "1804191105130285"  # man, 11-05-2013
SITI = "1804196208850003"  # woman: 22-08-1985
BUDI = "3528110101800001"  # man, 01-01-1980 (Pamekasan)


async def _household(
    uow: UnitOfWork,
    region: str,
    head: str,
    members: list[tuple[str, str | None, str | None, dt.date | None]],
    at: dt.datetime = NOW,
) -> int:
    household = await uow.households.add(region, head, "1804191611200001", "X1", "", "", "", now=at)
    for position, (name, nik, sex, born) in enumerate(members, 1):
        await uow.households.add_member(household, position, name, nik, "anak", sex, born)
    return household


@pytest.fixture
async def quality_db(seeded: Database) -> Database:
    old = NOW - dt.timedelta(days=45)
    async with seeded.unit_of_work() as uow:
        await _household(
            uow,
            SRI_MENANTI,
            "Agus Hidayat",
            [
                ("Agus Hidayat", AGUS, "L", dt.date(1990, 4, 27)),  # also in Mutar Alam
                ("Lestari", LESTARI, "L", dt.date(1964, 5, 14)),  # sex disagrees
                ("Darmawan", DARMAWAN, "L", dt.date(2013, 5, 12)),  # day disagrees
                ("Bayi", "9999999999999995", "P", dt.date(2025, 3, 1)),  # placeholder
                ("Tanpa data", "1804191105130286", None, None),  # nothing to compare
            ],
        )
        await _household(
            uow,
            SUMBER_ALAM,
            "Siti",
            [
                ("Siti", SITI, "P", dt.date(1985, 8, 22)),  # all agree
                ("Anak", "9999999999999995", "L", dt.date(2020, 1, 1)),  # placeholder again
                ("Budi", BUDI, "L", dt.date(1980, 1, 1)),  # also in Pamekasan
            ],
            at=old,
        )
        await _household(uow, MUTAR_ALAM, "Agus H.", [("Agus H.", AGUS, "L", None)], at=old)
        await _household(
            uow,
            BUJUR_BARAT,
            "Budi",
            [
                ("Budi", BUDI, "L", dt.date(1980, 1, 1)),
                ("Ani", "3528114505900002", "L", dt.date(1990, 5, 5)),  # mismatch elsewhere
            ],
            at=old,
        )
    return seeded


async def test_duplicates_across_villages_and_provinces(quality_db: Database) -> None:
    async with quality_db.unit_of_work() as uow:
        found = await uow.quality.duplicate_niks("18.04", PLACEHOLDERS)
        kecamatan = await uow.quality.duplicate_niks("18.04.19", PLACEHOLDERS)
        everything = await uow.quality.duplicate_niks("18.04")
        pamekasan = await uow.quality.duplicate_niks("35.28", PLACEHOLDERS)
    assert [(f.nik, f.region_code, f.name) for f in found] == [
        (AGUS, "18.04.07.2001", "Agus H."),
        (AGUS, SRI_MENANTI, "Agus Hidayat"),
        (BUDI, SUMBER_ALAM, "Budi"),
        (BUDI, BUJUR_BARAT, "Budi"),  # the other province's record is listed too
    ]
    assert found[1].head_name == "Agus Hidayat" and found[1].status == "pending"
    assert {f.nik for f in kecamatan} == {AGUS, BUDI}  # held in Air Hitam, found anywhere
    assert "9999999999999995" in {f.nik for f in everything}  # only when not ignored
    assert {f.nik for f in pamekasan} == {BUDI}


async def test_mismatch_candidates_are_filtered_in_sql(quality_db: Database) -> None:
    async with quality_db.unit_of_work() as uow:
        found = await uow.quality.nik_mismatch_candidates("18.04", PLACEHOLDERS)
        elsewhere = await uow.quality.nik_mismatch_candidates("35", PLACEHOLDERS)
    assert [(f.name, f.nik) for f in found] == [("Lestari", LESTARI), ("Darmawan", DARMAWAN)]
    assert found[0].sex == "L" and found[1].birth_date == dt.date(2013, 5, 12)
    assert [f.name for f in elsewhere] == ["Ani"]


async def test_untouched_households(quality_db: Database) -> None:
    async with quality_db.unit_of_work() as uow:
        since = NOW - dt.timedelta(days=30)
        found = await uow.quality.untouched("18.04", since)
        none = await uow.quality.untouched("18.04", NOW - dt.timedelta(days=60))
        names = await uow.quality.region_names([SRI_MENANTI, BUJUR_BARAT])
    assert [(h.region_code, h.head_name) for h in found] == [  # oldest first, then by id
        (SUMBER_ALAM, "Siti"),
        (MUTAR_ALAM, "Agus H."),
    ]
    assert found[0].updated_at == NOW - dt.timedelta(days=45)
    assert none == []
    assert names["18.04.19"] == "Air Hitam" and names[BUJUR_BARAT] == "Bujur Barat"
    assert names["35.28"] == "Pamekasan"


async def test_untouched_per_village_and_capped(quality_db: Database) -> None:
    since = NOW - dt.timedelta(days=30)
    async with quality_db.unit_of_work() as uow:
        villages = await uow.quality.untouched_per_village("18", since)
        oldest = await uow.quality.untouched("18", since, limit=1)
    assert [(v.region_code, v.households) for v in villages] == [
        (MUTAR_ALAM, 1),
        (SUMBER_ALAM, 1),
    ]
    assert villages[0].oldest == NOW - dt.timedelta(days=45)
    assert villages[0].oldest.tzinfo is not None
    assert len(oldest) == 1
