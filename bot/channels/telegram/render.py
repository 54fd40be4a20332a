"""Neutral intents -> Bot API calls (aiogram method objects). Pure: no I/O, no state.

Questions with options become inline keyboards with signed callback data; more than
``PAGE_SIZE`` options are paged with ‹ › buttons (the channel keeps the pages); a request for a
location becomes a reply keyboard with a location button; long texts are split at 4096 chars.
Typing the number or the label of an option always works too: the handlers accept both.

A reply's plain texts are joined with the message that follows them into one Telegram message
(a blank line between) while the whole fits one message: "✅ Tersimpan." and the menu, or a
form's title, its introduction and the first question, arrive as one bubble with the buttons
under it instead of three. Fewer messages are fewer notifications and fewer requests on a weak
connection (and fewer Bot API calls: 11 messages instead of 16 for a household verification).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import (
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.telegram.callbacks import CallbackSigner, CallbackTooLong, Kind
from bot.channels.telegram.texts import tg
from handlers.messages import (
    Chart,
    Document,
    Outbound,
    Question,
    RequestLocation,
    RequestPhoto,
    Text,
    Tone,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
PAGE_SIZE = 8
_TONE_MARK = {Tone.ERROR: "⚠️ ", Tone.WARNING: "⚠️ ", Tone.SUCCESS: "", Tone.INFO: ""}


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str  # signed callback data


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API call to make; ``pages`` is set when its keyboard is paged."""

    method: TelegramMethod[Any]
    pages: tuple[Button, ...] = ()
    opens_reply_keyboard: bool = False


