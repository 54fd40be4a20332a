"""Answers per second through the handlers (no channel): the database-bound floor of a form step.

Each simulated operator registers, opens the verification form for a household and then answers
its questions; every answer is one ``Kawal.handle`` call: one unit of work with dedupe claim,
session load, engine step and session save. Run:

    .venv/bin/python -m bench.handler_throughput --operators 50 --rounds 20 [--db URL]

With a PostgreSQL ``--db`` the database's public schema is dropped first: its name must contain
"bench" or "test".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import is_postgres, reset_postgres
from bot.demo import seed
from flows import builtin_forms
from handlers.app import Kawal
from handlers.messages import Channel, Inbound, InboundKind
from handlers.ports import SystemClock
from storage.db import Database
from storage.migrate import upgrade

# One pass through verifikasi_keluarga after the household is chosen; "batal" + "ya" ends the
# form without saving, so every round can reopen the same household.
ANSWERS = ["ditemukan", "tetap", "tetap", "tetap", "ya", "lewati", "lewati", "ringkasan"]


async def run(url: str, operators: int, rounds: int) -> dict[str, float]:
    if is_postgres(url):
        await reset_postgres(url)
    await upgrade(url)
    async with Database(url) as db:
        await seed(db, datetime.now(UTC), "bench")
        async with db.unit_of_work() as uow:
            for i in range(operators):
                await uow.invites.create(
                    f"KWL-B{i:05d}", "operator", "18.04.19.2006", None, datetime.now(UTC)
                )
        kawal = Kawal(db, builtin_forms(), SystemClock())
        ids = itertools.count()
        latencies: list[float] = []

        async def say(user: str, kind: InboundKind, **fields: Any) -> None:
            inbound = Inbound(Channel.TELEGRAM, user, str(next(ids)), kind, **fields)
            start = time.perf_counter()
            await kawal.handle(inbound)
            latencies.append(time.perf_counter() - start)

        async def operator(i: int) -> None:
            user = f"op{i}"
            await say(user, InboundKind.COMMAND, command="start", args=f"KWL-B{i:05d}")
            await say(user, InboundKind.CHOICE, payload="consent:yes")
            await say(user, InboundKind.TEXT, text=f"Operator {i}")
            for _ in range(rounds):
                await say(user, InboundKind.CHOICE, payload="m:verify")
                await say(user, InboundKind.TEXT, text="Agus Hidayat")
                await say(user, InboundKind.TEXT, text="1")
                for answer in ANSWERS:
                    await say(user, InboundKind.TEXT, text=answer)
                await say(user, InboundKind.TEXT, text="batal")
                await say(user, InboundKind.TEXT, text="ya")

        tracemalloc.start()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(operator(i) for i in range(operators)))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    latencies.sort()
    n = len(latencies)
    return {
        "answers": n,
        "answers_per_s": n / wall,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(n * 0.95) - 1],
        "p99_ms": 1000 * latencies[int(n * 0.99) - 1],
        "cpu_ms_per_answer": 1000 * cpu / n,
        "peak_python_mb": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operators", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        result = asyncio.run(run(url, args.operators, args.rounds))
    for key, value in result.items():
        print(f"{key:>20}: {value:,.2f}")


if __name__ == "__main__":
    main()
