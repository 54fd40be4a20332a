"""The load benchmark's results (``bench/telegram_load.py``): phases, one run's result, the
Markdown table, the verdicts against the targets and a line about the machine."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BOT_TITLES = {
    "kawal": "Kawal",
    "echo": "aiogram echo (floor)",
    "ptb": "PTB ConversationHandler + PicklePersistence",
}


@dataclass
class Phase:
    answers: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p) - 1))]


@dataclass
class Result:
    bot: str
    db: str
    mode: str
    operators: int
    latency_operators: int
    throughput: Phase
    latency: Phase
    peak_rss_mb: float
    replies_per_round: list[int]
    harness_cpu_share: float  # the load generator's CPU over the throughput phase, in cores
    other_load: float  # CPU used by other processes on the machine meanwhile, in cores
    problems: list[str]

    def summary(self) -> dict[str, Any]:
        t, lat = self.throughput, self.latency
        return {
            "bot": self.bot,
            "db": self.db,
            "mode": self.mode,
            "operators": self.operators,
            "answers": t.answers,
            "answers_per_s": round(t.rate, 1),
            "cpu_ms_per_answer": round(1000 * t.cpu_seconds / t.answers, 3) if t.answers else None,
            "saturated_p50_ms": round(t.percentile(0.5), 1),
            "saturated_p99_ms": round(t.percentile(0.99), 1),
            "latency_operators": self.latency_operators,
            "latency_answers": lat.answers,
            "latency_answers_per_s": round(lat.rate, 1),
            "p50_ms": round(lat.percentile(0.5), 2),
            "p95_ms": round(lat.percentile(0.95), 2),
            "p99_ms": round(lat.percentile(0.99), 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "harness_cpu_cores": round(self.harness_cpu_share, 2),
            "other_processes_cpu_cores": round(self.other_load, 2),
            "problems": self.problems,
        }


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def table(results: Sequence[Result]) -> str:
    head = (
        "| bot | db | mode | answers/s | CPU ms/answer | p50 ms | p95 ms | p99 ms "
        "| saturated p50/p99 ms | peak RSS MB |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for r in results:
        t, lat = r.throughput, r.latency
        cpu = 1000 * t.cpu_seconds / t.answers if t.answers else float("nan")
        rows.append(
            f"| {BOT_TITLES[r.bot]} | {r.db} | {r.mode} | {t.rate:,.0f} | {cpu:.2f} "
            f"| {_ms(lat.percentile(0.5))} | {_ms(lat.percentile(0.95))} "
            f"| {_ms(lat.percentile(0.99))} "
            f"| {_ms(t.percentile(0.5))} / {_ms(t.percentile(0.99))} | {r.peak_rss_mb:.0f} |"
        )
    return "\n".join([head, *rows])


def verdicts(results: Sequence[Result], args: argparse.Namespace) -> list[str]:
    lines = []
    by = {(r.bot, r.db, r.mode): r for r in results}
    for r in results:
        if r.bot != "kawal":
            continue
        rate = r.throughput.rate
        label = f"Kawal {r.db} {r.mode}"
        echo = by.get(("echo", "-", r.mode))
        ptb = by.get(("ptb", "-", r.mode))
        if echo is not None:
            ratio = rate / echo.throughput.rate
            lines.append(_check(f"{label}: {ratio:.2f}x the echo floor", ratio >= 0.5, ">= 0.5x"))
        if ptb is not None:
            ratio = rate / ptb.throughput.rate
            lines.append(_check(f"{label}: {ratio:.1f}x the PTB bot", ratio >= 3, ">= 3x"))
        if r.db == "sqlite":
            lines.append(_check(f"{label}: {rate:,.0f} answers/s", rate >= 1000, ">= 1,000/s"))
        lines += _against_one_process(r, by)
        p99 = r.latency.percentile(0.99)
        limit = 50 if r.db == "sqlite" else 100  # PostgreSQL's server shares the machine
        lines.append(
            _check(
                f"{label}: p99 {p99:.1f} ms at {r.latency_operators} operators",
                p99 < limit,
                f"< {limit} ms",
            )
        )
    return lines


def _cpu_ms(r: Result) -> float:
    t = r.throughput
    return 1000 * t.cpu_seconds / t.answers if t.answers else float("nan")


def _against_one_process(r: Result, by: dict[tuple[str, str, str], Result]) -> list[str]:
    """PostgreSQL against SQLite (CPU per answer of the bot), several processes against one."""
    lines = []
    label = f"Kawal {r.db} {r.mode}"
    mode, _, several = r.mode.partition(" x")
    sqlite = by.get(("kawal", "sqlite", mode))
    if r.db == "postgresql" and sqlite is not None and not several:
        ratio = _cpu_ms(r) / _cpu_ms(sqlite)
        lines.append(
            _check(f"{label}: CPU per answer {ratio:.2f}x SQLite's", ratio <= 1.3, "<= 1.3x")
        )
    one = by.get(("kawal", r.db, mode))
    if several and one is not None:
        rate = r.throughput.rate / one.throughput.rate
        cpu = _cpu_ms(r) / _cpu_ms(one)
        lines.append(
            f"INFO  {label}: {rate:.2f}x the answers/s of one process, CPU per answer "
            f"{cpu:.2f}x (summed over the processes)"
        )
    return lines


def _check(what: str, ok: bool, target: str) -> str:
    return f"{'PASS' if ok else 'MISS'}  {what} (target {target})"


def describe_machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}, "
        f"{datetime.now(UTC):%Y-%m-%d}"
    )
