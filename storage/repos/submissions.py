"""Submissions: the answers of a completed form and the changes they made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from storage.models import Submission
from storage.records import SubmissionRecord
from storage.repos._base import Repository, in_region, insert_id, require_aware

_COLUMNS = (
    Submission.id,
    Submission.session_id,
    Submission.person_id,
    Submission.channel,
    Submission.form_id,
    Submission.form_version,
    Submission.household_id,
    Submission.region_code,
    Submission.answers,
    Submission.changes,
    Submission.created_at,
)


class SubmissionRepository(Repository):
    async def add(
        self,
        session_id: int | None,
        person_id: int,
        channel: str,
        form_id: str,
        form_version: int,
        household_id: int | None,
        region_code: str,
        answers: dict[str, Any],
        changes: list[dict[str, Any]],
        now: dt.datetime,
    ) -> int:
        return await insert_id(
            self._session,
            Submission,
            session_id=session_id,
            person_id=person_id,
            channel=channel,
            form_id=form_id,
            form_version=form_version,
            household_id=household_id,
            region_code=region_code,
            answers=answers,
            changes=changes,
            created_at=require_aware(now),
        )

    async def list_for_region(
        self, region_prefix: str, since: dt.datetime | None = None
    ) -> list[SubmissionRecord]:
        """Submissions in the region or below, oldest first; from ``since`` on when given."""
        stmt = (
            select(*_COLUMNS)
            .where(in_region(Submission.region_code, region_prefix))
            .order_by(Submission.created_at, Submission.id)
        )
        if since is not None:
            stmt = stmt.where(Submission.created_at >= require_aware(since))
        return [SubmissionRecord(*row) for row in await self._session.execute(stmt)]

    async def get(self, submission_id: int) -> SubmissionRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(Submission.id == submission_id))
        ).first()
        return SubmissionRecord(*row) if row else None

    async def for_household(self, household_id: int) -> list[SubmissionRecord]:
        """Every submission about one household, oldest first (its history)."""
        stmt = (
            select(*_COLUMNS)
            .where(Submission.household_id == household_id)
            .order_by(Submission.created_at, Submission.id)
        )
        return [SubmissionRecord(*row) for row in await self._session.execute(stmt)]
