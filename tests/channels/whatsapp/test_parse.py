"""Meta's webhook shapes -> neutral messages and receipts (pure)."""

from __future__ import annotations

import datetime as dt

from bot.channels.whatsapp.parse import parse_notification
from handlers.messages import InboundKind, Location
from tests.channels.whatsapp import payloads

WA = "6281234567890"


def test_text_command_buttons_lists_location_image_and_unsupported() -> None:
    text = parse_notification(payloads.text(WA, "DAFTAR KWL-ABCDEF", message_id="wamid.1"))
    [m] = text.messages
    assert m.inbound.kind is InboundKind.TEXT and m.inbound.text == "DAFTAR KWL-ABCDEF"
    assert m.inbound.platform_id == "wamid.1" and m.inbound.external_id == WA
    assert m.inbound.display_name == "Budi"
    [command] = parse_notification(payloads.text(WA, "/start KWL-ABCDEF")).messages
    assert (command.inbound.kind, command.inbound.command) == (InboundKind.COMMAND, "start")
    assert command.inbound.args == "KWL-ABCDEF"
    for build in (payloads.button_reply, payloads.list_reply):
        [choice] = parse_notification(build(WA, "ditemukan", "Ditemukan")).messages
        assert choice.inbound.kind is InboundKind.CHOICE
        assert choice.inbound.payload == "ditemukan"
    [where] = parse_notification(payloads.location(WA, -5.01, 104.5)).messages
    assert where.inbound.location == Location(-5.01, 104.5)
    [photo] = parse_notification(payloads.image(WA, "1234567")).messages
    assert photo.inbound.kind is InboundKind.PHOTO and photo.media_id == "1234567"
    [sticker] = parse_notification(payloads.sticker(WA)).messages
    assert sticker.inbound.kind is InboundKind.UNSUPPORTED


def test_statuses_and_junk() -> None:
    at = dt.datetime(2026, 1, 15, 4, 0, tzinfo=dt.UTC)
    [status] = parse_notification(payloads.status("wamid.9", "delivered", at)).statuses
    assert (status.wamid, status.status, status.at) == ("wamid.9", "delivered", at)
    [failed] = parse_notification(payloads.status("wamid.9", "failed", at)).statuses
    assert failed.error.startswith("131026")
    assert parse_notification({"object": "page"}).messages == []
    assert parse_notification([1, 2]).statuses == []
    broken = payloads.text(WA, "x")
    del broken["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    assert parse_notification(broken).messages == []
