"""The outbox: every proactive message (reminder, announcement, nudge, digest, report) as a row,
at most one per (campaign, person).

Life of a row::

    pending --claim--> sending --> sent --> delivered --> read      (receipts, WhatsApp only)
                          |  \\--> failed | blocked | uncertain
                          \\--(retry)--> pending (next_attempt_at later)
    pending --> expired (past expires_at) | cancelled | superseded

``claim`` hands due rows to one sender (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
processes share the work; SQLite has a single writer). ``progress`` counts the parts of a
message already sent, so a retry or a recovery after a crash continues after them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import case, func, literal, or_, select, update

from storage.models import Identity, OutboxMessage, UtcDateTime
from storage.repos._base import Repository, require_aware
from storage.repos.outbox_values import (
    ACTIVE_STATUSES,
    OUTBOX_STATUSES,
    ClaimedMessage,
    NewMessage,
    OutboxRecord,
    Priority,
    RecipientIdentity,
)

__all__ = [
    "ACTIVE_STATUSES",
    "OUTBOX_STATUSES",
    "ClaimedMessage",
    "NewMessage",
    "OutboxRecord",
    "OutboxRepository",
    "Priority",
    "RecipientIdentity",
]

_FINAL = frozenset(OUTBOX_STATUSES) - {"pending", "sending", "sent", "delivered", "read"}
_ENQUEUE_STATUSES = frozenset({"pending", "superseded", "cancelled"})
_INSERT_CHUNK = 500
_RANK = {"sent": 1, "delivered": 2, "read": 3}
_RECEIPT_COLUMN = {
    "sent": OutboxMessage.sent_at,
    "delivered": OutboxMessage.delivered_at,
    "read": OutboxMessage.read_at,
    "failed": OutboxMessage.failed_at,
}


_RECORD_COLUMNS = tuple(getattr(OutboxMessage, name) for name in OutboxRecord.__dataclass_fields__)


def _check_status(status: str, allowed: Iterable[str] = OUTBOX_STATUSES) -> str:
    if status not in allowed:
        raise ValueError(f"unknown outbox status {status!r}")
    return status


class OutboxRepository(Repository):
    # ---- writing rows ------------------------------------------------------------------------

    async def enqueue(self, messages: Sequence[NewMessage], now: dt.datetime) -> int:
        """Insert the rows that do not exist yet (same campaign and person); how many were new."""
        now = require_aware(now)
        rows = [
            {
                "campaign": m.campaign,
                "kind": m.kind,
                "person_id": m.person_id,
                "identity_id": m.identity_id,
                "region_code": m.region_code,
                "role": m.role,
                "payload": m.payload,
                "template": m.template,
                "status": _check_status(m.status, _ENQUEUE_STATUSES),
                "priority": m.priority,
                "next_attempt_at": require_aware(m.not_before) if m.not_before else now,
                "expires_at": require_aware(m.expires_at) if m.expires_at else None,
                "created_at": now,
            }
            for m in messages
        ]
        added = 0
        for start in range(0, len(rows), _INSERT_CHUNK):
            stmt = (
                self._upsert_insert(OutboxMessage)
                .values(rows[start : start + _INSERT_CHUNK])
                .on_conflict_do_nothing(
                    index_elements=[OutboxMessage.campaign, OutboxMessage.person_id]
                )
                .returning(OutboxMessage.id)
            )
            added += len((await self._session.execute(stmt)).all())
        return added

    async def expire_due(self, now: dt.datetime) -> list[tuple[int, str, int]]:
        """Pending rows whose ``expires_at`` has passed become ``expired``; (id, campaign,
        person) of each, for the log."""
        now = require_aware(now)
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.expires_at.is_not(None),
                OutboxMessage.expires_at <= now,
            )
            .values(status="expired", failed_at=now, claimed_by=None, claimed_until=None)
            .returning(OutboxMessage.id, OutboxMessage.campaign, OutboxMessage.person_id),
            execution_options={"synchronize_session": False},
        )
        return [(int(r[0]), str(r[1]), int(r[2])) for r in result.all()]

    async def claim(
        self, worker: str, now: dt.datetime, limit: int, lease: dt.timedelta
    ) -> list[ClaimedMessage]:
        """Take up to ``limit`` due rows for ``worker`` (status ``sending`` until ``now +
        lease``), most urgent first, each with the identities of its person."""
        now = require_aware(now)
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.expires_at.is_(None), OutboxMessage.expires_at > now),
            )
            .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(status="sending", claimed_by=worker, claimed_until=now + lease)
            .returning(
                OutboxMessage.id,
                OutboxMessage.campaign,
                OutboxMessage.kind,
                OutboxMessage.person_id,
                OutboxMessage.identity_id,
                OutboxMessage.payload,
                OutboxMessage.template,
                OutboxMessage.progress,
                OutboxMessage.attempts,
                OutboxMessage.priority,
                OutboxMessage.next_attempt_at,
                OutboxMessage.region_code,
            ),
            execution_options={"synchronize_session": False},
        )
        rows = sorted(result.all(), key=lambda r: (r.priority, r.next_attempt_at, r.id))
        identities = await self._identities({int(r.person_id) for r in rows})
        return [
            ClaimedMessage(
                id=r.id,
                campaign=r.campaign,
                kind=r.kind,
                person_id=r.person_id,
                identity_id=r.identity_id,
                payload=list(r.payload or []),
                template=r.template,
                progress=r.progress,
                attempts=r.attempts,
                identities=tuple(identities[r.person_id]),
                region_code=r.region_code,
            )
            for r in rows
        ]

    async def _identities(self, person_ids: set[int]) -> defaultdict[int, list[RecipientIdentity]]:
        found: defaultdict[int, list[RecipientIdentity]] = defaultdict(list)
        if not person_ids:
            return found
        rows = await self._session.execute(
            select(
                Identity.person_id,
                Identity.id,
                Identity.channel,
                Identity.external_id,
                Identity.last_inbound_at,
                Identity.blocked_at,
                Identity.created_at,
            )
            .where(Identity.person_id.in_(person_ids), Identity.disabled_at.is_(None))
            .order_by(Identity.id)
        )
        for person_id, *rest in rows:
            found[person_id].append(RecipientIdentity(*rest))
        return found

    async def renew(self, worker: str, ids: Sequence[int], until: dt.datetime) -> int:
        """Extend the lease of rows ``worker`` is still sending."""
        if not ids:
            return 0
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(list(ids)),
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_by == worker,
            )
            .values(claimed_until=require_aware(until))
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())

    # ---- outcomes ------------------------------------------------------------------------------

    async def mark_sent(
        self,
        message_id: int,
        now: dt.datetime,
        platform_message_id: str | None,
        *,
        channel: str,
        identity_id: int,
        progress: int,
    ) -> bool:
        return await self._settle(
            message_id,
            status="sent",
            sent_at=require_aware(now),
            platform_message_id=platform_message_id,
            channel=channel,
            identity_id=identity_id,
            progress=progress,
            last_error=None,
        )

    async def finish(
        self,
        message_id: int,
        status: str,
        now: dt.datetime,
        error: str,
        *,
        channel: str | None = None,
        identity_id: int | None = None,
        progress: int | None = None,
    ) -> bool:
        """A final outcome: failed, blocked, uncertain, expired, cancelled or superseded."""
        values: dict[str, Any] = {
            "status": _check_status(status, _FINAL),
            "failed_at": require_aware(now),
            "last_error": error[:500],
        }
        if channel is not None:
            values["channel"] = channel
        if identity_id is not None:
            values["identity_id"] = identity_id
        if progress is not None:
            values["progress"] = progress
        return await self._settle(message_id, **values)

    async def reschedule(
        self,
        message_id: int,
        at: dt.datetime,
        error: str,
        *,
        progress: int,
        count_attempt: bool = True,
    ) -> bool:
        """Back to pending, to be tried again at ``at`` after the first ``progress`` parts."""
        values: dict[str, Any] = {
            "status": "pending",
            "next_attempt_at": require_aware(at),
            "last_error": error[:500],
            "progress": progress,
        }
        if count_attempt:
            values["attempts"] = OutboxMessage.attempts + 1
        return await self._settle(message_id, **values)

    async def _settle(self, message_id: int, **values: Any) -> bool:
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            .values(claimed_by=None, claimed_until=None, **values)
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return bool(result.all())

    # ---- crash recovery ------------------------------------------------------------------------

    async def claimed(self, worker: str) -> list[tuple[int, int]]:
        """(id, progress) of the rows ``worker`` is sending."""
        rows = await self._session.execute(
            select(OutboxMessage.id, OutboxMessage.progress).where(
                OutboxMessage.status == "sending", OutboxMessage.claimed_by == worker
            )
        )
        return [(int(r[0]), int(r[1])) for r in rows]

    async def stale_workers(self, now: dt.datetime, older_than: dt.timedelta) -> list[str]:
        """Workers holding rows whose lease ended more than ``older_than`` ago."""
        rows = await self._session.execute(
            select(OutboxMessage.claimed_by)
            .where(
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_until < require_aware(now) - older_than,
            )
            .distinct()
        )
        return sorted(str(r[0]) for r in rows if r[0] is not None)

    async def release(self, worker: str, progress: Mapping[int, int]) -> int:
        """Give ``worker``'s rows back to the queue: each after ``progress[id]`` parts when
        given, else after the parts it had. A row keeps its place in the queue (it was due when
        claimed), so the rows a crash interrupted are the first taken again: one whose parts all
        went out is then recorded sent at once. How many were released."""
        released = 0
        for message_id, done in await self.claimed(worker):
            values: dict[str, Any] = {
                "status": "pending",
                "claimed_by": None,
                "claimed_until": None,
                "progress": max(done, progress.get(message_id, done)),
            }
            result = await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == "sending",
                    OutboxMessage.claimed_by == worker,
                )
                .values(values)
                .returning(OutboxMessage.id),
                execution_options={"synchronize_session": False},
            )
            released += len(result.all())
        return released

    async def abandon(self, worker: str, now: dt.datetime, reason: str) -> int:
        """Rows of a worker whose journal is out of reach: they may have gone out, so they
        become ``uncertain`` (never sent again)."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.claimed_by == worker)
            .values(
                status="uncertain",
                claimed_by=None,
                claimed_until=None,
                failed_at=require_aware(now),
                last_error=reason[:500],
            )
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())

    # ---- receipts, acknowledgements, cancellation ------------------------------------------------

    async def record_status(
        self,
        platform_message_id: str,
        status: str,
        at: dt.datetime,
        *,
        error_code: str | None = None,
        error_title: str | None = None,
    ) -> bool:
        """Apply a delivery receipt (sent / delivered / read / failed); receipts come in any
        order and more than once: each timestamp is set once and the status only moves forward
        (failed never replaces delivered or read). A failed receipt keeps the platform's error
        code and title (the first ones reported). True when a row has that message id."""
        if status not in _RECEIPT_COLUMN:
            raise ValueError(f"unknown receipt status {status!r}")
        column = _RECEIPT_COLUMN[status]
        current = OutboxMessage.status
        values: dict[Any, Any] = {
            column: func.coalesce(column, literal(require_aware(at), UtcDateTime()))
        }
        if status == "failed":
            values[current] = case((current.in_(("delivered", "read")), current), else_="failed")
            for target, given in (
                (OutboxMessage.error_code, error_code),
                (OutboxMessage.error_title, error_title),
            ):
                if given:
                    values[target] = func.coalesce(target, literal(given[:500]))
        else:
            higher = [name for name, rank in _RANK.items() if rank >= _RANK[status]]
            values[current] = case(
                (current.in_(higher), current),
                (current.in_(("sent", "uncertain", "failed", "sending")), status),
                else_=current,
            )
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.platform_message_id == platform_message_id)
            .values(values)
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return bool(result.all())

    async def failure_reasons(self, campaign: str) -> dict[int, str]:
        """Person id -> the platform's reason (``"131026 Message undeliverable"``) for each
        failed row of ``campaign`` that has one."""
        rows = await self._session.execute(
            select(OutboxMessage.person_id, OutboxMessage.error_code, OutboxMessage.error_title)
            .where(
                OutboxMessage.campaign == campaign,
                OutboxMessage.status == "failed",
                or_(OutboxMessage.error_code.is_not(None), OutboxMessage.error_title.is_not(None)),
            )
            .order_by(OutboxMessage.id)
        )
        return {
            int(person_id): " ".join(part for part in (code, title) if part)
            for person_id, code, title in rows
        }

    async def cancel_for_person(self, person_id: int, now: dt.datetime) -> int:
        """The person's messages still waiting become ``cancelled`` (a removed person gets
        nothing more); how many."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.person_id == person_id, OutboxMessage.status == "pending")
            .values(status="cancelled", failed_at=require_aware(now))
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())

    async def campaign_of_message(self, person_id: int, platform_message_id: str) -> str | None:
        """The campaign of the message sent to ``person_id`` under that platform id (Telegram
        numbers messages per chat, so the person is part of the key)."""
        row = (
            await self._session.execute(
                select(OutboxMessage.campaign)
                .where(
                    OutboxMessage.person_id == person_id,
                    OutboxMessage.platform_message_id == platform_message_id,
                )
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            )
        ).first()
        return str(row[0]) if row else None

    async def cancel(self, campaign_prefix: str, now: dt.datetime) -> int:
        """Pending rows of campaigns starting with ``campaign_prefix`` become ``cancelled``."""
        if not campaign_prefix:
            raise ValueError("a campaign prefix is required")
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.campaign.startswith(campaign_prefix, autoescape=True),
            )
            .values(status="cancelled", failed_at=require_aware(now))
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return len(result.all())

    # ---- reading -------------------------------------------------------------------------------

    async def get(self, message_id: int) -> OutboxRecord | None:
        row = (
            await self._session.execute(
                select(*_RECORD_COLUMNS).where(OutboxMessage.id == message_id)
            )
        ).first()
        return OutboxRecord(*row) if row else None

    async def of_campaign(self, campaign: str) -> list[OutboxRecord]:
        rows = await self._session.execute(
            select(*_RECORD_COLUMNS)
            .where(OutboxMessage.campaign == campaign)
            .order_by(OutboxMessage.id)
        )
        return [OutboxRecord(*row) for row in rows]

    async def for_person(
        self, person_id: int, campaign_prefix: str = "", limit: int = 50
    ) -> list[OutboxRecord]:
        """The person's rows, newest first (optionally of campaigns with a prefix)."""
        stmt = select(*_RECORD_COLUMNS).where(OutboxMessage.person_id == person_id)
        if campaign_prefix:
            stmt = stmt.where(OutboxMessage.campaign.startswith(campaign_prefix, autoescape=True))
        rows = await self._session.execute(
            stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
        )
        return [OutboxRecord(*row) for row in rows]

    async def people_of(self, campaign: str) -> set[int]:
        """The people who have a row of ``campaign``, whatever its status."""
        rows = await self._session.execute(
            select(OutboxMessage.person_id).where(OutboxMessage.campaign == campaign)
        )
        return {int(row[0]) for row in rows}

    async def count_by_status(self, campaign_prefix: str) -> dict[str, int]:
        """Rows per status of the campaigns starting with ``campaign_prefix``."""
        rows = await self._session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign.startswith(campaign_prefix, autoescape=True))
            .group_by(OutboxMessage.status)
        )
        return {str(status): int(count) for status, count in rows}
