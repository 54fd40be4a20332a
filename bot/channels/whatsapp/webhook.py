"""The webhook Meta calls, and the processor that works through what it stored.

``GET``: the subscription check (``hub.mode=subscribe`` and our verify token: echo
``hub.challenge``; anything else 403). ``POST``: accepted only with a valid
``X-Hub-Signature-256`` (HMAC-SHA256 of the exact raw body with the app secret, compared in
constant time); the raw body is stored in ``inbound_events`` and answered 200 at once. The
:class:`WhatsAppProcessor` then claims stored events in arrival order, hands messages to
``Kawal.handle`` (which deduplicates on the wamid), sends the replies and records receipts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.channels.whatsapp.media import MediaStore
from bot.channels.whatsapp.parse import ParsedMessage, StatusUpdate, parse_notification
from bot.channels.whatsapp.render import Part, render_all, text_message
from bot.channels.whatsapp.sender import WhatsAppSender, masked
from bot.channels.whatsapp.statuses import record_status
from handlers.messages import Channel, Inbound, InboundKind, Reply
from handlers.ports import Clock, PermanentError
from storage.db import Database

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
CHANNEL = Channel.WHATSAPP.value
KEEP_PROCESSED = dt.timedelta(days=7)  # Meta retries for days; the wamid claim covers longer
PRUNE_EVERY = dt.timedelta(hours=1)

Handle = Callable[[Inbound], Awaitable[Reply]]


def signature_of(app_secret: bytes, body: bytes) -> str:
    """The header value Meta sends for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(app_secret, body, hashlib.sha256).hexdigest()


