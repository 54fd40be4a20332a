"""Neutral message types: what channels hand to handlers, and the intents handlers give back.

Channels (``bot/channels/*``) parse platform updates into :class:`Inbound` and render
:class:`Outbound` intents within their platform's limits. Nothing here knows a platform.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    CONSOLE = "console"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


class InboundKind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"  # a button / list reply; ``payload`` carries the option value
    LOCATION = "location"
    PHOTO = "photo"
    DOCUMENT = "document"
    COMMAND = "command"  # ``/start CODE`` etc.; ``command`` and ``args`` are set
    UNSUPPORTED = "unsupported"  # a sticker, voice note, ... : answered politely
    # An emoji reaction to one of our messages: ``payload`` is that message's platform id,
    # ``text`` the emoji ("" when taken back). Never answered; on an announcement it counts
    # as "read and understood".
    REACTION = "reaction"
    # The sender's account moved to a new platform id (WhatsApp ``user_changed_number``):
    # ``args`` is the new id. Never answered; the identity moves with everything it holds.
    NUMBER_CHANGED = "number_changed"


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TEXT_FIELDS = (
    "external_id",
    "platform_id",
    "text",
    "payload",
    "command",
    "args",
    "media_ref",
    "file_name",
    "display_name",
)


def storable(text: str) -> str:
    """``text`` without what no database stores: NUL characters are dropped (PostgreSQL text
    and JSONB refuse them) and a lone surrogate, which only hand-made JSON can carry, becomes
    U+FFFD (it cannot be encoded as UTF-8)."""
    if text.isascii():
        return text.replace("\x00", "") if "\x00" in text else text
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, as any channel sees it. Its text fields are always
    storable (see :func:`storable`), whatever the platform delivered."""

    channel: Channel
    external_id: str  # the platform's id of the sender (Telegram chat id, WhatsApp wa_id)
    platform_id: str  # the platform's id of this update (update_id, wamid): dedupe key
    kind: InboundKind
    text: str = ""
    payload: str = ""  # choice value for CHOICE
    command: str = ""  # without the slash, lower case
    args: str = ""
    location: Location | None = None
    media_ref: str = ""  # photo/document reference (file id, stored path)
    file_name: str = ""
    display_name: str = ""

    def __post_init__(self) -> None:
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            clean = storable(value)
            if clean is not value:
                object.__setattr__(self, name, clean)  # frozen: only here, while building


@dataclass(frozen=True, slots=True)
class Option:
    value: str  # what comes back as Inbound.payload when pressed
    label: str  # shown to the user


class Tone(StrEnum):
    INFO = "info"
    ERROR = "error"
    WARNING = "warning"
    SUCCESS = "success"


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    tone: Tone = Tone.INFO


@dataclass(frozen=True, slots=True)
class Question:
    """A prompt that expects an answer; ``options`` may be empty (free text).

    ``multi`` means several options may be chosen (answered as ``1,3`` in text). When
    ``numbered`` is False the text already uses numbers for something else (the review screen),
    so a text channel must not offer the options by number.
    """

    text: str
    options: tuple[Option, ...] = ()
    multi: bool = False
    numbered: bool = True  # False: text channels list the options as words to type, not numbers
    # Buttons that are never numbered ("Tetap: 006", "Semua data tetap", "Simpan"): a text
    # channel shows them as words to type, so a typed number always means an option above or,
    # on a question without options, the value itself.
    extra: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class RequestLocation:
    text: str
    skip_label: str = ""


@dataclass(frozen=True, slots=True)
class RequestPhoto:
    text: str
    skip_label: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    path: str
    caption: str = ""
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    path: str  # a PNG file
    caption: str = ""


Outbound = Text | Question | RequestLocation | RequestPhoto | Document | Chart


@dataclass(slots=True)
class Reply:
    """What a handler returns for one inbound message: the intents, in order."""

    messages: list[Outbound] = field(default_factory=list)

    def add(self, *items: Outbound) -> Reply:
        self.messages.extend(items)
        return self


# ---- intents as JSON (the outbox stores what to send, rendered by the channel at send time) ----

_KINDS: dict[str, type[Outbound]] = {
    "text": Text,
    "question": Question,
    "request_location": RequestLocation,
    "request_photo": RequestPhoto,
    "document": Document,
    "chart": Chart,
}
_KIND_OF: dict[type[Outbound], str] = {cls: kind for kind, cls in _KINDS.items()}


def to_data(messages: Sequence[Outbound]) -> list[dict[str, Any]]:
    """Intents as JSON-ready dicts (``from_data`` gives them back)."""
    out: list[dict[str, Any]] = []
    for message in messages:
        item: dict[str, Any] = {"kind": _KIND_OF[type(message)]}
        for name in message.__dataclass_fields__:
            value = getattr(message, name)
            if name == "options":
                value = [{"value": o.value, "label": o.label} for o in value]
            elif isinstance(value, Tone):
                value = value.value
            item[name] = value
        out.append(item)
    return out


def from_data(items: Sequence[dict[str, Any]]) -> list[Outbound]:
    """The intents ``to_data`` described; ``ValueError`` for anything else."""
    messages: list[Outbound] = []
    for raw in items:
        item = dict(raw)
        cls = _KINDS.get(str(item.pop("kind", "")))
        if cls is None:
            raise ValueError(f"unknown outbound kind in {raw!r}")
        if "options" in item:
            item["options"] = tuple(
                Option(str(o["value"]), str(o["label"])) for o in item["options"]
            )
        if "tone" in item:
            item["tone"] = Tone(item["tone"])
        try:
            messages.append(cls(**item))
        except TypeError as exc:
            raise ValueError(f"bad {cls.__name__} in {raw!r}: {exc}") from exc
    return messages
