"""Facts derived from Kemendagri region codes (``PP.KK.CC.DDDD``, Permendagri 58/2021).

Pure functions, no I/O: level, parent, kind and time zone of a region follow from its code.
"""

from __future__ import annotations

import re

__all__ = [
    "LOCAL_VILLAGE_WORDS",
    "PROVINCE_TIMEZONES",
    "REGION_PREFIXES",
    "ZONE_ABBREVIATIONS",
    "ancestors_of",
    "is_region_code",
    "kind_of",
    "level_of",
    "parent_of",
    "region_label",
    "timezone_for",
    "village_word",
    "zone_abbreviation",
]

_CODE_RE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$")

_WIB = "Asia/Jakarta"
_WIB_PONTIANAK = "Asia/Pontianak"
_WITA = "Asia/Makassar"
_WIT = "Asia/Jayapura"


def _zones() -> dict[str, str]:
    zones: dict[str, str] = {}
    # Sumatra (11-19) and Kepulauan Riau (21); Java, Madura and Banten (31-36).
    for code in [*range(11, 20), 21, *range(31, 37)]:
        zones[f"{code:02d}"] = _WIB
    zones["61"] = _WIB_PONTIANAK  # Kalimantan Barat
    zones["62"] = _WIB  # Kalimantan Tengah
    # Bali, NTB, NTT; Kalimantan Selatan, Timur, Utara; Sulawesi.
    for code in [51, 52, 53, 63, 64, 65, *range(71, 77)]:
        zones[f"{code:02d}"] = _WITA
    # Maluku, Maluku Utara; the Papua provinces.
    for code in [81, 82, *range(91, 98)]:
        zones[f"{code:02d}"] = _WIT
    return zones


PROVINCE_TIMEZONES: dict[str, str] = _zones()
"""IANA time zone by two-digit province code (Keppres 41/1987; Indonesia has no DST)."""


def is_region_code(code: str) -> bool:
    """True when ``code`` has the shape of a province, kabupaten/kota, kecamatan or desa code."""
    return bool(_CODE_RE.match(code))


def _check(code: str) -> str:
    if not is_region_code(code):
        raise ValueError(f"not a Kemendagri region code (PP.KK.CC.DDDD): {code!r}")
    return code


def level_of(code: str) -> int:
    """1 province, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
    return _check(code).count(".") + 1


def parent_of(code: str) -> str | None:
    """The code of the enclosing region, ``None`` for a province."""
    _check(code)
    head, sep, _ = code.rpartition(".")
    return head if sep else None


def timezone_for(code: str) -> str:
    """IANA time zone of the region, from its province code."""
    province = _check(code)[:2]
    try:
        return PROVINCE_TIMEZONES[province]
    except KeyError:
        raise ValueError(f"unknown province code {province!r} in {code!r}") from None


_NAME_HINTS: dict[int, tuple[tuple[str, str], ...]] = {
    2: (("kabupaten ", "kabupaten"), ("kab. ", "kabupaten"), ("kota ", "kota")),
    4: (("kelurahan ", "kelurahan"), ("kel. ", "kelurahan"), ("desa ", "desa")),
}


def kind_of(code: str, name: str | None = None) -> str:
    """provinsi, kabupaten, kota, kecamatan, desa or kelurahan.

    The code decides (kabupaten 01-69, kota 71-99; desa part starting with 1 = kelurahan,
    2 = desa). A name with an explicit prefix ("Kota ...", "Kelurahan ...") decides where the
    code does not follow the rule.
    """
    level = level_of(code)
    if level == 1:
        return "provinsi"
    if level == 3:
        return "kecamatan"
    if name:
        lowered = " ".join(name.lower().split()) + " "
        for prefix, kind in _NAME_HINTS[level]:
            if lowered.startswith(prefix):
                return kind
    last = code.rsplit(".", 1)[1]
    if level == 2:
        return "kota" if int(last) >= 70 else "kabupaten"
    return "kelurahan" if last.startswith("1") else "desa"


# ---- how regions are named in messages ---------------------------------------------------------

LOCAL_VILLAGE_WORDS: dict[str, str] = {
    # A desa is a "pekon" in these kabupaten of Lampung (its head: peratin / kepala pekon);
    # a kelurahan stays a kelurahan. Add other local words (nagari, gampong, kampung) here.
    "18.04": "pekon",  # Lampung Barat
    "18.06": "pekon",  # Tanggamus
    "18.10": "pekon",  # Pringsewu
    "18.13": "pekon",  # Pesisir Barat
}
"""The local word for a desa, by kabupaten/kota code (or province code for a whole province)."""

REGION_PREFIXES: dict[str, str] = {
    "provinsi": "Provinsi",
    "kabupaten": "Kab.",
    "kota": "Kota",
    "kecamatan": "Kec.",
    "desa": "Desa",
    "kelurahan": "Kelurahan",
}
"""The word put before a region's name in messages ("Kec. Air Hitam"), by kind."""

ZONE_ABBREVIATIONS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def ancestors_of(code: str) -> list[str]:
    """The codes of every region containing ``code``, widest first ("18", "18.04", ...)."""
    parts = _check(code).split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def village_word(code: str, kind: str) -> str:
    """What a village is called where it lies: "pekon" in Lampung Barat, else its kind."""
    if kind != "desa":
        return kind
    for prefix in (code[:5], code[:2]):
        if prefix in LOCAL_VILLAGE_WORDS:
            return LOCAL_VILLAGE_WORDS[prefix]
    return kind


def region_label(code: str, name: str, kind: str) -> str:
    """A region's name as messages show it: "Pekon Sri Menanti", "Kec. Air Hitam"."""
    if level_of(code) == 4:
        word = village_word(code, kind)
        return f"{word[:1].upper()}{word[1:]} {name}"
    prefix = REGION_PREFIXES.get(kind)
    return f"{prefix} {name}" if prefix else name


def zone_abbreviation(zone: str) -> str:
    """WIB, WITA or WIT for an Indonesian IANA zone; the zone itself otherwise."""
    return ZONE_ABBREVIATIONS.get(zone, zone)
