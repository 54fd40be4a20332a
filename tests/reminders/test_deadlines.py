"""The deadline planner with a real database, an injected clock and the fake channel: the
planner enqueues, ``OutboxSender.run_once()`` sends. Nothing sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import Draft
from handlers.kit.timing import QuietHours, Recurrence, local_instant
from handlers.messages import Question, from_data
from handlers.ports import FixedClock
from reminders import deadlines as planner
from reminders.deadlines import PlanRound, plan_deadlines
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from storage.db import Database
from tests.conftest import peers
from tests.fakes.channel import FakeChannel
from tests.reminders.interleave import HeldClaims, LockWatch, postgres_only

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


def _sender(db: Database, clock: FixedClock, fake: FakeChannel, directory: Path) -> OutboxSender:
    journal = SendJournal(directory, host="host-a")
    journal.open()
    return OutboxSender(db, {"telegram": fake}, clock, journal, OutboxPolicy(batch=50))


async def seed(db: Database, now: dt.datetime) -> None:
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_regions(uow, "18.04.07")
        await load_register_csv(uow, DEMO / "households_sri_menanti.csv", now)
        await load_register_csv(uow, DEMO / "households_sukananti.csv", now)


@pytest.fixture
async def town(database: Database, tmp_path: Path) -> Town:
    await seed(database, START)
    clock = FixedClock(START)
    fake = FakeChannel()
    town = Town(database, clock, _sender(database, clock, fake, tmp_path / "j"), fake)
    await town.person("op-sri", "operator", SRI_MENANTI)
    await town.person("peratin-sri", "peratin", SRI_MENANTI)
    await town.person("op-suka", "operator", SUKANANTI)
    await town.person("camat-airhitam", "camat", "18.04.19")
    await town.person("camat-waytenong", "camat", "18.04.07")
    await town.person("dinsos", "dinsos", "18.04")
    return town


RECIPIENTS = ("op-sri", "peratin-sri", "op-suka")


async def test_reminders_fire_at_the_right_instants(town: Town) -> None:
    await town.deadline()
    timeline = [
        ("2026-01-20 07:59", {}),
        ("2026-01-20 08:00", dict.fromkeys(RECIPIENTS, 1)),  # T-7
        ("2026-01-20 08:01", {}),
        ("2026-01-23 23:59", {}),
        ("2026-01-24 08:00", dict.fromkeys(RECIPIENTS, 1)),  # T-3
        ("2026-01-26 07:59", {}),
        ("2026-01-26 08:00", dict.fromkeys(RECIPIENTS, 1)),  # T-1
        ("2026-01-27 08:00", dict.fromkeys(RECIPIENTS, 1)),  # T-0
        ("2026-01-27 15:59", {}),
    ]
    seen = Counter[str]()
    for at, expected in timeline:
        await town.tick(wib(at))
        now = Counter(p.to for p in town.fake.parts)
        assert dict(now - seen) == expected, at
        seen = now
    assert await town.statuses() == {"sent": 12}
    # camat and Dinsos are not among the deadline's roles: no reminders for them
    assert town.texts("camat-airhitam") == town.texts("dinsos") == []


async def test_what_an_operator_and_a_peratin_see(town: Town) -> None:
    await town.deadline(note="Ekspor lewat menu Data Final.")
    async with town.db.unit_of_work() as uow:
        for household in (await uow.households.pending(SRI_MENANTI, 0, 12))[:12]:
            await uow.households.set_status(household.id, "updated", None, START)
    await town.tick(wib("2026-01-24 08:00"))  # T-3, with T-7 missed before: recorded

    operator = await _sent_question(town, "op-sri")
    assert operator.text == (
        "⏰ Pengingat tenggat: Ekspor DTKS\n"
        "Batas: Selasa, 27 Januari 2026 pukul 16.00 WIB (3 hari lagi)\n"
        "Pekon Sri Menanti: 12 dari 30 keluarga sudah didata (40%)\n"
        "Tinggal 18 keluarga lagi.\n"
        "Catatan: Ekspor lewat menu Data Final."
    )
    assert [(o.value, o.label) for o in operator.options] == [("m:pending", "Daftar keluarga")]
    peratin = await _sent_question(town, "peratin-sri")
    assert peratin.text == operator.text
    assert [(o.value, o.label) for o in peratin.options] == [("m:progress", "Lihat progres")]

    async with town.db.unit_of_work() as uow:
        [row] = await uow.outbox.for_person(town.people["op-sri"], "deadline:", limit=1)
    assert row.campaign.endswith(":2026-01-27:r1:T-3")
    assert (row.role, row.region_code, row.priority, row.expires_at) == (
        "operator",
        SRI_MENANTI,
        1,
        DUE,
    )
    assert row.template == {
        "kind": "reminder",
        "params": [
            "Ekspor DTKS",
            "Selasa, 27 Januari 2026 pukul 16.00 WIB (3 hari lagi)",
            "Pekon Sri Menanti: 12 dari 30 keluarga sudah didata (40%) · Tinggal 18 keluarga lagi.",
        ],
    }


async def _sent_question(town: Town, key: str) -> Question:
    """The last deadline message to ``key``, as stored in the outbox (the fake channel keeps
    the text only); its text is what went out."""
    async with town.db.unit_of_work() as uow:
        rows = await uow.outbox.for_person(town.people[key], "deadline:")
    [message] = from_data(next(r for r in rows if r.status == "sent").payload)
    assert isinstance(message, Question)
    assert town.texts(key)[-1] == message.text
    return message


async def test_a_downtime_sends_only_the_latest_missed_reminder(town: Town) -> None:
    await town.deadline()
    await town.tick(wib("2026-01-16 09:00"))  # nothing due yet
    # The bot is down from the 16th until the 26th at 10:00: T-7 and T-3 were missed.
    planned = await town.tick(wib("2026-01-26 10:00"))
    assert (planned.reminders, planned.superseded) == (3, 6)
    for key in RECIPIENTS:
        assert len(town.texts(key)) == 1
        assert "(besok)" in town.texts(key)[0]
    assert await town.statuses() == {"sent": 3, "superseded": 6}
    again = await town.tick(wib("2026-01-26 10:01"))  # a second round (or a second process)
    assert again.sent == again.superseded == 0
    await town.tick(wib("2026-01-27 08:00"))
    assert Counter(p.to for p in town.fake.parts) == dict.fromkeys(RECIPIENTS, 2)


async def test_reminders_missed_past_the_deadline_are_dropped_with_a_log_line(
    town: Town, caplog: pytest.LogCaptureFixture
) -> None:
    await town.deadline()
    with caplog.at_level("WARNING"):
        planned = await town.tick(wib("2026-01-27 16:30"))  # back after the deadline
    assert planned.reminders == 0 and planned.dropped == 12
    assert "passed before 12 reminders could be sent" in caplog.text
    assert [p.to for p in town.fake.parts if p.to in RECIPIENTS] == []
    caplog.clear()
    with caplog.at_level("WARNING"):
        await town.tick(wib("2026-01-27 17:00"))
    assert "reminders could be sent" not in caplog.text  # logged once


async def test_reminders_missed_in_a_downtime_of_weeks_are_dropped_with_a_log_line(
    town: Town, caplog: pytest.LogCaptureFixture
) -> None:
    await town.deadline()
    monthly = await town.deadline(
        title="Cut-off DTSEN", due_at=wib("2026-01-17 23:59"), recurrence=Recurrence(17)
    )
    await town.tick(wib("2026-01-16 09:00"))  # T-1 of the 17th went out; then Kawal stops
    with caplog.at_level("WARNING"):
        planned = await town.tick(wib("2026-03-10 09:00"))  # back six weeks after the 27th
    assert (
        "deadline 1 (2026-01-27, due 2026-01-27T09:00:00+00:00) passed 41 days ago while Kawal "
        "was stopped: 12 reminders dropped" in caplog.text
    )
    assert f"deadline {monthly} (2026-02, " in caplog.text  # February's cut-off, all of it
    assert f"deadline {monthly} (2026-01, " not in caplog.text  # January was reminded
    assert planned.dropped == 12 + 12 and planned.escalations == 0
    assert town.texts("camat-airhitam") == []  # far too late to escalate
    caplog.clear()
    with caplog.at_level("WARNING"):
        await town.tick(wib("2026-03-10 09:01"))
    assert "dropped" not in caplog.text  # logged once


async def test_a_finished_village_gets_a_thank_you_instead_of_a_reminder(town: Town) -> None:
    await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))
    await town.finish(SUKANANTI)
    await town.tick(wib("2026-01-24 08:00"))
    await town.tick(wib("2026-01-26 08:00"))
    await town.tick(wib("2026-01-27 08:00"))
    texts = town.texts("op-suka")
    assert len(texts) == 2
    assert texts[0].startswith("⏰ Pengingat tenggat: Ekspor DTKS")
    assert texts[1].startswith(
        "🎉 Terima kasih! Pekon Sukananti sudah selesai untuk tenggat Ekspor DTKS "
        "(batas Selasa, 27 Januari 2026 pukul 16.00 WIB)."
    )
    assert "3 dari 3 keluarga sudah didata (100%)" in texts[1]
    assert len(town.texts("op-sri")) == 4  # the unfinished village is still reminded
    async with town.db.unit_of_work() as uow:
        rows = await uow.outbox.for_person(town.people["op-suka"], "deadline:")
    assert sorted((r.campaign.rsplit(":", 1)[1], r.status) for r in rows) == [
        ("T-0", "superseded"),
        ("T-1", "superseded"),
        ("T-3", "superseded"),
        ("T-7", "sent"),
        ("thanks", "sent"),
    ]


async def test_unfinished_villages_are_escalated_once_to_camat_and_dinsos(town: Town) -> None:
    await town.finish(SUKANANTI)
    await town.deadline()
    await town.tick(wib("2026-01-27 08:00"))
    await town.tick(wib("2026-01-27 15:59"))
    assert town.texts("camat-airhitam") == town.texts("dinsos") == []
    for minute in range(0, 180, 30):  # rounds after the deadline, and a restart
        await town.tick(DUE + dt.timedelta(minutes=minute))

    [camat] = town.texts("camat-airhitam")
    assert camat.splitlines() == [
        "⚠️ Tenggat lewat: Ekspor DTKS (Selasa, 27 Januari 2026 pukul 16.00 WIB)",
        "Kec. Air Hitam: 10 dari 10 pekon belum selesai",
        "• Pekon Sri Menanti: 0 dari 30 (0%)",
        "• 9 pekon belum ada data keluarga: Pekon Sidodadi, Pekon Semarang Jaya, Pekon Sumber "
        "Alam, Pekon Gunungterang, Pekon Suka Jadi, Pekon Sinar Jaya, Pekon Rigis Jaya, Pekon "
        "Suka Damai … dan 1 lainnya",
        "Mohon tindak lanjuti bersama operator dan kepala desa/peratin.",
    ]
    [dinsos] = town.texts("dinsos")
    assert "Kab. Lampung Barat: 18 dari 19 pekon/kelurahan belum selesai" in dinsos
    assert "Sri Menanti" in dinsos and "Sukananti" not in dinsos
    # Way Tenong's only village with data finished, but 8 have no data: not finished either.
    [way_tenong] = town.texts("camat-waytenong")
    assert way_tenong.splitlines()[1:3] == [
        "Kec. Way Tenong: 8 dari 9 pekon/kelurahan belum selesai",
        "• 8 pekon/kelurahan belum ada data keluarga: Kelurahan Pajar Bulan, Pekon Puralaksana, "
        "Pekon Karang Agung, Pekon Mutar Alam, Pekon Tanjungraya, Pekon Sukaraja, Pekon Padang "
        "Tambak, Pekon Tambak Jaya",
    ]
    assert (await town.statuses()).get("pending", 0) == 0


async def test_a_deadline_every_village_finished_is_not_escalated(town: Town) -> None:
    await town.finish(SUKANANTI)
    await town.deadline(region_code=SUKANANTI)
    for minute in range(0, 90, 30):
        await town.tick(DUE + dt.timedelta(minutes=minute))
    assert town.texts("camat-waytenong") == town.texts("dinsos") == []
    async with town.db.unit_of_work() as uow:
        rows = await uow.outbox.for_person(town.people["camat-waytenong"], "deadline:")
    assert [(r.campaign.rsplit(":", 1)[1], r.status) for r in rows] == [
        ("escalation", "superseded")  # recorded once
    ]


async def test_escalation_after_a_late_deadline_waits_for_the_morning(town: Town) -> None:
    await town.deadline(due_at=wib("2026-01-27 22:00"))
    await town.tick(wib("2026-01-27 22:00"))
    await town.tick(wib("2026-01-28 06:59"))
    assert town.texts("camat-airhitam") == []
    await town.tick(wib("2026-01-28 07:00"))
    assert len(town.texts("camat-airhitam")) == 1


async def test_a_cosmetic_edit_sends_nothing_again(town: Town) -> None:
    deadline_id = await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))
    await _edit(town, deadline_id, title="Ekspor DTKS tahap 1", remind_time=dt.time(9, 0))
    await town.tick(wib("2026-01-20 09:00"))  # T-7 of the new plan: same due time, done
    assert Counter(p.to for p in town.fake.parts) == dict.fromkeys(RECIPIENTS, 1)
    await town.tick(wib("2026-01-24 08:59"))
    await town.tick(wib("2026-01-24 09:00"))
    assert town.texts("op-sri")[-1].startswith("⏰ Pengingat tenggat: Ekspor DTKS tahap 1")
    assert Counter(p.to for p in town.fake.parts) == dict.fromkeys(RECIPIENTS, 2)


async def test_moving_the_deadline_tells_everyone_once(town: Town) -> None:
    deadline_id = await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))  # T-7 for the 27th
    town.clock.set(wib("2026-01-22 10:00"))
    await _edit(town, deadline_id, due_at=wib("2026-01-25 12:00"))
    await town.tick()
    await town.tick(wib("2026-01-22 10:01"))
    for key in RECIPIENTS:
        _, moved = town.texts(key)
        assert moved.startswith("⚠️ Tenggat diubah: Ekspor DTKS")
        assert "Batas: Minggu, 25 Januari 2026 pukul 12.00 WIB (3 hari lagi)" in moved
    await town.tick(wib("2026-01-24 08:00"))  # T-1 of the new date
    assert all(len(town.texts(k)) == 3 for k in RECIPIENTS)
    assert town.texts("op-sri")[-1].startswith("⏰ Pengingat tenggat")


async def test_moving_the_time_on_the_same_day_is_announced_though_that_step_went_out(
    town: Town,
) -> None:
    """The day-of reminder (T-0, 08:00) went out for 16.00; at 10:00 the deadline moves to
    20.00 the same day (same occurrence key, same latest step name): T-0 for 20.00 is not done
    yet, so everyone hears of the new time at once, and only once."""
    deadline_id = await town.deadline()
    await town.tick(wib("2026-01-27 08:00"))
    town.clock.set(wib("2026-01-27 10:00"))
    await _edit(town, deadline_id, due_at=wib("2026-01-27 20:00"))
    await town.tick()
    await town.tick(wib("2026-01-27 10:01"))
    for key in RECIPIENTS:
        first, moved = town.texts(key)
        assert "pukul 16.00 WIB (hari ini)" in first
        assert moved.startswith("⚠️ Tenggat diubah: Ekspor DTKS")
        assert "Batas: Selasa, 27 Januari 2026 pukul 20.00 WIB (hari ini)" in moved
    await town.tick(wib("2026-01-27 19:59"))
    assert all(len(town.texts(k)) == 2 for k in RECIPIENTS)


async def test_a_reminder_waiting_when_the_deadline_is_edited_goes_out_in_its_new_form(
    town: Town,
) -> None:
    deadline_id = await town.deadline()
    town.clock.set(wib("2026-01-20 08:00"))
    await plan_deadlines(town.db, town.clock, QUIET)  # enqueued, not sent yet
    await _edit(town, deadline_id, title="Ekspor DTKS (revisi)")
    await town.tick(wib("2026-01-20 08:01"))
    for key in RECIPIENTS:
        [text] = town.texts(key)
        assert "Ekspor DTKS (revisi)" in text
    assert await town.statuses() == {"cancelled": 3, "sent": 3}


async def test_cancelling_stops_reminders_and_tells_who_was_reminded(town: Town) -> None:
    deadline_id = await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))
    await town.person("op-new", "operator", SRI_MENANTI)  # joins after T-7: never reminded
    town.clock.set(wib("2026-01-21 09:00"))
    async with town.db.unit_of_work() as uow:
        cancelled = await deadlines.cancel(
            uow,
            deadline_id,
            by=town.people["dinsos"],
            channel="telegram",
            now=town.clock.now(),
            quiet=QUIET,
        )
        again = await deadlines.cancel(
            uow, deadline_id, by=None, channel="cli", now=START, quiet=QUIET
        )
    assert cancelled is not None and again is None
    await town.tick()
    for at in ("2026-01-24 08:00", "2026-01-27 08:00", "2026-01-27 17:00"):
        await town.tick(wib(at))
    for key in RECIPIENTS:
        assert len(town.texts(key)) == 2
        assert town.texts(key)[-1].startswith("Tenggat Ekspor DTKS (batas Selasa, 27 Januari")
    assert town.texts("op-new") == []
    assert town.texts("camat-airhitam") == []  # no escalation for a cancelled deadline


async def test_a_monthly_deadline_reminds_every_month(town: Town) -> None:
    first = wib("2026-01-31 16:00")
    await town.deadline(due_at=first, recurrence=Recurrence(31), offsets=(1,))
    instants = [
        ("2026-01-30 08:00", "2026-01-31 16:01"),
        ("2026-02-27 08:00", "2026-02-28 16:01"),
        ("2026-03-30 08:00", "2026-03-31 16:01"),
    ]
    for step, after in instants:
        await town.tick(wib(step) - dt.timedelta(minutes=1))
        await town.tick(wib(step))
        await town.tick(wib(after))
    texts = town.texts("op-sri")
    assert [t.splitlines()[1] for t in texts] == [
        "Batas: Sabtu, 31 Januari 2026 pukul 16.00 WIB (besok)",
        "Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB (besok)",
        "Batas: Selasa, 31 Maret 2026 pukul 16.00 WIB (besok)",
    ]
    # each month's deadline was escalated once when it passed
    assert len(town.texts("camat-airhitam")) == 3


async def test_moving_a_monthly_deadline_after_a_cut_off_still_escalates_that_cut_off(
    town: Town,
) -> None:
    """January's cut-off (31st, 22:00) has passed and its escalation waits for 07:00 when
    Dinsos moves the monthly deadline to the 17th from February: January is still escalated,
    once, and February is planned on the new dates."""
    deadline_id = await town.deadline(
        due_at=wib("2026-01-31 22:00"), recurrence=Recurrence(31), offsets=(1,)
    )
    await town.tick(wib("2026-01-30 08:00"))
    await town.tick(wib("2026-01-31 22:05"))
    town.clock.set(wib("2026-01-31 23:00"))
    await _edit(town, deadline_id, due_at=wib("2026-02-17 16:00"), recurrence=Recurrence(17))
    await town.tick()
    await town.tick(wib("2026-02-01 07:00"))
    await town.tick(wib("2026-02-01 09:00"))
    [camat] = town.texts("camat-airhitam")
    assert camat.startswith("⚠️ Tenggat lewat: Ekspor DTKS (Sabtu, 31 Januari 2026 pukul 22.00")
    await town.tick(wib("2026-02-16 08:00"))
    assert "Selasa, 17 Februari 2026 pukul 16.00 WIB (besok)" in town.texts("op-sri")[-1]
    await town.tick(wib("2026-02-17 16:00"))
    assert len(town.texts("camat-airhitam")) == 2


async def test_an_edit_right_after_a_cut_off_leaves_its_escalation_alone(town: Town) -> None:
    deadline_id = await town.deadline(
        due_at=wib("2026-01-31 16:00"), recurrence=Recurrence(31), offsets=(1,)
    )
    await town.tick(wib("2026-01-30 08:00"))
    town.clock.set(wib("2026-01-31 16:00"))
    await plan_deadlines(town.db, town.clock, QUIET)  # escalations enqueued, not yet sent
    town.clock.set(wib("2026-01-31 16:01"))
    await _edit(town, deadline_id, note="Data ditarik tanggal 1.")
    async with town.db.unit_of_work() as uow:
        edited = await uow.deadlines.get(deadline_id)
    assert edited is not None and edited.due_at == wib("2026-01-31 16:00")  # first due kept
    await town.tick(wib("2026-01-31 16:02"))
    await town.tick(wib("2026-01-31 16:30"))
    assert len(town.texts("camat-airhitam")) == len(town.texts("dinsos")) == 1
    async with town.db.unit_of_work() as uow:
        rows = await uow.outbox.for_person(town.people["camat-airhitam"], "deadline:")
    assert [(r.campaign.split(":", 3)[3], r.status) for r in rows] == [("r1:escalation", "sent")]


async def test_reminder_times_in_the_quiet_hours_move_to_the_morning(town: Town) -> None:
    await town.deadline(remind_time=dt.time(22, 0), offsets=(1,))
    await town.tick(wib("2026-01-26 22:00"))
    assert town.texts("op-sri") == []
    await town.tick(wib("2026-01-27 06:59"))
    assert town.texts("op-sri") == []
    await town.tick(wib("2026-01-27 07:00"))
    assert "(hari ini)" in town.texts("op-sri")[0]


@pytest.mark.parametrize(
    "scenario",
    ["created at 22:30", "restarted at 23:15"],
)
async def test_a_catch_up_never_goes_out_in_the_quiet_hours(town: Town, scenario: str) -> None:
    """T-7 and T-3 have come when the deadline is created late at night (or Kawal starts again
    then): the latest step waits for 07:00 and says how far the deadline is at that moment."""
    if scenario == "created at 22:30":
        town.clock.set(wib("2026-01-24 22:30"))
        await town.deadline()
    else:
        await town.deadline()
        await town.tick(wib("2026-01-16 09:00"))
        town.clock.set(wib("2026-01-24 23:15"))
    await town.tick()
    await town.tick(wib("2026-01-25 06:59"))
    assert [town.texts(k) for k in RECIPIENTS] == [[], [], []]
    assert await town.statuses() == {}  # nothing planned in the night: decided in the morning
    await town.tick(wib("2026-01-25 07:00"))
    for key in RECIPIENTS:
        [text] = town.texts(key)
        assert "Selasa, 27 Januari 2026 pukul 16.00 WIB (2 hari lagi)" in text
    assert await town.statuses() == {"sent": 3, "superseded": 3}  # T-3 sent, T-7 recorded
    await town.tick(wib("2026-01-26 08:00"))
    assert all(len(town.texts(k)) == 2 for k in RECIPIENTS)  # T-1 as planned


async def test_a_catch_up_after_the_quiet_hours_waits_for_a_reminder_due_an_hour_later(
    town: Town,
) -> None:
    town.clock.set(wib("2026-01-23 22:30"))  # T-7 has come; T-3 is tomorrow at 08:00
    await town.deadline()
    await town.tick()
    await town.tick(wib("2026-01-24 07:00"))
    assert [town.texts(k) for k in RECIPIENTS] == [[], [], []]  # not T-7 at 07:00 and T-3 at 08:00
    await town.tick(wib("2026-01-24 08:00"))
    for key in RECIPIENTS:
        [text] = town.texts(key)
        assert "(3 hari lagi)" in text
    assert await town.statuses() == {"sent": 3, "superseded": 3}


async def test_a_catch_up_held_by_the_quiet_hours_past_the_due_time_is_dropped_and_logged(
    town: Town, caplog: pytest.LogCaptureFixture
) -> None:
    await town.deadline(due_at=wib("2026-01-27 06:00"), offsets=(1,))
    await town.tick(wib("2026-01-20 09:00"))
    await town.tick(wib("2026-01-26 22:00"))  # back after T-1 (08:00), in the quiet hours
    with caplog.at_level("WARNING"):
        planned = await town.tick(wib("2026-01-27 06:00"))
    assert [town.texts(k) for k in RECIPIENTS] == [[], [], []]
    assert planned.dropped == 3
    assert "passed before 3 reminders could be sent" in caplog.text


async def test_an_escalation_after_a_night_restart_waits_for_the_morning(town: Town) -> None:
    await town.deadline()
    await town.tick(wib("2026-01-27 08:00"))
    await town.tick(wib("2026-01-27 23:00"))  # down from 15:00 to 23:00: the deadline passed
    assert town.texts("camat-airhitam") == []
    await town.tick(wib("2026-01-28 07:00"))
    assert len(town.texts("camat-airhitam")) == 1


async def test_a_cancellation_at_night_is_told_in_the_morning(town: Town) -> None:
    deadline_id = await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))
    town.clock.set(wib("2026-01-21 23:30"))
    await town.cancel(deadline_id)
    await town.tick()
    await town.tick(wib("2026-01-22 06:59"))
    assert all(len(town.texts(k)) == 1 for k in RECIPIENTS)
    await town.tick(wib("2026-01-22 07:00"))
    for key in RECIPIENTS:
        assert town.texts(key)[-1].startswith("Tenggat Ekspor DTKS (batas Selasa, 27 Januari")


async def test_a_cancellation_at_night_just_before_an_early_due_time_is_not_sent(
    town: Town, caplog: pytest.LogCaptureFixture
) -> None:
    deadline_id = await town.deadline(due_at=wib("2026-01-27 06:00"), offsets=(1,))
    await town.tick(wib("2026-01-26 08:00"))
    town.clock.set(wib("2026-01-26 23:00"))
    with caplog.at_level("WARNING"):
        await town.cancel(deadline_id)
    assert "3 recipients not told" in caplog.text
    await town.tick(wib("2026-01-27 07:00"))
    assert all(len(town.texts(k)) == 1 for k in RECIPIENTS)
    assert (await town.statuses()).get("pending", 0) == 0


async def test_a_camat_among_the_roles_gets_the_kecamatan_laggards_first(town: Town) -> None:
    await town.deadline(roles=("camat", "dinsos"), region_code="18.04")
    await town.finish(SUKANANTI)
    await town.tick(wib("2026-01-20 08:00"))
    [camat] = town.texts("camat-airhitam")
    assert camat.splitlines()[2:] == [
        "Kec. Air Hitam: 0 dari 10 pekon selesai · 0 dari 30 keluarga sudah didata (0%)",
        "Belum selesai:",
        "• Pekon Sri Menanti: 0 dari 30 (0%)",
        "9 pekon belum ada data keluarga: Pekon Sidodadi, Pekon Semarang Jaya, Pekon Sumber "
        "Alam, Pekon Gunungterang, Pekon Suka Jadi, Pekon Sinar Jaya, Pekon Rigis Jaya, Pekon "
        "Suka Damai … dan 1 lainnya",
    ]
    # Way Tenong's only village with data finished; 8 have no data yet: no thank-you
    [way_tenong] = town.texts("camat-waytenong")
    assert way_tenong.splitlines()[2:4] == [
        "Kec. Way Tenong: 1 dari 9 pekon/kelurahan selesai · 3 dari 3 keluarga sudah didata (100%)",
        "8 pekon/kelurahan belum ada data keluarga: Kelurahan Pajar Bulan, Pekon Puralaksana, "
        "Pekon Karang Agung, Pekon Mutar Alam, Pekon Tanjungraya, Pekon Sukaraja, Pekon Padang "
        "Tambak, Pekon Tambak Jaya",
    ]
    [dinsos] = town.texts("dinsos")
    # Way Tenong has a kelurahan: the kabupaten counts "pekon/kelurahan"
    assert "Kab. Lampung Barat: 1 dari 19 pekon/kelurahan selesai" in dinsos
    assert "• Pekon Sri Menanti: 0 dari 30 (0%)" in dinsos


async def test_people_who_did_not_consent_or_lost_their_role_get_nothing(town: Town) -> None:
    await town.person("op-no-consent", "operator", SRI_MENANTI, consent=False)
    await town.person("op-revoked", "operator", SRI_MENANTI)
    async with town.db.unit_of_work() as uow:
        await uow.people.revoke_role(town.people["op-revoked"], "operator", SRI_MENANTI, START)
    await town.deadline()
    await town.tick(wib("2026-01-20 08:00"))
    assert town.texts("op-no-consent") == town.texts("op-revoked") == []
    assert len(town.texts("op-sri")) == 1


async def test_english_speakers_get_english(town: Town) -> None:
    await town.person("op-en", "operator", SRI_MENANTI, lang="en")
    await town.deadline()
    await town.tick(wib("2026-01-26 08:00"))
    [text] = town.texts("op-en")
    assert text.splitlines()[:3] == [
        "⏰ Deadline reminder: Ekspor DTKS",
        "Due: Tuesday, 27 January 2026 at 16:00 WIB (tomorrow)",
        "Pekon Sri Menanti: 0 of 30 families done (0%)",
    ]


@pytest.mark.parametrize(
    ("province", "village", "zone", "utc_hour"),
    [
        ("52.01.01", "52.01.01.2003", "Asia/Makassar", 0),
        ("91.03.01", "91.03.01.2004", "Asia/Jayapura", 23),
    ],
)
async def test_reminders_follow_the_recipients_zone(
    database: Database,
    tmp_path: Path,
    province: str,
    village: str,
    zone: str,
    utc_hour: int,
) -> None:
    clock = FixedClock(START)
    fake = FakeChannel()
    town = Town(database, clock, _sender(database, clock, fake, tmp_path / "j"), fake)
    async with database.unit_of_work() as uow:
        await load_regions(uow, province)
    await town.person("op", "operator", village)
    due = local_instant(dt.date(2026, 1, 27), dt.time(16, 0), zone)
    await town.deadline(due_at=due, region_code=province[:5], offsets=(1,))
    eight = local_instant(dt.date(2026, 1, 26), dt.time(8, 0), zone)
    assert eight.hour == utc_hour
    await town.tick(eight - dt.timedelta(seconds=1))
    assert town.texts("op") == []
    await town.tick(eight)
    [text] = town.texts("op")
    abbreviation = "WITA" if zone == "Asia/Makassar" else "WIT"
    assert f"Selasa, 27 Januari 2026 pukul 16.00 {abbreviation} (besok)" in text
    assert "belum ada data keluarga di Kawal" in text


async def _edit(town: Town, deadline_id: int, db: Database | None = None, **changes: Any) -> None:
    async with (db or town.db).unit_of_work() as uow:
        current = await uow.deadlines.get(deadline_id)
        assert current is not None
        draft = replace(Draft.of(current), **changes)
        revision = await deadlines.update(
            uow, deadline_id, draft, by=None, channel="cli", now=town.clock.now()
        )
    assert revision is not None


async def test_two_planners_and_two_senders_deliver_every_reminder_exactly_once(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ``kawal run`` processes on one database, each with its planner and its sender,
    their clocks a few seconds apart, through a whole deadline (with a downtime)."""
    await seed(database, START)
    fake = FakeChannel()
    clocks = [FixedClock(START), FixedClock(START)]
    base = Town(database, clocks[0], _sender(database, clocks[0], fake, tmp_path / "a"), fake)
    villages = [f"18.04.19.20{n:02d}" for n in range(1, 11)]
    keys = []
    for n in range(40):
        key = f"op-{n}"
        await base.person(key, "operator" if n % 4 else "peratin", villages[n % len(villages)])
        keys.append(key)
    await base.person("camat", "camat", "18.04.19")
    await base.deadline(region_code="18.04.19", offsets=(7, 3, 1, 0))
    instants = [
        "2026-01-20 08:00",
        "2026-01-20 08:00:30",
        # down from the 20th to the 26th: T-3 missed, T-1 caught up by both at once
        "2026-01-26 09:00",
        "2026-01-26 09:00:02",
        "2026-01-27 08:00",
        "2026-01-27 16:00",
        "2026-01-27 16:00:05",
    ]
    async with peers(database, 2) as handles, contextlib.AsyncExitStack() as stack:
        senders = [_sender(handles[i], clocks[i], fake, tmp_path / f"s{i}") for i in range(2)]
        holds: HeldClaims | None = None
        if database.dialect == "postgresql":
            # each claim stays open until the other process has claimed too (SQLite has one
            # writer: its claims never overlap)
            holds = HeldClaims(await stack.enter_async_context(LockWatch(database)), monkeypatch)

        async def process(i: int) -> None:
            await plan_deadlines(handles[i], clocks[i], QUIET)
            while await senders[i].run_once():
                pass
            if holds is not None:
                holds.poke()

        for at in instants:
            clocks[0].set(wib(at))
            clocks[1].set(wib(at) + dt.timedelta(seconds=3))
            await asyncio.gather(process(0), process(1))

    received = Counter(p.to for p in fake.parts)
    assert received == {**dict.fromkeys(keys, 3), "camat": 1}  # T-7, T-1, T-0; escalation
    async with database.unit_of_work() as uow:
        counts = await uow.outbox.count_by_status("deadline:")
    assert counts == {"sent": 121, "superseded": 40}
    assert holds is None or holds.overlapped >= 1  # claims really ran side by side


