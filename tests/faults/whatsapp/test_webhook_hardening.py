"""The webhook against hostile or stale input over real HTTP: signature headers that are not
ASCII, JSON nested past what a decoder goes, bodies that never finish, and messages Meta would
never retry any more. Every answer is a 4xx (or a 200 that changes nothing), never a 500 with a
traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, insert, select

from bot.channels.whatsapp.webhook import signature_of
from reminders.housekeeping import housekeeping
from storage.db import Database
from storage.models import OutboxMessage, ProcessedInbound
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import APP_SECRET, Harness

DAY = dt.timedelta(days=1)


async def _raw_post(
    url: str, headers: list[bytes], body: bytes, *, sent: int | None = None, whole: bool = True
) -> bytes:
    """POST with header bytes exactly as given; only the first ``sent`` bytes of the body are
    written (the rest never comes). What the server answered: up to its closing the socket,
    or (not ``whole``) its status line."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        head = [
            f"POST {parts.path} HTTP/1.1".encode(),
            f"Host: {parts.hostname}".encode(),
            b"Content-Type: application/json",
            f"Content-Length: {len(body)}".encode(),
            *headers,
        ]
        if sent is None:
            head.append(b"Connection: close")
        writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body[:sent])
        await writer.drain()
        async with asyncio.timeout(5):
            return await (reader.read() if whole else reader.readuntil(b"\r\n"))
    finally:
        writer.close()


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def _stored(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return await uow.inbound_events.count("whatsapp")


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_signature_header_that_is_not_ascii_is_refused(
    wa: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps(payloads.text("6281400000001", "halo")).encode()
    good = signature_of(APP_SECRET.encode(), body).encode()
    for value in (
        b"sha256=\xff\xfe",  # not UTF-8
        "sha256=é".encode(),  # UTF-8, not ASCII
        good + b"\xa0",  # the right signature with a Latin-1 no-break space after it
        good[:-1] + "٣".encode(),  # an Arabic-Indic digit
        b"\xc3\x28" + good,
    ):
        answer = await _raw_post(wa.url, [b"X-Hub-Signature-256: " + value], body)
        assert _status(answer) == 403, (value, answer)
    assert await _stored(wa.db) == 0
    _no_traceback(caplog)
    answer = await _raw_post(wa.url, [b"X-Hub-Signature-256: " + good], body)
    assert _status(answer) == 200  # the same body, signed right, is taken


async def test_json_nested_too_deep_is_refused(
    wa: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for body in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"entry":' * 50_000 + b"1" + b"}" * 50_000,
    ):
        response = await wa.post(body)  # correctly signed
        assert response.status_code == 400 and response.text == "not JSON"
    assert await _stored(wa.db) == 0
    _no_traceback(caplog)


async def test_a_body_that_stalls_gets_408_in_time(
    wa: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    wa.channel.webhook.body_timeout = 0.2
    body = json.dumps(payloads.text("6281400000002", "halo")).encode()
    signature = b"X-Hub-Signature-256: " + signature_of(APP_SECRET.encode(), body).encode()
    answer = await _raw_post(wa.url, [signature], body, sent=len(body) // 2)
    assert _status(answer) == 408  # and the connection closed (read() returned)
    assert await _stored(wa.db) == 0
    unsigned = await _raw_post(wa.url, [], body, sent=10, whole=False)  # refused at once
    assert _status(unsigned) == 401
    assert (await wa.post(payloads.text("6281400000002", "halo"))).status_code == 200
    _no_traceback(caplog)


async def test_messages_and_receipts_older_than_seven_days_are_ignored(wa: Harness) -> None:
    sent_at = wa.clock.now()
    async with wa.db.unit_of_work() as uow:
        person_id = await uow.people.create("Pak Peratin", now=sent_at)
        await uow.session.execute(
            insert(OutboxMessage).values(
                campaign="deadline:1:-3",
                kind="reminder",
                person_id=person_id,
                payload=[],
                status="sent",
                next_attempt_at=sent_at,
                created_at=sent_at,
                platform_message_id="wamid.OLD",
            )
        )
    wa.clock.advance(7 * DAY + dt.timedelta(minutes=1))
    stale = [
        payloads.text("6281400000003", "halo", at=sent_at),
        payloads.status("wamid.OLD", "read", sent_at),
        payloads.status("wamid.OLD", "failed", sent_at),
    ]
    for payload in stale:
        assert await wa.deliver(payload) == []
    async with wa.db.unit_of_work() as uow:
        row = (
            await uow.session.execute(
                select(OutboxMessage).where(OutboxMessage.platform_message_id == "wamid.OLD")
            )
        ).scalar_one()
        assert await uow.inbound_events.count("whatsapp", "processed") == 3
    assert (row.status, row.read_at, row.failed_at) == ("sent", None, None)
    six_days = wa.clock.now() - 6 * DAY
    [answer] = await wa.deliver(payloads.text("6281400000003", "halo", at=six_days))
    assert "DAFTAR" in answer.text()


async def test_meta_retrying_for_a_week_never_gets_an_answer_twice(wa: Harness) -> None:
    """Meta retries an unanswered webhook for up to 7 days: the wamid claim outlives that
    (housekeeping keeps it 8 days), and past 7 days the message is ignored by its age."""
    payload = payloads.text("6281400000004", "halo", at=wa.clock.now())
    assert len(await wa.deliver(payload)) == 1
    wa.clock.advance(6.9 * DAY)
    await housekeeping(wa.db, wa.clock)
    assert await wa.deliver(payload) == []  # claimed 6.9 days ago: still known
    wa.clock.advance(1.2 * DAY)  # 8.1 days: the claim is pruned, the message is too old
    assert await housekeeping(wa.db, wa.clock) >= 1
    async with wa.db.unit_of_work() as uow:
        claims = await uow.session.scalar(select(func.count()).select_from(ProcessedInbound))
    assert claims == 0
    assert await wa.deliver(payload) == []
    assert len(wa.graph.sent) == 1
