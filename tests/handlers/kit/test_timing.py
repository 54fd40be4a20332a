"""The deadline calendar (handlers.kit.timing): table tests, no database, no clock. Dates and
times of day as people type them: tests/flows/test_dates.py."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.kit.dates import days_between
from handlers.kit.timing import (
    QuietHours,
    Recurrence,
    around,
    local_instant,
    occurrences,
    parse_offsets,
)

UTC = dt.UTC
WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7,3,1,0", (7, 3, 1, 0)),
        ("0, 1, 3, 7", (7, 3, 1, 0)),
        ("H-7 H-3 H-1 H-0", (7, 3, 1, 0)),
        ("h - 14, t-2", (14, 2)),
        ("3,3,1", (3, 1)),
        ("60", (60,)),
        ("61", None),
        ("7,-3", None),
        ("satu", None),
        ("", None),
        ("9,8,7,6,5,4,3,2,1", None),  # more than 8 reminders
        ("٧,٣", None),  # digits that are not ASCII
    ],
)
def test_offsets(text: str, expected: tuple[int, ...] | None) -> None:
    assert parse_offsets(text) == expected


@pytest.mark.parametrize(
    ("zone", "expected"),
    [(WIB, utc(2027, 1, 27, 9)), (WITA, utc(2027, 1, 27, 8)), (WIT, utc(2027, 1, 27, 7))],
)
def test_local_time_is_read_in_the_region_zone(zone: str, expected: dt.datetime) -> None:
    assert local_instant(dt.date(2027, 1, 27), dt.time(16, 0), zone) == expected


QUIET = QuietHours()


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2027-01-20 08:00", "2027-01-20 08:00"),  # allowed
        ("2027-01-20 20:59", "2027-01-20 20:59"),
        ("2027-01-20 21:00", "2027-01-21 07:00"),  # start included
        ("2027-01-20 23:30", "2027-01-21 07:00"),
        ("2027-01-21 00:00", "2027-01-21 07:00"),
        ("2027-01-21 06:59", "2027-01-21 07:00"),
        ("2027-01-21 07:00", "2027-01-21 07:00"),  # end excluded
        ("2027-01-31 22:00", "2027-02-01 07:00"),  # across a month end
        ("2027-12-31 21:30", "2028-01-01 07:00"),  # and a year end
    ],
)
def test_quiet_hours_move_to_their_end(local: str, expected: str) -> None:
    zone = dt.timezone(dt.timedelta(hours=8))
    at = dt.datetime.fromisoformat(local).replace(tzinfo=zone)
    assert QUIET.next_allowed(at) == dt.datetime.fromisoformat(expected).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("21:00-07:00", [dt.time(22), dt.time(6, 59)], [dt.time(7), dt.time(20, 59)]),
        ("12.00 - 13.00", [dt.time(12, 30)], [dt.time(13), dt.time(11, 59)]),
        ("off", [], [dt.time(0), dt.time(23)]),
    ],
)
def test_quiet_hours_setting(text: str, inside: list[dt.time], outside: list[dt.time]) -> None:
    quiet = QuietHours.parse(text)
    assert all(quiet.contains(x) for x in inside)
    assert not any(quiet.contains(x) for x in outside)


@pytest.mark.parametrize("text", ["21:00", "malam", "25:00-07:00"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="21:00-07:00"):
        QuietHours.parse(text)


def _keys(first: dt.datetime, zone: str, recurrence: Recurrence | None, n: int) -> list[str]:
    found = []
    for occurrence in occurrences(first, zone, recurrence):
        local = occurrence.due.astimezone(ZoneInfo(zone))
        found.append(f"{occurrence.key} {local:%Y-%m-%d %H:%M}")
        if len(found) == n:
            break
    return found


def test_a_one_off_deadline_has_one_occurrence_keyed_by_its_local_date() -> None:
    # 23:30 WIT on 31 January is still 31 January there (14:30 UTC).
    first = utc(2027, 1, 31, 14, 30)
    assert _keys(first, WIT, None, 5) == ["2027-01-31 2027-01-31 23:30"]


@pytest.mark.parametrize(
    ("first", "day", "expected"),
    [
        # every month on the 17th at 16:00 WIB
        (
            utc(2027, 1, 17, 9),
            17,
            ["2027-01 2027-01-17 16:00", "2027-02 2027-02-17 16:00", "2027-03 2027-03-17 16:00"],
        ),
        # the 31st: the month's last day in shorter months, back to the 31st after
        (
            utc(2027, 1, 31, 9),
            31,
            [
                "2027-01 2027-01-31 16:00",
                "2027-02 2027-02-28 16:00",
                "2027-03 2027-03-31 16:00",
                "2027-04 2027-04-30 16:00",
            ],
        ),
        # the 29th in a leap year
        (
            utc(2028, 1, 29, 9),
            29,
            ["2028-01 2028-01-29 16:00", "2028-02 2028-02-29 16:00", "2028-03 2028-03-29 16:00"],
        ),
        # across a year end
        (utc(2027, 11, 30, 9), 30, ["2027-11 2027-11-30 16:00", "2027-12 2027-12-30 16:00"]),
    ],
)
def test_monthly_occurrences(first: dt.datetime, day: int, expected: list[str]) -> None:
    assert _keys(first, WIB, Recurrence(day), len(expected)) == expected


def test_a_monthly_deadline_ends_on_its_until_date() -> None:
    recurrence = Recurrence(17, until=dt.date(2027, 3, 17))
    assert _keys(utc(2027, 1, 17, 9), WIB, recurrence, 10) == [
        "2027-01 2027-01-17 16:00",
        "2027-02 2027-02-17 16:00",
        "2027-03 2027-03-17 16:00",
    ]


def test_recurrence_round_trips_through_json() -> None:
    for recurrence in (Recurrence(17), Recurrence(31, dt.date(2027, 12, 31))):
        assert Recurrence.from_json(recurrence.to_json()) == recurrence
    assert Recurrence.from_json(None) is None
    with pytest.raises(ValueError):
        Recurrence(32)


@pytest.mark.parametrize(
    ("now", "previous", "upcoming"),
    [
        (utc(2027, 1, 1), None, "2027-01"),
        (utc(2027, 1, 17, 9), "2027-01", "2027-02"),  # due instant itself: passed
        (utc(2027, 2, 20), "2027-02", "2027-03"),
        (utc(2027, 4, 1), "2027-03", None),  # after until
    ],
)
def test_around_now(now: dt.datetime, previous: str | None, upcoming: str | None) -> None:
    recurrence = Recurrence(17, until=dt.date(2027, 3, 31))
    before, after = around(utc(2027, 1, 17, 9), WIB, recurrence, now)
    assert (before.key if before else None, after.key if after else None) == (previous, upcoming)


@pytest.mark.parametrize(
    ("now", "zone", "days"),
    [
        (utc(2027, 1, 26, 16, 59), WIB, 1),  # 23:59 WIB on the 26th: tomorrow
        (utc(2027, 1, 26, 17, 0), WIB, 0),  # 00:00 WIB on the 27th: today
        (utc(2027, 1, 26, 16, 0), WITA, 0),  # 00:00 WITA on the 27th
        (utc(2027, 1, 20, 1), WIT, 7),
    ],
)
def test_days_between_counts_local_dates(now: dt.datetime, zone: str, days: int) -> None:
    assert days_between(now, utc(2027, 1, 27, 6), zone) == days
