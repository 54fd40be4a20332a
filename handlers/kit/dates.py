"""Instants as people in a region read them: "Senin, 27 Januari 2027 16.00 WIB, 12 hari lagi".

Storage keeps UTC; the region's IANA zone (``RegionRecord.timezone``, from the province code)
turns it into local time, labelled WIB / WITA / WIT as Indonesians write it. Day and month
names come from Babel's locale data (CLDR), the words around them from the message catalog.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.times import date_text, when_text, zone_label
from handlers.kit.i18n import t, tn

__all__ = [
    "date_text",
    "days_between",
    "local_date",
    "local_datetime",
    "relative_day",
    "short_datetime",
    "when_text",
    "zone_label",
]


def local_date(at: datetime, timezone: str, lang: str) -> str:
    """The local date of ``at`` in the zone, as :func:`date_text` writes it."""
    return date_text(at.astimezone(ZoneInfo(timezone)).date(), lang)


def _clock(local: datetime, lang: str) -> str:
    return local.strftime("%H.%M" if lang == "id" else "%H:%M")


def local_datetime(at: datetime, timezone: str, lang: str) -> str:
    """``Senin, 27 Januari 2027 16.00 WIB`` (English: ``16:00``): compact, for titles."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local_date(at, timezone, lang)} {_clock(local, lang)} {zone_label(timezone, at)}"


def short_datetime(at: datetime, timezone: str, lang: str) -> str:
    """``15-01-2026 10.30 WIB`` (English: ``10:30``)."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%d-%m-%Y} {_clock(local, lang)} {zone_label(timezone, at)}"


def days_between(now: datetime, due: datetime, timezone: str) -> int:
    """Calendar days from ``now`` to ``due`` in the zone (0 = today, 1 = tomorrow)."""
    zone = ZoneInfo(timezone)
    return (due.astimezone(zone).date() - now.astimezone(zone).date()).days


def relative_day(now: datetime, due: datetime, timezone: str, lang: str) -> str:
    """``hari ini``, ``besok``, ``12 hari lagi`` (calendar days in the zone, not 24-hour spans),
    or ``sudah lewat`` once ``due`` has passed."""
    if due <= now:
        return t("days_passed", lang)
    days = days_between(now, due, timezone)
    if days == 0:
        return t("days_today", lang)
    if days == 1:
        return t("days_tomorrow", lang)
    return tn("days_left", days, lang)
