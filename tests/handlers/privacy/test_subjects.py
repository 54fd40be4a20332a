"""Issue 18 for Dinsos: ``SUBJEK <NIK>`` reports every record, change, view and export
touching a NIK (its own kabupaten only), and restricting the household hides it from the
operators' search and lists, the counts and the SIKS-NG export."""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.regions import load_regions
from handlers.registers.exporter import export_region
from tests.handlers.conftest import SRI_MENANTI, Chat, World

AGUS_NIK = "1804072704900258"  # head of the Agus Hidayat household, Sri Menanti
_codes = itertools.count(1)


async def _person(world: World, role: str, region: str, chat_id: str, name: str) -> Chat:
    code = f"KWL-S{next(_codes):05d}"
    await world.invite(role, region, code)
    chat = world.user(chat_id)
    await chat.register(code, name)
    return chat


async def _verify_agus(operator: Chat) -> None:
    await operator.press("m:verify")
    await operator.text("1804 0727 0490 0258")  # grouped as on the KTP
    await operator.press(operator.option("Agus Hidayat"))
    await operator.press("ditemukan")
    await operator.press("__keep__")
    await operator.text("7")  # RT changed from 006
    for answer in ("tetap", "ya", "0812-3456-7890", "lewati"):
        await operator.text(answer)
    await operator.press(operator.option("Simpan"))
    assert "Tersimpan" in operator.texts()


async def test_the_subject_report_shows_who_did_what_and_when(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "400", "Bu Rina")
    operator = await _person(world, "operator", SRI_MENANTI, "401", "Budi Santoso")
    await _verify_agus(operator)
    await dinsos.text("menu")
    await dinsos.press(dinsos.option("Ekspor"))

    await dinsos.text(f"SUBJEK {AGUS_NIK}")
    report = dinsos.question().text
    assert report.startswith("Laporan subjek data NIK ************0258: 1 keluarga")
    assert AGUS_NIK not in report  # masked even for Dinsos: the report may be forwarded
    assert "Keluarga Agus Hidayat · Sri Menanti" in report
    assert "dibuka oleh Budi Santoso (telegram)" in report
    assert "verifikasi_keluarga" in report and "disimpan oleh Budi Santoso (telegram)" in report
    assert "diekspor oleh Bu Rina (telegram), wilayah 18.04" in report
    assert dinsos.option("Batasi Agus")
    await dinsos.text(f"subjek {AGUS_NIK}")  # the first report is on the second one
    assert "laporan subjek oleh Bu Rina (telegram)" in dinsos.question().text


async def test_only_dinsos_and_only_its_own_area(world: World) -> None:
    operator = await _person(world, "operator", SRI_MENANTI, "410", "Budi Santoso")
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    elsewhere = await _person(world, "dinsos", "35.28", "411", "Dinsos Pamekasan")
    await operator.text(f"SUBJEK {AGUS_NIK}")  # for an operator: not a word of theirs
    assert "Laporan subjek" not in operator.texts()
    await operator.press("subj:r:1")
    assert "hanya untuk Dinsos" in operator.texts()
    await elsewhere.text(f"SUBJEK {AGUS_NIK}")
    assert "Tidak ada keluarga" in elsewhere.texts() and AGUS_NIK not in elsewhere.texts()
    await elsewhere.text("SUBJEK 12345")
    assert "Contoh: SUBJEK" in elsewhere.texts()


async def test_a_restricted_household_is_left_out_until_lifted(
    world: World, tmp_path: Path
) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "420", "Bu Rina")
    operator = await _person(world, "operator", SRI_MENANTI, "421", "Budi Santoso")
    await dinsos.text(f"SUBJEK {AGUS_NIK}")
    await dinsos.press(dinsos.option("Batasi Agus"))
    assert "Keluarga Agus Hidayat dibatasi" in dinsos.texts()

    await operator.press("m:verify")
    await operator.text("Agus Hidayat")
    assert "Tidak ada keluarga yang cocok" in operator.texts()
    async with world.db.unit_of_work() as uow:
        counts = await export_region(uow, SRI_MENANTI, tmp_path / "a.xlsx")
        before = (await uow.households.count_by_status(SRI_MENANTI))["pending"]
    await dinsos.text(f"SUBJEK {AGUS_NIK}")
    assert "DIBATASI sejak" in dinsos.question().text
    await dinsos.press(dinsos.option("Buka Agus"))
    assert "dicabut" in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        again = await export_region(uow, SRI_MENANTI, tmp_path / "b.xlsx")
        after = (await uow.households.count_by_status(SRI_MENANTI))["pending"]
    assert (again.households, after) == (counts.households + 1, before + 1)
