"""Only the right person, in the right chat: groups, supergroups and channels over real HTTP
(the real bot, the fake Bot API, polling and webhook).

Kawal serves people only in private chats. Added to a group it says one line (where it serves
and how to get there) and leaves; whatever the members then send (an invite code, a name, a
photo, a button) reaches nobody and is stored nowhere. Service messages get no reply anywhere.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from bot.channels.telegram.callbacks import CallbackSigner, Kind
from bot.channels.telegram.texts import private_only
from storage.models import (
    AccessThrottle,
    FormSession,
    Identity,
    Person,
    ProcessedInbound,
    Submission,
)
from tests.channels.telegram.conftest import Bot
from tests.fakes.telegram_api import Sent

GROUP = -4008338308  # a basic group
SUPERGROUP = -1002162095988
CHANNEL = -1001234567890
MEMBER, OTHER = 5001, 5002
PRIVATE = 7501
LINE = private_only("id", "kawal_test_bot")

# What a group must never be shown: names, RT/RW and numbers from the register.
_REGISTER_WORDS = ("Agus Hidayat", "Ditemukan", "RT", "RW", "Status keluarga", "UU PDP", "Menu")
_DIGITS_16 = re.compile(r"\d{16}")

# An administrator's rights as a Bot API server of early 2025 sends them (before
# can_send_welcome_messages and the newest rights): aiogram's model refuses them as they are.
ADMIN_2025 = {
    "can_be_edited": False,
    "can_manage_chat": True,
    "can_change_info": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "can_post_stories": True,
    "can_edit_stories": True,
    "can_delete_stories": True,
    "is_anonymous": False,
    "can_manage_voice_chats": True,
}
# A channel administrator before stories existed (Bot API 6.x).
CHANNEL_ADMIN_6 = {
    "can_be_edited": False,
    "can_manage_chat": True,
    "can_change_info": True,
    "can_post_messages": True,
    "can_edit_messages": True,
    "can_delete_messages": True,
    "can_invite_users": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_manage_video_chats": True,
    "is_anonymous": False,
    "can_manage_voice_chats": True,
}


async def _count(bot: Bot, model: Any, *where: Any) -> int:
    async with bot.db.unit_of_work() as uow:
        query = select(func.count()).select_from(model)
        for condition in where:
            query = query.where(condition)
        return int(await uow.session.scalar(query) or 0)


def _to_groups(bot: Bot) -> list[tuple[str, dict[str, Any]]]:
    """Every request the bot made about a chat that is not private (negative chat ids)."""
    return [
        (r.method, r.params)
        for r in bot.fake.requests
        if isinstance(r.params.get("chat_id"), int) and r.params["chat_id"] < 0
    ]


def _check_nothing_shown(bot: Bot) -> None:
    for method, params in _to_groups(bot):
        text = str(params.get("text", "")) + str(params.get("caption", ""))
        assert method in ("sendMessage", "leaveChat"), method
        assert not any(word in text for word in _REGISTER_WORDS), text
        assert not _DIGITS_16.search(text), text
    for answer in bot.fake.calls("answerCallbackQuery"):
        assert answer.params.get("text") in (None, LINE)


async def _check_stored_nothing(bot: Bot, *chats: int, since: int = 0) -> None:
    ids = [str(chat) for chat in chats]
    assert await _count(bot, Identity, Identity.external_id.in_(ids)) == 0
    assert await _count(bot, ProcessedInbound) == since  # no update of theirs was claimed
    assert await _count(bot, FormSession) == 0
    assert await _count(bot, Submission) == 0
    assert await _count(bot, AccessThrottle) == 0  # not even a failed invite guess


def _group_text(bot: Bot, chat: int, text: str, member: int = MEMBER) -> dict[str, Any]:
    return bot.fake.in_group(bot.fake.text_update(member, text), chat, member=member)


async def test_a_group_conversation_reaches_nobody(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    people = await _count(bot, Person)

    # Added to the group: the one line, then it leaves.
    replies = await bot.send(fake.bot_added_update(GROUP))
    assert [m.text for m in replies] == [LINE]
    assert "@kawal_test_bot" in LINE and "MULAI" in LINE
    assert fake.left == [GROUP]
    joined = fake.service_update(GROUP, new_chat_members=[fake._bot_user()])
    assert await bot.send(joined) == []

    # The members try anyway (their client still shows the group): nothing answers.
    signer = CallbackSigner(fake.token)
    old_menu = Sent(1, GROUP, "sendMessage", "Menu utama", None)
    conversation = [
        _group_text(bot, GROUP, "/start@kawal_test_bot KWL-TGAAAA"),
        _group_text(bot, GROUP, "/start KWL-TGAAAA", member=OTHER),
        _group_text(bot, GROUP, "agus"),
        _group_text(bot, GROUP, "1"),
        _group_text(bot, GROUP, "Agus Hidayat"),
        fake.in_group(fake.photo_update(MEMBER, caption="rumah"), GROUP),
        fake.in_group(fake.document_update(MEMBER, "dtks.csv"), GROUP),
        fake.in_group(fake.location_update(MEMBER, -5.05, 104.15), GROUP),
        fake.press_update(
            old_menu,
            signer.sign(GROUP, Kind.CHOICE, "m:verify"),
            group=fake.group_chat(GROUP),
            user_id=MEMBER,
        ),
        fake.reaction_update(GROUP, 1, [{"type": "emoji", "emoji": "👍"}], chat_type="group"),
    ]
    for update in conversation:
        assert await bot.send(update) == []
    # The button got the line as an alert, and nothing else.
    [alert] = fake.calls("answerCallbackQuery")
    assert alert.params["text"] == LINE and alert.params["show_alert"] in (True, "true")

    assert [m.text for m in fake.sent_to(GROUP)] == [LINE]
    assert fake.left == [GROUP]
    assert fake.calls("getFile") == [] and fake.calls("download") == []
    _check_nothing_shown(bot)
    await _check_stored_nothing(bot, GROUP, MEMBER, OTHER)
    assert await _count(bot, Person) == people
    async with bot.db.unit_of_work() as uow:
        invite = await uow.invites.get("KWL-TGAAAA")
    assert invite is not None and invite.uses == 0

    # The same person, in a private chat, registers with that very code.
    await bot.register(MEMBER, "KWL-TGAAAA")
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(MEMBER))
        assert await uow.people.find_by_identity("telegram", str(GROUP)) is None
    assert person is not None


async def test_supergroups_and_channels_are_told_once_and_left(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    # Added as an administrator, by a server that does not send the newest rights yet.
    promoted = fake.bot_added_update(SUPERGROUP, "supergroup", status="administrator")
    promoted["my_chat_member"]["new_chat_member"].update(ADMIN_2025)
    assert [m.text for m in await bot.send(promoted)] == [LINE]
    added = fake.bot_added_update(CHANNEL, "channel", status="administrator")
    added["my_chat_member"]["new_chat_member"].update(CHANNEL_ADMIN_6)
    assert [m.text for m in await bot.send(added)] == [LINE]
    assert fake.left == [SUPERGROUP, CHANNEL]

    # A group where the bot was before (nobody saw it join in this process): the first
    # message gets the line, the rest nothing; one leaveChat.
    assert [m.text for m in await bot.send(_group_text(bot, GROUP, "/menu@kawal_test_bot"))] == [
        LINE
    ]
    assert await bot.send(_group_text(bot, GROUP, "menu")) == []
    # A channel's post, from a channel the bot was in before.
    other_channel = CHANNEL - 1
    post = fake.in_group(fake.text_update(1, "Pengumuman desa"), other_channel, chat_type="channel")
    assert "channel_post" in post
    assert [m.text for m in await bot.send(post)] == [LINE]
    assert fake.left == [SUPERGROUP, CHANNEL, GROUP, other_channel]
    _check_nothing_shown(bot)
    await _check_stored_nothing(bot, SUPERGROUP, CHANNEL, GROUP, other_channel)


async def test_removed_from_a_group_it_neither_speaks_nor_leaves(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    kicked = fake.bot_added_update(SUPERGROUP, "supergroup", status="kicked", old_status="member")
    left = fake.bot_added_update(GROUP, status="left", old_status="member")
    assert await bot.send(kicked) == []
    assert await bot.send(left) == []
    # A person blocks the bot in their private chat, then unblocks it: nothing to answer.
    blocked = fake.bot_added_update(PRIVATE, status="kicked", old_status="member")
    blocked["my_chat_member"]["chat"] = {"id": PRIVATE, "type": "private", "first_name": "Budi"}
    assert await bot.send(blocked) == []
    assert fake.calls("sendMessage") == [] and fake.left == []
    await _check_stored_nothing(bot, SUPERGROUP, GROUP, PRIVATE)


def _service_messages(bot: Bot) -> list[dict[str, Any]]:
    """Service messages as Telegram sends them in a group (and the ones a private chat has)."""
    fake = bot.fake
    someone = {"id": OTHER, "is_bot": False, "first_name": "Siti"}
    pinned = {
        "message_id": 3,
        "date": 1737277000,
        "chat": fake.group_chat(GROUP),
        "text": "Rapat desa Senin",
    }
    return [
        fake.service_update(
            GROUP,
            new_chat_members=[someone],
            new_chat_member=someone,  # the legacy fields Telegram still sends
            new_chat_participant=someone,
        ),
        fake.service_update(GROUP, left_chat_member=someone, left_chat_participant=someone),
        fake.service_update(GROUP, pinned_message=pinned),
        fake.service_update(GROUP, new_chat_title="Operator Desa Sri Menanti"),
        fake.service_update(
            GROUP,
            new_chat_photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}],
        ),
        fake.service_update(GROUP, delete_chat_photo=True),
        fake.service_update(GROUP, group_chat_created=True),
        fake.service_update(GROUP, migrate_to_chat_id=SUPERGROUP),
        fake.service_update(SUPERGROUP, "supergroup", migrate_from_chat_id=GROUP),
    ]


async def test_service_messages_get_no_reply(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    for update in _service_messages(bot):
        assert await bot.send(update) == []
    assert fake.calls("sendMessage") == []
    # It leaves the groups it is found in (the migrated-away group no longer exists).
    assert fake.left == [GROUP, SUPERGROUP]
    await _check_stored_nothing(bot, GROUP, SUPERGROUP)

    # In private chats: a stranger's and an operator's.
    pinned = {"message_id": 2, "date": 1737277000, "chat": {"id": 1, "type": "private"}}
    private: list[dict[str, Any]] = [
        {"pinned_message": pinned},
        {"message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}},
        {"write_access_allowed": {"from_request": True}},
        {"some_future_service": {"x": 1}},  # a kind of message this aiogram does not know
    ]
    for service in private:
        assert await bot.send(fake.service_update(PRIVATE, "private", **service)) == []
    assert fake.calls("sendMessage") == []
    await _check_stored_nothing(bot, PRIVATE)
    await bot.register(PRIVATE, "KWL-TGAAAA")
    claims = await _count(bot, ProcessedInbound)
    for service in private:
        assert await bot.send(fake.service_update(PRIVATE, "private", **service)) == []
    assert await _count(bot, ProcessedInbound) == claims
    # ... while what a person sends is answered as before.
    assert await bot.send(fake.sticker_update(PRIVATE))


async def test_the_bot_asks_for_membership_changes_and_reactions(bot: Bot) -> None:
    """Without them Telegram would not tell the bot it was added to a group (to leave it), nor
    that someone reacted to an announcement."""
    await bot.start()
    if bot.webhook:
        assert bot.fake.webhook is not None
        asked = bot.fake.webhook["allowed_updates"]
    else:
        await bot.fake.wait_for(lambda: bool(bot.fake.calls("getUpdates")))
        asked = bot.fake.calls("getUpdates")[0].params["allowed_updates"]
    assert {"message", "callback_query", "my_chat_member", "message_reaction"} <= set(asked)


async def test_a_leave_that_failed_is_tried_again_on_the_next_update(bot: Bot) -> None:
    service = await bot.start()
    assert service.telegram is not None
    service.telegram.sender.backoff = 0.01
    fake = bot.fake
    fake.fail_next("leaveChat", 5, status=500)  # every retry of the first leave fails
    assert [m.text for m in await bot.send(fake.bot_added_update(GROUP))] == [LINE]
    assert [r.status for r in fake.calls("leaveChat")] == [500] * 5 and fake.left == []
    assert await bot.send(_group_text(bot, GROUP, "/start@kawal_test_bot KWL-TGAAAA")) == []
    assert fake.left == [GROUP]  # left now, and the line was not said twice
    assert [m.text for m in fake.sent_to(GROUP)] == [LINE]
    await _check_stored_nothing(bot, GROUP, MEMBER)
