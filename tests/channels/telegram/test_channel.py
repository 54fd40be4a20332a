"""Rendering and parsing through the real channel, with a scripted handler in place of Kawal.

Whether a received file is fetched is still Kawal's call (``Kawal.accepts_file``: a question asks
for it), whatever handler is scripted: the tests that send files first make the chat someone
Kawal takes that file from.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.channels.telegram.channel import Handle
from handlers.messages import (
    Chart,
    Document,
    Inbound,
    InboundKind,
    Option,
    Question,
    Reply,
    RequestLocation,
    RequestPhoto,
    Text,
)
from tests.channels.telegram.conftest import Bot

CHAT = 7001


class Script:
    """Answers each inbound with the next prepared reply and records what came in."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.inbound: list[Inbound] = []

    def wrap(self, _real: Handle) -> Handle:
        async def handle(inbound: Inbound) -> Reply:
            self.inbound.append(inbound)
            return self.replies.pop(0) if self.replies else Reply([Text("ok")])

        return handle


async def _asked_for_a_photo(bot: Bot) -> None:
    """CHAT becomes an operator at a question that asks for a photo (a screenshot)."""
    await bot.start()
    await bot.register(CHAT, "KWL-TGAAAA")
    await bot.press(CHAT, "Lapor kendala")
    await bot.press(CHAT, "Aplikasi SIKS-NG")
    await bot.say(CHAT, "Aplikasi SIKS-NG tidak bisa dibuka sejak pagi")
    assert "Tangkapan layar" in bot.text()
    await bot.stop()


async def _from_dinsos(bot: Bot, now: datetime) -> None:
    """CHAT becomes a Dinsos officer (who may send a register as a document)."""
    async with bot.db.unit_of_work() as uow:
        await uow.invites.create("KWL-TGDINS", "dinsos", "18.04", None, now)
    await bot.start()
    await bot.register(CHAT, "KWL-TGDINS")
    await bot.stop()


def _content(path: str | Path) -> bytes | None:
    """The bytes stored at ``path`` (None if there is no such file)."""
    stored = Path(path)
    return stored.read_bytes() if stored.is_file() else None


async def test_long_option_lists_are_paged_inside_the_channel(polling_bot: Bot) -> None:
    options = tuple(Option(f"hh:{i}", f"Keluarga {i}") for i in range(1, 21))
    script = Script(Reply([Question("Pilih keluarga:", options)]))
    await polling_bot.start(wrap_handle=script.wrap)
    fake = polling_bot.fake

    await polling_bot.say(CHAT, "cari")
    question = fake.last_keyboard(CHAT)
    labels = [b["text"] for b in question.buttons()]
    assert labels[:8] == [f"{i}. Keluarga {i}" for i in range(1, 9)]
    assert labels[8:] == ["Berikutnya ›"]

    await polling_bot.press(CHAT, "Berikutnya")
    await polling_bot.press(CHAT, "Berikutnya")
    labels = [b["text"] for b in question.buttons()]
    assert labels == [*(f"{i}. Keluarga {i}" for i in range(17, 21)), "‹ Sebelumnya"]
    assert len(script.inbound) == 1  # page turns never reached the handlers

    await polling_bot.press(CHAT, "19. Keluarga 19")
    chosen = script.inbound[-1]
    assert (chosen.kind, chosen.payload) == (InboundKind.CHOICE, "hh:19")
    assert chosen.text == "Keluarga 19"
    assert question.buttons() == [] and question.text.endswith("➡️ 19. Keluarga 19")


