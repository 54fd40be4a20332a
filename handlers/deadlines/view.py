"""Deadlines: what each person sees (``/tenggat``), what Dinsos does with them (create, edit,
cancel: also used by the CLI), and the wording of reminders, thank-yous and escalations (used
by the planner in ``reminders.deadlines``).

A deadline concerns a region (a kabupaten, a kecamatan or one village) and some roles. Each
person sees it through the *area* where their role's region and the deadline's region meet: an
operator or peratin their village, a camat their kecamatan, Dinsos the deadline's whole region.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import parse_time_of_day
from flows.regions import (
    level_of,
    region_label,
    timezone_for,
    village_word,
)
from flows.times import offsets_text
from handlers.kit.context import Turn
from handlers.kit.dates import date_text, relative_day, when_text
from handlers.kit.i18n import t, tn
from handlers.kit.timing import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    Occurrence,
    QuietHours,
    Recurrence,
    around,
    format_time,
)
from handlers.messages import Option, Outbound, Question, Reply, Text, Tone, to_data
from locales.formats import month_name
from locales.formats import number as _number
from storage.db import UnitOfWork
from storage.records import RegionRecord
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
LAGGARDS_SHOWN = 8
MANAGED_SHOWN = 8
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


# ---- wording -----------------------------------------------------------------------------------


def number(value: int, lang: str) -> str:
    """1.200 in Indonesian, 1,200 in English."""
    return _number(value, lang)


def percent(done: int, total: int) -> int:
    return (100 * done) // total if total else 0


def missing_date_text(parts: tuple[int, int, int], lang: str, *, time: str = "") -> str:
    """Say that 30 February does not exist, with the month's last day as the example."""
    year, month, day = parts
    last = calendar.monthrange(year, month)[1]
    name = month_name(month, lang)
    example = f"{last:02d}-{month:02d}-{year}{' ' + time if time else ''}"
    return t("dlf_date_missing", lang, day=day, month=name, year=year, last=last, example=example)


def roles_text(roles: Iterable[str], lang: str) -> str:
    return ", ".join(t(f"role_{r}", lang) for r in roles)


def repeat_text(recurrence: Recurrence | None, lang: str) -> str:
    if recurrence is None:
        return t("repeat_once", lang)
    if recurrence.until is None:
        return t("repeat_monthly", lang, day=recurrence.day)
    return t(
        "repeat_monthly_until", lang, day=recurrence.day, until=date_text(recurrence.until, lang)
    )


# ---- areas and their progress -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    label: str  # "Pekon Sri Menanti"
    word: str  # "pekon", "desa", "kelurahan"
    done: int
    total: int

    @property
    def has_data(self) -> bool:
        return self.total > 0

    @property
    def finished(self) -> bool:
        """Every imported household verified, updated or found gone."""
        return self.total > 0 and self.done >= self.total

    def lag_key(self) -> tuple[bool, int, int, str]:
        """Furthest behind first: lowest share done, then most households left."""
        return (
            not self.has_data,
            percent(self.done, self.total),
            self.done - self.total,
            self.label,
        )


@dataclass(frozen=True, slots=True)
class Area:
    """What one person oversees inside a deadline's region: a village or a wider region."""

    code: str
    label: str
    villages: tuple[Village, ...]

    @property
    def is_village(self) -> bool:
        return level_of(self.code) == 4

    @property
    def without_data(self) -> list[Village]:
        """Villages whose register was never loaded: not finished (nobody could start)."""
        return [v for v in self.villages if not v.has_data]

    @property
    def finished(self) -> bool:
        """Every village finished; one without data is not (Dinsos still has to load it)."""
        return bool(self.villages) and all(v.finished for v in self.villages)

    @property
    def unfinished(self) -> list[Village]:
        """Villages not finished, furthest behind first, those without data last."""
        return sorted((v for v in self.villages if not v.finished), key=Village.lag_key)

    @property
    def behind(self) -> list[Village]:
        """Villages with data that did not finish, furthest behind first."""
        return [v for v in self.unfinished if v.has_data]

    @property
    def done(self) -> int:
        return sum(v.done for v in self.villages)

    @property
    def total(self) -> int:
        return sum(v.total for v in self.villages)

    def village_word(self, lang: str) -> str:
        """The villages' word: "pekon", or "pekon/kelurahan" where both kinds are found."""
        words = sorted({v.word for v in self.villages}, key=lambda w: (w == "kelurahan", w))
        return "/".join(words) if words else t("villages_word", lang)


