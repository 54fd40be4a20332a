"""How many statements (and on PostgreSQL round trips) one operator answer costs.

The load benchmark's round (``bench/load_scripts.py``): MENU, *Verifikasi keluarga*, the head's
name, the household, eight answers and *simpan*. The counts are pinned: one more statement per
update is a regression (fewer: lower the pin). PostgreSQL is measured on the wire, through a
proxy that reads the protocol (:mod:`tests.fakes.pg_wire`); SQLite with sqlite3's trace hook on
the connection that runs the updates.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event

from bench.load_scripts import FORM_ANSWERS
from bot.demo import load_register_csv
from bot.regions import load_regions
from flows import builtin_forms
from handlers.app import Kawal
from handlers.ports import FixedClock
from storage.db import Database
from storage.records import OPEN_SESSION_STATUSES
from storage.repos import turns
from tests.conftest import (
    PostgresDatabases,
    _postgres,
    copy_sqlite_template,
)
from tests.fakes.pg_wire import WireCounter
from tests.handlers.conftest import DEMO_DIR, World

# Statements per update of the round, in order: MENU, Verifikasi keluarga, the name, the
# household, eight answers, simpan (PostgreSQL's include BEGIN and COMMIT, SQLite's BEGIN
# IMMEDIATE and COMMIT). Before issue 20 PostgreSQL needed 148 (a ping per checkout and a
# statement each for the claim, the sender, the "last wrote" mark and the open form).
PINNED = {
    "sqlite": [6, 7, 9, 12, 7, 7, 7, 7, 7, 7, 7, 18],
    "postgres": [3, 4, 6, 9, 4, 4, 4, 4, 4, 4, 4, 15],
}
# On PostgreSQL each statement is one round trip (nothing waits for two answers at once).
PINNED_ROUND_TRIPS = PINNED["postgres"]


class Counting:
    def __init__(self) -> None:
        self.statements: list[str] = []
        self.read: Callable[[], tuple[int, int]] = lambda: (len(self.statements), 0)
        self.reset: Callable[[], None] = self.statements.clear
        self.parses: Callable[[], int] = lambda: 0


@pytest.fixture(params=["sqlite", "postgres"])
async def counted(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_databases: PostgresDatabases | None,
) -> AsyncIterator[tuple[str, Database, Counting]]:
    counting = Counting()
    if request.param == "sqlite":

        def trace(dbapi_connection: object, _record: object) -> None:
            hook = getattr(dbapi_connection, "set_trace_callback", None)
            if hook is not None:  # the standard library's sqlite3 (db.run), not aiosqlite
                hook(counting.statements.append)

        event.listen(Engine, "connect", trace)
        try:
            async with Database(copy_sqlite_template(sqlite_template, tmp_path)) as db:
                yield "sqlite", db, counting
        finally:
            event.remove(Engine, "connect", trace)
        return
    url = await _postgres(postgres_databases).migrated()
    host, port = "127.0.0.1", 5432
    async with WireCounter(host, port) as wire, Database(wire.url_for(url)) as db:
        counting.statements = wire.log
        counting.read = lambda: (wire.statements, wire.round_trips)
        counting.reset = wire.reset
        counting.parses = lambda: wire.parses
        yield "postgres", db, counting


async def test_statements_per_answer(
    counted: tuple[str, Database, Counting], now: datetime
) -> None:
    backend, db, counting = counted
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)
    world = World(db, Kawal(db, builtin_forms(), FixedClock(now)), FixedClock(now))
    await world.invite("operator", "18.04.19.2006", "KWL-OP0001")
    chat = world.user("501")
    await chat.register("KWL-OP0001")

    steps: list[Callable[[], object]] = [
        lambda: chat.text("menu"),
        lambda: chat.press("m:verify"),
        lambda: chat.text("Agus Hidayat"),
        lambda: chat.text("1"),
        *[(lambda a=answer: chat.text(a)) for answer in FORM_ANSWERS],
    ]
    per_update: list[int] = []
    trips: list[int] = []
    seen: list[list[str]] = []
    for step in steps:
        counting.reset()
        await step()  # type: ignore[misc]
        statements, round_trips = counting.read()
        per_update.append(statements)
        trips.append(round_trips)
        seen.append([sql[:70] for sql in counting.statements])
    assert "Tersimpan" in chat.texts()
    assert per_update == PINNED[backend], seen
    if backend == "postgres":
        assert trips == PINNED_ROUND_TRIPS, seen

    parses = 0
    for step in steps:  # the same round again: every statement was prepared already
        counting.reset()
        await step()  # type: ignore[misc]
        parses += counting.parses()
    assert "Tersimpan" in chat.texts()
    assert parses == 0  # asyncpg's statement cache hits (SQL text stable across updates)


def test_the_turn_statement_reads_the_open_statuses() -> None:
    wanted = " OR ".join(f"s.status = '{status}'" for status in OPEN_SESSION_STATUSES)
    assert f"({wanted})" in turns._START_SQL
