"""Regions (Kemendagri codes): provinces down to desa/kelurahan."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select

from storage.models import Region
from storage.records import RegionRecord
from storage.repos._base import DbSession, Repository, in_region, prepared


def _record(row: Region) -> RegionRecord:
    return RegionRecord(
        code=row.code,
        name=row.name,
        level=row.level,
        kind=row.kind,
        parent_code=row.parent_code,
        timezone=row.timezone,
    )


# A form step looks up the household's region (its time zone) once or twice: columns, not an
# ORM entity, and built once.
_GET = prepared(
    select(
        Region.code, Region.name, Region.level, Region.kind, Region.parent_code, Region.timezone
    ).where(Region.code == bindparam("code"))
)


class RegionRepository(Repository):
    """Regions. One looked up is remembered for the rest of the unit of work (until this
    repository writes one): they change when a region list is loaded, not during an update."""

    def __init__(self, session: DbSession, dialect: str) -> None:
        super().__init__(session, dialect)
        self._known: dict[str, RegionRecord | None] = {}

    async def get(self, code: str) -> RegionRecord | None:
        if code in self._known:
            return self._known[code]
        row = (await self._session.execute(_GET, {"code": code})).first()
        record = RegionRecord(*row) if row else None
        self._known[code] = record
        return record

    async def upsert(
        self,
        code: str,
        name: str,
        level: int,
        kind: str,
        parent_code: str | None,
        timezone: str,
    ) -> None:
        """Insert the region or update every field of an existing one (parent must exist)."""
        self._known.clear()
        values = {
            "name": name,
            "level": level,
            "kind": kind,
            "parent_code": parent_code,
            "timezone": timezone,
        }
        stmt = self._upsert_insert(Region).values(code=code, **values)
        await self._session.execute(
            stmt.on_conflict_do_update(index_elements=[Region.code], set_=values)
        )

    async def children(self, code: str) -> list[RegionRecord]:
        rows = await self._session.scalars(
            select(Region)
            .where(Region.parent_code == code)
            .order_by(Region.code)
            .execution_options(populate_existing=True)
        )
        return [_record(r) for r in rows]

    async def within(self, prefix: str) -> list[RegionRecord]:
        """The region ``prefix`` and every region below it, ordered by code."""
        rows = await self._session.scalars(
            select(Region)
            .where(in_region(Region.code, prefix))
            .order_by(Region.code)
            .execution_options(populate_existing=True)
        )
        return [_record(r) for r in rows]

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(Region)) or 0)
