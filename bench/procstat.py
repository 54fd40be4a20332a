"""CPU time, faults and peak memory of another process, the machine's CPU: /proc (Linux)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Counters:
    """What a process used so far (all its threads). Differences of two samples tell what a
    phase cost: user and system CPU apart (a machine where system calls or page faults are dear
    moves the second), page faults (each a trap to the kernel, and on a virtual machine possibly
    to the hypervisor), context switches."""

    user: float  # CPU seconds in user mode
    system: float  # CPU seconds in the kernel
    minor_faults: int
    major_faults: int
    voluntary_switches: int
    involuntary_switches: int

    def __sub__(self, other: Counters) -> Counters:
        return Counters(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(Counters)))

    def __add__(self, other: Counters) -> Counters:
        return Counters(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Counters)))


def counters(pid: int) -> Counters:
    stat = Path(f"/proc/{pid}/stat").read_text()
    f = stat.rsplit(")", 1)[1].split()  # f[0] is field 3 (state) of proc(5)
    switches = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if "ctxt_switches:" in line:
            name, value = line.split(":")
            switches[name] = int(value)
    return Counters(
        user=int(f[11]) / _TICKS,
        system=int(f[12]) / _TICKS,
        minor_faults=int(f[7]),
        major_faults=int(f[9]),
        voluntary_switches=switches.get("voluntary_ctxt_switches", 0),
        involuntary_switches=switches.get("nonvoluntary_ctxt_switches", 0),
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process (all its threads) used so far."""
    sample = counters(pid)
    return sample.user + sample.system


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")


def _machine() -> list[int]:
    return [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine spent busy so far (not idle, not waiting on I/O)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = _machine()
    return (user + nice + system + irq + softirq + steal) / _TICKS


def machine_steal_seconds() -> float:
    """CPU seconds the hypervisor gave the machine's virtual cores to someone else so far."""
    return _machine()[7] / _TICKS
