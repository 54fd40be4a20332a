"""The ``kawal`` command line: one module per sub-command, all calling the same use cases as
the chat."""

from bot.cli import (  # noqa: F401 - each module registers its commands on ``app``
    announcements,
    chat,
    db,
    deadlines,
    people,
    regions,
    registers,
    reports,
    subject,
    web,
)
from bot.cli.common import app

__all__ = ["app"]
