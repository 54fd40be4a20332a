"""Neutral :class:`Outbound` intents -> Cloud API message objects, within WhatsApp's limits.

* up to 3 options: reply buttons (title <= 20 characters);
* up to 10: a list message (row title <= 24, description <= 72, button text <= 20);
* more: a numbered text menu, 10 per page; the chat's :class:`ChatMenu` remembers the options
  so that a typed "12" becomes option 12's payload and "lagi" shows the next page;
* texts longer than 4096 characters are split on paragraph boundaries.

Pure: files to upload come back as :class:`Upload` parts; the sender uploads them.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.channels.whatsapp.texts import SHORT_LABELS, wa_text
from handlers.messages import (
    Chart,
    Document,
    Option,
    Outbound,
    Question,
    RequestLocation,
    RequestPhoto,
    Text,
    Tone,
)

TEXT_LIMIT = 4096
BODY_LIMIT = 1024  # interactive body text
BUTTON_TITLE_LIMIT = 20
MAX_BUTTONS = 3
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
LIST_BUTTON_LIMIT = 20
MAX_ROWS = 10
ID_LIMIT = 200  # list row ids; reply button ids allow 256
CAPTION_LIMIT = 1024
MENU_PAGE_SIZE = 10
INDEX_ID_PREFIX = "#"  # "#3": the third option of the chat's last question (long or odd values)

_TONE_MARK = {Tone.ERROR: "⚠️ ", Tone.WARNING: "⚠️ ", Tone.SUCCESS: "", Tone.INFO: ""}


@dataclass(frozen=True, slots=True)
class Send:
    """A ready message object: ``{"type": ..., <type>: {...}}`` (without ``to``)."""

    message: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Upload:
    """A local file to upload through ``/media`` and then send as an image or document."""

    path: Path
    media_type: Literal["image", "document"]
    caption: str = ""
    file_name: str = ""


Part = Send | Upload


@dataclass(slots=True)
class ChatMenu:
    """The options of the last question a chat was shown (kept in memory per chat)."""

    text: str
    options: tuple[Option, ...]
    typed_numbers: bool  # a numbered text menu: "12" means option 12
    page: int = 0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.options) / MENU_PAGE_SIZE))

    def option(self, number: int) -> Option | None:
        return self.options[number - 1] if 1 <= number <= len(self.options) else None


@dataclass(slots=True)
class Rendered:
    parts: list[Part] = field(default_factory=list)
    menu: ChatMenu | None = None  # the menu to remember for this chat
    asks: bool = False  # the messages ask something: forget the previous menu


def render_all(messages: list[Outbound] | tuple[Outbound, ...], lang: str = "id") -> Rendered:
    out = Rendered()
    for message in messages:
        out.parts.extend(_render(message, out, lang))
    return out


def _render(message: Outbound, out: Rendered, lang: str) -> list[Part]:
    match message:
        case Text(text=text, tone=tone):
            return [text_message(chunk) for chunk in split_text(_TONE_MARK[tone] + text)]
        case Question():
            out.asks = True
            return _question(message, out, lang)
        case RequestLocation(text=text, skip_label=skip):
            out.asks = True
            out.menu = None
            body = text + ("\n\n" + wa_text("location_skip", lang, skip=skip) if skip else "")
            before, body = _fit_body(body)
            return [
                *before,
                Send(
                    {
                        "type": "interactive",
                        "interactive": {
                            "type": "location_request_message",
                            "body": {"text": body},
                            "action": {"name": "send_location"},
                        },
                    }
                ),
            ]
        case RequestPhoto(text=text, skip_label=skip):
            out.asks = True
            out.menu = None
            hint = wa_text("photo_hint", lang)
            if skip:
                hint += " " + wa_text("photo_skip", lang, skip=skip)
            return [text_message(chunk) for chunk in split_text(f"{text}\n\n{hint}")]
        case Document(path=path, caption=caption, file_name=name):
            file_name = name or Path(path).name
            if path.startswith(("https://", "http://")):
                document: dict[str, Any] = {"link": path, "filename": file_name}
                if caption:
                    document["caption"] = caption[:CAPTION_LIMIT]
                return [Send({"type": "document", "document": document})]
            return [Upload(Path(path), "document", caption[:CAPTION_LIMIT], file_name)]
        case Chart(path=path, caption=caption):
            return [Upload(Path(path), "image", caption[:CAPTION_LIMIT])]
    raise TypeError(f"cannot render {message!r}")


def _question(question: Question, out: Rendered, lang: str) -> list[Part]:
    if question.extra and (question.multi or len(question.options) + len(question.extra) > 10):
        # The words (keep) cannot join a numbered menu: they are named, to be typed.
        words = " | ".join(f"[{o.label}]" for o in question.extra)
        question = dataclasses.replace(question, text=f"{question.text}\n{words}", extra=())
    options = (*question.options, *question.extra)
    if not options:
        out.menu = None
        return [text_message(chunk) for chunk in split_text(question.text)]
    if question.multi:
        out.menu = None
        lines = [question.text, "", *_numbered(options, 0, len(options))]
        lines += ["", wa_text("multi_hint", lang)]
        return [text_message(chunk) for chunk in split_text("\n".join(lines))]
    ids = option_ids(options)
    if len(options) <= MAX_BUTTONS:
        out.menu = ChatMenu(question.text, options, typed_numbers=False)
        titles = unique_titles([o.label for o in options], BUTTON_TITLE_LIMIT)
        before, body = _fit_body(question.text)
        buttons = [
            {"type": "reply", "reply": {"id": ids[i], "title": titles[i]}}
            for i in range(len(options))
        ]
        return [
            *before,
            Send(
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "button",
                        "body": {"text": body},
                        "action": {"buttons": buttons},
                    },
                }
            ),
        ]
    if len(options) <= MAX_ROWS:
        out.menu = ChatMenu(question.text, options, typed_numbers=False)
        titles = unique_titles([o.label for o in options], ROW_TITLE_LIMIT)
        rows: list[dict[str, str]] = []
        for i, option in enumerate(options):
            row = {"id": ids[i], "title": titles[i]}
            if titles[i] != option.label:  # truncated: the full label goes below the title
                row["description"] = shorten(option.label, ROW_DESCRIPTION_LIMIT)
            rows.append(row)
        before, body = _fit_body(question.text)
        return [
            *before,
            Send(
                {
                    "type": "interactive",
                    "interactive": {
                        "type": "list",
                        "body": {"text": body},
                        "action": {
                            "button": shorten(wa_text("list_button", lang), LIST_BUTTON_LIMIT),
                            "sections": [{"rows": rows}],
                        },
                    },
                }
            ),
        ]
    menu = ChatMenu(question.text, options, typed_numbers=True)
    out.menu = menu
    return [text_message(chunk) for chunk in split_text(menu_page(menu, 0, lang))]


def menu_page(menu: ChatMenu, page: int, lang: str = "id") -> str:
    """The text of one page of a numbered menu (the question's text, then up to 10 options)."""
    page = page % menu.pages
    start = page * MENU_PAGE_SIZE
    end = min(start + MENU_PAGE_SIZE, len(menu.options))
    lines = [menu.text, "", *_numbered(menu.options, start, end), ""]
    lines.append(wa_text("menu_type_number", lang, example=start + 1))
    if menu.pages > 1:
        lines.append(wa_text("menu_more", lang, page=page + 1, pages=menu.pages))
    return "\n".join(lines)


def _numbered(options: tuple[Option, ...], start: int, end: int) -> list[str]:
    return [f"{i + 1}. {options[i].label}" for i in range(start, end)]


def option_ids(options: tuple[Option, ...]) -> list[str]:
    """Each option's value as its id, unless it is too long or repeated: then ``#n``."""
    values = [o.value for o in options]
    if all(0 < len(v) <= ID_LIMIT and not v.startswith(INDEX_ID_PREFIX) for v in values) and len(
        set(values)
    ) == len(values):
        return values
    return [f"{INDEX_ID_PREFIX}{i}" for i in range(1, len(options) + 1)]


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a word boundary when one is near, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if text[limit - 1] != " " and space >= limit // 2:  # mid-word: end at the last whole word
        cut = cut[:space]
    return cut.rstrip(" ,.;:-·") + "…"


def unique_titles(labels: list[str], limit: int) -> list[str]:
    """Shortened labels, made unique (WhatsApp refuses two equal titles) with a number."""
    titles: list[str] = []
    seen: set[str] = set()
    for label in labels:
        label = SHORT_LABELS.get(label, label) if len(label) > limit else label
        title = shorten(label, limit) or "-"
        n = 2
        while title in seen:
            suffix = f" ({n})"
            title = shorten(label, limit - len(suffix)) + suffix
            n += 1
        seen.add(title)
        titles.append(title)
    return titles


def text_message(text: str) -> Send:
    return Send({"type": "text", "text": {"body": text, "preview_url": False}})


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Chunks of at most ``limit`` characters, cut between paragraphs, else lines, else words."""
    text = text.strip() or "-"
    chunks: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator, 0, limit)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].strip()
    if text:
        chunks.append(text)
    return chunks


def _fit_body(text: str) -> tuple[list[Part], str]:
    """An interactive body holds 1024 characters: longer text goes ahead as plain messages."""
    text = text.strip() or "-"
    if len(text) <= BODY_LIMIT:
        return [], text
    chunks = split_text(text, BODY_LIMIT)
    body = chunks[-1]
    head = "\n\n".join(chunks[:-1])
    return [text_message(chunk) for chunk in split_text(head)], body
