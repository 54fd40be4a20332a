"""The web console (issue 19): server-rendered pages for Dinsos (and read-only for camat and
peratin), opened from the chat with a one-time link, built on the same use cases as the chat.

    console = Console(kawal, ConsoleConfig.from_settings(settings))
    app = build_web_app([console.install])     # mounted under /konsol/ beside the webhooks
"""

from bot.web.app import PREFIX, Console, ConsoleConfig
from bot.web.ports import AuditProcessingLog, ProcessingLog

__all__ = ["PREFIX", "AuditProcessingLog", "Console", "ConsoleConfig", "ProcessingLog"]
