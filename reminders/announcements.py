"""Scheduled jobs of announcements: fan out the ones whose time has come, nudge once.

Both read what is due from the database and write outbox rows unique per (campaign, person),
guarded by conditional updates (``scheduled -> sent``, ``nudged_at`` set once), so a restart
rebuilds everything and two processes never enqueue an announcement or a nudge twice.
"""

from __future__ import annotations

import logging

from handlers import announcements
from handlers.ports import Clock
from handlers.timing import QuietHours
from storage.db import Database

log = logging.getLogger(__name__)

__all__ = ["deliver_announcements", "nudge_announcements"]


async def deliver_announcements(db: Database, clock: Clock, quiet: QuietHours) -> int:
    """Fan out every scheduled announcement whose time has come; rows enqueued."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        due = await uow.announcements.due(now)
    enqueued = 0
    for record in due:
        try:
            async with db.unit_of_work() as uow:
                added = await announcements.fan_out(uow, record, now, quiet)
        except Exception:
            log.exception("announcement %s: fan-out failed; trying again next round", record.id)
            continue
        log.info("announcement %s: %d messages queued", record.id, added)
        enqueued += added
    return enqueued


async def nudge_announcements(db: Database, clock: Clock, quiet: QuietHours) -> int:
    """Nudge, once, who has not acknowledged an announcement after its waiting time; rows."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        candidates = await uow.announcements.nudge_candidates(now)
    enqueued = 0
    for record in candidates:
        try:
            async with db.unit_of_work() as uow:
                added = await announcements.nudge(uow, record, now, quiet)
        except Exception:
            log.exception("announcement %s: nudge failed; trying again next round", record.id)
            continue
        if added:
            log.info("announcement %s: nudge queued for %d people", record.id, added)
        enqueued += added
    return enqueued
