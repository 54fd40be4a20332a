"""Logging set-up: nothing personal and no secret leaves the process through a log line.

Every record passes :class:`PrivacyFilter` on its way out: NIK / No. KK numbers in any spelling
are masked (:func:`flows.ids.mask_ids_in_text`), Indonesian mobile numbers keep their last 4
digits, and the configured secrets (Telegram bot token, WhatsApp token and app secret, webhook
secrets) are replaced by ``<secret>`` in the message, its arguments and any traceback (an
aiohttp error about a malformed Bot API answer names the URL, and the URL carries the token).

Libraries that log statements, parameters, request URLs or bodies are held at WARNING whatever
``KAWAL_LOG_LEVEL`` says: at DEBUG, aiosqlite logs every statement with its values (names,
birth dates, addresses), httpx every Bot API URL (with the token).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from flows.ids import mask_ids_in_text
from storage.files import private_file

__all__ = ["QUIET_LOGGERS", "PrivacyFilter", "redact", "setup_logging"]

REDACTED = "<secret>"
# Loggers that would print statements with their parameters, request URLs or payloads.
QUIET_LOGGERS = (
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.pool",
    "aiosqlite",
    "asyncpg",
    "httpx",
    "httpcore",
    "hpack",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.server",
    "aiohttp.web",
    "aiogram.event",
    "apscheduler",
    "alembic",
    "urllib3",
)
# Indonesian mobile numbers (0812..., 62812..., +62 812-...): the last 4 digits are kept.
_PHONE = re.compile(r"(?<![0-9+])(?:\+?62|0)[ \-]?8[0-9](?:[ \-]?[0-9]){7,10}(?![0-9])")


def _mask_phone(match: re.Match[str]) -> str:
    return "…" + re.sub(r"[^0-9]", "", match.group(0))[-4:]


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret replaced, NIK / No. KK masked, phone numbers shortened."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _PHONE.sub(_mask_phone, mask_ids_in_text(text))


class PrivacyFilter(logging.Filter):
    """Rewrites each record's rendered message and traceback (see the module's doc)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Longest first: a secret that contains another is replaced whole.
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record: shown as its template, never with its arguments
            message = str(record.msg)
        cleaned = redact(message, self.secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


def quiet_libraries(level: int) -> None:
    """Hold the chatty libraries at WARNING (or above, when the root is above it)."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, level))


def setup_logging(
    level: str = "INFO", file: Path | None = None, secrets: Iterable[str] = ()
) -> logging.Handler:
    """One handler on the root logger (stderr, or ``file`` created 0600), behind the
    :class:`PrivacyFilter` for ``secrets``; the handler."""
    handler: logging.Handler = (
        logging.FileHandler(private_file(file), encoding="utf-8")
        if file
        else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PrivacyFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet_libraries(root.level)
    return handler
