"""Proactive messages through the real bot's outbox and the fake Bot API over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from bot.channels.telegram.channel import Handle
from handlers.announcements import model as announcements
from handlers.announcements.model import Draft
from handlers.messages import Inbound, InboundKind, Question, Reply, Text, to_data
from handlers.ports import FixedClock
from reminders.outbox import OutboxSender
from storage.db import Database
from storage.repos.outbox import NewMessage, OutboxRecord
from tests.channels.telegram.conftest import Bot

CHAT = 7001


async def _enqueue(db: Database, now: datetime, campaign: str, *messages: Text | Question) -> None:
    async with db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(CHAT))
        assert person is not None
        payload = to_data(list(messages))
        await uow.outbox.enqueue([NewMessage(campaign, "test", person.person_id, payload)], now)


async def _rows(db: Database, campaign: str) -> list[OutboxRecord]:
    async with db.unit_of_work() as uow:
        return await uow.outbox.of_campaign(campaign)


async def _row(db: Database, campaign: str) -> OutboxRecord:
    [row] = await _rows(db, campaign)
    return row


@dataclass
class Running:
    bot: Bot
    clock: FixedClock
    outbox: OutboxSender


@pytest.fixture
async def running(polling_bot: Bot, now: datetime) -> Running:
    """The bot polling, its clock fixed, with an operator registered in chat ``CHAT``."""
    clock = FixedClock(now)
    service = await polling_bot.start(clock=clock)
    await polling_bot.register(CHAT, "KWL-TGAAAA")
    assert service.outbox is not None
    return Running(polling_bot, clock, service.outbox)


async def test_a_proactive_message_goes_out_once_through_the_wire_session(
    running: Running, now: datetime
) -> None:
    bot = running.bot
    await _enqueue(bot.db, now, "deadline:1:T-7", Text("Tenggat verifikasi: 27 Januari"))

    await running.outbox.run_once()

    [sent] = [m for m in bot.fake.sent_to(CHAT) if "Tenggat" in m.text]
    row = await _row(bot.db, "deadline:1:T-7")
    assert (row.status, row.platform_message_id) == ("sent", str(sent.message_id))


async def test_429_reschedules_the_row_by_retry_after(running: Running, now: datetime) -> None:
    bot, clock = running.bot, running.clock
    await _enqueue(bot.db, now, "announcement:1", Text("Pengumuman"))
    bot.fake.fail_next("sendMessage", status=429, retry_after=1)

    await running.outbox.run_once()
    row = await _row(bot.db, "announcement:1")
    assert (row.status, row.next_attempt_at) == ("pending", now + timedelta(seconds=1))
    clock.advance(timedelta(seconds=1))
    await running.outbox.run_once()  # the limiter waited the pause out first
    assert (await _row(bot.db, "announcement:1")).status == "sent"
    sends = [r for r in bot.fake.calls("sendMessage") if r.params.get("text") == "Pengumuman"]
    assert [r.status for r in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 1.0


async def test_a_send_without_an_answer_is_uncertain_and_never_repeated(
    running: Running, now: datetime
) -> None:
    bot, clock = running.bot, running.clock
    await _enqueue(bot.db, now, "announcement:2", Text("Pengumuman penting"))
    bot.fake.drop_next("sendMessage")

    await running.outbox.run_once()
    clock.advance(timedelta(days=1))
    await running.outbox.run_once()

    assert (await _row(bot.db, "announcement:2")).status == "uncertain"
    assert [m.text for m in bot.fake.sent_to(CHAT)].count("Pengumuman penting") == 1


async def test_a_proactive_button_works_beside_an_open_form(
    polling_bot: Bot, now: datetime
) -> None:
    bot = polling_bot
    seen: list[Inbound] = []

    def spy(handle: Handle) -> Handle:
        async def wrapped(inbound: Inbound) -> Reply:
            seen.append(inbound)
            return await handle(inbound)

        return wrapped

    service = await bot.start(wrap_handle=spy, clock=FixedClock(now))
    await bot.register(CHAT, "KWL-TGAAAA")
    await bot.press(CHAT, "Verifikasi keluarga")
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    form_keyboard = bot.fake.last_keyboard(CHAT)  # "Status keluarga": Ditemukan / ...
    assert service.outbox is not None
    async with bot.db.unit_of_work() as uow:
        notice = Draft("Aplikasi SIKS-NG versi baru.", ("18.04",), ("operator",))
        announcement = await announcements.create(uow, notice, by=None, channel="cli", now=now)
    await service.outbox.run_once()
    assert bot.fake.last_keyboard(CHAT).message_id != form_keyboard.message_id

    # The form's keyboard still answers the form: a broadcast does not make it stale ...
    button = form_keyboard.button("Ditemukan")
    await bot.send(bot.fake.press_update(form_keyboard, button["callback_data"]))
    assert (seen[-1].kind, seen[-1].text) == (InboundKind.CHOICE, "Ditemukan")
    assert "Alamat" in bot.text()
    # ... and the broadcast's own button works too.
    [broadcast] = [m for m in bot.fake.sent_to(CHAT) if "versi baru" in m.text]
    button = broadcast.button("Sudah dibaca & dipahami")
    await bot.send(bot.fake.press_update(broadcast, button["callback_data"]))
    assert seen[-1].payload == f"ann:ack:{announcement}"
    assert f"memahami pengumuman #{announcement}" in bot.text()
    [row] = await _rows(bot.db, f"announcement:{announcement}")
    assert row.status == "sent" and row.acknowledged_at == now
