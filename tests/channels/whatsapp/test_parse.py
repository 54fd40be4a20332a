"""Meta's webhook shapes -> neutral messages and receipts (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.channels.whatsapp.parse import Notification, addressed_to, parse_notification
from handlers.messages import InboundKind, Location
from tests.channels.whatsapp import payloads

WA = "6281234567890"


def parse(body: Any) -> Notification:
    return parse_notification(body, phone_number_id=payloads.PHONE_NUMBER_ID)


def test_text_command_buttons_lists_location_image_and_unsupported() -> None:
    text = parse(payloads.text(WA, "DAFTAR KWL-ABCDEF", message_id="wamid.1"))
    [m] = text.messages
    assert m.inbound.kind is InboundKind.TEXT and m.inbound.text == "DAFTAR KWL-ABCDEF"
    assert m.inbound.platform_id == "wamid.1" and m.inbound.external_id == WA
    assert m.inbound.display_name == "Budi"
    [command] = parse(payloads.text(WA, "/start KWL-ABCDEF")).messages
    assert (command.inbound.kind, command.inbound.command) == (InboundKind.COMMAND, "start")
    assert command.inbound.args == "KWL-ABCDEF"
    for build in (payloads.button_reply, payloads.list_reply):
        [choice] = parse(build(WA, "ditemukan", "Ditemukan")).messages
        assert choice.inbound.kind is InboundKind.CHOICE
        assert choice.inbound.payload == "ditemukan"
    [where] = parse(payloads.location(WA, -5.01, 104.5)).messages
    assert where.inbound.location == Location(-5.01, 104.5)
    [photo] = parse(payloads.image(WA, "1234567")).messages
    assert photo.inbound.kind is InboundKind.PHOTO and photo.media_id == "1234567"
    [sticker] = parse(payloads.sticker(WA)).messages
    assert sticker.inbound.kind is InboundKind.UNSUPPORTED


def test_statuses_and_junk() -> None:
    at = dt.datetime(2026, 1, 15, 4, 0, tzinfo=dt.UTC)
    [status] = parse(payloads.status("wamid.9", "delivered", at)).statuses
    assert (status.wamid, status.status, status.at) == ("wamid.9", "delivered", at)
    [failed] = parse(payloads.status("wamid.9", "failed", at)).statuses
    assert failed.error.startswith("131026")
    assert parse({"object": "page"}).messages == []
    assert parse([1, 2]).statuses == []
    broken = payloads.text(WA, "x")
    del broken["entry"][0]["changes"][0]["value"]["messages"][0]["from"]
    assert parse(broken).messages == []


def test_documents_reactions_and_a_changed_number() -> None:
    [doc] = parse(
        payloads.document(WA, "881", "Daftar DTKS.xlsx", "application/pdf", "18.04.19")
    ).messages
    assert (doc.inbound.kind, doc.inbound.file_name, doc.inbound.text) == (
        InboundKind.DOCUMENT,
        "Daftar DTKS.xlsx",
        "18.04.19",
    )
    assert (doc.media_id, doc.mime_type) == ("881", "application/pdf")
    assert doc.at == dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)

    [liked] = parse(payloads.reaction(WA, "wamid.ours", "👍")).messages
    assert (liked.inbound.kind, liked.inbound.payload, liked.inbound.text) == (
        InboundKind.REACTION,
        "wamid.ours",
        "👍",
    )
    for emoji in (None, ""):
        [removed] = parse(payloads.reaction(WA, "wamid.ours", emoji)).messages
        assert removed.inbound.kind is InboundKind.REACTION and removed.inbound.text == ""
    assert not parse(payloads.reaction(WA, "")).messages  # no message reacted to: junk

    for legacy in (False, True):
        [moved] = parse(payloads.number_changed(WA, "6289999999999", legacy=legacy)).messages
        assert moved.inbound.kind is InboundKind.NUMBER_CHANGED
        assert (moved.inbound.external_id, moved.inbound.args) == (WA, "6289999999999")
    assert not parse(payloads.number_changed(WA, WA)).messages  # nothing changed


def test_notices_are_dropped_and_real_messages_are_unsupported() -> None:
    notices = [
        payloads.revoke(WA, "wamid.gone"),
        payloads.ephemeral(WA),
        payloads.identity_changed(WA),
        payloads.unsupported(WA),
        payloads.unsupported(WA, "reaction"),
        payloads.unsupported(WA, "poll_update"),
        payloads.message(WA, "request_welcome", {}),
    ]
    for body in notices:
        found = parse(body)
        assert (found.messages, found.notices) == ([], 1), body
    for body in (
        payloads.sticker(WA),
        payloads.audio(WA),
        payloads.video(WA),
        payloads.contacts(WA),
        payloads.unsupported(WA, "poll_creation"),
        payloads.message(WA, "order", {"catalog_id": "1", "product_items": []}),
    ):
        [message] = parse(body).messages
        assert message.inbound.kind is InboundKind.UNSUPPORTED and not message.media_id


def test_only_our_number_counts() -> None:
    other = payloads.OTHER_PHONE_NUMBER_ID
    at = dt.datetime(2026, 1, 15, 4, 0, tzinfo=dt.UTC)
    for body in (
        payloads.text(WA, "halo", phone_number_id=other),
        payloads.status("wamid.9", "read", at, phone_number_id=other),
    ):
        assert parse(body) == Notification(foreign=1)
        assert not addressed_to(body, payloads.PHONE_NUMBER_ID)
        assert addressed_to(body, other)
    no_number = payloads.text(WA, "halo")
    del no_number["entry"][0]["changes"][0]["value"]["metadata"]
    assert parse(no_number) == Notification(foreign=1)
    assert not addressed_to({"object": "page", "entry": []}, payloads.PHONE_NUMBER_ID)


def test_a_failed_receipt_carries_the_code_and_title() -> None:
    at = dt.datetime(2026, 1, 15, 4, 0, tzinfo=dt.UTC)
    body = payloads.status("wamid.9", "failed", at, error=(131049, "Not delivered for engagement"))
    [failed] = parse(body).statuses
    assert (failed.error_code, failed.error_title) == ("131049", "Not delivered for engagement")
    assert failed.error == "131049 Not delivered for engagement"
    del body["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"]
    assert parse(body).statuses == []  # a receipt without a time is junk
