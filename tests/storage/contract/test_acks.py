"""Acknowledgements on every path: recorded only for a message that reached its person."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from storage.db import Database, UnitOfWork
from storage.models import OutboxMessage
from storage.repos.acks import Ack, is_received
from storage.repos.outbox import NewMessage
from tests.storage.contract.conftest import Unit

# (status, channel) -> whether the person has the message
RECEIVED = [
    ("delivered", "whatsapp", True),
    ("read", "whatsapp", True),
    ("sent", "telegram", True),  # Telegram has no delivery receipts: sent is all there is
    ("sent", "console", True),
    ("sent", "whatsapp", False),  # accepted by Meta, not (yet) on the phone
    ("pending", None, False),  # waiting for the morning (quiet hours)
    ("sending", "telegram", False),
    ("failed", "whatsapp", False),
    ("blocked", "telegram", False),
    ("expired", None, False),
    ("cancelled", None, False),
    ("uncertain", "telegram", False),
]


@pytest.mark.parametrize(("status", "channel", "expected"), RECEIVED)
def test_is_received(status: str, channel: str | None, expected: bool) -> None:
    assert is_received(status, channel) is expected
    # A press of the message's button or a reaction to it proves that it arrived: sent is
    # then enough on WhatsApp too, but nothing counts that never left.
    assert is_received(status, channel, seen=True) is (expected or status == "sent")


async def _person(uow: UnitOfWork, now: dt.datetime, name: str) -> int:
    person_id = await uow.people.create(name, now=now)
    await uow.people.add_identity(person_id, "telegram", name, "", now)
    return person_id


def _announcement(campaign: str, person_id: int) -> NewMessage:
    return NewMessage(campaign, "announcement", person_id, [{"kind": "text", "text": "x"}])


async def _set(uow: UnitOfWork, campaign: str, status: str, channel: str | None) -> None:
    await uow.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.campaign == campaign)
        .values(status=status, channel=channel),
        execution_options={"synchronize_session": False},
    )


async def test_only_a_message_that_reached_the_person_is_acknowledged(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> list[tuple[str, Ack, Ack]]:
        person = await _person(uow, now, "op")
        other = await _person(uow, now, "other")
        results = []
        for n, (status, channel, _) in enumerate(RECEIVED, 1):
            campaign = f"announcement:{n}"
            await uow.outbox.enqueue([_announcement(campaign, person)], now)
            await _set(uow, campaign, status, channel)
            first = await uow.acks.acknowledge(campaign, person, now)
            results.append((status, first, await uow.acks.acknowledge(campaign, person, now)))
        assert await uow.acks.acknowledge("announcement:1", other, now) is Ack.UNKNOWN
        # The WhatsApp message without a receipt yet, answered by its button: it arrived.
        whatsapp_sent = 1 + [(s, c) for s, c, _ in RECEIVED].index(("sent", "whatsapp"))
        pending = 1 + [s for s, _, _ in RECEIVED].index("pending")
        seen = {"seen": True}
        assert await uow.acks.acknowledge(f"announcement:{pending}", person, now, **seen) is (
            Ack.NOT_RECEIVED
        )
        assert await uow.acks.acknowledge(f"announcement:{whatsapp_sent}", person, now, **seen) is (
            Ack.DONE
        )
        assert await uow.acks.acknowledge("announcement:999", person, now) is Ack.UNKNOWN
        return results

    results = await unit(work)
    for (status, channel, received), (_, first, second) in zip(RECEIVED, results, strict=True):
        if received:
            assert (first, second) == (Ack.DONE, Ack.AGAIN), (status, channel)
        else:
            assert (first, second) == (Ack.NOT_RECEIVED, Ack.NOT_RECEIVED), (status, channel)

    async def acknowledged(uow: UnitOfWork) -> int:
        person = await uow.people.find_by_identity("telegram", "op")
        assert person is not None
        rows = await uow.outbox.for_person(person.person_id, "announcement:", limit=50)
        return sum(1 for row in rows if row.acknowledged_at is not None)

    assert await unit(acknowledged) == sum(1 for *_, received in RECEIVED if received) + 1


async def test_a_bare_paham_finds_the_newest_received_announcement(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> list[str | None]:
        person = await _person(uow, now, "op")
        seen = [await uow.acks.newest_waiting(person, "announcement")]
        for n, (status, channel) in enumerate(
            [("delivered", "whatsapp"), ("sent", "telegram"), ("pending", None)], 1
        ):
            message = _announcement(f"announcement:{n}", person)
            await uow.outbox.enqueue([message], now + dt.timedelta(minutes=n))
            await _set(uow, f"announcement:{n}", status, channel)
        # The newest (3) is still waiting: a bare PAHAM confirms 2, then 1, then none.
        for _ in range(3):
            newest = await uow.acks.newest_waiting(person, "announcement")
            seen.append(newest)
            if newest is not None:
                assert await uow.acks.acknowledge(newest, person, now) is Ack.DONE
        return seen

    assert await unit(work) == [None, "announcement:2", "announcement:1", None]
