"""How people say "read and understood": the words, the button's own words, a number."""

from __future__ import annotations

import pytest

from handlers.announcements.acks import ack_request
from handlers.messages import Channel, Inbound, InboundKind


def _text(text: str) -> Inbound:
    return Inbound(Channel.CONSOLE, "op", "1", InboundKind.TEXT, text=text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PAHAM", 0),
        ("paham", 0),
        ("Paham.", 0),
        ("PAHAM 12", 12),
        ("paham #12", 12),
        ("paham#12", 12),
        ("ok paham", 0),
        ("ok, paham", 0),
        ("OK PAHAM 3", 3),
        ("oke paham", 0),
        ("okay, paham!", 0),
        ("sudah paham", 0),
        ("siap, paham", 0),
        ("ya paham", 0),
        ("baik, sudah paham", 0),
        ("mengerti", 0),
        ("sudah mengerti", 0),
        ("Sudah dibaca & dipahami", 0),  # the button's words (Telegram, terminal)
        ("sudah dibaca dan dipahami", 0),
        ("Sudah dibaca & paham", 0),  # the WhatsApp button's words
        ("Read & understood", 0),
        ("understood 7", 7),
        ("ok", None),  # a keep word in the forms, never an acknowledgement alone
        ("sudah", None),
        ("tetap", None),
        ("belum paham", None),
        ("tidak paham", None),
        ("saya tidak mengerti", None),
        ("12", None),
        ("paham tapi bagaimana caranya mengisi menu usulan baru di siks-ng", None),
        ("", None),
    ],
)
def test_what_counts_as_an_acknowledgement(text: str, expected: int | None) -> None:
    assert ack_request(_text(text)) == expected


def test_the_button_and_the_command() -> None:
    press = Inbound(Channel.TELEGRAM, "1", "2", InboundKind.CHOICE, payload="ann:ack:42")
    assert ack_request(press) == 42
    forged = Inbound(Channel.TELEGRAM, "1", "2", InboundKind.CHOICE, payload="ann:ack:x")
    assert ack_request(forged) == -1
    command = Inbound(Channel.TELEGRAM, "1", "3", InboundKind.COMMAND, command="paham", args="5")
    assert ack_request(command) == 5
    other = Inbound(Channel.TELEGRAM, "1", "4", InboundKind.COMMAND, command="menu")
    assert ack_request(other) is None
