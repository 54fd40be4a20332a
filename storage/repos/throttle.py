"""Counted attempts over a sliding window: wrong invite codes, duplicate look-ups, files.

Every attempt is a row (bucket, subject, at); a limit is "at most N rows of this bucket and
subject since T". Rows live in the database, so several processes share the count. Old rows are
pruned by housekeeping.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, delete, func, insert, select

from storage.models import AccessThrottle
from storage.repos._base import Repository, prepared, require_aware

EVERYONE = "*"  # the subject of a bucket's overall count

_COUNT = prepared(
    select(func.count(AccessThrottle.id)).where(
        AccessThrottle.bucket == bindparam("bucket"),
        AccessThrottle.subject == bindparam("subject"),
        AccessThrottle.at >= bindparam("since"),
    )
)
_OLDEST = prepared(
    select(func.min(AccessThrottle.at)).where(
        AccessThrottle.bucket == bindparam("bucket"),
        AccessThrottle.subject == bindparam("subject"),
        AccessThrottle.at >= bindparam("since"),
    )
)
_ADD = prepared(
    insert(AccessThrottle).values(
        bucket=bindparam("bucket"), subject=bindparam("subject"), at=bindparam("at")
    )
)


class ThrottleRepository(Repository):
    async def add(self, bucket: str, subject: str, now: dt.datetime) -> None:
        """Count one attempt of ``subject`` in ``bucket``."""
        params = {"bucket": bucket, "subject": subject, "at": require_aware(now)}
        await self._session.execute(_ADD, params)

    async def count(self, bucket: str, subject: str, since: dt.datetime) -> int:
        """Attempts of ``subject`` in ``bucket`` at or after ``since``."""
        params = {"bucket": bucket, "subject": subject, "since": require_aware(since)}
        return int((await self._session.execute(_COUNT, params)).scalar_one())

    async def oldest(self, bucket: str, subject: str, since: dt.datetime) -> dt.datetime | None:
        """The first attempt at or after ``since`` (when a full window frees a place again)."""
        params = {"bucket": bucket, "subject": subject, "since": require_aware(since)}
        value = (await self._session.execute(_OLDEST, params)).scalar_one()
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite via a bare aggregate: no column type to restore UTC
            value = value.replace(tzinfo=dt.UTC)
        return value  # type: ignore[no-any-return]  # an aggregate of a UtcDateTime column

    async def prune(self, older_than: dt.datetime) -> int:
        """Forget attempts before ``older_than``; how many were forgotten."""
        result = await self._session.execute(
            delete(AccessThrottle)
            .where(AccessThrottle.at < require_aware(older_than))
            .returning(AccessThrottle.id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())
