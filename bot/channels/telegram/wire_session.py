"""An aiogram session on :class:`bot.channels.wire.Wire`, for the outbox's proactive sends.

Replies and polling keep aiogram's aiohttp session; proactive messages go through this one so
the outbox's crash journal is written in the same synchronous step as the socket write (see
``bot/channels/wire.py``). Errors are aiogram's own (``check_response``), so
``bot.channels.telegram.errors.translate`` maps them like any other call.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, cast

import httpx
from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import InputFile

from bot.channels.wire import Wire


class WireSession(BaseSession):
    def __init__(
        self,
        api: TelegramAPIServer = PRODUCTION,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        super().__init__(api=api, timeout=timeout)
        self._http = httpx.AsyncClient(transport=transport or Wire(), timeout=timeout)

    async def close(self) -> None:
        await self._http.aclose()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's BaseSession signature
    ) -> TelegramType:
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        files: dict[str, InputFile] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                fields[key] = prepared
        uploads = {
            key: (file.filename or key, b"".join([chunk async for chunk in file.read(bot)]))
            for key, file in files.items()
        }
        try:
            response = await self._http.post(
                url,
                data=fields,
                files=uploads or None,
                timeout=self.timeout if timeout is None else timeout,
            )
        except httpx.TimeoutException as exc:
            raise TelegramNetworkError(method=method, message="Request timeout error") from exc
        except httpx.HTTPError as exc:
            # httpx names the URL, which carries the bot token: never in the message.
            reason = f"{type(exc).__name__}: {exc}".replace(bot.token, "<token>")
            raise TelegramNetworkError(method=method, message=reason) from None
        result = self.check_response(
            bot=bot, method=method, status_code=response.status_code, content=response.text
        )
        return cast(TelegramType, result.result)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's BaseSession signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        response = await self._http.get(url, headers=headers, timeout=timeout)
        if raise_for_status:
            response.raise_for_status()
        for start in range(0, len(response.content), chunk_size):
            yield response.content[start : start + chunk_size]
