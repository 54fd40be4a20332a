"""An in-memory :class:`handlers.ports.ChannelSender` for outbox tests: records what it sends,
can be told to fail, and follows the port's rules (one part per intent, ``Delivery`` hooks,
rate limiting through an injected :class:`bot.channels.ratelimit.RateLimiter`)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.channels.ratelimit import RateLimiter
from handlers.messages import Channel, Outbound, Question, Text
from handlers.ports import Delivery, DeliveryError, Recipient, Template, Unconfirmed


@dataclass(frozen=True)
class Part:
    """One request the fake platform accepted."""

    to: str
    text: str
    index: int  # position of the part in its message
    platform_id: str
    template: Template | None = None
    at: float = 0.0  # the limiter's clock when it went out


def text_of(message: Outbound) -> str:
    if isinstance(message, Text | Question):
        return message.text
    return getattr(message, "caption", "") or getattr(message, "text", "")


@dataclass
class FakeChannel:
    channel: Channel = Channel.TELEGRAM
    limiter: RateLimiter | None = None
    use_template: Callable[[Recipient], bool] = lambda _: False
    parts: list[Part] = field(default_factory=list)
    # external id -> what happens to the next parts to that person, in order: an error to
    # raise, or None for "accepted"
    failures: dict[str, list[DeliveryError | None]] = field(default_factory=dict)
    # external id -> index of a part that reaches the platform but whose answer never comes
    # (the send hangs until cancelled): a process dying mid-request
    hang: dict[str, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def fail(self, external_id: str, *errors: DeliveryError | None) -> None:
        self.failures.setdefault(external_id, []).extend(errors)

    def to(self, external_id: str) -> list[str]:
        return [p.text for p in self.parts if p.to == external_id]

    async def send(
        self,
        recipient: Recipient,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,
        delivery: Delivery | None = None,
    ) -> str | None:
        delivery = delivery or Delivery()
        chat = recipient.external_id
        texts = [text_of(m) for m in messages]
        if template is not None and self.use_template(recipient):
            texts = [" | ".join(template.params) or template.kind]
        last: str | None = None
        for index, text in enumerate(texts):
            if index < delivery.skip:
                continue
            if self.limiter is not None:
                await self.limiter.acquire(chat)
            delivery.before_write(index)
            if self.hang.get(chat) == index:
                self._accept(chat, text, index, template)  # the bytes are out ...
                await asyncio.Event().wait()  # ... and the answer never comes
            errors = self.failures.get(chat)
            error = errors.pop(0) if errors else None
            if error is not None:
                if isinstance(error, Unconfirmed):
                    self._accept(chat, text, index, template)
                raise error
            last = self._accept(chat, text, index, template)
            delivery.confirmed(index, last)
        return last

    def _accept(self, chat: str, text: str, index: int, template: Template | None) -> str:
        platform_id = f"msg-{next(self._ids)}"
        at = self.limiter.now() if self.limiter is not None else 0.0
        self.parts.append(Part(chat, text, index, platform_id, template, at))
        return platform_id
