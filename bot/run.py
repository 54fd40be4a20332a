"""What ``kawal run`` does: one process serving the configured chat channels, the web console
(``/konsol/``) and ``/healthz``, with the scheduled jobs and the outbox sender. With no chat
channel configured it serves the console alone, with housekeeping (the retention windows of
docs/privacy.md): the planners and the outbox sender wait for a channel, so what the console
queues meanwhile (an announcement) stays pending instead of failing for want of a channel, and
goes out once ``kawal run`` starts with one.

    service = await start(settings)     # database (migrated), handlers, HTTP server, channels
    ...
    await service.stop()

:func:`run` does that until SIGTERM or SIGINT. Tests use :func:`start` / :meth:`Service.stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.telegram.channel import Handle
from bot.channels.telegram.service import TelegramService
from bot.channels.whatsapp.channel import WhatsAppChannel
from bot.jobs import scheduled_jobs
from bot.runtime import build_kawal, open_database, settle_heap
from bot.server import RouteInstaller, WebServer, build_web_app
from bot.settings import Settings
from bot.web.app import Console
from bot.web.serve import config_from
from handlers.app import Kawal
from handlers.messages import Channel
from handlers.ports import ChannelSender, Clock, SystemClock
from locales import domain
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from reminders.scheduler import Ticker
from storage.db import Database

log = logging.getLogger(__name__)

# The jobs that make sense with no chat channel: nothing is sent, but data still ages out.
CONSOLE_ONLY_JOBS = frozenset({"housekeeping"})


def no_channel_notice(console_url: str, lang: str) -> str:
    """The one line ``kawal run`` logs when it serves the console alone: why, and how to add
    a channel."""
    return domain("cli").t(
        "no_channel",
        lang,
        url=console_url,
        whatsapp="WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET",
        whatsapp_last="WHATSAPP_VERIFY_TOKEN",
    )


@dataclass
class Service:
    db: Database
    kawal: Kawal
    server: WebServer
    telegram: TelegramService | None
    whatsapp: WhatsAppChannel | None = None
    outbox: OutboxSender | None = None
    ticker: Ticker | None = None

    @property
    def base_url(self) -> str:
        return self.server.base_url

    async def stop(self) -> None:
        """Stop receiving, finish what is in progress, close everything (in that order)."""
        try:
            if self.ticker is not None:
                await self.ticker.stop()
            if self.telegram is not None:
                await self.telegram.stop_receiving()
            await self.server.stop()
            if self.outbox is not None:
                await self.outbox.stop()  # records every outcome, gives unsent rows back
            if self.whatsapp is not None:
                await self.whatsapp.stop()  # finishes the event in progress, closes its client
            if self.telegram is not None:
                await self.telegram.close()
        finally:
            await self.db.dispose()


def channel_senders(
    telegram: TelegramService | None, whatsapp: WhatsAppChannel | None
) -> dict[str, ChannelSender]:
    senders: dict[str, ChannelSender] = {}
    if telegram is not None:
        senders[Channel.TELEGRAM.value] = telegram.sender
    if whatsapp is not None:
        senders[Channel.WHATSAPP.value] = whatsapp.sender
    return senders


def outbox_policy(settings: Settings) -> OutboxPolicy:
    return OutboxPolicy(
        batch=settings.outbox_batch,
        concurrency=settings.outbox_concurrency,
        max_attempts=settings.outbox_max_attempts,
        poll_interval=settings.outbox_poll_interval,
        quiet=settings.quiet,
    )


async def start(
    settings: Settings,
    *,
    clock: Clock | None = None,
    wrap_handle: Callable[[Handle], Handle] | None = None,
    poll_timeout: int = 25,
) -> Service:
    """Open the database, build the handlers and start every configured channel (none: the
    console alone, see the module's docstring)."""
    chat = settings.telegram_bot_token is not None or settings.whatsapp_enabled
    clock = clock or SystemClock()
    db = await open_database(settings)
    telegram: TelegramService | None = None
    whatsapp: WhatsAppChannel | None = None
    server: WebServer | None = None
    outbox: OutboxSender | None = None
    try:
        kawal = build_kawal(settings, db, clock)
        handle: Handle = kawal.handle
        if wrap_handle is not None:
            handle = wrap_handle(handle)
        # The web console beside the webhooks, under /konsol/.
        routes: list[RouteInstaller] = [Console(kawal, config_from(settings)).install]
        if settings.telegram_bot_token is not None:
            telegram = TelegramService(
                settings,
                db,
                handle,
                clock,
                accepts_file=kawal.accepts_file,  # from Kawal itself, even when handle is wrapped
                poll_timeout=poll_timeout,
            )
            routes.append(telegram.install_routes)
        if settings.whatsapp_enabled:
            whatsapp = WhatsAppChannel(settings, db, handle, clock, accepts_file=kawal.accepts_file)
            routes.append(whatsapp.install_routes)
        server = WebServer(build_web_app(routes), settings.http_host, settings.http_port)
        if chat:
            # What a crash left in the outbox is settled before anything new comes in.
            outbox = OutboxSender(
                db,
                channel_senders(telegram, whatsapp),
                clock,
                SendJournal(settings.data_dir / "outbox"),
                outbox_policy(settings),
            )
            await outbox.start()
            log.info("outbox sender %s started", outbox.worker_id)
        await server.start()
        log.info("HTTP server on %s (/healthz, /konsol/)", server.base_url)
        if not chat:
            log.warning("%s", no_channel_notice(f"{server.base_url}/konsol/", settings.lang))
        if telegram is not None:
            await telegram.start()
            kawal.set_telegram_bot(telegram.channel.bot_username)  # invite deep links
        if whatsapp is not None:
            await whatsapp.start()
            log.info("WhatsApp webhook on %s%s", server.base_url, whatsapp.path)
        jobs = scheduled_jobs(settings, db, clock)
        ticker = Ticker(jobs if chat else [j for j in jobs if j.id in CONSOLE_ONLY_JOBS])
        ticker.start()
    except BaseException:
        if outbox is not None:
            await outbox.stop()
        if whatsapp is not None:
            await whatsapp.stop()
        if telegram is not None:
            await telegram.close()
        if server is not None:
            await server.stop()
        await db.dispose()
        raise
    return Service(db, kawal, server, telegram, whatsapp, outbox, ticker)


async def run(settings: Settings) -> None:
    """Serve until SIGTERM / SIGINT (or a channel stops by itself), then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    try:
        service = await start(settings)  # a signal meanwhile stops it right after
        settle_heap()
        stopped: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
        waits = {stopped}
        if service.telegram is not None and service.telegram.polling is not None:
            waits.add(service.telegram.polling)  # type: ignore[arg-type]  # a Task[None] is a Future
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                if not finished.cancelled() and (error := finished.exception()) is not None:
                    log.error("a channel stopped: %r", error)
            log.info("stopping")
        finally:
            # Only the signal wait: cancelling the polling task would cut the update in hand
            # short (its reply unsent, its offset unconfirmed); service.stop() lets it finish.
            stopped.cancel()
            await service.stop()
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(signum)
