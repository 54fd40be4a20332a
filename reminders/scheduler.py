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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)


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
