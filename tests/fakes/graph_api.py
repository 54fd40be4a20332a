"""A fake WhatsApp Cloud API (Graph API) on loopback, for channel tests over real HTTP.

It records every message sent (path, JSON body, time), accepts media uploads, serves media
(``GET /{media-id}`` -> ``{"url": ...}``; ``GET url`` -> the bytes, bearer token required) and
can be told to answer the next sends with Graph errors (131047, 130429, 131056, ...), in the
JSON shape the real API uses.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

VERSION = "v21.0"

_ERROR_TEXTS = {
    131047: (
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last replied.",
    ),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131056: (
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent to this user.",
    ),
    131026: ("Message undeliverable", "Unable to deliver message."),
    131051: ("Unsupported message type", "Message type is not currently supported."),
    131000: ("Something went wrong", "Message failed to send because of an unknown error."),
}


@dataclass(frozen=True)
class Sent:
    path: str
    body: dict[str, Any]
    at: float  # time.monotonic() when received
    wamid: str

    @property
    def to(self) -> str:
        return str(self.body.get("to", ""))

    @property
    def type(self) -> str:
        return str(self.body.get("type", ""))

    @property
    def interactive_type(self) -> str:
        return str(self.body.get("interactive", {}).get("type", ""))

    def text(self) -> str:
        """The readable text of the message (body of a text or an interactive message)."""
        if self.type == "text":
            return str(self.body["text"]["body"])
        if self.type == "interactive":
            return str(self.body["interactive"]["body"]["text"])
        if self.type in ("image", "document"):
            return str(self.body[self.type].get("caption", ""))
        return ""

    def choices(self) -> list[dict[str, str]]:
        """``id``/``title``/``description`` of the buttons or list rows of an interactive."""
        if self.type != "interactive":
            return []
        action = self.body["interactive"].get("action", {})
        if "buttons" in action:
            return [b["reply"] for b in action["buttons"]]
        return [row for section in action.get("sections", []) for row in section["rows"]]


@dataclass
class FakeGraphApi:
    token: str = "test-token"
    phone_number_id: str = "109876543210"
    sent: list[Sent] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    media_requests: list[str] = field(default_factory=list)  # GET /{media-id}
    downloads: list[str] = field(default_factory=list)  # GET of the file's url
    _claimed_sizes: dict[str, int] = field(default_factory=dict)
    _errors: list[tuple[int, int]] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)  # received, never answered
    _drops: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _held: dict[str, asyncio.Event] = field(default_factory=dict)
    base: str = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(f"/{VERSION}/{{phone}}/messages", self._messages)
        app.router.add_post(f"/{VERSION}/{{phone}}/media", self._upload)
        app.router.add_get(f"/{VERSION}/{{media_id}}", self._media_info)
        app.router.add_get("/files/{media_id}", self._media_file)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"
        return self.api_url

    @property
    def api_url(self) -> str:
        return f"{self.base}/{VERSION}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- test controls ------------------------------------------------------------------

    def fail_next(self, code: int, count: int = 1, status: int = 400) -> None:
        """Answer the next ``count`` message sends with Graph error ``code``."""
        self._errors.extend([(code, status)] * count)

    def drop_next(self, count: int = 1) -> None:
        """Read the next ``count`` message sends, then close the connection without answering
        (the message counts as received: see ``dropped``)."""
        self._drops += count

    def hold(self, wa_id: str) -> asyncio.Event:
        """Sends to ``wa_id`` wait (unanswered) until the returned event is set."""
        self._held[wa_id] = gate = asyncio.Event()
        return gate

    def add_media(
        self,
        media_id: str,
        content: bytes,
        mime_type: str = "image/jpeg",
        *,
        claimed_size: int | None = None,
    ) -> None:
        """Serve ``content``; ``GET /{media-id}`` says it has ``claimed_size`` bytes if given
        (a file that turns out larger than announced)."""
        self.media[media_id] = (content, mime_type)
        if claimed_size is not None:
            self._claimed_sizes[media_id] = claimed_size

    async def wait_for_sends(self, count: int) -> list[Sent]:
        """Wait until ``count`` messages were sent (bound it with ``asyncio.timeout``)."""
        while len(self.sent) < count:
            self._changed.clear()
            await self._changed.wait()
        return self.sent[:count]

    def to(self, wa_id: str) -> list[Sent]:
        return [s for s in self.sent if s.to == wa_id]

    # ---- handlers -----------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    @staticmethod
    def _error(code: int, status: int) -> web.Response:
        title, details = _ERROR_TEXTS.get(code, ("Error", "Something went wrong."))
        return web.json_response(
            {
                "error": {
                    "message": f"(#{code}) {title}",
                    "type": "OAuthException",
                    "code": code,
                    "error_data": {"messaging_product": "whatsapp", "details": details},
                    "fbtrace_id": "AbCdEfGhIjKlMnOp",
                }
            },
            status=status,
        )

    async def _messages(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(190, 401)
        if request.match_info["phone"] != self.phone_number_id:
            return self._error(100, 400)
        body = await request.json()
        gate = self._held.get(str(body.get("to", "")))
        if gate is not None:
            await gate.wait()
        if self._drops:
            self._drops -= 1
            self.dropped.append(body)
            assert request.transport is not None
            request.transport.close()
            raise ConnectionResetError("dropped on purpose")
        if self._errors:
            code, status = self._errors.pop(0)
            return self._error(code, status)
        wamid = f"wamid.FAKE{next(self._ids):06d}"
        self.sent.append(Sent(request.path, body, time.monotonic(), wamid))
        self._changed.set()
        to = body.get("to", "")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(190, 401)
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        media_id = f"upl{next(self._ids)}"
        self.uploads.append(
            {
                "id": media_id,
                "type": form.get("type"),
                "messaging_product": form.get("messaging_product"),
                "filename": upload.filename,
                "content": upload.file.read(),
            }
        )
        return web.json_response({"id": media_id})

    async def _media_info(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._error(190, 401)
        media_id = request.match_info["media_id"]
        self.media_requests.append(media_id)
        if media_id not in self.media:
            return self._error(100, 404)
        content, mime = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base}/files/{media_id}",
                "mime_type": mime,
                "sha256": "0" * 64,
                "file_size": self._claimed_sizes.get(media_id, len(content)),
                "id": media_id,
            }
        )

    async def _media_file(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401)
        media_id = request.match_info["media_id"]
        self.downloads.append(media_id)
        content, mime = self.media[media_id]
        return web.Response(body=content, content_type=mime)
