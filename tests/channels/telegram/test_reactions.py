"""Emoji reactions over real HTTP: an operator reacting to an announcement the outbox sent has
read it ("Sudah dibaca & dipahami", as the button); nothing is replied to a reaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.model import Draft
from handlers.ports import FixedClock
from tests.channels.telegram.conftest import Bot

CHAT = 7601
THUMBS_UP = [{"type": "emoji", "emoji": "👍"}]


async def _acknowledged(bot: Bot, announcement: int) -> int:
    async with bot.db.unit_of_work() as uow:
        found = await reports.report(uow, announcement)
    assert found is not None
    return found.overall.acknowledged


async def test_a_reaction_to_an_announcement_acknowledges_it(bot: Bot, now: datetime) -> None:
    clock = FixedClock(now)
    service = await bot.start(clock=clock)
    fake = bot.fake
    await bot.register(CHAT, "KWL-TGAAAA")
    menu = fake.last_keyboard(CHAT)
    async with bot.db.unit_of_work() as uow:
        draft = Draft("Rapat koordinasi operator Senin pukul 09.00.", ("18.04",), ("operator",))
        announcement = await announcements.create(uow, draft, by=None, channel="cli", now=now)
    assert service.outbox is not None
    await service.outbox.run_once()
    [sent] = [m for m in fake.sent_to(CHAT) if "Rapat koordinasi" in m.text]

    # Reactions that say nothing, or not about the announcement: no acknowledgement.
    custom = [{"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"}]
    assert await bot.send(fake.reaction_update(CHAT, sent.message_id, custom)) == []
    assert await bot.send(fake.reaction_update(CHAT, sent.message_id, [], THUMBS_UP)) == []
    assert await bot.send(fake.reaction_update(CHAT, menu.message_id, THUMBS_UP)) == []
    assert await _acknowledged(bot, announcement) == 0

    clock.advance(timedelta(hours=2))
    reaction = fake.reaction_update(CHAT, sent.message_id, [*custom, *THUMBS_UP])
    assert await bot.send(reaction) == []  # never answered
    assert await _acknowledged(bot, announcement) == 1
    async with bot.db.unit_of_work() as uow:
        [row] = await uow.outbox.of_campaign(f"announcement:{announcement}")
    assert row.acknowledged_at == now + timedelta(hours=2)
    # Taken back later: it stays read.
    assert await bot.send(fake.reaction_update(CHAT, sent.message_id, [], THUMBS_UP)) == []
    assert await _acknowledged(bot, announcement) == 1


async def test_a_strangers_reaction_is_not_answered(bot: Bot) -> None:
    await bot.start()
    async with bot.db.unit_of_work() as uow:
        people = len(await uow.people.list_people())
    assert await bot.send(bot.fake.reaction_update(CHAT, 1, THUMBS_UP)) == []
    assert bot.fake.calls("sendMessage") == []
    async with bot.db.unit_of_work() as uow:
        assert len(await uow.people.list_people()) == people
        assert await uow.people.find_by_identity("telegram", str(CHAT)) is None
