"""Webhook bodies shaped like Meta's documented examples (``whatsapp_business_account``)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

PHONE_NUMBER_ID = "109876543210"
_ids = itertools.count(1)


def wamid() -> str:
    return f"wamid.HBgLNjI4MTIzNDU2Nzg5FQIAEhg{next(_ids):08d}"


def envelope(value: dict[str, Any]) -> dict[str, Any]:
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
                                "phone_number_id": PHONE_NUMBER_ID,
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
    content: dict[str, Any],
    *,
    message_id: str | None = None,
    name: str = "Budi",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    timestamp = int((at or dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)).timestamp())
    return envelope(
        {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": message_id or wamid(),
                    "timestamp": str(timestamp),
                    "type": kind,
                    kind: content,
                }
            ],
        }
    )


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


def status(
    wamid_: str, name: str, at: dt.datetime, recipient: str = "6281234567890"
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": wamid_,
        "status": name,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": recipient,
    }
    if name != "read":
        entry["conversation"] = {
            "id": "CONVERSATION_ID",
            "origin": {"type": "utility"},
        }
        entry["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "utility"}
    if name == "failed":
        entry["errors"] = [{"code": 131026, "title": "Message undeliverable"}]
    return envelope({"statuses": [entry]})
