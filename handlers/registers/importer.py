"""Importing a village's DTKS/DTSEN register (CSV or XLSX, one row per person) into households.

    report = await import_register(uow, Path("dtks.xlsx"), "18.04.19.2006", now, person_id=1)
    if not report.ok:
        print(report.text())          # every bad row: row number, column, what is wrong, example

All or nothing: the file is read and checked completely first; when any row is bad nothing is
written. A re-import updates instead of duplicating: households match on No. KK within the
region, members on NIK (placeholders excluded) or IDSEMESTA.

What breaks imports in the field, and how it is handled (see DOMAIN.md, "Files from the field"):
headers vary in case, spacing and naming (alias table below); Excel in Indonesian locale writes CSV
with ``;``; UTF-8 files may start with a BOM; dates come as ``27-04-1990``, ``27/04/1990``,
``1990-04-27`` or Excel serial numbers (read by :mod:`flows.dates`, the parser of every date in
Kawal, so ``27 April 1990`` works too); a 16-digit NIK/KK typed into a number cell arrives as
``1.80419E+15`` or a number that lost its last digits: such a row is rejected with a message that
says how to fix the file (format the column as Text). Nothing is ever guessed. A cell holding
exactly 16 digits is then checked by :mod:`flows.ids`, as in the forms. RT/RW lose their
leading zeros in number cells; 1-3 digits are padded back to 3 (``6`` -> ``006``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from flows.dates import excel_serial_date, parse_date_time
from flows.ids import KkCheck, NikCheck, check_kk, check_nik, is_placeholder
from handlers.kit.i18n import LANGS, t, tn
from storage.db import UnitOfWork
from storage.models import Household, Member
from storage.records import HouseholdRecord, MemberRecord
from storage.repos._base import in_region

__all__ = [
    "ImportReport",
    "RegisterRow",
    "RowError",
    "import_register",
    "read_register",
]

MAX_ERRORS_SHOWN = 50
HEADER_SEARCH_ROWS = 10

# Canonical field -> header spellings, compared after lower-casing and dropping everything that is
# not a letter or digit ("No. KK" -> "nokk", "Tgl_Lahir" -> "tgllahir").
_ALIASES: dict[str, tuple[str, ...]] = {
    "idsemesta": ("idsemesta", "idsemestaart", "idart", "idindividu", "idsemestaindividu"),
    "id_dtks": ("iddtks", "idkeluarga", "iddtkskeluarga", "idsemestakeluarga", "idkel"),
    "no_kk": ("nokk", "kk", "nomorkk", "nokartukeluarga", "nomorkartukeluarga", "nkk"),
    "nik": ("nik", "noktp", "nomornik", "niknik", "nikart"),
    "name": ("nama", "namalengkap", "namaart", "namaanggota"),
    "relation": (
        "hubungankeluarga",
        "hubungan",
        "hubkel",
        "shdk",
        "hubungandengankk",
        "hubungandengankepalakeluarga",
        "statushubungan",
    ),
    "sex": ("jeniskelamin", "jk", "kelamin", "sex", "jeniskel"),
    "birth_date": ("tanggallahir", "tgllahir", "tgllhr", "tanggallhr", "tanggalkelahiran"),
    "marital_status": ("statusperkawinan", "statuskawin", "perkawinan", "statusnikah"),
    "address": ("alamat", "alamatrumah", "alamatlengkap"),
    "rt": ("rt", "nort"),
    "rw": ("rw", "norw"),
    "region": ("kodewilayah", "kodedesa", "kodekelurahan", "kodewil", "kodedesakelurahan"),
    "pkh": ("pkh",),
    "bpnt": ("bpnt", "sembako", "bpntsembako"),
    "pbi_jk": ("pbi", "pbijk", "pbijkn"),
}
_HEADER_TO_FIELD = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}
_REQUIRED = ("no_kk", "nik", "name")
_PROGRAMMES = ("pkh", "bpnt", "pbi_jk")

_SEX = {
    "l": "L",
    "lk": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "1": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "2": "P",
}
_RELATION = {
    "kepala keluarga": "kepala_keluarga",
    "kepala rumah tangga": "kepala_keluarga",
    "kk": "kepala_keluarga",
    "istri/suami": "istri_suami",
    "suami/istri": "istri_suami",
    "istri": "istri_suami",
    "suami": "istri_suami",
    "anak": "anak",
    "anak kandung": "anak",
    "anak tiri": "anak",
    "anak angkat": "anak",
    "menantu": "menantu",
    "cucu": "cucu",
    "orang tua/mertua": "orang_tua",
    "orang tua": "orang_tua",
    "mertua": "orang_tua",
    "famili lain": "lainnya",
    "pembantu/sopir": "pembantu_sopir",
    "pembantu": "pembantu_sopir",
    "lainnya": "lainnya",
    "lain-lain": "lainnya",
}
_MARITAL = {
    "belum kawin": "belum_kawin",
    "kawin": "kawin",
    "cerai hidup": "cerai_hidup",
    "cerai mati": "cerai_mati",
}
_YES = frozenset({"ya", "y", "1", "yes", "true", "penerima"})
_NO = frozenset({"tidak", "t", "0", "no", "false", "bukan", "-", ""})

_DIGITS16 = re.compile(r"[0-9]{16}")
_SCIENTIFIC = re.compile(r"[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+")
_REGION_DOTTED = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")


def _both(key: str, count: int | None = None, /, **fields: object) -> tuple[str, str]:
    """The catalog message ``key`` in Indonesian and in English (plural by ``count``)."""
    if count is None:
        return t(key, "id", **fields), t(key, "en", **fields)
    return tn(key, count, "id", **fields), tn(key, count, "en", **fields)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the row number as a spreadsheet shows it (the header is row 1); 0 = the whole file
    column: str
    message: str  # Bahasa Indonesia
    en: str = ""  # English

    def text(self, lang: str = "id") -> str:
        message = self.en if lang == "en" and self.en else self.message
        key = "imp_where_row" if self.row else "imp_where_file"
        if self.column:
            key += "_column"
        return t(key, lang, row=self.row, column=self.column, message=message)


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One person of the register, checked and normalised."""

    row: int
    region_code: str
    no_kk: str
    nik: str
    name: str
    relation: str
    sex: str | None
    birth_date: dt.date | None
    marital_status: str | None
    address: str
    rt: str
    rw: str
    idsemesta: str | None
    id_dtks: str | None
    programmes: tuple[str, ...] | None


