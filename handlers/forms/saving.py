"""Saving the household forms (verification, members, housing, a new proposal): the
submission, what it changes and the audit entry, all in the caller's unit of work. Their
savers are :data:`SAVERS`; other forms' savers live with their feature.

Who may go on with a form is checked on every step and once more right before saving
(:func:`lost_access`): the person's roles are read afresh with every update, so a role revoked
or moved, or a household moved to another village, closes the form without saving it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from flows import Completed, Form
from handlers.forms.savers import AccessEnded, LostAccess, Saved, Saver
from handlers.kit.context import Turn
from storage.db import UnitOfWork
from storage.records import FormSessionRecord, HouseholdRecord

__all__ = ["SAVERS", "AccessEnded", "LostAccess", "Saved", "lost_access", "save_completed"]

# Household columns a form question may write back through its ``prefill`` key.
HOUSEHOLD_FIELDS = frozenset({"head_name", "no_kk", "id_dtks", "address", "rt", "rw"})
# Member answers stored in columns; the rest of a member's answers go to ``members.data``.
MEMBER_COLUMNS = ("name", "nik", "sex", "birth_date", "relation", "marital_status")
MEMBER_DATA = ("education", "job", "disability")
LIVES_HERE = frozenset({"tinggal", "baru"})
HOUSING_SKIP = frozenset({"notes", "programmes"})
VERIFICATION_KEYS = ("family_status", "not_found_reason", "head_lives_here", "phone")
PROPOSAL_FIELDS = (
    "house_photo",
    "location",
    "notes",
    "head_name",
    "no_kk",
    "address",
    "rt",
    "rw",
    "head_nik",
    "head_sex",
    "head_birth_date",
    "members",
)


async def lost_access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    """None when the person may still fill in ``record``'s form, else why not.

    - choosing a household: an operator role over the village the search began in;
    - a household form: an operator role over the household's region as it is now;
    - a direct form (new proposal, problem report): an operator role over its village.

    At most one query (the household's region). Forms of other features say it themselves
    (their saver's ``access``)."""
    state = record.state
    if state.get("stage") == "pick":
        village = state.get("region_code")
        if isinstance(village, str):
            return None if turn.in_scope(village, "operator") else LostAccess(village)
        return None if turn.roles("operator") else LostAccess(None)  # before region_code was kept
    engine = state.get("engine")
    context = engine.get("context") if isinstance(engine, dict) else None
    context = context if isinstance(context, dict) else {}
    region = context.get("region_code")
    region = region if isinstance(region, str) else None
    household_id = record.household_id or context.get("household_id")
    if isinstance(household_id, int):
        if household_id == record.household_id and record.household_region is not None:
            now_in: str | None = record.household_region  # read with the session
        else:
            now_in = await turn.uow.households.region_of(household_id)
        if now_in is not None and turn.in_scope(now_in, "operator"):
            return None
        moved = region is not None and turn.in_scope(region, "operator")
        return LostAccess(region, household_moved=moved)
    if region is not None and turn.in_scope(region, "operator"):
        return None
    return LostAccess(region)  # fails closed: a form with neither is not this runner's


def _verification_outcome(answers: dict[str, Any], changed: bool) -> str:
    if answers.get("family_status") not in (None, "ditemukan"):
        return "not_found"
    return "updated" if changed else "verified"


def _default_outcome(answers: dict[str, Any], changed: bool) -> str:
    return "updated" if changed else "verified"


def household_updates(form: Form, completed: Completed) -> dict[str, Any]:
    """Top-level answers that change a prefilled household column, keyed by that column."""
    by_name = {q.name: q for q in form.questions}
    updates: dict[str, Any] = {}
    for change in completed.changes:
        question = by_name.get(change.path)
        if question is not None and question.prefill in HOUSEHOLD_FIELDS:
            updates[question.prefill] = change.after
    return updates


Apply = Callable[[Turn, HouseholdRecord, dict[str, Any]], Awaitable[int]]
Outcome = Callable[[dict[str, Any], bool], str]


async def add_submission(
    turn: Turn,
    record: FormSessionRecord,
    form: Form,
    completed: Completed,
    household_id: int | None,
    region_code: str,
    answers: dict[str, Any] | None = None,
) -> int:
    """Store the submission of ``completed`` (with ``answers`` when they were added to),
    having checked once more, before writing anything, that the person may still save it
    (:class:`AccessEnded` if not)."""
    lost = await lost_access(turn, record)
    if lost is not None:
        raise AccessEnded(lost)
    return await turn.uow.submissions.add(
        record.id,
        turn.me.person_id,
        turn.inbound.channel.value,
        form.id,
        form.version,
        household_id,
        region_code,
        completed.answers if answers is None else answers,
        [c.model_dump(mode="json") for c in completed.changes],
        turn.now,
    )


async def _audit_saved(
    turn: Turn,
    form: Form,
    household: HouseholdRecord,
    changes: list[dict[str, Any]],
    submission_id: int,
    status: str,
    before: str | None = None,
) -> None:
    """The audit entry of a saved household form: each change, the status before (none for
    a new proposal) and after."""
    await turn.uow.audit.add(
        "submission.saved",
        "household",
        str(household.id),
        turn.now,
        person_id=turn.me.person_id,
        channel=turn.inbound.channel.value,
        region_code=household.region_code,
        before=None
        if before is None
        else {c["path"]: c["before"] for c in changes} | {"status": before},
        after={c["path"]: c["after"] for c in changes}
        | {"status": status, "submission": submission_id},
        detail=form.id,
    )
    await processed(turn, "change", household, form.id)


async def processed(turn: Turn, what: str, household: HouseholdRecord, form_id: str) -> None:
    """A record of processing (the privacy log): the person's ``what`` ("view": the household
    card opened, "change": a form saved) on ``household`` through ``form_id``."""
    await turn.uow.processing.add(
        what,
        turn.now,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        household_id=household.id,
        region_code=household.region_code,
        detail=form_id,
    )


def opened_in(record: FormSessionRecord) -> str:
    """The village a direct form was opened in (its access is checked against it), not
    whichever village the person's first role names now."""
    return str(record.state["engine"]["context"]["region_code"])


def _household_saver(form_id: str, fields: set[str], apply: Apply, outcome: Outcome) -> Saver:
    async def save(
        turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
    ) -> Saved:
        return await save_completed(turn, record, form, completed, apply, outcome)

    return Saver(form_id, frozenset(fields), save)


async def _nothing(turn: Turn, household: HouseholdRecord, answers: dict[str, Any]) -> int:
    return 0


async def save_completed(
    turn: Turn,
    record: FormSessionRecord,
    form: Form,
    completed: Completed,
    apply: Apply = _nothing,
    outcome: Outcome = _default_outcome,
) -> Saved:
    """Store the submission of a household form, ``apply`` it to the household (returns how
    many changes it made beyond the prefilled answers) and set the status ``outcome`` says.
    Raises :class:`AccessEnded`, having written nothing, when the person may no longer save."""
    uow, now, person_id = turn.uow, turn.now, turn.me.person_id
    fresh = await uow.sessions.get(record.id)
    household_id = fresh.household_id if fresh else record.household_id
    household = await uow.households.get(household_id) if household_id else None
    if household is None:  # pragma: no cover - a household form always has its household
        lost = await lost_access(turn, record)
        raise AccessEnded(lost) if lost else LookupError(f"session {record.id}: no household")
    answers = completed.answers
    changes = [c.model_dump(mode="json") for c in completed.changes]
    submission_id = await add_submission(
        turn, record, form, completed, household.id, household.region_code
    )
    extra_changes = await apply(turn, household, answers)
    updates = household_updates(form, completed)
    if updates:
        await uow.households.update_fields(household.id, updates, person_id, now)
    status = outcome(answers, bool(changes) or extra_changes > 0)
    if outcome is not _verification_outcome and household.status in {"not_found", "updated"}:
        # Only a verification decides found / not found; an earlier update stays an update.
        status = "updated" if household.status == "updated" else household.status
    await uow.households.set_status(household.id, status, person_id, now)
    await _audit_saved(
        turn, form, household, changes, submission_id, status, before=household.status
    )
    latest = await uow.households.get(household.id)
    return Saved(status, household.id, submission_id, head_name=latest.head_name if latest else "")


async def _save_proposal(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> Saved:
    """A new proposal: a household of its own (status ``proposed``), with the submission.
    A skipped photo or location is recorded explicitly (``photo_missing: true``)."""
    lost = await lost_access(turn, record)
    if lost is not None:
        raise AccessEnded(lost)
    region_code = opened_in(record)
    answers = {
        **completed.answers,
        "photo_missing": not completed.answers.get("house_photo"),
        "location_missing": not completed.answers.get("location"),
    }
    changes = [c.model_dump(mode="json") for c in completed.changes]
    household = await _create_proposal(turn, region_code, answers)
    submission_id = await add_submission(
        turn, record, form, completed, household.id, region_code, answers
    )
    await _audit_saved(turn, form, household, changes, submission_id, household.status)
    return Saved(household.status, household.id, submission_id, head_name=household.head_name)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


async def _apply_members(turn: Turn, household: HouseholdRecord, answers: dict[str, Any]) -> int:
    """Apply the member blocks (same order as the prefill); returns how many were added."""
    items = answers.get("members")
    if not isinstance(items, list):
        return 0
    existing = list(household.members)
    position = max((m.position for m in existing), default=0)
    added = 0
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        if index < len(existing):
            member = existing[index]
            presence = str(item.get("presence") or member.presence)
            fields: dict[str, Any] = {"presence": presence}
            if presence in LIVES_HERE:
                fields.update(_member_fields(item))
                fields["data"] = {**(member.data or {}), **_member_data(item)}
            await turn.uow.households.update_member(member.id, fields)
            name = str(fields.get("name", member.name))
            is_head = fields.get("relation", member.relation) == "kepala_keluarga"
            if is_head and presence in LIVES_HERE and name != household.head_name:
                await turn.uow.households.update_fields(
                    household.id, {"head_name": name}, turn.me.person_id, turn.now
                )
            continue
        if str(item.get("presence") or "baru") not in LIVES_HERE:
            continue  # a "new" member who is not here: nothing to add
        position += 1
        added += 1
        await _add_new_member(turn.uow, household.id, position, item, _member_data(item))
    return added


def _member_fields(item: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in MEMBER_COLUMNS:
        if name in item:
            fields[name] = _date(item[name]) if name == "birth_date" else item[name]
    return fields


def _member_data(item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in MEMBER_DATA if name in item}


async def _keep_verification(
    turn: Turn, household: HouseholdRecord, answers: dict[str, Any]
) -> int:
    """The latest verification answers, kept on the household for the export (no change
    beyond the answers themselves: 0)."""
    data = dict(household.data or {})
    data["verification"] = {k: answers[k] for k in VERIFICATION_KEYS if k in answers}
    await turn.uow.households.update_fields(
        household.id, {"data": data}, turn.me.person_id, turn.now
    )
    return 0


async def _apply_housing(turn: Turn, household: HouseholdRecord, answers: dict[str, Any]) -> int:
    """Store the housing answers; 1 when they differ from what the household had (first survey
    included), else 0."""
    data = dict(household.data or {})
    before = (data.get("housing"), data.get("programmes"))
    data["housing"] = {k: v for k, v in answers.items() if k not in HOUSING_SKIP}
    if "programmes" in answers:
        data["programmes"] = answers["programmes"]
    await turn.uow.households.update_fields(
        household.id, {"data": data}, turn.me.person_id, turn.now
    )
    return int(before != (data["housing"], data.get("programmes")))


async def _create_proposal(
    turn: Turn, region_code: str, answers: dict[str, Any]
) -> HouseholdRecord:
    uow = turn.uow
    proposal = {
        "house_photo": answers.get("house_photo"),
        "location": answers.get("location"),
        "photo_missing": answers["photo_missing"],
        "location_missing": answers["location_missing"],
        "notes": answers.get("notes"),
        "proposed_by": turn.me.person_id,
    }
    household_id = await uow.households.add(
        region_code,
        str(answers.get("head_name", "-")),
        answers.get("no_kk"),
        None,
        str(answers.get("address", "")),
        str(answers.get("rt", "")).zfill(3) if answers.get("rt") else "",
        str(answers.get("rw", "")).zfill(3) if answers.get("rw") else "",
        status="proposed",
        source="proposal",
        data={"proposal": proposal},
        now=turn.now,
    )
    await uow.households.add_member(
        household_id,
        1,
        str(answers.get("head_name", "-")),
        answers.get("head_nik"),
        "kepala_keluarga",
        answers.get("head_sex"),
        _date(answers.get("head_birth_date")),
        presence="baru",
    )
    for position, item in enumerate(answers.get("members") or [], start=2):
        await _add_new_member(uow, household_id, position, item)
    created = await uow.households.get(household_id)
    if created is None:  # pragma: no cover - inserted just above in the same transaction
        raise LookupError(household_id)
    return created


async def _add_new_member(
    uow: UnitOfWork,
    household_id: int,
    position: int,
    item: dict[str, Any],
    data: dict[str, Any] | None = None,
) -> int:
    """Add a member given in a form's repeat item as a new member ("baru") of the household."""
    values = _member_fields(item)
    return await uow.households.add_member(
        household_id,
        position,
        str(values.get("name") or "-"),
        values.get("nik"),
        str(values.get("relation") or "lainnya"),
        values.get("sex"),
        values.get("birth_date"),
        marital_status=values.get("marital_status"),
        presence="baru",
        data=data,
    )


def _members_of(repeat: str, names: tuple[str, ...]) -> set[str]:
    return {repeat, *(f"{repeat}.{name}" for name in names)}


SAVERS: tuple[Saver, ...] = (
    _household_saver(
        "verifikasi_keluarga", set(VERIFICATION_KEYS), _keep_verification, _verification_outcome
    ),
    _household_saver(
        "anggota_keluarga",
        _members_of("members", ("presence", *MEMBER_COLUMNS, *MEMBER_DATA)),
        _apply_members,
        _default_outcome,
    ),
    _household_saver("kondisi_rumah", set(HOUSING_SKIP), _apply_housing, _default_outcome),
    Saver(
        "usulan_baru",
        frozenset({*PROPOSAL_FIELDS, *_members_of("members", MEMBER_COLUMNS)}),
        _save_proposal,
    ),
)
