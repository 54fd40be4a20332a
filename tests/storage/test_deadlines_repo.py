"""The deadline repository on SQLite and PostgreSQL; region facts used to name regions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from flows.regions import ancestors_of, region_label, village_word, zone_abbreviation
from storage.db import Database
from storage.repos.outbox import NewMessage
from tests.storage.conftest import BUJUR_BARAT, MUTAR_ALAM, SRI_MENANTI, SUMBER_ALAM

DONE = ("verified", "updated", "not_found")


def _fields(now: dt.datetime, **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "Ekspor DTKS",
        "region_code": "18.04",
        "roles": ["operator", "peratin"],
        "due_at": now + dt.timedelta(days=12),
        "offsets": [7, 3, 1, 0],
        "remind_time": "08:00",
        "recurrence": None,
        "note": "",
    }
    fields.update(changes)
    return fields


async def test_add_update_cancel_and_list(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        first = await uow.deadlines.add(**_fields(now), created_by=None, now=now)
        monthly = await uow.deadlines.add(
            **_fields(now, region_code="18.04.19", recurrence={"freq": "monthly", "day": 17}),
            created_by=None,
            now=now - dt.timedelta(days=400),
        )
        old = await uow.deadlines.add(
            **_fields(now, due_at=now - dt.timedelta(days=30), region_code=BUJUR_BARAT),
            created_by=None,
            now=now,
        )
    later = now + dt.timedelta(hours=1)
    async with seeded.unit_of_work() as uow:
        revision = await uow.deadlines.update(
            first,
            **_fields(now, title="Ekspor DTKS akhir", offsets=[1]),
            now=later,
        )
        assert revision == 2
        assert await uow.deadlines.cancel(old, later)
        assert not await uow.deadlines.cancel(old, later)
        assert await uow.deadlines.update(old, **_fields(now), now=later) is None
        record = await uow.deadlines.get(first)
        assert await uow.deadlines.get(first, lock=True) == record  # FOR UPDATE on PostgreSQL
        active = await uow.deadlines.active(now - dt.timedelta(days=7))
        everything = await uow.deadlines.all(cancelled=True)
        village = await uow.deadlines.overlapping(SRI_MENANTI)
        elsewhere = await uow.deadlines.overlapping(BUJUR_BARAT, cancelled=True)
    assert record is not None
    assert (record.title, record.offsets, record.revision, record.updated_at) == (
        "Ekspor DTKS akhir",
        (1,),
        2,
        later,
    )
    assert record.roles == ("operator", "peratin") and record.active
    assert [d.id for d in active] == [first, monthly]  # the monthly one never ages out
    assert [d.id for d in everything] == [first, monthly, old]
    assert [d.id for d in village] == [first, monthly]  # kabupaten- and kecamatan-wide
    assert [(d.id, d.active) for d in elsewhere] == [(old, False)]


async def _person(
    db: Database, now: dt.datetime, role: str, region: str, consent: bool = True
) -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.create("x", now=now)
        await uow.people.assign_role(person, role, region, now)
        if consent:
            await uow.people.set_consent(person, "v1", now)
    return person


async def test_recipients_are_the_roles_whose_region_meets_the_deadline(
    seeded: Database, now: dt.datetime
) -> None:
    operator = await _person(seeded, now, "operator", SRI_MENANTI)
    peratin = await _person(seeded, now, "peratin", SUMBER_ALAM)
    other_village = await _person(seeded, now, "operator", MUTAR_ALAM)
    camat = await _person(seeded, now, "camat", "18.04.19")
    dinsos = await _person(seeded, now, "dinsos", "18.04")
    await _person(seeded, now, "operator", BUJUR_BARAT)  # another province
    await _person(seeded, now, "operator", SRI_MENANTI, consent=False)
    revoked = await _person(seeded, now, "operator", SRI_MENANTI)
    async with seeded.unit_of_work() as uow:
        await uow.people.revoke_role(revoked, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(camat, "peratin", SRI_MENANTI, now)  # a second role
        kecamatan = await uow.people.role_holders(["operator", "peratin", "camat"], "18.04.19")
        village = await uow.people.role_holders(["camat", "dinsos"], SRI_MENANTI)
        kabupaten = await uow.people.role_holders(["operator"], "18.04")
    assert [(r.person_id, r.role, r.region_code) for r in kecamatan] == [
        (operator, "operator", SRI_MENANTI),
        (peratin, "peratin", SUMBER_ALAM),
        (camat, "camat", "18.04.19"),
        (camat, "peratin", SRI_MENANTI),
    ]
    assert [(r.person_id, r.role) for r in village] == [(camat, "camat"), (dinsos, "dinsos")]
    assert [r.person_id for r in kabupaten] == [operator, other_village]


async def test_planned_reads_the_outbox_rows_of_one_occurrence(
    seeded: Database, now: dt.datetime
) -> None:
    person = await _person(seeded, now, "operator", SRI_MENANTI)
    names = [
        "deadline:1:2027-01:r1:T-7",
        "deadline:1:2027-01:r2:T-3",
        "deadline:1:2027-02:r2:T-7",
        "deadline:10:2027-01:r1:T-7",
        "deadline:1_2027-01:r1:T-7",  # "_" is taken literally, not as a LIKE wildcard
    ]
    async with seeded.unit_of_work() as uow:
        await uow.outbox.enqueue(
            [NewMessage(n, "deadline", person, [], expires_at=now) for n in names], now
        )
        planned = await uow.deadlines.planned("deadline:1:2027-01:")
    assert sorted((p.campaign, p.status, p.expires_at) for p in planned) == [
        ("deadline:1:2027-01:r1:T-7", "pending", now),
        ("deadline:1:2027-01:r2:T-3", "pending", now),
    ]


@pytest.mark.parametrize(
    ("code", "name", "kind", "label"),
    [
        ("18.04.19.2006", "Sri Menanti", "desa", "Pekon Sri Menanti"),
        ("18.04.07.1001", "Pajar Bulan", "kelurahan", "Kelurahan Pajar Bulan"),
        ("35.28.11.2001", "Bujur Barat", "desa", "Desa Bujur Barat"),
        ("18.04.19", "Air Hitam", "kecamatan", "Kec. Air Hitam"),
        ("18.04", "Lampung Barat", "kabupaten", "Kab. Lampung Barat"),
        ("18.72", "Metro", "kota", "Kota Metro"),
        ("18", "Lampung", "provinsi", "Provinsi Lampung"),
    ],
)
def test_region_labels(code: str, name: str, kind: str, label: str) -> None:
    assert region_label(code, name, kind) == label


def test_region_facts() -> None:
    assert village_word("18.13.01.2001", "desa") == "pekon"  # Pesisir Barat
    assert village_word("18.01.01.2001", "desa") == "desa"  # Lampung Selatan
    assert [zone_abbreviation(z) for z in ("Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")] == [
        "WIB",
        "WITA",
        "WIT",
    ]
    assert ancestors_of("18.04.19.2006") == ["18", "18.04", "18.04.19"]
    assert ancestors_of("18") == []
