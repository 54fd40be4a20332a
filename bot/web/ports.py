"""The console's port to the processing log of personal data (UU PDP; issue 18).

Every page that shows personal data (a household with its NIKs, a list of names) and every
download calls :meth:`ProcessingLog.record` once, inside the request's unit of work;
:class:`AuditProcessingLog` writes it to the processing log (and the audit log).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from storage.db import UnitOfWork

__all__ = ["AuditProcessingLog", "ProcessingLog"]


class ProcessingLog(Protocol):
    async def record(
        self,
        uow: UnitOfWork,
        *,
        person_id: int,
        action: str,  # "view" | "download"
        subject: str,  # what: "household:12", "households:18.04.19.2006", "export:18.04"
        region_code: str | None,
        now: dt.datetime,
    ) -> None:
        """Note that ``person_id`` viewed or downloaded ``subject`` through the console."""


class AuditProcessingLog:
    """Writes each view or download to the processing log of personal data
    (``storage.repos.processing``; a download is an ``export``), which the subject report and
    ``DATA SAYA`` read. The audit log keeps the console's own trail as well."""

    async def record(
        self,
        uow: UnitOfWork,
        *,
        person_id: int,
        action: str,
        subject: str,
        region_code: str | None,
        now: dt.datetime,
    ) -> None:
        entity, _, entity_id = subject.partition(":")
        household = int(entity_id) if entity == "household" and entity_id.isdigit() else None
        await uow.processing.add(
            "view" if action == "view" else "export",
            now,
            by=person_id,
            channel="web",
            household_id=household,
            region_code=region_code,
            detail=subject,
        )
        await uow.audit.add(
            f"personal_data.{action}",
            entity,
            entity_id,
            now,
            person_id=person_id,
            channel="web",
            region_code=region_code,
        )