@pytest.mark.parametrize("action", ["cancel", "edit"])
async def test_a_cancel_or_edit_during_a_planning_round_sees_what_the_round_planned(
    town: Town, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """Another process cancels (or renames) the deadline while a planning round has read it
    and not yet inserted its rows: the cancel waits for the round's rows and cancels them (the
    edit replans them), so no reminder of the old deadline goes out."""
    postgres_only(town.db)
    deadline_id = await town.deadline()
    town.clock.set(wib("2026-01-20 08:00"))
    reached, barrier = asyncio.Event(), asyncio.Event()
    enqueue = planner._Planner._enqueue

    async def held(self: Any, rows: list[Any]) -> int:
        if any(r.status == "pending" for r in rows) and not barrier.is_set():
            reached.set()  # the deadline is read, the reminders composed, none inserted yet
            await barrier.wait()
        return await enqueue(self, rows)

    monkeypatch.setattr(planner._Planner, "_enqueue", held)

    async def change(db: Database) -> None:
        if action == "cancel":
            async with db.unit_of_work() as uow:
                await deadlines.cancel(
                    uow, deadline_id, by=None, channel="cli", now=town.clock.now(), quiet=QUIET
                )
        else:
            await _edit(town, deadline_id, title="Ekspor DTKS (revisi)", db=db)

    async with peers(town.db, 2) as (one, two), LockWatch(town.db) as watch:
        planning = asyncio.ensure_future(plan_deadlines(one, town.clock, QUIET))
        await reached.wait()
        changing = asyncio.ensure_future(change(two))
        await watch.until_done_or_blocked(changing)  # with the lock: waits for the round
        barrier.set()
        await planning
        await changing
    monkeypatch.setattr(planner._Planner, "_enqueue", enqueue)

    await town.tick(wib("2026-01-20 08:01"))
    if action == "cancel":
        assert [town.texts(k) for k in RECIPIENTS] == [[], [], []]
        assert await town.statuses() == {"cancelled": 3}
    else:
        for key in RECIPIENTS:
            [text] = town.texts(key)
            assert text.startswith("⏰ Pengingat tenggat: Ekspor DTKS (revisi)")
        assert await town.statuses() == {"cancelled": 3, "sent": 3}
