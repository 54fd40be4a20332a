"""The Telegram channel assembled from settings: bot, sender, channel, polling or webhook."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import DeleteWebhook, GetMe, SetMyCommands, SetWebhook
from aiogram.types import BotCommand
from aiohttp import web

from bot.channels.ratelimit import RateLimiter
from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.channel import AcceptsFile, Handle, TelegramChannel
from bot.channels.telegram.media import MediaStore
from bot.channels.telegram.polling import ALLOWED_UPDATES, Poller
from bot.channels.telegram.render import Renderer
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.session import FastAiohttpSession
from bot.channels.telegram.texts import COMMANDS, tg
from bot.channels.telegram.webhook import WebhookReceiver
from bot.channels.telegram.wire_session import WireSession
from bot.settings import Settings
from handlers.ports import Clock
from storage.db import Database

log = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/telegram/webhook"


class TelegramService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        handle: Handle,
        clock: Clock,
        *,
        accepts_file: AcceptsFile,
        poll_timeout: int = 25,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        token = settings.telegram_bot_token.get_secret_value()
        api = TelegramAPIServer.from_base(settings.telegram_api_url)
        self.bot = Bot(token, session=FastAiohttpSession(api=api))
        # Proactive messages (the outbox) go through the crash-journalled wire session.
        self.outbox_bot = Bot(token, session=WireSession(api))
        self.lang = settings.lang
        signer = CallbackSigner(token)
        renderer = Renderer(signer, settings.lang)
        limiter = RateLimiter(settings.telegram_global_rate, settings.telegram_chat_interval)
        self.sender = TelegramSender(
            self.bot, db, renderer, limiter, clock, sleep=sleep, outbox_bot=self.outbox_bot
        )
        self.media = MediaStore(self.sender, settings.data_dir, sleep=sleep)
        self.channel = TelegramChannel(
            handle, self.sender, signer, renderer, self.media, accepts_file, settings.lang
        )
        self.webhook_url = settings.telegram_webhook_url
        self.webhook: WebhookReceiver | None = None
        secret = settings.telegram_webhook_secret
        self._webhook_secret = secret.get_secret_value() if secret is not None else ""
        if self.webhook_url:
            path = urlsplit(self.webhook_url).path or DEFAULT_WEBHOOK_PATH
            self.webhook = WebhookReceiver(self.bot, self.channel, path, self._webhook_secret)
        self.poller: Poller | None = (
            None if self.webhook else Poller(self.channel, timeout=poll_timeout, sleep=sleep)
        )
        self._polling: asyncio.Task[None] | None = None

    @property
    def polling(self) -> asyncio.Task[None] | None:
        """The polling task while polling (its end before a stop means it crashed)."""
        return self._polling

    def install_routes(self, app: web.Application) -> None:
        """Routes for the web server (the webhook, in webhook mode)."""
        if self.webhook is not None:
            self.webhook.install(app)

    async def start(self) -> None:
        """Check the token, register the commands, then start receiving updates."""
        me = await self.sender.call(GetMe())
        self.channel.bot_username = me.username or ""
        log.info(
            "Telegram bot @%s ready (%s)", me.username, "webhook" if self.webhook else "polling"
        )
        await self.set_commands()
        if self.webhook is not None and self.webhook_url:
            await self.sender.call(
                SetWebhook(
                    url=self.webhook_url,
                    secret_token=self._webhook_secret,
                    allowed_updates=ALLOWED_UPDATES,
                )
            )
        elif self.poller is not None:
            await self.sender.call(DeleteWebhook(drop_pending_updates=False))
            self._polling = asyncio.create_task(self.poller.run())

    async def set_commands(self) -> None:
        for lang in ("id", "en"):
            commands = [BotCommand(command=c, description=tg(f"cmd_{c}", lang)) for c in COMMANDS]
            # The Indonesian list is the default; English users get theirs.
            await self.sender.call(
                SetMyCommands(commands=commands, language_code=None if lang == "id" else lang)
            )

    async def stop_receiving(self) -> None:
        """Stop polling (a batch in progress is finished and acknowledged)."""
        if self.poller is not None and self._polling is not None:
            self.poller.stop()
            polling, self._polling = self._polling, None
            try:
                await polling
            except Exception:
                log.exception("Telegram polling had stopped with an error")

    async def close(self) -> None:
        await self.stop_receiving()
        if self.webhook is not None:
            await self.webhook.close()
        await self.bot.session.close()
        await self.outbox_bot.session.close()
