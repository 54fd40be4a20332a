"""PAHAM in the terminal chat: counted only for an announcement that reached the person, and
the button's own words typed count like the button."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.cli import app
from handlers.announcements.model import message_for
from handlers.messages import to_data
from storage.db import Database
from storage.repos.announcements import AnnouncementRecord
from storage.repos.outbox import NewMessage
from tests.bot.conftest import Demo


def _announce(url: str, user: str, number: int, not_before: datetime | None) -> None:
    """An announcement's outbox row for ``user``, as the fan-out writes it."""

    async def work() -> None:
        async with Database(url) as db, db.unit_of_work() as uow:
            person = await uow.people.find_by_identity("console", user)
            assert person is not None
            now = datetime.now(UTC)
            record = AnnouncementRecord(
                id=number, created_by=None, region_codes=("18.04",), roles=("operator",),
                text=f"Pengumuman nomor {number}.", media_path=None, media_kind=None,
                status="sent", scheduled_at=now, nudge_after_hours=0, nudged_at=None,
                created_at=now, cancelled_at=None,
            )  # fmt: skip
            payload = to_data(message_for(record, "id"))
            message = NewMessage(
                f"announcement:{number}", "announcement", person.person_id, payload,
                not_before=not_before,
            )  # fmt: skip
            await uow.outbox.enqueue([message], datetime.now(UTC))

    asyncio.run(work())


def _acknowledged(url: str, user: str) -> dict[str, bool]:
    async def work() -> dict[str, bool]:
        async with Database(url) as db, db.unit_of_work() as uow:
            person = await uow.people.find_by_identity("console", user)
            assert person is not None
            rows = await uow.outbox.for_person(person.person_id, "announcement:")
            return {row.campaign: row.acknowledged_at is not None for row in rows}

    return asyncio.run(work())


def test_paham_counts_only_for_what_arrived(demo: Demo) -> None:
    runner, db, url = demo.runner, demo.db, demo.url
    assert runner.invoke(app, ["demo", "--db", str(db), "--no-chat"]).exit_code == 0
    _announce(url, "demo-operator", 1, None)  # goes out as soon as the chat opens
    _announce(url, "demo-operator", 2, datetime.now(UTC) + timedelta(hours=8))  # quiet hours

    chat = runner.invoke(
        app, ["chat", "--db", str(db), "--user", "demo-operator"],
        input="PAHAM 2\nSudah dibaca & dipahami\nok, paham\n",
    )  # fmt: skip
    assert chat.exit_code == 0, chat.output
    assert "Pengumuman nomor 1." in chat.output and "Pengumuman nomor 2." not in chat.output
    assert "Pengumuman #2 belum sampai ke Anda" in chat.output  # never received: not counted
    assert "Tercatat: Anda sudah membaca dan memahami pengumuman #1." in chat.output
    assert "Tidak ada pengumuman yang menunggu konfirmasi Anda" in chat.output  # 2 still waits
    assert _acknowledged(url, "demo-operator") == {
        "announcement:1": True,
        "announcement:2": False,
    }
