"""The web console's rows: one-time login links, sessions, form submit keys (issue 19).

Tokens and cookies are random; only their SHA-256 is stored and looked up, so neither a
database copy nor a log of queries opens a session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import delete, insert, or_, select, update

from storage.models import WebLoginToken, WebSession, WebSubmit
from storage.repos._base import Repository, changed, require_aware

__all__ = ["WebRepository", "WebSessionRecord", "digest"]


def digest(secret: str) -> str:
    """The stored form of a token or cookie value."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class WebSessionRecord:
    person_id: int
    roles: tuple[str, ...]
    csrf: str
    lang: str
    expires_at: dt.datetime


class WebRepository(Repository):
    async def add_login(
        self, token: str, person_id: int, now: dt.datetime, expires_at: dt.datetime
    ) -> None:
        await self._session.execute(
            insert(WebLoginToken).values(
                token_hash=digest(token),
                person_id=person_id,
                created_at=require_aware(now),
                expires_at=require_aware(expires_at),
            )
        )

    async def use_login(self, token: str, now: dt.datetime) -> int | None:
        """Spend the link once: its person, or None when unknown, used or expired. One
        conditional UPDATE, so two clicks at once open one session."""
        now = require_aware(now)
        result = await self._session.execute(
            update(WebLoginToken)
            .where(
                WebLoginToken.token_hash == digest(token),
                WebLoginToken.used_at.is_(None),
                WebLoginToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(WebLoginToken.person_id),
            execution_options={"synchronize_session": False},
        )
        return result.scalar_one_or_none()

    async def open_session(
        self,
        cookie: str,
        person_id: int,
        roles: list[str],
        csrf: str,
        lang: str,
        now: dt.datetime,
        expires_at: dt.datetime,
    ) -> None:
        await self._session.execute(
            insert(WebSession).values(
                id_hash=digest(cookie),
                person_id=person_id,
                roles=roles,
                csrf=csrf,
                lang=lang,
                created_at=require_aware(now),
                expires_at=require_aware(expires_at),
            )
        )

    async def session(self, cookie: str, now: dt.datetime) -> WebSessionRecord | None:
        """The live session behind a cookie (not ended, not expired)."""
        row = (
            await self._session.execute(
                select(
                    WebSession.person_id,
                    WebSession.roles,
                    WebSession.csrf,
                    WebSession.lang,
                    WebSession.expires_at,
                ).where(
                    WebSession.id_hash == digest(cookie),
                    WebSession.ended_at.is_(None),
                    WebSession.expires_at > require_aware(now),
                )
            )
        ).first()
        if row is None:
            return None
        return WebSessionRecord(row[0], tuple(row[1]), row[2], row[3], row[4])

    async def set_lang(self, cookie: str, lang: str) -> None:
        await self._session.execute(
            update(WebSession).where(WebSession.id_hash == digest(cookie)).values(lang=lang)
        )

    async def end_session(self, cookie: str, now: dt.datetime) -> bool:
        stmt = (
            update(WebSession)
            .where(WebSession.id_hash == digest(cookie), WebSession.ended_at.is_(None))
            .values(ended_at=require_aware(now))
            .returning(WebSession.person_id)
        )
        return await changed(self._session, stmt) > 0

    async def claim_submit(self, key: str, person_id: int, now: dt.datetime) -> str | None:
        """Claim a form's idempotency key: None the first time (go on and act), else the
        result recorded by the first submit ("" while it was not recorded)."""
        found = (
            await self._session.execute(
                select(WebSubmit.result).where(
                    WebSubmit.key == key, WebSubmit.person_id == person_id
                )
            )
        ).first()
        if found is not None:
            return str(found[0])
        taken = (
            await self._session.execute(select(WebSubmit.key).where(WebSubmit.key == key))
        ).first()
        if taken is not None:  # another person's key: act as a repeat that leads nowhere
            return ""
        await self._session.execute(
            insert(WebSubmit).values(
                key=key, person_id=person_id, result="", created_at=require_aware(now)
            )
        )
        return None

    async def record_submit(self, key: str, result: str) -> None:
        await self._session.execute(
            update(WebSubmit).where(WebSubmit.key == key).values(result=result)
        )

    async def prune(self, before: dt.datetime) -> int:
        """Delete links, sessions and submit keys that ended or expired before ``before``."""
        before = require_aware(before)
        removed = 0
        for stmt in (
            delete(WebLoginToken)
            .where(WebLoginToken.expires_at < before)
            .returning(WebLoginToken.token_hash),
            delete(WebSession)
            .where(or_(WebSession.expires_at < before, WebSession.ended_at < before))
            .returning(WebSession.id_hash),
            delete(WebSubmit).where(WebSubmit.created_at < before).returning(WebSubmit.key),
        ):
            removed += await changed(self._session, stmt)
        return removed
