"""Logs carry nothing personal and no secret (issue 18): library loggers held at WARNING,
statement values hidden, the ERROR path of a failed update without number or text, and every
configured secret redacted, also from tracebacks (the Bot API answering malformed HTTP)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from sqlalchemy.exc import IntegrityError

from bot.channels.telegram.session import FastAiohttpSession
from bot.channels.telegram.wire_session import WireSession
from bot.logs import PrivacyFilter, redact, setup_logging
from bot.settings import Settings
from flows import builtin_forms
from handlers.app import Kawal
from handlers.messages import Channel, Inbound, InboundKind
from handlers.ports import FixedClock
from storage.db import Database

NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
WA_TOKEN = "EAAGm0PX4ZCpsBAKZCZAsecretwhatsapptoken"
NAME = "Siti Rahmawati Lestari"


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "logs" / "kawal.log"
    handler = setup_logging("DEBUG", path, (TOKEN, WA_TOKEN))
    yield path
    handler.close()


def test_secrets_numbers_and_phones_are_redacted_in_message_args_and_traceback(
    log_file: Path,
) -> None:
    log = logging.getLogger("kawal.test.privacy")
    log.debug("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    log.info("search for 1804 0727 0490 0258 and 1804-1916-1120-0001 by +62 812-3456-7890")
    log.warning("Authorization: Bearer " + WA_TOKEN)
    try:
        raise ConnectionError(f"malformed answer from https://api.telegram.org/bot{TOKEN}/x")
    except ConnectionError:
        log.exception("send failed for 081234567890")
    text = log_file.read_text(encoding="utf-8")
    for secret in (TOKEN, WA_TOKEN, TOKEN.split(":")[1]):
        assert secret not in text
    for leak in ("1804 0727 0490 0258", "0727", "1916-1120", "812-3456", "08123456"):
        assert leak not in text
    assert text.count("<secret>") == 3
    assert "************0258" in text and "************0001" in text and "…7890" in text
    assert "malformed answer" in text  # the reason stays


def test_the_log_file_is_private(log_file: Path) -> None:
    logging.getLogger("kawal.test.privacy").info("started")
    assert log_file.stat().st_mode & 0o777 == 0o600
    assert log_file.parent.stat().st_mode & 0o777 == 0o700


def test_a_broken_record_is_shown_without_its_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("abc",), None)
    assert PrivacyFilter().filter(record)
    assert record.getMessage() == "%d items"


def test_settings_list_every_secret_and_the_database_password() -> None:
    settings = Settings(
        _env_file=None,
        database_url="postgresql+asyncpg://kawal:pw-sangat-rahasia@127.0.0.1/kawal",
        TELEGRAM_BOT_TOKEN=TOKEN,
    )
    assert set(settings.secret_values()) == {TOKEN, "pw-sangat-rahasia"}


# ---- libraries at DEBUG ------------------------------------------------------------------


async def test_database_loggers_say_nothing_personal_at_debug(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    handler = setup_logging("DEBUG", tmp_path / "kawal.log")
    logging.getLogger().addHandler(caplog.handler)  # setup_logging replaced pytest's
    caplog.set_level(logging.DEBUG)
    try:
        async with database.unit_of_work() as uow:
            person = await uow.people.create(NAME, "id", NOW)
            await uow.people.add_identity(person, "whatsapp", "6281234567890", NAME, NOW)

        async def again() -> None:
            async with database.unit_of_work() as uow:
                await uow.people.add_identity(person, "whatsapp", "6281234567890", NAME, NOW)

        with pytest.raises(IntegrityError) as failed:
            await again()
    finally:
        handler.close()
    # PostgreSQL's own DETAIL names the duplicate key ("Key (...)=(whatsapp, 62812...)"):
    # the log filter shortens the number if that error is ever logged.
    assert "6281234567890" not in redact(str(failed.value))
    assert "hidden due to hide_parameters" in str(failed.value)
    logging.getLogger("kawal.test").debug("still captured at DEBUG")
    assert [r.getMessage() for r in caplog.records] == ["still captured at DEBUG"]
    libraries = ("sqlalchemy", "aiosqlite", "asyncpg")
    assert not [r for r in caplog.records if r.name.startswith(libraries)]
    assert NAME not in caplog.text and "6281234567890" not in caplog.text


async def test_a_failed_update_logs_neither_the_number_nor_the_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}")  # never connected
    kawal = Kawal(broken, builtin_forms(), FixedClock(NOW))
    caplog.set_level(logging.DEBUG)
    inbound = Inbound(
        Channel.WHATSAPP,
        "6281234567890",
        "wamid.1",
        InboundKind.TEXT,
        text="alamat saya Jl. Mawar 5, NIK 1804 0727 0490 0258",
    )
    reply = await kawal.handle(inbound)
    assert reply.messages  # the apology
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    logged = record.getMessage()
    assert "6281234567890" not in logged and "Mawar" not in logged and "0727" not in logged
    assert "…7890" in logged and "48 characters" in logged


# ---- the Bot API answering malformed HTTP -------------------------------------------------


@pytest.fixture
async def malformed_api() -> AsyncIterator[str]:
    """A loopback server that answers every request with bytes that are not HTTP."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 banana\r\nnot a header line\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("session_type", [FastAiohttpSession, WireSession])
async def test_a_malformed_bot_api_answer_never_shows_the_token(
    malformed_api: str, session_type: type, tmp_path: Path
) -> None:
    session = session_type(api=TelegramAPIServer.from_base(malformed_api))
    bot = Bot(TOKEN, session=session)
    try:
        with pytest.raises(TelegramNetworkError) as failed:
            await bot.get_me()
    finally:
        await session.close()
    shown = str(failed.value)
    assert TOKEN not in shown and TOKEN.split(":")[1] not in shown
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    # and if anything logs the error with its traceback, the filter redacts what is left
    path = tmp_path / "kawal.log"
    handler = setup_logging("INFO", path, (TOKEN,))
    try:
        try:
            raise RuntimeError(f"outer {TOKEN}") from failed.value
        except RuntimeError:
            logging.getLogger("kawal.test").exception("polling failed")
    finally:
        handler.close()
    assert TOKEN not in path.read_text(encoding="utf-8")
