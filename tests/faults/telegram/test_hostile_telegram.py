"""Hostile input through the real bot over HTTP (fake Bot API; polling and webhook mode):
oversized and odd messages, a megabyte webhook body, unknown and forged button data, replayed
and out-of-order updates, old keyboards, unknown commands and media where text is expected;
at the webhook a secret that is not UTF-8, JSON nested 100,000 deep or not an update, a body
that stalls or trickles, messages older than a week.

Every update must get an answer (or, for a button the bot did not sign, a refusal on the button
itself), never the internal-error apology, and must change nothing it should not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.channels.telegram.callbacks import CallbackSigner, Kind
from bot.channels.telegram.texts import tg
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.kit.i18n import t
from handlers.ports import FixedClock
from storage.models import FormSession, Person, ProcessedInbound, Submission
from tests.channels.telegram.conftest import DEMO_DIR, SRI_MENANTI, WEBHOOK_SECRET, Bot
from tests.fakes.telegram_api import Sent
from tests.faults.hostile import NASTY, SUKANANTI, foreign_secrets

CHAT = 6001
INTERNAL = t("internal_error", "id")
NOT_ALLOWED = t("household_not_allowed", "id")
TELEGRAM_LIMIT = 4096  # UTF-16 code units, as Telegram counts
FOREIGN = foreign_secrets()

ODD_TEXTS = (
    "A" * TELEGRAM_LIMIT,
    "👍" * (TELEGRAM_LIMIT // 2),
    "9" * TELEGRAM_LIMIT,
    "\u200f" * TELEGRAM_LIMIT,
    "\ud800 tidak lengkap",
    *NASTY[:20],
    "\x00",
    "{name} %s <b>",
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_answered(replies: list[Sent], sent: str = "") -> None:
    assert replies, f"no answer to {sent[:40]!r}"
    for message in replies:
        assert INTERNAL not in message.text, f"the bot failed on {sent[:40]!r}"
        assert 0 < utf16_len(message.text) <= TELEGRAM_LIMIT
        for secret in FOREIGN:
            assert secret in sent or secret not in message.text, f"{secret!r} shown"


async def _count(bot: Bot, model: Any, *where: Any) -> int:
    async with bot.db.unit_of_work() as uow:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(await uow.session.scalar(query) or 0)


async def _state(bot: Bot) -> list[tuple[Any, ...]]:
    """Every form session, row by row (what a refused input must leave as it was)."""
    async with bot.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(FormSession.id, FormSession.status, FormSession.household_id, FormSession.state)
        )
    out = []
    for row in rows:
        state = dict(row[3])
        if isinstance(state.get("engine"), dict):
            state["engine"] = {k: v for k, v in state["engine"].items() if k != "steps"}
        out.append((row[0], row[1], row[2], state))
    return sorted(out, key=lambda r: r[0])


async def _to_search_results(bot: Bot, chat: int = CHAT, code: str = "KWL-TGAAAA") -> Sent:
    await bot.register(chat, code)
    await bot.say(chat, "1")
    await bot.say(chat, "Agus")
    assert "Ditemukan" in bot.text()
    return bot.fake.last_keyboard(chat)


async def test_oversized_and_odd_text_is_answered_at_every_stage(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    for text in ODD_TEXTS[:5]:  # not registered yet
        check_answered(await bot.say(CHAT, text), text)
    await bot.register(CHAT, "KWL-TGAAAA")
    for text in ODD_TEXTS:  # the menu
        check_answered(await bot.say(CHAT, text), text)
    await bot.say(CHAT, "1")
    for text in ODD_TEXTS:  # the household search
        check_answered(await bot.say(CHAT, text), text)
    await bot.say(CHAT, "Agus Hidayat")
    await bot.say(CHAT, "1")
    before = await _state(bot)
    for text in ODD_TEXTS:  # a question with options: refused, nothing changes
        replies = await bot.say(CHAT, text)
        check_answered(replies, text)
        assert "⚠️" in bot.text() and "Status keluarga" in bot.text()
    assert await _state(bot) == before
    for answer in ("ditemukan", "tetap", "7", "tetap", "ya", "0812-3456-7890"):
        await bot.say(CHAT, answer)
    for text in ODD_TEXTS:  # free text (notes, at most 500 characters): long ones refused
        check_answered(await bot.say(CHAT, text), text)
        if len(text) > 500:
            assert "Terlalu panjang" in bot.text()
        elif "Periksa jawaban" in bot.text():
            await bot.say(CHAT, "kembali")  # accepted as a note: back to the notes question
        assert "Catatan" in bot.text(), bot.text()
    await bot.say(CHAT, "lewati")
    await bot.say(CHAT, "simpan")
    assert "Tersimpan" in bot.text()
    async with bot.db.unit_of_work() as uow:
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
    assert submission.answers["rt"] == "007" and not submission.answers.get("notes")
    assert all(request.status == 200 for request in fake.calls("sendMessage"))


async def test_webhook_bodies_up_to_a_megabyte(webhook_bot: Bot) -> None:
    bot = webhook_bot
    await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    seen = await _count(bot, ProcessedInbound)
    # About 1 MB: under the HTTP server's 1 MiB limit, so it is read and answered.
    since = bot.fake.last_message_id()
    assert await _post(bot, bot.fake.text_update(CHAT, "A" * 1_000_000)) == 200
    assert bot.service is not None and bot.service.telegram is not None
    assert bot.service.telegram.webhook is not None
    await bot.service.telegram.webhook.drain()
    check_answered(bot.fake.sent_to(CHAT, since))
    assert "Pilihan tidak dikenal" in bot.fake.sent_to(CHAT, since)[0].text
    assert await _count(bot, ProcessedInbound) == seen + 1
    # Over the limit: refused before it is parsed; nothing stored.
    huge = bot.fake.text_update(CHAT, "A" * 2_000_000)
    assert await _post(bot, huge) == 413
    assert await _post(bot, huge, secret=None) == 401
    assert await _post(bot, huge, secret="wrong-secret-0123456789") == 401
    assert await _count(bot, ProcessedInbound) == seen + 1
    # Not an update at all.
    assert await bot.post({"update_id": "x", "message": [1, 2]}) == 400
    assert await _post(bot, b"\xff\xfe not json") == 400
    # And the bot still serves.
    await bot.say(CHAT, "menu")
    assert "Menu utama" in bot.text()


async def _post(bot: Bot, body: dict[str, Any] | bytes, secret: str | None = WEBHOOK_SECRET) -> int:
    """POST a (large) body to the bot's webhook as a stream; the HTTP status."""
    assert bot.service is not None
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            bot.service.base_url + "/telegram/webhook", data=io.BytesIO(raw), headers=headers
        ) as response,
    ):
        return response.status


