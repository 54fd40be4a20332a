"""The outbox repository on every path: enqueue, claim, outcomes, receipts (claims racing
between processes: tests/storage/test_outbox_repo.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.db import Database, UnitOfWork
from storage.repos.outbox import ClaimedMessage, NewMessage, OutboxRecord, Priority
from tests.storage.contract.conftest import Unit

LEASE = dt.timedelta(minutes=10)


async def _people(unit: Unit, now: dt.datetime, count: int) -> list[int]:
    async def add(uow: UnitOfWork) -> list[int]:
        ids = []
        for i in range(count):
            person_id = await uow.people.create(f"Orang {i}", now=now)
            await uow.people.add_identity(person_id, "telegram", str(1000 + i), "", now)
            ids.append(person_id)
        return ids

    return await unit(add)


def _message(campaign: str, person_id: int, **kw: object) -> NewMessage:
    return NewMessage(campaign, "reminder", person_id, [{"kind": "text", "text": "x"}], **kw)  # type: ignore[arg-type]


async def test_enqueue_is_unique_per_campaign_and_person(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    a, b = await _people(unit, now, 2)

    async def enqueue(uow: UnitOfWork) -> None:
        assert await uow.outbox.enqueue([_message("c1", a), _message("c1", b)], now) == 2
        assert await uow.outbox.enqueue([_message("c1", a), _message("c2", a)], now) == 1

    await unit(enqueue)
    assert await unit(lambda uow: uow.outbox.count_by_status("c")) == {"pending": 3}


async def test_a_large_enqueue_goes_in_chunks(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    people = await _people(unit, now, 3)
    messages = [_message(f"big:{i}", people[i % 3]) for i in range(1203)]

    async def enqueue(uow: UnitOfWork) -> None:
        assert await uow.outbox.enqueue(messages, now) == 1203
        assert await uow.outbox.enqueue(messages, now) == 0

    await unit(enqueue)


async def test_claim_takes_due_rows_most_urgent_first(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    a, b, c = await _people(unit, now, 3)
    later = now + dt.timedelta(hours=1)

    async def enqueue(uow: UnitOfWork) -> None:
        await uow.outbox.enqueue(
            [
                _message("broadcast", a, priority=Priority.BROADCAST),
                _message("reminder", b, not_before=now - dt.timedelta(minutes=1)),
                _message("answer", c, priority=Priority.CONVERSATION),
                _message("tomorrow", a, not_before=later),
                _message("gone", b, expires_at=now),
            ],
            now,
        )

    await unit(enqueue)
    claimed = await unit(lambda uow: uow.outbox.claim("w/0", now, 10, LEASE))
    assert [m.campaign for m in claimed] == ["answer", "reminder", "broadcast"]
    assert [i.external_id for i in claimed[0].identities] == ["1002"]

    async def rest(uow: UnitOfWork) -> None:
        assert await uow.outbox.claim("w/1", now, 10, LEASE) == []  # nothing due is left
        assert await uow.outbox.expire_due(now) == [(5, "gone", b)]
        assert [m.campaign for m in await uow.outbox.claim("w/1", later, 10, LEASE)] == ["tomorrow"]

    await unit(rest)


async def test_outcomes_only_apply_to_rows_being_sent(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    [a] = await _people(unit, now, 1)

    async def work(uow: UnitOfWork) -> tuple[int, OutboxRecord | None]:
        await uow.outbox.enqueue([_message("c", a)], now)
        [row] = await uow.outbox.of_campaign("c")
        assert not await uow.outbox.mark_sent(
            row.id, now, "m1", channel="telegram", identity_id=1, progress=1
        )
        [claimed] = await uow.outbox.claim("w/0", now, 1, LEASE)
        identity = claimed.identities[0].identity_id
        assert await uow.outbox.reschedule(
            row.id, now + dt.timedelta(minutes=1), "boom", progress=1
        )
        assert not await uow.outbox.finish(row.id, "failed", now, "late")
        [claimed] = await uow.outbox.claim("w/0", now + dt.timedelta(minutes=1), 1, LEASE)
        assert (claimed.progress, claimed.attempts) == (1, 1)
        assert await uow.outbox.mark_sent(
            row.id, now, "m1", channel="telegram", identity_id=identity, progress=2
        )
        return row.id, await uow.outbox.get(row.id)

    _, stored = await unit(work)
    assert stored is not None
    assert (stored.status, stored.platform_message_id, stored.progress) == ("sent", "m1", 2)
    assert (stored.claimed_by, stored.channel, stored.last_error) == (None, "telegram", None)


async def test_release_and_abandon_settle_a_dead_workers_rows(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    a, b, c = await _people(unit, now, 3)

    async def claim(uow: UnitOfWork) -> list[ClaimedMessage]:
        await uow.outbox.enqueue([_message("c", a), _message("c", b), _message("c", c)], now)
        claimed = await uow.outbox.claim("dead/0", now, 2, LEASE)
        await uow.outbox.claim("far/0", now, 1, LEASE)
        return claimed

    first, second = (m.id for m in await unit(claim))

    async def settle(uow: UnitOfWork) -> dict[int, OutboxRecord]:
        assert await uow.outbox.stale_workers(now, dt.timedelta(0)) == []
        stale_at = now + LEASE + dt.timedelta(seconds=1)
        assert await uow.outbox.stale_workers(stale_at, dt.timedelta(0)) == ["dead/0", "far/0"]
        assert await uow.outbox.release("dead/0", {first: 1}) == 2
        assert await uow.outbox.abandon("far/0", stale_at, "journal out of reach") == 1
        return {r.id: r for r in await uow.outbox.of_campaign("c")}

    rows = await unit(settle)
    assert (rows[first].status, rows[first].progress) == ("pending", 1)
    assert (rows[second].status, rows[second].progress) == ("pending", 0)
    assert [r.status for r in rows.values()].count("uncertain") == 1


async def test_released_rows_keep_their_place_in_the_queue(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    """What a crash interrupted is taken again before rows that became due meanwhile (a row
    whose parts all went out is then recorded sent at once, not left pending behind them)."""
    a, b = await _people(unit, now, 2)
    later = now + dt.timedelta(seconds=5)

    async def claim(uow: UnitOfWork) -> ClaimedMessage:
        await uow.outbox.enqueue([_message("c", a)], now)
        [interrupted] = await uow.outbox.claim("dead/0", now, 1, LEASE)
        await uow.outbox.enqueue([_message("c", b, not_before=later)], now)
        return interrupted

    interrupted = await unit(claim)
    stale_at = now + LEASE + dt.timedelta(seconds=1)

    async def take(uow: UnitOfWork) -> list[ClaimedMessage]:
        assert await uow.outbox.release("dead/0", {interrupted.id: 1}) == 1
        return await uow.outbox.claim("new/0", stale_at, 2, LEASE)

    taken = await unit(take)
    assert [(m.id, m.progress) for m in taken] == [(interrupted.id, 1), (interrupted.id + 1, 0)]


async def test_receipts_only_move_forward(database: Database, unit: Unit, now: dt.datetime) -> None:
    [a] = await _people(unit, now, 1)

    async def send(uow: UnitOfWork) -> ClaimedMessage:
        await uow.outbox.enqueue([_message("c", a)], now)
        [claimed] = await uow.outbox.claim("w/0", now, 1, LEASE)
        await uow.outbox.mark_sent(
            claimed.id, now, "wamid.1", channel="whatsapp", identity_id=1, progress=1
        )
        return claimed

    claimed = await unit(send)
    later = now + dt.timedelta(minutes=5)

    async def receipts(uow: UnitOfWork) -> OutboxRecord | None:
        assert await uow.outbox.record_status("wamid.1", "read", later)
        assert await uow.outbox.record_status("wamid.1", "delivered", now)
        assert await uow.outbox.record_status("wamid.1", "failed", later)
        assert not await uow.outbox.record_status("wamid.other", "read", later)
        return await uow.outbox.get(claimed.id)

    row = await unit(receipts)
    assert row is not None
    assert (row.status, row.read_at, row.delivered_at) == ("read", later, now)
    with pytest.raises(ValueError, match="receipt"):
        await unit(lambda uow: uow.outbox.record_status("wamid.1", "seen", now))


async def test_a_failed_receipt_keeps_the_platform_reason(
    database: Database, unit: Unit, now: dt.datetime
) -> None:
    a, b, c = await _people(unit, now, 3)

    async def send(uow: UnitOfWork) -> list[ClaimedMessage]:
        await uow.outbox.enqueue([_message("ann:7", p) for p in (a, b, c)], now)
        claimed = await uow.outbox.claim("w/0", now, 3, LEASE)
        for n, message in enumerate(claimed):
            [identity] = await uow.people.identities_of(message.person_id)
            await uow.outbox.mark_sent(
                message.id,
                now,
                f"wamid.{n}",
                channel="whatsapp",
                identity_id=identity.id,
                progress=1,
            )
        return claimed

    claimed = await unit(send)
    later = now + dt.timedelta(minutes=5)

    async def receipts(uow: UnitOfWork) -> tuple[list[OutboxRecord | None], dict[int, str]]:
        assert await uow.outbox.record_status(
            "wamid.0", "failed", now, error_code="131026", error_title="Message undeliverable"
        )
        # Meta reports it again, differently worded: the first reason stays.
        assert await uow.outbox.record_status(
            "wamid.0", "failed", later, error_code="131000", error_title="Something went wrong"
        )
        assert await uow.outbox.record_status("wamid.1", "failed", now)  # no reason given
        assert await uow.outbox.record_status("wamid.2", "delivered", now)
        assert await uow.outbox.record_status(
            "wamid.2", "failed", later, error_code="131049", error_title="Not delivered"
        )
        rows = [await uow.outbox.get(m.id) for m in claimed]
        return rows, await uow.outbox.failure_reasons("ann:7")

    (first, second, third), reasons = await unit(receipts)
    assert first is not None and second is not None and third is not None
    assert (first.status, first.failed_at) == ("failed", now)
    assert (first.error_code, first.error_title) == ("131026", "Message undeliverable")
    assert (second.status, second.error_code, second.error_title) == ("failed", None, None)
    assert third.status == "delivered"  # a late failure never undoes a delivery
    assert reasons == {first.person_id: "131026 Message undeliverable"}


async def test_cancel_by_prefix(database: Database, unit: Unit, now: dt.datetime) -> None:
    a, b = await _people(unit, now, 2)

    async def work(uow: UnitOfWork) -> dict[str, int]:
        await uow.outbox.enqueue(
            [
                _message("announcement:1", a),
                _message("deadline:1_0:T-7", a),
                _message("deadline:1_0:T-3", b),
                _message("deadline:10:T-7", b),
            ],
            now,
        )
        # "_" is a LIKE wildcard: the prefix must be taken literally.
        assert await uow.outbox.cancel("deadline:1_0:", now) == 2
        return await uow.outbox.count_by_status("deadline:")

    counts = await unit(work)
    assert counts == {"cancelled": 2, "pending": 1}
