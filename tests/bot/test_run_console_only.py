"""``kawal run`` with no chat channel configured (issue 19): it serves the web console and
/healthz on loopback, logs one line saying why and how to add a channel, runs housekeeping
only and starts no outbox sender (what the console queues waits for a channel)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from bot import demo
from bot.run import start
from bot.settings import Settings
from bot.web.serve import login_link
from handlers.ports import FixedClock
from storage.db import Database


async def test_run_without_a_channel_serves_the_console(
    tmp_path: Path, now: datetime, sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.conftest import copy_sqlite_template

    url = copy_sqlite_template(sqlite_template, tmp_path)
    async with Database(url) as db:
        await demo.seed(db, now, "2026-11")
    settings = Settings(
        _env_file=None,
        database_url=url,
        http_host="127.0.0.1",
        http_port=0,
        data_dir=tmp_path / "data",
    )
    assert settings.telegram_bot_token is None and not settings.whatsapp_enabled
    clock = FixedClock(now)
    with caplog.at_level(logging.INFO, logger="bot.run"):
        service = await start(settings, clock=clock)
    try:
        base = service.base_url
        assert service.telegram is None and service.whatsapp is None and service.outbox is None
        assert service.ticker is not None
        assert [job.id for job in service.ticker.jobs] == ["housekeeping"]
        [notice] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert f"{base}/konsol/" in notice and "TELEGRAM_BOT_TOKEN" in notice
        assert "\n" not in notice and "kawal run" in notice

        _, link = await login_link(service.db, "demo-dinsos", base, clock)
        jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies of an IP address (loopback)
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            async with http.get(f"{base}/healthz") as health:
                assert health.status == 200
            async with http.post(link, allow_redirects=False) as opened:
                assert opened.status == 303
            async with http.get(f"{base}/konsol/progres/18.04") as progress:
                assert progress.status == 200
                assert "Air Hitam" in await progress.text()
    finally:
        await service.stop()
