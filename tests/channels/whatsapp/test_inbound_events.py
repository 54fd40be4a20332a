"""The raw event table: stored in order, claimed in order, retried, taken over when stale."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from handlers.messages import Inbound, Reply
from storage.db import Database
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import Harness


async def test_claim_in_order_retry_and_stale_claims(database: Database, now: datetime) -> None:
    async with database.unit_of_work() as uow:
        ids = [await uow.inbound_events.add("whatsapp", f'{{"n": {i}}}', now) for i in range(3)]
        await uow.inbound_events.add("telegram", "{}", now)
    async with database.unit_of_work() as uow:
        first = await uow.inbound_events.claim("whatsapp", now, limit=2)
    assert [e.id for e in first] == ids[:2] and all(e.attempts == 1 for e in first)
    async with database.unit_of_work() as uow:
        await uow.inbound_events.mark_processed(ids[0], now)
        await uow.inbound_events.mark_failed(ids[1], now, "boom", retry=True)
        again = await uow.inbound_events.claim("whatsapp", now)
    assert [e.id for e in again] == ids[1:]
    assert [e.attempts for e in again] == [2, 1]
    async with database.unit_of_work() as uow:
        await uow.inbound_events.mark_failed(ids[1], now, "boom", retry=False)
        assert await uow.inbound_events.claim("whatsapp", now + timedelta(minutes=1)) == []
        stale = await uow.inbound_events.claim("whatsapp", now + timedelta(minutes=6))
        assert [e.id for e in stale] == [ids[2]]  # its claimer never finished
        assert await uow.inbound_events.count("whatsapp", "failed") == 1
        assert await uow.inbound_events.count("whatsapp", "processed") == 1
        assert await uow.inbound_events.prune(now, channel="whatsapp") == 0  # received now
        assert await uow.inbound_events.prune(now + timedelta(days=8), channel="telegram") == 0
        # Processed and failed go; the one still being processed stays.
        assert await uow.inbound_events.prune(now + timedelta(days=8), channel="whatsapp") == 2
        assert await uow.inbound_events.count("whatsapp") == 1


async def test_webhook_answers_before_processing_and_a_failure_is_retried_in_order(
    wa_sqlite: Harness,
) -> None:
    h = wa_sqlite
    for body in ("satu", "dua"):
        response = await h.post(payloads.text("6281333330001", body))
        assert response.status_code == 200
    assert h.graph.sent == []  # stored, answered, not processed yet
    async with h.db.unit_of_work() as uow:
        assert await uow.inbound_events.count("whatsapp", "new") == 2

    handle = h.channel.processor.handle
    calls: list[str] = []

    async def flaky(inbound: Inbound) -> Reply:
        calls.append(inbound.text)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return await handle(inbound)

    h.channel.processor.handle = flaky
    assert await h.channel.processor.drain() == 0  # the first failed: stop, keep the order
    assert await h.channel.processor.drain() == 2
    assert calls == ["satu", "satu", "dua"]
    assert len(h.graph.sent) == 2


async def test_stop_finishes_the_event_in_progress_and_leaves_the_rest(
    wa_sqlite: Harness,
) -> None:
    h = wa_sqlite
    for body in ("satu", "dua", "tiga"):
        assert (await h.post(payloads.text("6281333330002", body))).status_code == 200
    handle = h.channel.processor.handle
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(inbound: Inbound) -> Reply:
        started.set()
        await release.wait()
        return await handle(inbound)

    h.channel.processor.handle = slow
    await h.channel.start()
    async with asyncio.timeout(5):
        await started.wait()
        stopping = asyncio.create_task(h.channel.processor.stop())
        await asyncio.sleep(0)
        release.set()
        await stopping
    assert len(h.graph.sent) == 1  # the first one was answered
    async with h.db.unit_of_work() as uow:
        assert await uow.inbound_events.count("whatsapp", "processed") == 1
        assert await uow.inbound_events.count("whatsapp", "new") == 2  # back in line
