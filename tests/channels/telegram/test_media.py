"""Received photos and documents through the real bot and the fake Bot API: when Kawal wants the
file (a question asks for it, or Dinsos sends a register), it is fetched (getFile, then the file
URL) into data_dir/media/telegram/ before the handlers see it; else it is never fetched and the
handlers say what to do instead."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update

from bot.channels.telegram.parse import MediaMessage, parse, safe_suffix
from bot.channels.telegram.texts import tg
from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.kit.i18n import t
from storage.db import Database
from storage.migrate import upgrade
from tests.channels.telegram.conftest import (
    DEMO_DIR,
    SRI_MENANTI,
    WEBHOOK_SECRET,
    WEBHOOK_URL,
    Bot,
    bot_settings,
)
from tests.fakes.telegram_api import DOWNLOAD_LIMIT, FakeTelegram

REGISTER = Path(__file__).resolve().parents[2] / "data" / "dtks_register_sri_menanti.csv"
CHAT = 7401
TOO_BIG = DOWNLOAD_LIMIT + 1


def _media_dir(bot: Bot) -> Path:
    return bot.settings.data_dir / "media" / "telegram"


def _content(path: str | Path) -> bytes | None:
    """The bytes stored at ``path`` (None if there is no such file)."""
    stored = Path(path)
    return stored.read_bytes() if stored.is_file() else None


def _stored(bot: Bot) -> list[Path]:
    directory = _media_dir(bot)
    return sorted(directory.iterdir()) if directory.exists() else []


# ---- a register over Telegram, on SQLite and PostgreSQL, polling and webhook ---------------


@pytest.fixture
async def any_database(db_url: str, now: datetime) -> AsyncIterator[Database]:
    """The database the bot opens (each backend), seeded like conftest.py, with a Dinsos invite."""
    await upgrade(db_url)
    async with Database(db_url) as db:
        async with db.unit_of_work() as uow:
            await load_regions(uow, "18.04.19")
            await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)
            await uow.invites.create("KWL-TGDINS", "dinsos", "18.04", None, now)
            await uow.invites.create("KWL-TGOPER", "operator", SRI_MENANTI, None, now)
        yield db


@pytest.fixture(params=["polling", "webhook"])
async def any_bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake: FakeTelegram,
    db_url: str,
    any_database: Database,
) -> AsyncIterator[Bot]:
    env: dict[str, Any] = {"database_url": db_url}
    if request.param == "webhook":
        env.update(TELEGRAM_WEBHOOK_URL=WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
    harness = Bot(fake, bot_settings(tmp_path, fake, **env), any_database)
    try:
        yield harness
    finally:
        await harness.stop()


async def test_a_register_sent_as_a_document_is_imported(any_bot: Bot) -> None:
    bot, fake = any_bot, any_bot.fake
    await bot.start()
    await bot.register(CHAT, "KWL-TGDINS")
    content = REGISTER.read_bytes()
    update = fake.document_update(CHAT, "DTKS Sri Menanti.CSV", content, caption="")
    await bot.send(update)
    assert (
        "Impor DTKS Sri Menanti.CSV ke 18.04 berhasil: 84 baris, 0 keluarga baru, "
        "30 keluarga diperbarui"
    ) in bot.text()
    document = update["message"]["document"]
    assert _stored(bot) == []  # issue 18: a register (every NIK of a village) is not kept
    async with bot.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="region")
    assert audit[-1].action == "register.imported"
    assert audit[-1].after["file"] == "DTKS Sri Menanti.CSV"
    stored = Path(audit[-1].after["stored_as"])
    assert stored.name == f"tg-{document['file_unique_id']}.csv" and _content(stored) is None
    assert len(fake.calls("getFile")) == len(fake.calls("download")) == 1

    if bot.webhook:  # Telegram delivers the update again: no second download, no second import
        assert await bot.post(update) == 200
        assert bot.service is not None and bot.service.telegram is not None
        assert bot.service.telegram.webhook is not None
        await bot.service.telegram.webhook.drain()
        assert len(fake.calls("getFile")) == len(fake.calls("download")) == 1
        async with bot.db.unit_of_work() as uow:
            assert len(await uow.audit.list(entity="region")) == len(audit)


async def test_an_operator_document_is_neither_fetched_nor_imported(any_bot: Bot) -> None:
    bot, fake = any_bot, any_bot.fake
    await bot.start()
    await bot.register(CHAT, "KWL-TGOPER")
    async with bot.db.unit_of_work() as uow:
        imports = await uow.audit.list(entity="region")  # the seeded register
    replies = await bot.send(fake.document_update(CHAT, "../../kawal.db", b"SQLite format 3\x00"))
    assert [m.text for m in replies] == ["⚠️ " + t("file_not_expected", "id")]
    assert fake.calls("getFile") == [] and fake.calls("download") == []
    assert _stored(bot) == []
    async with bot.db.unit_of_work() as uow:
        assert await uow.audit.list(entity="region") == imports


async def test_a_file_name_never_becomes_part_of_the_stored_path(any_bot: Bot) -> None:
    bot, fake = any_bot, any_bot.fake
    await bot.start()
    await bot.register(CHAT, "KWL-TGDINS")  # Dinsos may send a register: the file is fetched
    await bot.send(fake.document_update(CHAT, "../../kawal.db", b"SQLite format 3\x00"))
    assert "Kirim daftar DTKS sebagai berkas .csv atau .xlsx" in bot.text()  # not a register
    [stored] = _stored(bot)  # under the media folder, whatever name the sender gave
    assert stored.parent == _media_dir(bot) and stored.suffix == ".db"
    assert len(fake.calls("getFile")) == 1


async def test_files_nobody_asked_for_are_never_fetched(any_bot: Bot) -> None:
    """A stranger's photo, and an operator's photo in the menu: answered by the handlers,
    never downloaded (Telegram's getFile is not even asked)."""
    bot, fake = any_bot, any_bot.fake
    await bot.start()
    stranger = CHAT + 1
    await bot.say(stranger, "halo")
    to_a_stranger = bot.text()
    assert to_a_stranger
    replies = await bot.send(fake.photo_update(stranger, caption="KTP saya"))
    assert bot.text() == to_a_stranger, [m.text for m in replies]
    await bot.register(CHAT, "KWL-TGOPER")
    replies = await bot.send(fake.photo_update(CHAT))
    assert [m.text for m in replies] == ["⚠️ " + t("file_not_expected", "id")]
    assert "Menu utama" not in bot.text()
    assert fake.calls("getFile") == [] and fake.calls("download") == []
    assert _stored(bot) == []
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", str(stranger)) is None


async def test_a_house_photo_in_the_proposal_form_is_fetched_and_stored(any_bot: Bot) -> None:
    bot, fake = any_bot, any_bot.fake
    await bot.start()
    await bot.register(CHAT, "KWL-TGOPER")
    await bot.press(CHAT, "Usulan keluarga baru")
    assert "Usulan keluarga baru: Sri Menanti" in bot.text()
    for answer in ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]:
        await bot.say(CHAT, answer)
    for answer in ["Dusun I, Pekon Sri Menanti", "2", "1", "tidak"]:
        await bot.say(CHAT, answer)
    assert "Foto rumah" in bot.text()
    update = fake.photo_update(CHAT)
    await bot.send(update)
    assert "Lokasi rumah" in bot.text()
    for answer in ["lewati", "lewati", "simpan"]:
        await bot.say(CHAT, answer)
    assert "Usulan keluarga baru Joko Susilo tercatat" in bot.text()

    largest = max(update["message"]["photo"], key=lambda size: size["width"])
    [path] = _stored(bot)
    assert path == _media_dir(bot) / f"tg-{largest['file_unique_id']}.jpg"
    assert _content(path) == fake.files[largest["file_id"]].content
    assert [c.params["file_id"] for c in fake.calls("getFile")] == [largest["file_id"]]
    [submission] = await _submissions(bot)
    assert submission.answers["house_photo"] == str(path)
    assert submission.answers["photo_missing"] is False


