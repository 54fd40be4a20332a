"""Compact, signed callback data for inline buttons (Telegram allows at most 64 bytes).

Format: ``<tag>.<kind><body>`` where ``tag`` is 8 characters of URL-safe base64 of an
HMAC-SHA256 over ``chat id`` and ``<kind><body>``, keyed by a key derived from the bot token.
``kind`` is ``c`` (a choice: ``body`` is the option value handed to the handlers) or ``p`` (a
page of a long option list: ``body`` is the page number, handled inside the channel).

A button only verifies in the chat it was sent to, and data that was forged, garbled or signed
with another bot's token is refused before it can reach the handlers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

MAX_BYTES = 64
_TAG_CHARS = 8  # 48 bits: a forger has 1 chance in 2**48 per try
_SEPARATOR = "."
_HEADER = _TAG_CHARS + len(_SEPARATOR) + 1  # tag, separator, kind
MAX_BODY_BYTES = MAX_BYTES - _HEADER


class Kind(StrEnum):
    CHOICE = "c"
    PAGE = "p"


@dataclass(frozen=True, slots=True)
class Callback:
    kind: Kind
    body: str


class CallbackTooLong(ValueError):
    """The option value does not fit in a button: the caller falls back to typed answers."""


class CallbackSigner:
    def __init__(self, token: str) -> None:
        # A key of its own, so the token itself is never what signs user-visible data.
        self._key = hmac.new(token.encode(), b"kawal/telegram/callback/v1", hashlib.sha256).digest()

    def _tag(self, chat_id: int | str, signed: str) -> str:
        mac = hmac.new(self._key, f"{chat_id}\x00{signed}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:6]).decode()  # 6 bytes -> 8 characters

    def sign(self, chat_id: int | str, kind: Kind, body: str) -> str:
        if len(body.encode()) > MAX_BODY_BYTES:
            raise CallbackTooLong(f"callback body of {len(body.encode())} bytes > {MAX_BODY_BYTES}")
        signed = f"{kind.value}{body}"
        return f"{self._tag(chat_id, signed)}{_SEPARATOR}{signed}"

    def verify(self, chat_id: int | str, data: str | None) -> Callback | None:
        """The decoded callback, or None when the data is not one this bot signed for this chat."""
        if not data or len(data.encode()) > MAX_BYTES:
            return None
        tag, separator, signed = data.partition(_SEPARATOR)
        if not separator or len(tag) != _TAG_CHARS or not signed:
            return None
        if not hmac.compare_digest(tag.encode(), self._tag(chat_id, signed).encode()):
            return None
        try:
            kind = Kind(signed[0])
        except ValueError:
            return None
        return Callback(kind, signed[1:])
