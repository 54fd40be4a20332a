"""People: what only one path can show (the rest is in tests/storage/contract/test_people.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from storage.db import Database
from tests.storage.conftest import SRI_MENANTI


async def test_find_by_identity_is_one_query(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        await uow.people.add_identity(person_id, "whatsapp", "628123", "Siti", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(person_id, "peratin", SRI_MENANTI, now)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(seeded.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with seeded.unit_of_work() as uow:
            person = await uow.people.find_by_identity("whatsapp", "628123")
    finally:
        event.remove(seeded.engine.sync_engine, "before_cursor_execute", count)
    assert person is not None
    assert len(person.roles) == 2
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
