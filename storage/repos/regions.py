"""Regions (Kemendagri codes): provinces down to desa/kelurahan."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.models import Region
from storage.records import RegionRecord
from storage.repos._base import Repository, in_region


def _record(row: Region) -> RegionRecord:
    return RegionRecord(
        code=row.code,
        name=row.name,
        level=row.level,
        kind=row.kind,
        parent_code=row.parent_code,
        timezone=row.timezone,
    )


class RegionRepository(Repository):
    async def get(self, code: str) -> RegionRecord | None:
        row = await self._session.scalar(
            select(Region).where(Region.code == code).execution_options(populate_existing=True)
        )
        return _record(row) if row else None

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
