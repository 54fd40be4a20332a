"""The real bot against the fake Bot API, as in tests/channels/telegram (SQLite, both modes)."""

from __future__ import annotations

from tests.channels.telegram.conftest import bot, database, fake, polling_bot, webhook_bot

__all__ = ["bot", "database", "fake", "polling_bot", "webhook_bot"]
