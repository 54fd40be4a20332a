"""The console's pages, one module per feature, each calling that feature's use cases."""

from __future__ import annotations

from aiohttp import web

from bot.web.pages import (
    announcements,
    deadlines,
    downloads,
    households,
    people,
    progress,
    quality,
    reports,
)

__all__ = ["install_pages"]


def install_pages(app: web.Application) -> None:
    progress.install(app)
    households.install(app)
    announcements.install(app)
    downloads.install(app)
    people.install(app)
    reports.install(app)
    quality.install(app)
    deadlines.install(app)
