"""``kawal run`` with only WhatsApp configured: /healthz, the webhook, replies through Graph."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import httpx

from bot.channels.whatsapp.webhook import signature_of
from bot.run import start
from handlers.ports import FixedClock
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import APP_SECRET, VERIFY_TOKEN, WEBHOOK_PATH, wa_settings
from tests.conftest import sqlite_url
from tests.fakes.graph_api import FakeGraphApi


async def test_kawal_run_serves_the_whatsapp_webhook(
    graph: FakeGraphApi, tmp_path: Path, now: datetime
) -> None:
    settings = wa_settings(
        graph.api_url,
        tmp_path / "data",
        database_url=sqlite_url(tmp_path),
        http_port=0,
    )
    assert settings.telegram_bot_token is None
    service = await start(settings, clock=FixedClock(now))
    try:
        assert service.whatsapp is not None and service.telegram is None
        url = service.base_url + WEBHOOK_PATH
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(service.base_url + "/healthz")).status_code == 200
            challenge = await http.get(
                url,
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": VERIFY_TOKEN,
                    "hub.challenge": "42",
                },
            )
            assert challenge.text == "42"
            raw = json.dumps(payloads.text("6281344440001", "halo")).encode()
            unsigned = await http.post(url, content=raw)
            assert unsigned.status_code == 401
            signed = await http.post(
                url,
                content=raw,
                headers={"X-Hub-Signature-256": signature_of(APP_SECRET.encode(), raw)},
            )
            assert signed.status_code == 200
        async with asyncio.timeout(5):
            [reply] = await graph.wait_for_sends(1)
        assert reply.to == "6281344440001" and "DAFTAR" in reply.text()
    finally:
        await service.stop()
