"""The report of an announcement: who got it, who acknowledged it, per village and role, and
who is still missing; on the phone and as a workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flows.regions import timezone_for
from handlers.announcements.model import (
    FAILED,
    PENDING,
    SENT,
    campaign,
    excerpt,
    nudge_campaign,
)
from handlers.kit.dates import short_datetime
from handlers.kit.i18n import t
from handlers.kit.workbooks import Sheet
from storage.db import UnitOfWork
from storage.repos.announcements import AnnouncementRecord, DeliveryRow

PEOPLE_SHOWN = 15  # people listed in the report's "not yet acknowledged"

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
        self.sent += row.status in SENT
        self.delivered += row.delivered_at is not None or row.read_at is not None
        self.failed += row.status in FAILED
        self.uncertain += row.status == "uncertain"
        self.pending += row.status in PENDING
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
        t("ann_report_head", lang, id=record.id, excerpt=excerpt(record.text, 60)),
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
                    status=row_status(found, row, lang),
                )
            )
        if len(found.waiting) > people:
            lines.append(t("ann_report_more", lang, count=len(found.waiting) - people))
    if total.delivered == 0 and total.sent:
        lines.append(t("ann_report_delivered_note", lang))
    return "\n".join(lines)


def row_status(found: Report, row: DeliveryRow, lang: str) -> str:
    """A recipient's status in words; a failure with the platform's reason when it gave one
    ("gagal: 131026 Message undeliverable")."""
    state = _row_state(row.status)
    reason = found.reasons.get(row.person_id) if state == "failed" else None
    if reason:
        return t("ann_row_failed_reason", lang, reason=reason)
    return t("ann_row_" + state, lang)


def _row_state(status: str) -> str:
    if status in SENT:
        return "sent"
    if status in FAILED:
        return "failed"
    if status == "uncertain":
        return "uncertain"
    if status in PENDING:
        return "pending"
    return "other"


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
            row_status(found, row, lang),
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
