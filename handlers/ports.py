"""Ports the handlers need from the outside world: a clock and a way to send proactively."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from handlers.messages import Channel, Outbound


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests and replays: returns what it was set to, moved only by ``advance``."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class Sender(Protocol):
    """Sends one intent to one identity of a channel (used for proactive messages)."""

    async def send(self, channel: Channel, external_id: str, message: Outbound) -> None: ...


class DeliveryError(Exception):
    """A send failed; subclasses say what the sender should do next."""


class RetryAfter(DeliveryError):
    """The platform asked to wait (HTTP 429 ``retry_after``, WhatsApp 130429/131056)."""

    def __init__(self, seconds: float, *, per_chat: bool = False) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds
        self.per_chat = per_chat


class Blocked(DeliveryError):
    """The person blocked the bot or cannot be reached (Telegram 403): stop until they write."""


class OutsideWindow(DeliveryError):
    """WhatsApp 131047: free-form messages are not allowed; send an approved template."""


class TransientError(DeliveryError):
    """A network error or 5xx: retry later with backoff."""


class PermanentError(DeliveryError):
    """The message can never be delivered as it is (bad request): record and give up."""


@dataclass(frozen=True, slots=True)
class Template:
    """How to say a proactive message outside WhatsApp's 24-hour window.

    ``kind`` names a template configured in settings (reminder, announcement, nudge, digest);
    ``params`` fill its body placeholders in order.
    """

    kind: str
    params: tuple[str, ...] = ()


class ChannelSender(Protocol):
    """One platform's outbound side. Rate limiting happens inside; failures raise
    :class:`DeliveryError` subclasses so the outbox can decide what to do."""

    channel: Channel

    async def send(
        self,
        external_id: str,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,
        before_send: Callable[[], Awaitable[None]] | None = None,
    ) -> str | None:
        """Send the intents in order; return the platform id of the last message sent.

        ``template`` is used instead of free-form messages where the platform requires it
        (WhatsApp outside the 24-hour window). ``before_send`` is awaited once, after the rate
        limiter let the message through and right before the first request goes on the wire:
        the outbox records "sending" there, so a crash can never make it send twice.
        """
        ...