# ---- photos and refusals (SQLite, polling and webhook) --------------------------------------


async def _at_screenshot_question(bot: Bot) -> None:
    await bot.register(CHAT, "KWL-TGAAAA")
    await bot.press(CHAT, "Lapor kendala")
    await bot.press(CHAT, "Aplikasi SIKS-NG")
    await bot.say(CHAT, "Aplikasi SIKS-NG tidak bisa dibuka sejak pagi")
    assert "Tangkapan layar" in bot.text()


async def _submissions(bot: Bot) -> list[Any]:
    async with bot.db.unit_of_work() as uow:
        return list(await uow.submissions.list_for_region(SRI_MENANTI))


async def test_a_photo_answer_stores_a_path_that_exists(bot: Bot) -> None:
    await bot.start()
    await _at_screenshot_question(bot)
    update = bot.fake.photo_update(CHAT)
    await bot.send(update)
    assert "Periksa jawaban" in bot.text()
    await bot.say(CHAT, "simpan")
    assert "Laporan kendala #" in bot.text()

    [submission] = await _submissions(bot)
    path = Path(submission.answers["screenshot"])
    largest = max(update["message"]["photo"], key=lambda size: size["width"])
    assert path == _media_dir(bot) / f"tg-{largest['file_unique_id']}.jpg"
    assert _content(path) == bot.fake.files[largest["file_id"]].content
    async with bot.db.unit_of_work() as uow:
        [report] = await uow.problem_reports.open_in(SRI_MENANTI)
    assert report.photo_ref == str(path)
    assert _stored(bot) == [path]  # only the largest size, no partial file left


async def _dinsos(bot: Bot, now: datetime) -> None:
    """CHAT registered as Dinsos, who may send a register (a document) at any time."""
    async with bot.db.unit_of_work() as uow:
        await uow.invites.create("KWL-TGDINS", "dinsos", "18.04", None, now)
    await bot.register(CHAT, "KWL-TGDINS")


