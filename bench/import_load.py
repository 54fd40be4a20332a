"""Other operators' reply times while Dinsos imports a 300,000-row register through the chat.

A Dinsos person sends a register XLSX (300,000 people in 75,000 families, generated once and
kept in the temporary folder) as a document; meanwhile ``--operators`` operators keep answering
the verification form, each waiting ``--pause`` seconds between answers as a person does.
Every answer is one ``Kawal.handle`` call (the terminal / engine path, no channel). Printed:
the import's duration and the operators' reply times (p50, p95, p99, max) before the import
(baseline) and while it runs.

    .venv/bin/python -m bench.import_load [--rows 300000] [--operators 20] [--db URL]
    .venv/bin/python -m bench.import_load --inline     # the old way, for comparison

``--inline`` runs the import as it ran before issue 18: inside the document's unit of work (on
SQLite on the database thread, holding the single writer lock to the end). With a PostgreSQL
``--db`` the database's public schema is dropped first: its name must contain "bench" or "test".
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.database import is_postgres, reset_postgres
from bot.demo import seed
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.messages import Channel, Inbound, InboundKind, Reply
from handlers.ports import SystemClock
from handlers.registers.importer import ImportLimits, import_register
from storage.db import Database, UnitOfWork
from storage.migrate import upgrade

VILLAGE = "18.04.19.2006"
HEADER = ["NO_KK", "NIK", "NAMA", "HUBUNGAN", "JK", "TGL_LAHIR", "ALAMAT", "RT", "RW"]
FAMILY = 4  # people per family
SERIALS = 9000  # serial numbers per birth date (NIK) or issue date (No. KK)
# One pass through verifikasi_keluarga after the household is chosen; "batal" + "ya" ends it.
ANSWERS = ["ditemukan", "tetap", "tetap", "tetap", "ya", "lewati", "lewati", "ringkasan"]


def _date(index: int) -> str:
    """A valid DDMMYY for ``index`` (0 .. 335): days 1-28 of the months of 1980."""
    return f"{index % 28 + 1:02d}{index // 28 + 1:02d}80"


def write_register(path: Path, rows: int) -> Path:
    """A register of ``rows`` people, ``FAMILY`` per No. KK, every NIK and KK format-valid."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("DTKS")
    sheet.append(HEADER)
    for person in range(rows):
        family, position = divmod(person, FAMILY)
        no_kk = f"180419{_date(family // SERIALS)}{family % SERIALS + 1:04d}"
        nik = f"180419{_date(person // SERIALS)}{person % SERIALS + 1:04d}"
        relation = "Kepala keluarga" if position == 0 else "Anak"
        born = f"{nik[6:8]}-{nik[8:10]}-1980"
        sheet.append(
            [no_kk, nik, f"Warga Bench {person}", relation, "L", born, "Dusun II", "001", "002"]
        )
    workbook.save(path)
    return path


async def run(
    url: str, register: Path, operators: int, pause: float, inline: bool
) -> dict[str, Any]:
    if is_postgres(url):
        await reset_postgres(url)
    await upgrade(url)
    async with Database(url) as db:
        now = datetime.now(UTC)
        await seed(db, now, Options().consent_version)  # accepted: no re-consent first
        async with db.unit_of_work() as uow:
            for i in range(operators):
                await uow.invites.create(f"KWL-B{i:05d}", "operator", VILLAGE, None, now)
        kawal = Kawal(db, builtin_forms(), SystemClock())
        ids = itertools.count()
        latencies: list[float] = []

        async def say(user: str, kind: InboundKind, **fields: Any) -> Reply:
            inbound = Inbound(Channel.CONSOLE, user, str(next(ids)), kind, **fields)
            start = time.perf_counter()
            reply = await kawal.handle(inbound)
            latencies.append(time.perf_counter() - start)
            return reply

        async def register_operator(i: int) -> None:
            user = f"op{i}"
            await say(user, InboundKind.COMMAND, command="start", args=f"KWL-B{i:05d}")
            await say(user, InboundKind.CHOICE, payload="consent:yes")
            await say(user, InboundKind.TEXT, text=f"Operator {i}")

        async def operator(i: int, stop: asyncio.Event) -> None:
            user = f"op{i}"
            while not stop.is_set():
                script = ["Agus Hidayat", "1", *ANSWERS, "batal", "ya"]
                await say(user, InboundKind.CHOICE, payload="m:verify")
                for text in script:
                    await asyncio.sleep(pause)
                    await say(user, InboundKind.TEXT, text=text)
                    if stop.is_set():
                        break

        async def measure(seconds: float | None, work: Any = None) -> tuple[list[float], float]:
            latencies.clear()
            stop = asyncio.Event()
            tasks = [asyncio.create_task(operator(i, stop)) for i in range(operators)]
            start = time.perf_counter()
            if work is None:
                await asyncio.sleep(seconds or 0)
            else:
                await work()
            took = time.perf_counter() - start
            stop.set()
            await asyncio.gather(*tasks)
            return list(latencies), took

        await asyncio.gather(*(register_operator(i) for i in range(operators)))
        baseline, _ = await measure(20.0)
        result: dict[str, Any] = {}

        async def import_through_chat() -> None:
            document = Inbound(
                Channel.CONSOLE,
                "demo-dinsos",
                "import-1",
                InboundKind.DOCUMENT,
                text=VILLAGE,
                media_ref=str(register),
                file_name=register.name,
            )
            reply = await kawal.handle(document)
            result["reply"] = " ".join(getattr(m, "text", "") for m in reply.messages)[:160]

        async def import_the_old_way() -> None:
            async def work(uow: UnitOfWork) -> str:
                report = await import_register(
                    uow, register, VILLAGE, now, limits=ImportLimits(max_rows=10**7)
                )
                return report.text()[:160]

            result["reply"] = await db.run(work, offload=True)

        during, took = await measure(None, import_the_old_way if inline else import_through_chat)

    def summary(values: list[float]) -> dict[str, float]:
        values = sorted(values)
        n = len(values)
        if n == 0:  # the import ended before any answer (refused, or very small)
            return {"answers": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
        return {
            "answers": n,
            "p50_ms": 1000 * statistics.median(values),
            "p95_ms": 1000 * values[int(n * 0.95) - 1],
            "p99_ms": 1000 * values[int(n * 0.99) - 1],
            "max_ms": 1000 * values[-1],
        }

    return {
        "import_s": took,
        "reply": result.get("reply", ""),
        "baseline": summary(baseline),
        "during_import": summary(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--operators", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.25, help="seconds between answers")
    parser.add_argument("--inline", action="store_true", help="import inside the unit of work")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--register", type=Path, help="where the generated XLSX is kept")
    args = parser.parse_args()
    register = args.register or Path(tempfile.gettempdir()) / f"kawal-bench-{args.rows}.xlsx"
    if not register.exists():
        started = time.perf_counter()
        write_register(register, args.rows)
        print(f"wrote {register} in {time.perf_counter() - started:.1f} s")
    print(f"register: {register.stat().st_size / 2**20:.1f} MB, {args.rows:,} rows")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        result = asyncio.run(run(url, register, args.operators, args.pause, args.inline))
    print(f"import: {result['import_s']:.1f} s -> {result['reply']}")
    for phase in ("baseline", "during_import"):
        shown = ", ".join(f"{k} {v:,.1f}" for k, v in result[phase].items())
        print(f"{phase:>14}: {shown}")


if __name__ == "__main__":
    main()
