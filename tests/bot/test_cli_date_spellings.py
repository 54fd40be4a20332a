"""One date parser everywhere: `kawal deadline add --due/--until` and `kawal announce --at`
accept the spellings of tests/flows/date_spellings.py and refuse the refused ones, as the chat
composers, the importer (tests/handlers/test_date_spellings.py) and the form question type do.
The CLI reads the real clock: deadlines are in 2099."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.cli import common as cli_common
from handlers.kit.dates import date_text
from tests.flows.date_spellings import accepted, refused

YEAR = 2099


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(cli_common, "setup_logging", lambda *_: None)  # keep pytest's log handlers
    db = str(tmp_path / "kawal.db")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli.app, [*args, "--db", db], input=input)

    assert invoke("region", "load", "18.04.19").exit_code == 0
    return invoke


def test_deadline_due_and_until_read_every_spelling(run) -> None:
    add = ("deadline", "add", "Ekspor DTKS", "--region", "18.04")
    for text in refused(YEAR):
        result = run(*add, "--due", f"{text} 16.00")
        assert result.exit_code == 1 and "--due" in result.output, (text, result.output)
        result = run(*add, "--due", "17-01-2099 16.00", "--every-month", "17", "--until", text)
        assert result.exit_code == 1 and "--until" in result.output, (text, result.output)
    for n, (text, day) in enumerate(accepted(YEAR)):
        result = run(*add, "--due", f"{text} 16.00")
        assert result.exit_code == 0, (text, result.output)
        assert f"batas {date_text(day, 'id')} pukul 16.00 WIB" in result.output, text
        if n >= 3:  # --until: the three spellings of issue 16 (each add costs a CLI run)
            continue
        result = run(*add, "--due", "17-01-2099 16.00", "--every-month", "17", "--until", text)
        assert result.exit_code == 0, (text, result.output)
        assert date_text(day, "id") in result.output, (text, result.output)


def test_announce_at_reads_every_spelling(run, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("SIKS-NG versi 2.4 aktif mulai Senin.", "utf-8")
    announce = ("announce", "--region", "18.04", "--text-file", str(notice))
    for text in refused(YEAR):
        result = run(*announce, "--at", f"{text} 08.00", input="n\n")
        assert result.exit_code == 1 and "tidak dikenali" in result.output, (text, result.output)
    for text, _ in accepted(YEAR):
        # Understood: refused only for being more than 180 days ahead (the real clock).
        result = run(*announce, "--at", f"{text} 08.00", input="n\n")
        assert "tidak dikenali" not in result.output and "180 hari" in result.output, text
