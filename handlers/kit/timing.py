"""The calendar of deadlines, shared by the Dinsos form, the CLI, the deadline view and the
reminder planner (``reminders.planning``): monthly recurrence and the occurrences of a
deadline. Reminder offsets, quiet hours and local instants are form vocabulary and live in
:mod:`flows.times` (re-exported here); dates and times as people type them are read by
:mod:`flows.dates` (the one parser).

Pure functions on explicit values: no I/O, no clock reads (``now`` is always an argument).
Instants are timezone-aware UTC; local times are in the IANA zone of a region (Indonesia has no
daylight saving time, so a local date and time always name exactly one instant).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flows.times import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    MAX_OFFSET_DAYS,
    QuietHours,
    format_time,
    local_instant,
    parse_offsets,
)

__all__ = [
    "DEFAULT_OFFSETS",
    "DEFAULT_REMIND_TIME",
    "MAX_OFFSET_DAYS",
    "Occurrence",
    "QuietHours",
    "Recurrence",
    "around",
    "format_time",
    "local_instant",
    "occurrences",
    "parse_offsets",
]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """Every month on ``day`` (29-31 fall on the last day of a shorter month), optionally
    ``until`` a local date (inclusive)."""

    day: int
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError(f"day of month must be 1-31, not {self.day}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Recurrence | None:
        if not data:
            return None
        if data.get("freq", "monthly") != "monthly":
            raise ValueError(f"unknown recurrence {data!r}")
        until = data.get("until")
        return cls(int(data["day"]), dt.date.fromisoformat(until) if until else None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"freq": "monthly", "day": self.day}
        if self.until is not None:
            data["until"] = self.until.isoformat()
        return data


@dataclass(frozen=True, slots=True, order=True)
class Occurrence:
    """One due instant of a deadline. ``key`` names it in outbox campaigns: the local due date
    of a one-off deadline (``2027-01-27``), the local month of a monthly one (``2027-01``), so
    an edit that moves a monthly cut-off within its month keeps the key."""

    due: dt.datetime
    key: str


def occurrences(
    first_due: dt.datetime, zone: str, recurrence: Recurrence | None
) -> Iterator[Occurrence]:
    """Every occurrence in time order: ``first_due`` itself, then (monthly) the recurrence day
    of each following month at the same local time, until ``recurrence.until``."""
    local = first_due.astimezone(ZoneInfo(zone))
    if recurrence is None:
        yield Occurrence(first_due.astimezone(dt.UTC), local.date().isoformat())
        return
    months = 0
    while True:
        if months == 0:
            current = local
        else:
            years, month0 = divmod(local.month - 1 + months, 12)
            year, month = local.year + years, month0 + 1
            day = min(recurrence.day, calendar.monthrange(year, month)[1])
            current = dt.datetime.combine(dt.date(year, month, day), local.timetz())
        if recurrence.until is not None and current.date() > recurrence.until:
            return
        yield Occurrence(current.astimezone(dt.UTC), f"{current.year:04d}-{current.month:02d}")
        months += 1


def around(
    first_due: dt.datetime, zone: str, recurrence: Recurrence | None, now: dt.datetime
) -> tuple[Occurrence | None, Occurrence | None]:
    """The latest occurrence due at or before ``now`` and the first one after it."""
    previous: Occurrence | None = None
    for occurrence in occurrences(first_due, zone, recurrence):
        if occurrence.due > now:
            return previous, occurrence
        previous = occurrence
    return previous, None
