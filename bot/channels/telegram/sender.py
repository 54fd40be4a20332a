"""Sending to Telegram: rate limited, honouring 429 retry_after, retrying transient errors,
marking people who blocked the bot. Implements :class:`handlers.ports.ChannelSender`.

Replies and API calls (:meth:`TelegramSender.call`) retry by themselves; proactive messages
(:meth:`TelegramSender.send`, used by the outbox) make one attempt and leave retries to the
outbox, through ``outbox_bot`` (a :class:`bot.channels.telegram.wire_session.WireSession`)."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import AiogramError
from aiogram.methods import EditMessageReplyMarkup, EditMessageText, TelegramMethod
from aiogram.types import Message, ReplyKeyboardRemove

from bot.channels.ratelimit import RateLimiter
from bot.channels.telegram.errors import translate
from bot.channels.telegram.render import Button, Call, Renderer
from bot.channels.wire import before_write
from handlers.messages import Channel, Outbound
from handlers.ports import (
    Blocked,
    Clock,
    Delivery,
    DeliveryError,
    NetworkError,
    Recipient,
    RetryAfter,
    Template,
    TransientError,
    Unconfirmed,
)
from storage.db import Database

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_REMEMBERED = 10_000  # paged keyboards and open reply keyboards kept in memory


class _Lru(OrderedDict[Any, Any]):
    def remember(self, key: Any, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_REMEMBERED:
            self.popitem(last=False)


def _limit_key(method: TelegramMethod[Any], chat: int) -> str:
    # Edits (a pressed keyboard replaced by the answer) are spaced among themselves, so the
    # reply that follows a button press is not held back by the edit before it.
    if isinstance(method, EditMessageText | EditMessageReplyMarkup):
        return f"{chat}:edit"
    return str(chat)


def _removes_keyboard(call: Call) -> bool:
    return isinstance(getattr(call.method, "reply_markup", None), ReplyKeyboardRemove)


class TelegramSender:
    channel = Channel.TELEGRAM

    def __init__(
        self,
        bot: Bot,
        db: Database,
        renderer: Renderer,
        limiter: RateLimiter,
        clock: Clock,
        *,
        max_attempts: int = 5,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        outbox_bot: Bot | None = None,
    ) -> None:
        self.bot = bot
        self.outbox_bot = outbox_bot or bot
        self.db = db
        self.renderer = renderer
        self.limiter = limiter
        self.clock = clock
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._sleep = sleep
        self.pages: _Lru = _Lru()  # (chat id, message id) -> tuple[Button, ...]
        self.latest_keyboard: _Lru = _Lru()  # chat id -> message id of its newest inline keyboard
        self.standalone: _Lru = _Lru()  # (chat id, message id) of proactive messages' keyboards
        self._reply_keyboard_open: _Lru = _Lru()  # chat id -> True

    # ---- ChannelSender (the outbox) -------------------------------------------------------

    async def send(
        self,
        recipient: Recipient,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,  # Telegram has no messaging window: unused
        delivery: Delivery | None = None,
    ) -> str | None:
        """One attempt to send a proactive message, part by part, through ``outbox_bot``.

        Each part waits for the rate limiter, then runs ``delivery.before_write`` in the same
        synchronous step as the socket write. A network failure after that is
        :class:`Unconfirmed` (the part may have arrived); a 429 pauses every send.
        """
        delivery = delivery or Delivery()
        chat = int(recipient.external_id)
        calls = self.renderer.render(chat, messages)
        last: str | None = None
        for index, call in enumerate(calls):
            if index < delivery.skip:
                continue
            await self.limiter.acquire(_limit_key(call.method, chat), window=False)
            try:
                hook = partial(delivery.before_write, index)
                with before_write(hook, gate=self.limiter.window):
                    sent = await self.outbox_bot(call.method)
            except AiogramError as exc:
                error = translate(exc)
                if isinstance(error, RetryAfter):
                    self.limiter.retry_after(error.seconds)
                if isinstance(error, NetworkError) and delivery.written == index:
                    raise Unconfirmed(str(error)) from exc
                raise error from exc
            if isinstance(sent, Message):
                last = str(sent.message_id)
                self._remember(chat, sent.message_id, call, standalone=True)
            delivery.confirmed(index, last)
        return last

    # ---- replies and calls -------------------------------------------------------------

    async def deliver(
        self, chat_id: int, messages: Sequence[Outbound], *, keep_reply_keyboard: bool = False
    ) -> str | None:
        """Render and send ``messages`` in order; the id of the last message sent.

        An open reply keyboard (location, skip) is removed by the first message, unless
        ``keep_reply_keyboard`` (a notice while the same question is still open)."""
        remove = not keep_reply_keyboard and bool(self._reply_keyboard_open.pop(chat_id, False))
        calls = self.renderer.render(chat_id, messages, remove_reply_keyboard=remove)
        if remove and not any(_removes_keyboard(call) for call in calls):
            self._reply_keyboard_open.remember(chat_id, True)  # no message could carry it yet
        last: str | None = None
        for call in calls:
            sent = await self.call(call.method, chat=chat_id)
            if isinstance(sent, Message):
                last = str(sent.message_id)
                self._remember(chat_id, sent.message_id, call)
        return last

    def _remember(
        self, chat_id: int, message_id: int, call: Call, *, standalone: bool = False
    ) -> None:
        """Keep what the channel needs to read a press on this message's keyboard later.

        A proactive message's keyboard (``standalone``) stands beside the conversation: it
        neither replaces the newest conversation keyboard nor becomes stale when that moves on.
        """
        markup = getattr(call.method, "reply_markup", None)
        if call.pages:
            self.pages.remember((chat_id, message_id), call.pages)
        if markup is not None and hasattr(markup, "inline_keyboard"):
            if standalone:
                self.standalone.remember((chat_id, message_id), True)
                return
            self.latest_keyboard.remember(chat_id, message_id)
        if call.opens_reply_keyboard:
            self._reply_keyboard_open.remember(chat_id, True)

    def pages_of(self, chat_id: int, message_id: int) -> tuple[Button, ...] | None:
        pages: tuple[Button, ...] | None = self.pages.get((chat_id, message_id))
        return pages

    async def call(
        self, method: TelegramMethod[T], *, chat: int | None = None, note_blocked: bool = True
    ) -> T:
        """One Bot API call. With ``chat`` it waits for the rate limiter (a message or an
        edit); 429 pauses every send for ``retry_after`` and retries; network errors and 5xx
        retry with exponential backoff; 403 marks the chat blocked (unless ``note_blocked`` is
        false: a group, whose refusal is nothing to store). Failures raise
        :class:`handlers.ports.DeliveryError` subclasses."""
        attempt = 0
        while True:
            attempt += 1
            if chat is not None:
                await self.limiter.acquire(_limit_key(method, chat))
            try:
                return await self.bot(method)
            except AiogramError as exc:
                error = translate(exc)
            if not await self._should_retry(error, attempt, method, chat, note_blocked):
                raise error

    async def _should_retry(
        self,
        error: DeliveryError,
        attempt: int,
        method: TelegramMethod[Any],
        chat: int | None,
        note_blocked: bool = True,
    ) -> bool:
        name = type(method).__name__
        if isinstance(error, Blocked):
            if chat is not None and note_blocked:
                await self._mark_blocked(chat)
            return False
        if attempt >= self.max_attempts:
            log.warning("%s to %s failed after %d attempts: %s", name, chat, attempt, error)
            return False
        if isinstance(error, RetryAfter):
            log.warning("Telegram asked to wait %.0f s (%s to %s)", error.seconds, name, chat)
            # No request to anyone before it elapses: the limiter holds every later send.
            self.limiter.retry_after(error.seconds)
            if chat is None:
                await self._sleep(error.seconds)
            return True
        if isinstance(error, TransientError):
            delay = self.backoff * 2 ** (attempt - 1)
            log.info("%s to %s failed (%s); retry in %.1f s", name, chat, error, delay)
            await self._sleep(delay)
            return True
        return False

    async def _mark_blocked(self, chat: int) -> None:
        log.info("telegram chat %s blocked the bot", chat)
        try:
            async with self.db.unit_of_work() as uow:
                await uow.people.mark_blocked(self.channel.value, str(chat), self.clock.now())
        except Exception:
            log.exception("could not mark telegram chat %s blocked", chat)
