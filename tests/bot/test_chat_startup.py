"""`kawal chat` is the terminal channel: it must start without the Telegram framework (or any
HTTP client for Meta) and start quickly, in a fresh process as a person runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_THE_TERMINAL = ("aiogram", "aiohttp", "httpx", "matplotlib")
# CPU seconds (not wall time: the machine is shared) to import the command line: about 1 s on
# the 2-core CI machine.
IMPORT_BUDGET_S = 3.0

CHILD = """
import json, sys, time
started = time.process_time()
from bot.cli import app
imported = time.process_time() - started
db, names = sys.argv[1], set(sys.argv[2:])
sys.argv = ["kawal", "chat", "--db", db]
try:
    app()
except SystemExit as stop:
    assert not stop.code, stop.code
ran = sorted({m.split(".")[0] for m in sys.modules} & names)
import bot.run  # the serving path does load them: proves the check can see them
served = sorted({m.split(".")[0] for m in sys.modules} & {"aiogram", "aiohttp"})
print(json.dumps({"imported_s": imported, "loaded": ran, "served": served}), file=sys.stderr)
"""


def test_kawal_chat_runs_without_aiogram_and_starts_fast(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "kawal.db"
    shutil.copyfile(sqlite_template, database)  # migrated already: the child only checks that
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env |= {"PYTHONPATH": str(ROOT), "KAWAL_DATA_DIR": str(tmp_path / "data")}
    env.pop("WHATSAPP_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(database), *NOT_FOR_THE_TERMINAL],
        cwd=tmp_path,
        env=env,
        input="halo\n",
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    assert "DAFTAR" in done.stdout  # it answered: an unknown person is asked to register
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["loaded"] == [], f"kawal chat imported {report['loaded']}"
    assert report["served"] == ["aiogram", "aiohttp"]
    assert report["imported_s"] < IMPORT_BUDGET_S, report
