"""Warnings before the review of a household form: the No. KK or a NIK in the answers is
already registered for another family. Named only inside the operator's own kabupaten; each
number typed (not the household's own) costs one look-up, at most so many an hour per person."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import flows
from flows import Say, Session
from flows.ids import mask_nik
from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.kit.i18n import t, tn
from storage.records import FormSessionRecord

__all__ = ["DUPLICATE_BUCKET", "DUPLICATE_CHECKS_PER_HOUR", "duplicate_warnings"]

log = logging.getLogger(__name__)

# Duplicate No. KK / NIK look-ups: a throttle bucket per person (each typed number looked up
# for the first time in a form counts once), at most this many an hour unless configured.
DUPLICATE_BUCKET = "dupcheck"
DUPLICATE_CHECKS_PER_HOUR = 60
_HOUR = timedelta(hours=1)


def _niks(answers: dict[str, Any]) -> list[str]:
    found = [answers.get("head_nik")]
    for item in answers.get("members") or []:
        if isinstance(item, dict) and item.get("presence", "tinggal") in {"tinggal", "baru"}:
            found.append(item.get("nik"))
    return [n for n in found if isinstance(n, str) and n and not n.startswith("99999999")]


def _kabupaten(region_code: str) -> str:
    """The kabupaten/kota of a region: "18.04" for "18.04.19.2006"."""
    return ".".join(region_code.split(".")[:2])


def _prefilled(context: dict[str, Any]) -> set[str]:
    """The No. KK and NIKs the form started with: the household's own, already in scope."""
    record = context.get("record") or {}
    found = {record.get("no_kk")}
    found.update(m.get("nik") for m in record.get("members") or [] if isinstance(m, dict))
    return {value for value in found if isinstance(value, str) and value}


async def duplicate_warnings(
    turn: Turn, record: FormSessionRecord, session: Session, limit: int
) -> tuple[list[flows.Event], list[str]]:
    """A warning before the review for the No. KK and every NIK already registered in another
    household, and the numbers typed in this form that were looked up so far.

    The review itself is the confirmation: the operator corrects the answer by its number or
    saves anyway. Only households in the form's kabupaten are named: one in the same village
    with the NIK and the person, one in another village with the village only and the NIK
    masked. A number registered outside the kabupaten is not revealed: the warning says only
    that it may be registered elsewhere and to ask Dinsos. Numbers the operator typed (not the
    household's own, prefilled) cost one look-up each the first time in a form, at most
    ``limit`` an hour; past it the check is skipped and the operator told so."""
    answers, context = session.answers, session.context
    household_id = record.household_id or context.get("household_id")
    region = context.get("region_code")
    if not isinstance(region, str) or not is_region_code(region):
        return [], []
    kabupaten = _kabupaten(region)
    prefilled = _prefilled(context)
    looked_up: list[str] = list(record.state.get("looked_up") or [])
    wanted: list[tuple[str, str]] = []
    no_kk = answers.get("no_kk")
    if isinstance(no_kk, str) and no_kk:
        wanted.append(("kk", no_kk))
    wanted += [("nik", nik) for nik in dict.fromkeys(_niks(answers))]
    new = [value for _, value in wanted if value not in prefilled and value not in looked_up]
    person = str(turn.me.person_id)
    used = await turn.uow.throttle.count(DUPLICATE_BUCKET, person, turn.now - _HOUR) if new else 0
    warnings: list[flows.Event] = []
    skipped = False
    for kind, value in wanted:
        if value in new:
            if used >= limit:
                skipped = True
                continue
            await turn.uow.throttle.add(DUPLICATE_BUCKET, person, turn.now)
            used += 1
            looked_up.append(value)
        exclude = household_id if isinstance(household_id, int) else None
        if kind == "kk":
            text = await _kk_warning(turn, value, kabupaten, exclude)
        else:
            text = await _nik_warning(turn, value, kabupaten, exclude)
        if text:
            warnings.append(Say(text=text, tone="warning"))
    if skipped:
        log.warning(
            "duplicate check skipped for person %s: %d look-ups in the last hour", person, used
        )
        warnings.append(
            Say(text=tn("dup_check_skipped", limit, turn.lang, limit=limit), tone="warning")
        )
    return warnings, looked_up


async def _kk_warning(turn: Turn, no_kk: str, kabupaten: str, exclude: int | None) -> str:
    households = turn.uow.households
    for other in await households.find_by_kk(no_kk, kabupaten):
        if other.id != exclude:
            where = await _village_name(turn, other.region_code)
            shown = no_kk if turn.in_scope(other.region_code) else mask_nik(no_kk)
            return t("dup_kk", turn.lang, kk=shown, village=where)
    if await households.kk_outside(no_kk, kabupaten, exclude):
        return t("dup_kk_outside", turn.lang, kk=mask_nik(no_kk))
    return ""


async def _nik_warning(turn: Turn, nik: str, kabupaten: str, exclude: int | None) -> str:
    households = turn.uow.households
    hits = [
        h for h in await households.find_members_by_nik(nik, kabupaten) if h.household_id != exclude
    ]
    if hits:
        hit = hits[0]
        where = await _village_name(turn, hit.region_code)
        here = turn.in_scope(hit.region_code)
        shown = nik if here else mask_nik(nik)
        key = "dup_nik_here" if here else "dup_nik_elsewhere"
        return t(key, turn.lang, nik=shown, village=where, name=hit.member.name)
    if await households.nik_outside(nik, kabupaten, exclude):
        return t("dup_nik_outside", turn.lang, nik=mask_nik(nik))
    return ""


async def _village_name(turn: Turn, code: str) -> str:
    region = await turn.uow.regions.get(code)
    return region.name if region else code
