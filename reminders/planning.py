"""The reminder plan of a deadline occurrence, for one recipient: pure maths, no I/O, no clock.

    steps = reminder_steps(due, "Asia/Jakarta", (7, 3, 1, 0), time(8, 0), QuietHours())
    decision = catch_up(steps, now, done={"T-7"})   # which step to send now, which to record

A step is "T-<days>": ``days`` before the due date, at the remind time, local time of the
recipient's region. A step inside the quiet hours moves to their end; a step at or after the due
instant is dropped (it would come too late), and so is a step landing on the same instant as a
later one. The calendar (occurrences, quiet hours, recurrence) is in :mod:`handlers.kit.timing`,
which the handlers share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.kit.timing import QuietHours

__all__ = [
    "CATCH_UP_WAIT",
    "CatchUp",
    "Step",
    "catch_up",
    "escalation_at",
    "in_quiet_hours",
    "missed",
    "reminder_steps",
    "step_name",
]


def step_name(days: int) -> str:
    return f"T-{days}"


@dataclass(frozen=True, slots=True)
class Step:
    days: int  # before the due date; 0 = the day itself
    at: dt.datetime  # UTC

    @property
    def name(self) -> str:
        return step_name(self.days)


def reminder_steps(
    due: dt.datetime,
    zone: str,
    offsets: Sequence[int],
    remind_time: dt.time,
    quiet: QuietHours,
) -> list[Step]:
    """The steps of one occurrence for a recipient in ``zone``, in time order."""
    tz = ZoneInfo(zone)
    due_date = due.astimezone(tz).date()
    by_instant: dict[dt.datetime, Step] = {}
    for days in sorted(set(offsets), reverse=True):
        local = dt.datetime.combine(due_date - dt.timedelta(days=days), remind_time, tzinfo=tz)
        at = quiet.next_allowed(local).astimezone(dt.UTC)
        if at >= due:
            continue
        by_instant[at] = Step(days, at)  # a later step on the same instant replaces an earlier
    return [by_instant[at] for at in sorted(by_instant)]


@dataclass(frozen=True, slots=True)
class CatchUp:
    send: Step | None  # the step to send now
    supersede: tuple[Step, ...]  # earlier due steps never sent: recorded, never sent


# A missed step is not sent when the next one comes this soon: the next one goes instead (the
# 07:00 catch-up after the quiet hours would otherwise be followed by the 08:00 reminder).
CATCH_UP_WAIT = dt.timedelta(hours=2)


def catch_up(steps: Sequence[Step], now: dt.datetime, done: Collection[str]) -> CatchUp:
    """What is due at ``now``: the latest step whose time has come, unless it is already
    ``done`` (has an outbox row) or the next step comes within ``CATCH_UP_WAIT``; earlier
    steps that were missed (the bot was down, the person joined late, the deadline was just
    created or moved) are superseded, not sent."""
    due = [s for s in steps if s.at <= now]
    if not due or due[-1].name in done:
        return CatchUp(None, ())
    later = [s for s in steps if s.at > now]
    if later and later[0].at - now <= CATCH_UP_WAIT:
        return CatchUp(None, ())  # wait for it: it supersedes this one then
    return CatchUp(due[-1], tuple(s for s in due[:-1] if s.name not in done))


def missed(steps: Sequence[Step], done: Collection[str]) -> tuple[Step, ...]:
    """The steps of an occurrence that has passed which never got a row: dropped."""
    return tuple(s for s in steps if s.name not in done)


def in_quiet_hours(now: dt.datetime, zone: str, quiet: QuietHours) -> bool:
    """True while ``now`` falls in the quiet hours of ``zone``: nothing is planned for a
    recipient there (a step that came earlier, e.g. missed during a downtime or passed before
    the deadline was created, waits for the next round after the quiet hours)."""
    return quiet.contains(now.astimezone(ZoneInfo(zone)).time())


def escalation_at(due: dt.datetime, zone: str, quiet: QuietHours) -> dt.datetime:
    """When unfinished villages are reported after ``due``: right away, or when the quiet
    hours of ``zone`` end."""
    return quiet.next_allowed(due.astimezone(ZoneInfo(zone))).astimezone(dt.UTC)
