"""Starting the bots the load benchmark (``bench/telegram_load.py``) measures: each in its own
process as in production, its database prepared first (with another checkout's code for a
before/after), and waiting until it takes updates."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.botapi import FakeBotApi
from bench.database import reset_postgres
from bench.load_scripts import invite_code
from bench.observe import PROBE
from bench.register import VILLAGE, household

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:BENCH-token-for-the-fake-bot-api"  # noqa: S105  # a fake server's token
SECRET = "bench-webhook-secret-0123456789"  # noqa: S105
WEBHOOK_PATH = "/telegram/webhook"
CONSENT_VERSION = "2026-11"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def db_label(url: str) -> str:
    return "-" if not url else make_url(url).get_backend_name()


def bot_command(
    bot: str,
    mode: str,
    api: str,
    port: int,
    db_url: str,
    work: Path,
    households: int,
    kawal_root: Path = ROOT,
    gc_probe: Path | None = None,
) -> tuple[list[str], dict[str, str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env["PYTHONPATH"] = str(kawal_root if bot == "kawal" else ROOT)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("BENCH_GC_PROBE", None)
    if gc_probe is not None:
        env["PYTHONPATH"] = f"{PROBE}{os.pathsep}{env['PYTHONPATH']}"
        env["BENCH_GC_PROBE"] = str(gc_probe)
    if bot == "kawal":
        env.update(
            KAWAL_DATABASE_URL=db_url,
            KAWAL_HTTP_HOST="127.0.0.1",
            KAWAL_HTTP_PORT=str(port),
            KAWAL_LOG_FILE=str(work / "bot.log"),
            KAWAL_DATA_DIR=str(work / "data"),
            KAWAL_CONSENT_VERSION=CONSENT_VERSION,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=api,
            # The bot, not Telegram's send limits, is measured: no spacing of replies.
            TELEGRAM_CHAT_INTERVAL="0",
            TELEGRAM_GLOBAL_RATE="1000000",
        )
        if mode == "webhook":
            env.update(
                TELEGRAM_WEBHOOK_URL="https://bench.invalid" + WEBHOOK_PATH,
                TELEGRAM_WEBHOOK_SECRET=SECRET,
            )
        # The working directory holds no .env: only the variables above count.
        return [sys.executable, "-m", "bot", "run"], env, work
    module = {"echo": "bench.bots.echo_aiogram", "ptb": "bench.bots.ptb_form"}[bot]
    command = [sys.executable, "-m", module, "--api", api, "--token", TOKEN, "--mode", mode]
    command += ["--port", str(port), "--secret", SECRET]
    if bot == "ptb":
        command += ["--data", str(work), "--households", str(households)]
    return command, env, ROOT


async def prepare_kawal(url: str, operators: int) -> None:
    """A migrated database with the demo data, one household and one invite per operator."""
    from bot.demo import seed
    from storage.db import Database
    from storage.migrate import upgrade

    if make_url(url).get_backend_name() == "postgresql":
        await reset_postgres(url)
    await upgrade(url)
    now = datetime.now(UTC)
    async with Database(url) as db:
        await seed(db, now, CONSENT_VERSION)
        async with db.unit_of_work() as uow:
            for index in range(operators + 1):
                h = household(index)
                household_id = await uow.households.add(
                    VILLAGE, h.head_name, h.no_kk, None, h.address, h.rt, h.rw, now=now
                )
                await uow.households.add_member(
                    household_id, 1, h.head_name, h.nik, "kepala_keluarga", h.sex, h.birth_date
                )
                await uow.invites.create(invite_code(index), "operator", VILLAGE, None, now)


async def prepare_in(kawal_root: Path, url: str, operators: int) -> None:
    """:func:`prepare_kawal` with the code of ``kawal_root`` (another checkout migrates and
    seeds its own schema), in this process when it is this checkout."""
    if kawal_root == ROOT:  # the same checkout
        await prepare_kawal(url, operators)
        return
    code = "import asyncio, sys\ntry:\n    from bench.load_bots import prepare_kawal\n"
    code += "except ImportError:  # a checkout older than bench/load_bots.py\n"
    code += "    from bench.telegram_load import prepare_kawal\n"
    code += "asyncio.run(prepare_kawal(sys.argv[1], int(sys.argv[2])))"
    env = {**os.environ, "PYTHONPATH": str(kawal_root)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, url, str(operators), cwd=kawal_root, env=env
    )
    if await process.wait() != 0:
        raise RuntimeError(f"preparing the database with {kawal_root} failed")


async def wait_ready(
    api: FakeBotApi, mode: str, port: int, process: subprocess.Popen[bytes], wait: float = 60
):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bot process exited with {process.returncode} at start-up")
        if mode == "polling" and api.polls > 0:
            return
        if mode == "webhook" and api.webhook is not None:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                await writer.wait_closed()
                return
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not become ready within 60 s")


def spawn(
    command: list[str], env: dict[str, str], cwd: Path, out: Path, cpu: int | None = None
) -> subprocess.Popen[bytes]:
    """Start the bot; with ``cpu`` it runs on that core only (``--pin``: the load generator
    takes the other one, so the two do not take turns on a core, which spreads the figures)."""
    with out.open("wb") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    if cpu is not None:
        os.sched_setaffinity(process.pid, {cpu})
    return process