class RegionBook:
    """The regions and household progress of one deadline's region, loaded once."""

    def __init__(
        self,
        region_code: str,
        regions: Sequence[RegionRecord],
        progress: Mapping[str, tuple[int, int]],
    ) -> None:
        self.region_code = region_code
        self.regions = {r.code: r for r in regions}
        self.progress = progress

    @classmethod
    async def load(cls, uow: UnitOfWork, region_code: str) -> RegionBook:
        regions = await uow.regions.within(region_code)
        report = await uow.progress.region(region_code)
        progress = {
            v.code: (v.counts.done, v.counts.register) for v in (report.villages if report else ())
        }
        return cls(region_code, regions, progress)

    def label(self, code: str) -> str:
        region = self.regions.get(code)
        return region_label(code, region.name, region.kind) if region else code

    def area(self, role_region: str) -> Area:
        """Where ``role_region`` and the book's region meet (the deeper of the two)."""
        inside = role_region.startswith(self.region_code + ".")
        code = role_region if inside else self.region_code
        villages = []
        for region in self.regions.values():
            if region.level == 4 and (region.code == code or region.code.startswith(code + ".")):
                done, total = self.progress.get(region.code, (0, 0))
                label = region_label(region.code, region.name, region.kind)
                word = village_word(region.code, region.kind)
                villages.append(Village(region.code, label, word, done, total))
        villages.sort(key=lambda v: v.code)
        return Area(code, self.label(code), tuple(villages))


def areas_of(roles: Iterable[tuple[str, str]], book: RegionBook) -> list[Area]:
    """The distinct areas of a person's (role, region) pairs, widest first."""
    found: dict[str, Area] = {}
    for _role, region in roles:
        area = book.area(region)
        if not any(area.code == c or area.code.startswith(c + ".") for c in found):
            for code in [c for c in found if c.startswith(area.code + ".")]:
                del found[code]
            found[area.code] = area
    return sorted(found.values(), key=lambda a: (level_of(a.code), a.code))


def area_lines(area: Area, lang: str, *, laggards: int = LAGGARDS_SHOWN) -> list[str]:
    """A village's count, or a wider area's summary with its villages furthest behind."""
    if area.is_village:
        return [_village_line(area.villages[0] if area.villages else None, area.label, lang)]
    word = area.village_word(lang)
    lines = [
        t(
            "area_summary",
            lang,
            area=area.label,
            finished=sum(v.finished for v in area.villages),
            villages=len(area.villages),
            word=word,
            done=number(area.done, lang),
            total=number(area.total, lang),
            pct=percent(area.done, area.total),
        )
    ]
    behind = area.behind
    if behind and laggards:
        lines.append(t("laggards_title", lang))
        lines += [_laggard_line(v, lang) for v in behind[:laggards]]
        if len(behind) > laggards:
            lines.append(t("more_villages", lang, n=len(behind) - laggards))
    if area.without_data:
        lines.append(_no_data_line(area, lang, max(laggards, 3)))
    return lines


def _no_data_line(area: Area, lang: str, shown: int) -> str:
    """``9 pekon belum ada data keluarga: Pekon Sidodadi, …, … dan 6 lainnya``."""
    missing = area.without_data
    names = ", ".join(v.label for v in missing[:shown])
    if len(missing) > shown:
        names += " " + t("more_villages", lang, n=len(missing) - shown)
    return t("area_no_data", lang, n=len(missing), word=area.village_word(lang), names=names)


def _village_line(village: Village | None, label: str, lang: str) -> str:
    if village is None or not village.has_data:
        return t("village_no_data", lang, village=label)
    return tn(
        "progress_line",
        village.total,
        lang,
        name=village.label,
        done=number(village.done, lang),
        total=number(village.total, lang),
        pct=percent(village.done, village.total),
    )


def _laggard_line(village: Village, lang: str) -> str:
    return t(
        "laggard_line",
        lang,
        village=village.label,
        done=number(village.done, lang),
        total=number(village.total, lang),
        pct=percent(village.done, village.total),
    )


# ---- proactive messages ------------------------------------------------------------------------


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


def buttons_for(roles: Iterable[str], lang: str) -> tuple[Option, ...]:
    """Operators open their pending list; peratin, camat and Dinsos the progress view."""
    names = set(roles)
    options: list[Option] = []
    if "operator" in names:
        options.append(Option("m:pending", t("reminder_pending_button", lang)))
    if names & set(OVERSIGHT_ROLES):
        options.append(Option("m:progress", t("reminder_progress_button", lang)))
    return tuple(options)


