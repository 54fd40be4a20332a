"""Acknowledgements ("read and understood") of proactive messages, on their outbox rows.

An acknowledgement is recorded only for a message that reached its person: delivered or read
(WhatsApp receipts), or sent on a channel that has no delivery receipts (Telegram, the
terminal), where accepted by the platform is as far as anyone can know. A press of the
message's own button or a reaction to it is proof in itself (``seen``): then sent is enough on
any channel (WhatsApp receipts arrive late and in any order). A PAHAM for a message still
waiting (quiet hours), failed, blocked or never sent records nothing, whatever was typed.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ColumnElement, and_, or_, select, update

from storage.models import OutboxMessage
from storage.repos._base import Repository, require_aware

__all__ = ["NO_RECEIPT_CHANNELS", "RECEIVED_STATUSES", "Ack", "AckRepository", "is_received"]

RECEIVED_STATUSES = ("delivered", "read")
NO_RECEIPT_CHANNELS = ("telegram", "console")


def is_received(status: str, channel: str | None, *, seen: bool = False) -> bool:
    """Whether an outbox row's message reached its person (``seen``: they answered that very
    message, by its button or a reaction)."""
    if status in RECEIVED_STATUSES:
        return True
    return status == "sent" and (seen or channel in NO_RECEIPT_CHANNELS)


def _received(seen: bool = False) -> ColumnElement[bool]:
    """:func:`is_received` in SQL."""
    sent = OutboxMessage.status == "sent"
    return or_(
        OutboxMessage.status.in_(RECEIVED_STATUSES),
        sent if seen else and_(sent, OutboxMessage.channel.in_(NO_RECEIPT_CHANNELS)),
    )


class Ack(enum.Enum):
    """What :meth:`AckRepository.acknowledge` did."""

    DONE = "done"  # recorded now
    AGAIN = "again"  # recorded before
    NOT_RECEIVED = "not_received"  # the message has not reached the person (waiting, failed...)
    UNKNOWN = "unknown"  # no such message for the person


class AckRepository(Repository):
    async def acknowledge(
        self, campaign: str, person_id: int, now: dt.datetime, *, seen: bool = False
    ) -> Ack:
        """The person confirmed they read and understood ``campaign``'s message to them
        (``seen``: by answering a message of it, which proves it arrived)."""
        row = (
            await self._session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.acknowledged_at,
                    OutboxMessage.status,
                    OutboxMessage.channel,
                ).where(OutboxMessage.campaign == campaign, OutboxMessage.person_id == person_id)
            )
        ).first()
        if row is None:
            return Ack.UNKNOWN
        if row.acknowledged_at is not None:
            return Ack.AGAIN
        if not is_received(row.status, row.channel, seen=seen):
            return Ack.NOT_RECEIVED
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.acknowledged_at.is_(None))
            .where(_received(seen))
            .values(acknowledged_at=require_aware(now))
            .returning(OutboxMessage.id),
            execution_options={"synchronize_session": False},
        )
        return Ack.DONE if result.first() is not None else Ack.AGAIN

    async def newest_waiting(self, person_id: int, kind: str) -> str | None:
        """The campaign of the person's newest message of ``kind`` that reached them and is not
        acknowledged yet (what a bare PAHAM confirms); None when there is none."""
        row = (
            await self._session.execute(
                select(OutboxMessage.campaign)
                .where(
                    OutboxMessage.person_id == person_id,
                    OutboxMessage.kind == kind,
                    OutboxMessage.acknowledged_at.is_(None),
                    _received(),
                )
                .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
                .limit(1)
            )
        ).first()
        return str(row[0]) if row else None
