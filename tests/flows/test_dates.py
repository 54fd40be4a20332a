"""The one date parser (flows.dates): table tests, no clock."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from flows.dates import (
    MONTHS,
    excel_serial_date,
    missing_date,
    parse_date,
    parse_date_time,
    parse_time_of_day,
)
from tests.flows.conftest import Driver, make_form
from tests.flows.date_spellings import accepted, refused


@pytest.mark.parametrize(
    "text",
    [
        "17-08-1990",
        "17/08/1990",
        "17.08.1990",
        "1990-08-17",
        "17 Agustus 1990",
        "17 agustus 1990",
        "17 AGT 1990",
        "17 agt 1990",
        "17 Agu 1990",
        "17 August 1990",
        "17 aug 1990",
        "17 Aug. 1990",
        "17-Agustus-1990",
        " 17 - 08 - 1990 ",
    ],
)
def test_parse_date_formats(text):
    assert parse_date(text) == date(1990, 8, 17)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 Januari 2000", date(2000, 1, 1)),
        ("5 Feb 2001", date(2001, 2, 5)),
        ("9 Pebruari 2001", date(2001, 2, 9)),
        ("31 Maret 2002", date(2002, 3, 31)),
        ("1 Mei 2003", date(2003, 5, 1)),
        ("1 May 2003", date(2003, 5, 1)),
        ("2 Juni 2004", date(2004, 6, 2)),
        ("3 Juli 2005", date(2005, 7, 3)),
        ("4 Sept 2006", date(2006, 9, 4)),
        ("5 Okt 2007", date(2007, 10, 5)),
        ("6 October 2007", date(2007, 10, 6)),
        ("7 Nop 2008", date(2008, 11, 7)),
        ("8 Des 2009", date(2009, 12, 8)),
        ("9 December 2009", date(2009, 12, 9)),
        ("29-02-2024", date(2024, 2, 29)),
    ],
)
def test_parse_date_months(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "kemarin",
        "32-01-1990",
        "29-02-2023",
        "17-13-1990",
        "17-08-90",
        "17 Foo 1990",
        "1990/08/17/1",
        "17 08 1990 extra",
        "0-0-0000",
        "x" * 100,
    ],
)
def test_parse_date_rejects(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27-01-2027", dt.date(2027, 1, 27)),
        ("27/1/2027", dt.date(2027, 1, 27)),
        ("2027-01-27", dt.date(2027, 1, 27)),
        ("27 Januari 2027", dt.date(2027, 1, 27)),
        ("17 agt 2027", dt.date(2027, 8, 17)),
        ("5 Mei 2027", dt.date(2027, 5, 5)),
        ("1 December 2027", dt.date(2027, 12, 1)),
        ("31-02-2027", None),
        ("27 Jamuari 2027", None),
        ("01-27-2027", None),
        ("besok", None),
        ("17 Agustus 1799", None),  # before 1800
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


def test_every_month_has_its_indonesian_and_english_name() -> None:
    assert sorted(set(MONTHS.values())) == list(range(1, 13))
    for name, number in [("januari", 1), ("pebruari", 2), ("agustus", 8), ("nopember", 11)]:
        assert MONTHS[name] == number
    for name, number in [("january", 1), ("may", 5), ("october", 10), ("december", 12)]:
        assert MONTHS[name] == number
    for name, number in [("agt", 8), ("ags", 8), ("agst", 8), ("sept", 9), ("mrt", 3)]:
        assert MONTHS[name] == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08.00", dt.time(8, 0)),
        ("8:00", dt.time(8, 0)),
        ("16", dt.time(16, 0)),
        ("pukul 16.30", dt.time(16, 30)),
        ("Pukul 16.30", dt.time(16, 30)),
        ("jam 7", dt.time(7, 0)),
        ("23:59", dt.time(23, 59)),
        ("16:00:30", dt.time(16, 0, 30)),
        ("24:00", None),
        ("8.61", None),
        ("16:00:60", None),
        ("jam", None),
        ("sore", None),
        ("", None),
        ("١٦:٠٠", None),
    ],
)
def test_time_of_day(text: str, expected: dt.time | None) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27-01-2027 16.00", (dt.date(2027, 1, 27), dt.time(16, 0))),
        ("2027-01-27T16:00", (dt.date(2027, 1, 27), dt.time(16, 0))),
        ("2027-01-27T16:00:00", (dt.date(2027, 1, 27), dt.time(16, 0))),
        ("2027-01-27 16:00", (dt.date(2027, 1, 27), dt.time(16, 0))),
        ("27 Januari 2027 pukul 16.00", (dt.date(2027, 1, 27), dt.time(16, 0))),
        ("17 Sept 2026, 16:00", (dt.date(2026, 9, 17), dt.time(16, 0))),
        ("17 - 08 - 2026 jam 8", (dt.date(2026, 8, 17), dt.time(8, 0))),
        ("27-01-2027", (dt.date(2027, 1, 27), None)),
        ("27-01-2027 sore", None),
        ("27-01-2027 16.00 sore", None),
        ("kapan-kapan", None),
        ("", None),
    ],
)
def test_date_and_time(text: str, expected: object) -> None:
    assert parse_date_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30-02-2027", (2027, 2, 30)),
        ("30-02-2027 16.00", (2027, 2, 30)),
        ("2027-02-29T16:00", (2027, 2, 29)),
        ("31 April 2027 pukul 10.00", (2027, 4, 31)),
        ("31 Sept 2027", (2027, 9, 31)),
        ("00-01-2027", (2027, 1, 0)),
        ("29-02-2028", None),  # a leap year: the day exists
        ("27-01-2027 16.00", None),
        ("2027-13-01", None),  # no such month: not understood, the generic message
        ("30-02-27", None),  # a two-digit year is not a date at all
        ("kemarin", None),
    ],
)
def test_a_day_its_month_does_not_have_is_told_apart(
    text: str, expected: tuple[int, int, int] | None
) -> None:
    assert missing_date(text) == expected
    if expected is not None:
        assert parse_date_time(text) is None


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (32990, dt.date(1990, 4, 27)),
        (32990.75, dt.date(1990, 4, 27)),  # the time of day is dropped
        (1, dt.date(1899, 12, 31)),
        (0, None),
        (-5, None),
        (80_000, None),
    ],
)
def test_excel_serial_numbers(serial: float, expected: dt.date | None) -> None:
    assert excel_serial_date(serial) == expected


YEAR = 2026


@pytest.mark.parametrize(("text", "expected"), accepted(YEAR))
def test_the_shared_spellings_are_dates_in_every_reader(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert parse_date_time(text) == (expected, None)
    assert parse_date_time(f"{text} 16.00") == (expected, dt.time(16, 0))
    form = make_form("questions:\n  - {name: d, type: date, label: Tanggal}\n")
    d = Driver(form)
    d.send(text)
    assert d.errors() == [] and d.answers == {"d": expected.isoformat()}


@pytest.mark.parametrize("text", refused(YEAR))
def test_the_shared_refusals_are_refused_by_every_reader(text: str) -> None:
    assert parse_date(text) is None
    assert parse_date_time(text) is None
    assert parse_date_time(f"{text} 16.00") is None
    form = make_form("questions:\n  - {name: d, type: date, label: Tanggal}\n")
    d = Driver(form)
    d.send(text)
    assert len(d.errors()) == 1 and "d" not in d.answers
