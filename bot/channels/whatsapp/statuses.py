"""Delivery receipts -> the ``outbox`` row of the message (by ``platform_message_id``).

Receipts arrive in any order and more than once; each sets its own timestamp once, and the
row's status only moves forward (sent < delivered < read; failed never replaces delivered or
read). Uses ``uow.outbox.record_status`` when the outbox repository provides it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, literal, update

from storage.db import UnitOfWork
from storage.models import OutboxMessage, UtcDateTime

_RANK = {"sent": 1, "delivered": 2, "read": 3}
_COLUMN = {
    "sent": OutboxMessage.sent_at,
    "delivered": OutboxMessage.delivered_at,
    "read": OutboxMessage.read_at,
    "failed": OutboxMessage.failed_at,
}


async def record_status(uow: UnitOfWork, wamid: str, status: str, at: dt.datetime) -> bool:
    """Apply one receipt; True when an outbox row has that message id."""
    repo: Any = getattr(uow, "outbox", None)
    if repo is not None and hasattr(repo, "record_status"):
        return bool(await repo.record_status(wamid, status, at))
    return await _record_status(uow, wamid, status, at)


async def _record_status(uow: UnitOfWork, wamid: str, status: str, at: dt.datetime) -> bool:
    # Used until storage/repos/outbox.py offers record_status: same rules, one UPDATE.
    if status not in _COLUMN:
        raise ValueError(f"unknown WhatsApp status {status!r}")
    column = _COLUMN[status]
    current = OutboxMessage.status
    if status == "failed":
        new_status: Any = case((current.in_(("delivered", "read")), current), else_="failed")
    else:
        rank = _RANK[status]
        higher = [name for name, r in _RANK.items() if r >= rank]
        new_status = case((current.in_(higher), current), else_=status)
    result = await uow.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.platform_message_id == wamid)
        .values(
            {
                column: func.coalesce(column, literal(at, UtcDateTime())),
                OutboxMessage.status: new_status,
            }
        )
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    )
    return bool(result.all())