class Renderer:
    def __init__(self, signer: CallbackSigner, lang: str = "id") -> None:
        self.signer = signer
        self.lang = lang

    def render(
        self, chat_id: int, messages: Sequence[Outbound], *, remove_reply_keyboard: bool = False
    ) -> list[Call]:
        """The calls for a reply, in order. With ``remove_reply_keyboard`` the first plain
        message also removes a reply keyboard left from a location or photo request."""
        calls: list[Call] = []
        for message in joined(messages):
            calls.extend(self.render_one(chat_id, message))
        if remove_reply_keyboard:
            for index, call in enumerate(calls):
                if isinstance(call.method, SendMessage) and call.method.reply_markup is None:
                    method = call.method.model_copy(update={"reply_markup": ReplyKeyboardRemove()})
                    calls[index] = Call(method, call.pages, call.opens_reply_keyboard)
                    break
        return calls

    def render_one(self, chat_id: int, message: Outbound) -> list[Call]:
        match message:
            case Text(text=text, tone=tone):
                return self._texts(chat_id, _TONE_MARK[tone] + text)
            case Question():
                return self._question(chat_id, message)
            case RequestLocation(text=text, skip_label=skip):
                rows = [
                    [KeyboardButton(text=tg("send_location", self.lang), request_location=True)]
                ]
                if skip:
                    rows.append([KeyboardButton(text=skip)])
                markup = ReplyKeyboardMarkup(
                    keyboard=rows, resize_keyboard=True, one_time_keyboard=True
                )
                return self._texts(chat_id, text, markup, opens_reply_keyboard=True)
            case RequestPhoto(text=text, skip_label=skip):
                body = f"{text}\n\n{tg('photo_hint', self.lang)}"
                if not skip:
                    return self._texts(chat_id, body)
                markup = ReplyKeyboardMarkup(
                    keyboard=[[KeyboardButton(text=skip)]],
                    resize_keyboard=True,
                    one_time_keyboard=True,
                )
                return self._texts(chat_id, body, markup, opens_reply_keyboard=True)
            case Document(path=path, caption=caption, file_name=file_name):
                document = FSInputFile(path, filename=file_name or None)
                return [
                    Call(SendDocument(chat_id=chat_id, document=document, caption=_cap(caption)))
                ]
            case Chart(path=path, caption=caption):
                photo = FSInputFile(path)
                return [Call(SendPhoto(chat_id=chat_id, photo=photo, caption=_cap(caption)))]
        raise TypeError(f"cannot render {message!r}")

    def _texts(
        self,
        chat_id: int,
        text: str,
        markup: Any = None,
        *,
        pages: tuple[Button, ...] = (),
        opens_reply_keyboard: bool = False,
    ) -> list[Call]:
        parts = split_text(text)
        calls = [Call(SendMessage(chat_id=chat_id, text=part)) for part in parts[:-1]]
        last = SendMessage(chat_id=chat_id, text=parts[-1], reply_markup=markup)
        calls.append(Call(last, pages, opens_reply_keyboard))
        return calls

    def _question(self, chat_id: int, question: Question) -> list[Call]:
        options = question.options
        if not options and not question.extra:
            return self._texts(chat_id, question.text)
        numbered_list = "\n".join(f"{i}. {o.label}" for i, o in enumerate(options, 1))
        if question.multi or not options:
            # Several answers: typed as numbers (the handlers parse "1,3"); the words (keep)
            # are buttons.
            text = question.text
            if options:
                text = f"{text}\n\n{numbered_list}\n\n{tg('multi_hint', self.lang)}"
            try:
                words = [
                    Button(o.label, self.signer.sign(chat_id, Kind.CHOICE, o.value))
                    for o in question.extra
                ]
            except CallbackTooLong:
                words = []
            return self._texts(chat_id, text, keyboard(words) if words else None)
        try:
            buttons = tuple(
                Button(
                    f"{i}. {option.label}" if question.numbered else option.label,
                    self.signer.sign(chat_id, Kind.CHOICE, option.value),
                )
                for i, option in enumerate(options, 1)
            )
        except CallbackTooLong:
            # An option value too long for a button: the numbered list still works by typing.
            text = question.text
            if question.numbered:
                text = f"{text}\n\n{numbered_list}\n\n{tg('choose_hint', self.lang)}"
            return self._texts(chat_id, text)
        with contextlib.suppress(CallbackTooLong):  # the word still works typed
            buttons += tuple(
                Button(option.label, self.signer.sign(chat_id, Kind.CHOICE, option.value))
                for option in question.extra
            )
        if len(buttons) <= PAGE_SIZE:
            return self._texts(chat_id, question.text, keyboard([*buttons]))
        return self._texts(chat_id, question.text, self.page(chat_id, buttons, 0), pages=buttons)

    def page(self, chat_id: int, buttons: Sequence[Button], page: int) -> InlineKeyboardMarkup:
        """The keyboard showing page ``page`` of ``buttons`` with ‹ › to move."""
        count = max(1, -(-len(buttons) // PAGE_SIZE))
        page = min(max(page, 0), count - 1)
        shown = list(buttons[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])
        navigation: list[Button] = []
        if page > 0:
            data = self.signer.sign(chat_id, Kind.PAGE, str(page - 1))
            navigation.append(Button(tg("page_prev", self.lang), data))
        if page < count - 1:
            data = self.signer.sign(chat_id, Kind.PAGE, str(page + 1))
            navigation.append(Button(tg("page_next", self.lang), data))
        return keyboard(shown, navigation)


_JOINS_NEXT = (Question, RequestLocation, RequestPhoto, Text)


def joined(messages: Sequence[Outbound], limit: int = MAX_TEXT) -> list[Outbound]:
    """``messages`` with each run of plain texts put in front of the text, question or request
    that follows it (a blank line between), as long as the result fits one message of
    ``limit`` characters. Files and charts stand alone; so does a text that would not fit."""
    out: list[Outbound] = []
    pending: list[str] = []  # texts waiting for the next message, tone marks applied

    def flush() -> None:
        if pending:
            out.append(Text("\n\n".join(pending)))
            pending.clear()

    for message in messages:
        if isinstance(message, Text):
            text = _TONE_MARK[message.tone] + message.text
            if pending and len("\n\n".join([*pending, text])) > limit:
                flush()
            pending.append(text)
            continue
        if pending and isinstance(message, _JOINS_NEXT):
            text = "\n\n".join([*pending, message.text])
            extra = (
                sum(len(o.label) + 6 for o in message.options)
                if isinstance(message, Question)
                else 0
            )
            if len(text) + extra <= limit:
                pending.clear()
                out.append(replace(message, text=text))
                continue
        flush()
        out.append(message)
    flush()
    return out


def keyboard(buttons: Sequence[Button], last_row: Sequence[Button] = ()) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=b.text, callback_data=b.data)] for b in buttons]
    if last_row:
        rows.append([InlineKeyboardButton(text=b.text, callback_data=b.data) for b in last_row])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at line breaks (else spaces, else hard) into parts of at most ``limit`` chars."""
    text = text or "…"
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text or not parts:
        parts.append(text or "…")
    return parts


def _cap(caption: str) -> str | None:
    return caption[:MAX_CAPTION] or None
