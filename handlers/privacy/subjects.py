"""The subject report and restriction of a household, for Dinsos (chat) and the CLI.

``SUBJEK 1804072704900258`` (Dinsos, in the chat: its own kabupaten only; ``kawal subject
report NIK`` on the command line: everywhere) lists every household with that NIK (or No. KK)
and, for each, every form saved about it, every time it was opened, exported, reported on or
restricted: who, when, through which channel. Each report is itself recorded. A button (or
``kawal subject restrict NIK`` / ``unrestrict``) restricts the household: it is left out of
exports, the operators' search and lists, and the progress counts, until lifted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flows.ids import mask_nik
from flows.regions import timezone_for
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import InboundKind, Option, Question, Reply, Text, Tone
from storage.db import UnitOfWork
from storage.repos.processing import ProcessingRecord
from storage.repos.subjects import SubjectChange, SubjectHousehold

SUBJECT_ROLES = ("dinsos", "admin")
PAYLOAD_PREFIX = "subj:"
CHAT_ENTRIES = 8  # per household in the chat (the CLI shows them all)
_WORD_RE = re.compile(r"^\s*/?(?:subjek|subject)\b\s*(.*)$", re.I | re.S)
_SEPARATORS_RE = re.compile(r"[\s.\-]")


@dataclass(frozen=True, slots=True)
class SubjectRequest:
    action: str  # report, restrict, unrestrict, usage
    number: str = ""  # the NIK or No. KK (report)
    household_id: int | None = None  # restrict / unrestrict (a button)


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a household's trail: what was done, when, by whom, through what."""

    at: datetime
    action: str  # change, view, export, report, restrict, unrestrict
    person_id: int | None
    channel: str
    what: str  # the form and fields changed, or the region exported


@dataclass(frozen=True, slots=True)
class Trail:
    household: SubjectHousehold
    region_name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class SubjectReport:
    number: str
    trails: tuple[Trail, ...]
    names: dict[int, str]  # who did things, by person id (a pseudonym once erased)


def digits_of(text: str) -> str:
    """A NIK or No. KK as typed (``1804 0727 0490 0258``, dots, dashes) as its digits."""
    return _SEPARATORS_RE.sub("", text)


def is_number(text: str) -> bool:
    return len(text) == 16 and text.isascii() and text.isdigit()


# ---- the use cases (chat and CLI) ----------------------------------------------------------


def _in(region_code: str, areas: Sequence[str] | None) -> bool:
    return areas is None or any(region_code == a or region_code.startswith(a + ".") for a in areas)


def _was_restricted(events: Sequence[ProcessingRecord], at: datetime) -> bool:
    state = False
    for event in events:
        if event.at > at:
            break
        if event.action in ("restrict", "unrestrict"):
            state = event.action == "restrict"
    return state


async def households_of(
    uow: UnitOfWork, number: str, areas: Sequence[str] | None
) -> list[SubjectHousehold]:
    """The households of the NIK (or No. KK) inside ``areas`` (None: everywhere)."""
    return [h for h in await uow.subjects.households_of(number) if _in(h.region_code, areas)]


async def subject_report(
    uow: UnitOfWork,
    number: str,
    *,
    areas: Sequence[str] | None,
    by: int | None,
    channel: str,
    now: datetime,
) -> SubjectReport:
    """Every record, change and export touching the NIK, household by household; the report
    is recorded against each household it covers."""
    households = await households_of(uow, number, areas)
    ids = [h.id for h in households]
    changes: dict[int, list[SubjectChange]] = {i: [] for i in ids}
    for change in await uow.subjects.changes_of(ids):
        changes[change.household_id].append(change)
    events: dict[int, list[ProcessingRecord]] = {i: [] for i in ids}
    for event in await uow.processing.for_households(ids):
        events[event.household_id or 0].append(event)
    trails = []
    people: set[int] = set()
    for household in households:
        region = await uow.regions.get(household.region_code)
        entries = [
            Entry(c.at, "change", c.person_id, c.channel, f"{c.form_id}: {', '.join(c.fields)}")
            for c in changes[household.id]
        ]
        entries += [
            Entry(e.at, e.action, e.person_id, e.channel, e.detail or "")
            for e in events[household.id]
            if e.action != "change"  # the submission above says more
        ]
        exports = await uow.processing.exports_covering(household.region_code, household.created_at)
        entries += [
            Entry(e.at, "export", e.person_id, e.channel, e.region_code or "")
            for e in exports
            if not _was_restricted(events[household.id], e.at)
        ]
        entries.sort(key=lambda e: e.at)
        people.update(e.person_id for e in entries if e.person_id is not None)
        trails.append(
            Trail(household, region.name if region else household.region_code, tuple(entries))
        )
        await uow.processing.add(
            "report",
            now,
            by=by,
            channel=channel,
            household_id=household.id,
            region_code=household.region_code,
        )
    names = await uow.subjects.names(sorted(people))
    return SubjectReport(number, tuple(trails), names)


