"""The record of processing (UU PDP): who viewed, exported, changed, restricted or deleted
personal data, when and through which channel.

Written by the use cases, one insert in the unit of work they already run (no read back, no
id returned: the cheapest statement there is). Read by the subject report (``kawal subject
report NIK``) and by a person's own ``DATA SAYA``.
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select

from flows.regions import ancestors_of
from storage.models import ProcessingEntry
from storage.repos._base import Repository, prepared, require_aware

__all__ = ["ACTIONS", "ProcessingLogRepository", "ProcessingRecord"]

ACTIONS = (
    "view",  # a household card opened (a search result chosen), a person's card opened
    "change",  # a household saved through a form
    "export",  # a region's households written to a file (SIKS-NG export, quality workbook)
    "report",  # a subject report made about a household
    "restrict",  # a household restricted at its subject's request
    "unrestrict",
    "erase",  # a person's own data erased (HAPUS DATA SAYA)
    "delete",  # a person who declined the data notice deleted
)

_COLUMNS = (
    ProcessingEntry.id,
    ProcessingEntry.at,
    ProcessingEntry.action,
    ProcessingEntry.person_id,
    ProcessingEntry.channel,
    ProcessingEntry.household_id,
    ProcessingEntry.region_code,
    ProcessingEntry.subject_person_id,
    ProcessingEntry.detail,
)
_ADD = prepared(
    insert(ProcessingEntry).values(
        at=bindparam("at"),
        action=bindparam("action"),
        person_id=bindparam("person_id"),
        channel=bindparam("channel"),
        household_id=bindparam("household_id"),
        region_code=bindparam("region_code"),
        subject_person_id=bindparam("subject_person_id"),
        detail=bindparam("detail"),
    )
)


@dataclass(frozen=True, slots=True)
class ProcessingRecord:
    id: int
    at: dt.datetime
    action: str
    person_id: int | None  # who did it (None: the command line)
    channel: str
    household_id: int | None
    region_code: str | None
    subject_person_id: int | None
    detail: str | None


class ProcessingLogRepository(Repository):
    async def add(
        self,
        action: str,
        now: dt.datetime,
        *,
        by: int | None,
        channel: str,
        household_id: int | None = None,
        region_code: str | None = None,
        subject_person_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        """Record one act on personal data (``action`` one of :data:`ACTIONS`)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown processing action {action!r}; one of {ACTIONS}")
        params = {
            "at": require_aware(now),
            "action": action,
            "person_id": by,
            "channel": channel,
            "household_id": household_id,
            "region_code": region_code,
            "subject_person_id": subject_person_id,
            "detail": detail[:200] if detail else None,
        }
        await self._session.execute(_ADD, params)

    async def for_households(self, household_ids: Sequence[int]) -> builtins.list[ProcessingRecord]:
        """Everything recorded about these households, oldest first."""
        if not household_ids:
            return []
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(ProcessingEntry.household_id.in_(list(household_ids)))
            .order_by(ProcessingEntry.at, ProcessingEntry.id)
        )
        return [ProcessingRecord(*row) for row in rows]

    async def exports_covering(
        self, region_code: str, since: dt.datetime
    ) -> builtins.list[ProcessingRecord]:
        """Exports since ``since`` of ``region_code`` or of a region containing it (each of
        them held the households of ``region_code``), oldest first."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(
                ProcessingEntry.action == "export",
                ProcessingEntry.region_code.in_([region_code, *ancestors_of(region_code)]),
                ProcessingEntry.at >= require_aware(since),
            )
            .order_by(ProcessingEntry.at, ProcessingEntry.id)
        )
        return [ProcessingRecord(*row) for row in rows]

    async def about_person(self, person_id: int) -> builtins.list[ProcessingRecord]:
        """What was done with a person's own data (their card viewed, erased), oldest first."""
        rows = await self._session.execute(
            select(*_COLUMNS)
            .where(ProcessingEntry.subject_person_id == person_id)
            .order_by(ProcessingEntry.at, ProcessingEntry.id)
        )
        return [ProcessingRecord(*row) for row in rows]

    async def count_by(self, person_id: int) -> dict[str, int]:
        """How many acts of each kind ``person_id`` did (views, changes, exports...)."""
        rows = await self._session.execute(
            select(ProcessingEntry.action, func.count())
            .where(ProcessingEntry.person_id == person_id)
            .group_by(ProcessingEntry.action)
        )
        return {str(action): int(count) for action, count in rows}
