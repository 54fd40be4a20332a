"""Long polling with an offset that only moves past updates whose effect is committed.

A batch from ``getUpdates`` is handled with different chats side by side and each chat in
order. The next ``getUpdates`` (which is what acknowledges updates to Telegram) asks for the
offset after the longest run of handled updates; an update whose handling failed is fetched
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
    def __init__(
        self,
        channel: TelegramChannel,
        *,
        timeout: int = 25,
        limit: int = 100,
        max_failures: int = 3,
        retry_delay: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.channel = channel
        self.timeout = timeout
        self.limit = limit
        self.max_failures = max_failures
        self.retry_delay = retry_delay
        self._sleep = sleep
        self.offset: int | None = None
        self._failures: dict[int, int] = defaultdict(int)
        self._stopping = False
        self._fetch: asyncio.Task[list[Update]] | None = None

    async def run(self) -> None:
        """Poll until :meth:`stop`; a batch being handled is finished first."""
        while not self._stopping:
            self._fetch = asyncio.ensure_future(self._get_updates())
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
            if updates:
                self.offset = await self.process_batch(updates)
        await self._acknowledge()

    def stop(self) -> None:
        self._stopping = True
        if self._fetch is not None:
            self._fetch.cancel()

    async def _get_updates(self) -> list[Update]:
        method = GetRawUpdates(
            offset=self.offset,
            limit=self.limit,
            timeout=self.timeout,
            allowed_updates=ALLOWED_UPDATES,
        )
        items = await self.channel.sender.call(method)
        updates = read_updates(items, self.channel.sender.bot)
        if items and not updates:
            await self._sleep(self.retry_delay)  # nothing readable came: do not spin on it
        return updates

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

    async def process_batch(self, updates: Sequence[Update]) -> int:
        """Handle a batch; the offset to ask for next (one past the handled prefix)."""
        ordered = sorted(updates, key=lambda u: u.update_id)
        by_chat: dict[int | None, list[Update]] = defaultdict(list)
        for update in ordered:
            by_chat[chat_of(update)].append(update)
        handled: set[int] = set()

        async def run_chat(chat_updates: list[Update]) -> None:
            for update in chat_updates:
                try:
                    await self.channel.process(update)
                except Exception:
                    self._failures[update.update_id] += 1
                    tries = self._failures[update.update_id]
                    if tries < self.max_failures:
                        log.exception(
                            "update %s failed (try %d); it will be fetched again",
                            update.update_id,
                            tries,
                        )
                        return  # later updates of this chat wait for it
                    log.exception("update %s failed %d times; skipped", update.update_id, tries)
                self._failures.pop(update.update_id, None)
                handled.add(update.update_id)

        await asyncio.gather(*(run_chat(chat_updates) for chat_updates in by_chat.values()))
        offset = ordered[0].update_id
        for update in ordered:
            if update.update_id not in handled:
                break
            offset = update.update_id + 1
        if offset <= ordered[-1].update_id:
            await self._sleep(self.retry_delay)  # something failed: do not spin on it
        return offset
