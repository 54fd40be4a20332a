"""Meta webhook notifications -> neutral :class:`Inbound` messages and delivery status updates.

Pure functions over the decoded JSON: no I/O. Only changes addressed to our own business number
(``value.metadata.phone_number_id``) count: one Meta app can serve several numbers, and a
message to another one is not ours to answer. An image or a document arrives as a media id;
the processor downloads it (``media.py``) and puts the stored path in ``Inbound.media_ref``,
but only when the person may send a file now.

What needs no answer is dropped here: notices about the chat rather than messages (a deleted
message, disappearing messages switched on, a changed identity key, a pinned message). A
reaction and a changed number become their own kinds, which the handlers never answer either.
Stickers, voice notes, videos, contact cards and the like are real messages: they become
``UNSUPPORTED`` and get a polite answer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from handlers.messages import Channel, Inbound, InboundKind, Location

STATUSES = ("sent", "delivered", "read", "failed")
_COMMAND_RE = re.compile(r"^/(\w+)\s*(.*)$", re.S)

# ``system`` messages: the sender's number changed (the new wa id in ``system.wa_id``; before
# Graph v12 in ``new_wa_id``, and called ``customer_changed_number`` on the old on-premises
# API). Every other system notice (``user_identity_changed``, ``customer_identity_changed``,
# ``user_changed_user_id``) needs nothing from us.
NUMBER_CHANGES = frozenset({"user_changed_number", "customer_changed_number"})
# Message types that are notices about the chat, not something the person wants answered.
NOTICE_TYPES = frozenset({"revoke", "ephemeral", "request_welcome", "errors", "keep_in_chat"})
# ``unsupported`` messages name what arrived in ``unsupported.type``; these are notices too.
UNSUPPORTED_NOTICES = frozenset(
    {"revoke", "reaction", "keep_in_chat", "pin", "poll_update", "errors", "ephemeral"}
)
# An ``unsupported`` message without a type and with this error is what a message the person
# deleted (or a notice of a type the API does not know) looks like.
UNKNOWN_TYPE_ERROR = 131051


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    inbound: Inbound
    media_id: str = ""  # a photo or document to download before handling (if it is wanted)
    mime_type: str = ""
    at: dt.datetime | None = None  # when the person sent it (Meta's timestamp)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery receipt for a message we sent (``wamid``)."""

    wamid: str
    status: str  # sent / delivered / read / failed
    at: dt.datetime
    recipient: str
    error_code: str = ""  # of a failed message: Meta's error code and title
    error_title: str = ""

    @property
    def error(self) -> str:
        return f"{self.error_code} {self.error_title}".strip()


