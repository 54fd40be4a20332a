from __future__ import annotations

import asyncio
import itertools

import pytest

from reminders.ratelimit import RateLimiter, Slots


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


async def test_concurrent_acquires_never_exceed_the_rate() -> None:
    fake = FakeTime()
    limiter = RateLimiter(10.0, 0.0, clock=fake.clock, sleep=fake.sleep)
    reserved = [limiter.slots.reserve(str(i), fake.t) for i in range(50)]
    gaps = [b - a for a, b in itertools.pairwise(reserved)]
    assert min(gaps) == pytest.approx(0.1)
    await asyncio.gather(*(limiter.acquire(str(i)) for i in range(3)))


def test_rejects_nonsense_rates() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
