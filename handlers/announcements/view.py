"""Announcements in the chat: acknowledging one (a button, PAHAM, an emoji reaction), and the
Dinsos view (list, report, workbook, cancel a scheduled one). Writing one is the
``pengumuman`` form (:mod:`handlers.announcements.saver`).

Only Dinsos announces, and only inside its own kabupaten; the report is shown to the Dinsos
whose region covers the whole announcement.
"""

from __future__ import annotations

from pathlib import Path

from flows.regions import timezone_for
from handlers.announcements.model import (
    ACK_PREFIX,
    ANNOUNCER_ROLES,
    campaign,
    cancel,
    excerpt,
)
from handlers.announcements.report import report, report_sheets, report_text
from handlers.kit.context import Turn
from handlers.kit.dates import short_datetime
from handlers.kit.deferred import Deferred, write_atomically
from handlers.kit.i18n import t
from handlers.kit.workbooks import write_sheets
from handlers.messages import (
    Document,
    Inbound,
    InboundKind,
    Option,
    Question,
    Reply,
    Text,
    Tone,
)
from storage.repos.announcements import AnnouncementRecord


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
                excerpt=excerpt(record.text, 50),
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
    text = t("ann_cancel_confirm", turn.lang, id=record.id, excerpt=excerpt(record.text, 80))
    return Reply([Question(text, (yes, no))])


async def do_cancel(turn: Turn, announcement_id: int) -> Reply:
    record = await _managed(turn, announcement_id)
    if record is None or not await cancel(
        turn.uow, record, by=turn.me.person_id, channel=turn.inbound.channel.value, now=turn.now
    ):
        return Reply([Text(t("ann_cancel_too_late", turn.lang), Tone.ERROR)])
    return Reply([Text(t("ann_cancelled", turn.lang, id=record.id), Tone.SUCCESS)])


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
