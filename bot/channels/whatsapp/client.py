"""A thin Graph API client for the WhatsApp Cloud API: the only place that does WhatsApp HTTP.

Every failure leaves here as a :class:`handlers.ports.DeliveryError` subclass, mapped from the
Graph error code in :func:`error_from_response` (one table, one place).
"""

from __future__ import annotations

import json
import logging
import mimetypes
from pathlib import Path
from typing import Any

import httpx

from handlers.ports import (
    DeliveryError,
    NetworkError,
    OutsideWindow,
    PermanentError,
    RetryAfter,
    TransientError,
)

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://graph.facebook.com/v21.0"
# What Kawal takes from a person, as on Telegram (WhatsApp itself lets documents be 100 MB): a
# register or a photo is far smaller, and every file is held in memory once.
MAX_MEDIA_BYTES = 20 * 1024 * 1024

# Graph error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes).
OUTSIDE_WINDOW = 131047  # re-engagement message: more than 24 h since the user wrote
THROUGHPUT = 130429  # rate limit hit: too many messages per second for this number
PAIR_RATE = 131056  # (business, user) pair rate limit: too many messages to one user
SPAM_RATE = 131048  # spam rate limit: the number is restricted for a while
_APP_RATE = frozenset({4, 80007, 613})  # app / account rate limits
_TRANSIENT = frozenset({1, 2, 131000, 131016, 133004})  # unknown, service unavailable, ...
# An expired or wrong token or missing permission stops every send until someone fixes the
# settings; retrying later (with the outbox's backoff) is better than dropping every message.
_AUTH = frozenset({0, 10, 190, 131005})

PAIR_RATE_WAIT = 6.0  # seconds: WhatsApp allows about one message per 6 s to the same user
THROUGHPUT_WAIT = 1.0
SPAM_WAIT = 60.0
APP_RATE_WAIT = 60.0


class MediaTooBig(PermanentError):
    """A received file is larger than Kawal takes (``max_bytes``)."""


def _retry_header(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


def error_from_response(
    status: int, body: Any, headers: httpx.Headers | None = None
) -> DeliveryError:
    """The typed error for a failed Graph API response (``body`` is the decoded JSON or text)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = str(error.get("message", "")) if isinstance(error, dict) else str(body)[:200]
    details = ""
    if isinstance(error, dict) and isinstance(error.get("error_data"), dict):
        details = str(error["error_data"].get("details", ""))
    text = f"graph error {code} (HTTP {status}): {message} {details}".strip()
    waited = _retry_header(headers) if headers is not None else None
    if code == OUTSIDE_WINDOW:
        return OutsideWindow(text)
    if code == THROUGHPUT:
        return RetryAfter(waited or THROUGHPUT_WAIT)
    if code == PAIR_RATE:
        return RetryAfter(waited or PAIR_RATE_WAIT, per_chat=True)
    if code == SPAM_RATE:
        return RetryAfter(waited or SPAM_WAIT)
    if code in _APP_RATE or (code is None and status == 429):
        return RetryAfter(waited or APP_RATE_WAIT)
    if code in _TRANSIENT or code in _AUTH or status >= 500:
        return TransientError(text)
    return PermanentError(text)


class GraphClient:
    """Calls of the Cloud API that Kawal uses: send a message, upload and download media."""

    def __init__(
        self,
        token: str,
        phone_number_id: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.phone_number_id = phone_number_id
        self._http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"timeout calling the Graph API: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise NetworkError(f"network error calling the Graph API: {exc!r}") from exc
        if response.is_success:
            return response
        try:
            body: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = response.text
        error = error_from_response(response.status_code, body, response.headers)
        log.warning("%s %s failed: %s", method, url.split("?")[0], error)
        raise error

    async def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._request(method, url, **kwargs)
        try:
            data = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise TransientError(f"the Graph API answered with invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise TransientError("the Graph API answered with unexpected JSON")
        return data

    async def send_message(self, to: str, message: dict[str, Any]) -> str:
        """Send one message (``message`` holds ``type`` and its object); the new ``wamid``."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        body.update(message)
        data = await self._json(
            "POST", f"{self.api_url}/{self.phone_number_id}/messages", json=body
        )
        messages = data.get("messages")
        if not isinstance(messages, list) or not messages or "id" not in messages[0]:
            raise TransientError(f"no message id in the Graph API answer: {str(data)[:200]}")
        return str(messages[0]["id"])

    async def upload_media(self, content: bytes, mime_type: str, file_name: str) -> str:
        """Upload a file to WhatsApp's media store; the media id to send it by."""
        data = await self._json(
            "POST",
            f"{self.api_url}/{self.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (file_name, content, mime_type)},
        )
        if "id" not in data:
            raise TransientError("no media id in the Graph API answer")
        return str(data["id"])

    async def media_info(self, media_id: str) -> dict[str, Any]:
        """``GET /{media-id}``: the short-lived download ``url``, ``mime_type``, ``file_size``."""
        if not media_id.replace("_", "").replace("-", "").isalnum():
            raise PermanentError(f"not a media id: {media_id[:40]!r}")
        return await self._json("GET", f"{self.api_url}/{media_id}")

    async def download(self, url: str, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
        """The bytes behind a media ``url`` (the bearer token is required there too); read
        no further than ``max_bytes`` (:class:`MediaTooBig` past it)."""
        if not url.startswith(("https://", "http://")):
            raise PermanentError("media url is not http(s)")
        try:
            async with self._http.stream("GET", url) as response:
                if not response.is_success:
                    await response.aread()
                    try:
                        body: Any = response.json()
                    except (json.JSONDecodeError, UnicodeDecodeError):
                        body = response.text
                    error = error_from_response(response.status_code, body, response.headers)
                    log.warning("media download failed: %s", error)
                    raise error
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise MediaTooBig(f"media of {declared} bytes, more than {max_bytes}")
                content = bytearray()
                async for chunk in response.aiter_bytes():
                    content += chunk
                    if len(content) > max_bytes:
                        raise MediaTooBig(f"media larger than {max_bytes} bytes")
        except httpx.TimeoutException as exc:
            raise NetworkError(f"timeout downloading media: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise NetworkError(f"network error downloading media: {exc!r}") from exc
        return bytes(content)


def guess_mime(path: Path, default: str = "application/octet-stream") -> str:
    return mimetypes.guess_type(path.name)[0] or default
