"""Dates and times as people type them: the one parser of every place that reads a date.

The form question type ``date``, the deadline and announcement composers, the CLI and the
register importer all read dates here, so a spelling accepted in one place is accepted in all:

- ``17-08-1990``, ``17/08/1990``, ``17.08.1990`` (day first), ``1990-08-17`` (year first);
- ``17 Agustus 1990``, ``17 agt 1990``, ``17 Sept 1990``, ``17 Pebruari 1990``, ``17-Aug-1990``:
  one month table, Indonesian and English names, abbreviations and common old spellings.

Two-digit years are refused (``17-08-90``: which century?), as are years before 1800. Digits
are ASCII only. Pure functions: no clock, no catalog (month *names shown* to people live in
the catalogs; this table only reads them).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "MONTHS",
    "excel_serial_date",
    "missing_date",
    "parse_date",
    "parse_date_time",
    "parse_time_of_day",
]

_MONTH_SPELLINGS = (
    "januari jan january",
    "februari feb pebruari peb febuari pebuari february",
    "maret mar mrt march",
    "april apr",
    "mei may",
    "juni jun june",
    "juli jul july",
    "agustus agt agu ags agst agus agust aug august",
    "september sep sept",
    "oktober okt oct october",
    "november nov nop nopember",
    "desember des dec december",
)

MONTHS: Mapping[str, int] = MappingProxyType(
    {name: number for number, names in enumerate(_MONTH_SPELLINGS, 1) for name in names.split()}
)
"""Month number by lower-case spelling: ``agustus``, ``agt``, ``aug``, ``pebruari``, ``nop``."""

MIN_YEAR = 1800
_MAX_LENGTH = 64  # longer than any date and time a person types; longer text is not a date

_SEP = r" ?[-/.] ?"
_DMY = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{4}})")
_YMD = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,2}}){_SEP}([0-9]{{1,2}})")
_NAMED = re.compile(r"([0-9]{1,2})[ \-/.]*([a-z]+)\.?[ \-/.,]*([0-9]{4})")
_ISO_T = re.compile(r"([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})t(.+)")
_TIME = re.compile(
    r"(?:(?:pukul|pkl\.?|jam|at) ?)?([0-9]{1,2})(?:[.:]([0-9]{2})(?:[.:]([0-9]{2}))?)?"
)

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 after Excel's 1900 leap-year bug
_EXCEL_LAST = 80_000  # 2119: a larger number in a date column is not a date


def _normal(text: str) -> str | None:
    """Lower case, single spaces; None when too long to be a date."""
    s = " ".join((text or "").lower().split())
    return s if len(s) <= _MAX_LENGTH else None


def _date_parts(s: str) -> tuple[int, int, int] | None:
    """(year, month, day) of normalised text shaped like a date, whether or not that day
    exists; None when it is not a date (unknown month name, two-digit or early year)."""
    if m := _DMY.fullmatch(s):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.fullmatch(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _NAMED.fullmatch(s)) and m[2] in MONTHS:
        day, month, year = int(m[1]), MONTHS[m[2]], int(m[3])
    else:
        return None
    return (year, month, day) if year >= MIN_YEAR else None


def _real(parts: tuple[int, int, int] | None) -> dt.date | None:
    if parts is None:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """A date from its common spellings (see the module), or None: ``27-01-2027``,
    ``27/1/2027``, ``2027-01-27``, ``27 Januari 2027``, ``17 agst 2026``, ``5 Mei 2027``."""
    s = _normal(text)
    return _real(_date_parts(s)) if s is not None else None


def parse_time_of_day(text: str) -> dt.time | None:
    """``08.00``, ``8:00``, ``pukul 16.00``, ``jam 16`` or ``16`` (seconds allowed:
    ``16:00:00``) as a time of day; None if not a time."""
    s = _normal(text)
    m = _TIME.fullmatch(s) if s is not None else None
    if m is None:
        return None
    hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


def _split(text: str) -> tuple[str, str] | None:
    """(date part, time part or "") of a date optionally followed by a time; None when no
    leading part of the text is shaped like a date."""
    s = _normal(text)
    if not s:
        return None
    if m := _ISO_T.fullmatch(s):
        return m[1], m[2]
    words = s.split(" ")
    for end in range(len(words), 0, -1):  # the longest leading part shaped like a date
        head = " ".join(words[:end]).rstrip(",")
        if _date_parts(head) is not None:
            return head, " ".join(words[end:])
    return None


def parse_date_time(text: str) -> tuple[dt.date, dt.time | None] | None:
    """A date with an optional time: ``27-01-2027 16.00``, ``2027-01-27T16:00``,
    ``27 Januari 2027 pukul 16.00``, ``17 Sept 2026, 16:00``. None when the date is not
    understood or what follows it is not a time."""
    split = _split(text)
    if split is None:
        return None
    date = parse_date(split[0])
    if date is None:
        return None
    if not split[1]:
        return date, None
    time = parse_time_of_day(split[1])
    return (date, time) if time is not None else None


def missing_date(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) when ``text`` (a date, or a date and time as :func:`parse_date_time`
    reads them) names a day its month does not have, such as ``30-02-2027 16.00``; None
    otherwise (a real date, or not a date at all)."""
    split = _split(text)
    parts = _date_parts(split[0]) if split is not None else None
    if parts is None or not 1 <= parts[1] <= 12:
        return None
    year, month, day = parts
    return parts if not 1 <= day <= calendar.monthrange(year, month)[1] else None


def excel_serial_date(serial: float) -> dt.date | None:
    """The date of an Excel serial number (``32990`` = 27-04-1990; a fraction is the time of
    day and is dropped); None outside 1900-2119."""
    if not 1 <= serial < _EXCEL_LAST:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))
