"""Received photos and documents: fetched through the Bot API and kept under
``data_dir/media/telegram/``.

``getFile`` gives a ``file_path``; ``GET {api}/file/bot{token}/{file_path}`` gives the bytes.
A bot may download files of at most 20 MB: bigger ones are refused before anything is fetched.
Files are named by Telegram's ``file_unique_id`` (the same for the same file) with a safe
extension (see ``parse.py``), so a replayed update, or the same file sent again, is not fetched
twice, and nothing the sender chose becomes part of a path. A file is written under a temporary
name and renamed when complete: a stored path always holds a whole file.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiogram.methods import GetFile
from aiohttp import ClientError, ClientResponseError

from bot.channels.telegram.parse import Media
from bot.channels.telegram.sender import TelegramSender
from handlers.ports import DeliveryError, PermanentError
from storage.files import make_private, private_dir

log = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API's limit for bots
_TOO_BIG = "file is too big"  # getFile's answer for a file over the limit


class MediaTooBig(Exception):
    """The file is bigger than a bot may download."""


class MediaNotStored(Exception):
    """The file could not be fetched or written; the sender should send it again."""


class MediaStore:
    def __init__(
        self,
        sender: TelegramSender,
        data_dir: Path,
        *,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
        timeout: int = 60,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._sender = sender
        self.directory = data_dir / "media" / "telegram"
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self._sleep = sleep

    async def fetch(self, media: Media) -> str:
        """Store ``media``; the path it is stored at. Raises :class:`MediaTooBig` or
        :class:`MediaNotStored`."""
        if media.size is not None and media.size > self.max_bytes:
            raise MediaTooBig(f"{media.size} bytes")
        path = self.directory / media.stored_name
        if await asyncio.to_thread(path.is_file):
            return str(path)  # stored before (a replayed update, the same file again)
        try:
            file = await self._sender.call(GetFile(file_id=media.file_id))
        except PermanentError as error:
            if _TOO_BIG in str(error).lower():
                raise MediaTooBig(str(error)) from error
            raise MediaNotStored(f"getFile: {error}") from error
        except DeliveryError as error:
            raise MediaNotStored(f"getFile: {error}") from error
        if file.file_size is not None and file.file_size > self.max_bytes:
            raise MediaTooBig(f"{file.file_size} bytes")
        if not file.file_path:
            raise MediaNotStored("getFile gave no file_path")
        await self._download(file.file_path, path)
        return str(path)

    async def _download(self, file_path: str, path: Path) -> None:
        reason = ""
        for attempt in range(1, self.attempts + 1):
            try:
                await self._download_once(file_path, path)
                return
            except ClientResponseError as error:
                reason = f"HTTP {error.status}"
                if error.status < 500 and error.status != 429:
                    raise MediaNotStored(f"download: {reason}") from error
            except (ClientError, TimeoutError) as error:
                reason = self._redacted(error)
            except OSError as error:  # the disk: trying again now would not help
                raise MediaNotStored(f"writing {path.name}: {error}") from error
            if attempt < self.attempts:
                delay = self.backoff * 2 ** (attempt - 1)
                log.info("download of %s failed (%s); retry in %.1f s", path.name, reason, delay)
                await self._sleep(delay)
        raise MediaNotStored(f"download: {reason} after {self.attempts} attempts")

    async def _download_once(self, file_path: str, path: Path) -> None:
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        await asyncio.to_thread(private_dir, path.parent)
        try:
            await self._sender.bot.download_file(file_path, partial, timeout=self.timeout)
            await asyncio.to_thread(make_private, partial)
            size = (await asyncio.to_thread(partial.stat)).st_size
            if size > self.max_bytes:
                raise MediaTooBig(f"{size} bytes")
            await asyncio.to_thread(partial.replace, path)
        finally:
            await asyncio.to_thread(partial.unlink, missing_ok=True)

    def _redacted(self, error: BaseException) -> str:
        """What went wrong, without the bot token (it is part of every file URL)."""
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        return text.replace(self._sender.bot.token, "<token>")
