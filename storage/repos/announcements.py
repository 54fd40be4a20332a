"""Announcements Dinsos broadcasts, and the outbox rows that carry them.

An announcement is ``scheduled`` until its time comes, then ``sent`` once its outbox rows
(campaign ``announcement:<id>``, one per person) are enqueued, or ``cancelled``. The nudge to
people who have not acknowledged goes out once: :meth:`AnnouncementRepository.mark_nudged` is
a conditional update only one process can win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from storage.models import Announcement, Identity, OutboxMessage, Person, Region
from storage.repos._base import Repository, changed, insert_id, require_aware

__all__ = ["AnnouncementRecord", "AnnouncementRepository", "DeliveryRow"]


@dataclass(frozen=True, slots=True)
class AnnouncementRecord:
    id: int
    created_by: int | None
    region_codes: tuple[str, ...]
    roles: tuple[str, ...]
    text: str
    media_path: str | None
    media_kind: str | None  # "photo" | "document"
    status: str
    scheduled_at: dt.datetime
    nudge_after_hours: int  # 0: no nudge
    nudged_at: dt.datetime | None
    created_at: dt.datetime
    cancelled_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryRow:
    """One recipient's outbox row of an announcement, for the report."""

    person_id: int
    name: str
    role: str | None
    region_code: str | None
    region_name: str | None
    channel: str | None
    status: str
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    last_error: str | None


_COLUMNS = (
    Announcement.id,
    Announcement.created_by,
    Announcement.region_codes,
    Announcement.roles,
    Announcement.text,
    Announcement.media_path,
    Announcement.media_kind,
    Announcement.status,
    Announcement.scheduled_at,
    Announcement.nudge_after_hours,
    Announcement.nudged_at,
    Announcement.created_at,
    Announcement.cancelled_at,
)


def _record(row: Any) -> AnnouncementRecord:
    values = dict(zip(AnnouncementRecord.__dataclass_fields__, row, strict=True))
    values["region_codes"] = tuple(values["region_codes"] or ())
    values["roles"] = tuple(values["roles"] or ())
    return AnnouncementRecord(**values)


class AnnouncementRepository(Repository):
    async def add(
        self,
        *,
        text: str,
        region_codes: Sequence[str],
        roles: Sequence[str],
        scheduled_at: dt.datetime,
        nudge_after_hours: int,
        created_by: int | None,
        now: dt.datetime,
        media_path: str | None = None,
        media_kind: str | None = None,
    ) -> int:
        return await insert_id(
            self._session,
            Announcement,
            created_by=created_by,
            region_codes=list(region_codes),
            roles=list(roles),
            text=text,
            media_path=media_path,
            media_kind=media_kind,
            status="scheduled",
            scheduled_at=require_aware(scheduled_at),
            nudge_after_hours=nudge_after_hours,
            created_at=require_aware(now),
        )

    async def get(self, announcement_id: int) -> AnnouncementRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(Announcement.id == announcement_id))
        ).first()
        return _record(row) if row else None

    async def carries(self, media_path: str) -> bool:
        """Whether an announcement was stored with the file at ``media_path`` as attachment."""
        found = await self._session.scalar(
            select(Announcement.id).where(Announcement.media_path == media_path).limit(1)
        )
        return found is not None

    async def recent(self, limit: int = 20) -> list[AnnouncementRecord]:
        """The newest announcements first (callers filter them by scope)."""
        rows = await self._session.execute(
            select(*_COLUMNS).order_by(Announcement.id.desc()).limit(limit)
        )
        return [_record(r) for r in rows]

    async def due(self, now: dt.datetime) -> list[AnnouncementRecord]:
        """Scheduled announcements whose time has come, oldest first."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                Announcement.status == "scheduled",
                Announcement.scheduled_at <= require_aware(now),
            )
            .order_by(Announcement.scheduled_at, Announcement.id)
        )
        return [_record(r) for r in rows]

    async def mark_sent(self, announcement_id: int) -> bool:
        """scheduled -> sent; False when another process did it first (or it was cancelled)."""
        return bool(
            await changed(
                self._session,
                update(Announcement)
                .where(Announcement.id == announcement_id, Announcement.status == "scheduled")
                .values(status="sent")
                .returning(Announcement.id),
            )
        )

    async def cancel(self, announcement_id: int, now: dt.datetime) -> bool:
        """A scheduled announcement is cancelled (one already sent cannot be)."""
        return bool(
            await changed(
                self._session,
                update(Announcement)
                .where(Announcement.id == announcement_id, Announcement.status == "scheduled")
                .values(status="cancelled", cancelled_at=require_aware(now))
                .returning(Announcement.id),
            )
        )

    async def nudge_candidates(self, now: dt.datetime) -> list[AnnouncementRecord]:
        """Sent announcements with a nudge not yet done whose waiting time has passed."""
        now = require_aware(now)
        rows = await self._session.execute(
            select(*_COLUMNS).where(
                Announcement.status == "sent",
                Announcement.nudged_at.is_(None),
                Announcement.nudge_after_hours > 0,
                Announcement.scheduled_at <= now,
            )
        )
        return [
            record
            for record in map(_record, rows)
            if record.scheduled_at + dt.timedelta(hours=record.nudge_after_hours) <= now
        ]

    async def mark_nudged(self, announcement_id: int, now: dt.datetime) -> bool:
        """Record the nudge; False when it was already recorded (by another process)."""
        return bool(
            await changed(
                self._session,
                update(Announcement)
                .where(Announcement.id == announcement_id, Announcement.nudged_at.is_(None))
                .values(nudged_at=require_aware(now))
                .returning(Announcement.id),
            )
        )

    async def deliveries(self, campaign: str) -> list[DeliveryRow]:
        """Every outbox row of ``campaign`` with its person's name and village name."""
        rows = await self._session.execute(
            select(
                OutboxMessage.person_id,
                Person.name,
                OutboxMessage.role,
                OutboxMessage.region_code,
                Region.name,
                OutboxMessage.channel,
                OutboxMessage.status,
                OutboxMessage.delivered_at,
                OutboxMessage.read_at,
                OutboxMessage.acknowledged_at,
                OutboxMessage.last_error,
            )
            .join(Person, Person.id == OutboxMessage.person_id)
            .outerjoin(Region, Region.code == OutboxMessage.region_code)
            .where(OutboxMessage.campaign == campaign)
            .order_by(OutboxMessage.region_code, OutboxMessage.role, Person.name)
        )
        return [DeliveryRow(*row) for row in rows]

    async def preferred_channels(self, person_ids: Sequence[int]) -> dict[int, str]:
        """The channel each person would be sent on: their most recently active identity that
        is not blocked (as the outbox sender chooses). People without one are left out."""
        found: dict[int, str] = {}
        ids = sorted(set(person_ids))
        for start in range(0, len(ids), 1000):
            rows = await self._session.execute(
                select(Identity.person_id, Identity.channel)
                .where(
                    Identity.person_id.in_(ids[start : start + 1000]),
                    Identity.blocked_at.is_(None),
                )
                .order_by(func.coalesce(Identity.last_inbound_at, Identity.created_at), Identity.id)
            )
            for person_id, channel in rows:
                found[int(person_id)] = str(channel)  # the last one wins
        return found
