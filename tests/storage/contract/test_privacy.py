"""Issue 18 in storage, on every path: closed forms drop their household copy, the processing
log, restricted households, erasing and deleting a person, received files still needed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from storage.db import UnitOfWork
from storage.models import Household
from storage.repos.outbox import NewMessage
from tests.storage.conftest import SRI_MENANTI
from tests.storage.contract.conftest import Unit

NIK = "1804072704900258"
KK = "1804071201150003"
HOUSEHOLD_COPY = {"head_name": "Budi", "members": [{"name": "Budi", "nik": NIK}]}


def _state(region: str = SRI_MENANTI) -> dict[str, Any]:
    context = {"record": HOUSEHOLD_COPY, "region_code": region, "household_id": 1}
    return {
        "stage": "form",
        "engine": {"context": context, "answers": {"rt": "001"}},
        "looked_up": [NIK],
    }


def _dropped(state: dict[str, Any]) -> bool:
    """The copy and the looked-up numbers are gone; the rest is as it was."""
    expected = _state()
    del expected["looked_up"]
    del expected["engine"]["context"]["record"]
    return state == expected


async def test_every_close_drops_the_household_copy(
    seeded: object, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> list[bool]:
        person = await uow.people.create("Operator", "id", now)
        ids = [
            await uow.sessions.create(person, "f", 1, None, _state(), "telegram", now)
            for _ in range(6)
        ]
        old = now - dt.timedelta(days=30)
        idle = await uow.sessions.create(person, "f", 1, None, _state(), "telegram", old)
        later = now + dt.timedelta(minutes=1)
        await uow.sessions.save(ids[0], "cancelled", _state(), "telegram", later)
        await uow.sessions.save(ids[1], "errored", _state(), "telegram", later)
        await uow.sessions.save(ids[2], "active", _state(), "telegram", later)  # still open
        await uow.sessions.finish(ids[3], "completed", "telegram", later)
        await uow.sessions.expire_idle(now - dt.timedelta(days=14), later)
        closed = await uow.sessions.interrupt_open(person, later, SRI_MENANTI)
        assert closed == 3  # ids 2, 4 and 5 (the idle one expired)
        states = [await uow.sessions.get(i) for i in (*ids, idle)]
        return [_dropped(s.state) if s else False for s in states]

    assert await unit(work) == [True, True, True, True, True, True, True]


async def test_an_open_form_keeps_its_copy(seeded: object, unit: Unit, now: dt.datetime) -> None:
    async def work(uow: UnitOfWork) -> dict[str, Any] | None:
        person = await uow.people.create("Operator", "id", now)
        sid = await uow.sessions.create(person, "f", 1, None, _state(), "telegram", now)
        await uow.sessions.save(sid, "waiting", _state(), "telegram", now)
        found = await uow.sessions.get(sid)
        return found.state if found else None

    assert await unit(work) == _state()


async def _household(uow: UnitOfWork, now: dt.datetime) -> int:
    household = await uow.households.add(SRI_MENANTI, "Budi", KK, None, "", "1", "2", now=now)
    await uow.households.add_member(household, 1, "Budi", NIK, "kepala", "L", None)
    return household


async def test_restricted_households_are_left_out_but_found_by_nik(
    seeded: object, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        household = await _household(uow, now)
        [found] = await uow.subjects.households_of(NIK)
        assert (found.id, found.restricted_at) == (household, None)
        assert [h.id for h in await uow.subjects.households_of(KK)] == [household]
        assert await uow.subjects.restrict([household], 7, now) == 1
        assert await uow.subjects.restrict([household], 7, now) == 0  # already
        assert await uow.households.search(SRI_MENANTI, NIK) == []
        assert await uow.households.search(SRI_MENANTI, "budi") == []
        assert await uow.households.pending(SRI_MENANTI, 0, 10) == []
        assert (await uow.households.count_by_status(SRI_MENANTI))["pending"] == 0
        region = await uow.progress.region(SRI_MENANTI)
        assert region is not None and region.total.register == 0
        restricted = await uow.subjects.get(household)
        assert restricted is not None and restricted.restricted_at == now
        assert await uow.subjects.unrestrict([household]) == 1
        assert [h.id for h in await uow.households.search(SRI_MENANTI, NIK)] == [household]

    await unit(work)


async def test_the_processing_log(seeded: object, unit: Unit, now: dt.datetime) -> None:
    later = now + dt.timedelta(hours=1)

    async def work(uow: UnitOfWork) -> None:
        household = await _household(uow, now)
        person = await uow.people.create("Bu Rina", "id", now)
        log = uow.processing
        await log.add("view", now, by=person, channel="telegram", household_id=household)
        await log.add("export", later, by=None, channel="cli", region_code="18.04")
        await log.add("export", later, by=person, channel="telegram", region_code="18.04.07")
        await log.add(
            "export", now - dt.timedelta(days=1), by=None, channel="cli", region_code="18"
        )
        await log.add("erase", later, by=person, channel="whatsapp", subject_person_id=person)
        [viewed] = await log.for_households([household])
        assert (viewed.action, viewed.person_id, viewed.channel) == ("view", person, "telegram")
        covering = await log.exports_covering(SRI_MENANTI, now)
        assert [(e.region_code, e.channel) for e in covering] == [("18.04", "cli")]
        assert [e.action for e in await log.about_person(person)] == ["erase"]
        assert await log.count_by(person) == {"view": 1, "export": 1, "erase": 1}

    await unit(work)


async def test_erasing_keeps_the_records_and_deleting_needs_none(
    seeded: object, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        saver = await uow.people.create("Siti Aminah", "id", now)
        await uow.people.add_identity(saver, "whatsapp", "6281234567890", "Siti", now)
        await uow.people.set_consent(saver, "2026-11", now)
        household = await _household(uow, now)
        await uow.submissions.add(
            None, saver, "whatsapp", "f", 1, household, SRI_MENANTI, {}, [], now
        )
        assert not await uow.privacy.delete_pending(saver)  # consented, and records name her
        held = await uow.privacy.holdings(saver)
        assert (held.submissions, held.households, held.reports) == (1, 1, 0)
        assert await uow.privacy.erase(saver, "Pengguna #1", now) == 1
        detail = await uow.people.detail(saver)
        assert detail is not None
        assert (detail.name, detail.consent_at, detail.identities) == ("Pengguna #1", None, ())
        assert detail.removed_at == now
        assert await uow.people.find_person_id("whatsapp", "6281234567890") is None
        [change] = await uow.subjects.changes_of([household])
        assert change.person_name == "Pengguna #1"

        pending = await uow.people.create("Tamu", "id", now)
        await uow.people.add_identity(pending, "telegram", "555", "Tamu", now)
        await uow.people.assign_role(pending, "operator", SRI_MENANTI, now)
        assert await uow.privacy.delete_pending(pending)
        assert await uow.people.detail(pending) is None
        assert await uow.people.find_person_id("telegram", "555") is None

    await unit(work)


async def test_media_still_needed(seeded: object, unit: Unit, now: dt.datetime) -> None:
    async def work(uow: UnitOfWork) -> set[str]:
        person = await uow.people.create("Bu Rina", "id", now)
        ids = [
            await uow.announcements.add(
                text=text,
                region_codes=[SRI_MENANTI],
                roles=["operator"],
                scheduled_at=now,
                nudge_after_hours=0,
                created_by=person,
                now=now,
                media_path=f"m/{text}.jpg",
            )
            for text in ("scheduled", "sent", "sending")
        ]
        await uow.announcements.mark_sent(ids[1])
        await uow.announcements.mark_sent(ids[2])
        await uow.outbox.enqueue(
            [NewMessage(f"announcement:{ids[2]}", "announcement", person, [{"text": "x"}])], now
        )
        state = {"stage": "announce", "values": {"media_path": "m/draft.pdf"}}
        await uow.sessions.create(person, "pengumuman", 1, None, state, "telegram", now)
        done = await uow.sessions.create(person, "pengumuman", 1, None, state, "telegram", now)
        await uow.sessions.save(done, "completed", state, "telegram", now)
        return await uow.privacy.media_in_use()

    assert await unit(work) == {"m/scheduled.jpg", "m/sending.jpg", "m/draft.pdf"}


def test_household_model_has_the_restriction() -> None:
    assert {"restricted_at", "restricted_by"} <= set(Household.__table__.c.keys())
