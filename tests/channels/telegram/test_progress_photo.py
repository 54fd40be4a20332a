"""/progres through the real bot and the fake Bot API: the chart goes out with sendPhoto."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from storage.db import Database
from tests.channels.telegram.conftest import Bot, bot_settings
from tests.fakes.telegram_api import FakeTelegram

CHAT = 7301


@pytest.fixture
async def camat_bot(
    tmp_path: Path, fake: FakeTelegram, database: Database, now: datetime
) -> AsyncIterator[Bot]:
    async with database.unit_of_work() as uow:
        await uow.invites.create("KWL-CAMAT1", "camat", "18.04.19", None, now)
    harness = Bot(fake, bot_settings(tmp_path, fake, data_dir=tmp_path / "data"), database)
    try:
        yield harness
    finally:
        await harness.stop()


async def test_camat_progress_arrives_as_text_and_photo(camat_bot: Bot, tmp_path: Path) -> None:
    await camat_bot.start()
    await camat_bot.register(CHAT, "KWL-CAMAT1")
    await camat_bot.press(CHAT, "Progres wilayah")
    text, photo = camat_bot.replies
    assert text.method == "sendMessage" and "📊 Progres Kec. Air Hitam" in text.text
    assert "1. Sri Menanti: 0% (0/30), belum 30" in text.text
    assert photo.method == "sendPhoto"
    [call] = camat_bot.fake.calls("sendPhoto")
    assert call.params["caption"] == "Progres Kec. Air Hitam per desa"
    [png] = (tmp_path / "data" / "charts").glob("progres-18.04.19-*.png")
    assert call.params["photo"] == {"file_name": png.name, "size": png.stat().st_size}
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size < 100_000

    await camat_bot.say(CHAT, "/progres 18.04.07")
    assert "di luar wilayah tugas Anda" in camat_bot.text()
    assert len(camat_bot.fake.calls("sendPhoto")) == 1
