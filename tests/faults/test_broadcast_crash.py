"""An announcement to 2,000 operators while ``kawal run`` is killed (SIGKILL) again and again:
after the restarts every recipient has been sent the announcement exactly once, counted from the
fake Bot API's own log of ``sendMessage`` requests.

``kawal run`` is a subprocess against the fake Bot API on loopback, on a SQLite file and, when
configured, on PostgreSQL (where rows are claimed with ``FOR UPDATE SKIP LOCKED``). The kills
come at two kinds of moments, drawn from a seed printed by the test (``KAWAL_CRASH_SEED``
replays one):

* *in flight*: the moment the n-th next ``sendMessage`` reaches the fake server, before it is
  answered. The message has arrived; the bot never learns it did. The worst case for a second
  copy: only the sender's journal knows it went out.
* *at random*: a random delay after the n-th next ``sendMessage`` (claiming rows, recording
  outcomes, between two sends, in the rate limiter's wait).

What is asserted does not depend on the seed.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest

from handlers.announcements import model as announcements
from storage.db import Database
from storage.migrate import upgrade
from tests.faults.broadcastkit import seed_broadcast, status_counts
from tests.faults.crashkit import BotProcess, Progress, RecordingTelegram, kill_at_request
from tests.log_guard import ID_RUN

RECIPIENTS = 2_000
KILLS = 3
FIRST_CHAT = 600_000
KECAMATAN = "18.04.19"  # Air Hitam: its ten villages share the operators
TEXT = "SIKS-NG versi baru: menu Usulan kini di halaman depan. Tekan tombol setelah membaca."


class Sends:
    """The chats of every ``sendMessage`` the fake server received, read off its request log
    as it grows (the waits check it at every request)."""

    def __init__(self, fake: RecordingTelegram) -> None:
        self.fake = fake
        self.chats: list[int] = []
        self._seen = 0

    def __call__(self) -> list[int]:
        requests = self.fake.requests
        for request in requests[self._seen :]:
            if request.method == "sendMessage":
                self.chats.append(int(request.params["chat_id"]))
        self._seen = len(requests)
        return self.chats

    def at_least(self, count: int) -> bool:
        return len(self()) >= count

    def reached_everyone(self) -> bool:
        return len(set(self())) >= RECIPIENTS


@pytest.mark.timeout(600)  # generous: a busy 2-core CI machine; the test is about exactly-once
async def test_sigkill_during_a_broadcast_sends_every_copy_exactly_once(
    db_url: str, tmp_path: Path
) -> None:
    seed_value = int(os.environ.get("KAWAL_CRASH_SEED") or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed_value)
    # Kill points spread over the broadcast: after how many more sends, and how.
    gaps = [rng.randint(150, RECIPIENTS // (KILLS + 1)) for _ in range(KILLS)]
    styles = [
        ("in flight", 0.0) if rng.random() < 0.6 else ("at random", rng.uniform(0, 0.05))
        for _ in range(KILLS)
    ]
    print(f"broadcast crash test: KAWAL_CRASH_SEED={seed_value}, gaps {gaps}, {styles}")

    now = datetime.now(UTC)  # kawal run reads the real clock: the rows must be due already
    await upgrade(db_url)
    progress = Progress()
    async with Database(db_url) as db, RecordingTelegram(progress=progress) as fake:
        announcement_id = await seed_broadcast(
            db, now, kecamatan=KECAMATAN, recipients=RECIPIENTS, first_chat=FIRST_CHAT, text=TEXT
        )
        campaign = announcements.campaign(announcement_id)
        assert await status_counts(db, campaign) == {"pending": RECIPIENTS}

        # Telegram's bulk rate is not what this test is about: send fast, at any hour.
        extra = {"TELEGRAM_GLOBAL_RATE": "500", "KAWAL_QUIET_HOURS": "off"}
        bot = BotProcess(tmp_path, db_url, fake, progress, extra_env=extra)
        sends = Sends(fake)
        kills: list[str] = []
        try:
            await bot.start("polling")
            for gap, (style, delay) in zip(gaps, styles, strict=True):
                before = len(sends())
                if style == "in flight":
                    await kill_at_request(fake, bot, gap, method="sendMessage")
                else:
                    await progress.until(partial(sends.at_least, before + gap), 120)
                    await asyncio.sleep(delay)
                await bot.kill()
                kills.append(f"{style} after {len(sends())} sends")
                await bot.start("polling")
            await progress.until(sends.reached_everyone, 300)
            code = await bot.stop()  # SIGTERM: the last outcomes are recorded
            assert code == 0, "\n".join(bot.log[-40:])
        finally:
            fake.tripwire = None
            await bot.stop()
        print(f"broadcast crash test: kills {kills}")

        # The fake server's log: every chat was sent the announcement once, none twice.
        copies = Counter(sends())
        assert len(copies) == RECIPIENTS
        twice = [chat for chat, n in copies.items() if n != 1]
        assert not twice, f"seed {seed_value}: sent more than once to {twice[:10]}"
        assert set(copies) == {FIRST_CHAT + i for i in range(RECIPIENTS)}
        texts = {r.params["text"] for r in fake.requests if r.method == "sendMessage"}
        assert len(texts) == 1 and TEXT in texts.pop()
        # And the outbox agrees: every row sent, none left in doubt or pending.
        assert await status_counts(db, campaign) == {"sent": RECIPIENTS}
        assert len(kills) == KILLS
        problems = [line for line in bot.log if " ERROR " in line or "Traceback" in line]
        assert not problems, problems[:10]
        assert not any(ID_RUN.search(line) for line in bot.log), "an unmasked NIK/KK in the log"
