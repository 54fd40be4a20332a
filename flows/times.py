"""Times of day, reminder offsets, quiet hours and local instants, and how they read in a
sentence: the vocabulary of the deadline and announcement forms, shared by the CLI, the views
and the reminder planner. Dates and times as people type them are read by :mod:`flows.dates`.

Pure functions on explicit values: no I/O, no clock reads (``now`` is always an argument).
Instants are timezone-aware UTC; local times are in the IANA zone of a region (Indonesia has no
daylight saving time, so a local date and time always name exactly one instant).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows.dates import parse_time_of_day
from flows.i18n import t, tn
from flows.regions import zone_abbreviation
from locales.formats import long_date

__all__ = [
    "DEFAULT_OFFSETS",
    "DEFAULT_REMIND_TIME",
    "MAX_OFFSETS",
    "MAX_OFFSET_DAYS",
    "QuietHours",
    "date_text",
    "dotted",
    "format_time",
    "local_instant",
    "offsets_text",
    "parse_offsets",
    "when_text",
    "zone_label",
]

DEFAULT_OFFSETS: tuple[int, ...] = (7, 3, 1, 0)  # T-7, T-3, T-1 and the day itself
DEFAULT_REMIND_TIME = dt.time(8, 0)
MAX_OFFSET_DAYS = 60
MAX_OFFSETS = 8

_OFFSET_RE = re.compile(r"^(?:[HT]-)?([0-9]{1,3})$", re.IGNORECASE)
_MAX_OFFSETS_TEXT = 200  # longer than any list of 8 offsets a person types


def format_time(value: dt.time) -> str:
    """A time of day as stored: ``08:00``."""
    return f"{value.hour:02d}:{value.minute:02d}"


def dotted(value: dt.time) -> str:
    """A time of day as Indonesians write it: ``08.00``."""
    return format_time(value).replace(":", ".")


def parse_offsets(text: str) -> tuple[int, ...] | None:
    """``7,3,1,0`` (or ``H-7 H-3 H-1 H-0``): days before the due date, 0 = the day itself.
    Distinct, largest first; None when not a list of 1-8 numbers from 0 to 60."""
    if len(text) > _MAX_OFFSETS_TEXT:
        return None
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


def offsets_text(offsets: Sequence[int], lang: str) -> str:
    """``H-7, H-3, H-1, hari H``."""
    return ", ".join(
        t("offset_zero", lang) if d == 0 else tn("offset_day", d, lang) for d in offsets
    )


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

    def text(self) -> str:
        """``21.00–07.00``, as messages show them."""
        return f"{dotted(self.start)}–{dotted(self.end)}"

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


def zone_label(timezone: str, at: dt.datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; the zone's own abbreviation at ``at`` otherwise."""
    label = zone_abbreviation(timezone)
    return label if label != timezone else at.astimezone(ZoneInfo(timezone)).strftime("%Z")


def date_text(day: dt.date, lang: str) -> str:
    """``Selasa, 27 Januari 2027`` (``Tuesday, 27 January 2027``)."""
    return long_date(day, lang)


def when_text(at: dt.datetime, timezone: str, lang: str) -> str:
    """``Selasa, 27 Januari 2027 pukul 16.00 WIB``: a due time in a sentence."""
    local = at.astimezone(ZoneInfo(timezone))
    return t(
        "when_format",
        lang,
        date=date_text(local.date(), lang),
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
        zone=zone_label(timezone, at),
    )
