"""`kawal announce` and `kawal announcement list | report | cancel` through typer's CliRunner,
on a SQLite file (the CLI reads the real clock: a scheduled time is 30 days from today)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from bot import cli
from bot.cli import common as cli_common
from handlers.kit.dates import when_text
from storage.db import Database
from storage.repos.announcements import AnnouncementRecord

SRI_MENANTI = "18.04.19.2006"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)  # no stray .env; data dir under tmp_path
    monkeypatch.setattr(cli_common, "setup_logging", lambda *_: None)  # keep pytest's log handlers
    db = str(tmp_path / "kawal.db")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli.app, [*args, "--db", db], input=input)

    return invoke


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}"


def _seed(tmp_path: Path) -> None:
    async def seed() -> None:
        now = dt.datetime.now(dt.UTC)
        async with Database(_url(tmp_path)) as db, db.unit_of_work() as uow:
            for n, (role, channel) in enumerate(
                [("operator", "telegram"), ("operator", "whatsapp"), ("peratin", "telegram")]
            ):
                person = await uow.people.create(f"Orang {n}", now=now)
                await uow.people.add_identity(person, channel, f"62812000{n}", "", now)
                await uow.people.assign_role(person, role, SRI_MENANTI, now)
                await uow.people.set_consent(person, "2026-11", now)

    asyncio.run(seed())


def _outbox(tmp_path: Path) -> list[tuple[str, str, str | None]]:
    async def read() -> list[tuple[str, str, str | None]]:
        async with Database(_url(tmp_path)) as db, db.unit_of_work() as uow:
            rows = await uow.announcements.deliveries("announcement:1")
        return [(row.name, row.status, row.role) for row in rows]

    return asyncio.run(read())


def test_announce_previews_asks_and_queues(run, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("SIKS-NG versi 2.4 aktif mulai Senin.\nMohon baca panduannya.", "utf-8")
    assert run("region", "load", "18.04.19").exit_code == 0
    _seed(tmp_path)

    far = run("announce", "--region", "35.28", "--text-file", str(notice), "--yes")
    assert far.exit_code == 1 and "Wilayah 35.28 tidak ditemukan" in far.output
    wrong = run("announce", "--region", "18.04", "--roles", "bupati", "--text-file", str(notice))
    assert wrong.exit_code == 1 and "Contoh: operator,peratin" in wrong.output

    declined = run("announce", "--region", "18.04", "--text-file", str(notice), input="n\n")
    assert declined.exit_code == 1
    assert "Penerima: 2 orang (Telegram 1, WhatsApp 1)" in declined.output
    assert _outbox(tmp_path) == []

    sent = run(
        "announce",
        "--region",
        "18.04",
        "--roles",
        "operator,peratin",
        "--text-file",
        str(notice),
        input="y\n",
    )
    assert sent.exit_code == 0, sent.output
    assert "Penerima: 3 orang (Telegram 2, WhatsApp 1)" in sent.output
    assert "Pengumuman #1: 3 pesan antre" in sent.output
    assert sorted(_outbox(tmp_path)) == [
        ("Orang 0", "pending", "operator"),
        ("Orang 1", "pending", "operator"),
        ("Orang 2", "pending", "peratin"),
    ]

    listed = run("announcement", "list")
    assert "#1" in listed.output and "penerima 3, terkirim 0, gagal 0, paham 0" in listed.output
    report = run("announcement", "report", "1")
    assert "Belum paham (3):" in report.output and "• Orang 2 · peratin/kades" in report.output
    written = run("announcement", "report", "1", "--xlsx", str(tmp_path / "laporan.xlsx"))
    assert written.exit_code == 0 and "Ditulis:" in written.output
    sheet = load_workbook(tmp_path / "laporan.xlsx", read_only=True)["Penerima"]
    assert sorted(row[0] for row in list(sheet.values)[1:]) == ["Orang 0", "Orang 1", "Orang 2"]
    assert run("announcement", "cancel", "1").exit_code == 1  # already sent


def test_a_scheduled_announcement_with_a_document(run, tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("Surat edaran terlampir.", "utf-8")
    pdf = tmp_path / "edaran.pdf"
    pdf.write_bytes(b"%PDF-1.4 kawal test")
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    due = dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC)  # 08.00 WIB
    assert run("region", "load", "18.04.19").exit_code == 0
    _seed(tmp_path)

    scheduled = run(
        "announce",
        "--region",
        SRI_MENANTI,
        "--text-file",
        str(notice),
        "--media",
        str(pdf),
        "--at",
        f"{day.isoformat()}T08:00",
        "--yes",
    )
    assert scheduled.exit_code == 0, scheduled.output
    assert f"Dikirim: {when_text(due, 'Asia/Jakarta', 'id')}" in scheduled.output
    assert "Pengumuman #1 dijadwalkan" in scheduled.output

    async def read() -> AnnouncementRecord | None:
        async with Database(_url(tmp_path)) as db, db.unit_of_work() as uow:
            return await uow.announcements.get(1)

    record = asyncio.run(read())
    assert record is not None and record.media_kind == "document"
    assert record.scheduled_at == due
    assert Path(record.media_path or "").read_bytes() == pdf.read_bytes()
    assert _outbox(tmp_path) == []
    cancelled = run("announcement", "cancel", "1")
    assert cancelled.exit_code == 0 and "dibatalkan" in cancelled.output
    assert "[dibatalkan]" in run("announcement", "list").output
