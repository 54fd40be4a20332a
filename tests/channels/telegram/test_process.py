"""``kawal run`` as a real process: serves Telegram and /healthz, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from storage.db import Database
from tests.conftest import sqlite_url
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_kawal_run_polls_answers_and_stops_on_sigterm(
    tmp_path: Path, fake: FakeTelegram, database: Database
) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env.update(
        KAWAL_DATABASE_URL=sqlite_url(tmp_path),
        KAWAL_HTTP_PORT=str(port),
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        TELEGRAM_CHAT_INTERVAL="0",
        PYTHONPATH=str(ROOT),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_for(lambda: bool(fake.offsets), within=20)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            assert response.status == 200
        update_id = fake.push(fake.text_update(8001, "/start KWL-TGAAAA"))
        await fake.wait_acknowledged(update_id)
        assert "UU PDP" in fake.sent_to(8001)[-1].text
        process.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(process.communicate(), 15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, output.decode()
    assert b"stopping" in output
