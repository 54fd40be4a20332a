"""Time of the oversight screens for a whole kabupaten (not run by the test suite).

Loads Kab. Lampung Barat (15 kecamatan, 136 villages) from the national list, spreads N generated
households (four members each, statuses mixed, some planted duplicate NIKs and sex / birth-date
mismatches) over its villages with bulk inserts, then measures: the progress numbers of the
kabupaten (``uow.progress.region``), the Dinsos /progres reply through the handlers (numbers in
the transaction, chart and XLSX after it), the chart alone, and the data-quality findings. Run:

    .venv/bin/python -m bench.oversight --households 100000 [--db postgresql+asyncpg://...]

With ``--db`` the database's public schema is dropped first: give it a throw-away database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.database import reset_postgres
from bot.regions import load_regions
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.messages import Channel, Chart, Document, Inbound, InboundKind
from handlers.ports import FixedClock
from handlers.progress import view as progress
from handlers.progress.charts import render_progress_chart
from handlers.quality.view import gather
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Household, Member, Region

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)
KABUPATEN = "18.04"
STATUSES = ("pending", "pending", "pending", "verified", "updated", "not_found")


async def _seed(db: Database, households: int) -> list[str]:
    async with db.unit_of_work() as uow:
        await load_regions(uow, KABUPATEN)
        villages = list(
            await uow.session.scalars(
                select(Region.code).where(Region.level == 4).order_by(Region.code)
            )
        )
    rng = random.Random(8)
    batch = 5000
    for start in range(0, households, batch):
        rows: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        for i in range(start, min(start + batch, households)):
            village = villages[i % len(villages)]
            # Some villages lag far behind: their households stay pending.
            status = "pending" if hash(village) % 5 == 0 else rng.choice(STATUSES)
            rows.append(
                {
                    "id": i + 1,
                    "region_code": village,
                    "id_dtks": f"{i:012d}",
                    "no_kk": f"180419{i:010d}",
                    "head_name": f"Kepala {i}",
                    "status": status,
                    "source": "proposal" if i % 97 == 0 else "import",
                    "data": {},
                    "created_at": NOW,
                    "updated_at": NOW - dt.timedelta(days=rng.randint(0, 90)),
                }
            )
            for p in range(1, 5):
                day = 1 + (i + p) % 28
                female = p % 2 == 0
                coded_day = day + (40 if female else 0)
                place = f"18{(i // 10_000) % 100:02d}{(i // 100) % 100:02d}"  # unique per 100
                nik = f"{place}{coded_day:02d}0185{(i % 100) * 4 + p:04d}"
                if i % 1000 == 0 and p == 1:
                    nik = "1804010101800001"  # one NIK in many households: duplicates
                sex = "P" if female else "L"
                if i % 500 == 0 and p == 2:
                    sex = "L"  # a woman's NIK recorded as a man
                members.append(
                    {
                        "household_id": i + 1,
                        "position": p,
                        "nik": nik,
                        "name": f"Anggota {i}-{p}",
                        "relation": "anak",
                        "sex": sex,
                        "birth_date": dt.date(1985, 1, day),
                        "presence": "tinggal",
                        "data": {},
                    }
                )
        async with db.unit_of_work() as uow:
            await uow.session.execute(insert(Household), rows)
            await uow.session.execute(insert(Member), members)
    return villages


async def _timed(label: str, figures: dict[str, Any], work: Any) -> Any:
    started = time.perf_counter()
    result = await work
    figures[label] = round((time.perf_counter() - started) * 1000, 1)
    return result


async def run(households: int, url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        if url:
            await reset_postgres(url)
        else:
            url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        async with Database(url) as db:
            started = time.perf_counter()
            villages = await _seed(db, households)
            figures: dict[str, Any] = {
                "households": households,
                "villages": len(villages),
                "seed_s": round(time.perf_counter() - started, 1),
            }
            for attempt in (1, 2):
                async with db.unit_of_work() as uow:
                    report = await _timed(
                        f"progress_query_ms_{attempt}", figures, uow.progress.region(KABUPATEN)
                    )
            assert report is not None and report.total.register > 0
            chart = progress.chart_for(report, None, NOW, "id")
            assert chart is not None
            started = time.perf_counter()
            png = await asyncio.to_thread(render_progress_chart, chart, Path(tmp) / "kab.png")
            figures["chart_first_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["chart_kb"] = _kb(png)
            async with db.unit_of_work() as uow:
                kecamatan = await uow.progress.region("18.04.19")
            assert kecamatan is not None
            village_chart = progress.chart_for(kecamatan, None, NOW, "id")
            assert village_chart is not None
            started = time.perf_counter()
            png = await asyncio.to_thread(
                render_progress_chart, village_chart, Path(tmp) / "kec.png"
            )
            figures["kecamatan_chart_ms"] = round((time.perf_counter() - started) * 1000, 1)
            figures["kecamatan_chart_kb"] = _kb(png)

            kawal = Kawal(
                db,
                builtin_forms(),
                FixedClock(NOW),
                Options(exports_dir=Path(tmp) / "exports", charts_dir=Path(tmp) / "charts"),
            )
            async with db.unit_of_work() as uow:
                person = await uow.people.create("Dinsos", "id", NOW)
                await uow.people.add_identity(person, "console", "dinsos", "Dinsos", NOW)
                await uow.people.assign_role(person, "dinsos", KABUPATEN, NOW)
                await uow.people.set_consent(person, "2026-11", NOW)
            reply = await _timed("dinsos_progres_reply_ms", figures, kawal.handle(_ask("progres")))
            [document] = [m for m in reply.messages if isinstance(m, Document)]
            assert any(isinstance(m, Chart) for m in reply.messages)
            figures["progress_xlsx_kb"] = _kb(document.path)

            since = NOW - dt.timedelta(days=30)
            async with db.unit_of_work() as uow:
                quality = await _timed("quality_queries_ms", figures, gather(uow, KABUPATEN, since))
            assert quality is not None
            figures["duplicate_rows"] = len(quality.duplicates)
            figures["mismatches"] = len(quality.mismatches)
            figures["untouched"] = quality.untouched_total
            asked = kawal.handle(_ask("kualitas"))
            reply = await _timed("dinsos_kualitas_reply_ms", figures, asked)
            [document] = [m for m in reply.messages if isinstance(m, Document)]
            figures["quality_xlsx_kb"] = _kb(document.path)
            return figures


def _ask(command: str) -> Inbound:
    return Inbound(Channel.CONSOLE, "dinsos", command, InboundKind.COMMAND, command=command)


def _kb(path: str | Path) -> float:
    return round(Path(path).stat().st_size / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="PostgreSQL URL (dropped first); default SQLite")
    args = parser.parse_args()
    figures = asyncio.run(run(args.households, args.db))
    for key, value in figures.items():
        print(f"{key:>26}: {value:,}" if isinstance(value, int) else f"{key:>26}: {value}")


if __name__ == "__main__":
    main()
