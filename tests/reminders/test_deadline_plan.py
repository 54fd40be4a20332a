"""The reminder plan shown before a deadline is saved (``reminders/deadline_plan.py``): the
planner's steps and catch-up, the recipients counted once each, the escalation after the
quiet hours (SQLite and PostgreSQL; the town of ``tests/reminders/town.py``, 15 January 2026,
10.30 WIB)."""

from __future__ import annotations

import datetime as dt

from flows.times import local_instant
from handlers.deadlines.model import Draft
from handlers.kit.timing import QuietHours
from reminders.deadline_plan import (
    NEXT_ROUND,
    PLANNED,
    SKIPPED,
    TOO_LATE,
    plan_preview,
)
from tests.reminders.town import SRI_MENANTI, START, Town

QUIET = QuietHours()  # 21:00-07:00
WIB = "Asia/Jakarta"


def _draft(day: int, at: dt.time, offsets: tuple[int, ...], **changed: object) -> Draft:
    fields: dict[str, object] = {
        "title": "Musdes",
        "due_at": local_instant(dt.date(2026, 1, day), at, WIB),
        "region_code": "18.04.19",
        "roles": ("operator", "peratin"),
        "offsets": offsets,
    }
    fields.update(changed)
    return Draft(**fields)  # type: ignore[arg-type]


def _local(at: dt.datetime | None) -> str:
    assert at is not None
    return at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime("%d %H:%M")


async def test_days_already_passed_are_caught_up_once(town: Town) -> None:
    draft = _draft(20, dt.time(16, 0), (14, 7, 3, 0, 10))
    async with town.db.unit_of_work() as uow:
        plan = await plan_preview(uow, draft, START, QUIET)
    shown = [(s.days, s.state) for s in plan.steps]
    # H-14 (6th) and H-10 (10th) are superseded by H-7 (13th), sent by the next round.
    assert shown == [(14, SKIPPED), (10, SKIPPED), (7, NEXT_ROUND), (3, PLANNED), (0, PLANNED)]
    assert [_local(s.at) for s in plan.steps[2:]] == ["13 08:00", "17 08:00", "20 08:00"]
    assert plan.recipients == (("operator", 1), ("peratin", 1))  # Sukananti is elsewhere
    assert plan.people == 2
    assert plan.escalated == 2  # the camat of Air Hitam and Dinsos
    assert _local(plan.escalation_at) == "20 16:00"


async def test_the_quiet_hours_move_a_step_and_the_escalation(town: Town) -> None:
    draft = _draft(20, dt.time(23, 0), (1, 0), remind_time=dt.time(22, 0))
    async with town.db.unit_of_work() as uow:
        plan = await plan_preview(uow, draft, START, QUIET)
    assert [(s.days, s.state, s.moved) for s in plan.steps] == [
        (1, PLANNED, True),  # 22.00 on the 19th moves to 07.00 on the 20th
        (0, TOO_LATE, False),  # 22.00 on the 20th would move to 07.00 on the 21st: too late
    ]
    assert _local(plan.steps[0].at) == "20 07:00"
    assert _local(plan.escalation_at) == "21 07:00"


async def test_a_village_deadline_counts_its_own_people(town: Town) -> None:
    draft = _draft(20, dt.time(16, 0), (3,), region_code=SRI_MENANTI, roles=("peratin", "camat"))
    async with town.db.unit_of_work() as uow:
        plan = await plan_preview(uow, draft, START, QUIET)
    assert plan.recipients == (("peratin", 1), ("camat", 1))
    assert plan.people == 2
