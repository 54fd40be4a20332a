"""APScheduler only ticks: every job reads from the database what is due and does it.

Jobs are top-level coroutine functions whose arguments are ids and handles (database, clock,
outbox), never closures over state, so a restart rebuilds everything from the database and
several processes can tick side by side (what a job writes is unique per campaign and person,
so two processes doing the same round enqueue each message once).

    ticker = Ticker([Job("deadlines", plan_deadlines, 60, (db, clock, sender))])
    ticker.start()
    ...
    await ticker.stop()

Tests call the job functions directly with a :class:`handlers.ports.FixedClock`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from handlers.ports import Clock
from storage.db import Database

log = logging.getLogger(__name__)

# The ids of handled updates (the dedupe claims): Telegram keeps an undelivered update for 24 h,
# Meta retries a WhatsApp webhook for up to 7 days (and older messages are ignored outright).
KEEP_PROCESSED_INBOUND = dt.timedelta(days=8)
# Raw webhook bodies once processed, or failed for good: kept a while to look into, then gone
# (they hold what people wrote).
KEEP_INBOUND_BODIES = dt.timedelta(days=7)
# Counted attempts (access_throttle) are kept longer than any window that counts them: 1 hour
# (duplicate look-ups, invite codes overall), 24 hours (files), the invite lockout period
# (KAWAL_INVITE_LOCKOUT_MINUTES, at most 7 days).
KEEP_THROTTLE = dt.timedelta(days=8)
# A form nobody answered for KAWAL_SESSION_IDLE_DAYS closes when its person next writes, with a
# message naming it; housekeeping closes the forms of those who never come back, once they are
# idle this many times as long (so that, coming back a little late, people are still told).
IDLE_SESSION_FACTOR = 2
PRUNED_FOLDERS = ("charts", "exports")  # under the data folder; media/ and outbox/ stay


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    func: Callable[..., Awaitable[Any]]
    seconds: float
    args: tuple[Any, ...] = ()


class Ticker:
    def __init__(self, jobs: Sequence[Job]) -> None:
        self.jobs = list(jobs)
        self._running: set[asyncio.Future[Any]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self.scheduler.add_listener(self._failed, EVENT_JOB_ERROR)

    def start(self) -> None:
        """Add the jobs (each runs once right away, then every ``seconds``) and start."""
        first = dt.datetime.now(dt.UTC)
        for job in self.jobs:
            self.scheduler.add_job(
                self._run,
                IntervalTrigger(seconds=job.seconds, timezone=dt.UTC),
                args=(job.func, *job.args),
                id=job.id,
                name=job.id,
                next_run_time=first,
            )
        self.scheduler.start()

    async def _run(self, func: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        task = asyncio.ensure_future(func(*args))
        self._running.add(task)
        try:
            return await asyncio.shield(task)
        finally:
            self._running.discard(task)

    async def stop(self, grace: float = 10.0) -> None:
        """No new rounds; rounds already running may finish (up to ``grace`` seconds)."""
        if self.scheduler.running:
            self.scheduler.pause()
        running = set(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    @staticmethod
    def _failed(event: JobExecutionEvent) -> None:
        log.error("scheduled job %s failed: %r", event.job_id, event.exception)


async def housekeeping(
    db: Database,
    clock: Clock,
    data_dir: Path | None = None,
    keep_files_days: int = 7,
    session_idle_days: int = 7,
    keep_throttle: dt.timedelta = KEEP_THROTTLE,
) -> int:
    """Forget processed inbound update ids older than any platform would redeliver, raw
    webhook bodies done with (processed or failed) after ``KEEP_INBOUND_BODIES`` and counted
    attempts older than ``keep_throttle``; close the forms nobody answered for
    ``IDLE_SESSION_FACTOR`` times ``session_idle_days`` (``expired``, nothing saved; a form
    idle for ``session_idle_days`` closes sooner, when its person writes, with a message
    that names it); delete the charts and exports in ``data_dir`` older than
    ``keep_files_days`` (a quality or SIKS-NG export holds full NIK and No. KK: keep such
    copies no longer than needed, as UU PDP asks). How many rows and files went (closed
    forms stay, so they are not counted)."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        removed = await uow.inbound.prune(now - KEEP_PROCESSED_INBOUND)
        removed += await uow.inbound_events.prune(now - KEEP_INBOUND_BODIES)
        removed += await uow.throttle.prune(now - keep_throttle)
        idle_days = IDLE_SESSION_FACTOR * session_idle_days
        expired = await uow.sessions.expire_idle(now - dt.timedelta(days=idle_days), now)
    if expired:
        log.info("housekeeping: %d forms idle for %d days or more closed", expired, idle_days)
    if data_dir is not None:
        folders = [data_dir / name for name in PRUNED_FOLDERS]
        before = now - dt.timedelta(days=keep_files_days)
        files = await asyncio.to_thread(prune_files, folders, before)
        if files:
            log.info("housekeeping: %d files older than %d days deleted", files, keep_files_days)
        removed += files
    return removed


def prune_files(folders: Iterable[Path], before: dt.datetime) -> int:
    """Delete every file in ``folders`` (and below) last changed before ``before``; how many.
    Folders that do not exist are skipped; a file another process deleted first is fine."""
    cutoff = before.timestamp()
    removed = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            try:
                if path.is_symlink() or not path.is_file() or path.stat().st_mtime >= cutoff:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed += 1
    return removed
