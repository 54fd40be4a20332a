"""Saving a completed form: the submission, what it changes (household, members, housing, a new
proposal, a problem report) and the audit entry, all in the caller's unit of work.

Who may go on with a form is checked on every step and once more right before saving
(:func:`lost_access`): the person's roles are read afresh with every update, so a role revoked
or moved, or a household moved to another village, closes the form without saving it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flows import Completed, Form
from handlers.kit.context import Turn
from handlers.reports import view as reports
from storage.db import UnitOfWork
from storage.records import FormSessionRecord, HouseholdRecord

# Household columns a form question may write back through its ``prefill`` key.
HOUSEHOLD_FIELDS = frozenset({"head_name", "no_kk", "id_dtks", "address", "rt", "rw"})
# Member answers stored in columns; the rest of a member's answers go to ``members.data``.
MEMBER_COLUMNS = ("name", "nik", "sex", "birth_date", "relation", "marital_status")
MEMBER_DATA = ("education", "job", "disability")
LIVES_HERE = frozenset({"tinggal", "baru"})
HOUSING_SKIP = frozenset({"notes", "programmes"})


@dataclass(frozen=True, slots=True)
class LostAccess:
    """Why a form may not go on: its region is outside the person's roles now.

    ``region_code`` is the region the form was opened for (the village, or the report's
    village), None when the session does not say; ``household_moved`` is set when the person
    still holds that region but the household now lies elsewhere (where is not told)."""

    region_code: str | None
    household_moved: bool = False


class AccessEnded(Exception):
    """Raised by :func:`save_completed` before writing anything when access has ended."""

    def __init__(self, lost: LostAccess) -> None:
        super().__init__(lost.region_code or "-")
        self.lost = lost


async def lost_access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    """None when the person may still fill in ``record``'s form, else why not.

    - choosing a household: an operator role over the village the search began in;
    - a household form: an operator role over the household's region as it is now;
    - a direct form (new proposal, problem report): an operator role over its village;
    - the answer to a problem report: a Dinsos or admin role over the report's village.

    At most one query (the household's region, or the report)."""
    state = record.state
    if state.get("stage") == "pick":
        village = state.get("region_code")
        if isinstance(village, str):
            return None if turn.in_scope(village, "operator") else LostAccess(village)
        return None if turn.roles("operator") else LostAccess(None)  # before region_code was kept
    engine = state.get("engine")
    context = engine.get("context") if isinstance(engine, dict) else None
    context = context if isinstance(context, dict) else {}
    if record.form_id == reports.REPLY_FORM:
        report_id = context.get("report_id")
        reports_repo = turn.uow.problem_reports
        report = await reports_repo.get(report_id) if isinstance(report_id, int) else None
        if report is not None and turn.in_scope(report.region_code, *reports.REPORT_ROLES):
            return None
        return LostAccess(report.region_code if report else None)
    region = context.get("region_code")
    region = region if isinstance(region, str) else None
    household_id = record.household_id or context.get("household_id")
    if isinstance(household_id, int):
        now_in = await turn.uow.households.region_of(household_id)
        if now_in is not None and turn.in_scope(now_in, "operator"):
            return None
        moved = region is not None and turn.in_scope(region, "operator")
        return LostAccess(region, household_moved=moved)
    if region is not None and turn.in_scope(region, "operator"):
        return None
    return LostAccess(region)  # fails closed: a form with neither is not this runner's


@dataclass(frozen=True, slots=True)
class Saved:
    """What saving did: the household's new status (None when no household), its id."""

    status: str | None
    household_id: int | None
    submission_id: int | None
    head_name: str = ""
    report_id: int | None = None
    message: str = ""  # what to tell the user instead of the usual "saved" line


def _verification_outcome(answers: dict[str, Any], changed: bool) -> str:
    if answers.get("family_status") not in (None, "ditemukan"):
        return "not_found"
    return "updated" if changed else "verified"


def _default_outcome(answers: dict[str, Any], changed: bool) -> str:
    return "updated" if changed else "verified"


def _proposal_outcome(answers: dict[str, Any], changed: bool) -> str:
    return "proposed"


# The household status a completed form leaves behind, per form id.
OUTCOMES: dict[str, Callable[[dict[str, Any], bool], str]] = {
    "verifikasi_keluarga": _verification_outcome,
    "anggota_keluarga": _default_outcome,
    "kondisi_rumah": _default_outcome,
    "usulan_baru": _proposal_outcome,
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


def with_missing_media(form_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """A proposal records a skipped photo or location explicitly (``photo_missing: true``)."""
    if form_id != "usulan_baru":
        return answers
    return {
        **answers,
        "photo_missing": not answers.get("house_photo"),
        "location_missing": not answers.get("location"),
    }


async def save_completed(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> Saved:
    """Store the submission and apply it; return what was saved. Raises
    :class:`AccessEnded`, having written nothing, when the person may no longer save it."""
    lost = await lost_access(turn, record)
    if lost is not None:
        raise AccessEnded(lost)
    if form.id == reports.REPLY_FORM:  # Dinsos answers a problem report: no household
        message = await reports.save_answer(turn, record, completed.answers)
        return Saved(None, None, None, message=message)
    uow, now, person_id = turn.uow, turn.now, turn.me.person_id
    channel = turn.inbound.channel.value
    fresh = await uow.sessions.get(record.id)
    household_id = fresh.household_id if fresh else record.household_id
    household = await uow.households.get(household_id) if household_id else None
    if household is not None:
        region_code = household.region_code
    else:  # a direct form: the village it was opened in (lost_access checked it, above),
        # not whichever village the person's first role names now
        region_code = str(record.state["engine"]["context"]["region_code"])
    answers = with_missing_media(form.id, completed.answers)
    changes = [c.model_dump(mode="json") for c in completed.changes]
    extra_changes = 0

    if form.id == "usulan_baru":
        household = await _create_proposal(turn, region_code, answers)
        household_id = household.id
    submission_id = await uow.submissions.add(
        record.id,
        person_id,
        channel,
        form.id,
        form.version,
        household_id,
        region_code,
        answers,
        changes,
        now,
    )
    if form.id == "lapor_kendala":
        report_id = await uow.problem_reports.add(
            person_id,
            channel,
            region_code,
            str(answers.get("category", "lainnya")),
            str(answers.get("text", "")),
            now,
            photo_ref=answers.get("screenshot"),
            submission_id=submission_id,
        )
        await uow.audit.add(
            "problem_report.created",
            "problem_report",
            str(report_id),
            now,
            person_id=person_id,
            channel=channel,
            region_code=region_code,
            after={"category": answers.get("category"), "submission": submission_id},
            detail=form.id,
        )
        await reports.notify_dinsos(turn, report_id)
        return Saved(None, None, submission_id, report_id=report_id)

    status: str | None = None
    if household is not None and form.id != "usulan_baru":
        if form.id == "anggota_keluarga":
            extra_changes = await _apply_members(turn, household, answers)
        elif form.id == "kondisi_rumah":
            extra_changes = await _apply_housing(turn, household, answers)
        elif form.id == "verifikasi_keluarga":
            await _keep_verification(turn, household, answers)
        updates = household_updates(form, completed)
        if updates:
            await uow.households.update_fields(household.id, updates, person_id, now)
        outcome = OUTCOMES.get(form.id, _default_outcome)
        status = outcome(answers, bool(changes) or extra_changes > 0)
        if form.id != "verifikasi_keluarga" and household.status in {"not_found", "updated"}:
            # Only a verification decides found / not found; an earlier update stays an update.
            status = "updated" if household.status == "updated" else household.status
        await uow.households.set_status(household.id, status, person_id, now)
    elif household is not None:
        status = household.status
    await uow.audit.add(
        "submission.saved",
        "household" if household else "submission",
        str(household.id if household else submission_id),
        now,
        person_id=person_id,
        channel=channel,
        region_code=region_code,
        before={c["path"]: c["before"] for c in changes} | {"status": household.status}
        if household and form.id != "usulan_baru"
        else None,
        after={c["path"]: c["after"] for c in changes}
        | {"status": status, "submission": submission_id},
        detail=form.id,
    )
    if household is not None:
        await uow.processing.add(
            "change",
            now,
            by=person_id,
            channel=channel,
            household_id=household.id,
            region_code=region_code,
            detail=form.id,
        )
    latest = await uow.households.get(household.id) if household else None
    return Saved(status, household_id, submission_id, head_name=latest.head_name if latest else "")


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


VERIFICATION_KEYS = ("family_status", "not_found_reason", "head_lives_here", "phone")


async def _keep_verification(
    turn: Turn, household: HouseholdRecord, answers: dict[str, Any]
) -> None:
    """The latest verification answers, kept on the household for the export."""
    data = dict(household.data or {})
    data["verification"] = {k: answers[k] for k in VERIFICATION_KEYS if k in answers}
    await turn.uow.households.update_fields(
        household.id, {"data": data}, turn.me.person_id, turn.now
    )


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
