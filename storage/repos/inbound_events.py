"""Raw webhook bodies, stored before they are processed (``inbound_events``).

A webhook stores the body and answers the platform at once; a processor claims the stored
events in arrival order, handles them and marks them processed. Status while processing:
``new`` -> ``processing`` -> ``processed`` (or back to ``new`` for a retry, or ``failed`` after
the last attempt). While an event is ``processing``, ``processed_at`` holds the claim time, so a
claim left behind by a crashed process can be taken over after a while.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update

from storage.models import InboundEvent
from storage.repos._base import Repository, changed, insert_id, require_aware

NEW = "new"
PROCESSING = "processing"
PROCESSED = "processed"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class InboundEventRecord:
    id: int
    channel: str
    body: str
    attempts: int  # including the current one
    received_at: dt.datetime


class InboundEventRepository(Repository):
    async def add(self, channel: str, body: str, now: dt.datetime) -> int:
        """Store one raw body as ``new``; its id."""
        return await insert_id(
            self._session,
            InboundEvent,
            channel=channel,
            body=body,
            status=NEW,
            attempts=0,
            received_at=require_aware(now),
        )

    async def claim(
        self,
        channel: str,
        now: dt.datetime,
        *,
        limit: int = 20,
        stale_after: dt.timedelta = dt.timedelta(minutes=5),
    ) -> list[InboundEventRecord]:
        """Take up to ``limit`` waiting events of ``channel``, oldest first, and mark them
        ``processing``. A ``processing`` claim older than ``stale_after`` is taken over.
        On PostgreSQL, rows another transaction is claiming are skipped (SKIP LOCKED)."""
        now = require_aware(now)
        waiting = and_(
            InboundEvent.channel == channel,
            or_(
                InboundEvent.status == NEW,
                and_(
                    InboundEvent.status == PROCESSING,
                    InboundEvent.processed_at < now - stale_after,
                ),
            ),
        )
        query = select(InboundEvent.id).where(waiting).order_by(InboundEvent.id).limit(limit)
        if self._dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list((await self._session.execute(query)).scalars())
        if not ids:
            return []
        rows = await self._session.execute(
            update(InboundEvent)
            .where(InboundEvent.id.in_(ids))
            .values(
                status=PROCESSING,
                processed_at=now,
                attempts=InboundEvent.attempts + 1,
            )
            .returning(
                InboundEvent.id,
                InboundEvent.channel,
                InboundEvent.body,
                InboundEvent.attempts,
                InboundEvent.received_at,
            ),
            execution_options={"synchronize_session": False},
        )
        return sorted((InboundEventRecord(*row) for row in rows), key=lambda r: r.id)

    async def mark_processed(self, event_id: int, now: dt.datetime) -> bool:
        return bool(
            await changed(
                self._session,
                update(InboundEvent)
                .where(InboundEvent.id == event_id)
                .values(status=PROCESSED, processed_at=require_aware(now), error=None)
                .returning(InboundEvent.id),
            )
        )

    async def mark_failed(
        self, event_id: int, now: dt.datetime, error: str, *, retry: bool
    ) -> bool:
        """Record a failure: back to ``new`` when ``retry`` (it is claimed again, in order),
        else ``failed`` for good."""
        return bool(
            await changed(
                self._session,
                update(InboundEvent)
                .where(InboundEvent.id == event_id)
                .values(
                    status=NEW if retry else FAILED,
                    processed_at=None if retry else require_aware(now),
                    error=error[:1000],
                )
                .returning(InboundEvent.id),
            )
        )

    async def release(self, event_ids: list[int]) -> int:
        """Give claimed events back untouched (their turn comes again, attempt not counted)."""
        if not event_ids:
            return 0
        return await changed(
            self._session,
            update(InboundEvent)
            .where(InboundEvent.id.in_(event_ids), InboundEvent.status == PROCESSING)
            .values(status=NEW, processed_at=None, attempts=InboundEvent.attempts - 1)
            .returning(InboundEvent.id),
        )

    async def prune(self, older_than: dt.datetime, *, channel: str | None = None) -> int:
        """Forget the events received before ``older_than`` that are done with, processed or
        failed for good (of ``channel``, or of every channel); those waiting stay."""
        query = delete(InboundEvent).where(
            InboundEvent.status.in_((PROCESSED, FAILED)),
            InboundEvent.received_at < require_aware(older_than),
        )
        if channel is not None:
            query = query.where(InboundEvent.channel == channel)
        return await changed(self._session, query.returning(InboundEvent.id))

    async def count(self, channel: str, status: str | None = None) -> int:
        query = select(InboundEvent.id).where(InboundEvent.channel == channel)
        if status is not None:
            query = query.where(InboundEvent.status == status)
        return len((await self._session.execute(query)).all())
