"""Meta webhook notifications -> neutral :class:`Inbound` messages and delivery status updates.

Pure functions over the decoded JSON: no I/O. An image arrives as a media id; the processor
downloads it (``media.py``) and puts the stored path in ``Inbound.media_ref``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from handlers.messages import Channel, Inbound, InboundKind, Location

STATUSES = ("sent", "delivered", "read", "failed")
_COMMAND_RE = re.compile(r"^/(\w+)\s*(.*)$", re.S)


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    inbound: Inbound
    media_id: str = ""  # an image to download before handling
    mime_type: str = ""


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery receipt for a message we sent (``wamid``)."""

    wamid: str
    status: str  # sent / delivered / read / failed
    at: dt.datetime
    recipient: str
    error: str = ""


@dataclass(frozen=True, slots=True)
class Notification:
    messages: list[ParsedMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)


def parse_notification(body: Any) -> Notification:
    """Everything a ``whatsapp_business_account`` notification carries; unknown parts skipped."""
    messages: list[ParsedMessage] = []
    statuses: list[StatusUpdate] = []
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        return Notification()
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field") != "messages":
                continue
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            names = {
                str(c.get("wa_id", "")): str((c.get("profile") or {}).get("name", ""))
                for c in _dicts(value.get("contacts"))
            }
            for message in _dicts(value.get("messages")):
                parsed = parse_message(message, names)
                if parsed is not None:
                    messages.append(parsed)
            for status in _dicts(value.get("statuses")):
                update = parse_status(status)
                if update is not None:
                    statuses.append(update)
    return Notification(messages, statuses)


def parse_message(message: dict[str, Any], names: dict[str, str]) -> ParsedMessage | None:
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
    match kind:
        case "text":
            text = str((message.get("text") or {}).get("body", ""))
            command = _COMMAND_RE.match(text.strip())
            if command:
                return ParsedMessage(
                    Inbound(
                        **base,
                        kind=InboundKind.COMMAND,
                        command=command.group(1).lower(),
                        args=command.group(2).strip(),
                        text=text,
                    )
                )
            return ParsedMessage(Inbound(**base, kind=InboundKind.TEXT, text=text))
        case "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get(str(interactive.get("type", ""))) or {}
            if interactive.get("type") in ("button_reply", "list_reply") and reply.get("id"):
                return ParsedMessage(
                    Inbound(
                        **base,
                        kind=InboundKind.CHOICE,
                        payload=str(reply["id"]),
                        text=str(reply.get("title", "")),
                    )
                )
        case "button":  # a quick-reply button of a template message
            button = message.get("button") or {}
            payload = str(button.get("payload") or "")
            if payload:
                return ParsedMessage(
                    Inbound(
                        **base,
                        kind=InboundKind.CHOICE,
                        payload=payload,
                        text=str(button.get("text", "")),
                    )
                )
            return ParsedMessage(
                Inbound(**base, kind=InboundKind.TEXT, text=str(button.get("text", "")))
            )
        case "location":
            location = message.get("location") or {}
            try:
                point = Location(float(location["latitude"]), float(location["longitude"]))
            except (KeyError, TypeError, ValueError):
                point = None
            if point is not None:
                return ParsedMessage(Inbound(**base, kind=InboundKind.LOCATION, location=point))
        case "image":
            image = message.get("image") or {}
            if image.get("id"):
                return ParsedMessage(
                    Inbound(
                        **base, kind=InboundKind.PHOTO, text=str(image.get("caption", "") or "")
                    ),
                    media_id=str(image["id"]),
                    mime_type=str(image.get("mime_type", "") or "image/jpeg"),
                )
    # Stickers, audio, video, documents, contacts, reactions, "unsupported", ...
    return ParsedMessage(Inbound(**base, kind=InboundKind.UNSUPPORTED, text=kind))


def parse_status(status: dict[str, Any]) -> StatusUpdate | None:
    name = str(status.get("status", ""))
    wamid = str(status.get("id", ""))
    if name not in STATUSES or not wamid:
        return None
    try:
        at = dt.datetime.fromtimestamp(int(status.get("timestamp", 0)), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    error = ""
    errors = list(_dicts(status.get("errors")))
    if errors:
        first = errors[0]
        error = f"{first.get('code', '')} {first.get('title', '')}".strip()
    return StatusUpdate(wamid, name, at, str(status.get("recipient_id", "")), error)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
