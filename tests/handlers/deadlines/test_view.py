"""Deadlines in the chat: the Dinsos form (create, edit, cancel), and /tenggat for everyone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import handlers
from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import DEADLINE_ROLES, Draft
from handlers.kit import i18n
from handlers.kit.timing import Recurrence, local_instant
from handlers.messages import Question
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

DUE = local_instant(dt.date(2026, 1, 27), dt.time(16, 0), "Asia/Jakarta")


async def _user(world: World, key: str, role: str, region: str, name: str = "Budi Santoso") -> Chat:
    code = await world.invite(role, region, f"KWL-{key}")
    chat = world.user(key)
    await chat.register(code, name)
    return chat


async def _deadline(world: World, **changes: Any) -> int:
    draft = replace(Draft("Ekspor DTKS", DUE, "18.04", ("operator", "peratin")), **changes)
    async with world.db.unit_of_work() as uow:
        return await deadlines.create(uow, draft, by=None, channel="cli", now=world.clock.now())


async def test_dinsos_creates_a_deadline_step_by_step(world: World) -> None:
    dinsos = await _user(world, "DSNAAA", "dinsos", "18.04")
    await dinsos.command("tenggat")
    assert "Belum ada tenggat" in dinsos.texts()
    await dinsos.press(dinsos.option("Tambah tenggat"))
    assert "Nama tenggat? Contoh: Ekspor DTKS" in dinsos.texts()

    await dinsos.text("ab")
    assert "Nama tenggat 3–80 huruf. Contoh: Ekspor DTKS" in dinsos.texts()
    await dinsos.text("Ekspor DTKS")
    assert "Contoh: 27-01-2027 16.00" in dinsos.texts() and "(WIB)" in dinsos.texts()
    await dinsos.text("27-01-2026")
    assert "Tulis juga jamnya. Contoh: 27-01-2026 16.00" in dinsos.texts()
    await dinsos.text("14-01-2026 16.00")
    assert "Batas harus setelah sekarang (Kamis, 15 Januari 2026 pukul 10.30 WIB)" in dinsos.texts()
    await dinsos.text("kemarin sore")
    assert "tidak dikenali" in dinsos.texts()
    await dinsos.text("30-02-2026 16.00")
    assert (
        "Tanggal 30 Februari 2026 tidak ada: Februari 2026 hanya sampai tanggal 28. "
        "Contoh: 28-02-2026 16.00" in dinsos.texts()
    )
    await dinsos.text("27-01-2026 16.00")
    assert "berulang" in dinsos.texts()
    assert [o.label for o in dinsos.question().options] == [
        "Sekali saja",
        "Tiap bulan tgl. 27",
    ]
    await dinsos.text("1")
    assert "Untuk wilayah mana?" in dinsos.texts()
    assert "Contoh: 18.04.07" in dinsos.texts()  # the same example as in the error below
    labels = [o.label for o in dinsos.question().options]
    assert labels[:2] == ["Seluruh Kab. Lampung Barat", "Kec. Way Tenong"]
    assert "Kec. Air Hitam" in labels
    await dinsos.text("18.05")
    assert 'Wilayah "18.05" tidak ditemukan di wilayah tugas Anda' in dinsos.texts()
    assert "Contoh: 18.04.07" in dinsos.texts()
    await dinsos.text("air hitam")  # a name works as well as a code or a button
    assert "Siapa yang diingatkan?" in dinsos.texts()
    assert dinsos.question().multi
    await dinsos.text("1,9")
    assert "Contoh: 1,2" in dinsos.texts()
    await dinsos.text("1, 2")
    assert "Contoh: 7,3,1,0" in dinsos.texts()
    await dinsos.text("tujuh")
    assert "Tulis 1–8 angka hari" in dinsos.texts()
    assert "Sekarang: H-7, H-3, H-1, hari H" in dinsos.texts()
    await dinsos.press(dinsos.option("Tetap"))
    assert "Jam berapa" in dinsos.texts()
    await dinsos.text("22.00")
    assert "Jam 22.00 termasuk jam tenang (21.00–07.00)" in dinsos.texts()
    await dinsos.text("7.30")
    assert "Catatan untuk penerima?" in dinsos.texts()
    await dinsos.text("kembali")  # one question back
    assert "Jam berapa" in dinsos.texts()
    await dinsos.text("07.30")
    await dinsos.text("lewati")  # no note

    review = dinsos.texts()
    assert "Periksa tenggat:" in review
    for line in (
        "1. Nama: Ekspor DTKS",
        "2. Batas: Selasa, 27 Januari 2026 pukul 16.00 WIB",
        "3. Berulang: tidak (sekali saja)",
        "4. Wilayah: Kec. Air Hitam",
        "5. Untuk: operator SIKS-NG, kepala desa/peratin",
        "6. Pengingat: H-7, H-3, H-1, hari H",
        "7. Jam pengingat: 07.30",
        "8. Catatan: -",
    ):
        assert line in review
    await dinsos.text("2")  # change the due date from the review
    await dinsos.text("28 Januari 2026 pukul 10.00")
    assert "Batas: Rabu, 28 Januari 2026 pukul 10.00 WIB" in dinsos.texts()  # that line alone
    await dinsos.text("9")
    assert "nomor baris 1–8" in dinsos.texts()
    await dinsos.text("simpan")
    assert "✅ Tenggat #1 Ekspor DTKS tersimpan." in dinsos.texts()
    assert "pukul 07.30" in dinsos.texts()
    assert "1. Ekspor DTKS" in dinsos.texts()  # the list follows

    async with world.db.unit_of_work() as uow:
        saved = await uow.deadlines.get(1)
        audit = await uow.audit.list(entity="deadline", entity_id="1")
        me = await uow.people.find_by_identity("telegram", "DSNAAA")
        assert me is not None
        session = await uow.sessions.get_open(me.person_id)
    assert saved is not None and session is None and saved.created_by == me.person_id
    assert saved.due_at == local_instant(dt.date(2026, 1, 28), dt.time(10), "Asia/Jakarta")
    assert (saved.region_code, saved.roles, saved.offsets, saved.remind_time) == (
        "18.04.19",
        ("operator", "peratin"),
        (7, 3, 1, 0),
        "07:30",
    )
    assert saved.recurrence is None and saved.revision == 1
    assert [a.action for a in audit] == ["deadline.created"]


async def test_a_monthly_deadline_with_an_end_date(world: World) -> None:
    dinsos = await _user(world, "DSNAAB", "dinsos", "18.04")
    await dinsos.press("dl:new")
    await dinsos.text("Cut-off DTSEN bulanan")
    await dinsos.text("2026-01-31T23:00")
    await dinsos.press(dinsos.option("Tiap bulan"))
    assert "Berulang sampai kapan?" in dinsos.texts()
    await dinsos.text("31-12-2025")
    assert "harus sesudah batas pertama (Sabtu, 31 Januari 2026)" in dinsos.texts()
    await dinsos.text("31-04-2026")
    assert "Tanggal 31 April 2026 tidak ada" in dinsos.texts()
    assert "Contoh: 30-04-2026" in dinsos.texts()
    await dinsos.text("31-12-2026")
    await dinsos.press(dinsos.option("Seluruh"))
    await dinsos.text("operator, peratin, camat")
    await dinsos.text("3,1")
    await dinsos.text("tetap")  # keep 08.00
    await dinsos.text("Tarik data tanggal 1 pagi.")
    # The engine's review lists the end date on a line of its own.
    assert "3. Berulang: setiap bulan tanggal 31" in dinsos.texts()
    assert "4. Berulang sampai: Kamis, 31 Desember 2026" in dinsos.texts()
    await dinsos.press(dinsos.option("Simpan"))
    async with world.db.unit_of_work() as uow:
        saved = await uow.deadlines.get(1)
    assert saved is not None
    assert saved.recurrence == {"freq": "monthly", "day": 31, "until": "2026-12-31"}
    assert (saved.roles, saved.offsets, saved.note) == (
        ("operator", "peratin", "camat"),
        (3, 1),
        "Tarik data tanggal 1 pagi.",
    )
    await dinsos.command("tenggat")
    assert "1. Cut-off DTSEN bulanan (setiap bulan tanggal 31 sampai" in dinsos.texts()


async def test_everyone_sees_current_deadlines_with_their_progress(world: World) -> None:
    operator = await _user(world, "OPRAAA", "operator", SRI_MENANTI)
    peratin = await _user(world, "PRTAAA", "peratin", SRI_MENANTI)
    camat = await _user(world, "CMTAAA", "camat", "18.04.19")
    other = await _user(world, "OPRAAB", "operator", SUKANANTI)
    await _deadline(world)
    await _deadline(world, title="Rapat camat", roles=("camat",), region_code="18.04.19")

    await operator.command("tenggat")
    assert operator.texts() == (
        "📅 Tenggat\n\n"
        "1. Ekspor DTKS\n"
        "Batas: Selasa, 27 Januari 2026 pukul 16.00 WIB (12 hari lagi)\n"
        "Pekon Sri Menanti: 0 dari 30 keluarga sudah didata (0%)"
    )
    assert not any(isinstance(m, Question) for m in operator.last.messages)  # nothing to manage
    await peratin.press("m:deadlines")  # the menu item
    assert "Pekon Sri Menanti: 0 dari 30" in peratin.texts()
    await camat.text("tenggat")
    text = camat.texts()
    assert "1. Ekspor DTKS" in text and "2. Rapat camat" in text
    assert "Kec. Air Hitam: 0 dari 10 pekon selesai" in text
    assert "9 pekon belum ada data keluarga: Pekon Sidodadi, Pekon Semarang Jaya" in text
    assert "• Pekon Sri Menanti: 0 dari 30 (0%)" in text
    await other.command("tenggat")
    assert "Pekon Sukananti: 0 dari 3" in other.texts()
    assert "Rapat camat" not in other.texts()  # not for operators, not in Way Tenong


async def test_the_reminder_buttons_open_the_pending_list_and_the_progress(world: World) -> None:
    operator = await _user(world, "OPRAAC", "operator", SRI_MENANTI)
    peratin = await _user(world, "PRTAAB", "peratin", SRI_MENANTI)
    await operator.press("m:pending")
    assert "Belum didata di Sri Menanti: 30 keluarga" in operator.texts()
    await peratin.press("m:progress")
    assert "Sri Menanti: 0 dari 30 keluarga sudah didata" in peratin.texts()


async def test_dinsos_edits_and_cancels_a_deadline(world: World) -> None:
    dinsos = await _user(world, "DSNAAC", "dinsos", "18.04")
    deadline_id = await _deadline(world)
    await dinsos.command("tenggat")
    await dinsos.press(dinsos.option("Kelola: Ekspor DTKS"))
    assert "Nama: Ekspor DTKS" in dinsos.texts()
    await dinsos.press(dinsos.option("Ubah"))
    assert "Ubah tenggat #1 Ekspor DTKS." in dinsos.texts()
    assert "Periksa tenggat:" in dinsos.texts()
    await dinsos.text("1")
    await dinsos.text("Ekspor DTKS tahap akhir")
    # The changed answer beside the one it replaces, alone (not the whole review again).
    assert "Nama: Ekspor DTKS → Ekspor DTKS tahap akhir" in dinsos.texts()
    assert "2. Batas:" not in dinsos.texts()
    await dinsos.text("6")
    await dinsos.text("H-5, H-1")
    await dinsos.text("simpan")
    assert "✅ Tenggat Ekspor DTKS tahap akhir diperbarui." in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        edited = await uow.deadlines.get(deadline_id)
    assert edited is not None
    assert (edited.title, edited.offsets, edited.revision) == ("Ekspor DTKS tahap akhir", (5, 1), 2)
    assert edited.due_at == DUE

    await dinsos.press(f"dl:cancel:{deadline_id}")
    assert "Batalkan tenggat Ekspor DTKS tahap akhir?" in dinsos.texts()
    await dinsos.press(dinsos.option("Tidak"))
    assert "1. Ekspor DTKS tahap akhir" in dinsos.texts()
    await dinsos.press(f"dl:cancel:{deadline_id}")
    await dinsos.press(dinsos.option("Ya, batalkan"))
    assert "Tenggat Ekspor DTKS tahap akhir dibatalkan." in dinsos.texts()
    assert "Belum ada tenggat" in dinsos.texts()
    await dinsos.press(f"dl:cancel-yes:{deadline_id}")  # an old button
    assert "tidak ada di wilayah Anda atau sudah dibatalkan" in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="deadline", entity_id=str(deadline_id))
    assert [a.action for a in audit] == [
        "deadline.created",
        "deadline.updated",
        "deadline.cancelled",
    ]


async def test_nobody_manages_deadlines_outside_their_scope(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "18.72.01")  # Kota Metro
    elsewhere = await _user(world, "DSNAAD", "dinsos", "18.72")
    operator = await _user(world, "OPRAAD", "operator", SRI_MENANTI)
    deadline_id = await _deadline(world)
    for payload in (f"dl:manage:{deadline_id}", f"dl:edit:{deadline_id}", "dl:cancel-yes:1"):
        await elsewhere.press(payload)
        assert "tidak ada di wilayah Anda" in elsewhere.texts()
    await elsewhere.command("tenggat")
    assert "Belum ada tenggat" in elsewhere.texts()
    await operator.press("dl:new")
    assert "Hanya petugas Dinsos yang bisa mengatur tenggat" in operator.texts()
    await operator.press(f"dl:cancel-yes:{deadline_id}")
    assert "Hanya petugas Dinsos" in operator.texts()
    async with world.db.unit_of_work() as uow:
        kept = await uow.deadlines.get(deadline_id)
    assert kept is not None and kept.active and kept.revision == 1


async def test_the_form_stops_resumes_and_does_not_mix_with_other_forms(world: World) -> None:
    dinsos = await _user(world, "DSNAAE", "dinsos", "18.04")
    await dinsos.press("dl:new")
    await dinsos.text("Verifikasi PBI-JK")
    await dinsos.command("menu")  # away to the menu, the form stays open
    await dinsos.text("lanjut")
    assert "Melanjutkan isian: tenggat" in dinsos.texts()
    assert "Kapan batasnya?" in dinsos.texts()
    await dinsos.press("dl:new")
    assert "masih punya isian yang belum selesai: tenggat" in dinsos.texts()
    await dinsos.text("lewati")
    assert "Pertanyaan ini wajib dijawab." in dinsos.texts()
    await dinsos.text("batal")
    await dinsos.text("ya")  # the engine asks before it throws answers away
    assert "Pengisian tenggat dibatalkan" in dinsos.texts()
    await dinsos.press("dl:new")
    await dinsos.text("Verifikasi PBI-JK")
    await dinsos.command("batal")
    await dinsos.text("ya")
    assert dinsos.texts().count("dibatalkan") == 1  # in the form's own words, once
    assert "Pengisian tenggat dibatalkan" in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.deadlines.all(cancelled=True) == []

    operator = await _user(world, "OPRAAE", "operator", SRI_MENANTI)
    await operator.press("m:verify")
    await operator.text("tenggat")  # a word that works everywhere, like MENU
    assert "Belum ada tenggat" in operator.texts()


async def test_english(world: World) -> None:
    dinsos = await _user(world, "DSNAAF", "dinsos", "18.04")
    await dinsos.press("m:language")
    await _deadline(world)
    await dinsos.command("tenggat")
    assert dinsos.texts().startswith(
        "📅 Deadlines\n\n1. Ekspor DTKS\nDue: Tuesday, 27 January 2026 at 16:00 WIB (in 12 days)"
    )
    await dinsos.press("dl:new")
    assert "Deadline title? Example: DTKS export" in dinsos.texts()


def test_every_deadline_text_is_in_both_languages() -> None:
    root = Path(handlers.__file__).parent
    keys = {f"role_{r}" for r in DEADLINE_ROLES}
    for name in (
        "deadlines/view.py",
        "deadlines/model.py",
        "deadlines/areas.py",
        "deadlines/wording.py",
        "deadlines/buttons.py",
        "deadlines/saver.py",
        "kit/timing.py",
    ):
        source = (root / name).read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\s*[\"']([a-z_]+)[\"']", source))
    assert len(keys) > 50  # the form's own words are in flows/forms/tenggat.yaml
    known = i18n.keys()
    missing = sorted(k for k in keys if k not in known or i18n.catalog_languages(k) != {"id", "en"})
    assert missing == []


async def test_editing_a_monthly_deadline_keeps_its_day(world: World) -> None:
    """In February the next occurrence of "every month on the 31st" is the 28th; an edit that
    does not touch the date keeps the 31st."""
    dinsos = await _user(world, "DSNAAG", "dinsos", "18.04")
    first = local_instant(dt.date(2026, 1, 31), dt.time(16), "Asia/Jakarta")
    deadline_id = await _deadline(world, due_at=first, recurrence=Recurrence(31))
    world.clock.set(local_instant(dt.date(2026, 2, 10), dt.time(9), "Asia/Jakarta"))
    await dinsos.press(f"dl:edit:{deadline_id}")
    assert "2. Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB" in dinsos.texts()
    assert "3. Berulang: setiap bulan tanggal 31" in dinsos.texts()
    await dinsos.text("1")
    await dinsos.text("Cut-off bulanan")
    await dinsos.text("simpan")
    async with world.db.unit_of_work() as uow:
        edited = await uow.deadlines.get(deadline_id)
    assert edited is not None and edited.recurrence == {"freq": "monthly", "day": 31}
    assert edited.due_at == first  # January stays an occurrence (its escalation is kept)
    await dinsos.press(f"dl:edit:{deadline_id}")
    await dinsos.text("2")
    await dinsos.text("28-02-2026 18.00")  # the same date, a later time: still the 31st
    assert "Berulang" not in dinsos.texts()  # only the changed line: the day did not move
    assert "Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB → " in dinsos.texts()
    await dinsos.text("2")
    await dinsos.text("17-03-2026 16.00")  # a new date: the day follows it, so all is shown
    assert "3. Berulang: setiap bulan tanggal 17" in dinsos.texts()
    await dinsos.text("simpan")
    async with world.db.unit_of_work() as uow:
        moved = await uow.deadlines.get(deadline_id)
    assert moved is not None and moved.recurrence == {"freq": "monthly", "day": 17}
    assert moved.due_at == local_instant(dt.date(2026, 3, 17), dt.time(16), "Asia/Jakarta")


async def test_an_edit_just_after_a_monthly_cut_off_keeps_the_first_due_date(world: World) -> None:
    dinsos = await _user(world, "DSNAAH", "dinsos", "18.04")
    first = local_instant(dt.date(2026, 1, 31), dt.time(16), "Asia/Jakarta")
    deadline_id = await _deadline(world, due_at=first, recurrence=Recurrence(31))
    world.clock.set(first + dt.timedelta(minutes=1))
    await dinsos.press(f"dl:manage:{deadline_id}")
    assert "Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB" in dinsos.texts()  # the next one
    await dinsos.press(f"dl:edit:{deadline_id}")
    await dinsos.text("9")  # the note: line 4 is the (empty) end date of the repetition
    await dinsos.text("Data ditarik tanggal 1.")
    await dinsos.text("simpan")
    assert "✅ Tenggat Ekspor DTKS diperbarui." in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        edited = await uow.deadlines.get(deadline_id)
    assert edited is not None and edited.note == "Data ditarik tanggal 1."
    assert edited.due_at == first and edited.revision == 2


def test_a_monthly_deadline_must_start_on_its_day() -> None:
    """ "Every month on the 31st" starting on the 17th would fall on 17 Jan, 28 Feb, 31 Mar
    while the listing says "tanggal 31": refused, with the date to type."""
    now = local_instant(dt.date(2027, 1, 2), dt.time(9), "Asia/Jakarta")
    due = local_instant(dt.date(2027, 1, 17), dt.time(16), "Asia/Jakarta")
    draft = Draft("Cut-off DTSEN", due, "18.04", ("operator",), recurrence=Recurrence(31))
    assert deadlines.problems(draft, now, "id") == [
        "Batas pertama (Minggu, 17 Januari 2027) tidak jatuh pada tanggal 31, padahal berulang "
        "tiap tanggal 31. Samakan tanggalnya. Contoh: 31-01-2027 16.00"
    ]
    assert "Make them match. Example: 31-01-2027 16.00" in deadlines.problems(draft, now, "en")[0]
    assert deadlines.problems(replace(draft, recurrence=Recurrence(17)), now, "id") == []
    february = local_instant(dt.date(2027, 2, 28), dt.time(16), "Asia/Jakarta")  # month end
    assert deadlines.problems(replace(draft, due_at=february), now, "id") == []
    late = replace(draft, due_at=local_instant(dt.date(2027, 1, 20), dt.time(16), "Asia/Jakarta"))
    assert "Contoh: 31-01-2027 16.00" in deadlines.problems(late, now, "id")[0]
    assert (
        "Contoh: 17-02-2027 16.00"
        in deadlines.problems(replace(late, recurrence=Recurrence(17)), now, "id")[0]
    )


def test_the_summary_says_when_the_day_itself_gets_no_reminder() -> None:
    """Due at 00.00 with reminders at 08.00: the day's 08.00 comes after the due time, so no
    reminder goes out on the day itself, and the summary says so."""
    midnight = local_instant(dt.date(2026, 1, 28), dt.time(0), "Asia/Jakarta")
    draft = Draft("Ekspor DTKS", midnight, "18.04", ("operator",))
    lines = deadlines.summary_lines(draft, "Kab. Lampung Barat", "id", midnight)
    assert (
        "Pengingat: H-7, H-3, H-1 (hari H tidak: batas pukul 00.00, sebelum jam pengingat "
        "08.00)" in lines
    )
    assert replace(draft, offsets=(0,)).reminders_text("en") == (
        "none (none on the day: due at 00:00, before the reminder time 08:00)"
    )
    assert replace(draft, due_at=DUE).reminders_text("id") == "H-7, H-3, H-1, hari H"


async def test_the_form_offers_and_accepts_only_regions_of_dinsos_own_kabupaten(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "18.72.01")  # Kota Metro, same province
        await load_regions(uow, "35.28.11")  # Kec. Batumarmar, Pamekasan
    dinsos = await _user(world, "DSNAAI", "dinsos", "18.04")
    await dinsos.press("dl:new")
    await dinsos.text("Ekspor DTKS")
    await dinsos.text("27-01-2026 16.00")
    await dinsos.text("1")
    labels = [o.label for o in dinsos.question().options]
    assert not any("Metro" in label or "Batumarmar" in label for label in labels)
    for answer in ("18.72", "18.72.01", "35.28.11.2001", "Bujur Barat", "dlf:region:35.28"):
        if answer.startswith("dlf:"):
            await dinsos.press(answer)  # a forged button
        else:
            await dinsos.text(answer)
        assert "tidak ditemukan di wilayah tugas Anda" in dinsos.texts(), answer
        assert "Untuk wilayah mana?" in dinsos.texts()  # asked again
    await dinsos.text("18.04.19")
    assert "Siapa yang diingatkan?" in dinsos.texts()


async def test_a_region_that_left_the_scope_before_saving_is_refused(world: World) -> None:
    """Dinsos of two kabupaten chooses Kota Metro, loses that role while the form is open,
    and saves: refused, nothing stored."""
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "18.72.01")
    dinsos = await _user(world, "DSNAAJ", "dinsos", "18.04")
    async with world.db.unit_of_work() as uow:
        me = await uow.people.find_by_identity("telegram", "DSNAAJ")
        assert me is not None
        await uow.people.assign_role(me.person_id, "dinsos", "18.72", world.clock.now())
    await dinsos.press("dl:new")
    for answer in ("Ekspor DTKS", "27-01-2026 16.00", "1", "18.72.01", "1,2", "tetap"):
        await dinsos.text(answer)
    await dinsos.text("tetap")
    await dinsos.text("lewati")
    assert "4. Wilayah: Kec. Metro Pusat" in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        await uow.people.revoke_role(me.person_id, "dinsos", "18.72", world.clock.now())
    await dinsos.text("simpan")
    assert 'Wilayah "18.72.01" tidak ditemukan di wilayah tugas Anda' in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.deadlines.all(cancelled=True) == []
