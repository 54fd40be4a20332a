"""'Kualitas data' through the handlers, on both backends: findings, the summary, the XLSX with
NIKs masked outside the Dinsos area, and who may ask."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.regions import load_regions
from handlers.app import Kawal, Options
from handlers.messages import Document, Text, Tone
from handlers.quality import view as quality
from handlers.quality.view import confirm, untouched_since
from storage.repos.quality import MemberFinding
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

BUJUR_BARAT = "35.28.11.2001"
AGUS = "1804072704900258"  # in the demo register of Sri Menanti: head Agus Hidayat
DUPLICATE = "1804070101700099"
LESTARI = "1804195405640160"  # woman, 14-05-1964


@pytest.fixture
async def findings(world: World, tmp_path: Path) -> World:
    """The world, files under ``tmp_path``, and a few problems planted in the register:
    Agus's NIK again in Pamekasan (another kabupaten), one NIK in two villages of Lampung
    Barat, placeholders in several households, a woman recorded as a man, a wrong birth day."""
    options = Options(exports_dir=tmp_path / "exports", charts_dir=tmp_path / "charts")
    world.kawal = Kawal(world.db, world.kawal.forms, world.clock, options)
    now = world.clock.now()
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")

        async def family(region: str, head: str, *members: tuple[Any, ...]) -> None:
            household = await uow.households.add(region, head, None, None, "", "", "", now=now)
            for position, (name, nik, sex, born) in enumerate(members, 1):
                await uow.households.add_member(household, position, name, nik, "anak", sex, born)

        await family(BUJUR_BARAT, "Agus Pindah", ("Agus Pindah", AGUS, "L", dt.date(1990, 4, 27)))
        await family(
            SRI_MENANTI,
            "Herman",
            ("Herman", DUPLICATE, "L", dt.date(1970, 1, 1)),
            ("Lestari", LESTARI, "L", dt.date(1964, 5, 14)),  # sex disagrees
            ("Bayi", "9999999999999995", "P", dt.date(2025, 1, 1)),
        )
        await family(
            SUKANANTI,
            "Herman W.",
            ("Herman W.", DUPLICATE, "L", dt.date(1970, 1, 2)),  # and the day disagrees
            ("Bayi", "9999999999999995", "L", dt.date(2025, 2, 2)),
            ("Tamu", "9999999999999999", None, None),
        )
    return world


async def _user(world: World, role: str, region: str, external_id: str) -> Chat:
    code = f"KWL-Q{role[:2].upper()}{external_id[-3:]:0>3}"
    await world.invite(role, region, code)
    chat = world.user(external_id)
    await chat.register(code, f"Bu {role.title()}")
    return chat


def _day(value: Any) -> Any:
    """openpyxl reads a date cell back as a naive datetime at midnight: the date."""
    if isinstance(value, dt.datetime):
        assert value.time() == dt.time(0, 0)
        return value.date()
    return value


def _sheets(document: Document) -> dict[str, list[tuple[Any, ...]]]:
    workbook = load_workbook(document.path, read_only=True)
    try:
        return {
            sheet.title: [tuple(_day(v) for v in row) for row in sheet.values]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _number_formats(document: Document, title: str, column: str) -> list[str]:
    """How the cells of ``column`` below the header are shown (dates: ``DD-MM-YYYY``)."""
    workbook = load_workbook(document.path)
    try:
        return [cell.number_format for cell in workbook[title][column][1:]]
    finally:
        workbook.close()


async def test_dinsos_gets_a_summary_and_the_workbook(findings: World) -> None:
    findings.clock.advance(dt.timedelta(days=31))
    dinsos = await _user(findings, "dinsos", "18.04", "401")
    labels = [o.label for o in dinsos.question().options]
    assert "Kualitas data" in labels
    await dinsos.press("m:quality")
    summary, document = dinsos.last.messages
    assert isinstance(summary, Text) and isinstance(document, Document)
    assert summary.text.splitlines() == [
        "🔎 Kualitas data Kab. Lampung Barat",
        "• NIK ganda: 2 NIK pada 4 anggota (2 NIK antar desa)",
        "• NIK tidak cocok dengan jawaban: jenis kelamin 1, tanggal lahir 1",
        "• Keluarga belum disentuh sejak 16-01-2026: 35 di 2 desa",
        "Rincian di berkas XLSX, satu lembar per jenis. Tanggal lain: KUALITAS 01-10-2026",
    ]
    assert document.file_name == "kualitas-18.04-20260215-103000.xlsx"
    sheets = _sheets(document)
    assert list(sheets) == [
        "NIK ganda",
        "NIK tidak cocok",
        "Belum disentuh per desa",
        "Belum disentuh",
    ]
    duplicates = sheets["NIK ganda"]
    assert duplicates[0][:6] == (
        "NIK",
        "Jumlah",
        "Kode wilayah",
        "Kecamatan",
        "Desa/Kelurahan",
        "ID DTKS",
    )
    rows = {(r[0], r[4]): r for r in duplicates[1:]}
    # In Dinsos' area the NIK is in full; the copy in Pamekasan shows its village, masked.
    assert rows[(AGUS, "Sri Menanti")][7:9] == ("Agus Hidayat", "Agus Hidayat")
    pamekasan = rows[("************0258", "Bujur Barat")]
    assert pamekasan[1:4] == (2, BUJUR_BARAT, "Batumarmar")
    hidden = "(di luar wilayah Anda)"
    assert pamekasan[5:10] == (None, None, hidden, hidden, None)  # empty cells read as None
    assert rows[(DUPLICATE, "Sukananti")][3] == "Way Tenong"
    assert not any("9999999999999995" in str(r) for r in duplicates)  # placeholders ignored
    mismatches = sheets["NIK tidak cocok"][1:]
    assert [(r[6], r[7], r[8], r[9], r[10], r[11], r[12]) for r in mismatches] == [
        (
            "Herman W.",
            DUPLICATE,
            "Laki-laki",
            "Laki-laki",
            dt.date(1970, 1, 2),  # a date cell
            dt.date(1970, 1, 1),
            "tanggal lahir",
        ),
        (
            "Lestari",
            LESTARI,
            "Laki-laki",
            "Perempuan",
            dt.date(1964, 5, 14),
            dt.date(1964, 5, 14),
            "jenis kelamin",
        ),
    ]  # by village code: Sukananti (Way Tenong, 18.04.07) before Sri Menanti
    assert sheets["Belum disentuh per desa"] == [
        ("Kode wilayah", "Kecamatan", "Desa/Kelurahan", "Jumlah keluarga", "Paling lama sejak"),
        (SUKANANTI, "Way Tenong", "Sukananti", 4, dt.date(2026, 1, 15)),
        (SRI_MENANTI, "Air Hitam", "Sri Menanti", 31, dt.date(2026, 1, 15)),
    ]
    assert _number_formats(document, "Belum disentuh per desa", "E") == ["DD-MM-YYYY"] * 2
    untouched = sheets["Belum disentuh"]
    assert untouched[0][3:6] == ("ID DTKS", "No. KK", "Kepala keluarga")
    assert len(untouched) == 1 + 35  # 33 from the register and 2 planted; not Bujur Barat's
    assert {r[0][:5] for r in untouched[1:]} == {"18.04"}
    kk = next(r[4] for r in untouched[1:] if r[5] == "Agus Hidayat")
    assert kk == "1804191611200001"  # in full for Dinsos of the area


async def test_the_bot_lists_the_longest_untouched_and_counts_all(
    findings: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quality, "UNTOUCHED_LIST_LIMIT", 10)
    async with findings.db.unit_of_work() as uow:  # one household left long ago
        [old] = await uow.households.search(SRI_MENANTI, "Agus Hidayat")
        await uow.households.set_status(
            old.id, "verified", None, findings.clock.now() - dt.timedelta(days=100)
        )
    findings.clock.advance(dt.timedelta(days=31))
    dinsos = await _user(findings, "dinsos", "18.04", "408")
    await dinsos.text("kualitas")
    assert "• Keluarga belum disentuh sejak 16-01-2026: 35 di 2 desa" in dinsos.texts()
    assert "Daftar keluarga belum disentuh di XLSX: 10 yang paling lama" in dinsos.texts()
    [document] = [m for m in dinsos.last.messages if isinstance(m, Document)]
    sheets = _sheets(document)
    listed = sheets["Belum disentuh"][1:]
    assert len(listed) == 10
    assert listed[0][5:] == (
        "Agus Hidayat", "006", "003", "terverifikasi", "DTKS", dt.date(2025, 10, 7),
    )  # fmt: skip
    assert set(_number_formats(document, "Belum disentuh", "K")) == {"DD-MM-YYYY"}
    assert sum(row[3] for row in sheets["Belum disentuh per desa"][1:]) == 35


async def test_untouched_since_a_typed_date_and_bad_dates(findings: World) -> None:
    dinsos = await _user(findings, "dinsos", "18.04", "402")
    await dinsos.command("kualitas", "14-01-2026")
    assert "Keluarga belum disentuh sejak 14-01-2026: 0" in dinsos.texts()
    await dinsos.text("kualitas 16-01-2026")
    assert "Tanggal itu belum lewat" in dinsos.texts()
    await dinsos.command("kualitas", "kemarin")
    [error] = dinsos.last.messages
    assert isinstance(error, Text) and error.tone is Tone.ERROR
    assert "Tanggal kemarin tidak dikenali. Contoh: KUALITAS 01-10-2026" in error.text
    await dinsos.text("kualitas rumah baik")  # a sentence, not a request: the menu answers
    assert "Pilihan tidak dikenal" in dinsos.texts()


async def test_admin_sees_identifiers_masked(findings: World) -> None:
    admin = await _user(findings, "admin", "18", "403")
    await admin.text("kualitas")
    [document] = [m for m in admin.last.messages if isinstance(m, Document)]
    sheets = _sheets(document)
    niks = [r[0] for r in sheets["NIK ganda"][1:]]
    assert niks and all("*" in nik for nik in niks)
    assert all("*" in r[7] for r in sheets["NIK tidak cocok"][1:])


async def test_only_dinsos_and_admin_may_ask(findings: World) -> None:
    for role, region, external_id in (
        ("operator", SRI_MENANTI, "404"),
        ("peratin", SRI_MENANTI, "405"),
        ("camat", "18.04.19", "406"),
    ):
        chat = await _user(findings, role, region, external_id)
        assert "Kualitas data" not in [o.label for o in chat.question().options]
        await chat.text("kualitas")
        assert "Menu ini hanya untuk petugas Dinsos" in chat.texts()
        assert not [m for m in chat.last.messages if isinstance(m, Document)]
        await chat.press("m:quality")  # a forged button
        assert "Pilihan tidak dikenal" in chat.texts()


async def test_a_clean_region_says_so_without_a_file(world: World) -> None:
    dinsos = await _user(world, "dinsos", "18.04", "407")
    await dinsos.press("m:quality")
    [message] = dinsos.last.messages
    assert isinstance(message, Text) and message.tone is Tone.SUCCESS
    assert message.text == (
        "✅ Kualitas data Kab. Lampung Barat: tidak ada NIK ganda, tidak ada NIK yang tidak "
        "cocok, dan semua keluarga sudah disentuh sejak 16-12-2025."
    )


def _finding(nik: str, sex: str | None, born: dt.date | None) -> MemberFinding:
    return MemberFinding(
        1,
        nik,
        "Ani",
        "anak",
        sex,
        born,
        "tinggal",
        1,
        SRI_MENANTI,
        None,
        None,
        "Ani",
        "pending",
        "import",
    )


def test_confirm_reads_the_nik_like_the_forms_do() -> None:
    found = confirm(
        [
            _finding("1804195405640159", "P", dt.date(1864, 5, 14)),  # the century is not coded
            _finding("1804195405640159", "L", dt.date(1964, 5, 14)),
            _finding("1804191405640159", "L", dt.date(1964, 5, 15)),
            _finding("1804199905640159", "L", dt.date(1964, 5, 15)),  # day 99: not a date
            _finding("9999999999999996", "L", dt.date(1964, 5, 15)),
        ]
    )
    assert [(m.sex_differs, m.date_differs, bool(m.unreadable)) for m in found] == [
        (True, False, False),
        (False, True, False),
        (False, False, True),
    ]
    assert found[0].nik_sex == "P" and found[1].nik_birth_date == dt.date(1964, 5, 14)


def test_untouched_since_defaults_and_zones() -> None:
    now = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)
    assert untouched_since(None, now, 30, "Asia/Jakarta", "id") == now - dt.timedelta(days=30)
    since = untouched_since("2026-01-01", now, 30, "Asia/Makassar", "id")
    assert since == dt.datetime(2025, 12, 31, 16, 0, tzinfo=dt.UTC)
    assert untouched_since("15-01-2026", now, 30, "Asia/Jakarta", "id") == dt.datetime(
        2026, 1, 14, 17, 0, tzinfo=dt.UTC
    )
    assert "belum lewat" in str(untouched_since("16-01-2026", now, 30, "Asia/Jakarta", "id"))
