"""``kawal run`` as a real process: serves Telegram and /healthz, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from storage.db import Database
from tests.conftest import sqlite_url
from tests.fakes.telegram_api import FakeTelegram

ROOT = Path(__file__).resolve().parents[3]
SERVING = re.compile(rb"HTTP server on (http://\S+)")


async def test_kawal_run_polls_answers_and_stops_on_sigterm(
    tmp_path: Path, fake: FakeTelegram, database: Database
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KAWAL_", "TELEGRAM_"))}
    env.update(
        KAWAL_DATABASE_URL=sqlite_url(tmp_path),
        KAWAL_HTTP_PORT="0",  # the process picks a free port and logs it: no race with others
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
    lines: list[bytes] = []

    async def read() -> None:
        assert process.stdout is not None
        async for line in process.stdout:
            lines.append(line)

    reader = asyncio.create_task(read())
    try:
        await fake.wait_for(  # within a minute: the machine may be busy
            lambda: bool(fake.offsets) and any(SERVING.search(line) for line in lines), within=60
        )
        [url] = [m.group(1).decode() for line in lines if (m := SERVING.search(line))]
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url}/healthz") as response,
        ):
            assert response.status == 200
        update_id = fake.push(fake.text_update(8001, "/start KWL-TGAAAA"))
        await fake.wait_acknowledged(update_id)
        assert "UU PDP" in fake.sent_to(8001)[-1].text
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)
        await reader
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        reader.cancel()
    output = b"".join(lines)
    assert process.returncode == 0, output.decode()
    assert b"stopping" in output
