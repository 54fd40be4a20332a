"""Two ``kawal run`` processes send one announcement together on PostgreSQL, against a fake
Bot API with Telegram's flood control (at most 30 messages in any sliding second, else 429
with ``retry_after``).

Rows are claimed with ``FOR UPDATE SKIP LOCKED``, so the two senders share the work. Each
process's ``TELEGRAM_GLOBAL_RATE`` is its share of the bot's rate (docs/scaling.md): with
12/s each they keep under the platform's 30/s without a single 429. Given the whole rate each
(25/s, together above 30/s) Telegram refuses some; the senders wait ``retry_after`` and
still send every copy exactly once.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bench.botapi import FloodLimits, HttpError
from bench.broadcast import max_in_any_second
from handlers.announcements import model as announcements
from storage.db import Database
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.faults.broadcastkit import seed_broadcast, status_counts
from tests.faults.crashkit import BotProcess, Progress, RecordingTelegram

RECIPIENTS = 300
FIRST_CHAT = 700_000
KECAMATAN = "18.04.19"
TEXT = "Batas pengiriman data DTSEN bulan ini tanggal 17. Tekan tombol setelah membaca."
PLATFORM_LIMIT = 30


class FloodedTelegram(RecordingTelegram):
    """The recording fake, refusing ``sendMessage`` beyond Telegram's flood limits."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limits = FloodLimits(per_second=PLATFORM_LIMIT, per_chat=1.0, retry_after=1)
        self.sent_at: list[float] = []
        self.delivered_to: list[int] = []
        self.refused = 0

    async def _dispatch(self, request: web.Request) -> Any:
        if request.match_info["method"] == "sendMessage":
            chat = int((await request.post())["chat_id"])  # type: ignore[arg-type]
            now = time.monotonic()
            try:
                self.limits.check(chat, now)
            except HttpError:
                self.refused += 1
                self.fail_next("sendMessage", status=429, retry_after=1)
            else:
                self.sent_at.append(now)
                self.delivered_to.append(chat)
        return await super()._dispatch(request)


async def _claimers(db: Database) -> set[str]:
    async with db.unit_of_work() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage.claimed_by).where(OutboxMessage.claimed_by.is_not(None)).distinct()
        )
        return {str(worker) for worker in rows}


async def _broadcast(db_url: str, tmp_path: Path, rate: int) -> tuple[FloodedTelegram, set[str]]:
    """Two processes send the announcement at ``rate`` each; the fake and the workers seen
    claiming rows."""
    await upgrade(db_url)
    progress = Progress()
    async with Database(db_url) as db, FloodedTelegram(progress=progress) as fake:
        announcement_id = await seed_broadcast(  # kawal run reads the real clock
            db,
            datetime.now(UTC),
            kecamatan=KECAMATAN,
            recipients=RECIPIENTS,
            first_chat=FIRST_CHAT,
            text=TEXT,
        )
        campaign = announcements.campaign(announcement_id)
        shared = tmp_path / "data"  # one data directory: distinct journal slots per process
        extra = {
            "TELEGRAM_GLOBAL_RATE": str(rate),
            "KAWAL_QUIET_HOURS": "off",
            "KAWAL_DATA_DIR": str(shared),
        }
        bots = [
            BotProcess(tmp_path / f"p{n}", db_url, fake, progress, extra_env=extra)
            for n in range(2)
        ]
        workers: set[str] = set()
        try:
            for bot in bots:
                bot.workdir.mkdir()
            await asyncio.gather(*(bot.start("webhook") for bot in bots))
            deadline = time.monotonic() + 120
            while len(set(fake.delivered_to)) < RECIPIENTS and time.monotonic() < deadline:
                workers |= await _claimers(db)
                await asyncio.sleep(0.1)
            for bot in bots:
                assert await bot.stop() == 0, "\n".join(bot.log[-40:])
        finally:
            for bot in bots:
                await bot.stop()
        assert await status_counts(db, campaign) == {"sent": RECIPIENTS}
        for bot in bots:
            problems = [line for line in bot.log if " ERROR " in line or "Traceback" in line]
            assert not problems, problems[:10]
    return fake, workers


def _exactly_once(fake: FloodedTelegram) -> None:
    copies = Counter(fake.delivered_to)
    assert set(copies) == {FIRST_CHAT + i for i in range(RECIPIENTS)}
    assert [chat for chat, n in copies.items() if n != 1] == []


@pytest.mark.timeout(300)
async def test_two_senders_with_their_share_keep_the_platform_rate(
    db_url: str, tmp_path: Path
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several senders on one database: PostgreSQL")
    fake, workers = await _broadcast(db_url, tmp_path, rate=12)
    _exactly_once(fake)
    assert len(workers) == 2  # both processes claimed rows
    assert fake.refused == 0
    assert max_in_any_second(sorted(fake.sent_at)) <= PLATFORM_LIMIT
    seconds = fake.sent_at[-1] - fake.sent_at[0]
    # together near their two shares (12/s alone would take twice as long); generous for a
    # busy two-core machine
    assert RECIPIENTS / seconds >= 0.7 * 24


@pytest.mark.timeout(300)
async def test_two_senders_above_the_platform_rate_still_send_once(
    db_url: str, tmp_path: Path
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("several senders on one database: PostgreSQL")
    fake, workers = await _broadcast(db_url, tmp_path, rate=25)
    _exactly_once(fake)
    assert len(workers) == 2
    assert fake.refused > 0  # 50/s asked of a 30/s platform: Telegram said "retry after"
    assert max_in_any_second(sorted(fake.sent_at)) <= PLATFORM_LIMIT
