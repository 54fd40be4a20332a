"""The webhook Meta calls, and the processor that works through what it stored.

``GET``: the subscription check (``hub.mode=subscribe`` and our verify token: echo
``hub.challenge``; anything else 403). ``POST``: the body must arrive within ``body_timeout``
seconds (else 408) and carry a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of the exact raw body
with the app secret, compared in constant time; missing 401, wrong or unreadable 403) and be
JSON (else 400, also when nested too deeply to decode). A body holding anything for our own
number is stored in ``inbound_events`` and answered 200 at once; one for another number of the
same app is answered 200 and dropped. The :class:`WhatsAppProcessor` then claims stored events
in arrival order, hands messages to ``Kawal.handle`` (which deduplicates on the wamid), sends
the replies and records receipts. Messages and receipts more than :data:`MAX_AGE` old are
ignored: Meta stops retrying after 7 days, and the wamid claims are kept longer than that
(``reminders.housekeeping.KEEP_PROCESSED_INBOUND``), so nothing is ever handled twice.
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

from bot.channels.whatsapp.media import MediaStore, MediaTooBig
from bot.channels.whatsapp.parse import (
    ParsedMessage,
    StatusUpdate,
    addressed_to,
    parse_notification,
)
from bot.channels.whatsapp.render import Part, render_all, text_message
from bot.channels.whatsapp.sender import WhatsAppSender, masked
from bot.channels.whatsapp.statuses import record_status
from bot.channels.whatsapp.texts import size_text, wa_text
from handlers.messages import Channel, Inbound, InboundKind, Reply
from handlers.ports import Clock, PermanentError
from storage.db import Database

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
CHANNEL = Channel.WHATSAPP.value
# Meta retries a webhook for up to 7 days: anything older is a stale retry (its wamid claim
# may be gone) or forged, and is ignored.
MAX_AGE = dt.timedelta(days=7)
BODY_TIMEOUT = 10.0  # seconds for the whole body: Meta sends small bodies at once

Handle = Callable[[Inbound], Awaitable[Reply]]
# Whether a received photo or document may be downloaded (``Kawal.accepts_file``).
AcceptsFile = Callable[[Inbound], Awaitable[bool]]


def signature_of(app_secret: bytes, body: bytes) -> str:
    """The header value Meta sends for ``body``: ``sha256=<hex>``."""
    return "sha256=" + hmac.new(app_secret, body, hashlib.sha256).hexdigest()


def signature_ok(app_secret: bytes, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body``. A header that is not plain ASCII
    (HTTP lets a client send any byte there) is simply wrong."""
    if not header:
        return False
    try:
        given = header.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    if not given.startswith(b"sha256="):
        return False
    return hmac.compare_digest(signature_of(app_secret, body).encode("ascii"), given)


