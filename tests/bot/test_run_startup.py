"""`kawal run` starts without the modules only some answers need (charts, workbooks).

What start-up imports stays in the process for good: frozen after start (``settle_heap``),
but still memory the answers' working set is spread over. matplotlib and openpyxl alone add
about 60,000 objects; they are imported when a chart or a workbook is made."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHEN_USED = ("matplotlib", "openpyxl", "PIL", "numpy")

CHILD = """
import json, sys
from bot.cli import app  # the `kawal` command
import bot.run  # what `kawal run` serves with
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))
import matplotlib.figure  # what a chart imports when made: proves the check can see it
charted = sorted({m.split(".")[0] for m in sys.modules} & {"matplotlib"})
print(json.dumps({"loaded": loaded, "charted": charted}))
"""


def test_kawal_run_starts_without_chart_and_workbook_libraries(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env |= {"PYTHONPATH": str(ROOT), "KAWAL_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *WHEN_USED],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"kawal run imports {report['loaded']} at start-up"
    assert report["charted"] == ["matplotlib"]
