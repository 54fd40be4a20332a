"""Data-quality findings of a region for Dinsos: duplicate NIKs, NIKs that disagree with the
recorded sex or birth date, and households nobody touched since a date.

One query per kind. The NIK / answer check runs as a filter in SQL (string positions of the
NIK's DDMMYY part, women with 40 added to the day), so only the few suspect members leave the
database; the caller confirms each with the NIK parser of ``flows.ids`` (storage does not
import flows, which is also why the placeholder NIKs are passed in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, Text, and_, case, func, or_, select

from storage.models import Household, Member, Region
from storage.repos._base import Repository, in_region, require_aware
from storage.repos.progress import region_chain

__all__ = ["MemberFinding", "QualityRepository", "UntouchedHousehold", "UntouchedVillage"]


@dataclass(frozen=True, slots=True)
class MemberFinding:
    """A member (with its household) that a data-quality check picked out."""

    member_id: int
    nik: str
    name: str
    relation: str
    sex: str | None
    birth_date: dt.date | None
    presence: str
    household_id: int
    region_code: str
    id_dtks: str | None
    no_kk: str | None
    head_name: str
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class UntouchedHousehold:
    household_id: int
    region_code: str
    id_dtks: str | None
    no_kk: str | None
    head_name: str
    rt: str
    rw: str
    status: str
    source: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class UntouchedVillage:
    region_code: str
    households: int
    oldest: dt.datetime  # the longest-ago change among them


_FINDING_COLUMNS = (
    Member.id,
    Member.nik,
    Member.name,
    Member.relation,
    Member.sex,
    Member.birth_date,
    Member.presence,
    Household.id,
    Household.region_code,
    Household.id_dtks,
    Household.no_kk,
    Household.head_name,
    Household.status,
    Household.source,
)
_FEMALE_FIRST_DIGITS = ("4", "5", "6", "7")  # day 41-71
_MALE_FIRST_DIGITS = ("0", "1", "2", "3")  # day 01-31


def _substr(column: SQLColumnExpression[Any], start: int, length: int) -> ColumnElement[str]:
    return func.substr(column, start, length, type_=Text)


class QualityRepository(Repository):
    async def duplicate_niks(self, code: str, ignore: Collection[str] = ()) -> list[MemberFinding]:
        """Every member whose NIK is also recorded for another member (anywhere), for NIKs held
        by at least one member in ``code``; ``ignore`` (the placeholder NIKs) never counts.
        Ordered by NIK, then region and household: each NIK's occurrences are together."""
        usable = and_(Member.nik.is_not(None), Member.nik != "", Member.nik.not_in(list(ignore)))
        in_scope = (
            select(Member.nik)
            .join(Household, Household.id == Member.household_id)
            .where(in_region(Household.region_code, code), usable)
        )
        repeated = (
            select(Member.nik)
            .where(Member.nik.in_(in_scope))
            .group_by(Member.nik)
            .having(func.count() > 1)
        )
        stmt = (
            select(*_FINDING_COLUMNS)
            .join(Household, Household.id == Member.household_id)
            .where(Member.nik.in_(repeated))
            .order_by(Member.nik, Household.region_code, Household.id, Member.position, Member.id)
        )
        return [MemberFinding(*row) for row in await self._session.execute(stmt)]

    async def nik_mismatch_candidates(
        self, code: str, ignore: Collection[str] = ()
    ) -> list[MemberFinding]:
        """Members in ``code`` whose 16-digit NIK encodes another sex than the recorded one, or a
        birth date (DDMMYY, women +40 on the day) other than the recorded one."""
        first = _substr(Member.nik, 7, 1)
        sex_differs = or_(
            and_(Member.sex == "P", first.in_(_MALE_FIRST_DIGITS)),
            and_(Member.sex == "L", first.in_(_FEMALE_FIRST_DIGITS)),
        )
        # The NIK's DDMMYY with the 40 of women taken off the day's first digit.
        day_tens = case(
            dict(zip(_FEMALE_FIRST_DIGITS, _MALE_FIRST_DIGITS, strict=True)),
            value=first,
            else_=first,
        )
        encoded = day_tens.concat(_substr(Member.nik, 8, 5))
        if self._dialect == "postgresql":
            recorded: Any = func.to_char(Member.birth_date, "DDMMYY", type_=Text)
        else:  # SQLite keeps a date as the text YYYY-MM-DD
            born = Member.birth_date
            recorded = _substr(born, 9, 2).concat(_substr(born, 6, 2)).concat(_substr(born, 3, 2))
        date_differs = and_(Member.birth_date.is_not(None), encoded != recorded)
        stmt = (
            select(*_FINDING_COLUMNS)
            .join(Household, Household.id == Member.household_id)
            .where(
                in_region(Household.region_code, code),
                func.length(Member.nik) == 16,
                Member.nik.not_in(list(ignore)),
                or_(sex_differs, date_differs),
            )
            .order_by(Household.region_code, Household.id, Member.position, Member.id)
        )
        return [MemberFinding(*row) for row in await self._session.execute(stmt)]

    async def untouched(
        self, code: str, before: dt.datetime, limit: int | None = None
    ) -> list[UntouchedHousehold]:
        """Households in ``code`` last changed before ``before`` (import counts as a change),
        the longest untouched first; at most ``limit`` of them."""
        stmt = (
            select(
                Household.id,
                Household.region_code,
                Household.id_dtks,
                Household.no_kk,
                Household.head_name,
                Household.rt,
                Household.rw,
                Household.status,
                Household.source,
                Household.updated_at,
            )
            .where(
                in_region(Household.region_code, code),
                Household.updated_at < require_aware(before),
                Household.restricted_at.is_(None),  # restricted: not chased for updates
            )
            .order_by(Household.updated_at, Household.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return [UntouchedHousehold(*row) for row in await self._session.execute(stmt)]

    async def untouched_per_village(self, code: str, before: dt.datetime) -> list[UntouchedVillage]:
        """Per village of ``code``: how many households were last changed before ``before``,
        and the oldest change among them; by village code."""
        stmt = (
            select(Household.region_code, func.count(), func.min(Household.updated_at))
            .where(
                in_region(Household.region_code, code),
                Household.updated_at < require_aware(before),
                Household.restricted_at.is_(None),  # restricted: not chased for updates
            )
            .group_by(Household.region_code)
            .order_by(Household.region_code)
        )
        return [
            UntouchedVillage(region_code, int(count), oldest)
            for region_code, count, oldest in await self._session.execute(stmt)
        ]

    async def region_names(self, codes: Collection[str]) -> dict[str, str]:
        """Names of the regions ``codes`` and of every region around them."""
        wanted = {a for code in codes for a in region_chain(code)}
        if not wanted:
            return {}
        rows = await self._session.execute(
            select(Region.code, Region.name).where(Region.code.in_(sorted(wanted)))
        )
        return {code: name for code, name in rows}
