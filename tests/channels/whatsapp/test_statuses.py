"""Delivery receipts arrive in any order and more than once; the outbox row only moves forward."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from storage.models import OutboxMessage
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import Harness


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