async def test_an_oversized_document_is_refused_before_downloading(bot: Bot, now: datetime) -> None:
    await bot.start()
    await _dinsos(bot, now)
    replies = await bot.send(bot.fake.document_update(CHAT, "dtks_kabupaten.xlsx", size=TOO_BIG))
    assert [m.text for m in replies] == ["⚠️ " + tg("document_too_big")]
    assert "20 MB" in replies[0].text and ".csv" in replies[0].text
    assert bot.fake.calls("getFile") == [] and bot.fake.calls("download") == []

    # The update did not say its size: getFile refuses it, as Telegram does.
    update = bot.fake.document_update(CHAT, "dtks_kabupaten.xlsx", size=TOO_BIG)
    del update["message"]["document"]["file_size"]
    replies = await bot.send(update)
    assert [m.text for m in replies] == ["⚠️ " + tg("document_too_big")]
    assert [c.status for c in bot.fake.calls("getFile")] == [400]
    assert bot.fake.calls("download") == [] and _stored(bot) == []
    await bot.say(CHAT, "menu")  # the bot goes on
    assert "Menu utama" in bot.text()


async def test_a_failed_download_asks_again_and_stores_nothing(bot: Bot) -> None:
    service = await bot.start()
    assert service.telegram is not None
    service.telegram.media.backoff = 0.01
    await _at_screenshot_question(bot)
    keyboard = bot.fake.calls("sendMessage")[-1].params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["text"].lower() == "lewati"

    bot.fake.fail_next("download", status=404)  # e.g. the file path expired: not retried
    replies = await bot.send(bot.fake.photo_update(CHAT))
    assert [m.text for m in replies] == ["⚠️ " + tg("photo_failed")]
    assert "kirim lagi" in replies[0].text
    # The skip button of the question still open stays.
    assert "reply_markup" not in bot.fake.calls("sendMessage")[-1].params
    assert [c.status for c in bot.fake.calls("download")] == [404]

    bot.fake.fail_next("download", 3, status=500)  # a server error: tried three times
    replies = await bot.send(bot.fake.photo_update(CHAT))
    assert [m.text for m in replies] == ["⚠️ " + tg("photo_failed")]
    assert [c.status for c in bot.fake.calls("download")] == [404, 500, 500, 500]
    assert _stored(bot) == [] and await _submissions(bot) == []

    # Still at the same question: a photo that comes through is the answer.
    await bot.send(bot.fake.photo_update(CHAT))
    assert "Periksa jawaban" in bot.text()
    await bot.say(CHAT, "simpan")
    [submission] = await _submissions(bot)
    assert _content(submission.answers["screenshot"])


async def test_a_document_whose_file_cannot_be_had_asks_again(bot: Bot, now: datetime) -> None:
    service = await bot.start()
    assert service.telegram is not None
    await _dinsos(bot, now)
    bot.fake.fail_next("getFile", status=400)
    replies = await bot.send(bot.fake.document_update(CHAT, "dtks.csv"))
    assert [m.text for m in replies] == ["⚠️ " + tg("document_failed")]
    assert bot.fake.calls("download") == [] and _stored(bot) == []


async def test_a_notice_that_cannot_be_sent_leaves_the_update_unacknowledged(
    webhook_bot: Bot,
) -> None:
    bot = webhook_bot
    service = await bot.start()
    assert service.telegram is not None
    service.telegram.sender.backoff = 0.01
    await _at_screenshot_question(bot)
    update = bot.fake.photo_update(CHAT)
    bot.fake.fail_next("download", status=404)
    bot.fake.fail_next("sendMessage", 5, status=500)
    assert await bot.post(update) == 500  # Telegram will deliver it again
    assert await _submissions(bot) == []
    await bot.send(update)  # delivered again, and now the file comes through
    assert "Periksa jawaban" in bot.text()


# ---- pure parts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "suffix"),
    [
        ("dtks.csv", ".csv"),
        ("DTKS Desa.XLSX", ".xlsx"),
        ("../../kawal.db", ".db"),
        ("..\\..\\evil.CSV", ".csv"),
        ("arsip.tar.gz", ".gz"),
        ("tanpa-ekstensi", ".bin"),
        ("aneh.c$v", ".bin"),
        ("titik.", ".bin"),
        (".csv", ".bin"),
        ("", ".bin"),
        ("x." + "a" * 30, ".bin"),
    ],
)
def test_the_stored_extension_is_a_plain_one(file_name: str, suffix: str) -> None:
    assert safe_suffix(file_name, ".bin") == suffix


def test_the_stored_name_comes_from_telegram_never_from_the_sender(fake: FakeTelegram) -> None:
    update = fake.document_update(CHAT, "../../../etc/passwd.csv")
    update["message"]["document"]["file_unique_id"] = "AQAD/../x y"
    parsed = parse(Update.model_validate(update))
    assert isinstance(parsed, MediaMessage)
    assert parsed.media.stored_name == "tg-AQAD____x_y.csv"
    assert parsed.inbound.file_name == "../../../etc/passwd.csv"
    assert parsed.inbound.media_ref == ""
    assert parsed.media.size == len(b"a,b\n1,2\n")
