"""Closing a form without saving it, and saying why: idle for too long (``expired``), access
ended (``interrupted``), or another form still open; and what the open form is called."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flows.regions import region_label
from handlers.forms.savers import LostAccess
from handlers.kit import menu
from handlers.kit.context import Turn
from handlers.kit.i18n import t, tn
from handlers.messages import (
    Reply,
    Text,
    Tone,
)
from storage.records import FormSessionRecord

log = logging.getLogger(__name__)


def form_name(turn: Turn, record: FormSessionRecord) -> str:
    """The open form as messages name it ("Verifikasi keluarga", "tenggat", "pengumuman")."""
    form = turn.forms.get(record.form_id, record.form_version) or turn.forms.latest(record.form_id)
    return form.title.get(turn.lang) if form else record.form_id


async def open_elsewhere(turn: Turn, record: FormSessionRecord) -> Reply:
    title = form_name(turn, record)
    family = family_of(record)
    if family:
        text = t("form_open_elsewhere_family", turn.lang, form=title, head=family)
    else:
        text = t("form_open_elsewhere", turn.lang, form=title)
    return Reply([Text(text, Tone.WARNING)])


def is_idle(record: FormSessionRecord, now: datetime, idle_days: int) -> bool:
    """True when nobody answered the open ``record`` for ``idle_days`` days or more (no query:
    the open session is read on every update anyway)."""
    return now - record.updated_at >= timedelta(days=idle_days)


async def close_idle(turn: Turn, record: FormSessionRecord) -> Text:
    """Close the idle ``record`` (``expired``, nothing saved); the message that says so."""
    await turn.uow.sessions.finish(record.id, "expired", turn.inbound.channel.value, turn.now)
    days = (turn.now - record.updated_at).days
    log.info("form session %s expired: %d days idle", record.id, days)
    name = form_name(turn, record)
    head = family_of(record)
    if head:
        return Text(tn("form_idle_closed_family", days, turn.lang, form=name, head=head, days=days))
    return Text(tn("form_idle_closed", days, turn.lang, form=name, days=days))


def family_of(record: FormSessionRecord) -> str:
    """The head of the family a household form is about, from the form's own context."""
    engine = record.state.get("engine")
    context = engine.get("context") if isinstance(engine, dict) else None
    if not isinstance(context, dict) or context.get("household_id") is None:
        return ""
    head = (context.get("record") or {}).get("head_name")
    return head if isinstance(head, str) else ""


async def access_ended(turn: Turn, record: FormSessionRecord, lost: LostAccess) -> Reply:
    """Close the form (``interrupted``, nothing saved) and say why, then the menu."""
    channel = turn.inbound.channel.value
    await turn.uow.sessions.save(record.id, "interrupted", record.state, channel, turn.now)
    log.info(
        "form session %s of person %s closed: no access to %s any more",
        record.id,
        record.person_id,
        lost.region_code or "its region",
    )
    where = await region_name(turn, lost.region_code)
    if lost.household_moved:
        text = t("form_household_moved", turn.lang, head=family_of(record) or "-")
    elif where:
        text = t("form_access_ended", turn.lang, region=where)
    else:
        text = t("form_access_ended_any", turn.lang)
    reply = Reply([Text(text, Tone.WARNING)])
    reply.messages.extend((await menu.show(turn)).messages)
    return reply


async def region_name(turn: Turn, code: str | None) -> str:
    """ "Pekon Sri Menanti", "Kab. Lampung Barat"; the code when the region is not loaded."""
    if not code:
        return ""
    region = await turn.uow.regions.get(code)
    return region_label(region.code, region.name, region.kind) if region else code
