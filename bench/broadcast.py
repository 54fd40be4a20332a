"""Broadcast benchmark: one Dinsos announcement to N operators through the real outbox sender.

The bot runs as in production, in its own process (``python -m bot run``), against the lean
fake Bot API (:mod:`bench.botapi`) with Telegram's flood control switched on: at most
``--server-limit`` messages in any sliding second (Telegram: about 30) and one per second per
chat, a 429 with ``retry_after`` beyond that. The announcement is created the way ``kawal
announce`` creates it (one outbox row per recipient, in one transaction) before the bot starts;
the bot sends it at ``TELEGRAM_GLOBAL_RATE`` (``--rate``, Kawal's default 25/s).

Reported: the achieved send rate against the configured one (goal >= 95 %), the 429s provoked,
the most messages in any sliding second, the time to fan the announcement out into the
outbox, and the bot process's CPU per message and peak memory. Every recipient must have been
sent the announcement exactly once and every outbox row recorded as sent, or the run fails.

    python -m bench.broadcast                                   # 10,000 recipients at 25/s (~7 min)
    python -m bench.broadcast --recipients 2000 --rate 250 --server-limit 300
    python -m bench.broadcast --rate 40                         # above Telegram's limit: 429s
    python -m bench.broadcast --db postgresql+asyncpg://postgres@127.0.0.1/bench

A PostgreSQL database given with ``--db`` is emptied first (schema ``public`` dropped), so its name
must contain "bench" or "test".
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench.botapi import FakeBotApi, FloodLimits
from bench.database import reset_postgres
from bench.load_bots import TOKEN, free_port, spawn
from bench.load_report import describe_machine
from bench.procstat import cpu_seconds, machine_busy_seconds, peak_rss_mb
from bench.register import add_recipients

FIRST_CHAT = 20_000_000
KABUPATEN = "18.04"  # Kab. Lampung Barat: 15 kecamatan, 136 pekon and kelurahan
TEXT = (
    "SIKS-NG versi 2.4: menu Usulan Baru pindah ke halaman depan, data PBI-JK ditarik "
    "tanggal 18. Tekan tombol di bawah setelah membaca."
)


@dataclass
class Outcome:
    recipients: int
    configured_rate: float
    server_limit: float
    db: str
    fan_out_s: float
    duration_s: float
    achieved_rate: float
    ratio: float
    refused_429: int
    max_in_any_second: int
    cpu_ms_per_message: float
    peak_rss_mb: float
    other_processes_cores: float
    problems: list[str]


async def prepare(url: str, recipients: int) -> tuple[int, float]:
    """A migrated database with the kabupaten, ``recipients`` operators spread over its
    villages and the announcement to all of them; (its id, seconds the fan-out took)."""
    from bot.regions import load_regions
    from handlers.announcements import model as announcements
    from handlers.kit.timing import QuietHours
    from storage.db import Database
    from storage.migrate import upgrade

    if make_url(url).get_backend_name() == "postgresql":
        await reset_postgres(url)
    await upgrade(url)
    now = datetime.now(UTC)
    async with Database(url) as db:
        async with db.unit_of_work() as uow:
            await load_regions(uow, KABUPATEN)
            villages = [r.code for r in await uow.regions.within(KABUPATEN) if r.level == 4]
            await add_recipients(uow, recipients, first_chat=FIRST_CHAT, villages=villages, now=now)
        draft = announcements.Draft(TEXT, (KABUPATEN,), ("operator",), nudge_after_hours=0)
        started = time.perf_counter()
        async with db.unit_of_work() as uow:
            announcement_id = await announcements.create(
                uow, draft, by=None, channel="cli", now=now, quiet=QuietHours.parse("off")
            )
        return announcement_id, time.perf_counter() - started


async def outbox_statuses(url: str, campaign: str) -> Counter[str]:
    from storage.db import Database
    from storage.models import OutboxMessage

    async with Database(url) as db, db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign == campaign)
            .group_by(OutboxMessage.status)
        )
        return Counter({str(status): int(count) for status, count in rows})


def max_in_any_second(times: Sequence[float]) -> int:
    """The most instants of ``times`` (sorted) inside any half-open window of one second."""
    best = 0
    for index, start in enumerate(times):
        best = max(best, bisect.bisect_left(times, start + 1.0, lo=index) - index)
    return best


def _env(args: argparse.Namespace, url: str, api: str, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env.update(
        PYTHONPATH=str(Path(__file__).resolve().parents[1]),
        KAWAL_DATABASE_URL=url,
        KAWAL_HTTP_HOST="127.0.0.1",
        KAWAL_HTTP_PORT=str(free_port()),
        KAWAL_LOG_FILE=str(work / "bot.log"),
        KAWAL_DATA_DIR=str(work / "data"),
        KAWAL_QUIET_HOURS="off",  # the benchmark may run at any hour
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api,
        TELEGRAM_GLOBAL_RATE=str(args.rate),
    )
    return env


async def run(args: argparse.Namespace, db: str, work: Path) -> Outcome:
    url = db if db != "sqlite" else f"sqlite+aiosqlite:///{work / 'kawal.db'}"
    label = make_url(url).get_backend_name()
    announcement_id, fan_out = await prepare(url, args.recipients)
    api = FakeBotApi(TOKEN, limits=FloodLimits(per_second=args.server_limit))
    await api.start()
    process = spawn(
        [sys.executable, "-m", "bot", "run"],
        _env(args, url, api.base_url, work),
        work,
        work / "bot.out",
    )
    problems: list[str] = []
    try:
        deadline = time.monotonic() + args.recipients / args.rate * 2 + 120
        first: tuple[int, float, float, float] | None = None  # sent, CPU, machine busy, wall
        while len(api.sent_at) < args.recipients:
            if process.poll() is not None:
                raise RuntimeError(f"the bot exited with {process.returncode}; see {work}")
            if time.monotonic() > deadline:
                problems.append(f"only {len(api.sent_at)} of {args.recipients} sent in time")
                break
            if first is None and api.sent_at:  # start-up (imports, migrations) not counted
                first = (
                    len(api.sent_at),
                    cpu_seconds(process.pid),
                    machine_busy_seconds(),
                    time.monotonic(),
                )
            await asyncio.sleep(0.05)
        sent0, cpu0, busy0, wall0 = first or (0, 0.0, machine_busy_seconds(), time.monotonic())
        cpu = cpu_seconds(process.pid) - cpu0
        rss = peak_rss_mb(process.pid)
        busy = machine_busy_seconds() - busy0 - cpu
        wall = time.monotonic() - wall0
        measured = len(api.sent_at) - sent0
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            problems.append("the bot did not stop within 60 s of SIGTERM")
        await api.close()
    times = api.sent_at
    duration = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / duration if duration else 0.0
    copies = Counter(chat.chat_id for chat in api.chats.values() for _ in range(chat.replies))
    if len(copies) != args.recipients or set(copies.values()) != {1}:
        twice = sum(1 for n in copies.values() if n > 1)
        problems.append(f"{len(copies)} chats reached, {twice} of them more than once")
    statuses = await outbox_statuses(url, f"announcement:{announcement_id}")
    if statuses != Counter({"sent": args.recipients}):
        problems.append(f"outbox rows: {dict(statuses)}")
    return Outcome(
        recipients=args.recipients,
        configured_rate=args.rate,
        server_limit=args.server_limit,
        db=label,
        fan_out_s=round(fan_out, 2),
        duration_s=round(duration, 1),
        achieved_rate=round(achieved, 2),
        ratio=round(achieved / args.rate, 4),
        refused_429=len(api.refused_at),
        max_in_any_second=max_in_any_second(times),
        cpu_ms_per_message=round(cpu * 1000 / max(1, measured), 2),
        peak_rss_mb=round(rss, 1),
        other_processes_cores=round(max(0.0, busy) / wall, 2) if wall else 0.0,
        problems=problems,
    )


def report(outcome: Outcome) -> list[str]:
    o = outcome
    verdict = "PASS" if o.ratio >= 0.95 else "MISS"
    return [
        f"{o.recipients:,} recipients, {o.db}: announcement fanned out into the outbox in "
        f"{o.fan_out_s:.2f} s",
        f"sent in {o.duration_s:,.1f} s: {o.achieved_rate:.2f} messages/s against the configured "
        f"{o.configured_rate:g}/s = {o.ratio:.1%} ({verdict}, goal >= 95 %)",
        f"flood limit of the fake Telegram {o.server_limit:g}/s: {o.refused_429} x 429 provoked; "
        f"at most {o.max_in_any_second} messages in any second",
        f"bot process: {o.cpu_ms_per_message:.2f} ms CPU per message, peak RSS "
        f"{o.peak_rss_mb:.0f} MB; other processes used {o.other_processes_cores:.2f} cores",
        *(f"PROBLEM: {p}" for p in o.problems),
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0, help="TELEGRAM_GLOBAL_RATE")
    parser.add_argument(
        "--server-limit", type=float, default=30.0, help="the fake's flood limit, messages/s"
    )
    parser.add_argument(
        "--db", action="append", help="'sqlite' (a fresh file) or a PostgreSQL URL; repeatable"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    args.db = args.db or ["sqlite"]
    return args


async def main_async(args: argparse.Namespace) -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="kawal-broadcast-") as tmp:
        for index, db in enumerate(args.db):
            work = Path(tmp) / str(index)
            work.mkdir()
            print(f"-- {args.recipients:,} recipients at {args.rate:g}/s on {db} ...", flush=True)
            outcome = await run(args, db, work)
            print("\n".join("   " + line for line in report(outcome)), flush=True)
            outcomes.append(outcome)
    return outcomes


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    outcomes = asyncio.run(main_async(args))
    print(f"\nMachine: {describe_machine()}")
    if args.json:
        payload = {"machine": describe_machine(), "results": [asdict(o) for o in outcomes]}
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    if any(o.problems for o in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
