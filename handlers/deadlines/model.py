"""A deadline: what Dinsos describes (:class:`Draft`), its occurrences and campaigns, the
checks before saving (:func:`problems`), and creating, editing and cancelling it (the chat's
form saver and the CLI call the same functions). Who sees it and how it reads are in
:mod:`handlers.deadlines.view` and :mod:`handlers.deadlines.wording`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import parse_time_of_day
from flows.host_types import repeat_text as repeat_words
from flows.regions import (
    timezone_for,
)
from flows.times import offsets_text
from handlers.kit.dates import date_text, when_text
from handlers.kit.i18n import t
from handlers.kit.timing import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    Occurrence,
    QuietHours,
    Recurrence,
    around,
    format_time,
)
from handlers.messages import Outbound, Text, Tone, to_data
from storage.db import UnitOfWork
from storage.repos.deadlines import DeadlineRecord
from storage.repos.outbox import NewMessage, Priority

log = logging.getLogger(__name__)

# Who a deadline may remind, in the order the form offers them.
DEADLINE_ROLES = ("operator", "peratin", "camat", "dinsos")
MANAGER_ROLES = ("dinsos", "admin")
OVERSIGHT_ROLES = ("peratin", "camat", "dinsos", "admin")
ESCALATION_ROLES = ("camat", "dinsos")
# A deadline stays in views (and its escalation may still go out) this long after it passed.
RECENT = dt.timedelta(days=7)
TITLE_MAX = 80
NOTE_MAX = 300

PAYLOAD_PREFIX = "dl:"
MENU_PAYLOAD = "m:deadlines"


# ---- campaign names ----------------------------------------------------------------------------


def campaign_prefix(deadline_id: int, occurrence_key: str | None = None) -> str:
    """``deadline:12:`` (every row of the deadline) or ``deadline:12:2027-01:`` (one
    occurrence)."""
    if occurrence_key is None:
        return f"deadline:{deadline_id}:"
    return f"deadline:{deadline_id}:{occurrence_key}:"


def campaign(deadline_id: int, occurrence_key: str, revision: int, what: str) -> str:
    """``deadline:12:2027-01:r2:T-3``: ``what`` is a step (``T-3``), ``thanks``,
    ``escalation`` or ``cancelled``. The revision lets an edit replan rows it cancelled."""
    return f"{campaign_prefix(deadline_id, occurrence_key)}r{revision}:{what}"


def campaign_what(name: str) -> str:
    """The last part of a deadline campaign: ``T-3``, ``thanks``, ``escalation``..."""
    return name.rsplit(":", 1)[-1]


# ---- wording of its fields ---------------------------------------------------------------------


def roles_text(roles: Iterable[str], lang: str) -> str:
    return ", ".join(t(f"role_{r}", lang) for r in roles)


def repeat_text(recurrence: Recurrence | None, lang: str) -> str:
    """``tidak (sekali saja)``, ``setiap bulan tanggal 31 sampai <date>``: as the form's
    review says it."""
    if recurrence is None:
        return repeat_words(None, None, lang)
    return repeat_words(recurrence.day, recurrence.until, lang)


@dataclass(frozen=True, slots=True)
class Composed:
    """A proactive message: the intents, and the WhatsApp template parameters."""

    messages: list[Outbound]
    params: list[str]

    @property
    def payload(self) -> list[dict[str, Any]]:
        return to_data(self.messages)

    @property
    def template(self) -> dict[str, Any]:
        return {"kind": "reminder", "params": self.params}


def cancelled_message(deadline: DeadlineRecord, due: dt.datetime, zone: str, lang: str) -> Composed:
    when = when_text(due, zone, lang)
    text = t("deadline_cancelled_notice", lang, title=deadline.title, when=when)
    return Composed([Text(text, Tone.WARNING)], [deadline.title, when, text])


# ---- the deadline itself -------------------------------------------------------------------------


def zone_of(deadline: DeadlineRecord) -> str:
    """The deadline's own zone (its region's): its due time is local time there."""
    return timezone_for(deadline.region_code)


def recurrence_of(deadline: DeadlineRecord) -> Recurrence | None:
    return Recurrence.from_json(deadline.recurrence)


def occurrences_around(
    deadline: DeadlineRecord, now: dt.datetime
) -> tuple[Occurrence | None, Occurrence | None]:
    """The latest occurrence at or before ``now`` and the next one after it."""
    return around(deadline.due_at, zone_of(deadline), recurrence_of(deadline), now)


def remind_time_of(deadline: DeadlineRecord) -> dt.time:
    return parse_time_of_day(deadline.remind_time) or DEFAULT_REMIND_TIME


def summary_lines(
    deadline: DeadlineRecord | Draft, book_label: str, lang: str, now: dt.datetime
) -> list[str]:
    """The fields of a deadline, one per line (the form's review, the manage screen); the due
    time shown is the next occurrence after ``now`` (a monthly deadline keeps its first)."""
    draft = Draft.of(deadline) if isinstance(deadline, DeadlineRecord) else deadline
    zone = timezone_for(draft.region_code)
    return [
        f"{t('field_title', lang)}: {draft.title}",
        f"{t('field_due', lang)}: {when_text(draft.next_due(now), zone, lang)}",
        f"{t('field_repeat', lang)}: {repeat_text(draft.recurrence, lang)}",
        f"{t('field_region', lang)}: {book_label}",
        f"{t('field_roles', lang)}: {roles_text(draft.roles, lang)}",
        f"{t('field_offsets', lang)}: {draft.reminders_text(lang)}",
        f"{t('field_time', lang)}: {format_time(draft.remind_time).replace(':', '.')}",
        f"{t('field_note', lang)}: {draft.note or '-'}",
    ]


# ---- creating, editing, cancelling (the Dinsos form and the CLI) ---------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    """A deadline as Dinsos describes it; ``due_at`` is UTC (the form and the CLI read it as
    local time of the region)."""

    title: str
    due_at: dt.datetime
    region_code: str
    roles: tuple[str, ...]
    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    remind_time: dt.time = DEFAULT_REMIND_TIME
    recurrence: Recurrence | None = None
    note: str = ""

    @classmethod
    def of(cls, deadline: DeadlineRecord) -> Draft:
        return cls(
            title=deadline.title,
            due_at=deadline.due_at,
            region_code=deadline.region_code,
            roles=deadline.roles,
            offsets=deadline.offsets,
            remind_time=remind_time_of(deadline),
            recurrence=recurrence_of(deadline),
            note=deadline.note,
        )

    def next_due(self, now: dt.datetime) -> dt.datetime:
        """The first occurrence after ``now`` (the last one when all have passed)."""
        previous, upcoming = around(
            self.due_at, timezone_for(self.region_code), self.recurrence, now
        )
        return (upcoming or previous or Occurrence(self.due_at, "")).due

    def reminders_text(self, lang: str) -> str:
        """The reminder days as they will go out: ``H-7, H-3, H-1, hari H``. The day itself
        is left out (and the reason said) when the due time is not after the reminder time,
        e.g. due at 00.00 with reminders at 08.00."""
        due = self.due_at.astimezone(ZoneInfo(timezone_for(self.region_code))).time()
        late = 0 in self.offsets and due <= self.remind_time
        sent = [d for d in self.offsets if not (late and d == 0)]
        text = offsets_text(sent, lang) if sent else t("offsets_none", lang)
        if late:
            sep = "." if lang == "id" else ":"
            text += " " + t(
                "offset_zero_late",
                lang,
                due=format_time(due).replace(":", sep),
                time=format_time(self.remind_time).replace(":", sep),
            )
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "due_at": self.due_at.isoformat(),
            "region_code": self.region_code,
            "roles": list(self.roles),
            "offsets": list(self.offsets),
            "remind_time": format_time(self.remind_time),
            "recurrence": self.recurrence.to_json() if self.recurrence else None,
            "note": self.note,
        }


def problems(
    draft: Draft, now: dt.datetime, lang: str, *, before: DeadlineRecord | None = None
) -> list[str]:
    """What is wrong with ``draft`` (each with an example), empty when it can be saved. The
    region's existence and the caller's scope are checked by the caller. ``before``: the
    deadline being edited; when the draft keeps its first due time (a monthly deadline whose
    first cut-off passed long ago), one occurrence after ``now`` is enough."""
    errors: list[str] = []
    zone = timezone_for(draft.region_code)
    if not 3 <= len(draft.title.strip()) <= TITLE_MAX:
        errors.append(t("dlf_title_invalid", lang))
    kept = before is not None and draft.due_at == before.due_at
    if (draft.next_due(now) if kept else draft.due_at) <= now:
        errors.append(t("dlf_due_past", lang, now=when_text(now, zone, lang)))
    if draft.recurrence is not None and not day_matches(draft.due_at, zone, draft.recurrence):
        local = draft.due_at.astimezone(ZoneInfo(zone))
        errors.append(
            t(
                "dlf_day_mismatch",
                lang,
                date=date_text(local.date(), lang),
                day=draft.recurrence.day,
                example=aligned_example(local, draft.recurrence.day).strftime("%d-%m-%Y %H.%M"),
            )
        )
    if not draft.roles or any(r not in DEADLINE_ROLES for r in draft.roles):
        errors.append(t("dlf_roles_invalid", lang))
    if not draft.offsets or any(not 0 <= d <= 60 for d in draft.offsets):
        errors.append(t("dlf_offsets_invalid", lang))
    if draft.recurrence is not None and draft.recurrence.until is not None:
        first = draft.due_at.astimezone(ZoneInfo(zone)).date()
        if draft.recurrence.until < first:
            errors.append(t("dlf_until_before", lang, date=date_text(first, lang)))
    if len(draft.note) > NOTE_MAX:
        errors.append(t("dlf_note_invalid", lang))
    return errors


def day_matches(first_due: dt.datetime, zone: str, recurrence: Recurrence) -> bool:
    """True when the first due date falls on the recurrence day (or on the last day of a month
    shorter than it): "every month on the 31st" cannot start on the 17th."""
    local = first_due.astimezone(ZoneInfo(zone)).date()
    last = calendar.monthrange(local.year, local.month)[1]
    return local.day == min(recurrence.day, last)


def aligned_example(local: dt.datetime, day: int) -> dt.datetime:
    """The first date on ``day`` (or its month's last day) at or after ``local``, same time."""
    year, month = local.year, local.month
    if min(day, calendar.monthrange(year, month)[1]) < local.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return local.replace(year=year, month=month, day=min(day, calendar.monthrange(year, month)[1]))


def _fields(draft: Draft) -> dict[str, Any]:
    return {
        "title": draft.title.strip(),
        "region_code": draft.region_code,
        "roles": [r for r in DEADLINE_ROLES if r in draft.roles],
        "due_at": draft.due_at,
        "offsets": sorted(set(draft.offsets), reverse=True),
        "remind_time": format_time(draft.remind_time),
        "recurrence": draft.recurrence.to_json() if draft.recurrence else None,
        "note": draft.note.strip(),
    }


async def create(
    uow: UnitOfWork, draft: Draft, *, by: int | None, channel: str, now: dt.datetime
) -> int:
    """Store a new deadline (validated by the caller); the planner picks it up next round."""
    deadline_id = await uow.deadlines.add(**_fields(draft), created_by=by, now=now)
    await uow.audit.add(
        "deadline.created",
        "deadline",
        str(deadline_id),
        now,
        person_id=by,
        channel=channel,
        region_code=draft.region_code,
        after=draft.to_json(),
    )
    return deadline_id


async def update(
    uow: UnitOfWork,
    deadline_id: int,
    draft: Draft,
    *,
    by: int | None,
    channel: str,
    now: dt.datetime,
) -> int | None:
    """Replace an active deadline's fields: a new revision. The pending outbox rows of its
    coming occurrence (the old plan) are cancelled; the planner plans the new revision next
    round, and a reminder already sent for the same due time is not sent again. Rows of an
    occurrence that has passed (an escalation waiting for the morning) are left alone. The
    new revision, None if not active."""
    before = await uow.deadlines.get(deadline_id, lock=True)  # waits for a planning round
    if before is None or not before.active:
        return None
    revision = await uow.deadlines.update(deadline_id, **_fields(draft), now=now)
    if revision is None:  # pragma: no cover - cancelled by someone else in between
        return None
    _, old_next = occurrences_around(before, now)
    _, new_next = around(draft.due_at, timezone_for(draft.region_code), draft.recurrence, now)
    cancelled = 0
    for key in sorted({o.key for o in (old_next, new_next) if o is not None}):
        cancelled += await uow.outbox.cancel(campaign_prefix(deadline_id, key), now)
    await uow.audit.add(
        "deadline.updated",
        "deadline",
        str(deadline_id),
        now,
        person_id=by,
        channel=channel,
        region_code=draft.region_code,
        before=Draft.of(before).to_json(),
        after=draft.to_json(),
        detail=f"revision {revision}; {cancelled} pending messages cancelled",
    )
    return revision


async def cancel(
    uow: UnitOfWork,
    deadline_id: int,
    *,
    by: int | None,
    channel: str,
    now: dt.datetime,
    quiet: QuietHours,
) -> DeadlineRecord | None:
    """Cancel an active deadline: its pending rows are cancelled, and whoever already got a
    reminder for the coming due date is told it is off (after the quiet hours of their
    region; not at all if the due time comes first). The deadline as it was, or None."""
    deadline = await uow.deadlines.get(deadline_id, lock=True)  # waits for a planning round
    if deadline is None or not deadline.active or not await uow.deadlines.cancel(deadline_id, now):
        return None
    cancelled = await uow.outbox.cancel(campaign_prefix(deadline_id), now)
    _, upcoming = occurrences_around(deadline, now)
    told = 0
    if upcoming is not None:
        told = await _tell_cancelled(uow, deadline, upcoming, now, quiet)
    await uow.audit.add(
        "deadline.cancelled",
        "deadline",
        str(deadline_id),
        now,
        person_id=by,
        channel=channel,
        region_code=deadline.region_code,
        before=Draft.of(deadline).to_json(),
        detail=f"{cancelled} pending messages cancelled; {told} recipients told",
    )
    return deadline


_REACHED = frozenset({"sending", "sent", "delivered", "read"})


async def _tell_cancelled(
    uow: UnitOfWork,
    deadline: DeadlineRecord,
    occurrence: Occurrence,
    now: dt.datetime,
    quiet: QuietHours,
) -> int:
    planned = await uow.deadlines.planned(campaign_prefix(deadline.id, occurrence.key))
    reached = {
        p.person_id
        for p in planned
        if p.status in _REACHED and campaign_what(p.campaign).startswith("T-")
    }
    if not reached:
        return 0
    people = {
        p.person_id: p for p in await uow.people.role_holders(DEADLINE_ROLES, deadline.region_code)
    }
    zone = zone_of(deadline)
    name = campaign(deadline.id, occurrence.key, deadline.revision, "cancelled")
    messages = []
    late = 0
    for person_id in sorted(reached):
        holder = people.get(person_id)
        lang = holder.lang if holder else "id"
        their_zone = timezone_for(holder.region_code) if holder else zone
        not_before = quiet.next_allowed(now.astimezone(ZoneInfo(their_zone))).astimezone(dt.UTC)
        if not_before >= occurrence.due:
            late += 1
            continue
        composed = cancelled_message(deadline, occurrence.due, zone, lang)
        messages.append(
            NewMessage(
                name,
                "deadline",
                person_id,
                composed.payload,
                template=composed.template,
                priority=Priority.REMINDER,
                not_before=not_before,
                expires_at=occurrence.due,
            )
        )
    if late:
        log.warning(
            "deadline %s cancelled in the quiet hours: %d recipients not told, the due time "
            "%s comes before the quiet hours end",
            deadline.id,
            late,
            occurrence.due.isoformat(),
        )
    return await uow.outbox.enqueue(messages, now)
