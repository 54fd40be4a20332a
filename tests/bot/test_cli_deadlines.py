"""`kawal deadline add | list | edit | cancel` through typer's CliRunner, on a SQLite file.

Due dates are in 2099 so they stay in the future whatever day the suite runs (the CLI, as a
composition root, reads the real clock)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from bot.cli import common as cli_common
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import Draft
from handlers.kit.timing import Recurrence
from storage.db import Database
from storage.repos.deadlines import DeadlineRecord


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(cli_common, "setup_logging", lambda *_: None)  # keep pytest's log handlers
    db = str(tmp_path / "kawal.db")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli.app, [*args, "--db", db])

    return invoke


def _deadline(tmp_path: Path, deadline_id: int) -> DeadlineRecord:
    async def read() -> DeadlineRecord:
        url = f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"
        async with Database(url) as db, db.unit_of_work() as uow:
            found = await uow.deadlines.get(deadline_id)
        assert found is not None
        return found

    return asyncio.run(read())


def test_add_list_edit_cancel(run, tmp_path: Path) -> None:
    missing = run(
        "deadline", "add", "Ekspor DTKS", "--due", "2099-01-27T16:00", "--region", "18.04"
    )
    assert missing.exit_code == 1
    assert "Wilayah 18.04 belum ada. Muat dulu: kawal region load 18.04" in missing.output
    assert run("region", "load", "18.04.19").exit_code == 0

    added = run(
        "deadline",
        "add",
        "Ekspor DTKS",
        "--due",
        "2099-01-27T16:00",
        "--region",
        "18.04",
        "--roles",
        "operator,peratin",
    )
    assert added.exit_code == 0, added.output
    assert "#1 Ekspor DTKS" in added.output
    assert "batas Selasa, 27 Januari 2099 pukul 16.00 WIB" in added.output
    assert "pengingat H-7, H-3, H-1, hari H pukul 08:00" in added.output
    first = _deadline(tmp_path, 1)
    assert first.due_at == dt.datetime(2099, 1, 27, 9, tzinfo=dt.UTC)  # 16:00 WIB
    assert (first.roles, first.offsets, first.recurrence) == (
        ("operator", "peratin"),
        (7, 3, 1, 0),
        None,
    )

    monthly = run(
        "deadline",
        "add",
        "Cut-off DTSEN",
        "--due",
        "2099-01-17T23:59",
        "--region",
        "18.04.19",
        "--roles",
        "operator",
        "--every-month",
        "17",
        "--until",
        "2099-12-31",
        "--offsets",
        "3,0",
        "--at",
        "07:30",
        "--note",
        "Data ditarik tanggal 18.",
    )
    assert monthly.exit_code == 0, monthly.output
    assert "berulang: setiap bulan tanggal 17 sampai Kamis, 31 Desember 2099" in monthly.output
    second = _deadline(tmp_path, 2)
    assert second.recurrence == {"freq": "monthly", "day": 17, "until": "2099-12-31"}
    assert (second.offsets, second.remind_time, second.note) == (
        (3, 0),
        "07:30",
        "Data ditarik tanggal 18.",
    )

    listed = run("deadline", "list")
    assert listed.exit_code == 0
    assert "#1 Ekspor DTKS" in listed.output and "#2 Cut-off DTSEN" in listed.output
    assert "pesan: 0 terkirim, 0 menunggu" in listed.output

    edited = run(
        "deadline", "edit", "1", "--title", "Ekspor DTKS akhir", "--due", "2099-02-01 10.00"
    )
    assert edited.exit_code == 0, edited.output
    assert "#1 Ekspor DTKS akhir" in edited.output
    assert "batas Minggu, 1 Februari 2099 pukul 10.00 WIB" in edited.output
    assert _deadline(tmp_path, 1).revision == 2
    assert _deadline(tmp_path, 1).roles == ("operator", "peratin")  # kept

    mismatch = run("deadline", "edit", "2", "--every-month", "20")
    assert mismatch.exit_code == 1
    assert "Contoh: --due 2099-01-20T23:59 --every-month 20" in mismatch.output
    moved = run("deadline", "edit", "2", "--due", "2099-01-25T23:59")  # the day follows it
    assert moved.exit_code == 0, moved.output
    assert "berulang: setiap bulan tanggal 25 sampai" in moved.output
    once = run("deadline", "edit", "2", "--once")
    assert once.exit_code == 0 and "berulang: tidak (sekali saja)" in once.output

    cancelled = run("deadline", "cancel", "1")
    assert cancelled.exit_code == 0
    assert "Tenggat #1 Ekspor DTKS akhir dibatalkan." in cancelled.output
    again = run("deadline", "cancel", "1")
    assert again.exit_code == 1 and "tidak ada atau sudah dibatalkan" in again.output
    assert run("deadline", "edit", "1", "--title", "X Y Z").exit_code == 1
    assert "#1" not in run("deadline", "list").output
    assert "#1 Ekspor DTKS akhir [dibatalkan]" in run("deadline", "list", "--all").output
    assert "#2 Cut-off DTSEN" in run("deadline", "list", "--region", "18.04.19.2006").output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--due", "kemarin"], "--due kemarin tidak dikenali"),
        (["--due", "2099-01-27"], "tulis tanggal dan jam"),
        (["--due", "2001-01-27T16:00"], "Batas harus setelah sekarang"),
        (["--due", "2099-01-27T16:00", "--roles", "lurah"], "Peran lurah tidak dikenal"),
        (["--due", "2099-01-27T16:00", "--offsets", "7,99"], "Contoh: 7,3,1,0"),
        (["--due", "2099-01-27T16:00", "--at", "22:00"], "jam tenang (21:00-07:00)"),
        (["--due", "2099-01-27T16:00", "--at", "pagi"], "Contoh: 08.00"),
        (["--due", "2099-01-27T16:00", "--until", "2099-12-31"], "hanya untuk tenggat bulanan"),
        (["--due", "2099-01-27T16:00", "--region", "18.4"], "Kode wilayah 18.4 tidak sah"),
        (["--region", "18.04"], "--due wajib diisi"),
        (
            ["--due", "2099-02-30T16:00"],
            "--due 2099-02-30T16:00: tanggal 30 Februari 2099 tidak ada (Februari 2099 hanya "
            "sampai tanggal 28). Contoh: --due 2099-02-28T16:00",
        ),
        (
            ["--due", "2099-01-27T16:00", "--every-month", "27", "--until", "2099-04-31"],
            "Contoh: --until 2099-04-30",
        ),
        (
            ["--due", "2099-01-27T16:00", "--roles", ","],
            "--roles ',': tulis peran yang diingatkan, dipisah koma. "
            "Contoh: --roles operator,peratin",
        ),
        (
            ["--due", "2099-01-27T16:00", "--region", "99.01"],
            "Kode wilayah 99.01: provinsi 99 tidak dikenal. Contoh: --region 18.04",
        ),
        (
            ["--due", "2099-01-17T16:00", "--every-month", "31"],
            "--every-month 31 tidak cocok dengan batas pertama 2099-01-17 (tanggal 17). "
            "Samakan tanggalnya. Contoh: --due 2099-01-31T16:00 --every-month 31",
        ),
    ],
)
def test_bad_options_say_what_to_type(run, options: list[str], message: str) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    if "--region" not in options:
        options = [*options, "--region", "18.04"]
    result = run("deadline", "add", "Ekspor DTKS", *options)
    assert result.exit_code == 1
    assert message in result.output


def test_editing_a_monthly_deadline_keeps_its_first_due_date(run, tmp_path: Path) -> None:
    """The first cut-off (January 2026) has passed: an edit that gives no --due keeps it, so
    the occurrences before the next one (and their escalations) stay."""
    assert run("region", "load", "18.04.19").exit_code == 0
    first = dt.datetime(2026, 1, 17, 9, tzinfo=dt.UTC)  # 16:00 WIB

    async def add() -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"
        async with Database(url) as db, db.unit_of_work() as uow:
            await deadlines.create(
                uow,
                Draft("Cut-off DTSEN", first, "18.04", ("operator",), recurrence=Recurrence(17)),
                by=None,
                channel="cli",
                now=first - dt.timedelta(days=30),
            )

    asyncio.run(add())
    edited = run("deadline", "edit", "1", "--note", "Data ditarik tanggal 18.")
    assert edited.exit_code == 0, edited.output
    assert "berulang: setiap bulan tanggal 17" in edited.output
    saved = _deadline(tmp_path, 1)
    assert (saved.due_at, saved.note, saved.revision) == (first, "Data ditarik tanggal 18.", 2)


def test_region_errors_say_what_to_type(run) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    listed = run("deadline", "list", "--region", "abc")
    assert listed.exit_code == 1
    assert "Kode wilayah abc tidak sah. Contoh: --region 18.04 (kabupaten)" in listed.output
    added = run("deadline", "add", "Ekspor DTKS", "--due", "2099-01-27T16:00", "--region", "18.04")
    assert added.exit_code == 0, added.output
    edited = run("deadline", "edit", "1", "--region", "99.01")
    assert edited.exit_code == 1 and "provinsi 99 tidak dikenal" in edited.output
    assert "Traceback" not in listed.output + edited.output


def test_moving_a_deadline_into_another_time_zone_keeps_its_local_time(run, tmp_path: Path) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    assert run("region", "load", "91.03.01").exit_code == 0
    added = run("deadline", "add", "Ekspor DTKS", "--due", "2099-01-27T16:00", "--region", "18.04")
    assert added.exit_code == 0, added.output
    moved = run("deadline", "edit", "1", "--region", "91.03")
    assert moved.exit_code == 0, moved.output
    assert "batas Selasa, 27 Januari 2099 pukul 16.00 WIT" in moved.output
    assert _deadline(tmp_path, 1).due_at == dt.datetime(2099, 1, 27, 7, tzinfo=dt.UTC)
    helped = run("deadline", "edit", "--help")
    assert "keeps its local time" in " ".join(re.sub("[│╭╮╰╯─]", " ", helped.output).split())


def test_a_deadline_at_midnight_says_the_day_itself_gets_no_reminder(run) -> None:
    assert run("region", "load", "18.04.19").exit_code == 0
    added = run("deadline", "add", "Rekap", "--due", "2099-01-28T00:00", "--region", "18.04")
    assert added.exit_code == 0, added.output
    assert (
        "pengingat H-7, H-3, H-1 (hari H tidak: batas pukul 00.00, sebelum jam pengingat "
        "08.00) pukul 08:00" in added.output
    )
    roles = run(
        "deadline", "add", "Rekap", "--due", "2099-01-28T10:00", "--region", "18.04", "--roles", ","
    )
    assert "Contoh: 1,2" not in roles.output
