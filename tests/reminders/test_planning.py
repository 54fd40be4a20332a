"""The reminder plan maths (reminders.planning): table tests, no database, no clock."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from handlers.kit.timing import QuietHours
from reminders.planning import (
    Step,
    catch_up,
    escalation_at,
    in_quiet_hours,
    missed,
    reminder_steps,
)

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
QUIET = QuietHours()
NO_QUIET = QuietHours.parse("off")


def local(zone: str, text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def plan(
    zone: str,
    due: str,
    offsets: tuple[int, ...] = (7, 3, 1, 0),
    at: dt.time = dt.time(8, 0),
    quiet: QuietHours = QUIET,
) -> list[str]:
    """The steps as "T-3 2027-01-24 08:00" in ``zone``'s local time."""
    steps = reminder_steps(local(zone, due), zone, offsets, at, quiet)
    return [f"{s.name} {s.at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" for s in steps]


DEFAULT_PLAN = [
    "T-7 2027-01-20 08:00",
    "T-3 2027-01-24 08:00",
    "T-1 2027-01-26 08:00",
    "T-0 2027-01-27 08:00",
]


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_default_steps_are_at_eight_local_time_in_every_zone(zone: str) -> None:
    assert plan(zone, "2027-01-27 16:00") == DEFAULT_PLAN


@pytest.mark.parametrize(
    ("zone", "utc_hour"), [(WIB, 1), (WITA, 0), (WIT, 23)]
)  # 08:00 local is 01:00, 00:00 and (the day before) 23:00 UTC
def test_the_same_local_plan_is_a_different_instant_per_zone(zone: str, utc_hour: int) -> None:
    [first, *_] = reminder_steps(local(zone, "2027-01-27 16:00"), zone, (7,), dt.time(8, 0), QUIET)
    assert first.at.hour == utc_hour
    assert first.at.astimezone(ZoneInfo(zone)).hour == 8


@pytest.mark.parametrize(
    ("zone", "due", "offsets", "at", "quiet", "expected"),
    [
        # due at 07:30: the day itself at 08:00 would be late, so it is dropped
        (
            WIB,
            "2027-01-27 07:30",
            (7, 3, 1, 0),
            dt.time(8),
            QUIET,
            ["T-7 2027-01-20 08:00", "T-3 2027-01-24 08:00", "T-1 2027-01-26 08:00"],
        ),
        # due exactly at the reminder time: at the due instant is too late as well
        (WITA, "2027-01-27 08:00", (1, 0), dt.time(8), QUIET, ["T-1 2027-01-26 08:00"]),
        # a reminder time inside the quiet hours moves to their end (07:00 the next morning)
        (
            WIB,
            "2027-01-27 16:00",
            (3, 1),
            dt.time(22, 30),
            QUIET,
            ["T-3 2027-01-25 07:00", "T-1 2027-01-27 07:00"],
        ),
        # early morning inside the quiet hours: 07:00 the same day
        (
            WIT,
            "2027-01-27 16:00",
            (1, 0),
            dt.time(5),
            QUIET,
            ["T-1 2027-01-26 07:00", "T-0 2027-01-27 07:00"],
        ),
        # two steps moved onto the same instant: the later one (closer to the due date) stays
        (
            WIB,
            "2027-01-27 16:00",
            (2, 1),
            dt.time(23),
            QuietHours.parse("21:00-07:00"),
            ["T-2 2027-01-26 07:00", "T-1 2027-01-27 07:00"],
        ),
        # a step moved past the due instant by the quiet hours is dropped
        (WIB, "2027-01-27 06:00", (1, 0), dt.time(22), QUIET, []),
        # without quiet hours nothing moves
        (WIB, "2027-01-27 23:59", (0,), dt.time(22), NO_QUIET, ["T-0 2027-01-27 22:00"]),
        # month and year ends
        (
            WITA,
            "2027-03-01 16:00",
            (7, 1),
            dt.time(8),
            QUIET,
            ["T-7 2027-02-22 08:00", "T-1 2027-02-28 08:00"],
        ),
        (WIT, "2028-01-01 10:00", (1,), dt.time(8), QUIET, ["T-1 2027-12-31 08:00"]),
        # offsets in any order, repeated: each once, in time order
        (
            WIB,
            "2027-01-27 16:00",
            (0, 7, 7),
            dt.time(9, 15),
            QUIET,
            ["T-7 2027-01-20 09:15", "T-0 2027-01-27 09:15"],
        ),
    ],
)
def test_steps(
    zone: str,
    due: str,
    offsets: tuple[int, ...],
    at: dt.time,
    quiet: QuietHours,
    expected: list[str],
) -> None:
    assert plan(zone, due, offsets, at, quiet) == expected


def test_a_due_time_near_midnight_counts_days_in_the_recipients_zone() -> None:
    # 00:30 WIT on the 27th is 23:30 WITA on the 26th: "the day itself" is a different date.
    due = local(WIT, "2027-01-27 00:30")
    wit = reminder_steps(due, WIT, (0, 1), dt.time(8), QUIET)
    wita = reminder_steps(due, WITA, (0, 1), dt.time(8), QUIET)
    assert [(s.name, f"{s.at.astimezone(ZoneInfo(WIT)):%d %H:%M}") for s in wit] == [
        ("T-1", "26 08:00")
    ]
    assert [(s.name, f"{s.at.astimezone(ZoneInfo(WITA)):%d %H:%M}") for s in wita] == [
        ("T-1", "25 08:00"),
        ("T-0", "26 08:00"),
    ]


