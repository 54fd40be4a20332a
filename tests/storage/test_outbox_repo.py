"""Outbox claims racing between processes (every other outbox test runs on each unit-of-work
path: tests/storage/contract/test_outbox.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

from storage.db import Database
from storage.repos.outbox import NewMessage
from tests.conftest import peers

LEASE = dt.timedelta(minutes=10)


async def _people(db: Database, now: dt.datetime, count: int) -> list[int]:
    async with db.unit_of_work() as uow:
        ids = []
        for i in range(count):
            person_id = await uow.people.create(f"Orang {i}", now=now)
            await uow.people.add_identity(person_id, "telegram", str(1000 + i), "", now)
            ids.append(person_id)
    return ids


def _message(campaign: str, person_id: int, **kw: object) -> NewMessage:
    return NewMessage(campaign, "reminder", person_id, [{"kind": "text", "text": "x"}], **kw)  # type: ignore[arg-type]


async def test_concurrent_claims_never_share_a_row(database: Database, now: dt.datetime) -> None:
    people = await _people(database, now, 5)
    async with database.unit_of_work() as uow:
        await uow.outbox.enqueue([_message(f"c{i}", people[i % 5]) for i in range(200)], now)
    async with peers(database, 4) as handles:

        async def take(db: Database, worker: str) -> list[int]:
            taken: list[int] = []
            while True:
                async with db.unit_of_work() as uow:
                    batch = await uow.outbox.claim(worker, now, 7, LEASE)
                if not batch:
                    return taken
                taken.extend(m.id for m in batch)

        results = await asyncio.gather(*(take(db, f"w/{i}") for i, db in enumerate(handles)))
    everything = [i for taken in results for i in taken]
    assert len(everything) == len(set(everything)) == 200
