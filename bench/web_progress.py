"""The console's progress page for a kabupaten of 300 villages and 100,000 households (issue
19): server time p50/p99 over HTTP on loopback, and the page weight in kB (HTML, CSS, chart).

    python -m bench.web_progress [--villages 300] [--households 100000] [--requests 200]

Target: p99 under 300 ms on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from bot.runtime import settle_heap
from bot.server import build_web_app
from bot.web import Console
from bot.web.serve import login_link
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.ports import FixedClock
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Household

NOW = dt.datetime(2027, 1, 15, 3, 0, tzinfo=dt.UTC)
STATUSES = ("pending", "pending", "verified", "updated", "not_found")


async def seed(db: Database, villages: int, households: int) -> None:
    async with db.unit_of_work() as uow:
        await uow.regions.upsert("18", "Lampung", 1, "provinsi", None, "Asia/Jakarta")
        await uow.regions.upsert("18.04", "Lampung Barat", 2, "kabupaten", "18", "Asia/Jakarta")
        for k in range(1, villages // 20 + 2):
            await uow.regions.upsert(
                f"18.04.{k:02d}", f"Kecamatan {k}", 3, "kecamatan", "18.04", "Asia/Jakarta"
            )
        codes = []
        for v in range(villages):
            kec = f"18.04.{v // 20 + 1:02d}"
            code = f"{kec}.{2001 + v % 20}"
            codes.append(code)
            await uow.regions.upsert(code, f"Pekon {v}", 4, "desa", kec, "Asia/Jakarta")
        person = await uow.people.create("Dinsos Bench", "id", NOW)
        await uow.people.add_identity(person, "console", "bench-dinsos", "Dinsos", NOW)
        await uow.people.assign_role(person, "dinsos", "18.04", NOW)
        rows = [
            {
                "region_code": codes[i % len(codes)],
                "head_name": f"Kepala {i}",
                "status": STATUSES[i % len(STATUSES)],
                "source": "import",
                "data": {},
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(households)
        ]
        for start in range(0, len(rows), 5000):
            await uow.session.execute(insert(Household), rows[start : start + 5000])


async def main(villages: int, households: int, requests: int) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade(url)
        db = Database(url)
        await db.connect()
        await seed(db, villages, households)
        clock = FixedClock(NOW)
        options = Options(exports_dir=Path(tmp) / "x", charts_dir=Path(tmp) / "c")
        console = Console(Kawal(db, builtin_forms(), clock, options))
        client = TestClient(TestServer(build_web_app([console.install]), host="127.0.0.1"))
        await client.start_server()
        base = str(client.make_url("")).rstrip("/")
        _, link = await login_link(db, "bench-dinsos", base, clock)
        await client.post(link.removeprefix(base))
        settle_heap()  # as `kawal run` and `kawal web` do once started
        times = []
        size = 0
        for _ in range(requests):
            started = time.perf_counter()
            response = await client.get("/konsol/progres/18.04")
            body = await response.read()
            times.append((time.perf_counter() - started) * 1000)
            assert response.status == 200
            size = len(body)
        css = len(await (await client.get("/konsol/static/kawal.css")).read())
        chart = len(await (await client.get("/konsol/progres/18.04/grafik.png")).read())
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{villages} villages, {households} households, {requests} requests (SQLite)")
        print(f"server time p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms")
        kb = {"HTML": size, "CSS": css, "chart": chart}
        print("page weight: " + ", ".join(f"{k} {v / 1024:.1f} kB" for k, v in kb.items()))
        await client.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--villages", type=int, default=300)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.villages, args.households, args.requests))
