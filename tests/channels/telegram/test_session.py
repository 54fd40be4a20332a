"""The cheaper aiogram session sends exactly what aiogram's own would."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram.session import FastAiohttpSession

TOKEN = "123456789:TEST-token-for-the-session"


def _aiogram_fields(bot: Bot, method: TelegramMethod[Any]) -> list[tuple[str, str]]:
    form = AiohttpSession().build_form_data(bot, method)
    assert not form.is_multipart
    return parse_qsl(form()._value.decode(), keep_blank_values=True)


@pytest.mark.parametrize(
    "method",
    [
        SendMessage(
            chat_id=42,
            text="Status keluarga & alamat: 100% benar?",
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="1. Ya", callback_data="t.cya")]]
            ),
        ),
        AnswerCallbackQuery(callback_query_id="7", text=None, show_alert=False),
        EditMessageReplyMarkup(chat_id=42, message_id=9),
    ],
)
async def test_form_body_is_aiogram_form_url_encoded(method: TelegramMethod[Any]) -> None:
    session = FastAiohttpSession()
    bot = Bot(TOKEN, session=session)
    body = session.form_body(bot, method)
    assert body is not None
    assert body.content_type == "application/x-www-form-urlencoded"
    assert parse_qsl(body._value.decode(), keep_blank_values=True) == _aiogram_fields(bot, method)
    await session.close()


async def test_calls_with_files_go_as_multipart_forms(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.xlsx"
    path.write_bytes(b"xlsx")
    session = FastAiohttpSession()
    bot = Bot(TOKEN, session=session)
    assert session.form_body(bot, SendDocument(chat_id=42, document=FSInputFile(path))) is None
    await session.close()
