from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.records import IdentityRef, PersonSummary, RoleRecord
from tests.storage.conftest import BUJUR_BARAT, SRI_MENANTI


async def test_find_by_identity_unknown(seeded: Database) -> None:
    async with seeded.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", "nobody") is None


async def test_register_and_find(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("Siti Aminah", "id", now)
        identity_id = await uow.people.add_identity(person_id, "telegram", "1001", "Siti A", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(person_id, "camat", "18.04.19", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)  # idempotent
    async with seeded.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "1001")
    assert person is not None
    assert person.person_id == person_id
    assert person.identity_id == identity_id
    assert person.name == "Siti Aminah"
    assert person.lang == "id"
    assert person.consent_at is None
    assert person.consent_version is None
    assert person.blocked_at is None
    assert (person.channel, person.external_id) == ("telegram", "1001")
    assert person.roles == (
        RoleRecord("operator", SRI_MENANTI, "Sri Menanti"),
        RoleRecord("camat", "18.04.19", "Air Hitam"),
    )


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


async def test_person_without_roles(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("Tanpa Peran", now=now)
        await uow.people.add_identity(person_id, "console", "me", "", now)
        person = await uow.people.find_by_identity("console", "me")
    assert person is not None
    assert person.roles == ()
    assert person.lang == "id"


async def test_revoked_role_is_hidden_and_comes_back(seeded: Database, now: dt.datetime) -> None:
    later = now + dt.timedelta(days=1)
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        await uow.people.add_identity(person_id, "telegram", "7", "Siti", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        assert await uow.people.revoke_role(person_id, "operator", SRI_MENANTI, later)
        assert not await uow.people.revoke_role(person_id, "operator", SRI_MENANTI, later)
        person = await uow.people.find_by_identity("telegram", "7")
        assert person is not None
        assert person.roles == ()
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, later)
        person = await uow.people.find_by_identity("telegram", "7")
        assert person is not None
        assert [r.role for r in person.roles] == ["operator"]


async def test_consent_lang_name(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("", "id", now)
        await uow.people.add_identity(person_id, "telegram", "5", "x", now)
        assert await uow.people.set_consent(person_id, "2026-11", now)
        assert await uow.people.set_lang(person_id, "en")
        assert await uow.people.set_name(person_id, "Budi Santoso")
        assert not await uow.people.set_lang(999, "en")
    async with seeded.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "5")
        assert person is not None
        assert (person.consent_at, person.consent_version) == (now, "2026-11")
        assert (person.lang, person.name) == ("en", "Budi Santoso")
        assert await uow.people.withdraw_consent(person_id)
        person = await uow.people.find_by_identity("telegram", "5")
        assert person is not None
        assert person.consent_at is None


async def test_blocked_and_touch_inbound(seeded: Database, now: dt.datetime) -> None:
    later = now + dt.timedelta(hours=2)
    async with seeded.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        identity_id = await uow.people.add_identity(person_id, "telegram", "9", "Siti", now)
        assert await uow.people.mark_blocked("telegram", "9", now)
        assert not await uow.people.mark_blocked("telegram", "unknown", now)
        person = await uow.people.find_by_identity("telegram", "9")
        assert person is not None
        assert person.blocked_at == now
        assert await uow.people.touch_inbound(identity_id, later)
        person = await uow.people.find_by_identity("telegram", "9")
        assert person is not None
        assert person.blocked_at is None
        [identity] = await uow.people.identities_of(person_id)
        assert identity.last_inbound_at == later
        assert identity.blocked_at is None
        assert not await uow.people.touch_inbound(999, later)


async def test_identity_is_unique_per_channel(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        a = await uow.people.create("A", "id", now)
        b = await uow.people.create("B", "id", now)
        await uow.people.add_identity(a, "telegram", "1", "A", now)
        await uow.people.add_identity(b, "whatsapp", "1", "B", now)  # other channel: fine
    with pytest.raises(IntegrityError):
        async with seeded.unit_of_work() as uow:
            await uow.people.add_identity(b, "telegram", "1", "B", now)


async def test_list_people_and_identities(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        a = await uow.people.create("Siti", "id", now)
        b = await uow.people.create("Budi", "en", now)
        await uow.people.add_identity(a, "telegram", "1", "Siti", now)
        await uow.people.add_identity(a, "whatsapp", "6281", "Siti", now)
        await uow.people.assign_role(a, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(b, "operator", BUJUR_BARAT, now)
        await uow.people.assign_role(b, "dinsos", "35.28", now)
        await uow.people.revoke_role(b, "dinsos", "35.28", now)
    async with seeded.unit_of_work() as uow:
        assert await uow.people.list_people() == [
            PersonSummary(
                a,
                "Siti",
                (RoleRecord("operator", SRI_MENANTI, "Sri Menanti"),),
                (IdentityRef("telegram", "1"), IdentityRef("whatsapp", "6281")),
            ),
            PersonSummary(b, "Budi", (RoleRecord("operator", BUJUR_BARAT, "Bujur Barat"),), ()),
        ]
        identities = await uow.people.identities_of(a)
        assert [(i.channel, i.external_id, i.display_name) for i in identities] == [
            ("telegram", "1", "Siti"),
            ("whatsapp", "6281", "Siti"),
        ]
        assert await uow.people.identities_of(b) == []
