"""Announcements from Dinsos: audience, fan-out into the outbox, acknowledgement, report, nudge.

An announcement goes to the people holding one of its roles (operator, peratin, camat) in or
over one of its regions, one outbox row each (campaign ``announcement:<id>``, low priority so
conversations overtake it), in the person's language, never in their quiet hours. Every copy
carries a button "Sudah dibaca & dipahami" (``ann:ack:<id>``); the word PAHAM (or PAHAM 12)
does the same. After ``nudge_after_hours`` the people who have not acknowledged get one nudge
(campaign ``announcement:<id>:nudge``).

Only Dinsos announces, and only inside its own kabupaten; the report is shown to the Dinsos
whose region covers the whole announcement.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flows.regions import timezone_for
from handlers.announcements.sending import send_instant
from handlers.kit.context import Turn
from handlers.kit.dates import short_datetime
from handlers.kit.deferred import Deferred, write_atomically
from handlers.kit.i18n import t
from handlers.kit.timing import QuietHours
from handlers.kit.workbooks import Sheet, write_sheets
from handlers.messages import (
    Chart,
    Document,
    Inbound,
    InboundKind,
    Option,
    Outbound,
    Question,
    Reply,
    Text,
    Tone,
    to_data,
)
from storage.db import UnitOfWork
from storage.records import RoleHolder
from storage.repos.announcements import AnnouncementRecord, DeliveryRow
from storage.repos.outbox import NewMessage, Priority

__all__ = [
    "ANNOUNCER_ROLES",
    "AUDIENCE_ROLES",
    "Audience",
    "Draft",
    "Report",
    "audience",
    "campaign",
    "create",
    "fan_out",
    "nudge",
    "report",
]

ANNOUNCER_ROLES = ("dinsos",)
AUDIENCE_ROLES = ("operator", "peratin", "camat")
ACK_PREFIX = "ann:ack:"
MAX_TEXT = 3000  # leaves room for the header in one Telegram message (4,096 characters)
MAX_CAPTION = 900  # a photo's or document's caption (Telegram: 1,024)
MAX_NUDGE_HOURS = 24 * 14
MAX_AHEAD = dt.timedelta(days=180)
DEFAULT_NUDGE_HOURS = 24
MEDIA_KINDS = ("photo", "document")
PEOPLE_SHOWN = 15  # people listed in the report's "not yet acknowledged"

_SENT = frozenset({"sent", "delivered", "read"})
_FAILED = frozenset({"failed", "blocked", "expired"})
_PENDING = frozenset({"pending", "sending"})


def campaign(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


def nudge_campaign(announcement_id: int) -> str:
    return f"announcement:{announcement_id}:nudge"


def announcement_id_of(campaign_name: str) -> int | None:
    head, _, rest = campaign_name.partition(":")
    number = rest.partition(":")[0]
    return int(number) if head == "announcement" and number.isdigit() else None


# ---- the draft and its audience ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    region_codes: tuple[str, ...]
    roles: tuple[str, ...]
    media_path: str | None = None
    media_kind: str | None = None  # "photo" | "document"
    scheduled_at: dt.datetime | None = None  # None: now
    nudge_after_hours: int = DEFAULT_NUDGE_HOURS  # 0: no nudge


@dataclass(frozen=True, slots=True)
class Audience:
    """Who an announcement reaches: one holder per person, and the channel each is sent on."""

    holders: list[RoleHolder]
    channels: dict[int, str]

    @property
    def total(self) -> int:
        return len(self.holders)

    def by_channel(self) -> Counter[str]:
        return Counter(self.channels.get(h.person_id, "") for h in self.holders)

    def by_role(self) -> Counter[str]:
        return Counter(h.role for h in self.holders)


async def audience(uow: UnitOfWork, region_codes: Iterable[str], roles: Sequence[str]) -> Audience:
    """The people holding one of ``roles`` in or over one of ``region_codes`` (a camat over a
    listed village too), each once, with the role and region that brought them in first."""
    chosen: dict[int, RoleHolder] = {}
    wanted = [r for r in AUDIENCE_ROLES if r in roles]
    for code in dict.fromkeys(region_codes):
        for holder in await uow.people.role_holders(wanted, code):
            chosen.setdefault(holder.person_id, holder)
    holders = list(chosen.values())
    channels = await uow.announcements.preferred_channels([h.person_id for h in holders])
    return Audience(holders, channels)


def preview_lines(found: Audience, lang: str) -> list[str]:
    """Recipients per channel and per role, for the confirmation screen and the CLI."""
    channels = found.by_channel()
    parts = [
        f"{t('channel_' + name, lang)} {channels[name]}"
        for name in ("telegram", "whatsapp", "console")
        if channels[name]
    ]
    lines = [t("ann_recipients", lang, count=found.total, channels=", ".join(parts) or "-")]
    roles = found.by_role()
    lines.append(
        " · ".join(f"{t('ann_role_' + r, lang)} {roles[r]}" for r in AUDIENCE_ROLES if roles[r])
    )
    if channels[""]:
        lines.append(t("ann_unreachable", lang, count=channels[""]))
    return [line for line in lines if line]


async def problems(
    uow: UnitOfWork, draft: Draft, scope: Sequence[str], now: dt.datetime, lang: str
) -> list[str]:
    """What is wrong with ``draft`` for a Dinsos whose regions are ``scope`` (every message
    says what to do, with an example); empty when it can be sent."""
    errors: list[str] = []
    if not draft.text.strip():
        errors.append(t("ann_text_empty", lang))
    elif len(draft.text) > (MAX_CAPTION if draft.media_path else MAX_TEXT):
        limit = MAX_CAPTION if draft.media_path else MAX_TEXT
        errors.append(t("ann_text_long", lang, count=len(draft.text), limit=limit))
    if not draft.region_codes:
        errors.append(t("ann_region_missing", lang))
    for code in draft.region_codes:
        if not any(code == s or code.startswith(s + ".") for s in scope):
            errors.append(t("ann_region_outside", lang, code=code))
        elif await uow.regions.get(code) is None:
            errors.append(t("ann_region_unknown", lang, code=code))
    unknown = [r for r in draft.roles if r not in AUDIENCE_ROLES]
    if not draft.roles or unknown:
        errors.append(t("ann_roles_invalid", lang, roles=", ".join(AUDIENCE_ROLES)))
    if draft.scheduled_at is not None:
        if draft.scheduled_at < now - dt.timedelta(minutes=1):
            errors.append(t("ann_at_past", lang))
        elif draft.scheduled_at > now + MAX_AHEAD:
            errors.append(t("ann_at_far", lang))
    if not 0 <= draft.nudge_after_hours <= MAX_NUDGE_HOURS:
        errors.append(t("ann_nudge_invalid", lang, limit=MAX_NUDGE_HOURS))
    errors.extend(_media_problems(draft, lang))
    return errors


def _media_problems(draft: Draft, lang: str) -> list[str]:
    if draft.media_path is None:
        return []
    if draft.media_kind not in MEDIA_KINDS:
        return [t("ann_media_invalid", lang)]
    if not Path(draft.media_path).is_file():  # a stat of a local file: no need for a thread
        return [t("ann_media_missing", lang)]
    return []


async def create(
    uow: UnitOfWork,
    draft: Draft,
    *,
    by: int | None,
    channel: str,
    now: dt.datetime,
    quiet: QuietHours | None = None,
) -> int:
    """Store an announcement (checked by the caller with :func:`problems`); one due now is
    fanned out into the outbox in the same transaction, a later one by the scheduled job."""
    at = draft.scheduled_at if draft.scheduled_at and draft.scheduled_at > now else now
    announcement_id = await uow.announcements.add(
        text=draft.text.strip(),
        region_codes=draft.region_codes,
        roles=draft.roles,
        scheduled_at=at,
        nudge_after_hours=draft.nudge_after_hours,
        created_by=by,
        now=now,
        media_path=draft.media_path,
        media_kind=draft.media_kind,
    )
    await uow.audit.add(
        "announcement.created",
        "announcement",
        str(announcement_id),
        now,
        person_id=by,
        channel=channel,
        region_code=draft.region_codes[0] if draft.region_codes else None,
        after={
            "regions": list(draft.region_codes),
            "roles": list(draft.roles),
            "scheduled_at": at.isoformat(),
            "media": draft.media_kind,
            "nudge_after_hours": draft.nudge_after_hours,
        },
    )
    if at <= now:
        record = await uow.announcements.get(announcement_id)
        assert record is not None  # noqa: S101 - added just above
        await fan_out(uow, record, now, quiet or QuietHours())
    return announcement_id


# ---- the messages ------------------------------------------------------------------------------


def _ack_button(announcement_id: int, lang: str) -> Option:
    return Option(f"{ACK_PREFIX}{announcement_id}", t("ann_ack_button", lang))


def message_for(record: AnnouncementRecord, lang: str) -> list[Outbound]:
    body = t("ann_message", lang, id=record.id, text=record.text)
    question = Question(body, (_ack_button(record.id, lang),))
    if record.media_path and record.media_kind == "photo":
        return [Chart(record.media_path), question]
    if record.media_path:
        return [Document(record.media_path, file_name=Path(record.media_path).name), question]
    return [question]


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def nudge_message(record: AnnouncementRecord, lang: str) -> list[Outbound]:
    body = t("ann_nudge", lang, id=record.id, excerpt=_excerpt(record.text))
    return [Question(body, (_ack_button(record.id, lang),))]


def _not_before(holder: RoleHolder, now: dt.datetime, quiet: QuietHours) -> dt.datetime:
    return send_instant(now, timezone_for(holder.region_code), quiet)  # as the confirmation says


async def fan_out(
    uow: UnitOfWork, record: AnnouncementRecord, now: dt.datetime, quiet: QuietHours
) -> int:
    """Enqueue one row per recipient (none twice, even from two processes); how many."""
    if not await uow.announcements.mark_sent(record.id):
        return 0
    found = await audience(uow, record.region_codes, record.roles)
    messages = [_new_row(record, holder, now, quiet, nudge=False) for holder in found.holders]
    return await uow.outbox.enqueue(messages, now)


async def nudge(
    uow: UnitOfWork, record: AnnouncementRecord, now: dt.datetime, quiet: QuietHours
) -> int:
    """The one nudge to those who got the announcement and have not acknowledged it (and
    still hold a role it was for)."""
    if not await uow.announcements.mark_nudged(record.id, now):
        return 0
    waiting = {
        row.person_id
        for row in await uow.announcements.deliveries(campaign(record.id))
        if row.acknowledged_at is None and row.status in _SENT
    }
    found = await audience(uow, record.region_codes, record.roles)
    messages = [
        _new_row(record, holder, now, quiet, nudge=True)
        for holder in found.holders
        if holder.person_id in waiting
    ]
    return await uow.outbox.enqueue(messages, now)


def _new_row(
    record: AnnouncementRecord,
    holder: RoleHolder,
    now: dt.datetime,
    quiet: QuietHours,
    *,
    nudge: bool,
) -> NewMessage:
    """The outbox row of the announcement (or its nudge) for one recipient."""
    kind = "nudge" if nudge else "announcement"
    messages = nudge_message(record, holder.lang) if nudge else message_for(record, holder.lang)
    return NewMessage(
        campaign=nudge_campaign(record.id) if nudge else campaign(record.id),
        kind=kind,
        person_id=holder.person_id,
        payload=to_data(messages),
        region_code=holder.region_code,
        role=holder.role,
        template={"kind": kind, "params": [str(record.id), _excerpt(record.text)]},
        not_before=_not_before(holder, now, quiet),
        priority=Priority.BROADCAST,
    )


# ---- the report --------------------------------------------------------------------------------


@dataclass(slots=True)
class Tally:
    total: int = 0
    sent: int = 0  # accepted by the platform
    delivered: int = 0  # delivery receipt (WhatsApp only)
    failed: int = 0  # failed, blocked, expired
    uncertain: int = 0  # cut off by a crash: may have arrived, not sent again
    pending: int = 0
    acknowledged: int = 0

    def add(self, row: DeliveryRow) -> None:
        self.total += 1
        self.sent += row.status in _SENT
        self.delivered += row.delivered_at is not None or row.read_at is not None
        self.failed += row.status in _FAILED
        self.uncertain += row.status == "uncertain"
        self.pending += row.status in _PENDING
        self.acknowledged += row.acknowledged_at is not None


@dataclass(slots=True)
class Report:
    announcement: AnnouncementRecord
    overall: Tally = field(default_factory=Tally)
    groups: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (village, role)
    labels: dict[str, str] = field(default_factory=dict)  # region code -> name
    waiting: list[DeliveryRow] = field(default_factory=list)  # not acknowledged yet
    rows: list[DeliveryRow] = field(default_factory=list)  # every recipient
    nudged: int = 0
    # Person id -> the platform's reason a failed message gave ("131026 Message undeliverable").
    reasons: dict[int, str] = field(default_factory=dict)


async def report(uow: UnitOfWork, announcement_id: int) -> Report | None:
    record = await uow.announcements.get(announcement_id)
    if record is None:
        return None
    found = Report(record)
    for row in await uow.announcements.deliveries(campaign(record.id)):
        found.overall.add(row)
        found.rows.append(row)
        code = row.region_code or ""
        found.labels.setdefault(code, row.region_name or code)
        found.groups.setdefault((code, row.role or ""), Tally()).add(row)
        if row.acknowledged_at is None:
            found.waiting.append(row)
    found.nudged = sum((await uow.outbox.count_by_status(nudge_campaign(record.id))).values())
    found.reasons = await uow.outbox.failure_reasons(campaign(record.id))
    return found


def _pct(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def report_text(found: Report, lang: str, *, people: int = PEOPLE_SHOWN) -> str:
    """The report as Dinsos reads it on a phone: totals, per village and role, who is missing."""
    record, total = found.announcement, found.overall
    zone = timezone_for(record.region_codes[0]) if record.region_codes else "Asia/Jakarta"
    lines = [
        t("ann_report_head", lang, id=record.id, excerpt=_excerpt(record.text, 60)),
        t(
            "ann_report_when",
            lang,
            when=short_datetime(record.scheduled_at, zone, lang),
            status=t("ann_status_" + record.status, lang),
        ),
    ]
    if record.status == "scheduled":
        return "\n".join(lines)
    lines.append(
        t(
            "ann_report_totals",
            lang,
            total=total.total,
            sent=total.sent,
            delivered=total.delivered,
            failed=total.failed,
            ack=total.acknowledged,
            pct=_pct(total.acknowledged, total.total),
        )
    )
    if total.pending or total.uncertain:
        lines.append(t("ann_report_pending", lang, pending=total.pending, unsure=total.uncertain))
    if found.nudged:
        lines.append(t("ann_report_nudged", lang, count=found.nudged))
    lines.append("")
    lines.append(t("ann_report_groups", lang))
    ordered = sorted(
        found.groups.items(),
        key=lambda item: (_pct(item[1].acknowledged, item[1].total), found.labels[item[0][0]]),
    )
    for (code, role), tally in ordered:
        failed = t("ann_report_failed", lang, count=tally.failed) if tally.failed else ""
        lines.append(
            t(
                "ann_report_group",
                lang,
                village=found.labels.get(code, code),
                role=t("ann_role_" + role, lang) if role else "-",
                ack=tally.acknowledged,
                total=tally.total,
                failed=failed,
            )
        )
    if found.waiting:
        lines.append("")
        lines.append(t("ann_report_waiting", lang, count=len(found.waiting)))
        # Those whose message failed first: someone has to reach them another way.
        waiting = sorted(found.waiting, key=lambda row: _row_state(row.status) != "failed")
        for row in waiting[:people]:
            lines.append(
                t(
                    "ann_report_person",
                    lang,
                    name=row.name or "-",
                    role=t("ann_role_" + row.role, lang) if row.role else "-",
                    village=row.region_name or row.region_code or "-",
                    status=_row_status(found, row, lang),
                )
            )
        if len(found.waiting) > people:
            lines.append(t("ann_report_more", lang, count=len(found.waiting) - people))
    if total.delivered == 0 and total.sent:
        lines.append(t("ann_report_delivered_note", lang))
    return "\n".join(lines)


def _row_status(found: Report, row: DeliveryRow, lang: str) -> str:
    """A recipient's status in words; a failure with the platform's reason when it gave one
    ("gagal: 131026 Message undeliverable")."""
    state = _row_state(row.status)
    reason = found.reasons.get(row.person_id) if state == "failed" else None
    if reason:
        return t("ann_row_failed_reason", lang, reason=reason)
    return t("ann_row_" + state, lang)


def _row_state(status: str) -> str:
    if status in _SENT:
        return "sent"
    if status in _FAILED:
        return "failed"
    if status == "uncertain":
        return "uncertain"
    if status in _PENDING:
        return "pending"
    return "other"


def can_see(turn: Turn, record: AnnouncementRecord) -> bool:
    """A Dinsos officer sees the announcements whose regions all lie inside their own."""
    return bool(record.region_codes) and all(
        turn.in_scope(code, *ANNOUNCER_ROLES) for code in record.region_codes
    )


# ---- the Dinsos view: list, report, cancel ----------------------------------------------------

VIEW_PREFIX = "ann:"  # ann:new, ann:list, ann:rep:<id>, ann:cancel:<id>, ann:cancel-yes:<id>
LISTED = 8


def is_view_payload(inbound: Inbound) -> bool:
    return (
        inbound.kind is InboundKind.CHOICE
        and inbound.payload.startswith(VIEW_PREFIX)
        and not inbound.payload.startswith(ACK_PREFIX)
    )


def view_action(inbound: Inbound) -> tuple[str, int]:
    """(action, announcement id or 0) of an ``ann:`` button."""
    action, _, arg = inbound.payload.removeprefix(VIEW_PREFIX).partition(":")
    return action, int(arg) if arg.isdigit() and len(arg) < 10 else 0


async def visible(turn: Turn, limit: int = LISTED) -> list[AnnouncementRecord]:
    """The newest announcements inside the Dinsos officer's region."""
    found: list[AnnouncementRecord] = []
    for record in await turn.uow.announcements.recent(limit=200):
        if can_see(turn, record):
            found.append(record)
            if len(found) >= limit:
                break
    return found


