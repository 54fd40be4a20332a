"""Received photos and documents: fetched through the media endpoint and kept under
``data_dir/media/``.

``GET /{media-id}`` gives a short-lived URL and the size; ``GET url`` (with the bearer token)
gives the bytes, at most ``max_bytes`` of them (:class:`MediaTooBig` past that, before or while
downloading). The stored path becomes ``Inbound.media_ref``. Files are named by the media id
with an extension from the sender's file name or the type (never the name itself), so a webhook
delivered twice finds the file already stored and downloads nothing. A file is written under a
temporary name and renamed when complete: a stored path always holds a whole file.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from pathlib import Path, PurePosixPath

from bot.channels.whatsapp.client import MAX_MEDIA_BYTES, GraphClient, MediaTooBig
from storage.files import private_dir, private_file

__all__ = ["MediaStore", "MediaTooBig", "stored_name"]

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm",
    "application/pdf": ".pdf",
}
_SAFE_RE = re.compile(r"[^A-Za-z0-9_-]")
_SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,8}")


def stored_name(media_id: str, mime_type: str, file_name: str = "") -> str:
    """The file name a received file is kept under: ``wa-<media id><extension>``. The sender's
    file name only lends its extension (a register is read by it), and only a plain one."""
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower() if file_name else ""
    if not _SUFFIX_RE.fullmatch(suffix):
        mime = mime_type.split(";")[0].strip().lower()
        suffix = _EXTENSIONS.get(mime, ".bin")
    return "wa-" + _SAFE_RE.sub("_", media_id)[:100] + suffix


class MediaStore:
    def __init__(
        self, client: GraphClient, data_dir: Path, *, max_bytes: int = MAX_MEDIA_BYTES
    ) -> None:
        self._client = client
        self.directory = data_dir / "media"
        self.max_bytes = max_bytes

    async def fetch(self, media_id: str, mime_type: str = "", file_name: str = "") -> str:
        """Download one media object (unless it is stored already); the path it is stored at.
        Raises :class:`MediaTooBig`, or the client's :class:`handlers.ports.DeliveryError`."""
        path = self.directory / stored_name(media_id, mime_type, file_name)
        if await asyncio.to_thread(path.is_file):
            return str(path)  # stored before: a webhook delivered again
        info = await self._client.media_info(media_id)
        size = str(info.get("file_size", ""))
        if size.isdecimal() and len(size) < 20 and int(size) > self.max_bytes:
            raise MediaTooBig(f"media of {size} bytes, more than {self.max_bytes}")
        content = await self._client.download(str(info.get("url", "")), self.max_bytes)
        await asyncio.to_thread(_write, path, content)
        return str(path)


def _write(path: Path, content: bytes) -> None:
    private_dir(path.parent)
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        private_file(partial).write_bytes(content)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
