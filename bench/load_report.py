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

from bench.procstat import Counters

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
    used: Counters | None = None  # what the bot process used over the phase
    steal_seconds: float = 0.0  # CPU the hypervisor took from the machine's cores meanwhile
    neighbour_seconds: float = 0.0  # CPU of bench.neighbour meanwhile (--neighbour)
    gc: dict[str, Any] | None = None  # the bot's collections over the phase (--gc-probe)

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
            "steal_cores": round(t.steal_seconds / t.seconds, 3) if t.seconds else None,
            "neighbour_cores": round(t.neighbour_seconds / t.seconds, 2) if t.seconds else None,
            "per_answer": self.per_answer(),
            "gc": t.gc,
            "problems": self.problems,
        }

    def per_answer(self) -> dict[str, float] | None:
        """The bot's user and system CPU (ms), page faults and context switches per answer."""
        t = self.throughput
        if t.used is None or not t.answers:
            return None
        u, n = t.used, t.answers
        return {
            "user_ms": round(1000 * u.user / n, 3),
            "system_ms": round(1000 * u.system / n, 3),
            "minor_faults": round(u.minor_faults / n, 2),
            "major_faults": round(u.major_faults / n, 3),
            "voluntary_switches": round(u.voluntary_switches / n, 2),
            "involuntary_switches": round(u.involuntary_switches / n, 2),
        }

    def details(self) -> list[str]:
        """Lines under the run's summary: where the bot's CPU per answer went."""
        lines = []
        t, each = self.throughput, self.per_answer()
        if each is not None:
            steal = t.steal_seconds / t.seconds if t.seconds else 0.0
            lines.append(
                f"per answer: user {each['user_ms']:.3f} ms, system {each['system_ms']:.3f} ms, "
                f"{each['minor_faults']:.1f} page faults, {each['voluntary_switches']:.2f} + "
                f"{each['involuntary_switches']:.2f} context switches; steal {steal:.3f} cores"
                + (
                    f"; neighbour {t.neighbour_seconds / t.seconds:.2f} cores"
                    if t.neighbour_seconds
                    else ""
                )
            )
        if t.gc is not None and t.answers:
            g = t.gc
            per_gen = ", ".join(
                f"gen {i} {count} x {1000 * secs / max(count, 1):.2f} ms"
                for i, (count, secs) in enumerate(
                    zip(g["collections"], g["cpu_seconds"], strict=True)
                )
            )
            share = sum(g["cpu_seconds"]) / t.cpu_seconds if t.cpu_seconds else 0.0
            per_answer = 1000 * sum(g["cpu_seconds"]) / t.answers
            lines.append(
                f"gc (CPU): {per_gen}; {per_answer:.3f} ms per answer "
                f"({share:.1%} of the CPU); tracked objects {g['tracked'][0]:,} -> "
                f"{g['tracked'][1]:,}, frozen {g['frozen']:,}, threshold {g['threshold']}"
            )
        return lines


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


def _cpu_identity() -> str:
    """Model name with family / model / stepping and the L2 / L3 sizes. A cloud VM may show
    only "AMD EPYC": the family and model tell the host's generation apart (26 = Zen 5), and
    the L3 is what a neighbour on the same host competes for."""
    fields: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
            if not line.strip():
                break  # the first core is enough
    caches = []
    with contextlib.suppress(OSError, ValueError):
        for index in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
            level = int((index / "level").read_text())
            if level >= 2:
                caches.append(f"L{level} {(index / 'size').read_text().strip()}")
    identity = fields.get("model name", "unknown CPU")
    if "cpu family" in fields:
        identity += (
            f", family {fields['cpu family']} model {fields.get('model', '?')} "
            f"stepping {fields.get('stepping', '?')}"
        )
    return ", ".join([identity, *caches])


def describe_machine() -> str:
    return (
        f"{os.cpu_count()} cores ({_cpu_identity()}), Linux {os.uname().release}, "
        f"Python {sys.version.split()[0]}, {datetime.now(UTC):%Y-%m-%d}"
    )
