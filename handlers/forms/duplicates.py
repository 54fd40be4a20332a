"""A No. KK or NIK already registered for another family of the same village, said at the
question where it was typed (issue 17: not at the summary, twelve answers later). Nothing is
said about other villages. Each number typed (not the household's own) costs one look-up, at
most so many an hour per person."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flows import Form, Session
from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from storage.records import FormSessionRecord

__all__ = ["DUPLICATE_BUCKET", "DUPLICATE_CHECKS_PER_HOUR", "Duplicate", "duplicate_at"]

log = logging.getLogger(__name__)

# Duplicate No. KK / NIK look-ups: a throttle bucket per person (each typed number looked up
# for the first time in a form counts once), at most this many an hour unless configured.
DUPLICATE_BUCKET = "dupcheck"
DUPLICATE_CHECKS_PER_HOUR = 60
_HOUR = timedelta(hours=1)


def _prefilled(context: dict[str, Any]) -> set[str]:
    """The No. KK and NIKs the form started with: the household's own, already in scope."""
    record = context.get("record") or {}
    found = {record.get("no_kk")}
    found.update(m.get("nik") for m in record.get("members") or [] if isinstance(m, dict))
    return {value for value in found if isinstance(value, str) and value}


def _numbers(form: Form, session: Session) -> dict[str, tuple[str, str]]:
    """Every No. KK / NIK answer of the session: path -> (kind, value)."""
    out: dict[str, tuple[str, str]] = {}
    for q in form.questions:
        if q.type in {"kk", "nik"} and isinstance(v := session.answers.get(q.name), str):
            out[q.name] = (q.type, v)
        if q.type != "repeat":
            continue
        for i, item in enumerate(session.answers.get(q.name) or []):
            for sub in q.questions or []:
                value = item.get(sub.name) if isinstance(item, dict) else None
                if sub.type in {"kk", "nik"} and isinstance(value, str):
                    out[f"{q.name}.{i}.{sub.name}"] = (sub.type, value)
    return out


@dataclass(frozen=True, slots=True)
class Duplicate:
    path: str
    value: str
    text: str


async def duplicate_at(
    turn: Turn,
    record: FormSessionRecord,
    form: Form,
    before: Session,
    after: Session,
    limit: int,
) -> tuple[Duplicate | None, list[str], bool]:
    """The No. KK or NIK answered in this step when another household of the form's village
    already has it (said at that question), and the typed numbers looked up so far.

    Only the village the form is for is searched, and nothing is said about other villages.
    Each typed number (not the household's own) is looked up once per form, at most ``limit``
    an hour per person; past it the check is skipped and logged (the third value: skipped)."""
    looked_up: list[str] = list(record.state.get("looked_up") or [])
    context = after.context
    region = context.get("region_code")
    if not isinstance(region, str) or not is_region_code(region):
        return None, looked_up, False
    old = _numbers(form, before)
    prefilled = _prefilled(context)
    fresh = [
        (path, kind, value)
        for path, (kind, value) in _numbers(form, after).items()
        if old.get(path) != (kind, value)
        and value not in prefilled
        and value not in looked_up
        and not value.startswith("99999999")
    ]
    if not fresh:
        return None, looked_up, False
    person = str(turn.me.person_id)
    used = await turn.uow.throttle.count(DUPLICATE_BUCKET, person, turn.now - _HOUR)
    household_id = record.household_id or context.get("household_id")
    exclude = household_id if isinstance(household_id, int) else None
    for path, kind, value in fresh:
        if used >= limit:
            log.warning(
                "duplicate check skipped for person %s: %d look-ups in the last hour", person, used
            )
            return None, looked_up, True
        await turn.uow.throttle.add(DUPLICATE_BUCKET, person, turn.now)
        used += 1
        looked_up.append(value)
        text = await (_kk_here if kind == "kk" else _nik_here)(turn, value, region, exclude)
        if text:
            return Duplicate(path, value, text), looked_up, False
    return None, looked_up, False


async def _kk_here(turn: Turn, no_kk: str, village: str, exclude: int | None) -> str:
    for other in await turn.uow.households.find_by_kk(no_kk, village):
        if other.id != exclude:
            return t("dup_kk_at", turn.lang, kk=no_kk, head=other.head_name)
    return ""


async def _nik_here(turn: Turn, nik: str, village: str, exclude: int | None) -> str:
    for hit in await turn.uow.households.find_members_by_nik(nik, village):
        if hit.household_id != exclude:
            return t("dup_nik_at", turn.lang, nik=nik, name=hit.member.name)
    return ""
