"""A district to run the deadline planner in (tests/reminders/test_deadline*.py): Kab. Lampung
Barat with two villages' registers, its people, a fixed clock, the fake channel and a sender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import Draft
from handlers.kit.timing import QuietHours
from handlers.messages import Question, from_data
from handlers.ports import FixedClock
from reminders.deadlines import PlanRound, plan_deadlines
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from storage.db import Database
from tests.fakes.channel import FakeChannel

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"  # 30 households
SUKANANTI = "18.04.07.2006"  # 3 households
WIB = "Asia/Jakarta"
QUIET = QuietHours()
START = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)  # Thursday 15 January, 10:30 WIB


def wib(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(WIB)).astimezone(dt.UTC)


DUE = wib("2026-01-27 16:00")  # Tuesday
BASE = Draft("Ekspor DTKS", DUE, "18.04", ("operator", "peratin"))


@dataclass
class Town:
    """Kab. Lampung Barat with two villages' registers, people, a clock and a fake channel."""

    db: Database
    clock: FixedClock
    sender: OutboxSender
    fake: FakeChannel
    people: dict[str, int] = field(default_factory=dict)

    async def person(
        self, key: str, role: str, region: str, *, lang: str = "id", consent: bool = True
    ) -> int:
        now = self.clock.now()
        async with self.db.unit_of_work() as uow:
            person_id = await uow.people.create(f"Orang {key}", lang=lang, now=now)
            await uow.people.add_identity(person_id, "telegram", key, "", now)
            await uow.people.assign_role(person_id, role, region, now)
            if consent:
                await uow.people.set_consent(person_id, "2026-11", now)
        self.people[key] = person_id
        return person_id

    async def deadline(self, **changes: Any) -> int:
        draft = replace(BASE, **changes)
        async with self.db.unit_of_work() as uow:
            return await deadlines.create(uow, draft, by=None, channel="cli", now=self.clock.now())

    async def tick(self, at: dt.datetime | None = None) -> PlanRound:
        """One scheduler round at ``at``: plan, then send what is due."""
        if at is not None:
            self.clock.set(at)
        planned = await plan_deadlines(self.db, self.clock, QUIET)
        while await self.sender.run_once():
            pass
        return planned

    async def cancel(self, deadline_id: int) -> None:
        async with self.db.unit_of_work() as uow:
            cancelled = await deadlines.cancel(
                uow, deadline_id, by=None, channel="cli", now=self.clock.now(), quiet=QUIET
            )
        assert cancelled is not None

    def texts(self, key: str) -> list[str]:
        return self.fake.to(key)

    async def statuses(self, prefix: str = "deadline:") -> dict[str, int]:
        async with self.db.unit_of_work() as uow:
            return await uow.outbox.count_by_status(prefix)

    async def finish(self, region: str) -> None:
        """Every household of the village verified."""
        async with self.db.unit_of_work() as uow:
            for household in await uow.households.pending(region, 0, 1000):
                await uow.households.set_status(household.id, "verified", None, self.clock.now())


def make_sender(
    db: Database, clock: FixedClock, fake: FakeChannel, directory: Path
) -> OutboxSender:
    journal = SendJournal(directory, host="host-a")
    journal.open()
    return OutboxSender(db, {"telegram": fake}, clock, journal, OutboxPolicy(batch=50))


async def seed(db: Database, now: dt.datetime) -> None:
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_regions(uow, "18.04.07")
        await load_register_csv(uow, DEMO / "households_sri_menanti.csv", now)
        await load_register_csv(uow, DEMO / "households_sukananti.csv", now)


RECIPIENTS = ("op-sri", "peratin-sri", "op-suka")


async def sent_question(town: Town, key: str) -> Question:
    """The last deadline message to ``key``, as stored in the outbox (the fake channel keeps
    the text only); its text is what went out."""
    async with town.db.unit_of_work() as uow:
        rows = await uow.outbox.for_person(town.people[key], "deadline:")
    [message] = from_data(next(r for r in rows if r.status == "sent").payload)
    assert isinstance(message, Question)
    assert town.texts(key)[-1] == message.text
    return message


async def edit(town: Town, deadline_id: int, db: Database | None = None, **changes: Any) -> None:
    async with (db or town.db).unit_of_work() as uow:
        current = await uow.deadlines.get(deadline_id)
        assert current is not None
        draft = replace(Draft.of(current), **changes)
        revision = await deadlines.update(
            uow, deadline_id, draft, by=None, channel="cli", now=town.clock.now()
        )
    assert revision is not None
