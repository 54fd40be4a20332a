"""The importer checks NIK and No. KK with flows.ids, the checks of the forms, and keeps its
own row messages (read_register only: no database)."""

from __future__ import annotations

import csv
from pathlib import Path

from handlers.registers.importer import read_register

VILLAGE = "18.04.19.2006"
KK = "1804191611200001"


def _read(tmp_path: Path, rows: list[tuple[str, str]]):
    path = tmp_path / "dtks.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NOKK", "NIK", "NAMA", "KODE_WILAYAH"])
        for no_kk, nik in rows:
            writer.writerow([no_kk, nik, "Agus", VILLAGE])
    return read_register(path, VILLAGE)


def test_a_birth_date_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    # 31 February: the importer's own check let it through (day 1-31, month 1-12).
    found, errors = _read(
        tmp_path, [(KK, "1804073102900258"), ("1804193102150001", "1804072704900258")]
    )
    assert found == []
    assert [(e.row, e.column) for e in errors] == [(2, "NIK"), (3, "NOKK")]
    assert errors[0].message == (
        "NIK 1804…: angka ke-7 s.d. 12 bukan tanggal DDMMYY yang sah. "
        "Periksa nomornya di kartu; jangan ditebak."
    )
    assert errors[1].en.startswith("No. KK 1804…: digits 7-12 are not a valid DDMMYY date.")


def test_an_unknown_province_is_refused_with_the_forms_message(tmp_path: Path) -> None:
    found, errors = _read(
        tmp_path, [(KK, "9904072704900258"), ("9999999999999995", "1804072704900258")]
    )
    assert found == []
    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "NIK", "Kode provinsi 99 di NIK tidak dikenal. Contoh: 1804072704900258"),
        (3, "NOKK", "Kode provinsi 99 di No. KK tidak dikenal. Contoh: 1804071203150004"),
    ]
    assert errors[0].en == "Province code 99 in the NIK is unknown. Example: 1804072704900258"


def test_placeholders_are_accepted_and_never_duplicates(tmp_path: Path) -> None:
    found, errors = _read(
        tmp_path, [(KK, "1804072704900258"), (KK, "9999999999999995"), (KK, "9999999999999995")]
    )
    assert errors == []
    assert [r.nik for r in found] == ["1804072704900258", "9999999999999995", "9999999999999995"]


def test_a_cell_keeps_its_stricter_shape(tmp_path: Path) -> None:
    # A chat answer may be typed in groups; a cell with dots is a number Excel formatted.
    found, errors = _read(tmp_path, [(KK, "1804-0727-0490-0258"), (KK, "1.804.072.704.900.258")])
    assert found == []
    assert [e.row for e in errors] == [2, 3]
    assert all("harus tepat 16 angka" in e.message for e in errors)
