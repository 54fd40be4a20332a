"""Delivery receipts -> the ``outbox`` row of the message (by ``platform_message_id``).

Receipts arrive in any order and more than once; ``OutboxRepository.record_status`` sets each
timestamp once and only moves the status forward (sent < delivered < read; failed never replaces
delivered or read).
"""

from __future__ import annotations

import datetime as dt

from storage.db import UnitOfWork


async def record_status(uow: UnitOfWork, wamid: str, status: str, at: dt.datetime) -> bool:
    """Apply one receipt; True when an outbox row has that message id."""
    return await uow.outbox.record_status(wamid, status, at)