async def test_location_photo_and_files(polling_bot: Bot, tmp_path: Path) -> None:
    report = tmp_path / "laporan.csv"
    report.write_text("a,b\n1,2\n")
    chart = tmp_path / "grafik.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\n")
    script = Script(
        Reply([RequestLocation("Kirim lokasi rumah.", skip_label="Lewati")]),
        Reply([RequestPhoto("Kirim foto rumah.", skip_label="Lewati")]),
        Reply([Text("x" * 5000), Question("Lanjut?", (Option("y", "Ya"),), multi=True)]),
        Reply([Document(str(report), "Laporan", "laporan-desa.csv"), Chart(str(chart), "Grafik")]),
    )
    await _asked_for_a_photo(polling_bot)
    await polling_bot.start(wrap_handle=script.wrap)
    fake = polling_bot.fake

    await polling_bot.say(CHAT, "mulai")
    request = fake.calls("sendMessage")[-1].params
    keyboard = request["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True
    assert keyboard[1][0]["text"] == "Lewati"

    await polling_bot.send(fake.location_update(CHAT, -5.0123, 104.5678))
    location = script.inbound[-1]
    assert location.kind is InboundKind.LOCATION and location.location is not None
    assert (location.location.latitude, location.location.longitude) == (-5.0123, 104.5678)
    photo_request = fake.calls("sendMessage")[-1].params
    assert "📎" in photo_request["text"]  # (a new reply keyboard: the skip button)

    update = fake.photo_update(CHAT)
    await polling_bot.send(update)
    photo_in = script.inbound[-1]
    assert photo_in.kind is InboundKind.PHOTO
    largest = next(s for s in update["message"]["photo"] if s["width"] == 1280)
    stored = Path(photo_in.media_ref)  # the largest size, stored under data_dir
    assert (
        stored == tmp_path / "data" / "media" / "telegram" / f"tg-{largest['file_unique_id']}.jpg"
    )
    assert _content(stored) == fake.files[largest["file_id"]].content
    assert [c.params["file_id"] for c in fake.calls("getFile")] == [largest["file_id"]]
    long_text = [c.params for c in fake.calls("sendMessage")[-3:]]
    assert [len(p["text"]) for p in long_text[:2]] == [4096, 904]
    assert long_text[0]["reply_markup"] == {"remove_keyboard": True}  # the keyboard goes
    assert "1. Ya" in long_text[2]["text"] and "reply_markup" not in long_text[2]

    await polling_bot.send(fake.sticker_update(CHAT))
    assert [i.kind for i in script.inbound[-2:]] == [InboundKind.PHOTO, InboundKind.UNSUPPORTED]
    [document] = fake.calls("sendDocument")
    assert document.params["document"]["file_name"] == "laporan-desa.csv"
    assert document.params["caption"] == "Laporan"
    [photo] = fake.calls("sendPhoto")
    assert photo.params["photo"]["file_name"] == "grafik.png"


async def test_commands_and_deep_links_are_parsed(polling_bot: Bot, now: datetime) -> None:
    script = Script()
    await _from_dinsos(polling_bot, now)
    await polling_bot.start(wrap_handle=script.wrap)
    await polling_bot.say(CHAT, "/start KWL-ABC123")
    await polling_bot.say(CHAT, "/Lanjut@kawal_test_bot")
    await polling_bot.say(CHAT, "halo")
    await polling_bot.send(polling_bot.fake.document_update(CHAT, "keluarga.xlsx"))
    first, second, third, document = script.inbound
    assert (first.kind, first.command, first.args) == (InboundKind.COMMAND, "start", "KWL-ABC123")
    assert (second.command, second.args) == ("lanjut", "")
    assert (third.kind, third.text, third.external_id) == (InboundKind.TEXT, "halo", str(CHAT))
    assert third.display_name == "Budi"
    assert document.kind is InboundKind.DOCUMENT
    assert Path(document.media_ref).suffix == ".xlsx" and _content(document.media_ref)
    assert (document.file_name, document.text) == ("keluarga.xlsx", "data desa")


async def test_transient_errors_are_retried_with_backoff(polling_bot: Bot) -> None:
    await polling_bot.start(wrap_handle=Script(Reply([Text("Halo")])).wrap)
    polling_bot.fake.fail_next("sendMessage", 2, status=500)
    replies = await polling_bot.say(CHAT, "halo")
    assert [m.text for m in replies] == ["Halo"]
    statuses = [r.status for r in polling_bot.fake.calls("sendMessage")]
    assert statuses == [500, 500, 200]


async def test_a_failed_send_is_logged_and_the_bot_goes_on(
    polling_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(Reply([Text("NIK 1804190101900001 tersimpan")]), Reply([Text("Halo lagi")]))
    service = await polling_bot.start(wrap_handle=script.wrap)
    assert service.telegram is not None
    service.telegram.sender.backoff = 0.01
    polling_bot.fake.fail_next("sendMessage", 5, status=500)
    update = polling_bot.fake.text_update(CHAT, "halo")
    assert await polling_bot.send(update) == []
    assert f"reply to update {update['update_id']} not delivered" in caplog.text
    replies = await polling_bot.say(CHAT, "halo lagi")
    assert [m.text for m in replies] == ["Halo lagi"]
