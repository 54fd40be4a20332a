"""Whole conversations over the webhook: registration, a household verification with buttons
and lists, a 15-option numbered menu, images, unsupported messages, a second channel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from flows import builtin_forms, load_forms
from handlers.messages import Channel, Inbound, InboundKind, Reply
from storage.db import Database
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import SRI_MENANTI, Harness, WaUser, make_harness
from tests.fakes.graph_api import FakeGraphApi


async def _operator(h: Harness, user: WaUser, code: str) -> None:
    await h.invite("operator", SRI_MENANTI, code)
    await user.register(code)


async def test_household_verification_with_buttons_and_lists_is_saved(wa: Harness) -> None:
    user = wa.user("6281311110001")
    await _operator(wa, user, "KWL-VERIF1")
    await user.press("m:verify")  # the main menu is a list
    assert "Cari keluarga di Sri Menanti" in user.texts()
    await user.text("Agus Hidayat")
    await user.choose("Agus Hidayat")

    family_status = user.interactive()
    assert family_status.interactive_type == "list"  # 5 options
    assert "Status keluarga" in family_status.text()
    rows = family_status.choices()
    assert [r["id"] for r in rows] == [
        "ditemukan",
        "tidak_ditemukan",
        "meninggal",
        "tidak_eligible",
        "tidak_dapat_ditemui",
        "__keep__",  # the words: "Tetap: Ditemukan", "Semua data tetap", never numbered
        "__keep_all__",
    ]
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[4]["description"] == "Tidak dapat ditemui sampai akhir pendataan"
    await user.press("ditemukan")

    assert "Alamat" in user.texts()
    assert user.interactive().interactive_type == "button"  # keep the current address
    await user.press("__keep__")
    await user.text("7")  # RT typed
    await user.text("tetap")  # RW kept
    head = user.interactive()
    assert head.interactive_type == "button" and "kepala keluarga" in head.text()
    await user.choose("Ya")
    await user.text("0812-3456-7890")
    await user.text("lewati")
    assert "Periksa jawaban" in user.texts()
    review = user.interactive()
    assert review.interactive_type == "button"
    assert [c["title"] for c in review.choices()] == ["Simpan", "Batal"]
    await user.choose("Simpan")
    assert "Tersimpan" in user.texts()

    async with wa.db.unit_of_work() as uow:
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
        household = await uow.households.get(submission.household_id or 0)
    assert submission.channel == "whatsapp"
    assert submission.form_id == "verifikasi_keluarga"
    assert submission.answers["family_status"] == "ditemukan"
    assert submission.answers["head_lives_here"] in (True, "yes", "ya")
    assert submission.answers["phone"] == "+6281234567890"
    assert household is not None and household.rt == "007" and household.status == "updated"


_FIFTEEN_FORM = """
id: verifikasi_keluarga
version: 99
title: {id: Verifikasi uji, en: Test verification}
questions:
  # What the verification's saver reads (checked when Kawal starts); never asked here.
  - {name: family_status, type: text, label: Status, required: false, relevant: "1 = 2"}
  - {name: not_found_reason, type: text, label: Alasan, required: false, relevant: "1 = 2"}
  - {name: head_lives_here, type: yes_no, label: Tinggal, required: false, relevant: "1 = 2"}
  - {name: phone, type: phone, label: HP, required: false, relevant: "1 = 2"}
  - name: dusun
    type: select_one
    label: {id: Dusun tempat tinggal, en: Hamlet}
    choices:
