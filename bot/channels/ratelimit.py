"""Rate limiting for sends: a global rate per channel and a minimum interval per chat.

The maths is pure (time passed in); :class:`RateLimiter` adds waiting with an injectable clock and
sleep, so tests run on a fake clock without sleeping.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

WINDOWED_UP_TO = 1000.0  # messages/s; above it only the spacing applies


@dataclass(slots=True)
class Slots:
    """Reservations: the next free instant globally and per chat.

    ``reserve`` returns when the caller may send and books that instant, so concurrent callers
    get distinct, correctly spaced slots. A caller that wakes late (a busy event loop) would
    then send right behind the next one; ``window_wait`` / ``granted`` keep the sends actually
    let through at no more than the rate in any sliding second, whatever the lateness.
    """

    global_rate: float  # messages per second over all chats
    chat_interval: float  # seconds between two messages to the same chat
    max_chats: int = 100_000  # remembered chats (the oldest are forgotten first)
    _next_global: float = 0.0
    _next_chat: OrderedDict[str, float] = field(default_factory=OrderedDict)
    _paused_until: float = 0.0
    _granted: deque[float] = field(default_factory=deque)  # the latest sends let through

    @property
    def per_second(self) -> int:
        """Sends allowed in any sliding second (at least one); 0: not counted (a rate above
        ``WINDOWED_UP_TO``, i.e. no platform's limit, such as a per-chat-only limiter)."""
        if self.global_rate > WINDOWED_UP_TO:
            return 0
        return max(1, math.floor(self.global_rate))

    def window_wait(self, now: float) -> float:
        """Seconds to wait before one more send keeps the sliding second within the rate."""
        if len(self._granted) < self.per_second or not self.per_second:
            return 0.0
        return max(0.0, self._granted[0] + 1.0 - now)

    def granted(self, now: float) -> None:
        """A send was let through at ``now``."""
        if not self.per_second:
            return
        self._granted.append(now)
        while len(self._granted) > self.per_second:
            self._granted.popleft()

    def reserve(self, chat: str, now: float) -> float:
        start = max(now, self._next_global, self._paused_until, self._next_chat.get(chat, 0.0))
        self._next_global = start + 1.0 / self.global_rate
        self._next_chat[chat] = start + self.chat_interval
        self._next_chat.move_to_end(chat)
        while len(self._next_chat) > self.max_chats:
            self._next_chat.popitem(last=False)
        return start

    def pause(self, until: float) -> None:
        """Nothing is sent before ``until`` (a 429 with retry_after for the whole bot)."""
        self._paused_until = max(self._paused_until, until)

    def pause_chat(self, chat: str, until: float) -> None:
        self._next_chat[chat] = max(self._next_chat.get(chat, 0.0), until)


class RateLimiter:
    def __init__(
        self,
        global_rate: float = 25.0,
        chat_interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if global_rate <= 0 or chat_interval < 0:
            raise ValueError("global_rate must be > 0 and chat_interval >= 0")
        self.slots = Slots(global_rate, chat_interval)
        self._clock = clock
        self._sleep = sleep

    def now(self) -> float:
        return self._clock()

    async def acquire(self, chat: str, *, window: bool = True) -> None:
        """Wait until a message to ``chat`` may be sent. With ``window`` False the caller
        passes :meth:`window` itself, right before its bytes go on the wire (a send that is
        built after its slot can still be held up; bunched writes would exceed the rate)."""
        start = self.slots.reserve(chat, self._clock())
        delay = start - self._clock()
        if delay > 0:
            await self._sleep(delay)
        if window:
            await self.window()

    async def window(self) -> None:
        """Wait until one more send keeps every sliding second within the rate, and count it
        as sent (the caller writes it without awaiting anything else first)."""
        while (wait := self.slots.window_wait(self._clock())) > 0:
            await self._sleep(wait)
        self.slots.granted(self._clock())  # no await since the check: callers cannot interleave

    def retry_after(self, seconds: float, chat: str | None = None) -> None:
        """Honour a platform's retry_after: for one chat, or (``chat`` None) for everything."""
        until = self._clock() + seconds
        if chat is None:
            self.slots.pause(until)
        else:
            self.slots.pause_chat(chat, until)