def not_allowed(turn: Turn) -> Reply:
    return Reply([Text(t("ann_not_allowed", turn.lang), Tone.ERROR)])


async def show(turn: Turn) -> Reply:
    """Dinsos' list of announcements, newest first, with a button to write a new one."""
    if not turn.roles(*ANNOUNCER_ROLES):
        return not_allowed(turn)
    lang = turn.lang
    records = await visible(turn)
    lines = [t("ann_list_title", lang)]
    options = [Option(VIEW_PREFIX + "new", t("ann_new_button", lang))]
    if not records:
        lines.append(t("ann_list_none", lang))
    for record in records:
        zone = timezone_for(record.region_codes[0])
        rows = await turn.uow.announcements.deliveries(campaign(record.id))
        acked = sum(1 for row in rows if row.acknowledged_at is not None)
        total = len(rows)
        lines.append(
            t(
                "ann_list_item",
                lang,
                id=record.id,
                when=short_datetime(record.scheduled_at, zone, lang),
                status=t("ann_status_" + record.status, lang),
                excerpt=_excerpt(record.text, 50),
                ack=acked,
                total=total,
            )
        )
        options.append(
            Option(f"{VIEW_PREFIX}rep:{record.id}", t("ann_report_button", lang, id=record.id))
        )
    return Reply([Question("\n".join(lines), tuple(options))])


