"""The ``town`` fixture of the deadline planner's tests (``tests/reminders/town.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.ports import FixedClock
from storage.db import Database
from tests.fakes.channel import FakeChannel
from tests.reminders.town import SRI_MENANTI, START, SUKANANTI, Town, make_sender, seed


@pytest.fixture
async def town(database: Database, tmp_path: Path) -> Town:
    await seed(database, START)
    clock = FixedClock(START)
    fake = FakeChannel()
    town = Town(database, clock, make_sender(database, clock, fake, tmp_path / "j"), fake)
    await town.person("op-sri", "operator", SRI_MENANTI)
    await town.person("peratin-sri", "peratin", SRI_MENANTI)
    await town.person("op-suka", "operator", SUKANANTI)
    await town.person("camat-airhitam", "camat", "18.04.19")
    await town.person("camat-waytenong", "camat", "18.04.07")
    await town.person("dinsos", "dinsos", "18.04")
    return town
