"""WhatsApp's outbound side: replies to inbound messages and proactive sends for the outbox.

* Replies (:meth:`WhatsAppSender.reply`) answer a message the person just sent, so they are
  inside the 24-hour window by definition: free-form, limited only by the number's throughput.
* Proactive sends (:meth:`WhatsAppSender.send`, the :class:`handlers.ports.ChannelSender`
  port, used by the outbox) go free-form when the person wrote in the last 24 hours, else as
  the configured template (or :class:`OutsideWindow` when none is given). They make one
  attempt, are spaced per person (about one message per 6 s, WhatsApp's pair rate limit) and
  go through ``outbox_client``, whose transport runs the outbox's crash journal in the same
  synchronous step as the socket write (``bot/channels/wire.py``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from bot.channels.ratelimit import RateLimiter
from bot.channels.whatsapp.client import GraphClient, guess_mime
from bot.channels.whatsapp.menus import MenuMemory
from bot.channels.whatsapp.render import Part, Send, Upload, render_all
from bot.channels.wire import before_write
from flows.ids import mask_ids_in_text, mask_phone
from handlers.messages import Channel, Outbound
from handlers.ports import (
    Clock,
    Delivery,
    DeliveryError,
    NetworkError,
    OutsideWindow,
    PermanentError,
    Recipient,
    RetryAfter,
    Template,
    Unconfirmed,
)
from storage.db import Database

log = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=24)
TEMPLATE_PARAM_LIMIT = 1024
REPLY_RETRIES = 3  # a reply hit by a rate limit is retried this often, then dropped (logged)
REPLY_MAX_WAIT = 30.0


@dataclass(frozen=True, slots=True)
class TemplateConfig:
    """Approved template names per :class:`Template` kind, and their language code."""

    names: Mapping[str, str] = field(default_factory=dict)
    language: str = "id"


def masked(wa_id: str) -> str:
    """A WhatsApp id (a phone number) for logs: only the last 4 digits."""
    return mask_phone(wa_id)


def template_message(template: Template, config: TemplateConfig) -> dict[str, Any]:
    name = config.names.get(template.kind)
    if not name:
        raise PermanentError(f"no WhatsApp template configured for {template.kind!r}")
    message: dict[str, Any] = {"name": name, "language": {"code": config.language}}
    if template.params:
        message["components"] = [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": template_param(p)} for p in template.params
                ],
            }
        ]
    return {"type": "template", "template": message}


def template_param(value: str) -> str:
    """Template parameters may not hold new lines, tabs or more than 4 spaces in a row. A
    NIK or No. KK in one is masked: a template's text passes through Meta's servers."""
    flat = " · ".join(part.strip() for part in mask_ids_in_text(value).splitlines() if part.strip())
    flat = " ".join(flat.replace("\t", " ").split())
    return (flat or "-")[:TEMPLATE_PARAM_LIMIT]


class WhatsAppSender:
    channel = Channel.WHATSAPP

    def __init__(
        self,
        client: GraphClient,
        db: Database,
        clock: Clock,
        templates: TemplateConfig,
        *,
        global_rate: float = 80.0,
        chat_interval: float = 6.0,
        menus: MenuMemory | None = None,
        outbox_client: GraphClient | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.outbox_client = outbox_client or client
        self.db = db
        self.clock = clock
        self.templates = templates
        self.menus = menus or MenuMemory()
        # Messages per second for the number (every request that sends a message) ...
        self.throughput = RateLimiter(global_rate, 0.0, clock=monotonic, sleep=sleep)
        # ... and, for proactive sends only, the spacing between two sends to one person.
        self.pairs = RateLimiter(1e6, chat_interval, clock=monotonic, sleep=sleep)
        self._sleep = sleep

    # ---- ChannelSender (the outbox) -------------------------------------------------------

    async def send(
        self,
        recipient: Recipient,
        messages: Sequence[Outbound],
        *,
        template: Template | None = None,
        delivery: Delivery | None = None,
    ) -> str | None:
        """One attempt to send a proactive message through ``outbox_client``: free-form inside
        the 24-hour window, else ``template`` (:class:`OutsideWindow` without one)."""
        delivery = delivery or Delivery()
        external_id = recipient.external_id
        await self.pairs.acquire(external_id)
        if not self.inside_window(recipient):
            if template is None:
                raise OutsideWindow("more than 24 h since the person wrote, and no template")
            return await self._send_template(external_id, template, delivery)
        rendered = render_all(list(messages))
        try:
            return await self._send_parts(external_id, rendered.parts, delivery)
        except OutsideWindow:
            # Our record of the window was wrong (e.g. a message we never saw): use the
            # template, unless part of the free-form messages already went out.
            if template is None or delivery.accepted >= 0:
                raise
            log.info("WhatsApp window closed for %s: template instead", masked(external_id))
            return await self._send_template(external_id, template, delivery)

    def inside_window(self, recipient: Recipient) -> bool:
        """The person wrote to us in the last 24 hours."""
        last = recipient.last_inbound_at
        return last is not None and self.clock.now() - last < WINDOW

    # ---- replies ---------------------------------------------------------------------------

    async def reply(self, external_id: str, messages: Sequence[Outbound]) -> str | None:
        """Answer an inbound message (free-form). Rate limits are waited out a few times;
        other failures are logged: the answer is already committed, so nothing is retried."""
        rendered = render_all(list(messages))
        last = await self.reply_parts(external_id, rendered.parts)
        self.menus.remember(external_id, rendered)
        return last

    async def reply_parts(self, external_id: str, parts: Sequence[Part]) -> str | None:
        last: str | None = None
        for part in parts:
            for attempt in range(REPLY_RETRIES + 1):
                try:
                    last = await self._send_part(external_id, part)
                    break
                except RetryAfter as exc:
                    if attempt == REPLY_RETRIES:
                        log.error("reply to %s dropped (rate limits): %s", masked(external_id), exc)
                        return last
                    await self._sleep(min(exc.seconds, REPLY_MAX_WAIT))
                except DeliveryError as exc:
                    log.error("reply to %s failed: %s", masked(external_id), exc)
                    return last
        return last

    # ---- requests --------------------------------------------------------------------------

    async def _send_template(
        self, external_id: str, template: Template, delivery: Delivery
    ) -> str | None:
        if delivery.skip > 0:
            return delivery.platform_id  # the template went out before a crash
        message = template_message(template, self.templates)
        await self.throughput.acquire(external_id, window=False)
        wamid = await self._post_proactive(external_id, message, delivery, 0)
        return wamid

    async def _send_parts(
        self, external_id: str, parts: Sequence[Part], delivery: Delivery
    ) -> str | None:
        last: str | None = None
        for index, part in enumerate(parts):
            if index < delivery.skip:
                continue
            message = part.message if isinstance(part, Send) else await self._uploaded(part)
            await self.throughput.acquire(external_id, window=False)
            last = await self._post_proactive(external_id, message, delivery, index)
        return last

    async def _post_proactive(
        self, external_id: str, message: dict[str, Any], delivery: Delivery, index: int
    ) -> str:
        try:
            hook = partial(delivery.before_write, index)
            with before_write(hook, gate=self.throughput.window):
                wamid = await self._post(external_id, message, self.outbox_client)
        except NetworkError as exc:
            if delivery.written == index:
                raise Unconfirmed(str(exc)) from exc
            raise
        delivery.confirmed(index, wamid)
        return wamid

    async def _send_part(self, external_id: str, part: Part) -> str:
        await self.throughput.acquire(external_id)
        if isinstance(part, Send):
            return await self._post(external_id, part.message)
        return await self._post(external_id, await self._uploaded(part))

    async def _uploaded(self, upload: Upload) -> dict[str, Any]:
        try:
            content = await asyncio.to_thread(upload.path.read_bytes)
        except OSError as exc:
            raise PermanentError(f"cannot read {upload.path.name}: {exc}") from exc
        default = "image/png" if upload.media_type == "image" else "application/octet-stream"
        mime = guess_mime(Path(upload.path), default)
        name = upload.file_name or upload.path.name
        media_id = await self.client.upload_media(content, mime, name)
        media: dict[str, Any] = {"id": media_id}
        if upload.caption:
            media["caption"] = upload.caption
        if upload.media_type == "document":
            media["filename"] = name
        return {"type": upload.media_type, upload.media_type: media}

    async def _post(
        self, external_id: str, message: dict[str, Any], client: GraphClient | None = None
    ) -> str:
        try:
            return await (client or self.client).send_message(external_id, message)
        except RetryAfter as exc:
            if exc.per_chat:
                self.pairs.retry_after(exc.seconds, external_id)
            else:
                self.throughput.retry_after(exc.seconds)
            raise