HOSTILE_BUTTONS = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@HOSTILE_BUTTONS
@given(
    data=st.one_of(
        st.text(max_size=100),
        st.sampled_from(
            [
                "",
                "hh:1",
                "AAAAAAAA.chh:1",
                "AAAAAAAA.p0",
                "........",
                "x" * 64,
                "x" * 65,
                "m:verify",
                "consent:yes",
            ]
        ),
    )
)
async def test_button_data_the_bot_did_not_sign_is_refused(bot: Bot, data: str) -> None:
    if bot.service is None:
        await bot.start()
        await _to_search_results(bot)
    fake = bot.fake
    results = fake.last_keyboard(CHAT)
    seen = await _count(bot, ProcessedInbound)
    before = await _state(bot)
    answers = len(fake.calls("answerCallbackQuery"))
    replies = await bot.send(fake.press_update(results, data))
    assert replies == []
    [answer] = fake.calls("answerCallbackQuery")[answers:]
    assert answer.params["text"] == tg("forged") and answer.params["show_alert"] in (True, "true")
    assert await _count(bot, ProcessedInbound) == seen  # never reached the handlers
    assert await _state(bot) == before


async def test_a_signed_button_for_another_village_reveals_nothing(bot: Bot, now: datetime) -> None:
    async with bot.db.unit_of_work() as uow:
        await load_regions(uow, "18.04.07")
        await load_register_csv(uow, DEMO_DIR / "households_sukananti.csv", now)
        elsewhere = await uow.households.pending(SUKANANTI, 0, 10)
    await bot.start()
    await _to_search_results(bot)
    assert elsewhere
    signer = CallbackSigner(bot.fake.token)
    before = await _state(bot)
    texts: list[str] = []
    for household_id in [h.id for h in elsewhere] + [999_999]:
        await bot.say(CHAT, "Agus")  # a fresh list (a pressed one is closed, even if refused)
        results = bot.fake.last_keyboard(CHAT)
        data = signer.sign(CHAT, Kind.CHOICE, f"hh:{household_id}")
        button = {"text": "1. Keluarga", "callback_data": data}
        shown = dataclasses.replace(results, reply_markup={"inline_keyboard": [[button]]})
        replies = await bot.send(bot.fake.press_update(shown, data))
        check_answered(replies)
        texts.append(bot.text())
        for message in bot.fake.sent_to(CHAT):  # edits included
            assert not any(secret in message.text for secret in FOREIGN)
    # A household of another village and one that does not exist: the same words.
    assert set(texts) == {"⚠️ " + NOT_ALLOWED}
    assert await _state(bot) == before
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    assert "Status keluarga" in bot.text()