def _flat(lines: Iterable[str]) -> str:
    """Lines as one template parameter (WhatsApp allows no new lines in them)."""
    return " · ".join(line.strip().lstrip("•").strip() for line in lines if line.strip())


def reminder_message(
    deadline: DeadlineRecord,
    due: dt.datetime,
    zone: str,
    now: dt.datetime,
    areas: Sequence[Area],
    roles: Iterable[str],
    lang: str,
    *,
    changed: bool = False,
) -> Composed:
    """What is due, when (local time), and the progress of each of the person's areas."""
    when = when_text(due, zone, lang)
    relative = relative_day(now, due, zone, lang)
    head = t("reminder_changed_title" if changed else "reminder_title", lang, title=deadline.title)
    progress: list[str] = []
    for area in areas:
        progress += area_lines(area, lang)
        if area.is_village and area.villages and area.villages[0].has_data:
            left = area.villages[0].total - area.villages[0].done
            if left > 0:
                progress.append(tn("remaining", left, lang, n=number(left, lang)))
    lines = [head, t("deadline_due", lang, when=when, relative=relative), *progress]
    if deadline.note:
        lines.append(t("deadline_note", lang, note=deadline.note))
    text = "\n".join(lines)
    options = buttons_for(roles, lang)
    message: Outbound = Question(text, options) if options else Text(text)
    return Composed([message], [deadline.title, f"{when} ({relative})", _flat(progress)])


def thanks_message(
    deadline: DeadlineRecord, due: dt.datetime, zone: str, areas: Sequence[Area], lang: str
) -> Composed:
    when = when_text(due, zone, lang)
    names = ", ".join(a.label for a in areas)
    text = t("thanks_text", lang, area=names, title=deadline.title, when=when)
    progress = [line for a in areas for line in area_lines(a, lang, laggards=0)]
    return Composed(
        [Text("\n".join([text, *progress]), Tone.SUCCESS)], [deadline.title, when, text]
    )


def escalation_message(
    deadline: DeadlineRecord,
    due: dt.datetime,
    zone: str,
    areas: Sequence[Area],
    roles: Iterable[str],
    lang: str,
) -> Composed:
    """The villages of the person's areas that did not finish by ``due``, furthest behind
    first (only the unfinished ones are listed), then those that still have no data."""
    when = when_text(due, zone, lang)
    lines = [t("escalation_title", lang, title=deadline.title, when=when)]
    for area in areas:
        behind = area.behind
        lines.append(
            t(
                "escalation_area",
                lang,
                area=area.label,
                n=len(area.unfinished),
                villages=len(area.villages),
                word=area.village_word(lang),
            )
        )
        lines += [_laggard_line(v, lang) for v in behind[:LAGGARDS_SHOWN]]
        if len(behind) > LAGGARDS_SHOWN:
            lines.append(t("more_villages", lang, n=len(behind) - LAGGARDS_SHOWN))
        if area.without_data:
            lines.append("• " + _no_data_line(area, lang, LAGGARDS_SHOWN))
    lines.append(t("escalation_ask", lang))
    options = buttons_for(roles, lang)
    text = "\n".join(lines)
    message: Outbound = Question(text, options) if options else Text(text)
    return Composed([message], [deadline.title, when, _flat(lines[1:])])


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


# ---- what people see: /tenggat -------------------------------------------------------------------


async def visible(turn: Turn) -> list[DeadlineRecord]:
    """Active deadlines that concern the person: for operators and village heads those meant
    for their role, for camat and Dinsos every deadline of their regions."""
    since = turn.now - RECENT
    found: dict[int, DeadlineRecord] = {}
    for role in turn.roles():
        for deadline in await turn.uow.deadlines.overlapping(role.region_code, since=since):
            if role.role in deadline.roles or role.role in ("camat", "dinsos", "admin"):
                found[deadline.id] = deadline
    return [found[k] for k in sorted(found)]


def _matching(turn: Turn, deadline: DeadlineRecord) -> list[tuple[str, str]]:
    """The person's (role, region) pairs that meet the deadline's region."""
    code = deadline.region_code
    return [
        (r.role, r.region_code)
        for r in turn.roles()
        if code == r.region_code
        or code.startswith(r.region_code + ".")
        or r.region_code.startswith(code + ".")
    ]


