"""Setting a deadline, whatever the surface: the context the ``tenggat`` form reads (the
officer's regions, zone, quiet hours, time; for an edit the deadline as its record), the
answers turned into a :class:`Draft`, and the checks before saving. The chat's form saver
(:mod:`handlers.deadlines.saver`) and the web console call the same functions; the console
reads each typed field with the form's own question (:func:`read_typed`), so its messages are
the chat's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from flows import Form, read_answer
from flows.dates import parse_time_of_day
from flows.host_types import local_value, monthly_day, region_example
from flows.regions import timezone_for
from flows.times import DEFAULT_OFFSETS, DEFAULT_REMIND_TIME, QuietHours, format_time, local_instant
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import (
    MANAGER_ROLES,
    Draft,
    occurrences_around,
    recurrence_of,
    zone_of,
)
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.kit.scope import composer_context
from handlers.kit.timing import Occurrence, Recurrence
from storage.repos.deadlines import DeadlineRecord

__all__ = [
    "FIELDS",
    "Typed",
    "draft_of",
    "draft_problems",
    "edit_record",
    "form_context",
    "read_typed",
]

# The form's questions, in its order.
FIELDS = ("title", "due", "repeat", "until", "region", "roles", "offsets", "time", "note")
_OPTIONAL = frozenset({"until", "note"})


def edit_record(deadline: DeadlineRecord, now: dt.datetime) -> dict[str, Any]:
    """A deadline as the form's answers: the next occurrence is shown (and edited) as its due
    time; its first due time is kept while that is not changed (:func:`draft_of`)."""
    previous, upcoming = occurrences_around(deadline, now)
    due = (upcoming or previous or Occurrence(deadline.due_at, "")).due
    recurrence = recurrence_of(deadline)
    local = due.astimezone(ZoneInfo(zone_of(deadline)))
    return {
        "title": deadline.title,
        "due": f"{local.date().isoformat()}T{format_time(local.time())}",
        "repeat": "monthly" if recurrence else "once",
        "day": recurrence.day if recurrence else local.day,
        "until": recurrence.until.isoformat() if recurrence and recurrence.until else None,
        "region": deadline.region_code,
        "roles": list(deadline.roles),
        "offsets": list(deadline.offsets),
        "time": deadline.remind_time,
        "note": deadline.note,
    }


async def form_context(
    turn: Turn, quiet: QuietHours, deadline: DeadlineRecord | None = None
) -> dict[str, Any]:
    """The ``tenggat`` form's context for a new deadline, or for editing ``deadline``."""
    if deadline is None:
        return await composer_context(turn, MANAGER_ROLES, quiet_hours=str(quiet))
    return await composer_context(
        turn,
        MANAGER_ROLES,
        quiet_hours=str(quiet),
        record=edit_record(deadline, turn.now),
        deadline_id=deadline.id,
        first_due=deadline.due_at.isoformat(),
    )


def draft_of(answers: Mapping[str, Any], context: Mapping[str, Any]) -> Draft:
    """The deadline the answers describe. The due time is local time of the chosen region (a
    kabupaten lies in one province, so every region offered has its zone). An edit shows the
    next occurrence; while that is not changed, the deadline keeps its first due time, so
    the occurrences before (and their escalations) stay."""
    record = context.get("record") or {}
    region = str(answers["region"])
    local = local_value(answers["due"])
    if local is None:  # pragma: no cover - the question type stores a local date and time
        raise ValueError(f"not a due time: {answers['due']!r}")
    due = local_instant(local.date(), local.time(), timezone_for(region))
    first = context.get("first_due")
    if isinstance(first, str) and answers["due"] == record.get("due"):
        due = dt.datetime.fromisoformat(first)
    recurrence = None
    if answers.get("repeat") == "monthly":
        day = monthly_day(answers["due"], record, "due", "day") or local.day
        until = answers.get("until")
        recurrence = Recurrence(day, dt.date.fromisoformat(until) if until else None)
    return Draft(
        title=" ".join(str(answers["title"]).split()),
        due_at=due,
        region_code=region,
        roles=tuple(answers["roles"]),
        offsets=tuple(answers.get("offsets") or DEFAULT_OFFSETS),
        remind_time=parse_time_of_day(str(answers.get("time") or "")) or DEFAULT_REMIND_TIME,
        recurrence=recurrence,
        note=str(answers.get("note") or ""),
    )


def editing_id(context: Mapping[str, Any]) -> int | None:
    """The id of the deadline being edited, None for a new one."""
    deadline_id = context.get("deadline_id")
    return deadline_id if isinstance(deadline_id, int) else None


async def draft_problems(turn: Turn, draft: Draft, context: Mapping[str, Any]) -> list[str]:
    """What stops saving ``draft`` (each with an example): the deadline's own checks, and a
    region outside the officer's area."""
    deadline_id = editing_id(context)
    before = await turn.uow.deadlines.get(deadline_id) if deadline_id is not None else None
    errors = deadlines.problems(draft, turn.now, turn.lang, before=before)
    if not turn.in_scope(draft.region_code, *MANAGER_ROLES):
        example = region_example(context, multiple=False)
        errors.append(t("dlf_region_invalid", turn.lang, text=draft.region_code, example=example))
    return errors


@dataclass
class Typed:
    """Fields typed in a page: each read by the form's question that asks for it."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # field -> the form's message


def read_typed(
    form: Form, typed: Mapping[str, str], context: Mapping[str, Any], lang: str
) -> Typed:
    """``typed`` (field -> text, roles joined by commas) read as the chat reads each answer:
    the same question types, parameters and messages. An empty optional field (the end of a
    monthly repetition, the note) is skipped like LEWATI; the end date only counts for a
    monthly deadline."""
    found = Typed()
    for name in FIELDS:
        text = typed.get(name, "").strip()
        if name in _OPTIONAL and not text:
            found.answers[name] = None
            continue
        if name == "until" and found.answers.get("repeat") != "monthly":
            found.answers[name] = None
            continue
        if name == "until" and "due" not in found.answers:
            continue  # read against the due date, which is wrong: said beside it
        parsed = read_answer(
            form, name, text, dict(context), answers=dict(found.answers), lang=lang
        )
        if parsed.error is not None:
            found.errors[name] = parsed.error
        else:
            found.answers[name] = parsed.value
    return found
