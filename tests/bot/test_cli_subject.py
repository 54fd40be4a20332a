"""`kawal subject report | restrict | unrestrict` through typer's CliRunner on a SQLite file:
the report names the export made from the CLI, restriction leaves the household out of the
next export, and every step is in the processing log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.cli import common as cli_common
from storage.db import Database
from storage.repos.processing import ProcessingRecord

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "dtks_register_sri_menanti.csv"
AGUS_NIK = "1804072704900258"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(cli_common, "setup_logging", lambda *_: None)
    monkeypatch.delenv("KAWAL_DATABASE_URL", raising=False)
    db = str(tmp_path / "kawal.db")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.app, [*args, "--db", db])

    return invoke


def _log(tmp_path: Path) -> list[ProcessingRecord]:
    async def read() -> list[ProcessingRecord]:
        url = f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"
        async with Database(url) as db, db.unit_of_work() as uow:
            households = await uow.subjects.households_of(AGUS_NIK)
            return await uow.processing.for_households([h.id for h in households])

    return asyncio.run(read())


def test_report_restrict_and_unrestrict(run, tmp_path: Path) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    imported = run("households", "import", str(SAMPLE), "--region", "18.04.19.2006")
    assert imported.exit_code == 0, imported.output
    first = run("export", "--region", "18.04.19", "--out", str(tmp_path / "a.xlsx"))
    assert "30 keluarga" in first.stdout

    report = run("subject", "report", "1804 0727 0490 0258")
    assert report.exit_code == 0, report.output
    assert "NIK ************0258: 1 keluarga" in report.stdout
    assert "diekspor oleh CLI (cli), wilayah 18.04.19" in report.stdout
    assert AGUS_NIK not in report.stdout

    restricted = run("subject", "restrict", AGUS_NIK)
    assert "1 dari 1 keluarga dibatasi" in restricted.stdout, restricted.output
    second = run("export", "--region", "18.04.19", "--out", str(tmp_path / "b.xlsx"))
    assert "29 keluarga" in second.stdout
    assert "DIBATASI sejak" in run("subject", "report", AGUS_NIK).stdout
    lifted = run("subject", "unrestrict", AGUS_NIK)
    assert "pembatasan 1 dari 1 keluarga dicabut" in lifted.stdout

    actions = [entry.action for entry in _log(tmp_path)]
    assert actions == ["report", "restrict", "report", "unrestrict"]

    wrong = run("subject", "report", "12345")
    assert wrong.exit_code == 1 and "16 angka" in wrong.output
    none = run("subject", "report", "1804194107950003")
    assert none.exit_code == 1 and "Tidak ada keluarga" in none.output
