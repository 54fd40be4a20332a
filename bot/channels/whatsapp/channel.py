"""Composition of the WhatsApp channel from settings: client, sender, webhook, processor."""

from __future__ import annotations

import httpx
from aiohttp import web

from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.media import MediaStore
from bot.channels.whatsapp.sender import TemplateConfig, WhatsAppSender
from bot.channels.whatsapp.webhook import (
    BODY_TIMEOUT,
    AcceptsFile,
    Handle,
    WhatsAppProcessor,
    WhatsAppWebhook,
)
from bot.channels.wire import Wire
from bot.settings import Settings
from handlers.ports import Clock, SystemClock
from storage.db import Database


def template_config(settings: Settings) -> TemplateConfig:
    return TemplateConfig(
        names={
            "reminder": settings.whatsapp_template_reminder,
            "announcement": settings.whatsapp_template_announcement,
            "nudge": settings.whatsapp_template_nudge,
            "digest": settings.whatsapp_template_digest,
            "report": settings.whatsapp_template_report,
            "report_answer": settings.whatsapp_template_report_answer,
        },
        language=settings.whatsapp_template_lang,
    )


class WhatsAppChannel:
    """Everything WhatsApp needs in ``kawal run``: routes for the web server, a background
    processor, and the sender the outbox uses (``channel.sender``). ``accepts_file`` says
    whether a received photo or document may be downloaded (``Kawal.accepts_file``)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        handle: Handle,
        clock: Clock | None = None,
        *,
        accepts_file: AcceptsFile,
        transport: httpx.AsyncBaseTransport | None = None,
        outbox_transport: httpx.AsyncBaseTransport | None = None,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        if not settings.whatsapp_enabled:
            raise ValueError("WhatsApp settings are incomplete")
        assert settings.whatsapp_token is not None  # noqa: S101 - checked by whatsapp_enabled
        assert settings.whatsapp_app_secret is not None  # noqa: S101
        assert settings.whatsapp_verify_token is not None  # noqa: S101
        assert settings.whatsapp_phone_number_id is not None  # noqa: S101
        clock = clock or SystemClock()
        self.path = settings.whatsapp_webhook_path
        self.client = GraphClient(
            settings.whatsapp_token.get_secret_value(),
            settings.whatsapp_phone_number_id,
            api_url=settings.whatsapp_api_url,
            transport=transport,
        )
        # Proactive messages (the outbox) go through the crash-journalled wire transport.
        self.outbox_client = GraphClient(
            settings.whatsapp_token.get_secret_value(),
            settings.whatsapp_phone_number_id,
            api_url=settings.whatsapp_api_url,
            transport=outbox_transport or Wire(),
        )
        self.sender = WhatsAppSender(
            self.client,
            db,
            clock,
            template_config(settings),
            global_rate=settings.whatsapp_rate,
            chat_interval=settings.whatsapp_chat_interval,
            outbox_client=self.outbox_client,
        )
        self.media = MediaStore(self.client, settings.data_dir)
        self.processor = WhatsAppProcessor(
            db,
            handle,
            self.sender,
            self.media,
            clock,
            accepts_file=accepts_file,
            phone_number_id=settings.whatsapp_phone_number_id,
        )
        self.webhook = WhatsAppWebhook(
            db,
            clock,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            verify_token=settings.whatsapp_verify_token.get_secret_value(),
            phone_number_id=settings.whatsapp_phone_number_id,
            body_timeout=body_timeout,
            on_stored=self.processor.notify,
        )

    def install_routes(self, app: web.Application) -> None:
        """A ``bot.server.RouteInstaller``: GET and POST on the webhook path."""
        self.webhook.add_routes(app, self.path)

    add_routes = install_routes

    async def start(self) -> None:
        """Start working through stored events (those left from a previous run first)."""
        self.processor.start()

    async def stop(self) -> None:
        await self.processor.stop()
        await self.client.aclose()
        await self.outbox_client.aclose()
