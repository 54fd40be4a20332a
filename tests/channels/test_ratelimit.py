from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
import random
from collections.abc import Callable

import pytest

from bot.channels.ratelimit import RateLimiter, Slots


class FakeTime:
    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


@pytest.mark.parametrize(
    ("rate", "interval", "chats", "expected"),
    [
        # one chat: the per-chat interval dominates
        (25.0, 1.0, ["a", "a", "a"], [0.0, 1.0, 2.0]),
        # many chats: the global rate spaces them 1/rate apart
        (4.0, 1.0, ["a", "b", "c", "d", "e"], [0.0, 0.25, 0.5, 0.75, 1.0]),
        # mixed: the second message to "a" waits for its own interval
        (10.0, 1.0, ["a", "b", "a"], [0.0, 0.1, 1.0]),
    ],
)
def test_reserve_spaces_sends(rate, interval, chats, expected) -> None:
    slots = Slots(rate, interval)
    starts = [slots.reserve(chat, 0.0) for chat in chats]
    assert starts == pytest.approx(expected)


def test_pause_holds_everything_until_it_elapses() -> None:
    slots = Slots(100.0, 0.0)
    slots.pause(5.0)
    assert slots.reserve("a", 1.0) == pytest.approx(5.0)
    assert slots.reserve("b", 1.0) == pytest.approx(5.01)


def test_forgets_oldest_chats_beyond_the_bound() -> None:
    slots = Slots(1000.0, 1.0, max_chats=2)
    for chat in "abc":
        slots.reserve(chat, 0.0)
    assert list(slots._next_chat) == ["b", "c"]


async def test_limiter_waits_on_the_injected_clock() -> None:
    fake = FakeTime()
    limiter = RateLimiter(2.0, 1.0, clock=fake.clock, sleep=fake.sleep)
    sent: list[float] = []
    for chat in ["a", "b", "c", "a"]:
        await limiter.acquire(chat)
        sent.append(fake.t - 1000.0)
    assert sent == pytest.approx([0.0, 0.5, 1.0, 1.5])


async def test_retry_after_for_one_chat_does_not_hold_others() -> None:
    fake = FakeTime()
    limiter = RateLimiter(100.0, 0.0, clock=fake.clock, sleep=fake.sleep)
    limiter.retry_after(30, chat="a")
    await limiter.acquire("b")
    assert fake.t == pytest.approx(1000.0)
    await limiter.acquire("a")
    assert fake.t == pytest.approx(1030.0)


class VirtualLoop:
    """Virtual time for many tasks at once: ``sleep`` wakes each sleeper at its instant plus a
    lateness drawn from ``late`` (a busy event loop), earliest first."""

    def __init__(self, late: Callable[[], float]) -> None:
        self.t = 0.0
        self.late = late
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        wake = self.t + seconds + self.late()
        heapq.heappush(self._sleepers, (wake, next(self._seq), future))
        await future

    async def run(self, tasks: list[asyncio.Task[None]]) -> None:
        while not all(task.done() for task in tasks):
            for _ in range(5):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            if self._sleepers:
                wake, _, future = heapq.heappop(self._sleepers)
                self.t = max(self.t, wake)
                future.set_result(None)
        for task in tasks:
            task.result()


def most_in_any_second(times: list[float]) -> int:
    return max(bisect.bisect_left(times, t + 1.0, lo=i) - i for i, t in enumerate(times))


@pytest.mark.parametrize("lateness", [0.0, 0.03, 0.2])
async def test_concurrent_senders_never_exceed_the_rate_in_any_second(lateness: float) -> None:
    """Eight senders share the limiter (as the outbox does), each woken up to ``lateness``
    seconds late: never more than 25 sends in any sliding second, and the rate is kept."""
    rng = random.Random(7)
    loop = VirtualLoop(lambda: rng.uniform(0, lateness))
    limiter = RateLimiter(25.0, 1.0, clock=loop.clock, sleep=loop.sleep)
    chats = iter(range(1000))
    granted: list[float] = []

    async def sender() -> None:
        for chat in chats:
            await limiter.acquire(str(chat))
            granted.append(loop.t)

    await loop.run([asyncio.create_task(sender()) for _ in range(8)])
    assert len(granted) == 1000 and granted == sorted(granted)
    assert most_in_any_second(granted) == 25
    assert 999 / (granted[-1] - granted[0]) > 0.95 * 25


def test_rejects_nonsense_rates() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
