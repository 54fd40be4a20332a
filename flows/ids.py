"""Indonesian identifiers: NIK, No. KK and phone numbers (checks, placeholders, masking).

The one module that decides whether a number is a NIK or a No. KK: the form question types, the
register importer and the data-quality report all ask here. Pure functions.

The NIK's structure is read by ``lokal-id`` (``lokal.nik.parse_nik``: 16 digits, province,
birth date with 40 added to the day for women, the century from a reference date). Where its
rules differ from Kawal's, Kawal's are kept (DOMAIN.md, "Identifiers"):

- the field placeholders ``999999999999999{5,6,9,4}`` are valid NIKs here (lokal: no province 99);
- a serial ``0000`` and a kabupaten/kecamatan code ``00`` or not in the Kemendagri list are
  warnings here, not errors: the number is on the person's card, and codes change after
  pemekaran while a NIK keeps its code; the operator confirms instead of being blocked;
- a birth date after ``today`` is a warning (lokal does not check it);
- the century of the two-digit birth year is never read from the clock: ``today`` when the
  caller gives it, else years up to 30 are 20xx.

The No. KK has no parser in lokal-id; it shares the province list. Phone numbers stay on
``phonenumbers`` (lokal's ``normalize_phone`` reads ``0062...`` as ``+6262...`` and accepts
landline numbers too short for their area).

Never "repair" a mangled number: anything that is not exactly 16 digits after removing spaces,
dots and dashes is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import phonenumbers

from flows.i18n import t

__all__ = [
    "NIK_PLACEHOLDERS",
    "KkCheck",
    "NikCheck",
    "Problem",
    "check_kk",
    "check_nik",
    "is_placeholder",
    "mask_ids_in_text",
    "mask_nik",
    "mask_phone",
    "nik_birth_date",
    "nik_sex",
    "normalize_phone",
]

NIK_PLACEHOLDERS: dict[str, str] = {
    "9999999999999995": "under17",
    "9999999999999996": "no_nik",
    "9999999999999999": "foreigner",
    "9999999999999994": "refused",
}
"""The numbers entered in the field for a person without a NIK, and what each means."""

Problem = Literal["digits", "province", "date"]

_SEPARATORS = re.compile(r"[\s.\-]+")
_SIXTEEN = re.compile(r"[0-9]{16}")
# Two-digit years up to this are 20xx when no reference date is given.
_PIVOT = date(2030, 12, 31)


@dataclass
class NikCheck:
    ok: bool
    value: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    placeholder: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    problem: Problem | None = None  # why it is not a NIK: "digits", "province" or "date"


@dataclass
class KkCheck:
    """Result of :func:`check_kk`; also unpacks as ``ok, value, error = check_kk(text)``."""

    ok: bool
    value: str
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    problem: Problem | None = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.ok, self.value, self.error))


def is_placeholder(nik: str) -> bool:
    """True for the field placeholders ``9999999999999995/6/9/4`` (never a duplicate)."""
    return nik in NIK_PLACEHOLDERS


def _clean16(text: str) -> str | None:
    cleaned = _SEPARATORS.sub("", text or "")
    return cleaned if _SIXTEEN.fullmatch(cleaned) else None


def check_nik(text: str, lang: str = "id", *, today: date | None = None) -> NikCheck:
    """Checks a NIK. Hard errors: not 16 digits, invalid birth date, unknown province.

    Warnings: unknown kabupaten/kecamatan code, serial 0000, birth date after ``today``.
    ``today`` resolves the century of the two-digit birth year (default: pivot at 2030).
    """
    value = _clean16(text)
    if value is None:
        return NikCheck(False, (text or "").strip(), t("err_nik_digits", lang), problem="digits")
    if value in NIK_PLACEHOLDERS:
        return NikCheck(True, value, placeholder=NIK_PLACEHOLDERS[value])
    # lokal-id on first use: its package also loads a PII masker whose patterns take most of a
    # second to compile, which ``kawal chat`` should not wait for at start-up.
    from lokal.nik import parse_nik
    from lokal.wilayah import wilayah_name

    info = parse_nik(value, lookup_wilayah=wilayah_name, reference_date=today or _PIVOT)
    codes = {issue.code for issue in info.errors}
    if "province" in codes:
        err = t("err_nik_province", lang, code=value[:2])
        return NikCheck(False, value, err, problem="province")
    born = date.fromisoformat(info.birth_date) if info.birth_date else None
    if "birth_date" in codes or born is None:
        return NikCheck(False, value, t("err_nik_date", lang), problem="date")
    # lokal's "wilayah" (code 00) and "serial" (0000) errors are warnings here (see above).
    warnings: list[str] = []
    if info.regency is None:
        warnings.append(t("warn_nik_regency", lang, code=info.regency_code))
    elif info.district is None:
        warnings.append(t("warn_nik_district", lang, code=info.district_code))
    if info.serial == "0000":
        warnings.append(t("warn_nik_serial", lang))
    if today is not None and born > today:
        warnings.append(t("warn_nik_future", lang))
    return NikCheck(True, value, None, warnings, None, info.gender, born)


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


def _kk_date_ok(value: str) -> bool:
    day, month, yy = int(value[6:8]), int(value[8:10]), int(value[10:12])
    try:
        date(2000 + yy if yy <= _PIVOT.year % 100 else 1900 + yy, month, day)
    except ValueError:
        return False
    return True


def check_kk(text: str, lang: str = "id") -> KkCheck:
    """Checks a family card number (No. KK): 16 digits, known province, valid DDMMYY date
    (not shifted by 40: a KK has no sex). Warning: unknown kabupaten/kota code."""
    value = _clean16(text)
    if value is None:
        return KkCheck(False, (text or "").strip(), t("err_kk_digits", lang), problem="digits")
    from lokal.wilayah import wilayah_name  # on first use, see check_nik

    province = value[:2]
    if wilayah_name(province) is None:
        err = t("err_kk_province", lang, code=province)
        return KkCheck(False, value, err, problem="province")
    if not _kk_date_ok(value):
        return KkCheck(False, value, t("err_kk_date", lang), problem="date")
    warnings: list[str] = []
    regency = f"{value[:2]}.{value[2:4]}"
    if wilayah_name(regency) is None:
        warnings.append(t("warn_kk_regency", lang, code=regency))
    return KkCheck(True, value, None, warnings)


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


MASK_CHAR = "*"
KEPT_DIGITS = 4
"""A masked NIK / No. KK keeps only its last 4 digits: ``************0258``. With 8 digits
kept (the old ``1804********0258``) and the birth date beside it, a NIK was one of 99."""


def mask_nik(text: str) -> str:
    """The one mask of a NIK or No. KK, in any spelling (``1804 0727 0490 0258``,
    ``1804-0727-0490-0258``, ``1804.0727.0490.0258``): only the last 4 digits are kept,
    ``************0258``. Shorter input keeps nothing."""
    digits = re.sub(r"[^0-9]", "", text or "")
    if len(digits) <= KEPT_DIGITS * 2:
        return MASK_CHAR * len(digits)
    return MASK_CHAR * (len(digits) - KEPT_DIGITS) + digits[-KEPT_DIGITS:]


# Sixteen digits in a row, with no digit right before or after; or sixteen digits with at most
# one space, dot or dash between two of them (KTP and KK print ``1804 0727 0490 0258``; search
# accepts dots and dashes too) that do not go on after a dot or dash (a file name such
# as ``ekspor-18.04-20260115-033000`` is not a NIK). Each digit is followed by either a
# separator or a digit, so matching is linear.
_ID_RUN = re.compile(
    r"(?<![0-9])[0-9]{16}(?![0-9])"
    r"|(?<![0-9])(?<![0-9][.\-])(?:[0-9][ .\-]?){15}[0-9](?![.\-]?[0-9])"
)


def mask_ids_in_text(s: str) -> str:
    """Masks every NIK / No. KK in free text, grouped or not, with :func:`mask_nik`."""
    return _ID_RUN.sub(lambda m: mask_nik(m.group(0)), s or "")


def mask_phone(text: str) -> str:
    """A phone number or WhatsApp id (which is one) for logs and screens: only its last 4
    characters, ``…6789``."""
    value = (text or "").strip()
    return "…" + value[-KEPT_DIGITS:] if len(value) > KEPT_DIGITS else "…"
