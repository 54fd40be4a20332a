"""Problem reports ("Lapor kendala") from operators to Dinsos."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update

from storage.models import ProblemReport
from storage.repos._base import Repository, changed, in_region, insert_id, require_aware

__all__ = ["ProblemReportRecord", "ProblemReportRepository"]


@dataclass(frozen=True, slots=True)
class ProblemReportRecord:
    id: int
    person_id: int
    channel: str
    region_code: str
    household_id: int | None
    submission_id: int | None
    category: str
    text: str
    photo_ref: str | None
    status: str
    created_at: dt.datetime
    answered_at: dt.datetime | None
    answered_by: int | None
    answer: str | None


_COLUMNS = (
    ProblemReport.id,
    ProblemReport.person_id,
    ProblemReport.channel,
    ProblemReport.region_code,
    ProblemReport.household_id,
    ProblemReport.submission_id,
    ProblemReport.category,
    ProblemReport.text,
    ProblemReport.photo_ref,
    ProblemReport.status,
    ProblemReport.created_at,
    ProblemReport.answered_at,
    ProblemReport.answered_by,
    ProblemReport.answer,
)


def _in_any(region_prefixes: tuple[str, ...]) -> ColumnElement[bool]:
    if not region_prefixes:
        raise ValueError("at least one region code is needed")
    return or_(*(in_region(ProblemReport.region_code, p) for p in region_prefixes))


class ProblemReportRepository(Repository):
    async def add(
        self,
        person_id: int,
        channel: str,
        region_code: str,
        category: str,
        text: str,
        now: dt.datetime,
        *,
        photo_ref: str | None = None,
        household_id: int | None = None,
        submission_id: int | None = None,
    ) -> int:
        return await insert_id(
            self._session,
            ProblemReport,
            person_id=person_id,
            channel=channel,
            region_code=region_code,
            category=category,
            text=text,
            photo_ref=photo_ref,
            household_id=household_id,
            submission_id=submission_id,
            status="open",
            created_at=require_aware(now),
        )

    async def get(self, report_id: int) -> ProblemReportRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(ProblemReport.id == report_id))
        ).first()
        return ProblemReportRecord(*row) if row else None

    async def open_in(self, *region_prefixes: str, limit: int = 20) -> list[ProblemReportRecord]:
        """Open reports in any of the regions or below, newest first."""
        stmt = (
            select(*_COLUMNS)
            .where(_in_any(region_prefixes))
            .where(ProblemReport.status == "open")
            .order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc())
            .limit(limit)
        )
        return [ProblemReportRecord(*row) for row in await self._session.execute(stmt)]

    async def inbox(self, *region_prefixes: str, limit: int = 100) -> list[ProblemReportRecord]:
        """Reports in any of the regions or below: the open ones first, then the answered,
        each newest first."""
        stmt = (
            select(*_COLUMNS)
            .where(_in_any(region_prefixes))
            .order_by(
                (ProblemReport.status == "open").desc(),
                ProblemReport.created_at.desc(),
                ProblemReport.id.desc(),
            )
            .limit(limit)
        )
        return [ProblemReportRecord(*row) for row in await self._session.execute(stmt)]

    async def count_open(self, *region_prefixes: str) -> int:
        """How many reports are open in any of the regions or below (each counted once)."""
        stmt = (
            select(func.count())
            .select_from(ProblemReport)
            .where(_in_any(region_prefixes))
            .where(ProblemReport.status == "open")
        )
        return int(await self._session.scalar(stmt) or 0)

    async def answer(self, report_id: int, text: str, by: int, now: dt.datetime) -> bool:
        """Record Dinsos' (latest) answer; the report is then ``answered``."""
        return bool(
            await changed(
                self._session,
                update(ProblemReport)
                .where(ProblemReport.id == report_id)
                .values(
                    answer=text,
                    answered_by=by,
                    answered_at=require_aware(now),
                    status="answered",
                )
                .returning(ProblemReport.id),
            )
        )
