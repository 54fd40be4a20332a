"""Form sessions, submissions and the audit log, on every path."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.db import Database, UnitOfWork
from storage.records import AuditRecord, FormSessionRecord, SubmissionRecord
from tests.storage.conftest import BUJUR_BARAT, SRI_MENANTI
from tests.storage.contract.conftest import Unit

STATE = {"form": "update_household", "answers": {"rt": "001"}, "path": ["q1", "q2"], "n": 2}


async def _person(unit: Unit, now: dt.datetime) -> int:
    return await unit(lambda uow: uow.people.create("Operator", "id", now))


async def test_sessions_lifecycle(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    person_id = await _person(unit, now)
    later = now + dt.timedelta(minutes=5)

    async def work(uow: UnitOfWork) -> None:
        household_id = await uow.households.add(
            SRI_MENANTI, "Budi", None, None, "", "", "", now=now
        )
        assert await uow.sessions.get_open(person_id) is None
        first = await uow.sessions.create(
            person_id, "update_household", 3, household_id, STATE, "telegram", now
        )
        assert await uow.sessions.get(first) == FormSessionRecord(
            first, person_id, "update_household", 3, household_id, "active", STATE, "telegram",
            now, now, household_region=SRI_MENANTI,
        )  # fmt: skip
        open_session = await uow.sessions.get_open(person_id)
        assert open_session is not None
        assert open_session.id == first
        assert await uow.sessions.save(first, "waiting", {"n": 3}, "whatsapp", later)
        saved = await uow.sessions.get(first)
        assert saved is not None
        assert (saved.status, saved.state, saved.channel) == ("waiting", {"n": 3}, "whatsapp")
        assert (saved.created_at, saved.updated_at) == (now, later)
        second = await uow.sessions.create(person_id, "proposal", 1, None, {}, "telegram", later)
        open_session = await uow.sessions.get_open(person_id)
        assert open_session is not None
        assert open_session.id == second
        assert await uow.sessions.save(second, "completed", {}, "telegram", later)
        open_session = await uow.sessions.get_open(person_id)
        assert open_session is not None
        assert open_session.id == first
        for status in ("interrupted", "expired", "cancelled"):
            assert await uow.sessions.save(first, status, {}, "telegram", later)
            assert await uow.sessions.get_open(person_id) is None
        assert not await uow.sessions.save(99999, "active", {}, "telegram", later)
        assert await uow.sessions.get(99999) is None
        with pytest.raises(ValueError, match="status"):
            await uow.sessions.save(first, "paused", {}, "telegram", later)

    await unit(work)


async def test_finish_closes_an_open_session_once(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    person_id = await _person(unit, now)
    later = now + dt.timedelta(minutes=5)

    async def work(uow: UnitOfWork) -> None:
        session_id = await uow.sessions.create(person_id, "p", 1, None, STATE, "telegram", now)
        assert await uow.sessions.finish(session_id, "completed", "whatsapp", later)
        assert not await uow.sessions.finish(session_id, "cancelled", "telegram", later)
        closed = await uow.sessions.get(session_id)
        assert closed is not None
        assert (closed.status, closed.state, closed.channel) == ("completed", STATE, "whatsapp")
        assert closed.updated_at == later
        assert not await uow.sessions.finish(99999, "completed", "telegram", later)

    await unit(work)


async def test_submissions(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    person_id = await _person(unit, now)
    later = now + dt.timedelta(days=1)
    changes = [{"path": "rt", "label": "RT", "before": "001", "after": "002"}]

    async def add(uow: UnitOfWork) -> tuple[int, int, int, int, int]:
        household_id = await uow.households.add(
            SRI_MENANTI, "Budi", None, None, "", "", "", now=now
        )
        session_id = await uow.sessions.create(
            person_id, "update_household", 3, household_id, {}, "telegram", now
        )
        first = await uow.submissions.add(
            session_id, person_id, "telegram", "update_household", 3, household_id,
            SRI_MENANTI, {"rt": "002"}, changes, now,
        )  # fmt: skip
        second = await uow.submissions.add(
            None, person_id, "whatsapp", "proposal", 1, None, SRI_MENANTI, {}, [], later
        )
        third = await uow.submissions.add(
            None, person_id, "console", "proposal", 1, None, BUJUR_BARAT, {}, [], now
        )
        return household_id, session_id, first, second, third

    household_id, session_id, first, second, third = await unit(add)

    async def check(uow: UnitOfWork) -> None:
        assert await uow.submissions.get(first) == SubmissionRecord(
            first, session_id, person_id, "telegram", "update_household", 3, household_id,
            SRI_MENANTI, {"rt": "002"}, changes, now,
        )  # fmt: skip
        assert await uow.submissions.get(99999) is None
        assert [s.id for s in await uow.submissions.list_for_region("18.04")] == [first, second]
        assert [s.id for s in await uow.submissions.list_for_region(SRI_MENANTI, later)] == [second]
        assert [s.id for s in await uow.submissions.list_for_region("35")] == [third]
        assert await uow.submissions.list_for_region("18.04.07") == []

    await unit(check)


async def test_audit(database: Database, unit: Unit, now: dt.datetime) -> None:
    async def add(uow: UnitOfWork) -> tuple[int, int, int]:
        first = await uow.audit.add(
            "household.updated",
            "household",
            "12",
            now,
            person_id=3,
            channel="telegram",
            region_code=SRI_MENANTI,
            before={"rt": "001"},
            after={"rt": "002"},
            detail="via form",
        )
        second = await uow.audit.add("person.registered", "person", "3", now)
        third = await uow.audit.add("household.status", "household", "13", now, after="verified")
        return first, second, third

    first, second, third = await unit(add)

    async def check(uow: UnitOfWork) -> None:
        assert await uow.audit.list("household", "12") == [
            AuditRecord(
                first, now, 3, "telegram", "household.updated", "household", "12", SRI_MENANTI,
                {"rt": "001"}, {"rt": "002"}, "via form",
            )
        ]  # fmt: skip
        assert [a.id for a in await uow.audit.list()] == [first, second, third]
        assert [a.id for a in await uow.audit.list("household")] == [first, third]
        assert [a.id for a in await uow.audit.list(entity_id="3")] == [second]
        entry = (await uow.audit.list("person"))[0]
        assert (entry.before, entry.after, entry.person_id, entry.detail) == (
            None,
            None,
            None,
            None,
        )
        assert (await uow.audit.list(entity_id="13"))[0].after == "verified"

    await unit(check)


async def test_set_household(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    person_id = await _person(unit, now)

    async def work(uow: UnitOfWork) -> tuple[int, FormSessionRecord | None]:
        household_id = await uow.households.add(
            SRI_MENANTI, "Budi", None, None, "", "", "", now=now
        )
        session_id = await uow.sessions.create(
            person_id, "update_household", 3, None, {}, "telegram", now
        )
        assert await uow.sessions.set_household(session_id, household_id)
        assert not await uow.sessions.set_household(99999, household_id)
        return household_id, await uow.sessions.get(session_id)

    household_id, record = await unit(work)
    assert record is not None
    assert (record.household_id, record.form_version) == (household_id, 3)
