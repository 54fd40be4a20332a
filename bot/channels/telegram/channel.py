"""One Telegram update from start to finish: parse, check buttons, store a received file,
handle (commit), reply.

Updates of one chat are handled one at a time, in order. ``process`` returns once the handlers
committed (replies are sent after the commit, and a failed send is logged, never raised), and
raises only when the update was not handled, so the caller must not acknowledge it.

Only private chats are served. An update from a group, supergroup or channel never reaches the
handlers and stores nothing: the bot says once (per chat and process) that it serves private
chats only and how to reach it there, and leaves the chat; a button pressed there gets that
line as an alert. Service messages and messages older than :data:`MAX_AGE` get no answer.

A photo or document is downloaded only when the handlers want it (``accepts_file``: a question
asks for it, within the sender's daily quota); else it reaches them without the file, and they
say what to do instead. It is downloaded before the handlers' unit of work, so the transaction
never waits on the network. A file that is too big or could not be fetched never reaches the
handlers: the sender is told so (and what to do), and only then is the update acknowledged.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    LeaveChat,
    SendMessage,
)
from aiogram.types import Update

from bot.channels.telegram.callbacks import CallbackSigner, Kind
from bot.channels.telegram.errors import is_not_modified
from bot.channels.telegram.media import MediaNotStored, MediaStore, MediaTooBig
from bot.channels.telegram.parse import MediaMessage, NotPrivate, Press, chat_of, parse
from bot.channels.telegram.render import Renderer, split_text
from bot.channels.telegram.sender import TelegramSender, _Lru
from bot.channels.telegram.texts import private_only, tg
from handlers.messages import Channel, Inbound, InboundKind, Reply, Text, Tone
from handlers.ports import Blocked, DeliveryError, RetryAfter, TransientError

log = logging.getLogger(__name__)

Handle = Callable[[Inbound], Awaitable[Reply]]
AcceptsFile = Callable[[Inbound], Awaitable[bool]]
MAX_AGE = timedelta(days=7)  # an older message (a lagging server's backlog) is not answered
_NUMBER_PREFIX = re.compile(r"^\d+\.\s+")


class TelegramChannel:
    def __init__(
        self,
        handle: Handle,
        sender: TelegramSender,
        signer: CallbackSigner,
        renderer: Renderer,
        media: MediaStore,
        accepts_file: AcceptsFile,
        lang: str = "id",
    ) -> None:
        self._handle = handle
        self.sender = sender
        self.media = media
        self._signer = signer
        self._renderer = renderer
        self._accepts_file = accepts_file
        self._lang = lang
        self.bot_username = ""  # known once getMe answered (the service sets it)
        self._locks: dict[int, _ChatLock] = {}
        self._answered: _Lru = _Lru()  # (chat id, message id) of keyboards already answered
        self._told: _Lru = _Lru()  # groups and channels told that only private chats are served
        self._left: _Lru = _Lru()  # groups and channels left

    async def process(self, update: Update, committed: Callable[[], None] | None = None) -> None:
        """Handle ``update``; ``committed`` is called as soon as its effect is stored."""
        chat = chat_of(update)
        if chat is None:
            _notify(committed)
            return
        entry = self._locks.setdefault(chat, _ChatLock())
        entry.users += 1
        try:
            async with entry.lock:
                await self._process(update, committed)
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._locks[chat]

    async def _process(self, update: Update, committed: Callable[[], None] | None) -> None:
        parsed = parse(update)
        if parsed is None:
            _notify(committed)
            return
        if isinstance(parsed, NotPrivate):
            _notify(committed)  # nothing of it is stored: acknowledged at once
            await self._refuse(parsed)
            return
        if self._too_old(update):
            _notify(committed)
            return
        press: Press | None = None
        if isinstance(parsed, Press):
            press = parsed
            inbound = await self._check_press(press)
            if inbound is None:
                _notify(committed)
                return
        elif isinstance(parsed, MediaMessage):
            taken = await self._take_file(parsed, update.update_id)
            if taken is None:
                _notify(committed)
                return
            inbound = taken
        else:
            inbound = parsed
        reply = await self._handle(inbound)  # never raises; commits before returning
        _notify(committed)
        try:
            if press is not None:
                await self._close_keyboard(press)
            if reply.messages:
                await self.sender.deliver(int(inbound.external_id), reply.messages)
        except DeliveryError as error:
            log.warning("reply to update %s not delivered: %s", update.update_id, error)
        except Exception:
            log.exception("reply to update %s failed", update.update_id)

    # ---- where Kawal does not serve -----------------------------------------------------------

    async def _refuse(self, update: NotPrivate) -> None:
        """Say once that only private chats are served (or answer the button), then leave.
        A failure is logged, never raised; a leave that failed for a passing reason is tried
        again on the chat's next update."""
        chat = update.chat_id
        line = private_only(self._lang, self.bot_username)
        log.info("update %s from group or channel %s: not served", update.update_id, chat)
        if update.query_id is not None:
            await self._answer_query(update.update_id, update.query_id, line, alert=True)
        elif update.speak and chat not in self._told:
            self._told.remember(chat, True)
            try:
                method = SendMessage(chat_id=chat, text=line)
                await self.sender.call(method, chat=chat, note_blocked=False)
            except DeliveryError as error:
                log.info("update %s: could not tell chat %s: %s", update.update_id, chat, error)
        if update.inside and chat not in self._left:
            try:
                await self.sender.call(LeaveChat(chat_id=chat), note_blocked=False)
            except (TransientError, RetryAfter) as error:
                log.warning("update %s: could not leave chat %s: %s", update.update_id, chat, error)
                return
            except DeliveryError as error:  # e.g. no longer a member: nothing to leave
                log.info("update %s: could not leave chat %s: %s", update.update_id, chat, error)
            self._left.remember(chat, True)

    def _too_old(self, update: Update) -> bool:
        message = update.message
        if message is None or message.date >= self.sender.clock.now() - MAX_AGE:
            return False
        log.info("update %s: a message from %s, too old to answer", update.update_id, message.date)
        return True

    # ---- received files --------------------------------------------------------------------

    async def _take_file(self, message: MediaMessage, update_id: int) -> Inbound | None:
        """The inbound to hand to the handlers: with the stored file when they want it, else
        without (they answer); None when the sender was told the file was not taken."""
        if not await self._accepts_file(message.inbound):
            kind = message.inbound.kind
            log.info("update %s: a %s nobody asked for, not fetched", update_id, kind)
            return message.inbound
        return await self._store(message, update_id)

    async def _store(self, message: MediaMessage, update_id: int) -> Inbound | None:
        """``message.inbound`` with the stored file's path, or None when the sender was told
        the file was not taken (too big, or the download failed)."""
        inbound = message.inbound
        photo = inbound.kind is InboundKind.PHOTO
        try:
            path = await self.media.fetch(message.media)
        except MediaTooBig as error:
            log.info("update %s: file refused, too big (%s)", update_id, error)
            key = "photo_too_big" if photo else "document_too_big"
        except MediaNotStored as error:
            log.warning("update %s: file not stored: %s", update_id, error)
            key = "photo_failed" if photo else "document_failed"
        else:
            return dataclasses.replace(inbound, media_ref=path)
        notice = Text(tg(key, self._lang), Tone.ERROR)
        try:
            # The question being answered keeps its reply keyboard (e.g. a skip button).
            await self.sender.deliver(int(inbound.external_id), [notice], keep_reply_keyboard=True)
        except Blocked:
            log.info("update %s: the sender blocked the bot", update_id)
        # Any other failure propagates: the sender was told nothing, so the update is not
        # acknowledged and comes again (nothing of it was stored).
        return None

    # ---- buttons ---------------------------------------------------------------------------

    async def _check_press(self, press: Press) -> Inbound | None:
        """The choice to hand to the handlers, or None when the channel dealt with the press
        itself (forged data, a stale keyboard, a page turn)."""
        callback = self._signer.verify(press.chat_id, press.data)
        if callback is None:
            log.warning(
                "update %s: refused callback data that this bot did not sign", press.update_id
            )
            await self._answer(press, tg("forged", self._lang), alert=True)
            return None
        if callback.kind is Kind.PAGE:
            await self._turn_page(press, callback.body)
            return None
        key = (press.chat_id, press.message_id)
        latest = self.sender.latest_keyboard.get(press.chat_id)
        # Message ids grow within a chat: a keyboard older than the newest this process sent
        # is stale. A newer one was sent by another process behind the same webhook (each
        # knows only its own), so it is not.
        stale_here = (
            latest is not None
            and press.message_id is not None
            and press.message_id < latest
            and key not in self.sender.standalone  # a proactive message's own buttons
        )
        if press.keyboard_gone or key in self._answered or stale_here:
            log.info("update %s: a button of an answered question was pressed", press.update_id)
            await self._answer(press, tg("stale", self._lang))
            if stale_here and not press.keyboard_gone and key not in self._answered:
                self._answered.remember(key, True)
                await self._remove_keyboard(press)
            return None
        label = _NUMBER_PREFIX.sub("", press.button_label or "")
        return Inbound(
            channel=Channel.TELEGRAM,
            external_id=str(press.chat_id),
            platform_id=str(press.update_id),
            kind=InboundKind.CHOICE,
            payload=callback.body,
            text=label,
            display_name=press.display_name,
        )

    async def _turn_page(self, press: Press, body: str) -> None:
        buttons = (
            self.sender.pages_of(press.chat_id, press.message_id)
            if press.message_id is not None
            else None
        )
        if buttons is None or not body.isdigit() or press.keyboard_gone:
            await self._answer(press, tg("page_expired", self._lang), alert=True)
            return
        await self._answer(press, "")
        markup = self._renderer.page(press.chat_id, buttons, int(body))
        await self._edit(
            EditMessageReplyMarkup(
                chat_id=press.chat_id, message_id=press.message_id, reply_markup=markup
            ),
            press,
        )

    async def _close_keyboard(self, press: Press) -> None:
        """After a choice: stop the spinner and replace the keyboard with the chosen label."""
        self._answered.remember((press.chat_id, press.message_id), True)
        await self._answer(press, "")
        if press.message_id is None:
            return
        if press.message_text and press.button_label:
            chosen = f"{press.message_text}\n\n➡️ {press.button_label}"
            if len(split_text(chosen)) == 1:
                await self._edit(
                    EditMessageText(
                        chat_id=press.chat_id, message_id=press.message_id, text=chosen
                    ),
                    press,
                )
                return
        await self._remove_keyboard(press)

    async def _remove_keyboard(self, press: Press) -> None:
        if press.message_id is not None:
            await self._edit(
                EditMessageReplyMarkup(chat_id=press.chat_id, message_id=press.message_id), press
            )

    async def _answer(self, press: Press, text: str, *, alert: bool = False) -> None:
        await self._answer_query(press.update_id, press.query_id, text, alert=alert)

    async def _answer_query(
        self, update_id: int, query_id: str, text: str, *, alert: bool = False
    ) -> None:
        method = AnswerCallbackQuery(
            callback_query_id=query_id, text=text or None, show_alert=alert or None
        )
        try:
            await self.sender.call(method)
        except DeliveryError as error:
            log.info("update %s: callback answer failed: %s", update_id, error)

    async def _edit(self, method: Any, press: Press) -> None:
        try:
            await self.sender.call(method, chat=press.chat_id)
        except DeliveryError as error:
            if not is_not_modified(error):
                log.info("update %s: keyboard edit failed: %s", press.update_id, error)


class _ChatLock:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


def _notify(committed: Callable[[], None] | None) -> None:
    if committed is not None:
        committed()
