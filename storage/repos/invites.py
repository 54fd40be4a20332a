"""Invite codes: how a person gets a role in a region."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, insert, or_, select, update

from storage.models import InviteCode
from storage.records import InviteRecord
from storage.repos._base import Repository, in_region, require_aware

_COLUMNS = (
    InviteCode.code,
    InviteCode.role,
    InviteCode.region_code,
    InviteCode.created_by,
    InviteCode.created_at,
    InviteCode.expires_at,
    InviteCode.max_uses,
    InviteCode.uses,
    InviteCode.revoked_at,
)


class InviteRepository(Repository):
    async def create(
        self,
        code: str,
        role: str,
        region_code: str,
        created_by: int | None,
        now: dt.datetime,
        expires_at: dt.datetime | None = None,
        max_uses: int = 1,
    ) -> None:
        if max_uses < 1:
            raise ValueError(f"max_uses must be at least 1, got {max_uses}")
        await self._session.execute(
            insert(InviteCode).values(
                code=code,
                role=role,
                region_code=region_code,
                created_by=created_by,
                created_at=require_aware(now),
                expires_at=expires_at,
                max_uses=max_uses,
                uses=0,
            )
        )

    async def redeem(self, code: str, now: dt.datetime) -> InviteRecord | None:
        """Use the code once: the invite after the use, or ``None`` when it cannot be used.

        One conditional UPDATE: on PostgreSQL a concurrent redeem waits for the row lock and
        re-checks ``uses < max_uses`` against the committed row; on SQLite writers are serialised.
        """
        now = require_aware(now)
        result = await self._session.execute(
            update(InviteCode)
            .where(InviteCode.code == code, _usable(now))
            .values(uses=InviteCode.uses + 1)
            .returning(*_COLUMNS),
            execution_options={"synchronize_session": False},
        )
        row = result.first()
        return InviteRecord(*row) if row else None

    async def give_back(self, code: str) -> bool:
        """Undo one use of the code (its user declined the data notice and was deleted), so
        the same code works again if they change their mind."""
        result = await self._session.execute(
            update(InviteCode)
            .where(InviteCode.code == code, InviteCode.uses > 0)
            .values(uses=InviteCode.uses - 1)
            .returning(InviteCode.code),
            execution_options={"synchronize_session": False},
        )
        return result.first() is not None

    async def get(self, code: str) -> InviteRecord | None:
        row = (
            await self._session.execute(select(*_COLUMNS).where(InviteCode.code == code))
        ).first()
        return InviteRecord(*row) if row else None

    async def revoke(self, code: str, now: dt.datetime) -> bool:
        result = await self._session.execute(
            update(InviteCode)
            .where(InviteCode.code == code, InviteCode.revoked_at.is_(None))
            .values(revoked_at=require_aware(now))
            .returning(InviteCode.code),
            execution_options={"synchronize_session": False},
        )
        return result.first() is not None

    async def list(
        self,
        now: dt.datetime,
        regions: Sequence[str] | None = None,
        *,
        include_inactive: bool = False,
    ) -> builtins.list[InviteRecord]:
        """Invites that can still be used (not revoked, not expired, uses left), newest first;
        with ``include_inactive`` also used, expired and revoked ones. With ``regions``: those
        for a region inside one of them."""
        stmt = select(*_COLUMNS)
        if not include_inactive:
            stmt = stmt.where(_usable(require_aware(now)))
        if regions is not None:
            stmt = stmt.where(or_(*(in_region(InviteCode.region_code, r) for r in regions)))
        rows = await self._session.execute(
            stmt.order_by(InviteCode.created_at.desc(), InviteCode.code)
        )
        return [InviteRecord(*row) for row in rows]


def _usable(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        InviteCode.revoked_at.is_(None),
        or_(InviteCode.expires_at.is_(None), InviteCode.expires_at > now),
        InviteCode.uses < InviteCode.max_uses,
    )
