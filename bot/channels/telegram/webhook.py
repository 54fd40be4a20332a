"""Telegram webhook: a route on the process's HTTP server.

A request must carry the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``
(compared in constant time), else 401 and nothing happens. The body must arrive within
``body_timeout`` seconds (else 408) and be a JSON object with an integer ``update_id`` (else
400); an update aiogram's models refuse is read leniently (``updates.py``), so an older Bot API
server's update is handled or acknowledged, never refused. The response (200) is given only once
the update's effect is committed, so a crash before that makes Telegram deliver it again; the
replies are sent after the response.
"""

from __future__ import annotations

import asyncio
import hmac
import logging

from aiogram import Bot
from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.updates import NotAnUpdate, decode_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  # a header name
BODY_TIMEOUT = 10.0  # seconds for the whole body once the headers are in


class WebhookReceiver:
    def __init__(
        self,
        bot: Bot,
        channel: TelegramChannel,
        path: str,
        secret: str,
        *,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.bot = bot
        self.channel = channel
        self.path = path
        self.body_timeout = body_timeout
        self._secret = secret.encode()
        self._tasks: set[asyncio.Task[None]] = set()

    def install(self, app: web.Application) -> None:
        app.router.add_post(self.path, self.receive)

    def _authorized(self, request: web.Request) -> bool:
        given = request.headers.get(SECRET_HEADER, "")
        try:
            raw = given.encode()
        except UnicodeEncodeError:  # bytes that are not UTF-8 (kept as lone surrogates)
            return False
        return hmac.compare_digest(raw, self._secret)

    async def receive(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=401, text="unauthorized")
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await request.read()
        except TimeoutError:
            log.warning(
                "webhook request body from %s not received within %.1f s",
                request.remote,
                self.body_timeout,
            )
            response = web.Response(status=408, text="request timeout")
            response.force_close()  # do not wait for the rest of the body
            return response
        try:
            update = decode_update(body, self.bot)
        except NotAnUpdate as error:
            log.warning("webhook request with a body that is not an update: %s", error)
            return web.Response(status=400, text="not an update")

        committed = asyncio.get_running_loop().create_future()

        def mark_committed() -> None:
            if not committed.done():
                committed.set_result(None)

        task = asyncio.create_task(self.channel.process(update, mark_committed))
        self._tasks.add(task)
        task.add_done_callback(self._done)
        await asyncio.wait({committed, task}, return_when=asyncio.FIRST_COMPLETED)
        if committed.done():
            return web.json_response({})
        # Finished without committing: handling failed, let Telegram deliver it again.
        return web.Response(status=500, text="not handled")

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("webhook update failed: %r", error, exc_info=error)

    async def drain(self) -> None:
        """Wait until every update received so far is handled and its replies sent."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def close(self) -> None:
        await self.drain()
