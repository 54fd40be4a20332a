"""Households and their members, as imported from SIKS-NG lists or proposed in the field."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, not_, or_, select, update

from storage.models import Household, Member
from storage.records import (
    HOUSEHOLD_SOURCES,
    HOUSEHOLD_STATUSES,
    HouseholdRecord,
    MemberHit,
    MemberRecord,
)
from storage.repos._base import (
    Repository,
    changed,
    in_region,
    in_region_bound,
    insert_id,
    prepared,
    region_params,
    require_aware,
)

__all__ = ["HOUSEHOLD_FIELDS", "MEMBER_FIELDS", "HouseholdRepository"]

HOUSEHOLD_FIELDS = frozenset({"head_name", "address", "rt", "rw", "no_kk", "data"})
"""Fields ``update_fields`` may change."""
MEMBER_FIELDS = frozenset(
    {
        "position",
        "idsemesta",
        "nik",
        "name",
        "relation",
        "sex",
        "birth_date",
        "marital_status",
        "presence",
        "data",
    }
)
"""Fields ``update_member`` may change."""

_HOUSEHOLD_COLUMNS = (
    Household.id,
    Household.region_code,
    Household.id_dtks,
    Household.no_kk,
    Household.head_name,
    Household.address,
    Household.rt,
    Household.rw,
    Household.status,
    Household.source,
    Household.data,
    Household.created_at,
    Household.updated_at,
    Household.updated_by,
)
_MEMBER_COLUMNS = (
    Member.id,
    Member.household_id,
    Member.position,
    Member.idsemesta,
    Member.nik,
    Member.name,
    Member.relation,
    Member.sex,
    Member.birth_date,
    Member.marital_status,
    Member.presence,
    Member.data,
)


def _check(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; one of {tuple(allowed)}")
    return value


# One household with its members (several times per form): built once, compiled once.
_GET = prepared(select(*_HOUSEHOLD_COLUMNS).where(Household.id == bindparam("household_id")))
# Where a household lies now (every step of a household form checks the operator's scope).
_REGION_OF = prepared(
    select(Household.region_code).where(Household.id == bindparam("household_id"))
)
_MEMBERS_OF_ONE = prepared(
    select(*_MEMBER_COLUMNS)
    .where(Member.household_id == bindparam("household_id"))
    .order_by(Member.position, Member.id)
)

# The household search (once per form): a name inside the head's or a member's name, a NIK or
# a No. KK. Each value has its own bind parameter so the statement can be prepared.
_LIKE_ESCAPE = "/"
_SEARCH = prepared(
    select(*_HOUSEHOLD_COLUMNS)
    .where(
        in_region_bound(Household.region_code),
        Household.restricted_at.is_(None),  # restricted at its subject's request
        or_(
            func.lower(Household.head_name).like(bindparam("head_pattern"), escape=_LIKE_ESCAPE),
            Household.no_kk == bindparam("no_kk"),
            select(Member.id)
            .where(
                Member.household_id == Household.id,
                or_(
                    func.lower(Member.name).like(bindparam("member_pattern"), escape=_LIKE_ESCAPE),
                    Member.nik == bindparam("nik"),
                ),
            )
            .exists(),
        ),
    )
    .order_by(Household.head_name, Household.id)
    .limit(bindparam("limit"))
)


def _contains_pattern(text: str) -> str:
    """LIKE pattern for "contains ``text``" (its ``%``, ``_`` and ``/`` taken literally)."""
    escaped = text.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
    escaped = escaped.replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def _member(row: Row[Any]) -> MemberRecord:
    return MemberRecord(*row)


def _household(row: Row[Any], members: tuple[MemberRecord, ...]) -> HouseholdRecord:
    return HouseholdRecord(
        id=row.id,
        region_code=row.region_code,
        id_dtks=row.id_dtks,
        no_kk=row.no_kk,
        head_name=row.head_name,
        address=row.address,
        rt=row.rt,
        rw=row.rw,
        status=row.status,
        source=row.source,
        data=row.data,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        members=members,
    )


class HouseholdRepository(Repository):
    async def add(
        self,
        region_code: str,
        head_name: str,
        no_kk: str | None,
        id_dtks: str | None,
        address: str,
        rt: str,
        rw: str,
        status: str = "pending",
        source: str = "import",
        data: Mapping[str, Any] | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """A new household; ``now`` is required (last only because of the optional fields)."""
        now = require_aware(now)
        return await insert_id(
            self._session,
            Household,
            region_code=region_code,
            head_name=head_name,
            no_kk=no_kk,
            id_dtks=id_dtks,
            address=address,
            rt=rt,
            rw=rw,
            status=_check(status, HOUSEHOLD_STATUSES, "household status"),
            source=_check(source, HOUSEHOLD_SOURCES, "household source"),
            data=dict(data or {}),
            created_at=now,
            updated_at=now,
        )

    async def add_member(
        self,
        household_id: int,
        position: int,
        name: str,
        nik: str | None,
        relation: str,
        sex: str | None,
        birth_date: dt.date | None,
        idsemesta: str | None = None,
        marital_status: str | None = None,
        presence: str = "tinggal",
        data: Mapping[str, Any] | None = None,
    ) -> int:
        return await insert_id(
            self._session,
            Member,
            household_id=household_id,
            position=position,
            name=name,
            nik=nik,
            relation=relation,
            sex=sex,
            birth_date=birth_date,
            idsemesta=idsemesta,
            marital_status=marital_status,
            presence=presence,
            data=dict(data or {}),
        )

    async def get(self, household_id: int) -> HouseholdRecord | None:
        params = {"household_id": household_id}
        row = (await self._session.execute(_GET, params)).first()
        if row is None:
            return None
        return await self._with_members(row)

    async def region_of(self, household_id: int) -> str | None:
        """The region code of the household now (None when there is no such household)."""
        params = {"household_id": household_id}
        return (await self._session.execute(_REGION_OF, params)).scalar_one_or_none()

    async def search(
        self, region_prefix: str, query: str, limit: int = 10
    ) -> list[HouseholdRecord]:
        """Households in ``region_prefix`` whose head or a member's name contains ``query``
        (case-insensitive), or with a member whose NIK is ``query``, or whose No. KK is ``query``;
        restricted households are never found."""
        text = " ".join(query.split())
        if not text:
            return []
        pattern = _contains_pattern(text.lower())
        params = {
            **region_params(region_prefix),
            "head_pattern": pattern,
            "no_kk": text,
            "member_pattern": pattern,
            "nik": text,
            "limit": limit,
        }
        rows = (await self._session.execute(_SEARCH, params)).all()
        # One prepared statement per household found (at most ``limit``) costs less than
        # building an IN list for them.
        return [await self._with_members(row) for row in rows]

    async def pending(self, region_code: str, offset: int, limit: int) -> list[HouseholdRecord]:
        """Households still ``pending`` in the region (or below), by head name; restricted
        ones are left out."""
        stmt = (
            select(*_HOUSEHOLD_COLUMNS)
            .where(
                in_region(Household.region_code, region_code),
                Household.status == "pending",
                Household.restricted_at.is_(None),
            )
            .order_by(Household.head_name, Household.id)
            .offset(offset)
            .limit(limit)
        )
        return await self._fetch(stmt)

    async def page(
        self, region_prefix: str, status: str | None, offset: int, limit: int
    ) -> tuple[list[HouseholdRecord], int]:
        """One page of the households in the region (or below), by head name, without their
        members, and how many there are in all (the web console's list)."""
        where = [in_region(Household.region_code, region_prefix)]
        if status is not None:
            where.append(Household.status == _check(status, HOUSEHOLD_STATUSES, "status"))
        total = (
            await self._session.execute(select(func.count(Household.id)).where(*where))
        ).scalar_one()
        stmt = (
            select(*_HOUSEHOLD_COLUMNS)
            .where(*where)
            .order_by(Household.head_name, Household.id)
            .offset(offset)
            .limit(limit)
        )
        rows = (await self._session.execute(stmt)).all()
        return [_household(row, ()) for row in rows], int(total)

    async def count_by_status(self, region_prefix: str) -> dict[str, int]:
        """Number of households per status in the region (every status present, zero or more);
        restricted households are not counted."""
        counts = dict.fromkeys(HOUSEHOLD_STATUSES, 0)
        rows = await self._session.execute(
            select(Household.status, func.count())
            .where(
                in_region(Household.region_code, region_prefix),
                Household.restricted_at.is_(None),
            )
            .group_by(Household.status)
        )
        for status, count in rows:
            counts[status] = int(count)
        return counts

    async def set_status(
        self, household_id: int, status: str, person_id: int | None, now: dt.datetime
    ) -> bool:
        return await self._update(
            household_id,
            {"status": _check(status, HOUSEHOLD_STATUSES, "household status")},
            person_id,
            now,
        )

    async def update_fields(
        self,
        household_id: int,
        fields: Mapping[str, Any],
        person_id: int | None,
        now: dt.datetime,
    ) -> bool:
        """Change some of head_name, address, rt, rw, no_kk, data; False if no such household."""
        unknown = set(fields) - HOUSEHOLD_FIELDS
        if unknown:
            raise ValueError(f"cannot update household fields {sorted(unknown)}")
        values = dict(fields)
        if "data" in values:
            values["data"] = dict(values["data"] or {})
        return await self._update(household_id, values, person_id, now)

    async def update_member(self, member_id: int, fields: Mapping[str, Any]) -> bool:
        """Change some member fields (see ``MEMBER_FIELDS``); False if no such member."""
        unknown = set(fields) - MEMBER_FIELDS
        if unknown:
            raise ValueError(f"cannot update member fields {sorted(unknown)}")
        if not fields:
            return (
                await self._session.scalar(select(Member.id).where(Member.id == member_id))
                is not None
            )
        values = dict(fields)
        if "data" in values:
            values["data"] = dict(values["data"] or {})
        return bool(
            await changed(
                self._session,
                update(Member).where(Member.id == member_id).values(**values).returning(Member.id),
            )
        )

    async def find_by_kk(
        self, no_kk: str, region_prefix: str | None = None
    ) -> list[HouseholdRecord]:
        """Households with this No. KK (anywhere, or within ``region_prefix``)."""
        stmt = select(*_HOUSEHOLD_COLUMNS).where(Household.no_kk == no_kk).order_by(Household.id)
        if region_prefix is not None:
            stmt = stmt.where(in_region(Household.region_code, region_prefix))
        return await self._fetch(stmt)

    async def find_members_by_nik(
        self, nik: str, region_prefix: str | None = None
    ) -> list[MemberHit]:
        """Members with this NIK, each with its household id and region code."""
        stmt = (
            select(*_MEMBER_COLUMNS, Household.region_code)
            .join(Household, Household.id == Member.household_id)
            .where(Member.nik == nik)
            .order_by(Member.id)
        )
        if region_prefix is not None:
            stmt = stmt.where(in_region(Household.region_code, region_prefix))
        rows = await self._session.execute(stmt)
        return [
            MemberHit(MemberRecord(*row[:-1]), household_id=row.household_id, region_code=row[-1])
            for row in rows
        ]

    async def kk_outside(
        self, no_kk: str, region_prefix: str, exclude_household: int | None = None
    ) -> bool:
        """Whether a household outside ``region_prefix`` (other than ``exclude_household``) has
        this No. KK. Only yes or no: nothing about that household leaves the database."""
        stmt = select(Household.id).where(
            Household.no_kk == no_kk, not_(in_region(Household.region_code, region_prefix))
        )
        if exclude_household is not None:
            stmt = stmt.where(Household.id != exclude_household)
        return await self._session.scalar(stmt.limit(1)) is not None

    async def nik_outside(
        self, nik: str, region_prefix: str, exclude_household: int | None = None
    ) -> bool:
        """Whether a member of a household outside ``region_prefix`` (other than
        ``exclude_household``) has this NIK. Only yes or no, as :meth:`kk_outside`."""
        stmt = (
            select(Member.id)
            .join(Household, Household.id == Member.household_id)
            .where(Member.nik == nik, not_(in_region(Household.region_code, region_prefix)))
        )
        if exclude_household is not None:
            stmt = stmt.where(Member.household_id != exclude_household)
        return await self._session.scalar(stmt.limit(1)) is not None

    async def _update(
        self,
        household_id: int,
        values: dict[str, Any],
        person_id: int | None,
        now: dt.datetime,
    ) -> bool:
        return bool(
            await changed(
                self._session,
                update(Household)
                .where(Household.id == household_id)
                .values(**values, updated_at=require_aware(now), updated_by=person_id)
                .returning(Household.id),
            )
        )

    async def _with_members(self, row: Row[Any]) -> HouseholdRecord:
        """The household of ``row`` with its members (the prepared per-household select)."""
        members = await self._session.execute(_MEMBERS_OF_ONE, {"household_id": row.id})
        return _household(row, tuple(_member(m) for m in members))

    async def _fetch(self, stmt: Select[Any]) -> list[HouseholdRecord]:
        rows = (await self._session.execute(stmt)).all()
        members = await self._members_of(row.id for row in rows)
        return [_household(row, tuple(members[row.id])) for row in rows]

    async def _members_of(
        self, household_ids: Iterable[int]
    ) -> defaultdict[int, list[MemberRecord]]:
        ids = list(household_ids)
        found: defaultdict[int, list[MemberRecord]] = defaultdict(list)
        if not ids:
            return found
        rows = await self._session.execute(
            select(*_MEMBER_COLUMNS)
            .where(Member.household_id.in_(ids))
            .order_by(Member.household_id, Member.position, Member.id)
        )
        for row in rows:
            member = _member(row)
            found[member.household_id].append(member)
        return found
