"""Register imports within limits (issue 18): a zip bomb, an oversized file, too many rows and a
flood of errors are refused or cut with a clear message; the import is written in short
batches outside the turn's unit of work."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

import handlers.registers.importer as importer
from handlers.registers.importer import import_file, import_register
from handlers.registers.reading import MB, ImportLimits, read_register
from storage.db import Database
from tests.handlers.registers.test_importer import (
    NOW,
    SAMPLE,
    counts,
    sample_rows,
    write_csv,
    write_xlsx,
)
from tests.storage.conftest import SRI_MENANTI


def bomb(path: Path, megabytes: int) -> Path:
    """An .xlsx of a few kB that unpacks to ``megabytes`` of zeros."""
    chunk = b"0" * MB
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet1.xml", "w") as member,
    ):
        for _ in range(megabytes):
            member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = bomb(tmp_path / "dtks.xlsx", 240)
    assert path.stat().st_size < MB
    found = read_register(path, SRI_MENANTI)
    [error] = found.errors
    assert found.rows == [] and error.row == 0
    # The file is not even a workbook: had openpyxl opened it, the message would differ.
    assert "240.0 MB setelah dibuka" in error.message and "Save As" in error.message
    assert "unpacks to 240.0 MB" in error.en


def test_an_xlsx_too_big_unpacked_is_refused(tmp_path: Path) -> None:
    header, rows = sample_rows()
    cells: list[list[object]] = [list(row) for row in rows * 20]
    path = write_xlsx(tmp_path / "dtks.xlsx", header, cells)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(m.file_size for m in archive.infolist())
    limits = ImportLimits(max_unpacked_mb=1) if unpacked > MB else ImportLimits(max_ratio=2)
    [error] = read_register(path, SRI_MENANTI, limits).errors
    assert "setelah dibuka" in error.message


def test_a_broken_xlsx_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "dtks.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    [error] = read_register(path, SRI_MENANTI).errors
    assert "bukan XLSX yang utuh" in error.message and ".csv" in error.message


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dtks.csv"
    path.write_bytes(SAMPLE.read_bytes() + b"\n" * (2 * MB))
    [error] = read_register(path, SRI_MENANTI, ImportLimits(max_file_mb=1)).errors
    assert "lebih besar dari batas 1 MB" in error.message and "dtks_18.04.19.xlsx" in error.message


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    found = read_register(SAMPLE, SRI_MENANTI, ImportLimits(max_rows=10))
    [error] = found.errors
    assert found.rows == []
    assert error.message.startswith("lebih dari 10 baris data") and "satu per satu" in error.message


async def test_only_the_first_errors_are_kept_and_the_rest_counted(
    seeded: Database, tmp_path: Path
) -> None:
    header, rows = sample_rows()
    nik = header.index("NIK")
    bad = [[*row[:nik], "12345", *row[nik + 1 :]] for row in rows]  # 84 bad NIKs
    path = write_csv(tmp_path / "rusak.csv", header, bad)
    found = read_register(path, SRI_MENANTI, ImportLimits(max_errors=5))
    assert len(found.errors) == 5 and found.error_count == 84 and found.bad_rows == 84
    report = await import_file(seeded, path, SRI_MENANTI, NOW, limits=ImportLimits(max_errors=5))
    assert not report.ok and len(report.errors) == 5
    text = report.text()
    assert "84 baris bermasalah" in text and "… dan 79 kesalahan lain." in text
    assert await counts(seeded) == (0, 0)


async def test_a_refused_file_changes_nothing(seeded: Database, tmp_path: Path) -> None:
    path = bomb(tmp_path / "dtks.xlsx", 50)
    report = await import_file(seeded, path, SRI_MENANTI, NOW)
    assert not report.ok and "setelah dibuka" in report.text()
    assert await counts(seeded) == (0, 0)


async def test_big_imports_are_written_in_batches_and_complete_on_reimport(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_FAMILIES", 7)  # 30 households: 5 transactions
    transactions = 0
    run = seeded.run

    async def counting_run(work: Any, **options: Any) -> Any:
        nonlocal transactions
        transactions += 1
        return await run(work, **options)

    monkeypatch.setattr(seeded, "run", counting_run)
    report = await import_file(seeded, SAMPLE, SRI_MENANTI, NOW)
    assert report.ok, report.text()
    assert (report.households_added, report.members_added) == (30, 84)
    assert transactions == 2 + 5  # region check, village codes, then the five batches
    again = await import_file(seeded, SAMPLE, SRI_MENANTI, NOW)
    assert (again.households_added, again.households_updated) == (0, 30)
    assert await counts(seeded) == (30, 84)


async def test_the_in_transaction_path_gives_the_same_result(seeded: Database) -> None:
    async with seeded.unit_of_work() as uow:
        report = await import_register(uow, SAMPLE, SRI_MENANTI, NOW)
    assert report.ok and (report.households_added, report.members_added) == (30, 84)