async def test_replayed_and_out_of_order_updates_through_the_webhook(webhook_bot: Bot) -> None:
    bot = webhook_bot
    fake = bot.fake
    await bot.start()
    late = fake.text_update(CHAT, "menu")  # an update Telegram will deliver out of order
    await bot.register(CHAT, "KWL-TGAAAA")
    await bot.say(CHAT, "1")
    search = fake.text_update(CHAT, "Agus Hidayat")
    await bot.send(search)
    assert "Ditemukan 1 keluarga" in bot.text()
    seen = await _count(bot, ProcessedInbound)
    before = await _state(bot)
    for _ in range(3):  # Telegram retries a webhook it thinks failed: the same update_id
        assert await bot.send(search) == []
    assert await _count(bot, ProcessedInbound) == seen
    assert await _state(bot) == before
    # An older update_id arriving late is still a new update: handled once.
    assert int(late["update_id"]) < int(search["update_id"])
    replies = await bot.send(late)
    assert "Menu utama" in bot.text() or "masih punya isian" in bot.text(), bot.text()
    check_answered(replies)
    assert await bot.send(late) == []
    assert await _count(bot, ProcessedInbound) == seen + 1


async def test_old_keyboards_after_the_form_moved_on(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    await bot.register(CHAT, "KWL-TGAAAA")
    menu = fake.last_keyboard(CHAT)  # answered by typing: its buttons stay on screen
    await bot.say(CHAT, "1")
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    status = fake.last_keyboard(CHAT)
    found = status.button("Ditemukan")["callback_data"]
    await bot.press(CHAT, "Ditemukan")
    assert "Alamat" in bot.text()
    before = await _state(bot)
    # The answered keyboard is gone from the message: pressing it again is refused.
    answers = len(fake.calls("answerCallbackQuery"))
    assert await bot.send(fake.press_update(status, found)) == []
    [answer] = fake.calls("answerCallbackQuery")[answers:]
    assert answer.params["text"] == tg("stale")
    # The old menu still shows its buttons; a restart forgot which keyboard is the newest.
    await bot.stop()
    await bot.start()
    replies = await bot.send(fake.press_update(menu, menu.button("Verifikasi")["callback_data"]))
    check_answered(replies)
    assert "masih punya isian" in bot.text(), bot.text()
    assert await _state(bot) == before
    await bot.say(CHAT, "/lanjut")
    assert "Alamat" in bot.text()


UNKNOWN_COMMANDS = (
    "/foo",
    "/ADMIN drop table households",
    "/start@another_bot KWL-ZZZZZZ",
    "/menu@kawal_test_bot",
    "/export 18.04",
    "/" + "a" * 200,
    "/",
    "/start " + "A" * 4000,
    "/lanjut",
    "/batal",
)


async def test_unknown_and_odd_commands_at_every_stage(bot: Bot) -> None:
    await bot.start()
    people = await _count(bot, Person)
    for command in UNKNOWN_COMMANDS:  # not registered
        check_answered(await bot.say(CHAT, command), command)
    assert await _count(bot, Person) == people
    await bot.register(CHAT, "KWL-TGAAAA")
    for command in UNKNOWN_COMMANDS:  # the menu
        check_answered(await bot.say(CHAT, command), command)
    await bot.say(CHAT, "1")
    await bot.say(CHAT, "Agus Hidayat")
    await bot.say(CHAT, "1")
    before = await _state(bot)
    for command in UNKNOWN_COMMANDS:  # inside a form
        if command == "/batal":
            continue  # a real command: it asks whether to cancel
        check_answered(await bot.say(CHAT, command), command)
    assert "Perintah /foo tidak dikenal" in "\n".join(m.text for m in bot.fake.sent_to(CHAT))
    assert await _state(bot) == before
    assert await _count(bot, Submission) == 0


def _media(fake: Any, chat: int) -> dict[str, dict[str, Any]]:
    def message(**content: Any) -> dict[str, Any]:
        built: dict[str, Any] = fake._message(chat, "Budi", **content)
        return built

    return {
        "photo": fake.photo_update(chat),
        "document": fake.document_update(chat, "../../kawal.db"),
        "spreadsheet": fake.document_update(chat, "dtks_sri_menanti.xlsx"),
        "sticker": fake.sticker_update(chat),
        "location": fake.location_update(chat, -5.05, 104.15),
        "voice": message(voice={"file_id": "v1", "file_unique_id": "v1", "duration": 3}),
        "contact": message(contact={"phone_number": "+6281234567890", "first_name": "Siti"}),
        "video_note": message(
            video_note={"file_id": "vn", "file_unique_id": "vn", "length": 240, "duration": 2}
        ),
        "dice": message(dice={"emoji": "🎲", "value": 3}),
        "audio": message(audio={"file_id": "a1", "file_unique_id": "a1", "duration": 9}),
    }


async def _send_all_media(bot: Bot, chat: int) -> None:
    for name, update in _media(bot.fake, chat).items():
        check_answered(await bot.send(update), name)


async def test_media_where_text_is_expected(bot: Bot) -> None:
    await bot.start()
    people = await _count(bot, Person)
    await _send_all_media(bot, CHAT)  # not registered
    assert await _count(bot, Person) == people
    await bot.say(CHAT, "/start KWL-TGAAAA")
    await _send_all_media(bot, CHAT)  # the data notice
    await bot.press(CHAT, "Setuju")
    assert "Menu utama" in bot.text()
    await _send_all_media(bot, CHAT)  # the menu
    assert t("file_not_expected", "id") in "\n".join(m.text for m in bot.fake.sent_to(CHAT))
    await bot.say(CHAT, "1")
    await _send_all_media(bot, CHAT)  # the household search
    await bot.say(CHAT, "Agus Hidayat")
    await bot.say(CHAT, "1")
    before = await _state(bot)
    await _send_all_media(bot, CHAT)  # a question with options
    assert await _state(bot) == before
    await bot.say(CHAT, "ditemukan")
    assert "Alamat" in bot.text()
    assert await _count(bot, Submission) == 0
    # No question asked for a file: none was fetched.
    assert bot.fake.calls("getFile") == [] and bot.fake.calls("download") == []


# ---- the webhook's door -----------------------------------------------------------------------


async def _raw(
    bot: Bot,
    head: bytes,
    body: bytes = b"",
    *,
    length: int | None = None,
    trickle: float | None = None,
    within: float = 10.0,
) -> tuple[int, float]:
    """Send a hand-written request to the webhook (``head``: the header lines); the status and
    the seconds until it came. ``length`` claims another Content-Length than ``body``'s;
    ``trickle`` sends the body a byte at a time, that many seconds apart."""
    assert bot.service is not None
    address = urlsplit(bot.service.base_url)
    assert address.hostname is not None and address.port is not None
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    started = time.monotonic()
    try:
        claimed = len(body) if length is None else length
        writer.write(
            b"POST /telegram/webhook HTTP/1.1\r\nHost: kawal.example\r\n"
            b"Content-Type: application/json\r\n"
            + head
            + f"Content-Length: {claimed}\r\n\r\n".encode()
        )
        if trickle is None:
            writer.write(body)
        await writer.drain()

        async def dribble() -> None:
            for byte in body:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(trickle or 0)

        sending = asyncio.ensure_future(dribble() if trickle is not None else asyncio.sleep(0))
        try:
            async with asyncio.timeout(within):
                status_line = await reader.readline()
        finally:
            sending.cancel()
            await asyncio.gather(sending, return_exceptions=True)
        return int(status_line.split()[1]), time.monotonic() - started
    finally:
        writer.close()
        await asyncio.gather(writer.wait_closed(), return_exceptions=True)


def _secret_line(value: bytes) -> bytes:
    return SECRET_HEADER.encode() + b": " + value + b"\r\n"


def _no_traceback(caplog: Any) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


async def test_a_secret_that_is_not_utf8_is_unauthorized(webhook_bot: Bot, caplog: Any) -> None:
    bot = webhook_bot
    await bot.start()
    update = json.dumps(bot.fake.text_update(CHAT, "/start KWL-TGAAAA")).encode()
    for secret in (b"\xff\xfe\x80", WEBHOOK_SECRET.encode() + b"\xc3\x28", b"\xc0\xaf" * 20):
        status, _ = await _raw(bot, _secret_line(secret), update)
        assert status == 401, secret
    assert await _count(bot, ProcessedInbound) == 0 and bot.fake.calls("sendMessage") == []
    _no_traceback(caplog)
    status, _ = await _raw(bot, _secret_line(WEBHOOK_SECRET.encode()), update)
    assert status == 200  # the same request with the right secret is served


NOT_UPDATES = (
    b"[" * 100_000 + b"]" * 100_000,
    b'{"update_id": 7, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"update_id": 7, "message": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001,
    b"[1, 2]",
    b'"update"',
    b"null",
    b"{}",
    b'{"update_id": "7"}',
    b'{"update_id": true, "message": {}}',
    b'{"update_id": 7.5}',
    b"\xff\xfe not json",
)


async def test_json_that_is_not_an_update_is_400_without_a_traceback(
    webhook_bot: Bot, caplog: Any
) -> None:
    bot = webhook_bot
    await bot.start()
    for body in NOT_UPDATES:
        assert await _post(bot, body) == 400, body[:40]
    assert await _count(bot, ProcessedInbound) == 0
    _no_traceback(caplog)
    await bot.say(CHAT, "/start KWL-TGAAAA")  # and the bot still serves
    assert "UU PDP" in bot.text()


async def test_a_body_that_stalls_or_trickles_gets_408(webhook_bot: Bot, caplog: Any) -> None:
    bot = webhook_bot
    service = await bot.start()
    assert service.telegram is not None and service.telegram.webhook is not None
    service.telegram.webhook.body_timeout = 0.5
    update = json.dumps(bot.fake.text_update(CHAT, "/start KWL-TGAAAA")).encode()
    secret = _secret_line(WEBHOOK_SECRET.encode())
    # Headers, part of the body, then nothing.
    status, took = await _raw(bot, secret, update[:20], length=len(update))
    assert status == 408 and 0.4 < took < 5
    # The whole body, a byte every 0.05 s: it would take longer than the timeout.
    status, took = await _raw(bot, secret, update, trickle=0.05)
    assert status == 408 and 0.4 < took < 5
    assert await _count(bot, ProcessedInbound) == 0 and bot.fake.calls("sendMessage") == []
    _no_traceback(caplog)
    status, _ = await _raw(bot, secret, update)  # in time: served
    assert status == 200


async def test_messages_older_than_a_week_are_acknowledged_and_ignored(
    bot: Bot, now: datetime
) -> None:
    await bot.start(clock=FixedClock(now))
    await bot.register(CHAT, "KWL-TGAAAA")
    claims = await _count(bot, ProcessedInbound)

    def dated(text: str, age: timedelta, **extra: Any) -> dict[str, Any]:
        update = bot.fake.text_update(CHAT, text)
        update["message"].update(date=int((now - age).timestamp()), **extra)
        return update

    recent = int(now.timestamp())
    for update in (
        dated("menu", timedelta(days=8)),
        dated("/menu", timedelta(days=7, seconds=1)),
        dated("menu", timedelta(days=30), edit_date=recent),  # an edit does not make it new
        {**dated("menu", timedelta(days=9)), "update_id": bot.fake.new_update_id()},
    ):
        assert await bot.send(update) == []  # acknowledged (polling: offset; webhook: 200)
    assert await _count(bot, ProcessedInbound) == claims
    await bot.send(dated("menu", timedelta(days=6)))
    assert "Menu utama" in bot.text()
