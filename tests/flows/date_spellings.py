"""Date spellings that every place reading a date treats alike (``flows.dates`` is the one
parser): the form question type, the deadline and announcement composers, the CLI and the
register importer. Templates take ``{year}`` so that each test picks a year in its future."""

from __future__ import annotations

import datetime as dt

# (template, month, day)
ACCEPTED: list[tuple[str, int, int]] = [
    ("17 Sept {year}", 9, 17),  # issue 16: accepted by a form question, refused elsewhere
    ("17 Pebruari {year}", 2, 17),  # issue 16
    ("17 agst {year}", 8, 17),  # issue 16
    ("17-08-{year}", 8, 17),
    ("17/8/{year}", 8, 17),
    ("17.08.{year}", 8, 17),
    ("{year}-08-17", 8, 17),
    ("{year}/08/17", 8, 17),
    ("17 Agustus {year}", 8, 17),
    ("17 AGT {year}", 8, 17),
    ("17 August {year}", 8, 17),
    ("17 Aug. {year}", 8, 17),
    ("17-Agustus-{year}", 8, 17),
    ("5 Mei {year}", 5, 5),
    ("3 Mrt {year}", 3, 3),
    ("7 Nopember {year}", 11, 7),
    ("8 Des {year}", 12, 8),
    ("1 Oct {year}", 10, 1),
]

REFUSED: list[str] = [
    "17-08-26",  # a two-digit year: which century?
    "17 Agustus 26",
    "31-02-{year}",  # no such day
    "17-13-{year}",  # no such month
    "17 Agustusan {year}",
    "17 08 {year}",  # no separator
    "kemarin",
    "١٧-٠٨-٢٠٩٩",  # digits that are not ASCII
]


def accepted(year: int) -> list[tuple[str, dt.date]]:
    """The accepted spellings with ``year`` filled in, and the date each names."""
    return [(text.format(year=year), dt.date(year, month, day)) for text, month, day in ACCEPTED]


def refused(year: int) -> list[str]:
    return [text.format(year=year) for text in REFUSED]
