"""The periodic jobs of ``kawal run`` (and of ``kawal chat``, which runs them after every
message): what is due is read from the database each time, so a restart loses nothing.

Apart from :mod:`bot.run` so that the terminal chat can run them without importing the
channels (aiogram takes seconds to import; the terminal needs none of it).
"""

from __future__ import annotations

import datetime as dt

from bot.settings import Settings
from handlers.ports import Clock
from reminders.announcements import deliver_announcements, nudge_announcements
from reminders.deadlines import plan_deadlines
from reminders.digest import plan_digests
from reminders.housekeeping import Retention, housekeeping
from reminders.scheduler import Job
from storage.db import Database

__all__ = ["retention", "scheduled_jobs"]


def retention(settings: Settings) -> Retention:
    """How long each kind of data is kept (docs/privacy.md has the table)."""
    return Retention(
        files_days=settings.files_keep_days,
        media_days=settings.media_keep_days,
        session_idle_days=settings.session_idle_days,
        webhook_bodies=dt.timedelta(days=settings.webhook_bodies_keep_days),
        inbound_ids=dt.timedelta(days=settings.inbound_ids_keep_days),
    )


def scheduled_jobs(settings: Settings, db: Database, clock: Clock) -> list[Job]:
    """Every periodic job of ``kawal run``; each reads what is due from the database."""
    return [
        Job(
            "housekeeping",
            housekeeping,
            3600,
            (db, clock, settings.data_dir, retention(settings)),
        ),
        Job("deadlines", plan_deadlines, settings.scheduler_interval, (db, clock, settings.quiet)),
        Job(
            "announcements",
            deliver_announcements,
            min(settings.scheduler_interval, 15.0),
            (db, clock, settings.quiet),
        ),
        Job(
            "announcement-nudges",
            nudge_announcements,
            settings.scheduler_interval,
            (db, clock, settings.quiet),
        ),
        Job(
            "digest",
            plan_digests,
            settings.scheduler_interval,
            (db, clock, settings.digest, settings.quiet),
        ),
    ]
