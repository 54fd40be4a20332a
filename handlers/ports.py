"""Ports the handlers need from the outside world: a clock and a way to send proactively
(:class:`ChannelSender`, with the errors and progress of a delivery)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


class NetworkError(TransientError):
    """No answer from the platform: the connection failed or timed out."""


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


@dataclass(frozen=True, slots=True)
class Recipient:
    """One channel identity a proactive message goes to."""

    external_id: str
    last_inbound_at: datetime | None = None  # when the person last wrote (WhatsApp's window)


class Delivery:
    """Progress of one proactive send, reported by the channel part by part.

    A channel turns the intents into parts (one platform request each: a text, a photo, a
    template). For every part it sends, from ``skip`` on, it calls :meth:`before_write`
    synchronously, with nothing that can suspend between that call and the moment the request's
    bytes are handed to the socket, and :meth:`confirmed` once the platform accepted the part.
    ``on_write`` (the outbox's crash journal) runs inside :meth:`before_write`: after a crash
    the journal tells which parts may have reached the platform, so nothing is sent twice.
    """

    def __init__(self, skip: int = 0, on_write: Callable[[int], None] | None = None) -> None:
        self.skip = skip
        self.written = skip - 1  # the last part whose bytes went out
        self.accepted = skip - 1  # the last part the platform confirmed
        self.platform_id: str | None = None
        self._on_write = on_write

    def before_write(self, part: int) -> None:
        if self._on_write is not None:
            self._on_write(part)
        self.written = part

    def confirmed(self, part: int, platform_id: str | None) -> None:
        self.accepted = part
        if platform_id:
            self.platform_id = platform_id

    @property
    def in_doubt(self) -> bool:
        """A part went out and no answer came back for it."""
        return self.written > self.accepted


class Unconfirmed(DeliveryError):
    """The request went out but no answer came back: it may have been delivered. The outbox
    never sends it again (at most once) and records it as uncertain."""


class ChannelSender(Protocol):
    """One platform's outbound side for proactive messages (the outbox). Rate limiting happens
    inside; failures raise :class:`DeliveryError` subclasses. One attempt per call: retries are
    the outbox's decision."""

    channel: Channel

    async def send(
        self,
        recipient: Recipient,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,
        delivery: Delivery | None = None,
    ) -> str | None:
        """Send the intents in order (the parts before ``delivery.skip`` were sent earlier);
        return the platform id of the last message sent.

        ``template`` is used instead of free-form messages where the platform requires it
        (WhatsApp outside the 24-hour window). The caller checked that the identity is not
        blocked.
        """
        ...
