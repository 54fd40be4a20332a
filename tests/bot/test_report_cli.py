"""`kawal report progress` and `kawal report quality` in-process (typer's CliRunner) on a demo
SQLite file."""

from __future__ import annotations

import os
import sqlite3
import struct
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot import cli
from bot.cli import common as cli_common

runner = CliRunner()


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo database; the CLI's logging set-up is left out (it would replace pytest's)."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("KAWAL_")]:
        monkeypatch.delenv(name)
    monkeypatch.setattr(cli_common, "setup_logging", lambda *args: None)
    db = tmp_path / "demo.db"
    result = runner.invoke(cli.app, ["demo", "--db", str(db), "--no-chat"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as connection:
        # Some progress in Sri Menanti, a deadline far ahead (instead of the demo's own), a
        # duplicate NIK across villages.
        connection.execute("DELETE FROM deadlines")
        connection.execute(
            "UPDATE households SET status = 'verified' WHERE id IN "
            "(SELECT id FROM households WHERE region_code = '18.04.19.2006' LIMIT 6)"
        )
        connection.execute(
            "INSERT INTO deadlines (title, region_code, roles, due_at, offsets, created_at, "
            "updated_at) VALUES ('Verifikasi DTSEN', '18.04', '[]', '2100-01-27 09:00:00', "
            "'[]', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.execute(
            "UPDATE members SET nik = '1804072704900258' WHERE nik = '1804071203780011'"
        )
    return db


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_report_progress_prints_the_table_and_writes_the_chart(demo_db: Path) -> None:
    png, xlsx = demo_db.parent / "out" / "air-hitam.png", demo_db.parent / "air-hitam.xlsx"
    args = ["report", "progress", "--region", "18.04.19", "--db", str(demo_db)]
    result = runner.invoke(cli.app, [*args, "--png", str(png), "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "📊 Progres Kec. Air Hitam",
        "Air Hitam: 6 dari 30 keluarga sudah didata (20%)",
    ]
    assert lines[3].startswith("⏰ Tenggat Verifikasi DTSEN: Rabu, 27 Januari 2100 16.00 WIB")
    header = next(line for line in lines if line.startswith("Kode"))
    assert header.split() == [
        "Kode", "Kecamatan", "Desa/Kelurahan", "KK", "Verif", "Diperb", "TdkDitemukan",
        "Didata", "Belum", "%", "Usulan", "Kendala",
    ]  # fmt: skip
    assert max(len(line) for line in lines[lines.index(header) : -2]) <= 110
    rows = lines[lines.index(header) + 1 : lines.index(header) + 11]  # the 10 villages
    assert rows[0].split()[:4] == ["18.04.19.2004", "Air", "Hitam", "Gunungterang"]  # 0%: first
    sri_menanti = ["18.04.19.2006", "Air", "Hitam", "Sri", "Menanti", "30", "6", "0", "0", "6"]
    assert rows[-1].split() == [*sri_menanti, "24", "20", "0", "0"]  # 100% last, here 20%
    assert f"Grafik: {png}" in result.output
    width, height = _png_size(png)
    assert width == 720 and 400 < height < 1000 and png.stat().st_size < 100_000
    workbook = load_workbook(xlsx, read_only=True)
    assert workbook.sheetnames == ["Desa"]
    workbook.close()

    village = runner.invoke(
        cli.app,
        [
            "report",
            "progress",
            "--region",
            "18.04.19.2006",
            "--db",
            str(demo_db),
            "--png",
            str(png),
        ],
    )
    assert village.exit_code == 0, village.output
    assert _png_size(png)[0] == 720  # a one-bar chart when asked for


def test_report_progress_refuses_unknown_regions(demo_db: Path) -> None:
    for region, message in (("18.4", "tidak dikenal"), ("18.99", "belum ada")):
        result = runner.invoke(
            cli.app, ["report", "progress", "--region", region, "--db", str(demo_db)]
        )
        assert result.exit_code == 1 and message in result.output


def test_report_quality_writes_the_workbook(demo_db: Path) -> None:
    out = demo_db.parent / "kualitas.xlsx"
    args = ["report", "quality", "--region", "18.04", "--db", str(demo_db), "--out", str(out)]
    result = runner.invoke(cli.app, [*args, "--untouched-since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "🔎 Kualitas data Kab. Lampung Barat" in result.output
    assert "• NIK ganda: 1 NIK pada 2 anggota (1 NIK antar desa)" in result.output
    assert "• Keluarga belum disentuh sejak 01-01-2026: 0" in result.output
    workbook = load_workbook(out, read_only=True)
    duplicates = list(workbook["NIK ganda"].values)
    workbook.close()
    assert {row[0] for row in duplicates[1:]} == {"1804072704900258"}  # in full: the CLI's area
    assert {row[4] for row in duplicates[1:]} == {"Sri Menanti", "Sukananti"}

    masked = runner.invoke(cli.app, [*args, "--mask"])
    assert masked.exit_code == 0, masked.output
    workbook = load_workbook(out, read_only=True)
    assert {row[0] for row in list(workbook["NIK ganda"].values)[1:]} == {"************0258"}
    workbook.close()

    bad = runner.invoke(cli.app, [*args, "--untouched-since", "kemarin"])
    assert bad.exit_code == 1
    assert "Contoh: --untouched-since 2026-10-01" in bad.output


@pytest.mark.parametrize(
    ("command", "option", "example"),
    [
        (["progress"], "--png", "progres.png"),
        (["progress"], "--xlsx", "progres.xlsx"),
        (["quality"], "--out", "kualitas.xlsx"),
    ],
)
def test_an_output_that_is_a_folder_is_refused_with_an_example(
    demo_db: Path, command: list[str], option: str, example: str
) -> None:
    folder = demo_db.parent / "laporan"
    folder.mkdir()
    args = ["report", *command, "--region", "18.04.19", "--db", str(demo_db)]
    result = runner.invoke(cli.app, [*args, option, str(folder)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{option} {folder} adalah folder, bukan nama berkas." in result.output
    assert f"Contoh: {option} {folder / example}" in result.output
    assert list(folder.iterdir()) == []

    blocker = demo_db.parent / "berkas.txt"  # a file where a folder should be
    blocker.write_text("x")
    result = runner.invoke(cli.app, [*args, option, str(blocker / example)])
    assert result.exit_code == 1
    assert f"{blocker} adalah berkas, bukan folder. Contoh: {option} {example}" in result.output


def test_an_output_that_cannot_be_written_says_why(demo_db: Path) -> None:
    too_long = demo_db.parent / ("p" * 300 + ".png")  # longer than a file name may be
    args = ["report", "progress", "--region", "18.04.19", "--db", str(demo_db)]
    result = runner.invoke(cli.app, [*args, "--png", str(too_long)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"Tidak bisa menulis {too_long}: File name too long." in result.output
    assert "Pilih tempat lain, contoh: --png progres.png" in result.output


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_write_that_fails_midway_says_why(demo_db: Path) -> None:
    """The checks pass (/proc is a folder) but no file can be made there, even by root."""
    args = ["report", "progress", "--region", "18.04.19", "--db", str(demo_db)]
    result = runner.invoke(cli.app, [*args, "--png", "/proc/kawal-progres.png"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Tidak bisa menulis /proc/kawal-progres.png: " in result.output
    assert "Pilih tempat lain, contoh: --png progres.png" in result.output
