"""Deduplication of inbound platform updates on (channel, platform id)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, select, text

from storage.models import ProcessedInbound, UtcDateTime
from storage.repos._base import Repository, prepared, require_aware

# One per update: written as text because SQLAlchemy 2.0 cannot cache the compiled form of
# on_conflict_do_nothing() (it would compile it on every call); the same SQL runs on SQLite and
# PostgreSQL.
_CLAIM = prepared(
    text(
        "INSERT INTO processed_inbound (channel, platform_id, processed_at) "
        "VALUES (:channel, :platform_id, :processed_at) "
        "ON CONFLICT (channel, platform_id) DO NOTHING RETURNING platform_id"
    ).bindparams(bindparam("processed_at", type_=UtcDateTime()))
)


class InboundRepository(Repository):
    async def claim(self, channel: str, platform_id: str, now: dt.datetime) -> bool:
        """True when this update is new: it is recorded in the current transaction (a rollback
        releases it). False when it was already processed, or another transaction holds it and
        commits (PostgreSQL waits for that transaction; SQLite has a single writer)."""
        processed_at = require_aware(now)
        params = {"channel": channel, "platform_id": platform_id, "processed_at": processed_at}
        result = await self._session.execute(_CLAIM, params)
        return result.first() is not None

    async def seen(self, channel: str, platform_id: str) -> bool:
        """Whether this update was handled already (read only: nothing is claimed)."""
        found = await self._session.scalar(
            select(ProcessedInbound.platform_id).where(
                ProcessedInbound.channel == channel, ProcessedInbound.platform_id == platform_id
            )
        )
        return found is not None

    async def prune(self, older_than: dt.datetime) -> int:
        """Forget updates processed before ``older_than``; the number forgotten."""
        result = await self._session.execute(
            delete(ProcessedInbound)
            .where(ProcessedInbound.processed_at < require_aware(older_than))
            .returning(ProcessedInbound.platform_id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())