async def set_restricted(
    uow: UnitOfWork,
    households: Sequence[SubjectHousehold],
    restricted: bool,
    *,
    by: int | None,
    channel: str,
    now: datetime,
) -> int:
    """Restrict (or lift the restriction of) the households; how many changed. Each change
    is audited and recorded."""
    ids = [h.id for h in households]
    if restricted:
        count = await uow.subjects.restrict(ids, by, now)
    else:
        count = await uow.subjects.unrestrict(ids)
    action = "restrict" if restricted else "unrestrict"
    for household in households:
        if (household.restricted_at is None) != restricted:
            continue  # already as asked
        await uow.audit.add(
            f"household.{action}ed",
            "household",
            str(household.id),
            now,
            person_id=by,
            channel=channel,
            region_code=household.region_code,
        )
        await uow.processing.add(
            action,
            now,
            by=by,
            channel=channel,
            household_id=household.id,
            region_code=household.region_code,
        )
    return count


def report_lines(
    report: SubjectReport, lang: str, *, limit: int | None = None, cli_name: str = "CLI"
) -> list[str]:
    """The report as lines (the chat shows the newest ``limit`` entries per household)."""
    lines = [t("subj_title", lang, number=mask_nik(report.number), n=len(report.trails))]
    for trail in report.trails:
        h = trail.household
        zone = timezone_for(h.region_code)
        head = t(
            "subj_household",
            lang,
            head=h.head_name,
            region=trail.region_name,
            kk=mask_nik(h.no_kk or "") or "-",
            status=h.status,
        )
        if h.restricted_at is not None:
            head += " · " + t("subj_restricted_since", lang, date=_day(h.restricted_at, zone))
        lines.append(head)
        entries = list(trail.entries)
        if limit is not None and len(entries) > limit:
            lines.append(t("subj_more", lang, n=len(entries) - limit))
            entries = entries[-limit:]
        if not entries:
            lines.append(t("subj_nothing", lang))
        for entry in entries:
            who = report.names.get(entry.person_id, "?") if entry.person_id else cli_name
            lines.append(
                t(
                    f"subj_{entry.action}",
                    lang,
                    when=_when(entry.at, zone),
                    who=who,
                    channel=entry.channel,
                    what=entry.what,
                )
            )
    return lines


def _day(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")


def _when(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y %H.%M")


# ---- the chat (Dinsos) ---------------------------------------------------------------------


def request(turn: Turn) -> SubjectRequest | None:
    """``SUBJEK <NIK>`` from Dinsos or admin, or a ``subj:`` button from anyone (refused
    later when not theirs); None for anything else (for others the word may be an answer)."""
    inbound = turn.inbound
    if inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX):
        action, _, raw = inbound.payload.removeprefix(PAYLOAD_PREFIX).partition(":")
        household = int(raw) if raw.isdecimal() and len(raw) <= 9 else None
        if action in ("r", "u") and household is not None:
            return SubjectRequest("restrict" if action == "r" else "unrestrict", "", household)
        return SubjectRequest("usage")
    if inbound.kind not in (InboundKind.TEXT, InboundKind.COMMAND):
        return None
    if not turn.roles(*SUBJECT_ROLES):
        return None
    match = _WORD_RE.match(inbound.text)
    if match is None:
        return None
    number = digits_of(match.group(1))
    return SubjectRequest("report", number) if is_number(number) else SubjectRequest("usage")


async def route(turn: Turn, asked: SubjectRequest) -> Reply:
    if not turn.roles(*SUBJECT_ROLES):
        return Reply([Text(t("subj_not_allowed", turn.lang), Tone.ERROR)])
    if asked.action == "report":
        return await _report(turn, asked.number)
    if asked.household_id is not None:
        return await _restrict(turn, asked.household_id, asked.action == "restrict")
    return Reply([Text(t("subj_usage", turn.lang), Tone.ERROR)])


async def _report(turn: Turn, number: str) -> Reply:
    lang = turn.lang
    report = await subject_report(
        turn.uow,
        number,
        areas=turn.areas(*SUBJECT_ROLES),
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    if not report.trails:
        return Reply([Text(t("subj_none", lang, number=mask_nik(number)), Tone.ERROR)])
    options = []
    for trail in report.trails[:4]:
        h = trail.household
        if h.restricted_at is None:
            label = t("subj_restrict_button", lang, head=h.head_name[:12])
            options.append(Option(f"{PAYLOAD_PREFIX}r:{h.id}", label))
        else:
            label = t("subj_unrestrict_button", lang, head=h.head_name[:12])
            options.append(Option(f"{PAYLOAD_PREFIX}u:{h.id}", label))
    lines = report_lines(report, lang, limit=CHAT_ENTRIES, cli_name=t("subj_cli", lang))
    lines.append(t("subj_hint", lang))
    return Reply([Question("\n".join(lines), tuple(options))])


async def _restrict(turn: Turn, household_id: int, restricted: bool) -> Reply:
    lang = turn.lang
    subject = await turn.uow.subjects.get(household_id)
    if subject is None or not turn.in_scope(subject.region_code, *SUBJECT_ROLES):
        return Reply([Text(t("subj_household_not_found", lang), Tone.ERROR)])
    await set_restricted(
        turn.uow,
        [subject],
        restricted,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    key = "subj_restricted" if restricted else "subj_unrestricted"
    return Reply([Text(t(key, lang, head=subject.head_name), Tone.SUCCESS)])
