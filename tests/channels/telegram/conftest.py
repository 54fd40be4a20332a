"""The real bot (``bot.run.start``, what ``kawal run`` uses) against the fake Bot API server,
on a SQLite file seeded like tests/handlers/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram.channel import Handle
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.demo import load_register_csv
from bot.regions import load_regions
from bot.run import Service, start
from bot.settings import Settings
from handlers.ports import Clock
from storage.db import Database
from tests.conftest import sqlite_url
from tests.fakes.telegram_api import FakeTelegram, Sent

DEMO_DIR = Path(__file__).resolve().parents[3] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"
WEBHOOK_URL = "https://kawal.example/telegram/webhook"
WEBHOOK_SECRET = "s3cret-token_for-the-webhook-0123"


def bot_settings(tmp_path: Path, fake: FakeTelegram, **env: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": sqlite_url(tmp_path),
        "http_host": "127.0.0.1",
        "http_port": 0,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.base_url,
        "TELEGRAM_CHAT_INTERVAL": 0,
        "TELEGRAM_GLOBAL_RATE": 1000,
        "data_dir": tmp_path / "data",
        **env,
    }
    return Settings(_env_file=None, **values)


@dataclass
class Bot:
    fake: FakeTelegram
    settings: Settings
    db: Database
    service: Service | None = None
    replies: list[Sent] = field(default_factory=list)

    @property
    def webhook(self) -> bool:
        return bool(self.settings.telegram_webhook_url)

    async def start(
        self, wrap_handle: Callable[[Handle], Handle] | None = None, clock: Clock | None = None
    ) -> Service:
        assert self.service is None
        self.service = await start(
            self.settings, wrap_handle=wrap_handle, poll_timeout=5, clock=clock
        )
        return self.service

    async def stop(self) -> None:
        service, self.service = self.service, None
        if service is not None:
            await service.stop()

    async def post(self, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> int:
        assert self.service is not None
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                self.service.base_url + "/telegram/webhook", json=update, headers=headers
            ) as response,
        ):
            return response.status

    async def send(self, update: dict[str, Any]) -> list[Sent]:
        """Deliver ``update`` as Telegram would and wait until it is handled; the new messages
        sent to its chat."""
        since = self.fake.last_message_id()
        if self.webhook:
            assert await self.post(update) == 200
            assert self.service is not None and self.service.telegram is not None
            assert self.service.telegram.webhook is not None
            await self.service.telegram.webhook.drain()
        else:
            update_id = self.fake.push(update)
            await self.fake.wait_acknowledged(update_id)
        chat = _chat_of(update)
        self.replies = self.fake.sent_to(chat, since)
        return self.replies

    async def say(self, chat: int, text: str) -> list[Sent]:
        return await self.send(self.fake.text_update(chat, text))

    async def press(self, chat: int, label_part: str) -> list[Sent]:
        message = self.fake.last_keyboard(chat)
        button = message.button(label_part)
        return await self.send(self.fake.press_update(message, button["callback_data"]))

    async def press_value(self, chat: int, value: str) -> list[Sent]:
        """Press the button of the last keyboard whose option value is ``value``."""
        message = self.fake.last_keyboard(chat)
        for button in message.buttons():
            if button["callback_data"].endswith(".c" + value):
                return await self.send(self.fake.press_update(message, button["callback_data"]))
        raise AssertionError(f"no button for {value!r} in {message.buttons()}")

    def text(self) -> str:
        return "\n".join(m.text for m in self.replies)

    async def register(self, chat: int, code: str) -> None:
        await self.say(chat, f"/start {code}")
        assert "UU PDP" in self.text()
        await self.press(chat, "Setuju")
        assert "Menu utama" in self.text()


def _chat_of(update: dict[str, Any]) -> int:
    for kind in ("message", "channel_post", "my_chat_member", "message_reaction"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    return int(update["callback_query"]["message"]["chat"]["id"])


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def database(sqlite_database: Database, now: datetime) -> Database:
    """The SQLite file the bot will open, seeded with regions, households and invites."""
    async with sqlite_database.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)
        for code in ("KWL-TGAAAA", "KWL-TGBBBB", "KWL-TGCCCC", "KWL-TGDDDD", "KWL-TGEEEE"):
            await uow.invites.create(code, "operator", SRI_MENANTI, None, now)
    return sqlite_database


def _settings_for(mode: str, tmp_path: Path, fake: FakeTelegram) -> Settings:
    if mode == "webhook":
        return bot_settings(
            tmp_path,
            fake,
            TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
            TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        )
    return bot_settings(tmp_path, fake)


@pytest.fixture(params=["polling", "webhook"])
async def bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakeTelegram, database: Database
) -> AsyncIterator[Bot]:
    """The bot in each mode (not started: tests call ``start``)."""
    harness = Bot(fake, _settings_for(request.param, tmp_path, fake), database)
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def polling_bot(tmp_path: Path, fake: FakeTelegram, database: Database) -> AsyncIterator[Bot]:
    harness = Bot(fake, _settings_for("polling", tmp_path, fake), database)
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
async def webhook_bot(tmp_path: Path, fake: FakeTelegram, database: Database) -> AsyncIterator[Bot]:
    harness = Bot(fake, _settings_for("webhook", tmp_path, fake), database)
    try:
        yield harness
    finally:
        await harness.stop()
