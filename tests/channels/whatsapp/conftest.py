"""A seeded database, Kawal with a fixed clock, the WhatsApp channel served on loopback and a
fake Graph API it talks to. ``WaUser`` drives a chat through signed webhook POSTs."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.channels.whatsapp.webhook import signature_of
from bot.demo import load_register_csv
from bot.regions import load_regions
from bot.settings import Settings
from flows import FormRegistry, builtin_forms
from handlers.app import Kawal
from handlers.ports import FixedClock
from storage.db import Database
from tests.channels.whatsapp import payloads
from tests.fakes.graph_api import FakeGraphApi, Sent

DEMO_DIR = Path(__file__).resolve().parents[3] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"
APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
WEBHOOK_PATH = "/whatsapp/webhook"


def wa_settings(api_url: str, data_dir: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "WHATSAPP_TOKEN": "test-token",
        "WHATSAPP_PHONE_NUMBER_ID": payloads.PHONE_NUMBER_ID,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_URL": api_url,
        "WHATSAPP_CHAT_INTERVAL": 0,
        "WHATSAPP_TEMPLATE_REMINDER": "kawal_pengingat",
        "WHATSAPP_TEMPLATE_LANG": "id",
        "data_dir": data_dir,
        **extra,
    }
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    db: Database
    kawal: Kawal
    clock: FixedClock
    graph: FakeGraphApi
    channel: WhatsAppChannel
    http: httpx.AsyncClient
    url: str

    async def invite(self, role: str, region: str, code: str) -> str:
        async with self.db.unit_of_work() as uow:
            await uow.invites.create(code, role, region, None, self.clock.now())
        return code

    async def post(
        self, payload: dict[str, Any] | bytes, *, signature: str | None = "auto"
    ) -> httpx.Response:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Hub-Signature-256"] = signature_of(APP_SECRET.encode(), raw)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return await self.http.post(self.url, content=raw, headers=headers)

    async def deliver(self, payload: dict[str, Any]) -> list[Sent]:
        """POST a signed notification, process what was stored; the messages sent meanwhile."""
        before = len(self.graph.sent)
        response = await self.post(payload)
        assert response.status_code == 200, response.text
        await self.channel.processor.drain()
        return self.graph.sent[before:]

    def user(self, wa_id: str) -> WaUser:
        return WaUser(self, wa_id)


@dataclass
class WaUser:
    h: Harness
    wa_id: str
    last: list[Sent] = field(default_factory=list)

    async def _deliver(self, payload: dict[str, Any]) -> list[Sent]:
        self.last = await self.h.deliver(payload)
        assert all(s.to == self.wa_id for s in self.last)
        return self.last

    async def text(self, body: str, **kw: Any) -> list[Sent]:
        return await self._deliver(payloads.text(self.wa_id, body, **kw))

    async def press(self, reply_id: str, **kw: Any) -> list[Sent]:
        """Tap a button or pick a list row of the last interactive message by id."""
        kind = self.interactive().interactive_type
        build = payloads.list_reply if kind == "list" else payloads.button_reply
        return await self._deliver(build(self.wa_id, reply_id, **kw))

    async def choose(self, label_part: str) -> list[Sent]:
        return await self.press(self.choice_id(label_part))

    def interactive(self) -> Sent:
        found = [s for s in self.last if s.type == "interactive"]
        assert found, f"no interactive message in {[s.body for s in self.last]}"
        return found[-1]

    def choice_id(self, label_part: str) -> str:
        for choice in self.interactive().choices():
            shown = choice["title"] + " " + choice.get("description", "")
            if label_part.lower() in shown.lower():
                return choice["id"]
        raise AssertionError(f"no choice {label_part!r} in {self.interactive().choices()}")

    def texts(self) -> str:
        return "\n".join(s.text() for s in self.last)

    async def register(self, code: str, name: str = "Budi Santoso") -> None:
        """DAFTAR with an invite code, consent; the WhatsApp profile name becomes the name."""
        await self.text(f"DAFTAR {code}", name=name)
        assert "UU PDP" in self.texts()
        await self.press("consent:yes")
        assert name in self.texts()


async def seed(db: Database, now: datetime) -> None:
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)


async def serve(channel: WhatsAppChannel) -> tuple[web.AppRunner, str]:
    app = web.Application()
    channel.add_routes(app)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}{WEBHOOK_PATH}"


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    fake = FakeGraphApi(phone_number_id=payloads.PHONE_NUMBER_ID)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def make_harness(
    db: Database, now: datetime, graph: FakeGraphApi, data_dir: Path, forms: FormRegistry
) -> AsyncIterator[Harness]:
    await seed(db, now)
    clock = FixedClock(now)
    kawal = Kawal(db, forms, clock)
    settings = wa_settings(graph.api_url, data_dir)
    channel = WhatsAppChannel(settings, db, kawal.handle, clock, accepts_file=kawal.accepts_file)
    runner, url = await serve(channel)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield Harness(db, kawal, clock, graph, channel, http, url)
    finally:
        await runner.cleanup()
        await channel.stop()


@pytest.fixture
async def wa(
    database: Database, now: datetime, graph: FakeGraphApi, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole channel on each database backend."""
    async for harness in make_harness(database, now, graph, tmp_path / "data", builtin_forms()):
        yield harness


@pytest.fixture
async def wa_sqlite(
    sqlite_database: Database, now: datetime, graph: FakeGraphApi, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The whole channel on SQLite only."""
    async for harness in make_harness(
        sqlite_database, now, graph, tmp_path / "data", builtin_forms()
    ):
        yield harness