@dataclass(frozen=True, slots=True)
class Notification:
    messages: list[ParsedMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    foreign: int = 0  # changes addressed to another number of the same app: ignored
    notices: int = 0  # messages that need no answer (a deleted message, ...): ignored


def parse_notification(body: Any, *, phone_number_id: str) -> Notification:
    """Everything a ``whatsapp_business_account`` notification carries for our number
    ``phone_number_id``; unknown parts skipped."""
    messages: list[ParsedMessage] = []
    statuses: list[StatusUpdate] = []
    foreign = notices = 0
    for value in _message_changes(body):
        if _number_of(value) != phone_number_id:
            foreign += 1
            continue
        names = {
            str(c.get("wa_id", "")): str(_dict(c.get("profile")).get("name", ""))
            for c in _dicts(value.get("contacts"))
        }
        for message in _dicts(value.get("messages")):
            parsed = parse_message(message, names)
            if parsed is not None:
                messages.append(parsed)
            elif message.get("from") and message.get("id"):
                notices += 1
        for status in _dicts(value.get("statuses")):
            update = parse_status(status)
            if update is not None:
                statuses.append(update)
    return Notification(messages, statuses, foreign, notices)


def addressed_to(body: Any, phone_number_id: str) -> bool:
    """Whether ``body`` holds any message or receipt for our number (else it is not stored)."""
    return any(_number_of(value) == phone_number_id for value in _message_changes(body))


def parse_message(message: dict[str, Any], names: dict[str, str]) -> ParsedMessage | None:
    """The neutral message, or None for a notice that needs no answer (or junk)."""
    sender = str(message.get("from", ""))
    wamid = str(message.get("id", ""))
    if not sender or not wamid:
        return None
    kind = str(message.get("type", ""))
    base: dict[str, Any] = {
        "channel": Channel.WHATSAPP,
        "external_id": sender,
        "platform_id": wamid,
        "display_name": names.get(sender, ""),
    }
    at = _timestamp(message.get("timestamp"))

    def parsed(inbound_kind: InboundKind, **fields: Any) -> ParsedMessage:
        media = {k: fields.pop(k) for k in ("media_id", "mime_type") if k in fields}
        return ParsedMessage(Inbound(**base, kind=inbound_kind, **fields), at=at, **media)

    match kind:
        case "text":
            text = str(_dict(message.get("text")).get("body", ""))
            command = _COMMAND_RE.match(text.strip())
            if command:
                return parsed(
                    InboundKind.COMMAND,
                    command=command.group(1).lower(),
                    args=command.group(2).strip(),
                    text=text,
                )
            return parsed(InboundKind.TEXT, text=text)
        case "interactive":
            interactive = _dict(message.get("interactive"))
            reply = _dict(interactive.get(str(interactive.get("type", ""))))
            if interactive.get("type") in ("button_reply", "list_reply") and reply.get("id"):
                return parsed(
                    InboundKind.CHOICE,
                    payload=str(reply["id"]),
                    text=str(reply.get("title", "")),
                )
        case "button":  # a quick-reply button of a template message
            button = _dict(message.get("button"))
            payload = str(button.get("payload") or "")
            if payload:
                return parsed(InboundKind.CHOICE, payload=payload, text=str(button.get("text", "")))
            return parsed(InboundKind.TEXT, text=str(button.get("text", "")))
        case "location":
            location = _dict(message.get("location"))
            try:
                point = Location(float(location["latitude"]), float(location["longitude"]))
            except (KeyError, TypeError, ValueError):
                point = None
            if point is not None:
                return parsed(InboundKind.LOCATION, location=point)
        case "image":
            image = _dict(message.get("image"))
            if image.get("id"):
                return parsed(
                    InboundKind.PHOTO,
                    text=str(image.get("caption") or ""),
                    media_id=str(image["id"]),
                    mime_type=str(image.get("mime_type") or "image/jpeg"),
                )
        case "document":
            document = _dict(message.get("document"))
            if document.get("id"):
                return parsed(
                    InboundKind.DOCUMENT,
                    text=str(document.get("caption") or ""),
                    file_name=str(document.get("filename") or ""),
                    media_id=str(document["id"]),
                    mime_type=str(document.get("mime_type") or "application/octet-stream"),
                )
        case "reaction":  # emoji absent or "" when the reaction is taken back
            reaction = _dict(message.get("reaction"))
            reacted = str(reaction.get("message_id") or "")
            if not reacted:
                return None
            return parsed(
                InboundKind.REACTION, payload=reacted, text=str(reaction.get("emoji") or "")
            )
        case "system":
            system = _dict(message.get("system"))
            new_id = str(system.get("wa_id") or system.get("new_wa_id") or "")
            if system.get("type") in NUMBER_CHANGES and new_id and new_id != sender:
                return parsed(InboundKind.NUMBER_CHANGED, args=new_id)
            return None
        case "unsupported":
            if _is_notice(message):
                return None
        case _ if kind in NOTICE_TYPES:
            return None
    # Stickers, audio, video, contacts, polls, broken messages of a known type, ...
    return parsed(InboundKind.UNSUPPORTED, text=kind)


def _is_notice(message: dict[str, Any]) -> bool:
    """An ``unsupported`` message that reports something about the chat, not content."""
    what = str(_dict(message.get("unsupported")).get("type") or "")
    if what:
        return what in UNSUPPORTED_NOTICES
    codes = {error.get("code") for error in _dicts(message.get("errors"))}
    return UNKNOWN_TYPE_ERROR in codes or str(UNKNOWN_TYPE_ERROR) in codes


def parse_status(status: dict[str, Any]) -> StatusUpdate | None:
    name = str(status.get("status", ""))
    wamid = str(status.get("id", ""))
    at = _timestamp(status.get("timestamp"))
    if name not in STATUSES or not wamid or at is None:
        return None
    code = title = ""
    errors = _dicts(status.get("errors"))
    if errors:
        first = errors[0]
        code = str(first.get("code", "") or "")[:40]
        title = str(first.get("title") or first.get("message") or "")[:200]
    return StatusUpdate(wamid, name, at, str(status.get("recipient_id", "")), code, title)


def _message_changes(body: Any) -> list[dict[str, Any]]:
    """The ``value`` of every ``messages`` change in a notification."""
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return []
    return [
        change["value"]
        for entry in _dicts(body.get("entry"))
        for change in _dicts(entry.get("changes"))
        if change.get("field") == "messages" and isinstance(change.get("value"), dict)
    ]


def _number_of(value: dict[str, Any]) -> str:
    return str(_dict(value.get("metadata")).get("phone_number_id") or "")


def _timestamp(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
