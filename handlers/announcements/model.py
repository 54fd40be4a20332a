"""An announcement from Dinsos: who it reaches (:func:`audience`), the checks before sending
(:func:`problems`), storing it and its fan-out into the outbox, one row per recipient
(campaign ``announcement:<id>``, low priority so conversations overtake it), in the person's
language, never in their quiet hours; the one nudge to those who have not acknowledged it
(campaign ``announcement:<id>:nudge``). The composer (``flows/forms/pengumuman.yaml``) and
the CLI call the same functions.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.regions import timezone_for
from handlers.announcements.sending import send_instant
from handlers.kit.i18n import t
from handlers.kit.timing import QuietHours
from handlers.messages import (
    Chart,
    Document,
    Option,
    Outbound,
    Question,
    to_data,
)
from storage.db import UnitOfWork
from storage.records import RoleHolder
from storage.repos.announcements import AnnouncementRecord
from storage.repos.outbox import NewMessage, Priority

ANNOUNCER_ROLES = ("dinsos",)
AUDIENCE_ROLES = ("operator", "peratin", "camat")
ACK_PREFIX = "ann:ack:"
MAX_TEXT = 3000  # leaves room for the header in one Telegram message (4,096 characters)
MAX_CAPTION = 900  # a photo's or document's caption (Telegram: 1,024)
MAX_NUDGE_HOURS = 24 * 14
MAX_AHEAD = dt.timedelta(days=180)
DEFAULT_NUDGE_HOURS = 24
MEDIA_KINDS = ("photo", "document")

SENT = frozenset({"sent", "delivered", "read"})
FAILED = frozenset({"failed", "blocked", "expired"})
PENDING = frozenset({"pending", "sending"})


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


def excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def nudge_message(record: AnnouncementRecord, lang: str) -> list[Outbound]:
    body = t("ann_nudge", lang, id=record.id, excerpt=excerpt(record.text))
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
        if row.acknowledged_at is None and row.status in SENT
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
        template={"kind": kind, "params": [str(record.id), excerpt(record.text)]},
        not_before=_not_before(holder, now, quiet),
        priority=Priority.BROADCAST,
    )


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