def signature_ok(app_secret: bytes, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(signature_of(app_secret, body), header.strip())


class WhatsAppWebhook:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        app_secret: str,
        verify_token: str,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.clock = clock
        self._app_secret = app_secret.encode()
        self._verify_token = verify_token.encode()
        self._on_stored = on_stored

    def add_routes(self, app: web.Application, path: str) -> None:
        app.router.add_get(path, self.verify)
        app.router.add_post(path, self.receive)

    async def verify(self, request: web.Request) -> web.Response:
        query = request.query
        token = query.get("hub.verify_token", "").encode()
        challenge = query.get("hub.challenge", "")
        if (
            query.get("hub.mode") == "subscribe"
            and hmac.compare_digest(token, self._verify_token)
            and challenge
        ):
            return web.Response(text=challenge)
        log.warning("WhatsApp webhook verification refused")
        return web.Response(status=403, text="forbidden")

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            return web.Response(status=401, text="signature missing")
        if not signature_ok(self._app_secret, body, header):
            log.warning("WhatsApp webhook with a wrong signature refused")
            return web.Response(status=403, text="bad signature")
        try:
            text = body.decode("utf-8")
            json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return web.Response(status=400, text="not JSON")
        # Stored before answering: Meta retries anything that does not get a 200 (then the
        # wamid dedupe keeps the retry harmless), and nothing answered 200 is lost.
        async with self.db.unit_of_work() as uow:
            await uow.inbound_events.add(CHANNEL, text, self.clock.now())
        self._on_stored()
        return web.Response(text="ok")


class WhatsAppProcessor:
    """Works through stored webhook bodies, oldest first, one at a time; the replies go out
    in the background, in order per person."""

    def __init__(
        self,
        db: Database,
        handle: Handle,
        sender: WhatsAppSender,
        media: MediaStore,
        clock: Clock,
        *,
        poll_interval: float = 5.0,
        max_attempts: int = 3,
    ) -> None:
        self.db = db
        self.handle = handle
        self.sender = sender
        self.media = media
        self.clock = clock
        self.poll_interval = poll_interval
        self.max_attempts = max_attempts
        self._wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # Replies go out in the background, in order per person, so one person's slow send
        # never holds up the next person's answer.
        self._sending: dict[str, asyncio.Task[None]] = {}

    def notify(self) -> None:
        self._wakeup.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="whatsapp-processor")

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the event in progress (up to ``grace`` seconds), give the rest of the claimed
        batch back, then stop."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace)
        except TimeoutError:
            log.warning("WhatsApp processor did not stop in %s s: cancelled", grace)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self._stopping = False

    async def _run(self) -> None:
        pruned_at: dt.datetime | None = None
        while not self._stopping:
            self._wakeup.clear()  # before draining: a notify during the drain runs it again
            try:
                await self.drain()
                now = self.clock.now()
                if pruned_at is None or now - pruned_at > PRUNE_EVERY:
                    async with self.db.unit_of_work() as uow:
                        await uow.inbound_events.prune(CHANNEL, now - KEEP_PROCESSED)
                    pruned_at = now
            except Exception:
                log.exception("WhatsApp processor failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.poll_interval)

    async def drain(self) -> int:
        """Process every stored event that is waiting; how many were processed. Returns when
        their replies went out too."""
        try:
            return await self._drain()
        finally:
            await self.replies_sent()

    async def replies_sent(self) -> None:
        """Wait for the replies that are still being sent."""
        while self._sending:
            await asyncio.gather(*self._sending.values())

    def _send_later(self, chat: str, parts: list[Part]) -> None:
        previous = self._sending.get(chat)

        async def send() -> None:
            if previous is not None:
                await previous
            try:
                await self.sender.reply_parts(chat, parts)
            except Exception:
                log.exception("reply to %s failed", masked(chat))

        task = asyncio.create_task(send(), name=f"whatsapp-reply-{masked(chat)}")
        self._sending[chat] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._sending.get(chat) is done:
                del self._sending[chat]

        task.add_done_callback(forget)

    async def _drain(self) -> int:
        done = 0
        async with self._lock:
            while True:
                async with self.db.unit_of_work() as uow:
                    batch = await uow.inbound_events.claim(CHANNEL, self.clock.now())
                if not batch:
                    return done
                for index, event in enumerate(batch):
                    if self._stopping:  # stopping: leave the rest for the next run
                        async with self.db.unit_of_work() as uow:
                            await uow.inbound_events.release([e.id for e in batch[index:]])
                        return done
                    try:
                        await self._process(event.body)
                    except Exception as exc:
                        retry = event.attempts < self.max_attempts
                        log.exception("WhatsApp event %s failed (retry: %s)", event.id, retry)
                        async with self.db.unit_of_work() as uow:
                            await uow.inbound_events.mark_failed(
                                event.id, self.clock.now(), repr(exc), retry=retry
                            )
                            if retry:  # keep the order: this one first on the next round
                                rest = [e.id for e in batch[index + 1 :]]
                                await uow.inbound_events.release(rest)
                        if retry:
                            return done
                        continue
                    async with self.db.unit_of_work() as uow:
                        await uow.inbound_events.mark_processed(event.id, self.clock.now())
                    done += 1

    async def _process(self, body: str) -> None:
        notification = parse_notification(json.loads(body))
        for message in notification.messages:
            await self._message(message)
        if notification.statuses:
            await self._statuses(notification.statuses)

    async def _message(self, message: ParsedMessage) -> None:
        inbound = message.inbound
        if message.media_id:
            try:
                path = await self.media.fetch(message.media_id, message.mime_type)
            except PermanentError as exc:
                log.warning("WhatsApp media %s not stored: %s", message.media_id, exc)
                inbound = dataclasses.replace(inbound, kind=InboundKind.UNSUPPORTED)
            else:
                inbound = dataclasses.replace(inbound, media_ref=path)
        # A transient media error propagates: the event is retried, and the wamid claim in
        # Kawal.handle makes the messages before it in the same body harmless.
        chat = inbound.external_id
        resolved = self.sender.menus.resolve(inbound)
        if resolved.inbound is None:
            self._send_later(chat, [text_message(resolved.local_text)])
            return
        reply = await self.handle(resolved.inbound)
        if reply.messages:
            # Rendered (and its menu remembered) now, so the person's next message is read
            # against it even while the reply is still on its way.
            rendered = render_all(reply.messages)
            self.sender.menus.remember(chat, rendered)
            self._send_later(chat, rendered.parts)

    async def _statuses(self, statuses: list[StatusUpdate]) -> None:
        async with self.db.unit_of_work() as uow:
            for update in statuses:
                found = await record_status(uow, update.wamid, update.status, update.at)
                if update.status == "failed":
                    log.warning(
                        "WhatsApp message %s to %s failed: %s",
                        update.wamid,
                        masked(update.recipient),
                        update.error,
                    )
                elif not found:
                    log.debug("receipt for %s (not an outbox message)", update.wamid)
