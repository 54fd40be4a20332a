"""The deadline planner with a real database, an injected clock and the fake channel: the
planner enqueues, ``OutboxSender.run_once()`` sends. Nothing sleeps."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from handlers.deadlines import model as deadlines
from handlers.kit.timing import Recurrence
from reminders.deadlines import plan_deadlines
from tests.reminders.town import (
    DUE,
    QUIET,
    RECIPIENTS,
    SRI_MENANTI,
    START,
    SUKANANTI,
    Town,
    edit,
    sent_question,
    wib,
)


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

    operator = await sent_question(town, "op-sri")
    assert operator.text == (
        "⏰ Pengingat tenggat: Ekspor DTKS\n"
        "Batas: Selasa, 27 Januari 2026 pukul 16.00 WIB (3 hari lagi)\n"
        "Pekon Sri Menanti: 12 dari 30 keluarga sudah didata (40%)\n"
        "Tinggal 18 keluarga lagi.\n"
        "Catatan: Ekspor lewat menu Data Final."
    )
    assert [(o.value, o.label) for o in operator.options] == [("m:pending", "Daftar keluarga")]
    peratin = await sent_question(town, "peratin-sri")
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
    await edit(town, deadline_id, title="Ekspor DTKS tahap 1", remind_time=dt.time(9, 0))
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
    await edit(town, deadline_id, due_at=wib("2026-01-25 12:00"))
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
    await edit(town, deadline_id, due_at=wib("2026-01-27 20:00"))
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
    await edit(town, deadline_id, title="Ekspor DTKS (revisi)")
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
