"""People, identities and roles (the access lifecycle of issue 15), on every path."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database, UnitOfWork
from storage.records import IdentityRef, PersonDetail, PersonSummary, RoleGrant, RoleRecord
from storage.repos.outbox import NewMessage
from tests.storage.conftest import BUJUR_BARAT, SRI_MENANTI
from tests.storage.contract.conftest import Unit


async def test_find_by_identity_unknown(seeded: Database, unit: Unit) -> None:
    assert await unit(lambda uow: uow.people.find_by_identity("telegram", "nobody")) is None


async def test_register_and_find(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    async def register(uow: UnitOfWork) -> tuple[int, int]:
        person_id = await uow.people.create("Siti Aminah", "id", now)
        identity_id = await uow.people.add_identity(person_id, "telegram", "1001", "Siti A", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(person_id, "camat", "18.04.19", now)
        await uow.people.assign_role(person_id, "operator", SRI_MENANTI, now)  # idempotent
        return person_id, identity_id

    person_id, identity_id = await unit(register)
    person = await unit(lambda uow: uow.people.find_by_identity("telegram", "1001"))
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


async def test_person_without_roles(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    async def work(uow: UnitOfWork) -> None:
        person_id = await uow.people.create("Tanpa Peran", now=now)
        await uow.people.add_identity(person_id, "console", "me", "", now)
        person = await uow.people.find_by_identity("console", "me")
        assert person is not None
        assert person.roles == ()
        assert person.lang == "id"

    await unit(work)


async def test_revoked_role_is_hidden_and_comes_back(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    later = now + dt.timedelta(days=1)

    async def work(uow: UnitOfWork) -> None:
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

    await unit(work)


async def test_consent_lang_name(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    async def change(uow: UnitOfWork) -> int:
        person_id = await uow.people.create("", "id", now)
        await uow.people.add_identity(person_id, "telegram", "5", "x", now)
        assert await uow.people.set_consent(person_id, "2026-11", now)
        assert await uow.people.set_lang(person_id, "en")
        assert await uow.people.set_name(person_id, "Budi Santoso")
        assert not await uow.people.set_lang(999, "en")
        return person_id

    person_id = await unit(change)

    async def check(uow: UnitOfWork) -> None:
        person = await uow.people.find_by_identity("telegram", "5")
        assert person is not None
        assert (person.consent_at, person.consent_version) == (now, "2026-11")
        assert (person.lang, person.name) == ("en", "Budi Santoso")
        assert await uow.people.withdraw_consent(person_id)
        person = await uow.people.find_by_identity("telegram", "5")
        assert person is not None
        assert person.consent_at is None

    await unit(check)


async def test_blocked_and_touch_inbound(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    later = now + dt.timedelta(hours=2)

    async def work(uow: UnitOfWork) -> None:
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

    await unit(work)


async def test_identity_is_unique_per_channel(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    async def two(uow: UnitOfWork) -> int:
        a = await uow.people.create("A", "id", now)
        b = await uow.people.create("B", "id", now)
        await uow.people.add_identity(a, "telegram", "1", "A", now)
        await uow.people.add_identity(b, "whatsapp", "1", "B", now)  # other channel: fine
        return b

    b = await unit(two)
    with pytest.raises(IntegrityError):
        await unit(lambda uow: uow.people.add_identity(b, "telegram", "1", "B", now))


async def test_list_people_and_identities(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    async def populate(uow: UnitOfWork) -> tuple[int, int]:
        a = await uow.people.create("Siti", "id", now)
        b = await uow.people.create("Budi", "en", now)
        await uow.people.add_identity(a, "telegram", "1", "Siti", now)
        await uow.people.add_identity(a, "whatsapp", "6281", "Siti", now)
        await uow.people.assign_role(a, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(b, "operator", BUJUR_BARAT, now)
        await uow.people.assign_role(b, "dinsos", "35.28", now)
        await uow.people.revoke_role(b, "dinsos", "35.28", now)
        return a, b

    a, b = await unit(populate)

    async def check(uow: UnitOfWork) -> None:
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

    await unit(check)


# ---- the access lifecycle (issue 15) -----------------------------------------------------


async def test_directory_by_region_with_paging(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    later = now + dt.timedelta(hours=2)

    async def work(uow: UnitOfWork) -> None:
        siti = await uow.people.create("siti", "id", now)
        budi = await uow.people.create("Budi", "id", now)
        ani = await uow.people.create("Ani", "id", now)
        gone = await uow.people.create("Gone", "id", now)
        await uow.people.assign_role(siti, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(siti, "operator", BUJUR_BARAT, now)
        await uow.people.assign_role(budi, "camat", "18.04.19", now)
        await uow.people.assign_role(ani, "operator", BUJUR_BARAT, now)
        await uow.people.assign_role(gone, "operator", SRI_MENANTI, now)
        telegram = await uow.people.add_identity(siti, "telegram", "1", "Siti", now)
        await uow.people.add_identity(siti, "whatsapp", "6281", "Siti", now)
        await uow.people.touch_inbound(telegram, later)
        await uow.people.revoke_all_roles(gone, now)
        await uow.people.remove(gone, now)

        total, found = await uow.people.directory()
        assert total == 3
        assert [p.name for p in found] == ["Ani", "Budi", "siti"]  # by name, any case
        assert found[2].channels == ("telegram", "whatsapp")
        assert found[2].last_seen == later
        assert found[2].roles == (
            RoleRecord("operator", SRI_MENANTI, "Sri Menanti"),
            RoleRecord("operator", BUJUR_BARAT, "Bujur Barat"),
        )
        assert (found[0].last_seen, found[0].channels) == (None, ())

        total, found = await uow.people.directory(["18.04"])
        assert total == 2
        assert [(p.name, p.roles) for p in found] == [
            ("Budi", (RoleRecord("camat", "18.04.19", "Air Hitam"),)),
            ("siti", (RoleRecord("operator", SRI_MENANTI, "Sri Menanti"),)),  # only 18.04's
        ]
        total, found = await uow.people.directory(["18.04", "35.28"], offset=1, limit=2)
        assert total == 3
        assert [p.name for p in found] == ["Budi", "siti"]

        total, found = await uow.people.directory(["18.04"], include_removed=True)
        assert [(p.name, p.removed_at, p.roles, p.channels) for p in found][-2] == (
            "Gone",
            now,
            (),
            (),
        )
        assert total == 3
        assert (await uow.people.directory(include_removed=True))[0] == 4

    await unit(work)


async def test_revoke_all_remove_and_detail(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    later = now + dt.timedelta(days=1)

    async def work(uow: UnitOfWork) -> tuple[int, PersonDetail | None]:
        person = await uow.people.create("Siti", "id", now)
        await uow.people.add_identity(person, "telegram", "1", "Siti", now)
        await uow.people.assign_role(person, "operator", SRI_MENANTI, now)
        await uow.people.assign_role(person, "peratin", SRI_MENANTI, now)
        assert await uow.people.revoke_role(person, "peratin", SRI_MENANTI, later)
        await uow.people.assign_role(person, "operator", SRI_MENANTI, later)  # held: no change
        assert await uow.people.revoke_all_roles(person, later) == [
            RoleRecord("operator", SRI_MENANTI, "Sri Menanti")
        ]
        assert await uow.people.revoke_all_roles(person, later) == []
        assert await uow.people.remove(person, later)
        assert not await uow.people.remove(person, later)  # once
        assert not await uow.people.remove(999, later)
        assert await uow.people.find_by_identity("telegram", "1") is None
        assert await uow.people.find_person_id("telegram", "1") == person  # switched off, known
        detail = await uow.people.detail(person)
        assert await uow.people.detail(999) is None
        return person, detail

    person, detail = await unit(work)
    assert detail is not None
    assert (detail.name, detail.removed_at, detail.consent_at) == ("Siti", later, None)
    assert detail.roles == (
        RoleGrant("operator", SRI_MENANTI, "Sri Menanti", now, later),
        RoleGrant("peratin", SRI_MENANTI, "Sri Menanti", now, later),
    )
    assert detail.active_roles == ()
    assert [(i.external_id, i.disabled_at) for i in detail.identities] == [("1", later)]

    # A role given again after it was revoked counts from then.
    again = later + dt.timedelta(days=1)

    async def give_again(uow: UnitOfWork) -> PersonDetail | None:
        await uow.people.assign_role(person, "peratin", SRI_MENANTI, again)
        return await uow.people.detail(person)

    detail = await unit(give_again)
    assert detail is not None
    assert detail.active_roles == (RoleGrant("peratin", SRI_MENANTI, "Sri Menanti", again, None),)


async def test_a_switched_off_identity_is_taken_over(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> tuple[int, int]:
        old = await uow.people.create("Old", "id", now)
        identity = await uow.people.add_identity(old, "whatsapp", "628123", "Old", now)
        await uow.people.touch_inbound(identity, now)
        await uow.outbox.enqueue(
            [NewMessage("ann:1", "announcement", old, [], identity_id=identity)], now
        )
        await uow.people.remove(old, now)
        new = await uow.people.create("New", "id", now)
        assert await uow.people.add_identity(new, "whatsapp", "628123", "New", now) == identity
        found = await uow.people.find_by_identity("whatsapp", "628123")
        [message] = await uow.outbox.for_person(old)
        assert await uow.people.identities_of(old) == []
        [taken] = await uow.people.identities_of(new)
        assert found is not None and found.person_id == new
        assert message.identity_id is None  # the old person's message no longer points at it
        assert (taken.display_name, taken.disabled_at, taken.last_inbound_at) == (
            "New",
            None,
            None,
        )
        return old, new

    old, _ = await unit(work)
    # An identity still in use is never taken over.
    with pytest.raises(IntegrityError):
        await unit(lambda uow: uow.people.add_identity(old, "whatsapp", "628123", "Old", now))


async def test_interrupt_open_sessions_of_a_region(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    later = now + dt.timedelta(minutes=1)
    state = {"stage": "pick", "offered": []}

    def started_for(region: str) -> dict[str, object]:
        return {"stage": "form", "engine": {"context": {"region_code": region}}}

    async def work(uow: UnitOfWork) -> None:
        person = await uow.people.create("Siti", "id", now)
        other = await uow.people.create("Budi", "id", now)
        here = await uow.households.add(SRI_MENANTI, "A", None, None, "", "", "", now=now)
        there = await uow.households.add(BUJUR_BARAT, "B", None, None, "", "", "", now=now)
        sessions = uow.sessions
        about_here = await sessions.create(person, "f", 1, here, {}, "telegram", now)
        about_there = await sessions.create(person, "f", 1, there, {}, "telegram", now)
        searching = await sessions.create(person, "f", 1, None, state, "telegram", now)
        proposal_here = await sessions.create(
            person, "f", 1, None, started_for(SRI_MENANTI), "telegram", now
        )
        proposal_there = await sessions.create(
            person, "f", 1, None, started_for(BUJUR_BARAT), "telegram", now, status="waiting"
        )
        done = await sessions.create(person, "f", 1, here, {}, "telegram", now, "completed")
        others = await sessions.create(other, "f", 1, here, {}, "telegram", now)

        assert await sessions.interrupt_open(person, later, "18.04.19") == 3
        closed = {about_here, searching, proposal_here}
        for session_id in (about_here, about_there, searching, proposal_here, proposal_there):
            record = await sessions.get(session_id)
            assert record is not None
            if session_id in closed:
                assert (record.status, record.updated_at) == ("interrupted", later)
            else:
                assert record.status in ("active", "waiting") and record.updated_at == now
        assert await sessions.interrupt_open(person, later) == 2  # the rest
        assert (await sessions.get(done)).status == "completed"  # type: ignore[union-attr]
        assert (await sessions.get(others)).status == "active"  # type: ignore[union-attr]
        assert await sessions.interrupt_open(person, later) == 0

    await unit(work)
