"""The saver of the ``tenggat`` form (``flows/forms/tenggat.yaml``): a new deadline, or a new
revision of the one being edited. Who may go on: a Dinsos or admin role, and for an edit one
over the deadline's region; a deadline cancelled meanwhile is told at saving."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flows import Completed, Form
from flows.dates import parse_time_of_day
from flows.host_types import local_value, monthly_day, region_example
from flows.regions import timezone_for
from flows.times import DEFAULT_OFFSETS, DEFAULT_REMIND_TIME, dotted, local_instant
from handlers.deadlines import model as deadlines
from handlers.deadlines import view
from handlers.deadlines.model import MANAGER_ROLES, Draft
from handlers.forms.savers import LostAccess, Saved, Saver, engine_state
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.kit.timing import Recurrence
from handlers.messages import Text, Tone
from storage.records import FormSessionRecord

__all__ = ["FORM_ID", "SAVERS", "draft_of"]

FORM_ID = "tenggat"
FIELDS = frozenset(
    {"title", "due", "repeat", "until", "region", "roles", "offsets", "time", "note"}
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


def _editing(context: Mapping[str, Any]) -> int | None:
    deadline_id = context.get("deadline_id")
    return deadline_id if isinstance(deadline_id, int) else None


async def _access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    context, answers = engine_state(record)
    region = answers.get("region")
    if turn.roles(*MANAGER_ROLES):
        deadline_id = _editing(context)
        if deadline_id is None:
            return None
        deadline = await turn.uow.deadlines.get(deadline_id)
        if deadline is None or turn.in_scope(deadline.region_code, *MANAGER_ROLES):
            return None
        region = deadline.region_code
    return LostAccess(region if isinstance(region, str) else None)


async def _check(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> list[str]:
    context, _ = engine_state(record)
    draft = draft_of(completed.answers, context)
    deadline_id = _editing(context)
    before = await turn.uow.deadlines.get(deadline_id) if deadline_id is not None else None
    errors = deadlines.problems(draft, turn.now, turn.lang, before=before)
    if not turn.in_scope(draft.region_code, *MANAGER_ROLES):
        example = region_example(context, multiple=False)
        errors.append(t("dlf_region_invalid", turn.lang, text=draft.region_code, example=example))
    return errors


async def _save(turn: Turn, record: FormSessionRecord, form: Form, completed: Completed) -> Saved:
    context, _ = engine_state(record)
    draft = draft_of(completed.answers, context)
    channel, lang = turn.inbound.channel.value, turn.lang
    deadline_id = _editing(context)
    if deadline_id is not None:
        revision = await deadlines.update(
            turn.uow, deadline_id, draft, by=turn.me.person_id, channel=channel, now=turn.now
        )
        if revision is None:  # cancelled meanwhile
            return Saved(None, None, None, messages=tuple(view.not_found(turn).messages))
        text = t("dlf_saved_edit", lang, title=draft.title)
    else:
        deadline_id = await deadlines.create(
            turn.uow, draft, by=turn.me.person_id, channel=channel, now=turn.now
        )
        text = t(
            "dlf_saved_new",
            lang,
            id=deadline_id,
            title=draft.title,
            offsets=draft.reminders_text(lang),
            time=dotted(draft.remind_time),
        )
    listing = (await view.show(turn)).messages
    return Saved(None, None, None, messages=(Text(text, Tone.SUCCESS), *listing))


SAVERS: tuple[Saver, ...] = (Saver(FORM_ID, FIELDS, _save, check=_check, access=_access),)
