"""How long a round of the deadline planner takes for a whole kabupaten (not run by the tests).

Kab. Lampung Barat with every kecamatan and village, ``--households`` per village, an operator
and a peratin per village, a camat per kecamatan and Dinsos; ``--deadlines`` kabupaten-wide
deadlines; ``--noise`` unrelated outbox rows (announcements) the planner must not be slowed by.
Three kinds of round are timed: before any step has come (the usual case), the round that
enqueues a step for everyone, and the rounds after it while nothing new is due. Run:

    .venv/bin/python -m bench.deadline_planner [--db URL] [--households 30] [--noise 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time as clock_time
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.kit.timing import QuietHours, local_instant
from handlers.ports import FixedClock
from reminders.deadlines import plan_deadlines
from storage.db import Database
from storage.migrate import upgrade
from storage.repos.outbox import NewMessage

START = datetime(2026, 1, 15, 3, 30, tzinfo=UTC)
QUIET = QuietHours()


async def seed(db: Database, households: int, noise: int, count: int) -> int:
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04")
        regions = await uow.regions.within("18.04")
        people = 0
        for region in regions:
            roles = {2: ["dinsos"], 3: ["camat"], 4: ["operator", "peratin"]}.get(region.level, [])
            for role in roles:
                person = await uow.people.create(f"{role} {region.name}", now=START)
                await uow.people.add_identity(
                    person, "telegram", f"{role}-{region.code}", "", START
                )
                await uow.people.assign_role(person, role, region.code, START)
                await uow.people.set_consent(person, "bench", START)
                people += 1
            if region.level == 4:
                for n in range(households):
                    status = "verified" if n % 3 == 0 else "pending"
                    await uow.households.add(
                        region.code, f"KK {n}", None, None, "", "", "", status=status, now=START
                    )
    async with db.unit_of_work() as uow:
        rows = [  # already settled: only their number matters
            NewMessage(
                f"announcement:{n // people}",
                "announcement",
                1 + n % people,
                [],
                status="cancelled",
            )
            for n in range(noise)
        ]
        await uow.outbox.enqueue(rows, START)
        for n in range(count):
            due = local_instant(date(2026, 1, 27 + n), time(0), "Asia/Jakarta")
            draft = deadlines.Draft(
                f"Tenggat {n}", due + timedelta(hours=16), "18.04", ("operator", "peratin")
            )
            await deadlines.create(uow, draft, by=None, channel="bench", now=START)
    return people


async def timed(db: Database, clock: FixedClock, at: datetime, times: int) -> tuple[float, int]:
    clock.set(at)
    spent: list[float] = []
    sent = 0
    for _ in range(times):
        begin = clock_time.perf_counter()
        sent += (await plan_deadlines(db, clock, QUIET)).sent
        spent.append(clock_time.perf_counter() - begin)
    return statistics.median(spent) * 1000, sent


async def run(url: str, households: int, noise: int, count: int) -> None:
    await upgrade(url)
    async with Database(url) as db:
        people = await seed(db, households, noise, count)
        clock = FixedClock(START)
        t7 = local_instant(date(2026, 1, 20), time(0), "Asia/Jakarta")
        idle_ms, _ = await timed(db, clock, START, 5)
        step_ms, sent = await timed(db, clock, t7 + timedelta(hours=8), 1)
        after_ms, again = await timed(db, clock, t7 + timedelta(hours=9), 5)
    print(
        f"{url.split(':')[0]}: {people} people, {households} households/village, {noise} other rows"
    )
    print(f"  round before any step:      {idle_ms:8.1f} ms ({count} deadlines)")
    print(f"  round enqueuing a step:     {step_ms:8.1f} ms ({sent} reminders)")
    print(f"  round with nothing new due: {after_ms:8.1f} ms ({again} reminders)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--households", type=int, default=30)
    parser.add_argument("--noise", type=int, default=100_000)
    parser.add_argument("--deadlines", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(url, args.households, args.noise, args.deadlines))


if __name__ == "__main__":
    main()
