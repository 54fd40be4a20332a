"""Scheduled jobs of announcements: fan out the ones whose time has come, nudge once.

Both read what is due from the database and write outbox rows unique per (campaign, person),
guarded by conditional updates (``scheduled -> sent``, ``nudged_at`` set once), so a restart
rebuilds everything and two processes never enqueue an announcement or a nudge twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Sequence

from handlers.announcements import model as announcements
from handlers.kit.timing import QuietHours
from handlers.ports import Clock
from storage.db import Database, UnitOfWork
from storage.repos.announcements import AnnouncementRecord

log = logging.getLogger(__name__)

__all__ = ["deliver_announcements", "nudge_announcements"]


async def deliver_announcements(db: Database, clock: Clock, quiet: QuietHours) -> int:
    """Fan out every scheduled announcement whose time has come; rows enqueued."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        due = await uow.announcements.due(now)
    return await _each(db, due, announcements.fan_out, now, quiet, "fan-out")


async def nudge_announcements(db: Database, clock: Clock, quiet: QuietHours) -> int:
    """Nudge, once, who has not acknowledged an announcement after its waiting time; rows."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        candidates = await uow.announcements.nudge_candidates(now)
    return await _each(db, candidates, announcements.nudge, now, quiet, "nudge")


Step = Callable[[UnitOfWork, AnnouncementRecord, dt.datetime, QuietHours], Awaitable[int]]


async def _each(
    db: Database,
    records: Sequence[AnnouncementRecord],
    step: Step,
    now: dt.datetime,
    quiet: QuietHours,
    what: str,
) -> int:
    """``step`` for each announcement in its own transaction (one failing does not stop the
    others: it is tried again next round); rows enqueued in all."""
    enqueued = 0
    for record in records:
        try:
            async with db.unit_of_work() as uow:
                added = await step(uow, record, now, quiet)
        except Exception:
            log.exception("announcement %s: %s failed; trying again next round", record.id, what)
            continue
        if added:
            log.info("announcement %s: %s queued %d messages", record.id, what, added)
        enqueued += added
    return enqueued