"""


@pytest.fixture
async def wa_fifteen(
    sqlite_database: Database, now: datetime, graph: FakeGraphApi, tmp_path: Path
) -> AsyncIterator[Harness]:
    forms_dir = tmp_path / "forms"
    forms_dir.mkdir()
    choices = "".join(
        f"      - value: dusun_{i:02d}\n        label: {{id: Dusun {i}, en: Hamlet {i}}}\n"
        for i in range(1, 16)
    )
    (forms_dir / "uji.yaml").write_text(_FIFTEEN_FORM + choices, encoding="utf-8")
    forms = builtin_forms()
    for form in load_forms(forms_dir):
        forms.add(form)
    async for harness in make_harness(sqlite_database, now, graph, tmp_path / "data", forms):
        yield harness


async def test_fifteen_options_become_a_numbered_menu_with_paging(wa_fifteen: Harness) -> None:
    h = wa_fifteen
    user = h.user("6281311110002")
    await _operator(h, user, "KWL-MENU15")
    await user.press("m:verify")
    await user.text("Agus Hidayat")
    await user.choose("Agus Hidayat")
    [menu] = [s for s in user.last if "Dusun tempat tinggal" in s.text()]
    assert menu.type == "text"
    assert "1. Dusun 1" in menu.text() and "10. Dusun 10" in menu.text()
    assert "11. Dusun 11" not in menu.text()
    [page2] = await user.text("lagi")  # answered by the channel: the next page
    assert "11. Dusun 11" in page2.text() and "15. Dusun 15" in page2.text()
    await user.text("12")
    assert "Periksa jawaban" in user.texts() and "Dusun 12" in user.texts()
    await user.choose("Simpan")
    assert "Tersimpan" in user.texts()
    async with h.db.unit_of_work() as uow:
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
    assert submission.answers["dusun"] == "dusun_12"


def _spy(h: Harness) -> list[Inbound]:
    """Every inbound the processor hands to the handlers, from now on."""
    seen: list[Inbound] = []
    handle = h.channel.processor.handle

    async def spy(inbound: Inbound) -> Reply:
        seen.append(inbound)
        return await handle(inbound)

    h.channel.processor.handle = spy
    return seen


async def test_a_photo_is_downloaded_only_when_the_question_asks_for_it(
    wa_sqlite: Harness,
) -> None:
    h = wa_sqlite
    jpeg = b"\xff\xd8\xff\xe0" + b"fake-jpeg" * 100
    for media_id in ("1003458871", "1003458872", "1003458875"):
        h.graph.add_media(media_id, jpeg)
    seen = _spy(h)
    stranger = h.user("6281311110009")
    await stranger._deliver(payloads.image(stranger.wa_id, "1003458871"))
    assert "DAFTAR" in stranger.texts()  # told how to register; the photo was not fetched
    user = h.user("6281311110003")
    await _operator(h, user, "KWL-FOTO01")
    await user._deliver(payloads.image(user.wa_id, "1003458872", caption="rumah"))
    assert "tidak meminta file" in user.texts()  # in the menu: nothing asks for a photo
    assert h.graph.media_requests == []
    assert [i.media_ref for i in seen if i.kind is InboundKind.PHOTO] == ["", ""]

    await user.text("menu")
    await user.press("m:report")
    await user.press("jaringan")
    await user.text("Sinyal hilang di balai pekon sejak pagi")
    assert "Tangkapan layar" in user.texts()
    await user._deliver(payloads.image(user.wa_id, "1003458875", caption="layar"))
    photo = seen[-1]
    assert photo.kind is InboundKind.PHOTO
    stored = Path(photo.media_ref)
    assert stored.parent == h.channel.media.directory
    assert await asyncio.to_thread(stored.read_bytes) == jpeg
    assert stored.name == "wa-1003458875.jpg"
    assert h.graph.media_requests == ["1003458875"]  # only the photo that was asked for
    await user.choose("Simpan")
    assert "Laporan kendala #1 terkirim ke Dinsos" in user.texts()
    async with h.db.unit_of_work() as uow:
        report = await uow.problem_reports.get(1)
    assert report is not None and report.photo_ref == str(stored)


async def test_sticker_gets_a_polite_unsupported_answer(wa_sqlite: Harness) -> None:
    user = wa_sqlite.user("6281311110004")
    await _operator(wa_sqlite, user, "KWL-STICK1")
    await user._deliver(payloads.sticker(user.wa_id))
    assert "belum bisa dibaca" in user.texts()


async def test_a_form_started_on_telegram_resumes_on_whatsapp(wa: Harness) -> None:
    await wa.invite("operator", SRI_MENANTI, "KWL-TWOCH1")

    async def telegram(kind: InboundKind, pid: str, **kw: str) -> None:
        await wa.kawal.handle(Inbound(Channel.TELEGRAM, "555001", pid, kind, **kw))  # type: ignore[arg-type]

    await telegram(InboundKind.COMMAND, "t1", command="start", args="KWL-TWOCH1")
    await telegram(InboundKind.CHOICE, "t2", payload="consent:yes")
    await telegram(InboundKind.TEXT, "t3", text="Siti Aminah")
    await telegram(InboundKind.CHOICE, "t4", payload="m:verify")
    await telegram(InboundKind.TEXT, "t5", text="Agus Hidayat")
    async with wa.db.unit_of_work() as uow:
        [found] = [h for h in await uow.households.search(SRI_MENANTI, "Agus Hidayat")]
    await telegram(InboundKind.CHOICE, "t6", payload=f"hh:{found.id}")
    await telegram(InboundKind.CHOICE, "t7", payload="ditemukan")
    async with wa.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "555001")
        assert person is not None
        # An admin links the person's WhatsApp number (no self-service linking yet).
        await uow.people.add_identity(
            person.person_id, "whatsapp", "6281311110005", "Siti", wa.clock.now()
        )
    user = wa.user("6281311110005")
    await user.text("lanjut")
    assert "Melanjutkan" in user.texts() and "Alamat" in user.texts()
    await user.press("__keep__")
    assert "RT" in user.texts()
