"""What the load benchmark observes of a bot process besides its answers (``telegram_load``):
py-spy profiles (``--profile``), the garbage-collection probe (``--gc-probe``), callgrind's
instruction and cache-miss counts (``--callgrind``), and a noisy neighbour (``--neighbour``)
that puts the machine in the state where another VM on the host takes the L3 cache."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().parent / "probe"  # sitecustomize.py: the --gc-probe


def add_observer_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", type=Path, help="folder for py-spy profiles of the bot (throughput phase)"
    )
    parser.add_argument(
        "--neighbour",
        action="store_true",
        help="run bench.neighbour meanwhile (L3 and memory bandwidth taken, as by another VM)",
    )
    parser.add_argument(
        "--callgrind",
        type=Path,
        help="folder: run the bots under valgrind's callgrind with a cache simulation, counting "
        "the throughput phase only (slow: use few operators)",
    )
    parser.add_argument(
        "--callgrind-ll",
        type=int,
        default=1 << 20,
        help="the simulated last-level cache in bytes (default 1 MiB: the L2 of one core)",
    )
    parser.add_argument(
        "--gc-probe",
        action="store_true",
        help="count and time the bots' garbage collections per generation (throughput phase)",
    )


def profile(pid: int, folder: Path | None, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the bot during the throughput phase (collapsed stacks, all threads)."""
    if folder is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [spy, "record", "--pid", str(pid), "--rate", "500", "--format", "raw"]
    command += ["--nonblocking", "--threads", "-o", str(folder / f"{name}.txt")]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _probe_totals(pid: int, out: Path) -> dict[str, Any]:
    out.unlink(missing_ok=True)
    os.kill(pid, signal.SIGUSR2)
    deadline = time.monotonic() + 10
    while not out.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the bot's gc probe did not answer within 10 s")
        time.sleep(0.01)
    totals: dict[str, Any] = json.loads(out.read_text())
    return totals


async def gc_totals(pid: int, out: Path | None) -> dict[str, Any] | None:
    """The bot's garbage-collection totals so far, from the probe (``--gc-probe``)."""
    return None if out is None else await asyncio.to_thread(_probe_totals, pid, out)


def gc_difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Collections, their seconds and objects collected per generation over a phase."""
    change = {
        key: [a - b for a, b in zip(after[key], before[key], strict=True)]
        for key in ("collections", "seconds", "cpu_seconds", "collected")
    }
    change["tracked"] = [before["tracked"], after["tracked"]]
    change["frozen"] = after["frozen"]
    change["threshold"] = after["threshold"]
    return change


def callgrind_command(args: argparse.Namespace, name: str) -> list[str]:
    """valgrind's callgrind around the bot, counting nothing until the throughput phase: the
    instructions and the simulated cache misses per answer, the same on a busy machine as on
    a quiet one. ``--callgrind-ll`` sets the last-level cache: 1 MiB, this machine's L2 per
    core, is what a bot keeps when a neighbour takes the L3; 32 MiB is the whole L3."""
    args.callgrind.mkdir(parents=True, exist_ok=True)
    return [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--cache-sim=yes",
        "--I1=32768,8,64",
        "--D1=49152,12,64",
        f"--LL={args.callgrind_ll},16,64",
        f"--callgrind-out-file={args.callgrind / name}.%p.out",
    ]


def callgrind_instrument(args: argparse.Namespace, pid: int, on: bool) -> None:
    if args.callgrind is not None:
        switch = ["callgrind_control", "-i", "on" if on else "off", str(pid)]
        subprocess.run(switch, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_neighbour(pin: bool) -> subprocess.Popen[bytes]:
    """``bench.neighbour`` (caches and memory bandwidth taken, as by another VM on the host);
    with ``--pin`` on the load generator's core, so it never takes the bot's core itself."""
    command = [sys.executable, "-m", "bench.neighbour"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    if pin:
        os.sched_setaffinity(process.pid, {1})
    return process


def callgrind_summary(folder: Path, name: str, answers: int) -> str | None:
    """Instructions and last-level cache misses per answer from the newest callgrind file of
    ``name`` (written when the bot exits), or None without one."""
    files = sorted(folder.glob(f"{name}.*.out"), key=lambda f: f.stat().st_mtime)
    if not files or not answers:
        return None
    events: list[str] = []
    totals: list[int] = []
    for line in files[-1].read_text().splitlines():
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith(("totals:", "summary:")) and len(line.split()) > 2:
            totals = [int(v) for v in line.split()[1:]]
    counts = dict(zip(events, totals, strict=False))
    if "Ir" not in counts:
        return None
    misses = sum(counts.get(e, 0) for e in ("ILmr", "DLmr", "DLmw"))
    return (
        f"callgrind: {counts['Ir'] / answers / 1e6:.2f} M instructions and {misses / answers:,.0f} "
        f"last-level misses per answer ({files[-1].name})"
    )
