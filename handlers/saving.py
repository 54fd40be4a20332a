"""Saving a completed form: the submission, the household's new state and the audit entry,
all in the caller's unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flows import Completed, Form
from handlers.context import Turn
from storage.records import FormSessionRecord

# Household columns a form question may write back through its ``prefill`` key.
HOUSEHOLD_FIELDS = frozenset({"head_name", "no_kk", "id_dtks", "address", "rt", "rw"})


def _verification_outcome(answers: dict[str, Any], changed: bool) -> str:
    if answers.get("family_status") not in (None, "ditemukan"):
        return "not_found"
    return "updated" if changed else "verified"


def _default_outcome(answers: dict[str, Any], changed: bool) -> str:
    return "updated" if changed else "verified"


# The household status a completed form leaves behind, per form id.
OUTCOMES: dict[str, Callable[[dict[str, Any], bool], str]] = {
    "verifikasi_keluarga": _verification_outcome,
}


def household_updates(form: Form, completed: Completed) -> dict[str, Any]:
    """Top-level answers that change a prefilled household column, keyed by that column."""
    by_name = {q.name: q for q in form.questions}
    updates: dict[str, Any] = {}
    for change in completed.changes:
        question = by_name.get(change.path)
        if question is not None and question.prefill in HOUSEHOLD_FIELDS:
            updates[question.prefill] = change.after
    return updates


async def save_completed(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> str:
    """Store the submission and apply it to the household; return the household's new status."""
    uow, now, person_id = turn.uow, turn.now, turn.me.person_id
    channel = turn.inbound.channel.value
    fresh = await uow.sessions.get(record.id)
    household_id = fresh.household_id if fresh else record.household_id
    household = await uow.households.get(household_id) if household_id else None
    region_code = household.region_code if household else (turn.roles()[0].region_code)
    changes = [c.model_dump(mode="json") for c in completed.changes]
    submission_id = await uow.submissions.add(
        record.id,
        person_id,
        channel,
        form.id,
        form.version,
        household_id,
        region_code,
        completed.answers,
        changes,
        now,
    )
    outcome = OUTCOMES.get(form.id, _default_outcome)
    status = outcome(completed.answers, bool(changes))
    if household is not None:
        updates = household_updates(form, completed)
        if updates:
            await uow.households.update_fields(household.id, updates, person_id, now)
        await uow.households.set_status(household.id, status, person_id, now)
    await uow.audit.add(
        "submission.saved",
        "household" if household else "submission",
        str(household.id if household else submission_id),
        now,
        person_id=person_id,
        channel=channel,
        region_code=region_code,
        before={c["path"]: c["before"] for c in changes} | {"status": household.status}
        if household
        else None,
        after={c["path"]: c["after"] for c in changes}
        | {"status": status, "submission": submission_id},
        detail=form.id,
    )
    return status
