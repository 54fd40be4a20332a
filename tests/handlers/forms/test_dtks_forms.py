"""Members, housing, proposals, problem reports, imports and exports through the handlers."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import load_workbook

from handlers.messages import Document, InboundKind
from tests.handlers.conftest import SRI_MENANTI, World

DATA = Path(__file__).resolve().parents[2] / "data"


async def _operator(world: World, external_id: str, region: str = SRI_MENANTI):
    code = f"KWL-OP{external_id[-4:]:0>4}"
    await world.invite("operator", region, code)
    chat = world.user(external_id)
    await chat.register(code)
    return chat


async def _household(world: World, kk: str):
    async with world.db.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk(kk)
    return household


async def _open(chat, menu_key: str, query: str, label: str) -> None:
    await chat.press(f"m:{menu_key}")
    await chat.text(query)
    await chat.press(chat.option(label))


async def test_menu_lists_the_operator_items(world: World) -> None:
    chat = await _operator(world, "300")
    await chat.text("menu")
    labels = [o.label for o in chat.question().options]
    assert labels[:6] == [
        "Verifikasi keluarga",
        "Anggota keluarga",
        "Kondisi rumah",
        "Usulan keluarga baru",
        "Lapor kendala",
        "Keluarga belum didata",
    ]


async def test_members_form_updates_members_and_adds_a_new_one(world: World) -> None:
    chat = await _operator(world, "301")
    await _open(chat, "members", "1804191611200001", "Agus Hidayat")
    assert "Anggota keluarga: keluarga Agus Hidayat" in chat.texts()
    # the card: every member with sex, birth year and the end of the NIK
    assert "Lestari Hidayat (P, 1964, NIK …0159) Istri/suami" in chat.texts()
    await chat.text("1")  # member 1 (head): keep all, then education, job, disability
    for answer in ["tetap"] * 6 + ["kawin", "sma", "Petani kopi", "tidak ada"]:
        await chat.text(answer)
    await chat.text("2")
    await chat.text("Meninggal")  # member 2
    for member in ("3", "4"):  # still here, no corrections but the new questions
        await chat.text(member)
        for answer in ["tetap"] * 6 + ["belum kawin", "SD", "lewati", "tidak ada"]:
            await chat.text(answer)
    await chat.text("tambah anggota")  # a new member, "baru" without asking
    for answer in ["Bayi Hidayat", "L", "01-01-2025", "9999999999999995", "cucu"]:
        await chat.text(answer)
    for answer in ["belum kawin", "1", "lewati", "tidak ada", "selesai", "lewati"]:
        await chat.text(answer)
    assert "Periksa jawaban" in chat.texts()
    assert "Tinggal di rumah ini → Meninggal" in chat.texts()
    await chat.text("simpan")
    assert "Tersimpan. Keluarga Agus Hidayat: diperbarui" in chat.texts()

    household = await _household(world, "1804191611200001")
    assert household.status == "updated"
    names = [(m.name, m.presence) for m in household.members]
    assert names[1] == ("Lestari Hidayat", "meninggal")
    assert names[-1] == ("Bayi Hidayat", "baru")
    head = household.members[0]
    assert head.marital_status == "kawin"
    assert head.data == {"education": "sma", "job": "Petani kopi", "disability": ["tidak_ada"]}
    async with world.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="household", entity_id=str(household.id))
    assert audit[-1].before["members.1.presence"] == "tinggal"
    assert audit[-1].after["members.1.presence"] == "meninggal"


async def test_housing_form_stores_housing_and_programmes(world: World) -> None:
    chat = await _operator(world, "302")
    await _open(chat, "housing", "Agus Hidayat", "Agus Hidayat")
    for answer in ["milik sendiri", "36", "keramik", "tembok", "seng", "sumur bor"]:
        await chat.text(answer)
    await chat.text("Listrik PLN dengan meteran")
    assert "Daya terpasang" in chat.texts()
    for answer in ["900 VA", "elpiji 3 kg", "1", "sepeda motor", "tetap", "lewati", "simpan"]:
        await chat.text(answer)
    assert "Tersimpan" in chat.texts()
    household = await _household(world, "1804191611200001")
    assert household.data["housing"]["power"] == "900"
    assert household.data["housing"]["floor_area"] == 36
    assert household.data["programmes"] == ["tidak_ada"]
    assert household.status == "updated"  # the first housing survey is an update
    await _open(chat, "housing", "Agus Hidayat", "Agus Hidayat")
    for answer in ["tetap"] * 12 + ["lewati"]:
        await chat.text(answer)
    assert "Periksa jawaban" in chat.texts() and "→" not in chat.texts()
    await chat.text("simpan")
    assert "Keluarga Agus Hidayat: diperbarui" in chat.texts()  # an update stays an update


async def test_proposal_creates_a_proposed_household(world: World) -> None:
    chat = await _operator(world, "303")
    await chat.press("m:propose")
    assert "Usulan keluarga baru: Sri Menanti" in chat.texts()
    for answer in ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]:
        await chat.text(answer)
    for answer in ["Dusun I, Pekon Sri Menanti", "2", "1", "tidak"]:
        await chat.text(answer)
    await chat.photo("foto-rumah-1")
    await chat.text("lewati")  # no GPS location
    await chat.text("lewati")
    await chat.text("simpan")
    assert "Usulan keluarga baru Joko Susilo tercatat" in chat.texts()
    household = await _household(world, "1804190101250009")
    assert (household.status, household.source) == ("proposed", "proposal")
    assert (household.region_code, household.rt) == (SRI_MENANTI, "002")
    assert household.data["proposal"]["location_missing"] is True
    assert household.data["proposal"]["photo_missing"] is False
    [head] = household.members
    assert (head.nik, head.relation, head.presence) == (
        "1804072704900999",
        "kepala_keluarga",
        "baru",
    )
    async with world.db.unit_of_work() as uow:
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
    assert submission.household_id == household.id
    assert submission.answers["location_missing"] is True
    assert submission.answers["photo_missing"] is False


async def test_a_duplicate_is_said_at_its_question_and_only_for_this_village(
    world: World,
) -> None:
    chat = await _operator(world, "304")
    await chat.press("m:propose")
    await chat.text("1804191611200001")  # Agus Hidayat's No. KK (same village)
    assert "No. KK 1804191611200001 sudah terdaftar untuk keluarga Agus Hidayat" in chat.texts()
    await chat.text("ya")  # the operator knows: the same card, kept
    for answer in ["Agus Hidayat", "L", "27-04-1990"]:
        await chat.text(answer)
    async with world.db.unit_of_work() as uow:
        [marni] = await uow.households.search("18.04.07.2006", "Marni")
    other = marni.members[0].nik
    assert other is not None
    await chat.text(other)  # Marni's NIK, another kecamatan: nothing is said about it
    assert "sudah tercatat" not in chat.texts() and "Sukananti" not in chat.texts()
    if "⚠️" in chat.texts() or "berbeda" in chat.texts():
        await chat.text("tidak")  # a sex/birth-date warning: type the right one instead
    else:
        await chat.text("kembali")
    await chat.text("1804072704900258")  # Agus Hidayat's own NIK
    assert "NIK 1804072704900258 sudah tercatat untuk Agus Hidayat" in chat.texts()
    # asked again at the NIK: confirm it or type another, before anything else is asked
    assert [o.label for o in chat.question().options] == ["Ya, benar", "Tidak, ubah"]
    await chat.text("tidak")
    assert "NIK kepala keluarga" in chat.texts()


async def test_problem_report_is_stored_and_listed_for_dinsos(world: World) -> None:
    chat = await _operator(world, "305")
    await chat.press("m:report")
    await chat.text("1")
    await chat.text("Aplikasi error saat simpan NIK 1804072704900258")
    await chat.text("lewati")
    await chat.text("simpan")
    assert "Laporan kendala #" in chat.texts()
    await world.invite("dinsos", "18.04", "KWL-DINS01")
    dinsos = world.user("306")
    await dinsos.register("KWL-DINS01", "Bu Dinsos")
    labels = [o.label for o in dinsos.question().options]
    assert "Laporan kendala (1)" in labels and "Ekspor data" in labels
    await dinsos.press("m:reports")
    texts = dinsos.texts()
    assert "Laporan kendala terbuka di Lampung Barat (1)" in texts
    assert "Sri Menanti" in texts and "Aplikasi SIKS-NG error" in texts
    assert "1804072704900258" not in texts and "************0258" in texts


async def test_dinsos_imports_a_register_sent_as_a_document(world: World, tmp_path: Path) -> None:
    await world.invite("dinsos", "18.04", "KWL-DINS02")
    dinsos = world.user("307")
    await dinsos.register("KWL-DINS02", "Pak Dinsos")
    with (DATA / "dtks_register_sri_menanti.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[3][2] = "1.80419E+15"
    bad = tmp_path / "rusak.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    await dinsos.send(
        dinsos._inbound(InboundKind.DOCUMENT, media_ref=str(bad), file_name="rusak.csv")
    )
    assert "DIBATALKAN" in dinsos.texts() and "Baris 4, kolom NIK" in dinsos.texts()
    good = DATA / "dtks_register_sri_menanti.csv"
    await dinsos.send(
        dinsos._inbound(InboundKind.DOCUMENT, media_ref=str(good), file_name=good.name)
    )
    assert "berhasil: 84 baris, 0 keluarga baru, 30 keluarga diperbarui" in dinsos.texts()
    operator = await _operator(world, "308")
    await operator.send(
        operator._inbound(InboundKind.DOCUMENT, media_ref=str(good), file_name=good.name)
    )
    assert "Hanya petugas Dinsos" in operator.texts()


async def test_export_from_the_bot_is_scoped(world: World, tmp_path: Path) -> None:
    world.kawal.options = type(world.kawal.options)(exports_dir=tmp_path / "exports")
    chat = await _operator(world, "309")
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    for answer in ["ditemukan", "tetap", "4", "tetap", "ya", "lewati", "lewati", "simpan"]:
        await chat.text(answer)
    await world.invite("peratin", SRI_MENANTI, "KWL-PERA03")
    head = world.user("310")
    await head.register("KWL-PERA03", "Pak Peratin")
    await head.press("m:export")
    [document] = [m for m in head.last.messages if isinstance(m, Document)]
    assert "30 keluarga" in document.caption
    book = load_workbook(document.path, read_only=True)
    rows = list(book["Keluarga"].iter_rows(values_only=True))
    assert len(rows) == 31  # the header and Sri Menanti's 30 households, not Sukananti's
    agus = next(r for r in rows if r[4] == "Agus Hidayat")
    header = rows[0]
    assert agus[header.index("Status Pemutakhiran")] == "Diperbarui"
    assert agus[header.index("Status Keluarga")] == "Ditemukan"
    assert agus[header.index("RT")] == "004"  # padded as SIKS-NG shows it
    assert agus[header.index("Perubahan")] == "RT: 006 → 004"
    book.close()
    operator_menu = [o.label for o in chat.question().options]
    assert "Ekspor data" not in operator_menu


async def test_find_a_household_by_member_nik_and_page_the_pending_list(world: World) -> None:
    chat = await _operator(world, "311")
    await chat.press("m:housing")
    await chat.text("1804 1954 0564 0159")  # the wife's NIK, typed in groups
    assert [o.label for o in chat.question().options] == ["Agus Hidayat · RT 006/RW 003"]
    await chat.text("batal")
    await chat.press("m:pending")
    assert "(hal. 1/4)" in chat.texts()
    await chat.press(chat.option("Berikutnya"))
    assert "(hal. 2/4)" in chat.texts()


async def test_head_renamed_in_members_form_renames_the_household(world: World) -> None:
    chat = await _operator(world, "312")
    await _open(chat, "members", "1804190106200002", "Darmawan Lubis")
    await chat.text("1")  # the head
    for answer in ["tetap", "Darmawan Lubis Putra", *["tetap"] * 4, "2", "1", "lewati", "7"]:
        await chat.text(answer)
    await chat.text("2")  # the wife
    await chat.text("3")  # Pindah (dalam negeri)
    for answer in ["selesai", "lewati", "simpan"]:
        await chat.text(answer)
    assert "Tersimpan. Keluarga Darmawan Lubis Putra: diperbarui" in chat.texts()
    household = await _household(world, "1804190106200002")
    assert household.head_name == "Darmawan Lubis Putra"
    assert [m.presence for m in household.members] == ["tinggal", "pindah"]


async def test_dinsos_exports_the_whole_kabupaten(world: World, tmp_path: Path) -> None:
    world.kawal.options = type(world.kawal.options)(exports_dir=tmp_path / "exports")
    await world.invite("dinsos", "18.04", "KWL-DINS04")
    dinsos = world.user("313")
    await dinsos.register("KWL-DINS04", "Bu Dinsos")
    await dinsos.press("m:export")
    [document] = [m for m in dinsos.last.messages if isinstance(m, Document)]
    assert document.file_name.startswith("ekspor-18.04-") and "33 keluarga" in document.caption
    assert Path(document.path).parent == tmp_path / "exports"
