"""Deadlines (SIKS-NG cut-offs Dinsos sets), who they concern, and what was planned for them.

Every edit bumps ``revision``; reminders are outbox rows whose campaign names the deadline, the
occurrence, the revision and the step (``deadline:12:2027-01:r2:T-3``), so this repository also
reads back the rows planned for an occurrence (:meth:`DeadlineRepository.planned`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from storage.models import Deadline, OutboxMessage
from storage.repos._base import Repository, changed, insert_id, overlaps, require_aware

__all__ = [
    "DeadlineRecord",
    "DeadlineRepository",
    "PlannedMessage",
]


@dataclass(frozen=True, slots=True)
class DeadlineRecord:
    id: int
    title: str
    note: str
    region_code: str
    roles: tuple[str, ...]
    due_at: dt.datetime  # the first occurrence (UTC)
    recurrence: dict[str, Any] | None
    offsets: tuple[int, ...]
    remind_time: str  # "08:00", local time of each recipient
    revision: int
    created_by: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    cancelled_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.cancelled_at is None


@dataclass(frozen=True, slots=True)
class PlannedMessage:
    person_id: int
    campaign: str
    status: str
    expires_at: dt.datetime | None


_COLUMNS = (
    Deadline.id,
    Deadline.title,
    Deadline.note,
    Deadline.region_code,
    Deadline.roles,
    Deadline.due_at,
    Deadline.recurrence,
    Deadline.offsets,
    Deadline.remind_time,
    Deadline.revision,
    Deadline.created_by,
    Deadline.created_at,
    Deadline.updated_at,
    Deadline.cancelled_at,
)


def _record(row: Any) -> DeadlineRecord:
    values = dict(zip(DeadlineRecord.__dataclass_fields__, row, strict=True))
    values["roles"] = tuple(values["roles"] or ())
    values["offsets"] = tuple(int(x) for x in values["offsets"] or ())
    return DeadlineRecord(**values)


class DeadlineRepository(Repository):
    # ---- writing ------------------------------------------------------------------------------

    async def add(
        self,
        *,
        title: str,
        region_code: str,
        roles: Sequence[str],
        due_at: dt.datetime,
        offsets: Sequence[int],
        remind_time: str,
        recurrence: dict[str, Any] | None,
        note: str,
        created_by: int | None,
        now: dt.datetime,
    ) -> int:
        now = require_aware(now)
        return await insert_id(
            self._session,
            Deadline,
            title=title,
            note=note,
            region_code=region_code,
            roles=list(roles),
            due_at=require_aware(due_at),
            recurrence=recurrence,
            offsets=list(offsets),
            remind_time=remind_time,
            revision=1,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )

    async def update(
        self,
        deadline_id: int,
        *,
        title: str,
        region_code: str,
        roles: Sequence[str],
        due_at: dt.datetime,
        offsets: Sequence[int],
        remind_time: str,
        recurrence: dict[str, Any] | None,
        note: str,
        now: dt.datetime,
    ) -> int | None:
        """Replace the fields of an active deadline; its new revision, None when it is not
        there or cancelled."""
        result = await self._session.execute(
            update(Deadline)
            .where(Deadline.id == deadline_id, Deadline.cancelled_at.is_(None))
            .values(
                title=title,
                note=note,
                region_code=region_code,
                roles=list(roles),
                due_at=require_aware(due_at),
                recurrence=recurrence,
                offsets=list(offsets),
                remind_time=remind_time,
                revision=Deadline.revision + 1,
                updated_at=require_aware(now),
            )
            .returning(Deadline.revision),
            execution_options={"synchronize_session": False},
        )
        revision = result.scalar_one_or_none()
        return int(revision) if revision is not None else None

    async def cancel(self, deadline_id: int, now: dt.datetime) -> bool:
        return bool(
            await changed(
                self._session,
                update(Deadline)
                .where(Deadline.id == deadline_id, Deadline.cancelled_at.is_(None))
                .values(cancelled_at=require_aware(now), updated_at=now)
                .returning(Deadline.id),
            )
        )

    # ---- reading ------------------------------------------------------------------------------

    async def get(self, deadline_id: int, *, lock: bool = False) -> DeadlineRecord | None:
        """One deadline. ``lock`` holds its row until the transaction ends (``SELECT ... FOR
        UPDATE`` on PostgreSQL; SQLite has one writer at a time and ignores it): the planner,
        an edit and a cancel take it first, so none of them acts on a deadline another one
        changes meanwhile (a cancel committed while a planning round still read the deadline
        as active would miss the rows that round inserts)."""
        stmt = select(*_COLUMNS).where(Deadline.id == deadline_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self._session.execute(stmt)).first()
        return _record(row) if row else None

    async def all(self, *, cancelled: bool = False) -> list[DeadlineRecord]:
        """Every deadline (cancelled ones only when ``cancelled``), oldest first."""
        stmt = select(*_COLUMNS)
        if not cancelled:
            stmt = stmt.where(Deadline.cancelled_at.is_(None))
        rows = await self._session.execute(stmt.order_by(Deadline.id))
        return [_record(r) for r in rows]

    async def active(self, since: dt.datetime) -> list[DeadlineRecord]:
        """Deadlines not cancelled that may still matter: recurring ones, and one-off ones due
        at or after ``since``."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                Deadline.cancelled_at.is_(None),
                or_(Deadline.recurrence.is_not(None), Deadline.due_at >= require_aware(since)),
            )
            .order_by(Deadline.id)
        )
        return [_record(r) for r in rows]

    async def overlapping(
        self, region_code: str, *, since: dt.datetime | None = None, cancelled: bool = False
    ) -> list[DeadlineRecord]:
        """Deadlines of ``region_code``, of a region inside it or of a region containing it
        (a kabupaten-wide deadline concerns every village), oldest first. ``since`` drops
        one-off deadlines due before it; cancelled ones only when ``cancelled``."""
        stmt = select(*_COLUMNS).where(overlaps(Deadline.region_code, region_code))
        if not cancelled:
            stmt = stmt.where(Deadline.cancelled_at.is_(None))
        if since is not None:
            stmt = stmt.where(
                or_(Deadline.recurrence.is_not(None), Deadline.due_at >= require_aware(since))
            )
        rows = await self._session.execute(stmt.order_by(Deadline.id))
        return [_record(r) for r in rows]

    async def any_planned(self, campaign_prefix: str) -> bool:
        """True when an outbox row exists for a campaign starting with ``campaign_prefix``."""
        found = await self._session.execute(
            select(OutboxMessage.id)
            .where(OutboxMessage.campaign.startswith(campaign_prefix, autoescape=True))
            .limit(1)
        )
        return found.first() is not None

    async def planned(self, campaign_prefix: str) -> list[PlannedMessage]:
        """The outbox rows of every campaign starting with ``campaign_prefix`` (one occurrence
        of a deadline: ``deadline:12:2027-01:``), whatever their status."""
        rows = await self._session.execute(
            select(
                OutboxMessage.person_id,
                OutboxMessage.campaign,
                OutboxMessage.status,
                OutboxMessage.expires_at,
            ).where(OutboxMessage.campaign.startswith(campaign_prefix, autoescape=True))
        )
        return [PlannedMessage(int(p), str(c), str(s), e) for p, c, s, e in rows]
