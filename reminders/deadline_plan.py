"""The reminder plan of a deadline before it is saved: who will be reminded, and when, for its
next occurrence; the same maths as the planner (:mod:`reminders.planning`: steps at the
reminder time of the region's zone, moved out of the quiet hours, dropped at or after the due
time; missed steps caught up once) and the same recipients (active role holders in or over
the region). Nothing is written.

    plan = await plan_preview(uow, draft, now, quiet, deadline_id=12)

For an edit (``deadline_id``), a step already planned for the same due time is not sent again
(the planner counts it done), so it shows as sent.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows.regions import timezone_for
from handlers.deadlines.model import (
    DEADLINE_ROLES,
    ESCALATION_ROLES,
    Draft,
    campaign_prefix,
    campaign_what,
)
from handlers.kit.timing import QuietHours, around
from reminders.planning import catch_up, escalation_at, reminder_steps, step_name
from storage.db import UnitOfWork
from storage.records import RoleHolder

__all__ = ["PlanPreview", "PlannedStep", "plan_preview"]

# What becomes of one reminder day (``days`` before the due date).
PLANNED = "planned"  # goes out at ``at``
NEXT_ROUND = "next_round"  # its time has passed: the next planning round sends it
SENT = "sent"  # already sent for this due time (an edit): not sent again
SKIPPED = "skipped"  # its time has passed and a later day is sent instead
TOO_LATE = "too_late"  # would come at or after the due time: not sent


@dataclass(frozen=True, slots=True)
class PlannedStep:
    days: int
    at: dt.datetime | None  # UTC; None when it is not sent
    state: str
    moved: bool = False  # moved to the end of the quiet hours


@dataclass(frozen=True, slots=True)
class PlanPreview:
    due: dt.datetime  # the occurrence planned, UTC
    zone: str
    steps: tuple[PlannedStep, ...]
    recipients: tuple[tuple[str, int], ...]  # (role, people), in the form's order
    people: int  # reminded, each person once
    escalation_at: dt.datetime  # unfinished villages reported to camat and Dinsos
    escalated: int  # camat and Dinsos people told then
    quiet: QuietHours


def _count(holders: list[RoleHolder], roles: tuple[str, ...]) -> tuple[dict[str, int], int]:
    """People per role (a person once, under the first of ``roles`` they hold) and in all."""
    first: dict[int, str] = {}
    order = {role: n for n, role in enumerate(roles)}
    for holder in holders:
        held = first.get(holder.person_id)
        if held is None or order.get(holder.role, 99) < order.get(held, 99):
            first[holder.person_id] = holder.role
    return dict(Counter(first.values())), len(first)


async def plan_preview(
    uow: UnitOfWork,
    draft: Draft,
    now: dt.datetime,
    quiet: QuietHours,
    *,
    deadline_id: int | None = None,
) -> PlanPreview:
    """The plan of ``draft``'s next occurrence after ``now`` (``deadline_id``: the deadline
    it will replace)."""
    zone = timezone_for(draft.region_code)
    previous, upcoming = around(draft.due_at, zone, draft.recurrence, now)
    occurrence = upcoming or previous
    due = occurrence.due if occurrence else draft.due_at
    steps = reminder_steps(due, zone, draft.offsets, draft.remind_time, quiet)
    done: set[str] = set()
    if deadline_id is not None and occurrence is not None:
        for row in await uow.deadlines.planned(campaign_prefix(deadline_id, occurrence.key)):
            what = campaign_what(row.campaign)
            if row.status != "cancelled" and what.startswith("T-") and row.expires_at == due:
                done.add(what)
    decision = catch_up(steps, now, done)
    by_name = {s.name: s for s in steps}
    tz = ZoneInfo(zone)
    due_date = due.astimezone(tz).date()
    shown: list[PlannedStep] = []
    for days in sorted(set(draft.offsets), reverse=True):
        step = by_name.get(step_name(days))
        if step is None:
            shown.append(PlannedStep(days, None, TOO_LATE))
            continue
        wanted = dt.datetime.combine(due_date - dt.timedelta(days=days), draft.remind_time, tz)
        moved = step.at != wanted.astimezone(dt.UTC)
        if step.name in done:
            state = SENT
        elif step.at > now:
            state = PLANNED
        elif decision.send is not None and decision.send.name == step.name:
            state = NEXT_ROUND
        else:  # passed, superseded by a later day (or waiting for one within two hours)
            state = SKIPPED
        shown.append(PlannedStep(days, step.at, state, moved))
    reminded, people = _count(
        await uow.people.role_holders(draft.roles, draft.region_code), DEADLINE_ROLES
    )
    _, escalated = _count(
        await uow.people.role_holders(ESCALATION_ROLES, draft.region_code), ESCALATION_ROLES
    )
    return PlanPreview(
        due=due,
        zone=zone,
        steps=tuple(shown),
        recipients=tuple((r, reminded.get(r, 0)) for r in DEADLINE_ROLES if r in draft.roles),
        people=people,
        escalation_at=escalation_at(due, zone, quiet),
        escalated=escalated,
        quiet=quiet,
    )
