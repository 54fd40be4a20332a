"""The cheaper aiogram session sends exactly what aiogram's own would."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramRetryAfter,
)
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


MESSAGE = (
    '{"ok":true,"result":{"message_id":5,"from":{"id":1,"is_bot":true,"first_name":"Kawal"},'
    '"chat":{"id":42,"type":"private","first_name":"Budi"},"date":1700000000,"text":"Menu",'
    '"reply_markup":{"inline_keyboard":[[{"text":"1. Verifikasi","callback_data":"t.cm"}]]}}}'
)


async def test_responses_parse_as_aiogram_parses_them() -> None:
    session = FastAiohttpSession()
    bot = Bot(TOKEN, session=session)
    method = SendMessage(chat_id=42, text="Menu")
    ours = session.check_response(bot, method, 200, MESSAGE)
    theirs = AiohttpSession().check_response(bot, method, 200, MESSAGE)
    assert ours == theirs
    assert ours.result is not None and ours.result.message_id == 5
    await session.close()


@pytest.mark.parametrize(
    ("status", "content", "error"),
    [
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: x"}', TelegramBadRequest),
        (
            429,
            '{"ok":false,"error_code":429,"description":"Too Many Requests",'
            '"parameters":{"retry_after":7}}',
            TelegramRetryAfter,
        ),
        (200, "not json", ClientDecodeError),
        (200, '{"ok":false,"error_code":403,"description":"Forbidden"}', TelegramAPIError),
    ],
)
async def test_errors_raise_what_aiogram_raises(
    status: int, content: str, error: type[Exception]
) -> None:
    session = FastAiohttpSession()
    bot = Bot(TOKEN, session=session)
    with pytest.raises(error):
        session.check_response(bot, SendMessage(chat_id=42, text="x"), status, content)
    await session.close()
