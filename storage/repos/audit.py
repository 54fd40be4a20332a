"""The audit log: who did what to which record, with before and after values."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any

from sqlalchemy import select

from storage.models import AuditEntry
from storage.records import AuditRecord
from storage.repos._base import Repository, insert_id, require_aware

_COLUMNS = (
    AuditEntry.id,
    AuditEntry.at,
    AuditEntry.person_id,
    AuditEntry.channel,
    AuditEntry.action,
    AuditEntry.entity,
    AuditEntry.entity_id,
    AuditEntry.region_code,
    AuditEntry.before,
    AuditEntry.after,
    AuditEntry.detail,
)


class AuditRepository(Repository):
    async def add(
        self,
        action: str,
        entity: str,
        entity_id: str,
        now: dt.datetime,
        person_id: int | None = None,
        channel: str | None = None,
        region_code: str | None = None,
        before: Any = None,
        after: Any = None,
        detail: str | None = None,
    ) -> int:
        return await insert_id(
            self._session,
            AuditEntry,
            at=require_aware(now),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            person_id=person_id,
            channel=channel,
            region_code=region_code,
            before=before,
            after=after,
            detail=detail,
        )

    async def list(
        self, entity: str | None = None, entity_id: str | None = None
    ) -> builtins.list[AuditRecord]:
        """Entries oldest first, optionally for one entity type and id."""
        stmt = select(*_COLUMNS).order_by(AuditEntry.id)
        if entity is not None:
            stmt = stmt.where(AuditEntry.entity == entity)
        if entity_id is not None:
            stmt = stmt.where(AuditEntry.entity_id == str(entity_id))
        return [AuditRecord(*row) for row in await self._session.execute(stmt)]