class WhatsAppWebhook:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        app_secret: str,
        verify_token: str,
        phone_number_id: str,
        body_timeout: float = BODY_TIMEOUT,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.phone_number_id = phone_number_id
        self.body_timeout = body_timeout
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
        header = request.headers.get(SIGNATURE_HEADER)
        if header is None:
            return web.Response(status=401, text="signature missing")
        try:
            body = await asyncio.wait_for(request.read(), self.body_timeout)
        except TimeoutError:
            log.warning("WhatsApp webhook body not complete in %s s: refused", self.body_timeout)
            response = web.Response(status=408, text="body too slow")
            response.force_close()
            await response.prepare(request)
            await response.write_eof()
            # Closed once the answer is out: the rest of the body is not waited for (aiohttp
            # would otherwise read on for its lingering time).
            request.protocol.force_close()
            return response
        if not signature_ok(self._app_secret, body, header):
            log.warning("WhatsApp webhook with a wrong signature refused")
            return web.Response(status=403, text="bad signature")
        try:
            text = body.decode("utf-8")
            data = json.loads(text)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # RecursionError: nested deeper than the decoder goes (signed, so Meta's doing or
            # a leaked secret's; either way nothing to process).
            log.warning("WhatsApp webhook body refused: not JSON (%s)", type(exc).__name__)
            return web.Response(status=400, text="not JSON")
        if not addressed_to(data, self.phone_number_id):
            log.info("WhatsApp webhook with nothing for our number ignored")
            return web.Response(text="ok")
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
        accepts_file: AcceptsFile,
        phone_number_id: str,
        poll_interval: float = 5.0,
        max_attempts: int = 3,
    ) -> None:
        self.db = db
        self.handle = handle
        self.sender = sender
        self.media = media
        self.clock = clock
        self.accepts_file = accepts_file
        self.phone_number_id = phone_number_id
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
        # Old bodies are pruned by the housekeeping job (reminders.scheduler).
        while not self._stopping:
            self._wakeup.clear()  # before draining: a notify during the drain runs it again
            try:
                await self.drain()
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
        notification = parse_notification(json.loads(body), phone_number_id=self.phone_number_id)
        if notification.foreign:
            log.info("WhatsApp: %d change(s) for another number ignored", notification.foreign)
        if notification.notices:
            log.debug("WhatsApp: %d notice(s) that need no answer", notification.notices)
        now = self.clock.now()
        for message in notification.messages:
            if message.at is not None and now - message.at > MAX_AGE:
                log.info(
                    "WhatsApp message %s from %s ignored: sent %s, more than %s ago",
                    message.inbound.platform_id,
                    masked(message.inbound.external_id),
                    message.at.isoformat(),
                    MAX_AGE,
                )
                continue
            await self._message(message)
        statuses = [s for s in notification.statuses if now - s.at <= MAX_AGE]
        if len(statuses) < len(notification.statuses):
            log.info(
                "WhatsApp: %d receipt(s) older than %s ignored",
                len(notification.statuses) - len(statuses),
                MAX_AGE,
            )
        if statuses:
            await self._statuses(statuses)

    async def _message(self, message: ParsedMessage) -> None:
        inbound = message.inbound
        if message.media_id:
            with_file = await self._with_file(message)
            if with_file is None:
                return  # the person was told the file was not taken
            inbound = with_file
        chat = inbound.external_id
        if inbound.kind is InboundKind.NUMBER_CHANGED:
            await self._number_changed(inbound)
            return
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

    async def _number_changed(self, inbound: Inbound) -> None:
        """The handlers move the identity (nothing is answered); the menu being read moves
        along, but only when the identity did (the new number may be someone else's)."""
        old, new = inbound.external_id, inbound.args
        before = await self._person_of(old)
        await self.handle(inbound)
        if before is not None and before == await self._person_of(new):
            self.sender.menus.move(old, new)

    async def _person_of(self, external_id: str) -> int | None:
        async with self.db.unit_of_work() as uow:
            person = await uow.people.find_by_identity(CHANNEL, external_id)
        return person.person_id if person is not None else None

    async def _with_file(self, message: ParsedMessage) -> Inbound | None:
        """The inbound with its stored file, or without one when the file is not wanted now
        (nothing is downloaded: the handlers tell the person what to do instead); None when
        the file could not be taken (too big, gone), which the person is told here."""
        inbound = message.inbound
        if not await self.accepts_file(inbound):
            log.info("WhatsApp %s %s not downloaded: not asked for", inbound.kind, message.media_id)
            return inbound
        photo = inbound.kind is InboundKind.PHOTO
        try:
            path = await self.media.fetch(message.media_id, message.mime_type, inbound.file_name)
        except MediaTooBig as exc:
            log.info("WhatsApp media %s refused: %s", message.media_id, exc)
            size = size_text(self.media.max_bytes)
            notice = wa_text("photo_too_big" if photo else "document_too_big", size=size)
        except PermanentError as exc:
            log.warning("WhatsApp media %s not stored: %s", message.media_id, exc)
            notice = wa_text("photo_failed" if photo else "document_failed")
        else:
            return dataclasses.replace(inbound, media_ref=path)
        # A transient media error propagates instead: the event is retried, and the wamid
        # claim in Kawal.handle makes the messages before it in the same body harmless.
        self._send_later(inbound.external_id, [text_message(notice)])
        return None

    async def _statuses(self, statuses: list[StatusUpdate]) -> None:
        async with self.db.unit_of_work() as uow:
            for update in statuses:
                recorded = await record_status(uow, update)
                if update.status == "failed":
                    log.warning(
                        "WhatsApp message %s to %s failed: %s%s",
                        update.wamid,
                        masked(update.recipient),
                        update.error or "no reason given",
                        "" if recorded else " (neither an outbox message nor a known person)",
                    )
                elif not recorded:
                    log.debug("receipt for %s (not an outbox message)", update.wamid)
