"""Reading a DTKS/DTSEN register file (CSV or XLSX, one row per person): pure and synchronous.

    found = read_register(Path("dtks.xlsx"), "18.04.19.2006")   # in a worker thread
    rows, errors = found                                          # checked rows; kept errors

Nothing here touches the database, so the importer runs it in a worker thread
(``asyncio.to_thread``) outside any unit of work: the chat keeps answering while a big file is
read. What breaks imports in the field, and how it is handled (see DOMAIN.md, "Files from the
field"): headers vary in case, spacing and naming (alias table below); Excel in Indonesian locale
writes CSV with ``;``; UTF-8 files may start with a BOM; dates come as ``27-04-1990``,
``27/04/1990``, ``1990-04-27`` or Excel serial numbers (read by :mod:`flows.dates`, the parser of
every date in Kawal, so ``27 April 1990`` works too); a 16-digit NIK/KK typed into a number cell
arrives as ``1.80419E+15`` or a number that lost its last digits: such a row is rejected with a
message that says how to fix the file (format the column as Text). Nothing is ever guessed. A
cell holding exactly 16 digits is then checked by :mod:`flows.ids`, as in the forms. RT/RW lose
their leading zeros in number cells; 1-3 digits are padded back to 3 (``6`` -> ``006``).

Limits (:class:`ImportLimits`, from settings): the file's size; for an XLSX (a zip) the sum of
its members' uncompressed sizes and the ratio to the file's size, checked *before* openpyxl
opens it (a 0.9 MB file once expanded to 237 MB); the number of data rows; and the errors
kept (the first ``max_errors``, then only counted: a bad file once held 1.5 million error
objects in memory). A file over a limit is refused whole, with the limit and what to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flows.dates import excel_serial_date, parse_date_time
from flows.ids import KkCheck, NikCheck, check_kk, check_nik, is_placeholder
from handlers.kit.i18n import LANGS, t, tn

__all__ = [
    "ImportLimits",
    "RegisterFile",
    "RegisterRow",
    "RowError",
    "TooBig",
    "check_size",
    "read_register",
]

MB = 1024 * 1024
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What one register import may hold (``KAWAL_IMPORT_*`` in settings)."""

    max_file_mb: int = 20  # the file as sent (CSV or XLSX)
    max_unpacked_mb: int = 400  # XLSX: every member of the zip, uncompressed, together
    max_ratio: int = 100  # XLSX: uncompressed / compressed (a "zip bomb" is far above)
    max_rows: int = 500_000  # data rows (people)
    max_errors: int = 200  # row errors kept to show; the rest are counted


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


def read_register(path: Path, region: str, limits: ImportLimits | None = None) -> RegisterFile:
    """Read and check every row of a register file; rows outside ``region`` are errors. A
    file over ``limits`` is refused whole (one file-level error, no rows)."""
    limits = limits or ImportLimits()
    found = RegisterFile()
    try:
        check_size(path, limits)
    except TooBig as refused:
        found.add_errors([refused.error], limits.max_errors)
        return found
    xlsx = path.suffix.lower() in XLSX_SUFFIXES
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
        found.add_errors([RowError(0, "", *_both("imp_file_empty"))], limits.max_errors)
        return found
    missing = [name for name in _REQUIRED if name not in positions]
    if missing:
        wanted = ", ".join({"no_kk": "NO_KK", "nik": "NIK", "name": "NAMA"}[m] for m in missing)
        error = RowError(0, "", *_both("imp_columns_missing", wanted=wanted))
        found.add_errors([error], limits.max_errors)
        return found
    fallback = region if region.count(".") == 3 else ""
    out = found.rows
    seen_nik: dict[str, int] = {}
    kk_region: dict[str, tuple[str, int]] = {}
    for number, values in enumerate(rows, start=header_row + 1):
        if all(_blank(v) for v in values):
            continue
        found.data_rows += 1
        if found.data_rows > limits.max_rows:
            too_many = _refuse("imp_too_many_rows", max=limits.max_rows).error
            return RegisterFile(errors=[too_many], error_count=1, data_rows=found.data_rows)
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
            found.add_errors(r.errors, limits.max_errors)
            found.bad_rows += 1
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
    return found


class TooBig(Exception):
    """The file breaks one of the :class:`ImportLimits`; ``error`` says which, and what to do."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.en or error.message)
        self.error = error


def _refuse(key: str, **fields: object) -> TooBig:
    return TooBig(RowError(0, "", *_both(key, **fields)))


def check_size(path: Path, limits: ImportLimits) -> None:
    """Raise :class:`TooBig` unless the file fits the limits; for an XLSX read only the zip's
    directory (the members' declared sizes), never their content."""
    size = path.stat().st_size
    if size > limits.max_file_mb * MB:
        raise _refuse("imp_file_too_big", size=_mb(size), max=limits.max_file_mb)
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise _refuse("imp_not_xlsx") from None
    if unpacked > limits.max_unpacked_mb * MB:
        raise _refuse("imp_unpacked_too_big", size=_mb(unpacked), max=limits.max_unpacked_mb)
    if unpacked > limits.max_ratio * max(size, 1):
        raise _refuse("imp_unpacked_too_big", size=_mb(unpacked), max=limits.max_unpacked_mb)


def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


@dataclass(slots=True)
class RegisterFile:
    """What :func:`read_register` found; unpacks as ``rows, errors = found``."""

    rows: list[RegisterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first ``max_errors``
    error_count: int = 0  # every error, kept or not
    bad_rows: int = 0  # data rows with at least one error
    data_rows: int = 0  # data rows read (blank rows not counted)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.rows, self.errors))

    def add_errors(self, errors: Sequence[RowError], limit: int) -> None:
        room = max(limit - len(self.errors), 0)
        self.errors.extend(errors[:room])
        self.error_count += len(errors)
