"""The SIKS-NG export: sheets, headers and cells, scope, --since, CSV zip, bounded memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import delete

from bench.register import add_households
from handlers.registers.exporter import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    PROPOSAL_HEADERS,
    ExportCounts,
    export_file_name,
    export_region,
)
from storage.db import Database, UnitOfWork
from storage.models import Household, Member
from tests.storage.conftest import MUTAR_ALAM, SRI_MENANTI, seed_regions

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)


async def _seed_small(db: Database) -> None:
    async with db.unit_of_work() as uow:
        h1 = await uow.households.add(
            SRI_MENANTI, "Agus Hidayat", "1804191611200001", "817170334622", "Dusun III", "6",
            "3", data={"programmes": ["pkh", "bpnt"]}, now=NOW,
        )  # fmt: skip
        await uow.households.add_member(
            h1, 1, "Agus Hidayat", "1804072704900258", "kepala_keluarga", "L",
            dt.date(1990, 4, 27), idsemesta="817170334622",
            data={"education": "sma", "disability": ["tidak_ada"]},
        )  # fmt: skip
        await uow.households.add_member(
            h1, 2, "Lestari", "1804195405640159", "istri_suami", "P", None, presence="meninggal"
        )
        await uow.households.add_member(
            h1, 3, "Bayi Hidayat", "9999999999999995", "cucu", "L", dt.date(2025, 1, 1),
            presence="baru",
        )  # fmt: skip
        await uow.households.update_fields(
            h1,
            {
                "data": {
                    "programmes": ["pkh", "bpnt"],
                    "verification": {
                        "family_status": "ditemukan",
                        "head_lives_here": "no",
                        "phone": "+6281234567890",
                    },
                    "housing": {"floor": "keramik", "floor_area": 36.5, "assets": ["ac", "mobil"]},
                }
            },
            None,
            NOW + dt.timedelta(days=2),
        )
        await uow.households.set_status(h1, "updated", None, NOW + dt.timedelta(days=2))
        person = await uow.people.create("Op", "id", NOW)
        await uow.submissions.add(
            None, person, "console", "verifikasi_keluarga", 1, h1, SRI_MENANTI,
            {"notes": "Rumah dicat ulang"},
            [{"path": "rt", "label": "RT", "before": "006", "after": "004"}], NOW,
        )  # fmt: skip
        await uow.submissions.add(
            None, person, "console", "anggota_keluarga", 1, h1, SRI_MENANTI,
            {"notes": "Istri meninggal Desember", "members": []},
            [
                {"path": "members.0.job", "label": "Pekerjaan", "before": "Tani",
                 "after": "Petani kopi"},
                {"path": "members.1.presence", "label": "Keberadaan anggota",
                 "before": "tinggal", "after": "meninggal"},
            ],
            NOW,
        )  # fmt: skip
        await uow.submissions.add(
            None, person, "console", "kondisi_rumah", 1, h1, SRI_MENANTI,
            {"notes": "Rumah dicat ulang"}, [], NOW,
        )  # the same note twice is written once  # fmt: skip
        await uow.households.add(
            SRI_MENANTI, "Budi Belum", "1804190101200002", None, "Dusun I", "001", "001", now=NOW
        )
        p = await uow.households.add(
            SRI_MENANTI, "Joko Susilo", "1804190101250009", None, "Dusun I", "2", "001",
            status="proposed", source="proposal",
            data={"proposal": {"house_photo": "f1", "location": None, "notes": "Rumah sewa"}},
            now=NOW,
        )  # fmt: skip
        await uow.households.add_member(
            p, 1, "Joko Susilo", "1804072704900999", "kepala_keluarga", "L", dt.date(1990, 4, 27)
        )
        await uow.households.add(
            MUTAR_ALAM, "Di Luar", "1804070101200003", None, "Dusun", "001", "001", now=NOW
        )


LABELS = {
    "keramik": "Keramik",
    "kepala_keluarga": "Kepala keluarga",
    "ditemukan": "Ditemukan",
    "meninggal": "Meninggal",
    "tinggal": "Tinggal di rumah ini",
    "cucu": "Cucu",
}


def labels(key: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(LABELS.get(v, v.upper()) for v in value)
    return LABELS.get(str(value), str(value))


def _rows(sheet: Any) -> list[dict[str, Any]]:
    """Rows as dicts by header (a write-only sheet leaves trailing empty cells out)."""
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, (*row, *[None] * (len(header) - len(row))), strict=True))
            for row in values[1:]]  # fmt: skip


async def test_xlsx_sheets_headers_and_cells(seeded: Database, tmp_path: Path) -> None:
    await _seed_small(seeded)
    out = tmp_path / "ekspor.xlsx"
    async with seeded.unit_of_work() as uow:
        counts = await export_region(uow, "18.04.19", out, "xlsx", labels=labels)
    assert (counts.households, counts.members, counts.proposals) == (2, 4, 1)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Keluarga", "Anggota", "Usulan Baru"]
    assert next(book["Keluarga"].iter_rows(values_only=True)) == HOUSEHOLD_HEADERS
    assert next(book["Anggota"].iter_rows(values_only=True)) == MEMBER_HEADERS
    assert next(book["Usulan Baru"].iter_rows(values_only=True)) == PROPOSAL_HEADERS
    households = _rows(book["Keluarga"])
    members = _rows(book["Anggota"])
    proposals = _rows(book["Usulan Baru"])
    book.close()
    row = households[0]
    assert row["No"] == 1
    assert row["No. KK"] == "1804191611200001"  # text, never a number
    assert (row["RT"], row["RW"]) == ("006", "003")  # as SIKS-NG shows them
    assert row["Status Pemutakhiran"] == "Diperbarui"
    assert row["Status Keluarga"] == "Ditemukan"
    assert row["Kepala Keluarga Masih Tinggal"] == "Tidak"
    assert row["No. HP"] == "+6281234567890"
    assert row["Jenis Lantai Terluas"] == "Keramik"
    assert row["Luas Lantai (m2)"] == 36.5
    assert row["Aset"] == "AC, MOBIL"
    assert row["Bantuan yang Diterima"] == "PKH, BPNT"
    assert row["Perubahan"] == (
        "RT: 006 → 004; Agus Hidayat: Pekerjaan: Tani → Petani kopi; "
        "Anggota keluar: Lestari (Meninggal); Anggota baru: Bayi Hidayat (Cucu)"
    )
    assert row["Catatan"] == "Rumah dicat ulang | Istri meninggal Desember"
    assert row["Tanggal Diperbarui"].isoformat() == "2026-01-17T10:30:00"  # WIB, a date cell
    pending = households[1]
    assert pending["Status Pemutakhiran"] == "Belum diperbarui"
    assert pending["Perubahan"] in (None, "") and pending["Tanggal Diperbarui"] is None
    head, _, baby, joko = members
    assert head["NIK"] == "1804072704900258"
    assert head["Tanggal Lahir"].isoformat() == "1990-04-27T00:00:00"  # a date cell
    assert head["Hubungan dengan Kepala Keluarga"] == "Kepala keluarga"
    assert head["Sumber"] == "DTKS"
    assert baby["Sumber"] == "Baru" and joko["Sumber"] == "Baru"  # never "DTKS"
    proposal = proposals[0]
    assert proposal["Foto Rumah"] == "ada"
    assert proposal["Lokasi (lintang, bujur)"] == "tidak ada"
    assert proposal["NIK Kepala Keluarga"] == "1804072704900999"
    assert (proposal["RT"], proposal["RW"]) == ("002", "001")
    assert proposal["Jumlah Anggota"] == 1 and proposal["Catatan"] == "Rumah sewa"
    assert proposal["Tanggal Usulan"].isoformat() == "2026-01-15T10:30:00"


async def test_xlsx_cells_are_typed_with_a_frozen_filtered_header(
    seeded: Database, tmp_path: Path
) -> None:
    """What Excel shows: number and date cells with their formats, text identifiers, the
    header frozen and filtered, columns wide enough for a NIK and a change list."""
    await _seed_small(seeded)
    out = tmp_path / "ekspor.xlsx"
    async with seeded.unit_of_work() as uow:
        await export_region(uow, "18.04.19", out, "xlsx", labels=labels)
    book = load_workbook(out)  # not read-only: panes, filters and widths are read too
    for title, headers, rows in (
        ("Keluarga", HOUSEHOLD_HEADERS, 2),
        ("Anggota", MEMBER_HEADERS, 4),
        ("Usulan Baru", PROPOSAL_HEADERS, 1),
    ):
        sheet = book[title]
        assert sheet.freeze_panes == "A2", title
        last = get_column_letter(len(headers))
        assert sheet.auto_filter.ref == f"A1:{last}{rows + 1}", title
        assert all(c.font.bold for c in sheet[1]), title
        for index, name in enumerate(headers, 1):
            width = sheet.column_dimensions[get_column_letter(index)].width
            assert width >= len(name), (title, name, width)
    keluarga = book["Keluarga"]
    column = {name: i for i, name in enumerate(HOUSEHOLD_HEADERS, 1)}

    def at(name: str, row: int = 2) -> Any:
        return keluarga.cell(row=row, column=column[name])

    assert at("No").data_type == "n" and at("No").number_format == "0"
    assert at("Luas Lantai (m2)").data_type == "n"
    assert at("Luas Lantai (m2)").number_format == "0.0#"
    assert at("No. KK").data_type == "s" and at("RT").data_type == "s"
    assert at("Tanggal Diperbarui").is_date
    assert at("Tanggal Diperbarui").number_format == "DD-MM-YYYY HH:MM"
    assert keluarga.column_dimensions[get_column_letter(column["No. KK"])].width >= 16
    assert keluarga.column_dimensions[get_column_letter(column["Perubahan"])].width >= 40
    anggota = book["Anggota"]
    birth = anggota.cell(row=2, column=MEMBER_HEADERS.index("Tanggal Lahir") + 1)
    assert birth.is_date and birth.number_format == "DD-MM-YYYY"
    assert anggota.cell(row=2, column=MEMBER_HEADERS.index("NIK") + 1).data_type == "s"
    usulan = book["Usulan Baru"]
    count = usulan.cell(row=2, column=PROPOSAL_HEADERS.index("Jumlah Anggota") + 1)
    assert count.data_type == "n" and count.value == 1
    book.close()


def test_file_names_are_stamped_in_the_regions_local_time() -> None:
    assert export_file_name("18.04", NOW) == "ekspor-18.04-20260115-103000.xlsx"  # WIB
    assert export_file_name("73.71", NOW, "zip") == "ekspor-73.71-20260115-113000.zip"  # WITA
    assert export_file_name("94.71", NOW) == "ekspor-94.71-20260115-123000.xlsx"  # WIT


async def test_since_and_csv_zip(seeded: Database, tmp_path: Path) -> None:
    await _seed_small(seeded)
    out = tmp_path / "ekspor.zip"
    async with seeded.unit_of_work() as uow:
        counts = await export_region(
            uow, SRI_MENANTI, out, "csv", since=NOW + dt.timedelta(days=1), labels=labels
        )
    assert (counts.households, counts.members, counts.proposals) == (1, 3, 0)
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == ["keluarga.csv", "anggota.csv", "usulan_baru.csv"]
        raw = archive.read("keluarga.csv")
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        members = list(
            csv.reader(io.StringIO(archive.read("anggota.csv").decode("utf-8-sig")), delimiter=";")
        )
    assert rows[0] == list(HOUSEHOLD_HEADERS)
    assert len(rows) == 2
    row = dict(zip(HOUSEHOLD_HEADERS, rows[1], strict=True))
    assert row["No. KK"] == "1804191611200001" and (row["RT"], row["RW"]) == ("006", "003")
    assert row["Luas Lantai (m2)"] == "36,5"  # Excel in Indonesian locale reads a number
    assert row["Tanggal Diperbarui"] == "17-01-2026 10:30"  # WIB
    assert row["Catatan"] == "Rumah dicat ulang | Istri meninggal Desember"
    assert "Anggota baru: Bayi Hidayat (Cucu)" in row["Perubahan"]
    head = dict(zip(MEMBER_HEADERS, members[1], strict=True))
    assert head["Tanggal Lahir"] == "27-04-1990" and members[3][-1] == "Baru"


async def _peak_export(db: Database, out: Path, fmt: str) -> tuple[int, Any]:
    """The export as the chat runs it (``Database.read``: a worker thread, which tracemalloc
    traces as well)."""

    async def export(uow: UnitOfWork) -> ExportCounts:
        return await export_region(uow, SRI_MENANTI, out, "csv" if fmt == "csv" else "xlsx")

    tracemalloc.start()
    try:
        counts = await db.read(export)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, counts


async def test_export_of_20k_households_stays_in_bounded_memory(
    sqlite_database: Database, tmp_path: Path
) -> None:
    """20k households (40k members) as a CSV zip, and 1k as XLSX, under tracemalloc.

    Both go through the same batched queries; openpyxl's pure-Python XML writer is slow under
    tracemalloc (about 4 s per 1k households), hence the smaller XLSX. bench/export_memory.py
    measures 100k households as XLSX, and the time it takes (no time bound here: speed targets
    live in bench/, and a loaded CI machine must not fail a memory test)."""
    await seed_regions(sqlite_database)
    async with sqlite_database.unit_of_work() as uow:
        await add_households(uow, 20_000, region=SRI_MENANTI, now=NOW)
    peak, counts = await _peak_export(sqlite_database, tmp_path / "besar.zip", "csv")
    assert (counts.households, counts.members) == (20_000, 40_000)
    # Measured about 2-3 MB; holding every row would take well over 50 MB.
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    async with sqlite_database.unit_of_work() as uow:
        await uow.session.execute(delete(Member).where(Member.household_id > 1000))
        await uow.session.execute(delete(Household).where(Household.id > 1000))
    peak, counts = await _peak_export(sqlite_database, tmp_path / "besar.xlsx", "xlsx")
    assert (counts.households, counts.members) == (1_000, 2_000)
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
