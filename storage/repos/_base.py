"""What every repository shares: the session, dialect-specific INSERT and region scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, insert, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.regions_data import ancestors_of, is_region_code


class Repository:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def _upsert_insert(self, model: type[Any]) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that supports ``on_conflict_do_nothing`` / ``_do_update`` on this backend."""
        if self._dialect == "postgresql":
            return postgresql.insert(model)
        return sqlite.insert(model)


def in_region(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """``column`` is ``prefix`` itself or a region below it ("18.04" matches "18.04.19.2006")."""
    if not is_region_code(prefix):
        raise ValueError(f"not a region code: {prefix!r}")
    # A region code holds only digits and dots, so LIKE needs no escaping.
    return or_(column == prefix, column.like(prefix + ".%"))


def overlaps(column: Any, region_code: str) -> ColumnElement[bool]:
    """``column`` names ``region_code``, a region inside it, or a region containing it."""
    return or_(in_region(column, region_code), column.in_(ancestors_of(region_code)))


def require_aware(now: dt.datetime | None) -> dt.datetime:
    """``now`` must be passed in, timezone-aware (storage never reads the clock)."""
    if now is None:
        raise TypeError("now is required (storage never reads the clock)")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware: {now!r}")
    return now


async def changed(session: AsyncSession, statement: Any) -> int:
    """Run an UPDATE/DELETE built with ``.returning(<pk>)``; the number of rows it touched."""
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return len(result.all())


async def insert_id(session: AsyncSession, model: type[Any], **values: Any) -> int:
    """INSERT one row of ``model`` and return its generated integer ``id``."""
    result = await session.execute(insert(model).values(**values).returning(model.id))
    return int(result.scalar_one())
