"""Exporting a region's households for typing into SIKS-NG: XLSX (three sheets) or CSV (a zip).

    counts = await export_region(uow, "18.04.19", Path("ekspor.xlsx"), "xlsx", labels=labels)

Sheets, in the order an operator types them into SIKS-NG, with Indonesian headers (the README
says which SIKS-NG screen each one serves):
``Keluarga`` (imported households: latest status, verification, whether the head still lives
there, housing, programmes, every change made in Kawal (*Perubahan*: fields, members who left,
members added) and the operator's notes), ``Anggota`` (members of every exported household, with
presence; source ``Baru`` for a member added in the field or proposed), and ``Usulan Baru`` (new
households proposed in the field, with "tidak ada" for a missing photo or location).

Cells are typed (:func:`handlers.kit.workbooks.cell`, the one place values become cells): NIK,
No. KK and RT/RW (zero-padded to 3 digits, as SIKS-NG shows them) are text; counts and areas are
numbers; birth dates are dates; instants are date-times in the region's zone (WIB/WITA/WIT).
Each sheet's header is frozen, with an auto-filter and column widths fit for the values.

Memory stays bounded whatever the size of the region: households are read in keyset batches
(``BATCH`` rows by primary key, their members and submissions per batch), XLSX is written with
openpyxl's write-only mode (rows go to a temporary file as they come), and CSV is written row by
row. CSV output is one zip holding ``keluarga.csv``, ``anggota.csv`` and ``usulan_baru.csv``:
UTF-8 with BOM and ``;`` as separator, dates ``DD-MM-YYYY`` and decimals with a comma, which
Excel in Indonesian locale opens directly. NIK and No. KK are plain digits in the CSV: Excel
turns them into numbers (``1.80419E+15``) when it opens a CSV by double-click, so operators
should use the XLSX (text cells) or Excel's import wizard with those columns set to Text.
Every cell of both formats passes :func:`handlers.kit.workbooks.neutralise` (a name typed as
``=HYPERLINK(...)`` stays text).

``labels(key, value)`` turns stored option values into the labels of the forms (the caller builds
it from the form definitions, which storage does not import); ``key`` is ``<form id>.<question>``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import threading
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select

from flows.regions import timezone_for
from handlers.kit.workbooks import begin_sheet, cell, column_width, csv_value, end_sheet
from handlers.registers.history import History, change_text, histories_of, notes_text, padded
from storage.db import UnitOfWork
from storage.files import make_private, private_dir
from storage.models import Household, Member
from storage.repos._base import in_region, require_aware

__all__ = [
    "HOUSEHOLD_HEADERS",
    "MEMBER_HEADERS",
    "PROPOSAL_HEADERS",
    "ExportCounts",
    "export_file_name",
    "export_region",
]

BATCH = 500
Labels = Callable[[str, Any], str]
Format = Literal["xlsx", "csv"]
NONE_TEXT = "tidak ada"

STATUS_LABELS = {
    "pending": "Belum diperbarui",
    "verified": "Terverifikasi",
    "updated": "Diperbarui",
    "proposed": "Usulan baru",
    "not_found": "Tidak ditemukan",
}
HOUSING_FIELDS = (
    ("ownership", "Status Kepemilikan Bangunan"),
    ("floor_area", "Luas Lantai (m2)"),
    ("floor", "Jenis Lantai Terluas"),
    ("wall", "Jenis Dinding Terluas"),
    ("roof", "Jenis Atap Terluas"),
    ("water", "Sumber Air Minum"),
    ("lighting", "Sumber Penerangan"),
    ("power", "Daya Terpasang"),
    ("cooking_fuel", "Bahan Bakar Memasak"),
    ("toilet", "Fasilitas BAB"),
    ("assets", "Aset"),
)
HOUSEHOLD_HEADERS = (
    "No",
    "Kode Wilayah",
    "ID DTKS",
    "No. KK",
    "Nama Kepala Keluarga",
    "Alamat",
    "RT",
    "RW",
    "Status Pemutakhiran",
    "Status Keluarga",
    "Alasan Tidak Ditemukan",
    "Kepala Keluarga Masih Tinggal",
    "No. HP",
    *(label for _, label in HOUSING_FIELDS),
    "Bantuan yang Diterima",
    "Perubahan",
    "Catatan",
    "Tanggal Diperbarui",
)
MEMBER_HEADERS = (
    "No",
    "Kode Wilayah",
    "No. KK",
    "IDSEMESTA",
    "NIK",
    "Nama",
    "Hubungan dengan Kepala Keluarga",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "Status Perkawinan",
    "Keberadaan",
    "Pendidikan",
    "Pekerjaan",
    "Disabilitas",
    "Sumber",
)
PROPOSAL_HEADERS = (
    "No",
    "Kode Wilayah",
    "No. KK",
    "NIK Kepala Keluarga",
    "Nama Kepala Keluarga",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "Alamat",
    "RT",
    "RW",
    "Jumlah Anggota",
    "Foto Rumah",
    "Lokasi (lintang, bujur)",
    "Catatan",
    "Tanggal Usulan",
)
SHEETS = (
    ("Keluarga", "keluarga.csv", HOUSEHOLD_HEADERS),
    ("Anggota", "anggota.csv", MEMBER_HEADERS),
    ("Usulan Baru", "usulan_baru.csv", PROPOSAL_HEADERS),
)
SOURCE_REGISTER, SOURCE_NEW = "DTKS", "Baru"  # the export's "Sumber" values
YES_NO = {"yes": "Ya", "no": "Tidak"}
# Columns wider than their header (characters); the others fit their header.
WIDTHS = {
    "Kode Wilayah": 15,
    "ID DTKS": 18,
    "No. KK": 19,
    "IDSEMESTA": 18,
    "NIK": 19,
    "NIK Kepala Keluarga": 21,
    "Nama": 28,
    "Nama Kepala Keluarga": 28,
    "Alamat": 32,
    "RT": 6,
    "RW": 6,
    "No. HP": 16,
    "Aset": 30,
    "Bantuan yang Diterima": 24,
    "Perubahan": 60,
    "Catatan": 40,
    "Tanggal Lahir": 13,
    "Tanggal Diperbarui": 19,
    "Tanggal Usulan": 17,
    "Lokasi (lintang, bujur)": 24,
}


@dataclass(slots=True)
class ExportCounts:
    region: str
    path: Path
    households: int = 0
    members: int = 0
    proposals: int = 0
    files: list[str] = field(default_factory=list)


def _plain(key: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _local(value: Any, region_code: str) -> dt.datetime | None:
    """An instant in the region's zone (WIB/WITA/WIT): what the reader's clock said."""
    if not isinstance(value, dt.datetime):
        return None
    return require_aware(value).astimezone(ZoneInfo(timezone_for(region_code)))


def _day(value: Any) -> dt.date | str:
    """A calendar day (a birth date) as a date; text that is not one stays as it is."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return ""