STEPS = reminder_steps(local(WIB, "2027-01-27 16:00"), WIB, (7, 3, 1, 0), dt.time(8), QUIET)


def names(steps: tuple[Step, ...] | list[Step]) -> list[str]:
    return [s.name for s in steps]


@pytest.mark.parametrize(
    ("now", "done", "send", "supersede"),
    [
        ("2027-01-20 07:59", set(), None, []),  # nothing due yet
        ("2027-01-20 08:00", set(), "T-7", []),  # exactly on time
        ("2027-01-20 08:00", {"T-7"}, None, []),  # already planned: never twice
        ("2027-01-23 12:00", {"T-7"}, None, []),  # between two steps
        ("2027-01-24 08:01", {"T-7"}, "T-3", []),
        # down from before T-7 until after T-1: only T-1 goes out, the others are recorded
        ("2027-01-26 09:00", set(), "T-1", ["T-7", "T-3"]),
        ("2027-01-26 09:00", {"T-7"}, "T-1", ["T-3"]),
        # the latest step is planned already: older gaps are left alone
        ("2027-01-27 09:00", {"T-0"}, None, []),
        ("2027-01-27 15:59", {"T-7", "T-3", "T-1"}, "T-0", []),
        # a missed step right before the next one (the 07:00 round after the quiet hours, T-3
        # at 08:00) is not sent: T-3 goes at 08:00 and supersedes it then
        ("2027-01-24 07:00", set(), None, []),
        ("2027-01-24 06:00", set(), None, []),  # two hours before: still waits
        ("2027-01-24 05:59", set(), "T-7", []),
    ],
)
def test_catch_up(now: str, done: set[str], send: str | None, supersede: list[str]) -> None:
    decision = catch_up(STEPS, local(WIB, now), done)
    assert (decision.send.name if decision.send else None, names(decision.supersede)) == (
        send,
        supersede,
    )


def test_missed_steps_of_a_passed_occurrence_are_the_ones_without_a_row() -> None:
    assert names(missed(STEPS, {"T-7", "T-0"})) == ["T-3", "T-1"]
    assert names(missed(STEPS, {"T-7", "T-3", "T-1", "T-0"})) == []


def test_a_deadline_moved_after_reminders_went_out_is_announced_once() -> None:
    """Steps already planned for the old due time do not count for the new one: the latest
    step that has come is sent again (it carries the new date), the older ones recorded."""
    now = local(WIB, "2027-01-22 10:00")  # moved from the 27th to the 25th
    old = catch_up(STEPS, now, done={"T-7"})
    assert old.send is None
    moved = reminder_steps(local(WIB, "2027-01-25 16:00"), WIB, (7, 3, 1, 0), dt.time(8), QUIET)
    new = catch_up(moved, now, done=set())  # nothing yet for the new due instant
    assert (new.send and new.send.name, names(new.supersede)) == ("T-3", ["T-7"])


def test_an_edit_that_keeps_the_due_time_sends_nothing_again() -> None:
    """The reminder time changes from 08:00 to 09:00 at 08:30, after T-3 went out: T-3 of the
    new plan (09:00) is already done for this due time."""
    edited = reminder_steps(local(WIB, "2027-01-27 16:00"), WIB, (7, 3, 1, 0), dt.time(9), QUIET)
    decision = catch_up(edited, local(WIB, "2027-01-24 09:00"), done={"T-7", "T-3"})
    assert decision.send is None


def test_new_offsets_after_an_edit_only_add_what_has_not_come() -> None:
    edited = reminder_steps(local(WIB, "2027-01-27 16:00"), WIB, (5, 2), dt.time(8), QUIET)
    # T-5 (22nd) passed before the edit on the 23rd and was never planned: it is the latest
    # step that has come, so it goes out now; T-2 follows on the 25th.
    decision = catch_up(edited, local(WIB, "2027-01-23 10:00"), done={"T-7"})
    assert (decision.send and decision.send.name, names(decision.supersede)) == ("T-5", [])


@pytest.mark.parametrize(
    ("zone", "due", "expected"),
    [
        (WIB, "2027-01-27 16:00", "2027-01-27 16:00"),  # right away
        (WITA, "2027-01-27 23:59", "2027-01-28 07:00"),  # after the quiet hours
        (WIT, "2027-01-27 00:00", "2027-01-27 07:00"),
    ],
)
def test_escalation_waits_for_the_quiet_hours_to_end(zone: str, due: str, expected: str) -> None:
    at = escalation_at(local(zone, due), zone, QUIET)
    assert f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}" == expected


@pytest.mark.parametrize(
    ("zone", "now", "quiet", "expected"),
    [
        (WIB, "2027-01-24 20:59", QUIET, False),
        (WIB, "2027-01-24 21:00", QUIET, True),
        (WIB, "2027-01-25 06:59", QUIET, True),
        (WIB, "2027-01-25 07:00", QUIET, False),
        # 22:30 WIB is 00:30 WIT: quiet there too; 20:30 WIB is 21:30 WITA
        (WIT, "2027-01-25 00:30", QUIET, True),
        (WITA, "2027-01-24 21:30", QUIET, True),
        (WIB, "2027-01-24 23:00", NO_QUIET, False),
    ],
)
def test_in_quiet_hours_uses_the_recipients_local_time(
    zone: str, now: str, quiet: QuietHours, expected: bool
) -> None:
    assert in_quiet_hours(local(zone, now), zone, quiet) is expected
