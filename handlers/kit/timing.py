"""The calendar of deadlines, shared by the Dinsos form, the CLI, the deadline view and the
reminder planner (``reminders.planning``): reminder offsets, quiet hours, monthly recurrence,
the occurrences of a deadline and local instants. Dates and times as people type them are read
by :mod:`flows.dates` (the one parser).

Pure functions on explicit values: no I/O, no clock reads (``now`` is always an argument).
Instants are timezone-aware UTC; local times are in the IANA zone of a region (Indonesia has no
daylight saving time, so a local date and time always name exactly one instant).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import parse_time_of_day

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

DEFAULT_OFFSETS: tuple[int, ...] = (7, 3, 1, 0)  # T-7, T-3, T-1 and the day itself
DEFAULT_REMIND_TIME = dt.time(8, 0)
MAX_OFFSET_DAYS = 60
MAX_OFFSETS = 8

_OFFSET_RE = re.compile(r"^(?:[HT]-)?([0-9]{1,3})$", re.IGNORECASE)


def format_time(value: dt.time) -> str:
    """A time of day as stored: ``08:00``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def parse_offsets(text: str) -> tuple[int, ...] | None:
    """``7,3,1,0`` (or ``H-7 H-3 H-1 H-0``): days before the due date, 0 = the day itself.
    Distinct, largest first; None when not a list of 1-8 numbers from 0 to 60."""
    compact = re.sub(r"\s*-\s*", "-", text.strip())
    days: set[int] = set()
    for token in (x for x in re.split(r"[,;\s]+", compact) if x):
        match = _OFFSET_RE.match(token)
        if not match or int(match.group(1)) > MAX_OFFSET_DAYS:
            return None
        days.add(int(match.group(1)))
    if not days or len(days) > MAX_OFFSETS:
        return None
    return tuple(sorted(days, reverse=True))


def local_instant(date: dt.date, time: dt.time, zone: str) -> dt.datetime:
    """The UTC instant of a local date and time in ``zone``."""
    return dt.datetime.combine(date, time, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours in which no reminder is sent (default 21:00-07:00); start == end: none."""

    start: dt.time = dt.time(21, 0)
    end: dt.time = dt.time(7, 0)

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``21:00-07:00`` (or ``21.00-07.00``); ``off`` or empty for no quiet hours."""
        if text.strip().lower() in ("", "off", "none", "tidak"):
            return cls(dt.time(0, 0), dt.time(0, 0))
        parts = [p.strip() for p in re.split(r"\s*[-–]\s*", text.strip())]
        times = [parse_time_of_day(p) for p in parts]
        if len(times) != 2 or times[0] is None or times[1] is None:
            raise ValueError(f"quiet hours must look like 21:00-07:00, not {text!r}")
        return cls(times[0], times[1])

    def __str__(self) -> str:
        return f"{format_time(self.start)}-{format_time(self.end)}"

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def contains(self, time: dt.time) -> bool:
        """True when ``time`` (local) falls in the quiet hours (start included, end not)."""
        if not self.enabled:
            return False
        if self.start < self.end:
            return self.start <= time < self.end
        return time >= self.start or time < self.end

    def next_allowed(self, local: dt.datetime) -> dt.datetime:
        """``local`` itself when it is not quiet, else the end of its quiet hours (local)."""
        if not self.contains(local.time()):
            return local
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > local else end + dt.timedelta(days=1)


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
