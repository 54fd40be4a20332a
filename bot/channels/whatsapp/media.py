"""Received images: fetched through the media endpoint and kept under ``data_dir/media/``.

``GET /{media-id}`` gives a short-lived URL; ``GET url`` (with the bearer token) gives the bytes.
The stored path becomes ``Inbound.media_ref``. Files are named by the media id, so a webhook
delivered twice writes the same file once more, never a second copy.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.channels.whatsapp.client import GraphClient

_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}
_SAFE_RE = re.compile(r"[^A-Za-z0-9_-]")


class MediaStore:
    def __init__(self, client: GraphClient, data_dir: Path) -> None:
        self._client = client
        self.directory = data_dir / "media"

    async def fetch(self, media_id: str, mime_type: str = "") -> str:
        """Download one media object; the path it was stored at."""
        info = await self._client.media_info(media_id)
        content = await self._client.download(str(info.get("url", "")))
        mime = str(info.get("mime_type") or mime_type).split(";")[0].strip()
        name = "wa-" + _SAFE_RE.sub("_", media_id)[:100] + _EXTENSIONS.get(mime, ".bin")
        path = self.directory / name
        await asyncio.to_thread(_write, path, content)
        return str(path)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(content)
    partial.replace(path)