async def show(turn: Turn) -> Reply:
    """Current deadlines with the progress of the person's area; Dinsos can manage them."""
    lang = turn.lang
    blocks: list[str] = []
    managed: list[DeadlineRecord] = []
    for deadline in await visible(turn):
        previous, upcoming = occurrences_around(deadline, turn.now)
        occurrence = upcoming or previous
        if occurrence is None or (upcoming is None and turn.now - occurrence.due > RECENT):
            continue
        book = await RegionBook.load(turn.uow, deadline.region_code)
        zone = zone_of(deadline)
        head = f"{len(blocks) + 1}. {deadline.title}"
        recurrence = recurrence_of(deadline)
        if recurrence is not None:
            head += f" ({repeat_text(recurrence, lang)})"
        when = when_text(occurrence.due, zone, lang)
        if upcoming is None:
            due_line = t("deadline_passed", lang, when=when)
        else:
            due_line = t(
                "deadline_due",
                lang,
                when=when,
                relative=relative_day(turn.now, upcoming.due, zone, lang),
            )
        lines = [head, due_line]
        for area in areas_of(_matching(turn, deadline), book):
            lines += area_lines(area, lang, laggards=3)
        if deadline.note:
            lines.append(t("deadline_note", lang, note=deadline.note))
        blocks.append("\n".join(lines))
        if turn.in_scope(deadline.region_code, *MANAGER_ROLES):
            managed.append(deadline)
    text = (
        t("deadlines_title", lang) + "\n\n" + "\n\n".join(blocks)
        if blocks
        else t("deadlines_none", lang)
    )
    if not turn.roles(*MANAGER_ROLES):
        return Reply([Text(text)])
    options = [Option(PAYLOAD_PREFIX + "new", t("deadline_add", lang))]
    options += [
        Option(f"{PAYLOAD_PREFIX}manage:{d.id}", t("deadline_manage", lang, title=d.title[:40]))
        for d in managed[:MANAGED_SHOWN]
    ]
    return Reply([Question(text, tuple(options))])


async def managed_deadline(turn: Turn, deadline_id: int) -> DeadlineRecord | None:
    """An active deadline inside the manager's own region, else None (same for unknown ids:
    nothing outside the scope is revealed)."""
    deadline = await turn.uow.deadlines.get(deadline_id)
    if deadline is None or not deadline.active:
        return None
    return deadline if turn.in_scope(deadline.region_code, *MANAGER_ROLES) else None


def not_found(turn: Turn) -> Reply:
    return Reply([Text(t("deadline_not_found", turn.lang), Tone.ERROR)])


async def manage(turn: Turn, deadline_id: int) -> Reply:
    deadline = await managed_deadline(turn, deadline_id)
    if deadline is None:
        return not_found(turn)
    book = await RegionBook.load(turn.uow, deadline.region_code)
    lines = summary_lines(deadline, book.label(deadline.region_code), turn.lang, turn.now)
    options = (
        Option(f"{PAYLOAD_PREFIX}edit:{deadline.id}", t("deadline_edit", turn.lang)),
        Option(f"{PAYLOAD_PREFIX}cancel:{deadline.id}", t("deadline_cancel", turn.lang)),
        Option(MENU_PAYLOAD, t("deadline_back", turn.lang)),
    )
    return Reply([Question(f"#{deadline.id}\n" + "\n".join(lines), options)])


async def confirm_cancel(turn: Turn, deadline_id: int) -> Reply:
    deadline = await managed_deadline(turn, deadline_id)
    if deadline is None:
        return not_found(turn)
    options = (
        Option(f"{PAYLOAD_PREFIX}cancel-yes:{deadline.id}", t("deadline_cancel_yes", turn.lang)),
        Option(MENU_PAYLOAD, t("deadline_cancel_no", turn.lang)),
    )
    text = t("deadline_cancel_confirm", turn.lang, title=deadline.title)
    return Reply([Question(text, options)])


async def do_cancel(turn: Turn, deadline_id: int, quiet: QuietHours) -> Reply:
    if await managed_deadline(turn, deadline_id) is None:
        return not_found(turn)
    channel = turn.inbound.channel.value
    deadline = await cancel(
        turn.uow, deadline_id, by=turn.me.person_id, channel=channel, now=turn.now, quiet=quiet
    )
    if deadline is None:  # pragma: no cover - checked just above in the same transaction
        return not_found(turn)
    reply = Reply([Text(t("deadline_cancelled", turn.lang, title=deadline.title), Tone.SUCCESS)])
    reply.messages.extend((await show(turn)).messages)
    return reply