def _number(value: Any) -> float | int | str:
    """A stored number (or its text, ``"36,5"``) as a number; anything else as text."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return str(value)
    return int(number) if number.is_integer() and "." not in str(value) else number


def export_file_name(region_code: str, now: dt.datetime, suffix: str = "xlsx") -> str:
    """``ekspor-18.04-20260115-103000.xlsx``: stamped in the region's local time (like the
    progress file), so the name matches the clock of whoever opens it."""
    try:
        zone: dt.tzinfo = ZoneInfo(timezone_for(region_code))
    except ValueError:  # not a region code: the export is empty anyway; stamp it in UTC
        zone = dt.UTC
    local = require_aware(now).astimezone(zone)
    return f"ekspor-{region_code}-{local:%Y%m%d-%H%M%S}.{suffix}"


class _Sink(Protocol):
    def append(self, row: Sequence[Any]) -> None: ...


async def _household_batches(
    uow: UnitOfWork, region: str, source: str, since: dt.datetime | None
) -> AsyncIterator[list[Row[Any]]]:
    last_id = 0
    while True:
        stmt = (
            select(*Household.__table__.c)
            .where(in_region(Household.region_code, region), Household.source == source)
            .where(Household.restricted_at.is_(None))  # restricted at its subject's request
            .where(Household.id > last_id)
            .order_by(Household.id)
            .limit(BATCH)
        )
        if since is not None:
            column = Household.created_at if source == "proposal" else Household.updated_at
            stmt = stmt.where(column >= require_aware(since))
        rows = list((await uow.session.execute(stmt)).all())
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


async def _members_of(uow: UnitOfWork, ids: list[int]) -> dict[int, list[Row[Any]]]:
    found: dict[int, list[Row[Any]]] = {i: [] for i in ids}
    rows = await uow.session.execute(
        select(*Member.__table__.c)
        .where(Member.household_id.in_(ids))
        .order_by(Member.household_id, Member.position, Member.id)
    )
    for member in rows:
        found[member.household_id].append(member)
    return found


def _member_row(n: int, household: Row[Any], m: Row[Any], labels: Labels) -> list[Any]:
    data = m.data or {}
    return [
        n,
        household.region_code,
        household.no_kk or "",
        m.idsemesta or "",
        m.nik or "",
        m.name,
        labels("anggota_keluarga.relation", m.relation),
        labels("anggota_keluarga.sex", m.sex) if m.sex else "",
        _day(m.birth_date),
        labels("anggota_keluarga.marital_status", m.marital_status) if m.marital_status else "",
        labels("anggota_keluarga.presence", m.presence),
        labels("anggota_keluarga.education", data["education"]) if data.get("education") else "",
        data.get("job") or "",
        labels("anggota_keluarga.disability", data["disability"]) if data.get("disability") else "",
        SOURCE_NEW if household.source == "proposal" or m.presence == "baru" else SOURCE_REGISTER,
    ]


def _household_row(
    n: int, h: Row[Any], history: History | None, members: list[Row[Any]], labels: Labels
) -> list[Any]:
    data = h.data or {}
    verification = data.get("verification") or {}
    housing = data.get("housing") or {}
    housing_cells: list[Any] = []
    for key, _ in HOUSING_FIELDS:
        value = housing.get(key)
        if value is None:
            housing_cells.append("")
        elif key == "floor_area":
            housing_cells.append(_number(value))
        else:
            housing_cells.append(labels(f"kondisi_rumah.{key}", value))
    programmes = data.get("programmes")
    return [
        n,
        h.region_code,
        h.id_dtks or "",
        h.no_kk or "",
        h.head_name,
        h.address,
        padded(h.rt),
        padded(h.rw),
        STATUS_LABELS.get(h.status, h.status),
        labels("verifikasi_keluarga.family_status", verification["family_status"])
        if verification.get("family_status")
        else "",
        labels("verifikasi_keluarga.not_found_reason", verification["not_found_reason"])
        if verification.get("not_found_reason")
        else "",
        YES_NO.get(str(verification.get("head_lives_here")), ""),
        verification.get("phone") or "",
        *housing_cells,
        labels("kondisi_rumah.programmes", programmes) if programmes else "",
        change_text(history, members, labels, imported=True),
        notes_text(history),
        _local(h.updated_at, h.region_code) if h.status != "pending" else None,
    ]


def _proposal_row(n: int, h: Row[Any], members: list[Row[Any]], labels: Labels) -> list[Any]:
    proposal = (h.data or {}).get("proposal") or {}
    head = members[0] if members else None
    location = proposal.get("location")
    where = (
        f"{location['latitude']:.6f}, {location['longitude']:.6f}"
        if isinstance(location, dict)
        else NONE_TEXT
    )
    return [
        n,
        h.region_code,
        h.no_kk or "",
        (head.nik or "") if head else "",
        h.head_name,
        labels("usulan_baru.head_sex", head.sex) if head and head.sex else "",
        _day(head.birth_date) if head else "",
        h.address,
        padded(h.rt),
        padded(h.rw),
        len(members),
        "ada" if proposal.get("house_photo") else NONE_TEXT,
        where,
        proposal.get("notes") or "",
        _local(h.created_at, h.region_code),
    ]


async def _write(
    uow: UnitOfWork,
    region: str,
    since: dt.datetime | None,
    labels: Labels,
    sinks: tuple[_Sink, _Sink, _Sink],
    counts: ExportCounts,
) -> None:
    households, members, proposals = sinks
    async for batch in _household_batches(uow, region, "import", since):
        items = batch
        ids = [h.id for h in items]
        histories = await histories_of(uow, ids)
        of = await _members_of(uow, ids)
        for h in items:
            counts.households += 1
            row = _household_row(counts.households, h, histories.get(h.id), of[h.id], labels)
            households.append(row)
            for m in of[h.id]:
                counts.members += 1
                members.append(_member_row(counts.members, h, m, labels))
    async for batch in _household_batches(uow, region, "proposal", since):
        items = batch
        of = await _members_of(uow, [h.id for h in items])
        for h in items:
            counts.proposals += 1
            proposals.append(_proposal_row(counts.proposals, h, of[h.id], labels))
            for m in of[h.id]:
                counts.members += 1
                members.append(_member_row(counts.members, h, m, labels))


async def export_region(
    uow: UnitOfWork,
    region: str,
    out: Path,
    fmt: Format = "xlsx",
    *,
    since: dt.datetime | None = None,
    labels: Labels | None = None,
) -> ExportCounts:
    """Write the region's export to ``out`` (``.xlsx``, or a ``.zip`` of CSV files).

    The file is written beside ``out`` and renamed into place when complete: nobody sends or
    opens half an export. Long: the chat runs it in :meth:`storage.db.Database.read`."""
    labeler = labels or _plain
    private_dir(out.parent)
    counts = ExportCounts(region, out)
    partial = out.with_name(f".{out.stem}.{os.getpid()}-{threading.get_ident()}.tmp{out.suffix}")
    try:
        if fmt == "xlsx":
            await _write_xlsx(uow, region, since, labeler, partial, counts)
        else:
            await _write_csv_zip(uow, region, since, labeler, partial, counts)
        make_private(partial)  # full NIK and No. KK: 0600 whatever the umask
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return counts


async def _write_xlsx(
    uow: UnitOfWork,
    region: str,
    since: dt.datetime | None,
    labels: Labels,
    out: Path,
    counts: ExportCounts,
) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheets = tuple(_XlsxSink(workbook, title, headers) for title, _, headers in SHEETS)
    try:
        await _write(uow, region, since, labels, (sheets[0], sheets[1], sheets[2]), counts)
        for sheet in sheets:
            sheet.finish()
    except BaseException:
        # Saving is what closes the sheets' row writers and their temporary files (left
        # open, they fail later, in the garbage collector); the caller deletes ``out``.
        with contextlib.suppress(Exception):
            workbook.save(out)
        raise
    workbook.save(out)
    counts.files = [title for title, _, _ in SHEETS]


async def _write_csv_zip(
    uow: UnitOfWork,
    region: str,
    since: dt.datetime | None,
    labels: Labels,
    out: Path,
    counts: ExportCounts,
) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # A zip writes one entry at a time: rows are spooled to temporary files, then copied.
        sinks = [_SpoolSink(headers) for _, _, headers in SHEETS]
        try:
            await _write(uow, region, since, labels, (sinks[0], sinks[1], sinks[2]), counts)
            for sink, (_, name, _) in zip(sinks, SHEETS, strict=True):
                sink.copy_into(archive, name)
        finally:
            for sink in sinks:
                sink.close()
    counts.files = [name for _, name, _ in SHEETS]


class _XlsxSink:
    """One sheet of the workbook: widths, the frozen bold header, typed cells, the filter."""

    def __init__(self, workbook: Any, title: str, headers: Sequence[str]) -> None:
        self._sheet = workbook.create_sheet(title)
        self._columns = len(headers)
        self._rows = 0
        widths = [WIDTHS.get(name, column_width(name)) for name in headers]
        begin_sheet(self._sheet, headers, widths)

    def append(self, row: Sequence[Any]) -> None:
        self._sheet.append([cell(self._sheet, value) for value in row])
        self._rows += 1

    def finish(self) -> None:
        end_sheet(self._sheet, self._columns, self._rows)


class _SpoolSink:
    """CSV rows spooled to a temporary file (a zip can only write one entry at a time)."""

    def __init__(self, headers: Sequence[str]) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._file, delimiter=";")
        self._writer.writerow(headers)

    def append(self, row: Sequence[Any]) -> None:
        self._writer.writerow([csv_value(v) for v in row])

    def copy_into(self, archive: zipfile.ZipFile, name: str) -> None:
        self._file.seek(0)
        with (
            archive.open(name, "w") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            while chunk := self._file.read(1 << 16):
                text.write(chunk)
        self.close()

    def close(self) -> None:
        self._file.close()
