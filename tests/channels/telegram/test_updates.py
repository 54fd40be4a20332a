"""Updates in the shape an older (self-hosted, lagging) Bot API server sends: aiogram's models
refuse them as they are; Kawal still handles what it uses and acknowledges the rest, through the
webhook and through polling (where one such update must not hold up the batch)."""

from __future__ import annotations

import copy
import logging
import time
from typing import Any

import pytest
from aiogram.types import Update
from pydantic import ValidationError

from bot.channels.telegram.parse import NotPrivate, parse
from bot.channels.telegram.texts import private_only
from bot.channels.telegram.updates import NotAnUpdate, decode_update, read_update
from handlers.messages import Inbound, InboundKind
from tests.channels.telegram.conftest import Bot

CHAT = 7701
SUPERGROUP = -1002352533321
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Kawal", "username": "kawal_test_bot"}
PERSON = {"id": 5342492667, "is_bot": False, "first_name": "Nelson", "language_code": "id"}

# A poll as Bot API 6.x sent it: no option persistent_id, allows_revoting or members_only.
POLL_6 = {
    "id": "5357180154591838213",
    "question": "Rapat desa hari apa?",
    "options": [{"text": "Senin", "voter_count": 3}, {"text": "Selasa", "voter_count": 1}],
    "total_voter_count": 4,
    "is_closed": False,
    "is_anonymous": True,
    "type": "regular",
    "allows_multiple_answers": False,
}
# The bot promoted from restricted to administrator in a supergroup, as a server of January
# 2025 sent it (Bot API 8.x): neither side has the newest fields.
PROMOTED_2025 = {
    "chat": {"id": SUPERGROUP, "title": "Uncouth", "type": "supergroup"},
    "from": PERSON,
    "date": 1737280374,
    "old_chat_member": {
        "user": BOT_USER,
        "status": "restricted",
        "until_date": 0,
        "can_send_messages": True,
        "can_send_media_messages": True,
        "can_send_audios": True,
        "can_send_documents": True,
        "can_send_photos": True,
        "can_send_videos": True,
        "can_send_video_notes": True,
        "can_send_voice_notes": True,
        "can_send_polls": True,
        "can_send_other_messages": True,
        "can_add_web_page_previews": True,
        "can_change_info": False,
        "can_invite_users": True,
        "can_pin_messages": True,
        "can_manage_topics": False,
        "is_member": True,
    },
    "new_chat_member": {
        "user": BOT_USER,
        "status": "administrator",
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
    },
}
# Restricted from the start (Bot API 7.x): no can_react_to_messages, can_edit_tag, ...
RESTRICTED_7 = {
    **PROMOTED_2025,
    "old_chat_member": {"user": BOT_USER, "status": "left"},
    "new_chat_member": PROMOTED_2025["old_chat_member"],
}
# A reaction as Bot API 7.0 introduced it.
REACTION_7 = {
    "chat": {"id": CHAT, "type": "private", "first_name": "Budi"},
    "message_id": 41,
    "user": {"id": CHAT, "is_bot": False, "first_name": "Budi"},
    "date": 1704067200,
    "old_reaction": [],
    "new_reaction": [{"type": "emoji", "emoji": "🙏"}],
}


def _private_text(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "message_id": 40,
        "date": int(time.time()),  # within a week of the bot's clock (the system's here)
        "chat": {"id": CHAT, "type": "private", "first_name": "Budi"},
        "from": {"id": CHAT, "is_bot": False, "first_name": "Budi"},
        "text": text,
        **extra,
    }


def _quoting_a_poll(text: str) -> dict[str, Any]:
    """A text replying to a poll message (the poll in its 6.x shape)."""
    poll_message = {**_private_text(""), "message_id": 39, "poll": POLL_6}
    del poll_message["text"]
    return _private_text(text, reply_to_message=poll_message)


def test_the_samples_are_refused_by_aiogram_as_they_are() -> None:
    """Else these tests would not show anything."""
    for update in (
        {"update_id": 1, "poll": POLL_6},
        {"update_id": 2, "my_chat_member": PROMOTED_2025},
        {"update_id": 3, "my_chat_member": RESTRICTED_7},
        {"update_id": 4, "message": _quoting_a_poll("menu")},
    ):
        with pytest.raises(ValidationError):
            Update.model_validate(update)


