"""Instants as people in a region read them: "Senin, 27 Januari 2027 16.00 WIB, 12 hari lagi".

Storage keeps UTC; the region's IANA zone (``RegionRecord.timezone``, from the province code)
turns it into local time, labelled WIB / WITA / WIT as Indonesians write it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import t

__all__ = ["days_left", "local_date", "local_datetime", "short_datetime", "zone_label"]

_ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(timezone: str, at: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; the zone's own abbreviation at ``at`` otherwise."""
    return _ZONE_LABELS.get(timezone) or at.astimezone(ZoneInfo(timezone)).strftime("%Z")


def _names(key: str, lang: str) -> list[str]:
    return t(key, lang).split()


def local_date(at: datetime, timezone: str, lang: str) -> str:
    """``Senin, 27 Januari 2027`` (``Monday, 27 January 2027``) in the zone."""
    local = at.astimezone(ZoneInfo(timezone))
    day = _names("day_names", lang)[local.weekday()]
    month = _names("month_names", lang)[local.month - 1]
    return f"{day}, {local.day} {month} {local.year}"


def local_datetime(at: datetime, timezone: str, lang: str) -> str:
    """``Senin, 27 Januari 2027 16.00 WIB`` (English: ``16:00``)."""
    local = at.astimezone(ZoneInfo(timezone))
    clock = local.strftime("%H.%M" if lang == "id" else "%H:%M")
    return f"{local_date(at, timezone, lang)} {clock} {zone_label(timezone, at)}"


def days_left(due: datetime, now: datetime, timezone: str, lang: str) -> str:
    """``hari ini``, ``besok``, ``12 hari lagi``: calendar days in the zone, not 24-hour spans."""
    zone = ZoneInfo(timezone)
    days = (due.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return t("days_left_today", lang)
    if days == 1:
        return t("days_left_tomorrow", lang)
    return t("days_left", lang, n=days)


def short_datetime(at: datetime, timezone: str, lang: str) -> str:
    """``15-01-2026 10.30 WIB`` (English: ``10:30``)."""
    local = at.astimezone(ZoneInfo(timezone))
    clock = local.strftime("%H.%M" if lang == "id" else "%H:%M")
    return f"{local:%d-%m-%Y} {clock} {zone_label(timezone, at)}"
