"""Garbage-collection probe for a benchmarked bot process (``telegram_load --gc-probe``).

Python imports ``sitecustomize`` at start-up from the path; the harness puts this folder first on
the bot's ``PYTHONPATH`` and names a file in ``BENCH_GC_PROBE``. From then on every collection is
counted and timed per generation (``gc.callbacks``; wall-clock seconds, and the collecting
thread's CPU seconds, which other processes on the machine do not inflate), and on ``SIGUSR2``
the totals so far are written to that file (JSON) with the objects the collector tracks (frozen
ones apart). Kawal's code is not changed, so an older checkout (``--kawal-root``) is measured
the same way.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import time
from typing import Any

_OUT = os.environ.get("BENCH_GC_PROBE")


def _install(out: str) -> None:
    totals: dict[str, list[Any]] = {
        "collections": [0, 0, 0],
        "seconds": [0.0, 0.0, 0.0],
        "cpu_seconds": [0.0, 0.0, 0.0],
        "collected": [0, 0, 0],
    }
    started = [0.0, 0.0]

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0], started[1] = time.perf_counter(), time.thread_time()
            return
        generation = info["generation"]
        totals["collections"][generation] += 1
        totals["seconds"][generation] += time.perf_counter() - started[0]
        totals["cpu_seconds"][generation] += time.thread_time() - started[1]
        totals["collected"][generation] += info["collected"]

    def dump(_signum: int, _frame: object) -> None:
        state = {
            **totals,
            "tracked": len(gc.get_objects()),
            "frozen": gc.get_freeze_count(),
            "threshold": list(gc.get_threshold()),
            "enabled": gc.isenabled(),
        }
        with open(out + ".tmp", "w") as file:
            json.dump(state, file)
        os.replace(out + ".tmp", out)

    gc.callbacks.append(on_collection)
    signal.signal(signal.SIGUSR2, dump)


if _OUT:
    _install(_OUT)
