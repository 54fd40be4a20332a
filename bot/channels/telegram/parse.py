"""Telegram updates -> neutral inbound messages (or a button press for the channel to check).

Pure functions: no I/O. A photo or document arrives as a Telegram file id; the channel stores
the file first (``media.py``) and then puts the stored path in ``Inbound.media_ref``.

Kawal serves people only in private chats: anything from a group, supergroup or channel becomes
:class:`NotPrivate` (the channel says where it serves and leaves) and never reaches the handlers.
A service message (someone joined, a message was pinned, the title changed, ...) is not from a
person and is not answered, in any chat.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from aiogram.enums import ChatMemberStatus, ChatType, ContentType
from aiogram.types import (
    CallbackQuery,
    ChatMemberRestricted,
    ChatMemberUpdated,
    InaccessibleMessage,
    Message,
    MessageReactionUpdated,
    ReactionTypeEmoji,
    Update,
)

from handlers.messages import Channel, Inbound, InboundKind, Location

_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)
_SAFE_RE = re.compile(r"[^A-Za-z0-9_-]")
_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,10}")

# What a person can send; every other kind of message is a service message (joins, pins, title
# or photo changes, migrations, payments, ...) or one this aiogram does not know: not answered.
PERSON_CONTENT = frozenset(
    {
        ContentType.TEXT,
        ContentType.ANIMATION,
        ContentType.AUDIO,
        ContentType.CHECKLIST,
        ContentType.CONTACT,
        ContentType.DICE,
        ContentType.DOCUMENT,
        ContentType.GAME,
        ContentType.LIVE_PHOTO,
        ContentType.LOCATION,
        ContentType.PAID_MEDIA,
        ContentType.PHOTO,
        ContentType.POLL,
        ContentType.STICKER,
        ContentType.STORY,
        ContentType.VENUE,
        ContentType.VIDEO,
        ContentType.VIDEO_NOTE,
        ContentType.VOICE,
    }
)
_INSIDE = frozenset(
    {ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}
)


@dataclass(frozen=True, slots=True)
class Press:
    """An inline button was pressed: verified by the channel before anything reaches handlers."""

    update_id: int
    chat_id: int
    query_id: str
    data: str
    display_name: str
    message_id: int | None  # None when Telegram no longer shows us the message
    message_text: str | None
    button_label: str | None  # the pressed button's text, if it is still on the message
    keyboard_gone: bool  # the message we were shown has no such button any more


@dataclass(frozen=True, slots=True)
class Media:
    """A received file, to download before the handlers see the message."""

    file_id: str  # what getFile takes
    stored_name: str  # a safe file name: Telegram's file_unique_id and a safe extension
    size: int | None  # bytes, when the update says


@dataclass(frozen=True, slots=True)
class MediaMessage:
    """A photo or document: ``inbound`` (``media_ref`` still empty) and the file to store."""

    inbound: Inbound
    media: Media


@dataclass(frozen=True, slots=True)
class NotPrivate:
    """An update from a group, supergroup or channel. Nothing of it reaches the handlers: the
    channel says (once) that Kawal serves private chats only, and leaves the chat."""

    update_id: int
    chat_id: int
    speak: bool  # the bot was just added, or someone wrote to it: it may say where it serves
    query_id: str | None  # a button pressed there: answered on the button only
    inside: bool  # as far as the update tells, the bot is still in the chat: it leaves


Parsed = Inbound | Press | MediaMessage | NotPrivate


def chat_of(update: Update) -> int | None:
    """The chat an update belongs to (updates of one chat are handled in order)."""
    if update.message is not None:
        return update.message.chat.id
    if update.callback_query is not None:
        query = update.callback_query
        if query.message is not None:
            return query.message.chat.id
        return query.from_user.id
    if update.message_reaction is not None:
        return update.message_reaction.chat.id
    if update.my_chat_member is not None:
        return update.my_chat_member.chat.id
    if update.channel_post is not None:
        return update.channel_post.chat.id
    return None


def parse(update: Update) -> Parsed | None:
    """The neutral form of ``update``; None for what is not answered (service messages, a
    person blocking the bot, kinds we do not handle)."""
    update_id = update.update_id
    if update.message is not None:
        message = update.message
        if message.chat.type != ChatType.PRIVATE:
            return NotPrivate(
                update_id,
                message.chat.id,
                speak=is_from_a_person(message),
                query_id=None,
                inside=message.migrate_to_chat_id is None,  # else the group is gone
            )
        return _message(update_id, message) if is_from_a_person(message) else None
    if update.callback_query is not None:
        query = update.callback_query
        where = query.message.chat if query.message is not None else None
        if where is not None and where.type != ChatType.PRIVATE:
            return NotPrivate(update_id, where.id, speak=False, query_id=query.id, inside=True)
        return _press(update_id, query)
    if update.message_reaction is not None:
        reaction = update.message_reaction
        if reaction.chat.type != ChatType.PRIVATE:
            return NotPrivate(update_id, reaction.chat.id, speak=False, query_id=None, inside=True)
        return _reaction(update_id, reaction)
    if update.my_chat_member is not None:
        change = update.my_chat_member
        if change.chat.type == ChatType.PRIVATE:
            return None  # a person blocked or unblocked the bot: the sender notes blocks
        added = _bot_inside(change)
        return NotPrivate(update_id, change.chat.id, speak=added, query_id=None, inside=added)
    if update.channel_post is not None:
        post = update.channel_post
        return NotPrivate(
            update_id, post.chat.id, speak=is_from_a_person(post), query_id=None, inside=True
        )
    return None


def is_from_a_person(message: Message) -> bool:
    """Whether ``message`` is something a person sent (not a service message)."""
    return message.content_type in PERSON_CONTENT


def _bot_inside(change: ChatMemberUpdated) -> bool:
    member = change.new_chat_member
    if isinstance(member, ChatMemberRestricted):
        return member.is_member
    return member.status in _INSIDE


def _reaction(update_id: int, reaction: MessageReactionUpdated) -> Inbound:
    """A reaction in a private chat: the first plain emoji of the new reactions ("" when they
    were taken back, or are only custom or paid ones)."""
    emoji = next((r.emoji for r in reaction.new_reaction if isinstance(r, ReactionTypeEmoji)), "")
    return Inbound(
        channel=Channel.TELEGRAM,
        external_id=str(reaction.chat.id),
        platform_id=str(update_id),
        kind=InboundKind.REACTION,
        payload=str(reaction.message_id),
        text=emoji,
        display_name=reaction.user.full_name if reaction.user is not None else "",
    )


def _message(update_id: int, message: Message) -> Inbound | MediaMessage:
    def inbound(kind: InboundKind, **fields: object) -> Inbound:
        return Inbound(
            channel=Channel.TELEGRAM,
            external_id=str(message.chat.id),
            platform_id=str(update_id),
            kind=kind,
            display_name=message.from_user.full_name if message.from_user else "",
            **fields,  # type: ignore[arg-type]  # the keyword names are Inbound's own fields
        )

    if message.text is not None:
        text = message.text
        command = _COMMAND_RE.match(text.strip())
        if command:
            return inbound(
                InboundKind.COMMAND,
                command=command.group(1).lower(),
                args=(command.group(2) or "").strip(),
                text=text,
            )
        return inbound(InboundKind.TEXT, text=text)
    if message.location is not None:
        where = Location(message.location.latitude, message.location.longitude)
        return inbound(InboundKind.LOCATION, location=where)
    if message.photo:
        largest = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        return MediaMessage(
            inbound(InboundKind.PHOTO, text=message.caption or ""),
            _media(largest.file_id, largest.file_unique_id, largest.file_size, ".jpg"),
        )
    if message.document is not None:
        document = message.document
        file_name = document.file_name or ""
        return MediaMessage(
            inbound(InboundKind.DOCUMENT, file_name=file_name, text=message.caption or ""),
            _media(
                document.file_id,
                document.file_unique_id,
                document.file_size,
                safe_suffix(file_name, ".bin"),
            ),
        )
    return inbound(InboundKind.UNSUPPORTED)


def safe_suffix(file_name: str, default: str) -> str:
    """The extension of a name the sender chose, lower case, if it is a plain one."""
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower()
    return suffix if _SUFFIX_RE.fullmatch(suffix) else default


def _media(file_id: str, unique_id: str, size: int | None, suffix: str) -> Media:
    # The same file has the same unique id (for every bot, over time): a replayed update or a
    # file sent twice is stored once. The sender's file name only lends its extension.
    stem = _SAFE_RE.sub("_", unique_id)[:64]
    if not stem:
        stem = hashlib.sha256(file_id.encode()).hexdigest()[:32]
    return Media(file_id=file_id, stored_name=f"tg-{stem}{suffix}", size=size)


def _press(update_id: int, query: CallbackQuery) -> Press:
    shown = query.message if isinstance(query.message, Message) else None
    label: str | None = None
    keyboard_gone = False
    if shown is not None:
        markup = shown.reply_markup
        buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
        label = next((b.text for b in buttons if b.callback_data == query.data), None)
        keyboard_gone = label is None
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    message_id = query.message.message_id if query.message is not None else None
    if isinstance(query.message, InaccessibleMessage):
        message_id = query.message.message_id
    return Press(
        update_id=update_id,
        chat_id=chat_id,
        query_id=query.id,
        data=query.data or "",
        display_name=query.from_user.full_name,
        message_id=message_id,
        message_text=shown.text if shown is not None else None,
        button_label=label,
        keyboard_gone=keyboard_gone,
    )
