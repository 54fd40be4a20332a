"""Generated data for the benchmarks and the fault tests.

The village register the load benchmark works on has one household per operator. Every
household has the same shape (head only, address, RT and RW filled in), so every operator walks
the same path through the verification form and gets the same number of replies.

:func:`add_recipients` creates many registered people at once (a broadcast's audience);
:func:`add_households` a large register of one village (an export's size and memory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert

from storage.db import UnitOfWork
from storage.models import Household, Identity, Member, Person, RoleAssignment

VILLAGE = "18.04.19.2006"  # Pekon Sri Menanti (demo data)
VILLAGE_NAME = "Sri Menanti"


@dataclass(frozen=True, slots=True)
class BenchHousehold:
    index: int
    head_name: str
    no_kk: str
    nik: str
    address: str = "Dusun Bench"
    rt: str = "001"
    rw: str = "002"
    sex: str = "L"
    birth_date: dt.date = dt.date(1980, 1, 1)


def household(index: int) -> BenchHousehold:
    """Household ``index``; its head's name is also the operator's search query."""
    return BenchHousehold(
        index=index,
        head_name=f"Keluarga Bench {index:05d}",
        no_kk=f"18041901{index:08d}",
        nik=f"18041971{index:08d}",
    )


async def add_recipients(
    uow: UnitOfWork,
    count: int,
    *,
    first_chat: int,
    villages: Sequence[str],
    now: dt.datetime,
    role: str = "operator",
    consent_version: str = "2026-11",
) -> None:
    """``count`` people who accepted the data notice, person *i* with the Telegram chat
    ``first_chat + i`` and ``role`` in ``villages[i % len(villages)]``: three bulk inserts
    (the repositories' one-by-one path takes minutes for 10,000 people)."""
    session = uow.session
    people = [
        {
            "name": f"Operator {i:05d}",
            "lang": "id",
            "consent_at": now,
            "consent_version": consent_version,
            "created_at": now,
        }
        for i in range(count)
    ]
    result = await session.execute(
        insert(Person).returning(Person.id, sort_by_parameter_order=True), people
    )
    ids = list(result.scalars())
    await session.execute(
        insert(Identity),
        [
            {
                "person_id": person_id,
                "channel": "telegram",
                "external_id": str(first_chat + i),
                "display_name": f"Operator {i:05d}",
                "created_at": now,
            }
            for i, person_id in enumerate(ids)
        ],
    )
    await session.execute(
        insert(RoleAssignment),
        [
            {
                "person_id": person_id,
                "role": role,
                "region_code": villages[i % len(villages)],
                "created_at": now,
            }
            for i, person_id in enumerate(ids)
        ],
    )


async def add_households(
    uow: UnitOfWork, count: int, *, region: str, now: dt.datetime, batch: int = 2000
) -> None:
    """``count`` imported households in ``region`` with ids 1 to ``count`` (an empty register)
    and two members each, by bulk inserts of ``batch`` households."""
    for start in range(0, count, batch):
        rows = [
            {
                "id": i + 1,
                "region_code": region,
                "id_dtks": f"{i:012d}",
                "no_kk": f"180419{i:010d}",
                "head_name": f"Kepala {i}",
                "address": "Dusun I",
                "rt": "001",
                "rw": "002",
                "status": "pending",
                "source": "import",
                "data": {"programmes": ["pkh"]},
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(start + batch, count))
        ]
        await uow.session.execute(insert(Household), rows)
        members = [
            {
                "household_id": row["id"],
                "position": p,
                "nik": f"1804{row['id']:010d}{p:02d}",
                "name": f"Anggota {row['id']}-{p}",
                "relation": "anak",
                "sex": "L",
                "birth_date": dt.date(2000, 1, 1),
                "presence": "tinggal",
                "data": {},
            }
            for row in rows
            for p in (1, 2)
        ]
        await uow.session.execute(insert(Member), members)
