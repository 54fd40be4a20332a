"""Peak memory and time of the SIKS-NG export for a large region (not run by the test suite).

Seeds N generated households with two members each into a fresh SQLite file (bulk inserts), then
exports them as XLSX (openpyxl write-only) or as a CSV zip, and prints the time, the peak Python
heap (tracemalloc, when --tracemalloc is given: slow) and the growth of the peak RSS. Run:

    .venv/bin/python -m bench.export_memory --households 100000 [--format xlsx|csv] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.register import VILLAGE, add_households
from bot.regions import load_regions
from handlers.registers.exporter import ExportCounts, export_region
from storage.db import Database, UnitOfWork
from storage.migrate import upgrade

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def run(households: int, fmt: str, trace: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        async with Database(url) as db:
            started = time.monotonic()
            async with db.unit_of_work() as uow:
                await load_regions(uow, VILLAGE)
                await add_households(uow, households, region=VILLAGE, now=NOW)
            seeded = time.monotonic() - started
            out = Path(tmp) / ("ekspor.xlsx" if fmt == "xlsx" else "ekspor.zip")
            rss_before = _rss_mb()
            if trace:
                tracemalloc.start()

            async def export(uow: UnitOfWork) -> ExportCounts:
                return await export_region(uow, VILLAGE, out, "xlsx" if fmt == "xlsx" else "csv")

            started = time.monotonic()
            counts = await db.read(export)  # as the chat runs it: a worker thread
            elapsed = time.monotonic() - started
            peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else float("nan")
            if trace:
                tracemalloc.stop()
            return {
                "households": counts.households,
                "members": counts.members,
                "seed_s": seeded,
                "export_s": elapsed,
                "file_mb": out.stat().st_size / 1e6,
                "tracemalloc_peak_mb": peak,
                "rss_growth_mb": _rss_mb() - rss_before,
                "rss_peak_mb": _rss_mb(),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    figures = asyncio.run(run(args.households, args.format, args.tracemalloc))
    for key, value in figures.items():
        print(f"{key:>20}: {value:,.2f}" if isinstance(value, float) else f"{key:>20}: {value:,}")


if __name__ == "__main__":
    main()
