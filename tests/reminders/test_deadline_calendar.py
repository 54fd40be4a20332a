"""The deadline planner over time: monthly deadlines, quiet hours, time zones, roles, and
two planners and senders at once (``tests/reminders/town.py`` holds the district)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.kit.timing import Recurrence, local_instant
from handlers.ports import FixedClock
from reminders import deadlines as planner
from reminders.deadlines import plan_deadlines
from storage.db import Database
from tests.conftest import peers
from tests.fakes.channel import FakeChannel
from tests.reminders.interleave import HeldClaims, LockWatch, postgres_only
from tests.reminders.town import (
    QUIET,
    RECIPIENTS,
    SRI_MENANTI,
    START,
    SUKANANTI,
    Town,
    edit,
    make_sender,
    seed,
    wib,
)


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
    await edit(town, deadline_id, due_at=wib("2026-02-17 16:00"), recurrence=Recurrence(17))
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
    await edit(town, deadline_id, note="Data ditarik tanggal 1.")
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
    town = Town(database, clock, make_sender(database, clock, fake, tmp_path / "j"), fake)
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


async def test_two_planners_and_two_senders_deliver_every_reminder_exactly_once(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ``kawal run`` processes on one database, each with its planner and its sender,
    their clocks a few seconds apart, through a whole deadline (with a downtime)."""
    await seed(database, START)
    fake = FakeChannel()
    clocks = [FixedClock(START), FixedClock(START)]
    base = Town(database, clocks[0], make_sender(database, clocks[0], fake, tmp_path / "a"), fake)
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
        senders = [make_sender(handles[i], clocks[i], fake, tmp_path / f"s{i}") for i in range(2)]
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
            await edit(town, deadline_id, title="Ekspor DTKS (revisi)", db=db)

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