async def _managed(turn: Turn, announcement_id: int) -> AnnouncementRecord | None:
    record = await turn.uow.announcements.get(announcement_id) if announcement_id else None
    return record if record is not None and can_see(turn, record) else None


async def show_report(turn: Turn, announcement_id: int) -> Reply:
    if not turn.roles(*ANNOUNCER_ROLES):
        return not_allowed(turn)
    record = await _managed(turn, announcement_id)
    found = await report(turn.uow, record.id) if record else None
    if record is None or found is None:
        return Reply([Text(t("ann_not_found", turn.lang), Tone.ERROR)])
    options = [Option(VIEW_PREFIX + "list", t("ann_list_button", turn.lang))]
    if found.overall.total:
        options.insert(0, Option(f"{VIEW_PREFIX}xlsx:{record.id}", t("ann_xlsx_button", turn.lang)))
    if found.announcement.status == "scheduled":
        options.insert(
            0, Option(f"{VIEW_PREFIX}cancel:{record.id}", t("ann_cancel_button", turn.lang))
        )
    else:
        options.insert(
            0, Option(f"{VIEW_PREFIX}rep:{record.id}", t("ann_refresh_button", turn.lang))
        )
    return Reply([Question(report_text(found, turn.lang), tuple(options))])


async def confirm_cancel(turn: Turn, announcement_id: int) -> Reply:
    record = await _managed(turn, announcement_id)
    if record is None or record.status != "scheduled":
        return Reply([Text(t("ann_cancel_too_late", turn.lang), Tone.ERROR)])
    yes = Option(f"{VIEW_PREFIX}cancel-yes:{record.id}", t("ann_cancel_yes", turn.lang))
    no = Option(f"{VIEW_PREFIX}rep:{record.id}", t("ann_cancel_no", turn.lang))
    text = t("ann_cancel_confirm", turn.lang, id=record.id, excerpt=_excerpt(record.text, 80))
    return Reply([Question(text, (yes, no))])


