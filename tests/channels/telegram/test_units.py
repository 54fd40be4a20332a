"""Pure parts: signed callback data, text splitting, settings, the run command's refusal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.channels.telegram.callbacks import (
    MAX_BODY_BYTES,
    MAX_BYTES,
    CallbackSigner,
    CallbackTooLong,
    Kind,
)
from bot.channels.telegram.render import split_text
from bot.run import NO_CHANNEL, NoChannelConfigured, start
from bot.server import WebServer, build_web_app
from bot.settings import Settings

SIGNER = CallbackSigner("123:abc")


@given(chat=st.integers(), body=st.text(max_size=MAX_BODY_BYTES // 4))
def test_signed_callbacks_round_trip_within_64_bytes(chat: int, body: str) -> None:
    data = SIGNER.sign(chat, Kind.CHOICE, body)
    assert len(data.encode()) <= MAX_BYTES
    verified = SIGNER.verify(chat, data)
    assert verified is not None and (verified.kind, verified.body) == (Kind.CHOICE, body)
    assert SIGNER.verify(chat + 1, data) is None
    assert CallbackSigner("123:abd").verify(chat, data) is None


def test_tampered_or_oversized_callbacks_are_refused() -> None:
    data = SIGNER.sign(5, Kind.CHOICE, "consent:yes")
    tag, _, signed = data.partition(".")
    assert SIGNER.verify(5, f"{tag}.cconsent:no") is None
    assert SIGNER.verify(5, f"{tag}.p0") is None
    assert SIGNER.verify(5, signed) is None
    assert SIGNER.verify(5, None) is None
    with pytest.raises(CallbackTooLong):
        SIGNER.sign(5, Kind.CHOICE, "x" * (MAX_BODY_BYTES + 1))


def test_long_texts_are_split_at_line_breaks() -> None:
    text = "\n".join(f"baris {i:04d} " + "x" * 40 for i in range(300))
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts) and len(parts) > 1
    assert "\n".join(parts) == text
    assert split_text("y" * 5000) == ["y" * 4096, "y" * 904]
    assert split_text("") == ["…"]


def test_webhook_needs_a_valid_secret() -> None:
    env: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": "1:a",
        "TELEGRAM_WEBHOOK_URL": "https://x.example/tg",
    }
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(_env_file=None, **env)
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(_env_file=None, **env, TELEGRAM_WEBHOOK_SECRET="short")
    settings = Settings(_env_file=None, **env, TELEGRAM_WEBHOOK_SECRET="a" * 32)
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert (settings.telegram_global_rate, settings.telegram_chat_interval) == (25.0, 1.0)


async def test_run_without_a_channel_says_which_variable_to_set(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    with pytest.raises(NoChannelConfigured):
        await start(settings)
    assert "TELEGRAM_BOT_TOKEN" in NO_CHANNEL and "Tidak ada kanal" in NO_CHANNEL
    assert not (tmp_path / "k.db").exists()


async def test_healthz_and_installed_routes() -> None:
    installed: list[str] = []

    def install(app: web.Application) -> None:
        installed.append("whatsapp")

    server = WebServer(build_web_app([install]), "127.0.0.1", 0)
    base = await server.start()
    try:
        async with aiohttp.ClientSession() as session, session.get(base + "/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok"}
    finally:
        await server.stop()
    assert installed == ["whatsapp"]
