"""Telegram webhook: a route on the process's HTTP server.

A request must carry the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``
(compared in constant time), else 401 and nothing happens. The response (200) is given only once
the update's effect is committed, so a crash before that makes Telegram deliver it again; the
replies are sent after the response.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiogram import Bot
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.channels.telegram.channel import TelegramChannel

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105  # a header name


def _parse_update(body: bytes, bot: Bot) -> Update:
    """The update in ``body``: straight from the bytes (pydantic parses the JSON itself, a
    third cheaper), else through :mod:`json`, which also takes what pydantic's parser refuses
    but Python's accepts (a lone surrogate escape such as ``\\ud800``)."""
    try:
        return Update.model_validate_json(body, context={"bot": bot})
    except ValidationError:
        data: Any = json.loads(body)
        return Update.model_validate(data, context={"bot": bot})


class WebhookReceiver:
    def __init__(self, bot: Bot, channel: TelegramChannel, path: str, secret: str) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.bot = bot
        self.channel = channel
        self.path = path
        self._secret = secret.encode()
        self._tasks: set[asyncio.Task[None]] = set()

    def install(self, app: web.Application) -> None:
        app.router.add_post(self.path, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            log.warning("webhook request without the right secret from %s", request.remote)
            return web.Response(status=401, text="unauthorized")
        try:
            update = _parse_update(await request.read(), self.bot)
        except (ValueError, ValidationError):
            log.warning("webhook request with a body that is not an update")
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
