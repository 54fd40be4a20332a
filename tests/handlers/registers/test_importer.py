"""The household importer: good, bad and re-imported registers, as CSV and XLSX (generated here)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from handlers.registers.importer import ImportReport, import_file, read_register
from storage.db import Database
from tests.storage.conftest import SRI_MENANTI, SUMBER_ALAM

DATA = Path(__file__).resolve().parents[2] / "data"
SAMPLE = DATA / "dtks_register_sri_menanti.csv"
NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)


def sample_rows() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, sep: str = ",") -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def run_import(db: Database, path: Path, region: str = SRI_MENANTI) -> ImportReport:
    return await import_file(db, path, region, NOW, person_id=None, channel="cli")


async def counts(db: Database) -> tuple[int, int]:
    async with db.unit_of_work() as uow:
        by_status = await uow.households.count_by_status("18.04")
        members = 0
        for status in ("pending",):
            found = await uow.households.pending("18.04", 0, 1000)
            members += sum(len(h.members) for h in found)
            assert by_status[status] == len(found)
    return sum(by_status.values()), members


async def test_sample_register_imports_every_household(seeded: Database, tmp_path: Path) -> None:
    report = await run_import(seeded, SAMPLE)
    assert report.ok, report.text()
    assert (report.rows, report.households_added, report.members_added) == (84, 30, 84)
    assert "30 keluarga baru" in report.text()
    assert await counts(seeded) == (30, 84)
    async with seeded.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk("1804191611200001")
        audit = await uow.audit.list(entity="region")
    assert household.head_name == "Agus Hidayat"
    assert (household.rt, household.rw, household.status) == ("006", "003", "pending")
    assert household.id_dtks == "817170334622"
    assert household.data["programmes"] == ["tidak_ada"]
    head = household.members[0]
    assert (head.nik, head.sex, head.relation) == ("1804072704900258", "L", "kepala_keluarga")
    assert head.birth_date == dt.date(1990, 4, 27)
    assert audit[-1].action == "register.imported" and audit[-1].after["rows"] == 84


async def test_semicolon_bom_and_header_variants(seeded: Database, tmp_path: Path) -> None:
    header = ["ID Semesta", "No. KK", "Nik", "Nama ", "Hubungan", "JK", "Tgl Lahir", "alamat"]
    header += ["RT", "rw", "Kode Desa"]
    rows = [
        [
            "1",
            "1804191611200001",
            "1804072704900258",
            "Agus",
            "KEPALA KELUARGA",
            "L",
            "27/04/1990",
            "Dusun III",
            "6",
            "3",
            "1804192006",
        ],
        [
            "2",
            "1804191611200001",
            "1804195405640159",
            "Lestari",
            "Istri",
            "P",
            "1964-05-14",
            "Dusun III",
            "6",
            "3",
            "18.04.19.2006",
        ],
    ]
    path = write_csv(tmp_path / "dtks.csv", header, rows, sep=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = await run_import(seeded, path)
    assert report.ok, report.text()
    async with seeded.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk("1804191611200001")
    assert (household.rt, household.rw) == ("006", "003")
    assert [m.birth_date for m in household.members] == [dt.date(1990, 4, 27), dt.date(1964, 5, 14)]
    assert household.members[1].relation == "istri_suami"


async def test_xlsx_with_serial_dates_and_text_ids(seeded: Database, tmp_path: Path) -> None:
    header = ["NOKK", "NIK", "NAMA", "HUBUNGAN_KELUARGA", "JENIS_KELAMIN", "TANGGAL_LAHIR"]
    header += ["ALAMAT", "RT", "RW", "KODE_WILAYAH"]
    rows: list[list[object]] = [
        # 32990 = 27-04-1990 as an Excel serial; a date cell; RT/RW as numbers and as text
        [
            *["1804191611200001", "1804072704900258", "Agus", "Kepala Keluarga", "Laki-laki"],
            32990,
            "Dusun III",
            6,
            3,
            "18.04.19.2006",
        ],
        [
            *["1804191611200001", "1804195405640159", "Lestari", "Istri/Suami", "Perempuan"],
            dt.datetime(1964, 5, 14, tzinfo=dt.UTC).replace(tzinfo=None),
            "Dusun III",
            "006",
            "003",
            "18.04.19.2006",
        ],
    ]
    report = await run_import(seeded, write_xlsx(tmp_path / "dtks.xlsx", header, rows))
    assert report.ok, report.text()
    async with seeded.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk("1804191611200001")
    assert household.rt == "006"
    assert household.members[0].birth_date == dt.date(1990, 4, 27)
    assert household.members[1].birth_date == dt.date(1964, 5, 14)


async def test_numbers_in_id_cells_are_rejected_not_guessed(
    seeded: Database, tmp_path: Path
) -> None:
    header = ["NOKK", "NIK", "NAMA", "KODE_WILAYAH"]
    rows: list[list[object]] = [
        ["1804191611200001", "1804072704900258", "Agus", "18.04.19.2006"],
        ["1804191611200001", 1804195405640159, "Lestari", "18.04.19.2006"],  # number cell
        [1.80419161120000e15, "1804191105130285", "Darmawan", "18.04.19.2006"],  # float
    ]
    report = await run_import(seeded, write_xlsx(tmp_path / "angka.xlsx", header, rows))
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "NIK"), (4, "NOKK")]
    for error in report.errors:
        assert "sebagai Teks" in error.message and "Jangan ditebak" in error.message
    assert await counts(seeded) == (0, 0)  # nothing half-imported


async def test_every_bad_row_is_listed_and_nothing_changes(
    seeded: Database, tmp_path: Path
) -> None:
    header, rows = sample_rows()
    rows = [list(r) for r in rows]
    rows[0][2] = "1.80419E+15"  # row 2: NIK mangled by Excel
    rows[3][1] = "180419161120000"  # row 5: No. KK with 15 digits
    rows[5][6] = "31-02-1970"  # row 7: impossible birth date
    rows[7][8] = "12a"  # row 9: bad RT
    rows[9][10] = "18.04.07.2001"  # row 11: another kecamatan
    rows[11][5] = "X"  # row 13: unknown sex
    rows[13][2] = rows[14][2]  # row 16 repeats the NIK of row 15... reported on the later row
    report = await run_import(seeded, write_csv(tmp_path / "rusak.csv", header, rows))
    assert not report.ok
    where = [(e.row, e.column) for e in report.errors]
    assert where == [
        (2, "NIK"),
        (5, "NOKK"),
        (7, "TANGGAL_LAHIR"),
        (9, "RT"),
        (11, "KODE_WILAYAH"),
        (12, "KODE_WILAYAH"),  # same No. KK as row 11, another village code
        (13, "JENIS_KELAMIN"),
        (16, "NIK"),
    ]
    text = report.text()
    assert "DIBATALKAN: 8 baris bermasalah, tidak ada data yang diubah" in text
    assert "Baris 2, kolom NIK: Excel mengubah angka 16 digit menjadi 1.80419E+15" in text
    assert "Contoh: 003" in text and "di luar wilayah impor 18.04.19.2006" in text
    assert "sama sudah ada di baris 15" in text
    english = report.text("en")
    assert "CANCELLED: 8 rows with problems, nothing was changed" in english
    assert "Row 2, column NIK: Excel turned the 16-digit number into 1.80419E+15" in english
    assert await counts(seeded) == (0, 0)


async def test_reimport_updates_instead_of_duplicating(seeded: Database, tmp_path: Path) -> None:
    assert (await run_import(seeded, SAMPLE)).ok
    header, rows = sample_rows()
    rows = [list(r) for r in rows]
    rows[0][3] = "Agus Hidayat Saputra"  # the head's name corrected (matched by NIK)
    rows[0][11] = "Ya"  # now receives PKH
    rows[1][2] = "1804195405640160"  # the wife's NIK corrected (matched by IDSEMESTA)
    rows.append(
        [
            "999000111222",
            "1804191611200001",
            "1804190101250001",
            "Bayi Hidayat",
            "Anak",
            "Laki-laki",
            "01-01-2025",
            "Dusun III",
            "006",
            "003",
            "18.04.19.2006",
            "Ya",
            "Tidak",
            "Tidak",
        ]
    )
    report = await run_import(seeded, write_csv(tmp_path / "ulang.csv", header, rows))
    assert report.ok, report.text()
    assert (report.households_added, report.households_updated) == (0, 30)
    assert (report.members_added, report.members_updated) == (1, 84)
    assert await counts(seeded) == (30, 85)
    async with seeded.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk("1804191611200001")
    assert household.head_name == "Agus Hidayat Saputra"
    assert [m.name for m in household.members][-1] == "Bayi Hidayat"
    assert household.members[1].nik == "1804195405640160"
    assert household.data["programmes"] == ["pkh"]


async def test_region_must_exist_and_rows_outside_are_errors(
    seeded: Database, tmp_path: Path
) -> None:
    report = await run_import(seeded, SAMPLE, region="18.04.19.2099")
    assert not report.ok and "belum ada di Kawal" in report.text()
    report = await run_import(seeded, SAMPLE, region=SUMBER_ALAM)
    assert not report.ok and len(report.errors) == 84
    assert report.errors[0].column == "KODE_WILAYAH"


async def test_title_rows_above_the_header_are_skipped(seeded: Database, tmp_path: Path) -> None:
    header, rows = sample_rows()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DAFTAR DTKS PEKON SRI MENANTI"])
    sheet.append([])
    sheet.append(header)
    for row in rows[:4]:
        sheet.append(row)
    sheet.append(["1804191611200001", "1804191611200001", "x"])  # row 8: a bad row
    book.save(tmp_path / "judul.xlsx")
    report = await run_import(seeded, tmp_path / "judul.xlsx")
    assert [(e.row, e.column) for e in report.errors] == [(8, "NIK"), (8, "NAMA")]


def test_missing_columns_and_empty_files(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ["NAMA", "ALAMAT"], [["Agus", "Dusun"]])
    rows, errors = read_register(path, SRI_MENANTI)
    assert rows == [] and "NO_KK, NIK" in errors[0].message
    empty = tmp_path / "kosong.csv"
    empty.write_text("", encoding="utf-8")
    assert "berkas kosong" in read_register(empty, SRI_MENANTI).errors[0].message


def test_region_column_may_be_absent_for_a_village_import(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "x.csv",
        ["NO KK", "NIK", "NAMA"],
        [["1804191611200001", "1804072704900258", "A"]],
    )
    rows, errors = read_register(path, SRI_MENANTI)
    assert errors == [] and rows[0].region_code == SRI_MENANTI
    rows, errors = read_register(path, "18.04.19")
    assert rows == [] and errors[0].column == "region"
