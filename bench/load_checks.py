"""What the load benchmark checks and measures beside the bot's replies: every answer stored
once (in Kawal's database, after the run), the CPU of several bot processes, and a load
generator that does not collect garbage while it measures."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bench.procstat import Counters, counters, cpu_seconds


def counters_of(pids: Sequence[int]) -> Counters:
    """What the processes used so far, together (CPU apart in user and system, faults,
    switches)."""
    total = counters(pids[0])
    for pid in pids[1:]:
        total = total + counters(pid)
    return total


def cpu_of(pids: Sequence[int]) -> float:
    """User + system CPU seconds of the processes together."""
    return sum(cpu_seconds(pid) for pid in pids)


async def stored_once(url: str, forms: int, updates: int) -> list[str]:
    """Problems found in Kawal's database after a run in which the operators saved ``forms``
    forms with ``updates`` updates: a form stored twice or not at all, an update not recorded
    as processed (or recorded twice)."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            stored, sessions = (
                await connection.execute(
                    text("SELECT count(*), count(DISTINCT session_id) FROM submissions")
                )
            ).one()
            claimed = await connection.scalar(text("SELECT count(*) FROM processed_inbound"))
    finally:
        await engine.dispose()
    problems = []
    if stored != forms:
        problems.append(f"{stored} forms stored, the operators saved {forms}")
    if sessions != stored:
        problems.append(f"{stored - sessions} forms stored twice")
    if claimed != updates:
        problems.append(f"{claimed} updates recorded as processed, {updates} sent")
    return problems


@contextlib.contextmanager
def steady_generator() -> Iterator[None]:
    """No garbage-collection pauses in the load generator while it measures.

    A full collection of this process (the fake server with every chat's state, 200 operators'
    coroutines) takes 30-80 ms; one landing between an update and its reply was counted as the
    bot's latency. The phases last seconds and allocate few reference cycles, so collecting
    before and after is enough.
    """
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()
