"""Generated data for the benchmarks and the fault tests.

The village register the load benchmark works on has one household per operator. Every
household has the same shape (head only, address, RT and RW filled in), so every operator walks
the same path through the verification form and gets the same number of replies.

:func:`add_recipients` creates many registered people at once (a broadcast's audience).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert

from storage.db import UnitOfWork
from storage.models import Identity, Person, RoleAssignment

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
