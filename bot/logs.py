"""Logging set-up: every record passes through a filter that masks NIK / No. KK numbers."""

from __future__ import annotations

import logging
from pathlib import Path

from flows.ids import mask_ids_in_text


class MaskingFilter(logging.Filter):
    """Rewrites the rendered message so no 16-digit identifier leaves the process unmasked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_ids_in_text(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


def setup_logging(level: str = "INFO", file: Path | None = None) -> None:
    handler: logging.Handler = (
        logging.FileHandler(file, encoding="utf-8") if file else logging.StreamHandler()
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Migrations on every start are routine; their step-by-step lines are noise for operators.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # The scheduler logs every round of every job at INFO; httpx logs every request's URL at
    # INFO, and a Bot API URL carries the bot token.
    for noisy in ("apscheduler", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
