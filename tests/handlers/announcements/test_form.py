"""The Dinsos announcement composer: text or attachment, regions by name, roles, when, the
preview with the recipients counted, KIRIM once; errors with examples, BATAL, changes from the
review, scope, resume."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.runtime import build_kawal
from bot.settings import Settings
from handlers.announcements import model as announcements
from handlers.app import Options
from handlers.kit.timing import QuietHours
from handlers.messages import Chart, Document, InboundKind, Reply, Text
from handlers.ports import FixedClock
from reminders.announcements import deliver_announcements
from storage.repos.announcements import AnnouncementRecord
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

AIR_HITAM = "18.04.19"
NOTICE = "Mulai 1 Desember, menu Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran."


async def _person(world: World, role: str, region: str, chat_id: str, name: str) -> Chat:
    code = "KWL-" + "".join("ABCDEFGHJK"[int(d)] for d in chat_id[-6:]).ljust(6, "Z")
    await world.invite(role, region, code)
    chat = world.user(chat_id)
    await chat.register(code, name)
    return chat


async def _people(world: World) -> dict[str, Chat]:
    return {
        "dinsos": await _person(world, "dinsos", "18.04", "100", "Bu Rina"),
        "op_sri": await _person(world, "operator", SRI_MENANTI, "101", "Budi Santoso"),
        "op_sri2": await _person(world, "operator", SRI_MENANTI, "102", "Siti Aminah"),
        "peratin_sri": await _person(world, "peratin", SRI_MENANTI, "103", "Pak Peratin"),
        "op_suka": await _person(world, "operator", SUKANANTI, "104", "Dewi Lestari"),
        "camat_air": await _person(world, "camat", AIR_HITAM, "105", "Pak Camat"),
    }


async def _file(chat: Chat, kind: InboundKind, path: Path, caption: str = "") -> Reply:
    inbound = chat._inbound(kind, media_ref=str(path), text=caption, file_name=path.name)
    return await chat.send(inbound)


async def _recent(world: World) -> list[AnnouncementRecord]:
    async with world.db.unit_of_work() as uow:
        return await uow.announcements.recent(limit=50)


async def _rows(world: World, announcement_id: int) -> dict[str, str]:
    async with world.db.unit_of_work() as uow:
        rows = await uow.announcements.deliveries(announcements.campaign(announcement_id))
    return {row.name: row.status for row in rows}


async def _open_form(world: World, chat: Chat) -> str | None:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity(chat.channel.value, chat.external_id)
        assert person is not None
        record = await uow.sessions.get_open(person.person_id)
    return record.form_id if record else None


async def _to_review(dinsos: Chat, region: str = "air hitam", roles: str = "1,2") -> None:
    await dinsos.press("ann:new")
    await dinsos.text(NOTICE)
    await dinsos.text(region)
    await dinsos.text(roles)
    await dinsos.press(dinsos.option("Sekarang"))


async def test_dinsos_writes_and_sends_an_announcement(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.press("m:announce")
    await dinsos.press(dinsos.option("Buat pengumuman"))
    assert "Pengumuman baru. Ketik BATAL" in dinsos.texts()
    assert "Tulis isi pengumuman, atau kirim foto/dokumen" in dinsos.texts()

    await dinsos.text(NOTICE)
    assert "Untuk wilayah mana?" in dinsos.texts()
    assert "Sekarang: Kab. Lampung Barat" in dinsos.texts()
    labels = [o.label for o in dinsos.question().options]
    assert labels[0] == "Seluruh Kab. Lampung Barat"
    assert "Kec. Air Hitam" in labels  # two kecamatan loaded: all fit in a WhatsApp list
    await dinsos.text("air hitam")
    assert "Untuk siapa?" in dinsos.texts() and dinsos.question().multi
    await dinsos.text("operator, peratin")
    assert "Kapan dikirim?" in dinsos.texts() and "(WIB)" in dinsos.texts()
    await dinsos.press(dinsos.option("Sekarang"))

    preview = dinsos.texts()
    assert "Pratinjau: beginilah pesan yang akan diterima." in preview
    assert f"📢 Pengumuman Dinsos #…\n\n{NOTICE}\n\nSetelah membaca" in preview
    assert "1. Isi: “Mulai 1 Desember" in preview
    assert "2. Wilayah: Kec. Air Hitam" in preview
    assert "3. Untuk: operator, peratin/kades" in preview
    assert "4. Dikirim: sekarang" in preview
    assert "Penerima: 3 orang (Telegram 3)" in preview
    assert "operator 2 · peratin/kades 1" in preview
    assert "diingatkan sekali setelah 24 jam" in preview
    assert [o.label for o in dinsos.question().options] == ["Kirim", "Batal"]

    await dinsos.press(dinsos.option("Kirim"))
    assert "✅ Pengumuman #1: 3 penerima, dikirim sekarang." in dinsos.texts()
    assert [o.value for o in dinsos.question().options] == ["ann:rep:1", "ann:list"]
    assert await _rows(world, 1) == {
        "Budi Santoso": "pending",
        "Siti Aminah": "pending",
        "Pak Peratin": "pending",
    }
    assert await _open_form(world, dinsos) is None
    [record] = await _recent(world)
    assert (record.region_codes, record.roles) == ((AIR_HITAM,), ("operator", "peratin"))
    assert record.text == NOTICE and record.media_path is None and record.nudge_after_hours == 24

    await dinsos.press("ann:rep:1")
    assert "Penerima 3" in dinsos.texts()


async def test_a_photo_with_its_caption_is_the_announcement(world: World, tmp_path: Path) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    photo = tmp_path / "jadwal.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    await dinsos.press("ann:new")
    await _file(dinsos, InboundKind.PHOTO, photo, "x" * (announcements.MAX_CAPTION + 1))
    assert "terlalu panjang (901 huruf, paling banyak 900)" in dinsos.texts()
    assert "Lampiran diterima. Sekarang tulis isi pengumumannya" in dinsos.texts()
    await _file(dinsos, InboundKind.PHOTO, photo, "Jadwal verval Desember")
    assert "Untuk wilayah mana?" in dinsos.texts()
    await dinsos.press(dinsos.option("Seluruh"))
    await dinsos.text("semua")
    await dinsos.text("sekarang")
    assert [m.path for m in dinsos.last.messages if isinstance(m, Chart)] == [str(photo)]
    assert "1. Isi: “Jadwal verval Desember” + foto jadwal.jpg" in dinsos.texts()
    assert "Penerima: 5 orang" in dinsos.texts()
    await dinsos.text("kirim")
    assert "Pengumuman #1: 5 penerima, dikirim sekarang" in dinsos.texts()
    [record] = await _recent(world)
    assert (record.media_kind, record.media_path) == ("photo", str(photo))
    assert record.region_codes == ("18.04",)
    async with world.db.unit_of_work() as uow:
        rows = await uow.outbox.of_campaign(announcements.campaign(record.id))
    assert len(rows) == 5
    assert all(
        row.payload[0] == {"kind": "chart", "path": str(photo), "caption": ""} for row in rows
    )


async def test_a_document_then_its_text(world: World, tmp_path: Path) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    pdf = tmp_path / "juknis.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    await _file(dinsos, InboundKind.DOCUMENT, pdf)  # no composer open: a register import
    assert "Kirim daftar DTKS sebagai berkas .csv atau .xlsx" in dinsos.texts()

    await dinsos.press("ann:new")
    await _file(dinsos, InboundKind.DOCUMENT, pdf)
    assert "Lampiran diterima. Sekarang tulis isi pengumumannya" in dinsos.texts()
    await dinsos.text("x" * (announcements.MAX_CAPTION + 1))
    assert "paling banyak 900" in dinsos.texts() and "Lampiran diterima" in dinsos.texts()
    await dinsos.text("Petunjuk teknis verval terlampir.")
    await dinsos.text("kembali")  # back to the text, which is kept
    assert dinsos.option("Tetap")
    await dinsos.press(dinsos.option("Tetap"))
    await _file(dinsos, InboundKind.DOCUMENT, pdf)  # not now: the step is kept
    assert "hanya bisa dikirim pada pertanyaan isi" in dinsos.texts()
    assert "Untuk wilayah mana?" in dinsos.texts()
    await dinsos.text("Sri Menanti")
    await dinsos.text("1")
    await dinsos.text("sekarang")
    documents = [m for m in dinsos.last.messages if isinstance(m, Document)]
    assert [(d.path, d.file_name) for d in documents] == [(str(pdf), "juknis.pdf")]
    assert "+ dokumen juknis.pdf" in dinsos.texts() and "Penerima: 2 orang" in dinsos.texts()
    await dinsos.press(dinsos.option("Kirim"))
    [record] = await _recent(world)
    assert (record.media_kind, record.text) == ("document", "Petunjuk teknis verval terlampir.")
    assert set(await _rows(world, record.id)) == {"Budi Santoso", "Siti Aminah"}


async def _at_22(world: World) -> Chat:
    """Dinsos on the review of an announcement to two villages at 22.00 WIB (quiet hours)."""
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.press("ann:new")
    await dinsos.text(NOTICE)
    await dinsos.text(f"{SRI_MENANTI}, Sukananti")
    await dinsos.text("1")
    await dinsos.text("15-01-2026 22.00")
    return dinsos


async def test_a_scheduled_announcement_waits_for_its_time(world: World) -> None:
    dinsos = await _at_22(world)
    review = dinsos.texts()
    assert "2. Wilayah: Pekon Sri Menanti, Pekon Sukananti" in review
    assert "4. Dikirim: Kamis, 15 Januari 2026 pukul 22.00 WIB" in review
    assert "🌙 Pukul 22.00 termasuk jam tenang (21.00–07.00)" in review
    await dinsos.text("4")
    await dinsos.text("16 Januari 2026 pukul 08.00")
    # only the changed line again (with the preview and who it reaches), not the whole review
    assert "Dikirim: Jumat, 16 Januari 2026 pukul 08.00 WIB" in dinsos.texts()
    assert "1. Isi:" not in dinsos.texts()
    assert "jam tenang" not in dinsos.texts()
    await dinsos.press(dinsos.option("Kirim"))
    assert (
        "✅ Pengumuman #1: 3 penerima, dijadwalkan Jumat, 16 Januari 2026 pukul 08.00 WIB."
        in dinsos.texts()
    )
    [record] = await _recent(world)
    assert record.status == "scheduled"
    assert record.scheduled_at == dt.datetime(2026, 1, 16, 1, 0, tzinfo=dt.UTC)
    assert await _rows(world, 1) == {}
    world.clock.set(dt.datetime(2026, 1, 16, 1, 0, tzinfo=dt.UTC))
    assert await deliver_announcements(world.db, world.clock, QuietHours()) == 3
    assert set(await _rows(world, 1)) == {"Budi Santoso", "Siti Aminah", "Dewi Lestari"}


async def test_wrong_answers_get_an_example_and_the_same_question(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.press("ann:new")
    await dinsos.text("   ")
    assert "Isi pengumuman masih kosong" in dinsos.texts() and "Contoh: Mulai" in dinsos.texts()
    assert "Tulis isi pengumuman" in dinsos.question().text
    await dinsos.text("x" * (announcements.MAX_TEXT + 1))
    assert "terlalu panjang (3001 huruf, paling banyak 3000)" in dinsos.texts()
    assert "Tulis isi pengumuman" in dinsos.question().text
    await dinsos.text(NOTICE)

    await dinsos.text("35.28")
    assert "Wilayah 35.28 di luar wilayah tugas Anda" in dinsos.texts()
    assert "Contoh: Way Tenong, Air Hitam" in dinsos.texts()
    assert "Untuk wilayah mana?" in dinsos.question().text
    await dinsos.text("Air Hitam, Kota Antah")
    assert 'Wilayah "Kota Antah" tidak ditemukan di kabupaten Anda' in dinsos.texts()
    assert "Untuk wilayah mana?" in dinsos.question().text
    await dinsos.text("9")
    assert 'Wilayah "9" tidak ditemukan' in dinsos.texts()
    await dinsos.text("Air Hitam, Sri Menanti")  # the village lies in the kecamatan: one region
    await dinsos.text("1,9")
    assert "Contoh: 1,2" in dinsos.texts() and dinsos.question().multi
    await dinsos.text("operator")
    await dinsos.text("14-01-2026 08.00")
    assert "harus setelah sekarang (Kamis, 15 Januari 2026 pukul 10.30 WIB)" in dinsos.texts()
    assert "Contoh: 16-01-2026 08.00" in dinsos.texts()
    assert "Kapan dikirim?" in dinsos.question().text
    await dinsos.text("besok pagi")
    assert "Waktu tidak dikenali. Ketik SEKARANG, atau tulis seperti ini: 16-01-2026 08.00" in (
        dinsos.texts()
    )
    await dinsos.text("16-01-2026")
    assert "Tulis juga jamnya. Contoh: 16-01-2026 08.00" in dinsos.texts()
    await dinsos.text("16-01-2026 8.00")
    assert "2. Wilayah: Kec. Air Hitam" in dinsos.texts()
    await dinsos.text("7")
    assert "Ketik KIRIM, nomor baris 1–4 untuk mengubah, atau BATAL" in dinsos.texts()
    assert not any(isinstance(m, Text) and "Pratinjau" in m.text for m in dinsos.last.messages)


async def test_batal_sends_nothing(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.press("ann:new")
    await dinsos.text(NOTICE)
    await dinsos.text("batal")
    await dinsos.text("ya")  # the engine asks before it throws answers away
    assert "Pengumuman dibatalkan. Tidak ada yang dikirim." in dinsos.texts()
    assert await _open_form(world, dinsos) is None
    await _to_review(dinsos)
    await dinsos.press(dinsos.option("Batal"))
    await dinsos.press(dinsos.option("Ya"))
    assert "Pengumuman dibatalkan" in dinsos.texts()
    await dinsos.press("anf:send")  # a stale button
    assert "sudah selesai atau dibatalkan" in dinsos.texts()
    assert await _recent(world) == []


async def test_a_number_on_the_review_changes_that_answer(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await _to_review(dinsos)
    assert "Penerima: 3 orang" in dinsos.texts()
    await dinsos.text("3")
    assert "Untuk siapa?" in dinsos.texts()
    await dinsos.text("camat")
    assert "Untuk: camat" in dinsos.texts() and "Penerima: 1 orang" in dinsos.texts()
    await dinsos.text("2")
    await dinsos.text("Sukananti")
    assert "⚠️ Tidak ada penerima" in dinsos.texts()
    assert [o.label for o in dinsos.question().options] == [
        "Ubah wilayah",
        "Ubah penerima",
        "Batal",
    ]
    await dinsos.text("kirim")
    assert "Tidak ada penerima, jadi pengumuman tidak dikirim" in dinsos.texts()
    await dinsos.press(dinsos.option("Ubah penerima"))
    await dinsos.text("1")
    assert "Penerima: 1 orang" in dinsos.texts() and "Untuk: operator" in dinsos.texts()
    await dinsos.text("kirim")
    [record] = await _recent(world)
    assert (record.region_codes, record.roles) == ((SUKANANTI,), ("operator",))
    assert set(await _rows(world, record.id)) == {"Dewi Lestari"}


async def test_only_dinsos_opens_the_composer(world: World) -> None:
    people = await _people(world)
    for key in ("op_sri", "peratin_sri", "camat_air"):
        chat = people[key]
        await chat.press("ann:new")
        assert "Hanya petugas Dinsos" in chat.texts()
        assert await _open_form(world, chat) is None
        await chat.press("anf:send")
        assert "sudah selesai atau dibatalkan" in chat.texts()
    assert await _recent(world) == []


async def test_kirim_pressed_twice_sends_once(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await _to_review(dinsos)
    send = dinsos.option("Kirim")
    inbound = dinsos._inbound(InboundKind.CHOICE, payload=send)
    await dinsos.send(inbound)
    assert "Pengumuman #1: 3 penerima" in dinsos.texts()
    assert (await dinsos.send(inbound)).messages == []  # the same update replayed
    await dinsos.press(send)  # pressed again
    assert "sudah selesai atau dibatalkan" in dinsos.texts()
    await dinsos.text("kirim")  # typed: no form is open, so the menu answers
    assert "Pengumuman #2" not in dinsos.texts()
    assert len(await _recent(world)) == 1
    assert len(await _rows(world, 1)) == 3


async def test_the_composer_resumes_and_blocks_other_forms(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.press("ann:new")
    await dinsos.text(NOTICE)
    await dinsos.text("menu")
    assert dinsos.option("Lanjutkan")
    await dinsos.text("lanjut")
    assert "Melanjutkan isian: pengumuman" in dinsos.texts()
    assert "Untuk wilayah mana?" in dinsos.texts()
    await dinsos.press("m:announce")
    await dinsos.press(dinsos.option("Buat pengumuman"))  # the open one again, not a new one
    assert "Melanjutkan isian: pengumuman" in dinsos.texts()
    await dinsos.press("dl:new")
    assert "Anda masih punya isian yang belum selesai: pengumuman" in dinsos.texts()
    await dinsos.text("air hitam")
    assert "Untuk siapa?" in dinsos.texts()
    await dinsos.command("batal")
    await dinsos.text("ya")
    assert await _open_form(world, dinsos) is None


async def test_the_nudge_hours_come_from_the_settings(world: World) -> None:
    settings = Settings(
        _env_file=None,
        announcement_nudge_hours=6,
        quiet_hours="22:00-06:00",
    )
    built = build_kawal(settings, world.db, FixedClock(world.clock.now()))
    assert built.options.announcement_nudge_hours == 6
    assert built.options.quiet_hours == QuietHours(dt.time(22), dt.time(6))
    world.kawal.options = Options(announcement_nudge_hours=6)
    people = await _people(world)
    dinsos = people["dinsos"]
    await _to_review(dinsos)
    assert "diingatkan sekali setelah 6 jam" in dinsos.texts()
    await dinsos.text("kirim")
    [record] = await _recent(world)
    assert record.nudge_after_hours == 6


async def test_the_composer_in_english(world: World) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    await dinsos.text("language")
    await dinsos.press("ann:new")
    assert "New announcement. Type BATAL to stop" in dinsos.texts()
    await dinsos.text(NOTICE)
    assert "For which regions?" in dinsos.texts() and dinsos.option("All of Kab. Lampung Barat")
    await dinsos.text("all")
    await dinsos.text("1")
    await dinsos.text("tomorrow")
    assert "Time not understood. Type SEKARANG, or write it like this: 16-01-2026 08.00" in (
        dinsos.texts()
    )
    await dinsos.press(dinsos.option("Now"))
    assert "Preview: this is the message recipients will get." in dinsos.texts()
    assert "📢 Dinsos announcement #…" in dinsos.texts()
    assert (
        "4. Sent: now" in dinsos.texts() and "Recipients: 3 people (Telegram 3)" in dinsos.texts()
    )
    await dinsos.text("send")
    assert "✅ Announcement #1: 3 recipients, sent now." in dinsos.texts()


async def test_kirim_in_the_quiet_hours_says_when_it_really_goes_out(world: World) -> None:
    dinsos = await _at_22(world)
    await dinsos.press(dinsos.option("Kirim"))
    # the send plan of the fan-out (handlers.announcements.sending), not "scheduled 22.00"
    assert (
        "✅ Pengumuman #1: 3 penerima. Waktu kirim (Kamis, 15 Januari 2026 pukul 22.00 WIB) "
        "masuk jam tenang 21.00–07.00, jadi pesan dikirim Jumat, 16 Januari 2026 pukul 07.00 WIB."
    ) in dinsos.texts()
    assert "dijadwalkan" not in dinsos.texts()
