from __future__ import annotations

import pytest

from flows.regions import (
    PROVINCE_TIMEZONES,
    is_region_code,
    kind_of,
    level_of,
    parent_of,
    timezone_for,
)


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("11", "Asia/Jakarta"),  # Aceh
        ("18.04.19.2006", "Asia/Jakarta"),  # Lampung
        ("21.71", "Asia/Jakarta"),  # Kepulauan Riau
        ("31.71", "Asia/Jakarta"),  # DKI Jakarta
        ("35.28.11.2001", "Asia/Jakarta"),  # Madura
        ("36", "Asia/Jakarta"),  # Banten
        ("61.01", "Asia/Pontianak"),  # Kalimantan Barat
        ("62.01", "Asia/Jakarta"),  # Kalimantan Tengah
        ("51.71", "Asia/Makassar"),  # Bali
        ("52", "Asia/Makassar"),  # NTB
        ("53.01", "Asia/Makassar"),  # NTT
        ("63", "Asia/Makassar"),  # Kalimantan Selatan
        ("64.72", "Asia/Makassar"),  # Kalimantan Timur
        ("65", "Asia/Makassar"),  # Kalimantan Utara
        ("71.71", "Asia/Makassar"),  # Sulawesi Utara
        ("76", "Asia/Makassar"),  # Sulawesi Barat
        ("81.71", "Asia/Jayapura"),  # Maluku
        ("82", "Asia/Jayapura"),  # Maluku Utara
        ("91.71", "Asia/Jayapura"),  # Papua
        ("97", "Asia/Jayapura"),
    ],
)
def test_timezone_for(code: str, zone: str) -> None:
    assert timezone_for(code) == zone


@pytest.mark.parametrize("code", ["10", "20", "54", "77", "83", "98", "99.01"])
def test_timezone_for_unknown_province(code: str) -> None:
    with pytest.raises(ValueError, match="unknown province"):
        timezone_for(code)


def test_every_zone_is_one_of_the_three_indonesian_offsets() -> None:
    assert set(PROVINCE_TIMEZONES.values()) == {
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
    }
    # 38 provinces; 97 is reserved for the next Papua split.
    assert len(PROVINCE_TIMEZONES) == 39


@pytest.mark.parametrize(
    ("code", "level", "parent", "kind"),
    [
        ("18", 1, None, "provinsi"),
        ("18.04", 2, "18", "kabupaten"),
        ("18.69", 2, "18", "kabupaten"),
        ("18.71", 2, "18", "kota"),
        ("35.28", 2, "35", "kabupaten"),
        ("35.78", 2, "35", "kota"),
        ("18.04.19", 3, "18.04", "kecamatan"),
        ("18.04.19.2006", 4, "18.04.19", "desa"),
        ("35.28.11.2013", 4, "35.28.11", "desa"),
        ("18.71.01.1001", 4, "18.71.01", "kelurahan"),
    ],
)
def test_level_parent_kind(code: str, level: int, parent: str | None, kind: str) -> None:
    assert level_of(code) == level
    assert parent_of(code) == parent
    assert kind_of(code) == kind


@pytest.mark.parametrize(
    ("code", "name", "kind"),
    [
        ("18.04", "Kota Contoh", "kota"),
        ("18.71", "Kabupaten Contoh", "kabupaten"),
        ("18.71", "KAB.  Contoh", "kabupaten"),
        ("18.04.19.2006", "Kelurahan Contoh", "kelurahan"),
        ("18.71.01.1001", "Desa Contoh", "desa"),
        ("18.04.19.2006", "Sri Menanti", "desa"),
        ("18.04.19", "Kota Besi", "kecamatan"),
    ],
)
def test_kind_follows_an_explicit_name(code: str, name: str, kind: str) -> None:
    assert kind_of(code, name) == kind


@pytest.mark.parametrize(
    "code", ["", "1", "18.4", "18.04.19.206", "18.04.19.2006.1", "18-04", "18.04.", "aa"]
)
def test_malformed_codes_are_refused(code: str) -> None:
    assert not is_region_code(code)
    for fn in (level_of, parent_of, kind_of, timezone_for):
        with pytest.raises(ValueError, match="region code"):
            fn(code)