@dataclass(slots=True)
class ImportReport:
    file: str
    region: str
    rows: int = 0
    households_added: int = 0
    households_updated: int = 0
    members_added: int = 0
    members_updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self, lang: str = "id") -> str:
        """A summary for the person who imported (Bahasa Indonesia, or English)."""
        if self.ok:
            return t(
                "imp_done",
                lang,
                file=self.file,
                region=self.region,
                rows=tn("imp_rows", self.rows, lang),
                households_added=tn("imp_households_added", self.households_added, lang),
                households_updated=tn("imp_households_updated", self.households_updated, lang),
                members_added=tn("imp_members_added", self.members_added, lang),
                members_updated=tn("imp_members_updated", self.members_updated, lang),
            )
        bad_rows = len({e.row for e in self.errors})
        head = tn("imp_cancelled", bad_rows, lang, file=self.file)
        lines = [head, *("• " + e.text(lang) for e in self.errors[:MAX_ERRORS_SHOWN])]
        more = len(self.errors) - MAX_ERRORS_SHOWN
        if more > 0:
            lines.append(tn("imp_more_errors", more, lang))
        return "\n".join(lines)


# ---- reading files ---------------------------------------------------------------------------


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower().lstrip("\ufeff"))


def _raw_rows(path: Path) -> Iterator[list[Any]]:
    """The file's rows as lists of cell values (str for CSV; openpyxl values for XLSX)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield list(values)
        finally:
            workbook.close()
        return
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t", "|"), key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _RowReader:
    def __init__(self, row: int, cells: dict[str, Any], headers: dict[str, str], xlsx: bool):
        self.row = row
        self.cells = cells
        self.headers = headers
        self.xlsx = xlsx
        self.errors: list[RowError] = []

    def error(self, name: str, key: str, count: int | None = None, /, **fields: object) -> None:
        """The catalog message ``key`` about the cell of field ``name``."""
        self.errors.append(
            RowError(self.row, self.headers.get(name, name), *_both(key, count, **fields))
        )

    def id16(self, name: str, what: str, *, nik: bool) -> str:
        value = self.cells.get(name)
        column = self.headers.get(name, name)
        if _blank(value):
            self.error(name, "imp_id_empty", what=what)
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            shown = f"{value:.5E}" if isinstance(value, float) else str(value)
            self.error(name, "imp_excel_number", shown=shown, column=column)
            return ""
        text = str(value).strip().lstrip("'").replace(" ", "")
        if _SCIENTIFIC.fullmatch(text) or re.fullmatch(r"[0-9]{15,16}[.,]0+", text):
            self.error(name, "imp_excel_number", shown=text, column=column)
            return ""
        if not _DIGITS16.fullmatch(text):  # a cell, unlike a chat answer, keeps no dots or dashes
            self.error(name, "imp_id_length", len(text), what=what, text=repr(text[:24]))
            return ""
        check: NikCheck | KkCheck = check_nik(text) if nik else check_kk(text)
        if check.ok:
            return check.value
        if check.problem == "date":
            self.error(name, "imp_id_date", what=what, start=text[:4])
        else:  # an unknown province: the check's own message, with an example
            english = check_nik(text, "en") if nik else check_kk(text, "en")
            self.errors.append(RowError(self.row, column, check.error or "", english.error or ""))
        return ""

    def text(self, name: str) -> str:
        return _text(self.cells.get(name))

    def rt_rw(self, name: str) -> str:
        value = self.cells.get(name)
        if _blank(value):
            return ""
        text = _text(value)
        if re.fullmatch(r"[0-9]{1,3}", text):
            return text.zfill(3)
        self.error(name, "imp_rt_rw", text=repr(text[:10]), name=name.upper())
        return ""

    def birth_date(self) -> dt.date | None:
        value = self.cells.get("birth_date")
        if _blank(value):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if self.xlsx and isinstance(value, int | float) and not isinstance(value, bool):
            serial = excel_serial_date(value)  # a date cell read as its serial number
            if serial is not None:
                return serial
        text = _text(value)
        parsed = parse_date_time(text)  # a date, maybe with the time a datetime cell carries
        if parsed is not None:
            return parsed[0]
        self.error("birth_date", "imp_birth_date", text=repr(text[:20]))
        return None

    def choice(self, name: str, table: dict[str, str], example: str) -> str | None:
        """The canonical value of a cell ``table`` knows; ``example`` is a catalog key."""
        text = self.text(name)
        if not text:
            return None
        key = re.sub(r"\s+", " ", text.lower())
        if key in table:
            return table[key]
        self.errors.append(
            RowError(
                self.row,
                self.headers.get(name, name),
                *(
                    t("imp_choice", lang, text=repr(text[:30]), example=t(example, lang))
                    for lang in LANGS
                ),
            )
        )
        return None

    def region(self, fallback: str) -> str:
        if "region" not in self.cells or _blank(self.cells.get("region")):
            return fallback
        text = _text(self.cells["region"]).replace(" ", "")
        if re.fullmatch(r"[0-9]{10}", text):
            text = f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
        if not _REGION_DOTTED.fullmatch(text):
            self.error("region", "imp_village_code", text=repr(text[:20]))
            return ""
        return text

    def programme(self, name: str) -> bool:
        text = self.text(name).lower()
        if text in _YES:
            return True
        if text not in _NO:
            self.error(name, "imp_programme", text=repr(text[:10]))
        return False


def _header_map(cells: Sequence[Any]) -> tuple[dict[str, str], dict[str, int]]:
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _HEADER_TO_FIELD.get(_header_key(_text(cell)))
        if name and name not in positions:
            positions[name] = index
            headers[name] = _text(cell).lstrip("\ufeff")
    return headers, positions


def read_register(path: Path, region: str) -> tuple[list[RegisterRow], list[RowError]]:
    """Read and check every row of a register file; rows outside ``region`` are errors."""
    xlsx = path.suffix.lower() in {".xlsx", ".xlsm"}
    rows = _raw_rows(path)
    # The header is the first row naming the required columns: spreadsheets assembled by hand
    # often carry a title ("DAFTAR DTKS PEKON ...") and blank rows above it.
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    header_row = 0
    for header_row, header_cells in enumerate(rows, start=1):
        headers, positions = _header_map(header_cells)
        if all(name in positions for name in _REQUIRED) or header_row >= HEADER_SEARCH_ROWS:
            break
    if header_row == 0:
        return [], [RowError(0, "", *_both("imp_file_empty"))]
    missing = [name for name in _REQUIRED if name not in positions]
    if missing:
        wanted = ", ".join({"no_kk": "NO_KK", "nik": "NIK", "name": "NAMA"}[m] for m in missing)
        return [], [RowError(0, "", *_both("imp_columns_missing", wanted=wanted))]
    fallback = region if region.count(".") == 3 else ""
    out: list[RegisterRow] = []
    errors: list[RowError] = []
    seen_nik: dict[str, int] = {}
    kk_region: dict[str, tuple[str, int]] = {}
    for number, values in enumerate(rows, start=header_row + 1):
        if all(_blank(v) for v in values):
            continue
        cells = {name: values[i] if i < len(values) else None for name, i in positions.items()}
        r = _RowReader(number, cells, headers, xlsx)
        no_kk = r.id16("no_kk", "No. KK", nik=False)
        nik = r.id16("nik", "NIK", nik=True)
        name = r.text("name")
        if not name:
            r.error("name", "imp_name_empty")
        relation = r.choice("relation", _RELATION, "imp_example_relation")
        sex = r.choice("sex", _SEX, "imp_example_sex")
        born = r.birth_date()
        marital = r.choice("marital_status", _MARITAL, "imp_example_marital")
        rt, rw = r.rt_rw("rt"), r.rt_rw("rw")
        code = r.region(fallback)
        if code and not (code == region or code.startswith(region + ".")):
            r.error("region", "imp_outside", code=code, region=region)
        elif not code and not r.errors:
            r.error("region", "imp_village_empty")
        programmes = (
            tuple(p for p in _PROGRAMMES if p in positions and r.programme(p))
            if any(p in positions for p in _PROGRAMMES)
            else None
        )
        if nik and not is_placeholder(nik):
            if nik in seen_nik:
                r.error("nik", "imp_duplicate_nik", row=seen_nik[nik])
            else:
                seen_nik[nik] = number
        if no_kk and code:
            first = kk_region.setdefault(no_kk, (code, number))
            if first[0] != code:
                r.error("region", "imp_kk_two_codes", row=first[1], code=first[0])
        if r.errors:
            errors.extend(r.errors)
            continue
        out.append(
            RegisterRow(
                row=number,
                region_code=code,
                no_kk=no_kk,
                nik=nik,
                name=" ".join(name.split()),
                relation=relation or "lainnya",
                sex=sex,
                birth_date=born,
                marital_status=marital,
                address=r.text("address"),
                rt=rt,
                rw=rw,
                idsemesta=r.text("idsemesta") or None,
                id_dtks=r.text("id_dtks") or None,
                programmes=programmes,
            )
        )
    return out, errors


# ---- applying ------------------------------------------------------------------------------


def _group(rows: Sequence[RegisterRow]) -> dict[tuple[str, str], list[RegisterRow]]:
    families: dict[tuple[str, str], list[RegisterRow]] = {}
    for row in rows:
        families.setdefault((row.region_code, row.no_kk), []).append(row)
    return families


def _match(existing: Sequence[MemberRecord], row: RegisterRow) -> MemberRecord | None:
    for member in existing:
        if not is_placeholder(row.nik) and member.nik == row.nik:
            return member
        if row.idsemesta and member.idsemesta == row.idsemesta:
            return member
    return None


async def import_register(
    uow: UnitOfWork,
    path: Path,
    region: str,
    now: dt.datetime,
    *,
    person_id: int | None = None,
    channel: str | None = None,
    apply: bool = True,
    file_name: str | None = None,
) -> ImportReport:
    """Check the whole file, then (only when every row is good, and ``apply``) apply it.

    ``file_name`` is the name the sender gave the file (a received file is stored under a name
    of the channel's choosing); the report and the audit use it."""
    report = ImportReport(file_name or path.name, region)
    if await uow.regions.get(region) is None:
        report.errors.append(RowError(0, "", *_both("imp_region_missing", region=region)))
        return report
    rows, errors = read_register(path, region)
    report.rows = len(rows) + len({e.row for e in errors if e.row})
    report.errors.extend(errors)
    for code in sorted({row.region_code for row in rows}):
        if await uow.regions.get(code) is None:
            first = next(row.row for row in rows if row.region_code == code)
            report.errors.append(
                RowError(first, "KODE_WILAYAH", *_both("imp_village_unknown", code=code))
            )
    if not rows and not report.errors:
        report.errors.append(RowError(0, "", *_both("imp_no_rows")))
    if report.errors or not apply:
        report.errors.sort(key=lambda e: e.row)
        return report
    # One query for the region's existing No. KK; full records only for the households that match.
    known = {
        (code, no_kk): household_id
        for household_id, code, no_kk in await uow.session.execute(
            select(Household.id, Household.region_code, Household.no_kk).where(
                in_region(Household.region_code, region)
            )
        )
    }
    for (code, no_kk), family in _group(rows).items():
        found = known.get((code, no_kk))
        record = await uow.households.get(found) if found is not None else None
        existing = [record] if record is not None else []
        await _apply_family(uow, report, code, no_kk, family, existing, now, person_id)
    await uow.audit.add(
        "register.imported",
        "region",
        region,
        now,
        person_id=person_id,
        channel=channel,
        region_code=region,
        after={
            "file": report.file,
            "stored_as": str(path),
            "rows": report.rows,
            "households_added": report.households_added,
            "households_updated": report.households_updated,
            "members_added": report.members_added,
            "members_updated": report.members_updated,
        },
    )
    return report


async def _apply_family(
    uow: UnitOfWork,
    report: ImportReport,
    code: str,
    no_kk: str,
    family: list[RegisterRow],
    existing: list[HouseholdRecord],
    now: dt.datetime,
    person_id: int | None,
) -> None:
    head = next((r for r in family if r.relation == "kepala_keluarga"), family[0])
    id_dtks = head.id_dtks or head.idsemesta
    programmes = head.programmes
    data: dict[str, Any] = dict(existing[0].data or {}) if existing else {}
    if programmes is not None:
        data["programmes"] = list(programmes) or ["tidak_ada"]
    if existing:
        household = existing[0]
        values: dict[str, Any] = {
            "head_name": head.name,
            "address": head.address or household.address,
            "rt": head.rt or household.rt,
            "rw": head.rw or household.rw,
            "data": data,
        }
        if any(getattr(household, k) != v for k, v in values.items()):
            await uow.households.update_fields(household.id, values, person_id, now)
        report.households_updated += 1
        household_id, members = household.id, list(household.members)
    else:
        household_id = await uow.households.add(
            code,
            head.name,
            no_kk,
            id_dtks,
            head.address,
            head.rt,
            head.rw,
            data=data,
            now=now,
        )
        report.households_added += 1
        members = []
    position = max((m.position for m in members), default=0)
    new_members: list[dict[str, Any]] = []
    for row in family:
        fields: dict[str, Any] = {
            "name": row.name,
            "nik": row.nik,
            "relation": row.relation,
            "sex": row.sex,
            "birth_date": row.birth_date,
            "idsemesta": row.idsemesta,
        }
        if row.marital_status:
            fields["marital_status"] = row.marital_status
        match = _match(members, row)
        if match is not None:
            if any(getattr(match, k) != v for k, v in fields.items()):
                await uow.households.update_member(match.id, fields)
            report.members_updated += 1  # matched: updated where anything differed
            continue
        position += 1
        fields.setdefault("marital_status", None)
        new_members.append(
            {"household_id": household_id, "position": position, "data": {}, **fields}
        )
        report.members_added += 1
    if new_members:  # one multi-row INSERT per family instead of one statement per person
        await uow.session.execute(insert(Member), new_members)
