"""The webhook over real HTTP: verification, signatures, storing before processing, dedupe."""

from __future__ import annotations

import asyncio
import json

from storage.db import Database
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import SRI_MENANTI, VERIFY_TOKEN, Harness


async def _events(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return await uow.inbound_events.count("whatsapp")


async def test_verification_echoes_the_challenge_only_for_the_right_token(
    wa_sqlite: Harness,
) -> None:
    h = wa_sqlite
    ok = await h.http.get(
        h.url,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert ok.status_code == 200 and ok.text == "1158201444"
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ):
        refused = await h.http.get(h.url, params=params)
        assert refused.status_code == 403
        assert "1" not in refused.text


async def test_bad_or_missing_signature_is_refused_and_nothing_is_stored(wa: Harness) -> None:
    h = wa
    payload = payloads.text("6281234567890", "halo")
    missing = await h.post(payload, signature=None)
    assert missing.status_code == 401
    wrong = await h.post(payload, signature="sha256=" + "0" * 64)
    assert wrong.status_code == 403
    raw = json.dumps(payload).encode()
    from bot.channels.whatsapp.webhook import signature_of

    other_body = await h.post(
        raw + b" ", signature=signature_of(b"app-secret-for-tests", raw)
    )  # a valid signature of a different body
    assert other_body.status_code == 403
    wrong_secret = await h.post(payload, signature=signature_of(b"not-the-secret", raw))
    assert wrong_secret.status_code == 403
    assert await _events(h.db) == 0
    assert await h.channel.processor.drain() == 0
    assert h.graph.sent == []


async def test_unregistered_user_is_told_how_to_register(wa: Harness) -> None:
    user = wa.user("6281200000001")
    sent = await user.text("halo")
    assert len(sent) == 1 and sent[0].type == "text"
    assert "DAFTAR" in user.texts()


async def test_duplicate_webhook_changes_nothing(wa: Harness) -> None:
    await wa.invite("operator", SRI_MENANTI, "KWL-DUPLIC")
    user = wa.user("6281200000002")
    await user.register("KWL-DUPLIC")
    payload = payloads.list_reply(user.wa_id, "m:verify", "Verifikasi keluarga")
    first = await wa.deliver(payload)
    assert "Cari keluarga" in "\n".join(s.text() for s in first)
    async with wa.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("whatsapp", user.wa_id)
        assert person is not None
        session = await uow.sessions.get_open(person.person_id)
    again = await wa.deliver(payload)  # Meta retries the same wamid
    assert again == []
    async with wa.db.unit_of_work() as uow:
        assert await uow.sessions.get_open(person.person_id) == session
        processed = await uow.inbound_events.count("whatsapp", "processed")
    assert processed == await _events(wa.db)  # the retry was stored and processed: a no-op


async def test_background_processor_answers_after_the_webhook_returned(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    await h.channel.start()
    response = await h.post(payloads.text("6281200000003", "halo"))
    assert response.status_code == 200
    async with asyncio.timeout(5):
        await h.graph.wait_for_sends(1)
    assert "DAFTAR" in h.graph.sent[0].text()


async def test_a_slow_reply_to_one_person_does_not_hold_up_another(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    slow, quick = "6281200000011", "6281200000012"
    gate = h.graph.hold(slow)
    for wa_id in (slow, quick):
        assert (await h.post(payloads.text(wa_id, "halo"))).status_code == 200
    draining = asyncio.create_task(h.channel.processor.drain())
    try:
        async with asyncio.timeout(5):
            [first] = await h.graph.wait_for_sends(1)
        assert first.to == quick  # answered while the other reply is still on its way
    finally:
        gate.set()
    async with asyncio.timeout(5):
        assert await draining == 2
    assert [s.to for s in h.graph.sent] == [quick, slow]
