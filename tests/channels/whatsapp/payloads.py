"""Webhook bodies shaped like Meta's documented examples (``whatsapp_business_account``): the
messages webhook references for text, interactive, location, image, document, sticker, audio,
video, contacts, reaction, system and unsupported messages, and for statuses."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

PHONE_NUMBER_ID = "109876543210"
OTHER_PHONE_NUMBER_ID = "109876543299"  # another number of the same Meta app
_ids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgLNjI4MTIzNDU2Nzg5FQIAEhg{next(_ids):08d}"


def envelope(value: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def message(
    wa_id: str,
    kind: str,
    content: Any,
    *,
    message_id: str | None = None,
    name: str = "Budi",
    at: dt.datetime | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
    contacts: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One message of ``kind`` whose object is ``content``; system messages come without the
    ``contacts`` array (``contacts=False``)."""
    timestamp = int((at or dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)).timestamp())
    value: dict[str, Any] = {
        "messages": [
            {
                "from": wa_id,
                "id": message_id or wamid(),
                "timestamp": str(timestamp),
                "type": kind,
                kind: content,
                **extra,
            }
        ],
    }
    if contacts:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id}]
    return envelope(value, phone_number_id)


def text(wa_id: str, body: str, **kw: Any) -> dict[str, Any]:
    return message(wa_id, "text", {"body": body}, **kw)


def button_reply(wa_id: str, reply_id: str, title: str = "", **kw: Any) -> dict[str, Any]:
    return message(
        wa_id,
        "interactive",
        {"type": "button_reply", "button_reply": {"id": reply_id, "title": title or reply_id}},
        **kw,
    )


def list_reply(wa_id: str, reply_id: str, title: str = "", **kw: Any) -> dict[str, Any]:
    return message(
        wa_id,
        "interactive",
        {
            "type": "list_reply",
            "list_reply": {"id": reply_id, "title": title or reply_id, "description": ""},
        },
        **kw,
    )


def location(wa_id: str, lat: float, lon: float, **kw: Any) -> dict[str, Any]:
    return message(
        wa_id,
        "location",
        {"latitude": lat, "longitude": lon, "name": "Balai Pekon", "address": "Sri Menanti"},
        **kw,
    )


def image(wa_id: str, media_id: str, caption: str = "", **kw: Any) -> dict[str, Any]:
    return message(
        wa_id,
        "image",
        {"caption": caption, "mime_type": "image/jpeg", "sha256": "abc=", "id": media_id},
        **kw,
    )


def sticker(wa_id: str, **kw: Any) -> dict[str, Any]:
    return message(
        wa_id,
        "sticker",
        {"mime_type": "image/webp", "sha256": "abc=", "id": "2754859441498128", "animated": False},
        **kw,
    )


def document(
    wa_id: str,
    media_id: str,
    filename: str,
    mime_type: str = "text/csv",
    caption: str = "",
    **kw: Any,
) -> dict[str, Any]:
    content = {"filename": filename, "mime_type": mime_type, "sha256": "abc=", "id": media_id}
    if caption:
        content["caption"] = caption
    return message(wa_id, "document", content, **kw)


def audio(wa_id: str, **kw: Any) -> dict[str, Any]:
    content = {"mime_type": "audio/ogg; codecs=opus", "sha256": "abc=", "id": "1297", "voice": True}
    return message(wa_id, "audio", content, **kw)


def video(wa_id: str, **kw: Any) -> dict[str, Any]:
    content = {"caption": "rumah", "mime_type": "video/mp4", "sha256": "abc=", "id": "1298"}
    return message(wa_id, "video", content, **kw)


def contacts(wa_id: str, **kw: Any) -> dict[str, Any]:
    card = {
        "name": {"formatted_name": "Siti Aminah", "first_name": "Siti", "last_name": "Aminah"},
        "phones": [{"phone": "+62 812-3456-7000", "wa_id": "6281234567000", "type": "CELL"}],
    }
    return message(wa_id, "contacts", [card], **kw)


def reaction(wa_id: str, reacted: str, emoji: str | None = "👍", **kw: Any) -> dict[str, Any]:
    """An emoji reaction to our message ``reacted``; ``emoji=None`` (the key left out) or ""
    when the reaction is taken back."""
    content: dict[str, Any] = {"message_id": reacted}
    if emoji is not None:
        content["emoji"] = emoji
    return message(wa_id, "reaction", content, **kw)


def number_changed(old: str, new: str, *, legacy: bool = False, **kw: Any) -> dict[str, Any]:
    """``system`` / ``user_changed_number``: the new number in ``wa_id`` (``new_wa_id`` before
    Graph v12); no ``contacts`` array."""
    content = {
        "body": f"User Budi changed from {old} to {new}",
        "new_wa_id" if legacy else "wa_id": new,
        "type": "user_changed_number",
    }
    return message(old, "system", content, contacts=False, **kw)


def identity_changed(wa_id: str, **kw: Any) -> dict[str, Any]:
    content = {
        "body": "User's security code changed",
        "identity": "hQvS4lZz5Sc=",
        "type": "customer_identity_changed",
        "customer": wa_id,
    }
    return message(wa_id, "system", content, contacts=False, **kw)


def revoke(wa_id: str, deleted: str, **kw: Any) -> dict[str, Any]:
    """The person deleted their message ``deleted`` (WhatsApp Business app coexistence)."""
    return message(wa_id, "revoke", {"original_message_id": deleted}, **kw)


def ephemeral(wa_id: str, **kw: Any) -> dict[str, Any]:
    """Disappearing messages switched on: a notice, no content."""
    return message(wa_id, "ephemeral", {}, **kw)


_UNKNOWN_TYPE = {
    "code": 131051,
    "title": "Message type unknown",
    "message": "Message type unknown",
    "error_data": {"details": "Message type is currently not supported."},
}


def unsupported(wa_id: str, what: str | None = None, **kw: Any) -> dict[str, Any]:
    """A message type the Cloud API does not support (``unsupported.type`` names it), or,
    with ``what=None``, the bare notice a deleted message used to arrive as."""
    content = {"type": what} if what is not None else {}
    return message(wa_id, "unsupported", content, errors=[_UNKNOWN_TYPE], **kw)


def status(
    wamid_: str,
    name: str,
    at: dt.datetime,
    recipient: str = "6281234567890",
    *,
    error: tuple[int, str] = (131026, "Message undeliverable"),
    phone_number_id: str = PHONE_NUMBER_ID,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": wamid_,
        "status": name,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": recipient,
    }
    if name in ("sent", "delivered"):
        entry["conversation"] = {
            "id": "CONVERSATION_ID",
            "origin": {"type": "utility"},
        }
        entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "utility"}
    if name == "failed":
        code, title = error
        entry["errors"] = [
            {
                "code": code,
                "title": title,
                "message": title,
                "error_data": {"details": "Unable to deliver message."},
                "href": "/documentation/business-messaging/whatsapp/support/error-codes",
            }
        ]
    return envelope({"statuses": [entry]}, phone_number_id)
