"""Proactive messages in the terminal demo: shown to the person chatting, kept for the others."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.cli import app
from handlers.messages import Option, Question, to_data
from storage.db import Database
from storage.repos.outbox import NewMessage
from tests.bot.conftest import Demo


def _enqueue(url: str, user: str, campaign: str, text: str) -> None:
    async def work() -> None:
        async with Database(url) as db, db.unit_of_work() as uow:
            person = await uow.people.find_by_identity("console", user)
            assert person is not None
            ack = Question(text, (Option(f"ack:{campaign}", "Sudah dibaca & dipahami"),))
            message = NewMessage(campaign, "announcement", person.person_id, to_data([ack]))
            await uow.outbox.enqueue([message], datetime.now(UTC))

    asyncio.run(work())


def test_the_demo_shows_proactive_messages(demo: Demo) -> None:
    runner, db, url = demo.runner, demo.db, demo.url
    assert runner.invoke(app, ["demo", "--db", str(db), "--no-chat"]).exit_code == 0
    _enqueue(url, "demo-operator", "announcement:1", "SIKS-NG versi 2.5 sudah terbit.")
    _enqueue(url, "demo-peratin", "announcement:1", "SIKS-NG versi 2.5 sudah terbit.")

    chat = runner.invoke(app, ["chat", "--db", str(db), "--user", "demo-operator"], input="menu\n")
    assert chat.exit_code == 0, chat.output
    assert "📣 SIKS-NG versi 2.5 sudah terbit." in chat.output
    assert "[Sudah dibaca & dipahami]" in chat.output  # a word to type, not a number
    assert "Menu utama" in chat.output

    again = runner.invoke(app, ["chat", "--db", str(db), "--user", "demo-operator"], input="menu\n")
    assert "SIKS-NG versi 2.5" not in again.output  # sent once

    peratin = runner.invoke(
        app, ["chat", "--db", str(db), "--user", "demo-peratin"], input="menu\n"
    )
    assert peratin.output.index("SIKS-NG versi 2.5") < peratin.output.index("Menu utama")
    later = runner.invoke(app, ["chat", "--db", str(db), "--user", "demo-peratin"], input="menu\n")
    assert "SIKS-NG versi 2.5" not in later.output
