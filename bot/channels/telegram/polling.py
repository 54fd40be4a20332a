"""Long polling with an offset that only moves past updates whose effect is committed.

Each update is handled as soon as it is fetched, different chats side by side and each chat in
order (an update waits for its chat's previous one), never waiting for a whole batch: an
operator's answer does not queue behind a hundred others. ``getUpdates`` is what confirms updates
to Telegram, so it always asks from the oldest update not yet handled; while updates are being
handled it asks without waiting (``timeout=0``) once one of them is done, and skips, unread, the
updates it gets back that are still on their way. An update whose handling failed is fetched
again (the handlers deduplicate on ``update_id``), and skipped with an error after
``max_failures`` tries so one poisonous update cannot stop the bot.

The answer of ``getUpdates`` is taken as plain JSON and each update read on its own, leniently
(``updates.py``): an update in an older Bot API's shape is handled or acknowledged, and never
makes the whole batch unreadable (aiogram would refuse the batch, and it would come back forever).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from aiogram.methods import TelegramMethod
from aiogram.types import Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.parse import chat_of
from bot.channels.telegram.updates import read_updates
from handlers.ports import DeliveryError

log = logging.getLogger(__name__)

# What Kawal asks Telegram for (getUpdates and setWebhook). ``my_chat_member`` says the bot was
# added to a group or channel (it leaves); ``channel_post`` comes from a channel it is still in.
ALLOWED_UPDATES = [
    "message",
    "callback_query",
    "my_chat_member",
    "message_reaction",
    "channel_post",
]


class GetRawUpdates(TelegramMethod[list[Any]]):
    """``getUpdates``, its answer left as JSON values (read one by one, see ``updates.py``)."""

    __returning__ = list[Any]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


class Poller:
    """Long polling that handles each update as soon as it arrives (see the module docstring)."""

    def __init__(
        self,
        channel: TelegramChannel,
        *,
        timeout: int = 25,
        limit: int = 100,
        max_failures: int = 3,
        retry_delay: float = 1.0,
        settle: float = 0.002,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channel = channel
        self.timeout = timeout
        self.limit = limit
        self.max_failures = max_failures
        self.retry_delay = retry_delay
        self.settle = settle
        self._sleep = sleep
        self.offset: int | None = None
        self._failures: dict[int, int] = defaultdict(int)
        self._stopping = False
        self._fetch: asyncio.Task[list[Update]] | None = None
        # Fetched and not yet handled (running, waiting behind its chat, or failed and due again).
        self._open: set[int] = set()
        self._running: set[int] = set()  # handed to a chat's chain and not finished
        self._done: set[int] = set()  # handled, but not yet confirmed to Telegram
        self._highest: int | None = None  # the highest update_id fetched
        self._tails: dict[int | None, asyncio.Task[bool]] = {}  # each chat's last update
        self._progress = asyncio.Event()  # an update finished (handled or failed)

    async def run(self) -> None:
        """Poll until :meth:`stop`; updates being handled are finished first."""
        while not self._stopping:
            self._progress.clear()
            busy = bool(self._running)
            self._fetch = asyncio.ensure_future(self._get_updates(0 if busy else self.timeout))
            try:
                updates = await self._fetch
            except asyncio.CancelledError:
                if self._stopping:
                    break
                raise
            except DeliveryError as error:
                log.warning("getUpdates failed: %s", error)
                await self._sleep(self.retry_delay)
                continue
            finally:
                self._fetch = None
            if not self._start(updates) and self._running:
                # Everything fetched is already on its way: ask again once one of them is done
                # (asking at once would only bring the same updates back), a moment later so
                # that one question covers the updates finishing together.
                await self._progress.wait()
                await asyncio.sleep(self.settle)
        await self._finish()

    def stop(self) -> None:
        self._stopping = True
        if self._fetch is not None:
            self._fetch.cancel()
        self._progress.set()

    async def _get_updates(self, wait: int) -> list[Update]:
        method = GetRawUpdates(
            offset=self.offset,
            limit=self.limit,
            timeout=wait,
            allowed_updates=ALLOWED_UPDATES,
        )
        items = await self.channel.sender.call(method)
        # Updates already on their way come back until they are confirmed: skip them unread.
        fresh = [item for item in items if not self._known(item)]
        updates = read_updates(fresh, self.channel.sender.bot)
        if fresh and not updates:
            await self._sleep(self.retry_delay)  # nothing readable came: do not spin on it
        return updates

    def _known(self, item: Any) -> bool:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if type(update_id) is not int:
            return False
        if self.offset is not None and update_id < self.offset:
            return True  # handled while this answer was on its way
        return update_id in self._running or update_id in self._done

    def _start(self, updates: Sequence[Update]) -> int:
        """Hand each new update to its chat's chain; how many were handed over."""
        for update in sorted(updates, key=lambda u: u.update_id):
            update_id = update.update_id
            self._open.add(update_id)
            self._running.add(update_id)
            if self._highest is None or update_id > self._highest:
                self._highest = update_id
            chat = chat_of(update)
            task = asyncio.create_task(self._handle(self._tails.get(chat), update))
            self._tails[chat] = task
            task.add_done_callback(partial(self._forget_tail, chat))
        return len(updates)

    def _forget_tail(self, chat: int | None, task: asyncio.Task[bool]) -> None:
        if self._tails.get(chat) is task:
            del self._tails[chat]

    async def _handle(self, before: asyncio.Task[bool] | None, update: Update) -> bool:
        """Handle ``update`` after the chat's earlier one; False when it was not handled (it
        is fetched again: the offset does not move past it)."""
        update_id = update.update_id
        try:
            if before is not None and not await before:
                return False  # the chat's earlier update failed: this one waits for it
            try:
                await self.channel.process(update)
            except Exception:
                self._failures[update_id] += 1
                tries = self._failures[update_id]
                if tries < self.max_failures:
                    log.exception(
                        "update %s failed (try %d); it will be fetched again", update_id, tries
                    )
                    await self._sleep(self.retry_delay)  # do not spin on it
                    return False
                log.exception("update %s failed %d times; skipped", update_id, tries)
            self._failures.pop(update_id, None)
            self._open.discard(update_id)
            self._done.add(update_id)
            return True
        finally:
            self._running.discard(update_id)
            self._advance()
            self._progress.set()

    def _advance(self) -> None:
        """Move the offset to one past the longest run of handled updates."""
        if self._highest is None:
            return
        offset = min(self._open) if self._open else self._highest + 1
        self.offset = offset
        self._done = {update_id for update_id in self._done if update_id >= offset}

    async def _finish(self) -> None:
        """On a stop: let the updates on their way finish, then confirm what was handled."""
        running = list(self._tails.values())
        if running:
            await asyncio.gather(*running, return_exceptions=True)
        await self._acknowledge()

    async def _acknowledge(self) -> None:
        """On a clean stop, confirm the handled updates (else they are replayed as no-ops)."""
        if self.offset is None:
            return
        with contextlib.suppress(DeliveryError):
            await self.channel.sender.bot(
                GetRawUpdates(
                    offset=self.offset, limit=1, timeout=0, allowed_updates=ALLOWED_UPDATES
                )
            )
