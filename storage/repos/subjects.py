"""Households as data subjects (UU PDP): finding them by a NIK, what was saved about them and
by whom, and restricting them at their subject's request.

A restricted household (``households.restricted_at``) is left out of the SIKS-NG export, the
operators' search and pending list, and the progress counts; Dinsos still finds it here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from storage.models import Household, Member, Person, Submission
from storage.repos._base import Repository, changed, require_aware

__all__ = ["SubjectChange", "SubjectHousehold", "SubjectRepository"]


@dataclass(frozen=True, slots=True)
class SubjectHousehold:
    id: int
    region_code: str
    head_name: str
    no_kk: str | None
    status: str
    source: str
    created_at: dt.datetime
    restricted_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class SubjectChange:
    """A form saved about the household: who, when, through which channel, what changed."""

    submission_id: int
    household_id: int
    at: dt.datetime
    person_id: int
    person_name: str
    channel: str
    form_id: str
    fields: tuple[str, ...]  # the labels of the fields changed


_HOUSEHOLD = (
    Household.id,
    Household.region_code,
    Household.head_name,
    Household.no_kk,
    Household.status,
    Household.source,
    Household.created_at,
    Household.restricted_at,
)


class SubjectRepository(Repository):
    async def households_of(self, number: str) -> list[SubjectHousehold]:
        """Households with a member whose NIK is ``number``, or whose No. KK it is."""
        member = select(Member.id).where(Member.household_id == Household.id, Member.nik == number)
        rows = await self._session.execute(
            select(*_HOUSEHOLD)
            .where(or_(member.exists(), Household.no_kk == number))
            .order_by(Household.id)
        )
        return [SubjectHousehold(*row) for row in rows]

    async def get(self, household_id: int) -> SubjectHousehold | None:
        row = (
            await self._session.execute(select(*_HOUSEHOLD).where(Household.id == household_id))
        ).first()
        return SubjectHousehold(*row) if row else None

    async def changes_of(self, household_ids: Sequence[int]) -> list[SubjectChange]:
        """Every form saved about these households, oldest first, with who saved it (the
        name as it is now: a pseudonym once that person had their data erased)."""
        if not household_ids:
            return []
        rows = await self._session.execute(
            select(
                Submission.id,
                Submission.household_id,
                Submission.created_at,
                Submission.person_id,
                Person.name,
                Submission.channel,
                Submission.form_id,
                Submission.changes,
            )
            .join(Person, Person.id == Submission.person_id)
            .where(Submission.household_id.in_(list(household_ids)))
            .order_by(Submission.created_at, Submission.id)
        )
        found = []
        for sid, hid, at, pid, name, channel, form_id, changes in rows:
            labels = tuple(
                str(c.get("label") or c.get("path") or "?")
                for c in (changes or [])
                if isinstance(c, dict)
            )
            found.append(SubjectChange(sid, hid, at, pid, name, channel, form_id, labels))
        return found

    async def names(self, person_ids: Sequence[int]) -> dict[int, str]:
        """People's names (as they are now) by id."""
        ids = sorted(set(person_ids))
        if not ids:
            return {}
        rows = await self._session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
        return {int(pid): str(name) for pid, name in rows}

    async def restrict(self, household_ids: Sequence[int], by: int | None, now: dt.datetime) -> int:
        """Restrict the households not restricted yet; how many were."""
        if not household_ids:
            return 0
        return await changed(
            self._session,
            update(Household)
            .where(Household.id.in_(list(household_ids)), Household.restricted_at.is_(None))
            .values(restricted_at=require_aware(now), restricted_by=by)
            .returning(Household.id),
        )

    async def unrestrict(self, household_ids: Sequence[int]) -> int:
        """Lift the restriction of those households that have one; how many."""
        if not household_ids:
            return 0
        return await changed(
            self._session,
            update(Household)
            .where(Household.id.in_(list(household_ids)), Household.restricted_at.is_not(None))
            .values(restricted_at=None, restricted_by=None)
            .returning(Household.id),
        )