def test_what_is_used_is_kept_and_the_rest_mended(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    poll = read_update({"update_id": 1, "poll": POLL_6})
    assert poll is not None and parse(poll) is None  # acknowledged and ignored

    promoted = read_update({"update_id": 2, "my_chat_member": PROMOTED_2025})
    assert promoted is not None and promoted.my_chat_member is not None
    member = promoted.my_chat_member.new_chat_member
    assert member.status == "administrator"
    assert getattr(member, "can_send_welcome_messages") is False  # noqa: B009  # the union
    assert getattr(member, "can_delete_messages") is True  # noqa: B009  # kept as sent
    assert parse(promoted) == NotPrivate(2, SUPERGROUP, speak=True, query_id=None, inside=True)

    restricted = read_update({"update_id": 3, "my_chat_member": RESTRICTED_7})
    assert restricted is not None
    assert parse(restricted) == NotPrivate(3, SUPERGROUP, speak=True, query_id=None, inside=True)

    quoting = read_update({"update_id": 4, "message": _quoting_a_poll("menu")})
    assert quoting is not None
    parsed = parse(quoting)
    assert isinstance(parsed, Inbound) and (parsed.kind, parsed.text) == (InboundKind.TEXT, "menu")

    reaction = read_update({"update_id": 5, "message_reaction": REACTION_7})
    assert reaction is not None
    parsed = parse(reaction)
    assert isinstance(parsed, Inbound)
    assert (parsed.kind, parsed.payload, parsed.text) == (InboundKind.REACTION, "41", "🙏")

    # Only field paths are logged, never what the fields held.
    assert "update 1 read leniently" in caplog.text and "poll.allows_revoting" in caplog.text
    assert "Rapat desa" not in caplog.text and "Senin" not in caplog.text


def test_a_reaction_of_an_unknown_kind_drops_only_that_reaction() -> None:
    reaction = copy.deepcopy(REACTION_7)
    reaction["new_reaction"] = [
        {"type": "sparkle", "sparkle_id": "9"},  # a kind newer than this aiogram
        {"type": "emoji", "emoji": "👍"},
        {"type": "custom_emoji"},  # broken: no custom_emoji_id
    ]
    update = read_update({"update_id": 6, "message_reaction": reaction})
    assert update is not None
    parsed = parse(update)
    assert isinstance(parsed, Inbound) and parsed.text == "👍"


def test_an_update_with_nothing_readable_keeps_its_id() -> None:
    broken = {"update_id": 7, "message": {"chat": "x"}, "callback_query": {"id": 5}}
    update = read_update(broken)
    assert update is not None and update.update_id == 7
    assert update.message is None and update.callback_query is None and parse(update) is None


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'"update"',
        b"null",
        b"{}",
        b'{"update_id": "5"}',
        b'{"update_id": true}',
        b'{"update_id": 5.0}',
        b'{"message": {}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"update_id": 1, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b"\xff\xfe not json",
        b"",
    ],
)
def test_bodies_that_are_not_updates(body: bytes) -> None:
    with pytest.raises(NotAnUpdate):
        decode_update(body)


# ---- over HTTP -------------------------------------------------------------------------------


def _batch(bot: Bot) -> list[dict[str, Any]]:
    """What a lagging server delivers: a poll, the bot promoted in a supergroup, a person
    starting a private chat (quoting a poll)."""
    fake = bot.fake
    return [
        {"update_id": fake.new_update_id(), "poll": POLL_6},
        {"update_id": fake.new_update_id(), "my_chat_member": PROMOTED_2025},
        {"update_id": fake.new_update_id(), "message": _quoting_a_poll("/start KWL-TGAAAA")},
    ]


async def test_polling_handles_a_batch_in_older_shapes(polling_bot: Bot) -> None:
    bot, fake = polling_bot, polling_bot.fake
    await bot.start()
    updates = _batch(bot)
    for update in updates:
        fake.push(update)
    await fake.wait_acknowledged(updates[-1]["update_id"])
    assert "UU PDP" in fake.sent_to(CHAT)[-1].text  # the private chat is served
    assert [m.text for m in fake.sent_to(SUPERGROUP)] == [private_only("id", "kawal_test_bot")]
    assert fake.left == [SUPERGROUP]
    assert fake.queue == []  # every update acknowledged: nothing comes back


async def test_the_webhook_takes_older_shapes(webhook_bot: Bot) -> None:
    bot, fake = webhook_bot, webhook_bot.fake
    await bot.start()
    for update in _batch(bot):
        assert await bot.post(update) == 200
    assert bot.service is not None and bot.service.telegram is not None
    assert bot.service.telegram.webhook is not None
    await bot.service.telegram.webhook.drain()
    assert "UU PDP" in fake.sent_to(CHAT)[-1].text
    assert [m.text for m in fake.sent_to(SUPERGROUP)] == [private_only("id", "kawal_test_bot")]
    assert fake.left == [SUPERGROUP]
    # Nothing in it can be read: acknowledged (200), not refused and delivered again.
    assert await bot.post({"update_id": fake.new_update_id(), "message": {"chat": 1}}) == 200
