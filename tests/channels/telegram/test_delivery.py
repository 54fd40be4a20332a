"""Exactly-once effects, rate limits, blocked users, webhook secrets, forged buttons, offsets."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from bot.channels.telegram.callbacks import CallbackSigner, Kind
from bot.channels.telegram.channel import Handle
from handlers.messages import Inbound, Reply, Text, to_data
from storage.db import Database
from storage.repos.outbox import NewMessage
from tests.channels.telegram.conftest import WEBHOOK_SECRET, Bot

CHAT = 6001


async def _processed(db: Database) -> set[str]:
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(text("SELECT platform_id FROM processed_inbound"))
    return {row[0] for row in rows}


async def _session_state(db: Database, chat: int) -> Any:
    async with db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(chat))
        assert person is not None
        session = await uow.sessions.get_open(person.person_id)
    return None if session is None else json.dumps(session.state, sort_keys=True, default=str)


async def test_a_redelivered_update_changes_nothing(bot: Bot) -> None:
    await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    await bot.press(CHAT, "Verifikasi keluarga")
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Ditemukan")
    update = bot.fake.text_update(CHAT, "Dusun IV")
    first = await bot.send(update)
    assert "RT" in bot.text()
    state = await _session_state(bot.db, CHAT)
    sent_before = len(bot.fake.calls("sendMessage"))

    again = await bot.send(json.loads(json.dumps(update)))  # the same update_id again

    assert again == []
    assert len(bot.fake.calls("sendMessage")) == sent_before
    assert await _session_state(bot.db, CHAT) == state
    assert len(first) == 1 and str(update["update_id"]) in await _processed(bot.db)


async def test_429_retry_after_is_honoured(tmp_path: Any, polling_bot: Bot) -> None:
    bot = polling_bot
    await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    bot.fake.fail_next("sendMessage", status=429, retry_after=2)
    started = len(bot.fake.requests)

    replies = await bot.say(CHAT, "/menu")

    sends = [r for r in bot.fake.requests[started:] if r.method == "sendMessage"]
    assert [r.status for r in sends] == [429, 200]
    assert sends[1].at - sends[0].at >= 2.0
    assert "Menu utama" in replies[-1].text


async def test_403_marks_blocked_until_the_user_writes_again(polling_bot: Bot) -> None:
    bot = polling_bot
    service = await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    bot.fake.fail_next("sendMessage", status=403)

    assert await bot.say(CHAT, "/menu") == []

    async with bot.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(CHAT))
    assert person is not None and person.blocked_at is not None
    assert service.outbox is not None
    calls = len(bot.fake.requests)
    await _enqueue(bot.db, person.person_id, "reminder:1", "Pengingat tenggat")
    await service.outbox.run_once()
    assert len(bot.fake.requests) == calls  # refused without calling the API
    assert await _outbox_status(bot.db, "reminder:1") == "blocked"

    replies = await bot.say(CHAT, "/menu")  # writing again unblocks
    assert "Menu utama" in replies[-1].text
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(CHAT))
    assert person is not None and person.blocked_at is None
    await _enqueue(bot.db, person.person_id, "reminder:2", "Pengingat tenggat")
    await service.outbox.run_once()
    assert await _outbox_status(bot.db, "reminder:2") == "sent"
    assert bot.fake.sent_to(CHAT)[-1].text == "Pengingat tenggat"


async def _enqueue(db: Database, person_id: int, campaign: str, text: str) -> None:
    async with db.unit_of_work() as uow:
        message = NewMessage(campaign, "reminder", person_id, to_data([Text(text)]))
        assert await uow.outbox.enqueue([message], datetime.now(UTC)) == 1


async def _outbox_status(db: Database, campaign: str) -> str:
    async with db.unit_of_work() as uow:
        [row] = await uow.outbox.of_campaign(campaign)
    return row.status


async def test_webhook_refuses_a_wrong_or_missing_secret(webhook_bot: Bot) -> None:
    bot = webhook_bot
    await bot.start()
    update = bot.fake.text_update(CHAT, "/start KWL-TGAAAA")
    assert await bot.post(update, secret="wrong-secret-wrong-secret") == 401
    assert await bot.post(update, secret=None) == 401
    assert await bot.post(update, secret=WEBHOOK_SECRET[:-1]) == 401
    assert await _processed(bot.db) == set()
    assert bot.fake.calls("sendMessage") == []
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", str(CHAT)) is None
    # The same update with the right secret is handled.
    assert await bot.post(update) == 200
    assert await _processed(bot.db) == {str(update["update_id"])}


async def test_forged_callback_data_never_reaches_the_handlers(bot: Bot) -> None:
    await bot.start()
    await bot.say(CHAT, "/start KWL-TGAAAA")
    consent = bot.fake.last_keyboard(CHAT)
    genuine = consent.button("Setuju")["callback_data"]
    other_chat = CallbackSigner(bot.fake.token).sign(CHAT + 1, Kind.CHOICE, "consent:yes")
    other_token = CallbackSigner("999:other").sign(CHAT, Kind.CHOICE, "consent:yes")
    garbled = genuine[:-1] + ("x" if genuine[-1] != "x" else "y")
    before = await _processed(bot.db)
    answers = len(bot.fake.calls("answerCallbackQuery"))

    for data in (other_chat, other_token, garbled, "consent:yes", "", "x" * 64):
        assert await bot.send(bot.fake.press_update(consent, data)) == []

    assert await _processed(bot.db) == before
    refusals = bot.fake.calls("answerCallbackQuery")[answers:]
    assert len(refusals) == 6
    assert all("tidak dikenali" in r.params["text"] for r in refusals)
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(CHAT))
    assert person is not None and person.consent_at is None
    assert consent.buttons()  # the real keyboard still works
    await bot.press(CHAT, "Setuju")
    assert "Menu utama" in bot.text()


async def test_an_old_button_pressed_twice_answers_once(bot: Bot) -> None:
    await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    menu = bot.fake.last_keyboard(CHAT)
    data = menu.button("Verifikasi keluarga")["callback_data"]
    first = bot.fake.press_update(menu, data)
    second = bot.fake.press_update(menu, data)  # a quick double tap: built before the edit
    assert "Cari keluarga" in "\n".join(m.text for m in await bot.send(first))
    sends = len(bot.fake.calls("sendMessage"))

    assert await bot.send(second) == []
    assert await bot.send(bot.fake.press_update(menu, data)) == []  # the message as it is now

    assert len(bot.fake.calls("sendMessage")) == sends
    assert str(second["update_id"]) not in await _processed(bot.db)
    stale = bot.fake.calls("answerCallbackQuery")[-1]
    assert "sudah dijawab" in stale.params["text"]


async def test_polling_offset_waits_for_the_commit(polling_bot: Bot) -> None:
    bot = polling_bot
    entered = asyncio.Event()
    release = asyncio.Event()
    calls: list[str] = []

    def slow_then_failing(handle: Handle) -> Handle:
        async def wrapped(inbound: Inbound) -> Reply:
            calls.append(inbound.platform_id)
            if len(calls) == 1:
                entered.set()
                await release.wait()
                raise RuntimeError("the database went away")  # not committed
            return await handle(inbound)

        return wrapped

    await bot.start(wrap_handle=slow_then_failing)
    update_id = bot.fake.push(bot.fake.text_update(CHAT, "/start KWL-TGAAAA"))
    await asyncio.wait_for(entered.wait(), 5)
    await asyncio.sleep(0.3)  # the poller would have asked again by now if it did not wait
    assert all(o is None or o <= update_id for o in bot.fake.offsets)
    release.set()
    await bot.fake.wait_acknowledged(update_id)

    # The failed try was not acknowledged: the update came again and was handled once.
    assert calls == [str(update_id), str(update_id)]
    first_ack = next(i for i, o in enumerate(bot.fake.offsets) if o is not None and o > update_id)
    assert update_id in bot.fake.offsets[:first_ack]
    assert await _processed(bot.db) == {str(update_id)}
    [reply] = bot.fake.sent_to(CHAT)
    assert "UU PDP" in reply.text


async def test_webhook_answers_only_after_the_commit(webhook_bot: Bot) -> None:
    bot = webhook_bot
    release = asyncio.Event()
    calls: list[str] = []

    def failing_then_slow(handle: Handle) -> Handle:
        async def wrapped(inbound: Inbound) -> Reply:
            calls.append(inbound.platform_id)
            if len(calls) == 1:
                raise RuntimeError("crashed before the commit")
            await release.wait()
            return await handle(inbound)

        return wrapped

    await bot.start(wrap_handle=failing_then_slow)
    update = bot.fake.text_update(CHAT, "/start KWL-TGAAAA")
    assert await bot.post(update) == 500  # Telegram will deliver it again
    assert await _processed(bot.db) == set()

    again = asyncio.create_task(bot.post(update))
    await asyncio.sleep(0.3)
    assert not again.done()  # no answer while the handler has not committed
    release.set()
    assert await again == 200
    assert await _processed(bot.db) == {str(update["update_id"])}


async def test_polling_does_not_hold_a_chat_behind_another_chats_slow_update(
    polling_bot: Bot,
) -> None:
    bot = polling_bot
    other = CHAT + 1
    slow_entered = asyncio.Event()
    release = asyncio.Event()

    def first_chat_slow(handle: Handle) -> Handle:
        async def wrapped(inbound: Inbound) -> Reply:
            if inbound.external_id == str(CHAT):
                slow_entered.set()
                await release.wait()
            return await handle(inbound)

        return wrapped

    await bot.start(wrap_handle=first_chat_slow)
    slow_id = bot.fake.push(bot.fake.text_update(CHAT, "/start KWL-TGAAAA"))
    await asyncio.wait_for(slow_entered.wait(), 5)
    try:
        # Fetched after the slow one started: handled at once, not after the slow one's batch.
        quick_id = bot.fake.push(bot.fake.text_update(other, "/start", name="Sari"))
        await bot.fake.wait_for(lambda: bool(bot.fake.sent_to(other)), within=5)
        assert not bot.fake.sent_to(CHAT)
        assert all(o is None or o <= slow_id for o in bot.fake.offsets)  # nothing confirmed
    finally:
        release.set()
    await bot.fake.wait_acknowledged(quick_id)
    assert await _processed(bot.db) == {str(slow_id), str(quick_id)}
    assert len(bot.fake.sent_to(CHAT)) == 1
    assert len(bot.fake.sent_to(other)) == 1


async def test_polling_keeps_one_chats_updates_in_order(polling_bot: Bot) -> None:
    bot = polling_bot
    release = asyncio.Event()
    seen: list[str] = []

    def first_update_slow(handle: Handle) -> Handle:
        async def wrapped(inbound: Inbound) -> Reply:
            seen.append(inbound.text)
            if inbound.text == "satu":
                await release.wait()
            return await handle(inbound)

        return wrapped

    await bot.start(wrap_handle=first_update_slow)
    bot.fake.push(bot.fake.text_update(CHAT, "satu"))
    await bot.fake.wait_for(lambda: seen == ["satu"], within=5)
    last = bot.fake.push(bot.fake.text_update(CHAT, "dua"))
    try:
        await asyncio.sleep(0.3)  # "dua" was fetched by now and waits behind "satu"
        assert seen == ["satu"]
    finally:
        release.set()
    await bot.fake.wait_acknowledged(last)
    assert seen == ["satu", "dua"]


async def test_a_keyboard_sent_by_another_process_is_not_stale(bot: Bot) -> None:
    """Behind one webhook, two processes each remember only the keyboards they sent: a press
    on a newer keyboard than this process's newest is answered (an older one stays stale:
    test_an_old_button_pressed_twice_answers_once)."""
    service = await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    menu = bot.fake.last_keyboard(CHAT)
    assert service.telegram is not None
    sender = service.telegram.channel.sender
    sender.latest_keyboard.remember(CHAT, menu.message_id - 1)  # as if the other sent the menu
    data = menu.button("Verifikasi keluarga")["callback_data"]
    assert "Cari keluarga" in "\n".join(
        m.text for m in await bot.send(bot.fake.press_update(menu, data))
    )
