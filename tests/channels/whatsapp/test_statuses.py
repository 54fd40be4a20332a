"""Delivery receipts arrive in any order and more than once; the outbox row only moves forward.
A failed one keeps Meta's reason: on the outbox row, or for a reply on the recipient's identity."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from storage.db import Database
from storage.models import OutboxMessage
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import SRI_MENANTI, Harness


async def _outbox_row(h: Harness, wamid: str, now: datetime) -> int:
    async with h.db.unit_of_work() as uow:
        person_id = await uow.people.create("Pak Peratin", now=now)
        result = await uow.session.execute(
            insert(OutboxMessage)
            .values(
                campaign="deadline:1:-3",
                kind="reminder",
                person_id=person_id,
                payload={"text": "Pengingat"},
                status="sent",
                next_attempt_at=now,
                created_at=now,
                platform_message_id=wamid,
            )
            .returning(OutboxMessage.id)
        )
        return int(result.scalar_one())


async def test_statuses_out_of_order_end_in_read_with_every_timestamp(
    wa: Harness, now: datetime
) -> None:
    wamid = "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjQ2QzFFRjQ5"
    row_id = await _outbox_row(wa, wamid, now)
    sent_at = now + timedelta(seconds=1)
    delivered_at = now + timedelta(seconds=5)
    read_at = now + timedelta(minutes=3)
    for name, at in (("read", read_at), ("sent", sent_at), ("delivered", delivered_at)):
        assert await wa.deliver(payloads.status(wamid, name, at)) == []
    await wa.deliver(payloads.status(wamid, "delivered", delivered_at))  # a retry: no change
    await wa.deliver(payloads.status("wamid.unknown", "read", read_at))  # not ours: ignored
    async with wa.db.unit_of_work() as uow:
        row = (
            await uow.session.execute(select(OutboxMessage).where(OutboxMessage.id == row_id))
        ).scalar_one()
        processed = await uow.inbound_events.count("whatsapp", "processed")
    assert row.status == "read"
    assert (row.sent_at, row.delivered_at, row.read_at) == (sent_at, delivered_at, read_at)
    assert row.failed_at is None
    assert processed == 5


async def test_a_failed_receipt_records_metas_code_and_title_on_the_outbox_row(
    wa: Harness, now: datetime
) -> None:
    wamid = "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABEYEjQ2QzFFRjQ6"
    row_id = await _outbox_row(wa, wamid, now)
    failed_at = now + timedelta(seconds=3)
    assert await wa.deliver(payloads.status(wamid, "failed", failed_at)) == []
    async with wa.db.unit_of_work() as uow:
        row = await uow.outbox.get(row_id)
    assert row is not None
    assert (row.status, row.failed_at) == ("failed", failed_at)
    assert (row.error_code, row.error_title) == ("131026", "Message undeliverable")


async def test_a_failed_reply_is_recorded_on_the_recipients_identity(
    wa: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await wa.invite("operator", SRI_MENANTI, "KWL-FAILR1")
    user = wa.user("6281344440002")
    await user.register("KWL-FAILR1")
    reply = user.last[-1]
    at = wa.clock.now() + timedelta(seconds=2)
    failed = payloads.status(reply.wamid, "failed", at, user.wa_id, error=(131049, "Not sent"))
    assert await wa.deliver(failed) == []
    async with wa.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("whatsapp", user.wa_id)
        assert person is not None
        [identity] = await uow.people.identities_of(person.person_id)
    assert (identity.failed_at, identity.failure_code, identity.failure_title) == (
        at,
        "131049",
        "Not sent",
    )
    assert "failed: 131049 Not sent" in caplog.text
    assert user.wa_id not in caplog.text  # only the last four digits are logged


async def test_the_last_failed_reply_wins_whatever_the_order(
    database: Database, now: datetime
) -> None:
    async with database.unit_of_work() as uow:
        person_id = await uow.people.create("Budi", now=now)
        await uow.people.add_identity(person_id, "whatsapp", "6281344440003", "", now)
    later = now + timedelta(minutes=1)
    async with database.unit_of_work() as uow:
        people = uow.people
        assert await people.record_failed_reply(
            "whatsapp", "6281344440003", later, code="131026", title="Message undeliverable"
        )
        assert not await people.record_failed_reply(  # an older one, arriving late
            "whatsapp", "6281344440003", now, code="131000", title="Something went wrong"
        )
        assert not await people.record_failed_reply(
            "whatsapp", "6281300000000", later, code="131026", title="Message undeliverable"
        )
        assert not await people.record_failed_reply(
            "telegram", "6281344440003", later, code=None, title=None
        )
        [identity] = await people.identities_of(person_id)
    assert (identity.failed_at, identity.failure_code, identity.failure_title) == (
        later,
        "131026",
        "Message undeliverable",
    )
