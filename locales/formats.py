"""Numbers and dates as people in each language write them, from Babel's locale data (CLDR).

number(34281, "id")            # "34.281"  (English: "34,281")
long_date(date(2027, 1, 26), "id")  # "Selasa, 26 Januari 2027"
month_name(8, "id")            # "Agustus"
"""

from __future__ import annotations

from datetime import date
from functools import cache

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal, get_group_symbol

from locales.catalog import lang_of

__all__ = ["long_date", "month_name", "number"]


def number(value: int | float, lang: str) -> str:
    """``value`` with the language's thousands separator: ``34.281`` (id), ``34,281`` (en)."""
    if isinstance(value, int) and not isinstance(value, bool):
        # Whole numbers (every count on a page) without Babel's pattern machinery: a
        # progress page formats a few thousand of them (issue 19's benchmark).
        return f"{value:,}".replace(",", _group(lang))
    return str(format_decimal(value, locale=lang_of(lang)))


@cache
def _group(lang: str) -> str:
    return str(get_group_symbol(locale=lang_of(lang)))


def long_date(day: date, lang: str) -> str:
    """The weekday, day, month and year: ``Selasa, 26 Januari 2027`` (``Tuesday, 26 January
    2027``)."""
    return str(format_date(day, "EEEE, d MMMM y", locale=lang_of(lang)))


def month_name(month: int, lang: str) -> str:
    """The month's full name: ``Agustus`` (``August``)."""
    return str(get_month_names("wide", locale=lang_of(lang))[month])
