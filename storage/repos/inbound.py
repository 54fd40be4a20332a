"""Deduplication of inbound platform updates on (channel, platform id)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete

from storage.models import ProcessedInbound
from storage.repos._base import Repository, require_aware


class InboundRepository(Repository):
    async def claim(self, channel: str, platform_id: str, now: dt.datetime) -> bool:
        """True when this update is new: it is recorded in the current transaction (a rollback
        releases it). False when it was already processed, or another transaction holds it and
        commits (PostgreSQL waits for that transaction; SQLite has a single writer)."""
        stmt = (
            self._upsert_insert(ProcessedInbound)
            .values(channel=channel, platform_id=platform_id, processed_at=require_aware(now))
            .on_conflict_do_nothing(
                index_elements=[ProcessedInbound.channel, ProcessedInbound.platform_id]
            )
            .returning(ProcessedInbound.platform_id)
        )
        result = await self._session.execute(stmt)
        return result.first() is not None

    async def prune(self, older_than: dt.datetime) -> int:
        """Forget updates processed before ``older_than``; the number forgotten."""
        result = await self._session.execute(
            delete(ProcessedInbound)
            .where(ProcessedInbound.processed_at < require_aware(older_than))
            .returning(ProcessedInbound.platform_id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())