async def cancel(
    uow: UnitOfWork, record: AnnouncementRecord, *, by: int | None, channel: str, now: dt.datetime
) -> bool:
    """Cancel a scheduled announcement (False once it has gone out)."""
    if not await uow.announcements.cancel(record.id, now):
        return False
    await uow.audit.add(
        "announcement.cancelled",
        "announcement",
        str(record.id),
        now,
        person_id=by,
        channel=channel,
        region_code=record.region_codes[0] if record.region_codes else None,
    )
    return True


async def do_cancel(turn: Turn, announcement_id: int) -> Reply:
    record = await _managed(turn, announcement_id)
    if record is None or not await cancel(
        turn.uow, record, by=turn.me.person_id, channel=turn.inbound.channel.value, now=turn.now
    ):
        return Reply([Text(t("ann_cancel_too_late", turn.lang), Tone.ERROR)])
    return Reply([Text(t("ann_cancelled", turn.lang, id=record.id), Tone.SUCCESS)])


# ---- the report as a workbook ------------------------------------------------------------------


def report_sheets(found: Report, lang: str) -> list[Sheet]:
    """The report's two sheets: per area and role, then every recipient (who has not
    acknowledged first)."""
    zone = timezone_for(found.announcement.region_codes[0])

    def when(at: dt.datetime | None) -> str:
        return short_datetime(at, zone, lang) if at else ""

    groups = [
        [
            code,
            found.labels.get(code, code),
            t("ann_role_" + role, lang) if role else "",
            tally.total,
            tally.sent,
            tally.delivered,
            tally.failed,
            tally.acknowledged,
            _pct(tally.acknowledged, tally.total),
        ]
        for (code, role), tally in sorted(found.groups.items())
    ]
    people = sorted(
        found.rows, key=lambda r: (r.acknowledged_at is not None, r.region_code or "", r.name)
    )
    recipients = [
        [
            row.name,
            t("ann_role_" + row.role, lang) if row.role else "",
            row.region_code or "",
            row.region_name or "",
            t("channel_" + row.channel, lang) if row.channel else "",
            _row_status(found, row, lang),
            when(row.delivered_at or row.read_at),
            when(row.acknowledged_at),
            row.last_error or "",
        ]
        for row in people
    ]
    return [
        (t("ann_xlsx_groups_sheet", lang), t("ann_xlsx_groups_columns", lang).split("|"), groups),
        (
            t("ann_xlsx_people_sheet", lang),
            t("ann_xlsx_people_columns", lang).split("|"),
            recipients,
        ),
    ]


async def workbook(turn: Turn, announcement_id: int, exports_dir: Path) -> Reply:
    """The report as an XLSX file (made after the commit, in a worker thread)."""
    if not turn.roles(*ANNOUNCER_ROLES):
        return not_allowed(turn)
    record = await _managed(turn, announcement_id)
    found = await report(turn.uow, record.id) if record else None
    if record is None or found is None:
        return Reply([Text(t("ann_not_found", turn.lang), Tone.ERROR)])
    stamp = turn.now.strftime("%Y%m%d-%H%M%S")
    name = f"pengumuman-{record.id}-{stamp}.xlsx"
    path = exports_dir / f"pengumuman-{record.id}-{stamp}-{turn.me.person_id}.xlsx"
    document = Document(str(path), t("ann_xlsx_caption", turn.lang, id=record.id), name)
    sheets = report_sheets(found, turn.lang)
    turn.defer(
        Deferred(
            make=lambda: write_atomically(path, lambda tmp: write_sheets(tmp, sheets)),
            message=document,
            fallback=Text(t("ann_xlsx_failed", turn.lang), Tone.WARNING),
        )
    )
    return Reply([document])
