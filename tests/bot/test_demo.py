"""`kawal demo` keeps its progress: built once, resumed afterwards, rebuilt only with --reset,
and it says how to come back as each demo role."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.cli import app
from storage.db import Database
from tests.bot.conftest import Demo

ROLES = {
    "operator": "demo-operator",
    "peratin": "demo-peratin",
    "camat": "demo-camat",
    "dinsos": "demo-dinsos",
}


def _state(url: str) -> tuple[str, dict[str, int]]:
    """The demo operator's language and the households per status."""

    async def work() -> tuple[str, dict[str, int]]:
        async with Database(url) as db, db.unit_of_work() as uow:
            person = await uow.people.find_by_identity("console", "demo-operator")
            assert person is not None
            return person.lang, await uow.households.count_by_status("18.04")

    return asyncio.run(work())


def _verify_one(url: str) -> None:
    """A household verified, as a saved form leaves it."""

    async def work() -> None:
        async with Database(url) as db, db.unit_of_work() as uow:
            [household] = await uow.households.search("18.04.19.2006", "Agus Hidayat")
            await uow.households.set_status(household.id, "verified", None, datetime.now(UTC))

    asyncio.run(work())


def test_the_demo_is_resumed_and_reset_only_when_asked(demo: Demo) -> None:
    runner, db, url = demo.runner, demo.db, demo.url
    first = runner.invoke(app, ["demo", "--db", str(db), "--no-chat"])
    assert first.exit_code == 0, first.output
    assert "Demo siap" in first.output and "33 keluarga" in first.output
    assert "Kembali ke demo kapan saja sebagai:" in first.output
    for role, user in ROLES.items():
        assert f"  {role}: kawal chat --db {db} --user {user}\n" in first.output

    # Progress made in the demo: a household verified, the language switched in the chat.
    _verify_one(url)
    chat = runner.invoke(
        app, ["chat", "--db", str(db), "--user", "demo-operator"], input="bahasa\n"
    )
    assert chat.exit_code == 0, chat.output
    lang, counts = _state(url)
    assert (lang, counts.get("verified")) == ("en", 1)

    again = runner.invoke(app, ["demo", "--db", str(db), "--no-chat"])
    assert again.exit_code == 0, again.output
    assert "Demo siap" not in again.output
    assert f"Demo dilanjutkan dari {db}" in again.output
    assert f"kawal demo --db {db} --reset" in again.output
    assert f"  dinsos: kawal chat --db {db} --user demo-dinsos\n" in again.output
    assert _state(url) == (lang, counts)  # nothing lost, nothing added twice

    reset = runner.invoke(app, ["demo", "--db", str(db), "--reset", "--no-chat"])
    assert reset.exit_code == 0, reset.output
    assert "Demo siap" in reset.output
    lang, counts = _state(url)
    assert (lang, counts["verified"], counts["pending"]) == ("id", 0, 33)
