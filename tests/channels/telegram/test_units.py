"""Pure parts: signed callback data, text splitting, settings, the run command's refusal."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
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
from bot.channels.telegram.render import Renderer, joined, split_text
from bot.server import WebServer, build_web_app
from bot.settings import Settings
from handlers.messages import Chart, Option, Question, RequestLocation, Text, Tone

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


OPTIONS = (Option("1", "Satu"), Option("2", "Dua"))
QUESTION_90 = Question("q" * 90, OPTIONS)


def test_long_texts_are_split_at_line_breaks() -> None:
    text = "\n".join(f"baris {i:04d} " + "x" * 40 for i in range(300))
    parts = split_text(text)
    assert all(len(p) <= 4096 for p in parts) and len(parts) > 1
    assert "\n".join(parts) == text
    assert split_text("y" * 5000) == ["y" * 4096, "y" * 904]
    assert split_text("") == ["…"]


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        # texts go in front of the question after them, tone marks kept: one message
        (
            [Text("✅ Tersimpan."), Text("Jawaban salah", Tone.ERROR), Question("Menu", OPTIONS)],
            [Question("✅ Tersimpan.\n\n⚠️ Jawaban salah\n\nMenu", OPTIONS)],
        ),
        ([Text("a"), Text("b")], [Text("a\n\nb")]),
        (
            [Text("a"), RequestLocation("Lokasi?", "Lewati")],
            [RequestLocation("a\n\nLokasi?", "Lewati")],
        ),
        # a file stands alone; the texts around it are not joined across it
        ([Text("a"), Chart("c.png"), Text("b")], [Text("a"), Chart("c.png"), Text("b")]),
        # what would not fit one message stays apart
        ([Text("x" * 3000), Text("y" * 2000)], [Text("x" * 3000), Text("y" * 2000)]),
        (
            [Text("x" * 4000), Question("q" * 90, OPTIONS)],
            [Text("x" * 4000), Question("q" * 90, OPTIONS)],
        ),
        ([Question("a", OPTIONS), Text("b")], [Question("a", OPTIONS), Text("b")]),
    ],
)
def test_texts_join_the_message_after_them(messages: list[Any], expected: list[Any]) -> None:
    assert joined(messages) == expected


def test_a_joined_reply_is_one_send_message_with_the_buttons() -> None:
    calls = Renderer(SIGNER).render(5, [Text("✅ Tersimpan."), Question("Menu", OPTIONS)])
    [call] = calls
    method = call.method
    assert isinstance(method, SendMessage)
    assert method.text == "✅ Tersimpan.\n\nMenu"
    assert isinstance(method.reply_markup, InlineKeyboardMarkup)
    assert [row[0].text for row in method.reply_markup.inline_keyboard] == ["1. Satu", "2. Dua"]


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
