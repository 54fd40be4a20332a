"""Delivery receipts -> the ``outbox`` row of the message (by ``platform_message_id``), or, for
a failed reply (a message that is no outbox row), the recipient's identity.

Receipts arrive in any order and more than once; ``OutboxRepository.record_status`` sets each
timestamp once and only moves the status forward (sent < delivered < read; failed never replaces
delivered or read). A failed receipt keeps Meta's error code and title: Dinsos' announcement
report shows them, and the identity keeps the reason its last reply failed.
"""

from __future__ import annotations

from bot.channels.whatsapp.parse import StatusUpdate
from handlers.messages import Channel
from storage.db import UnitOfWork


async def record_status(uow: UnitOfWork, update: StatusUpdate) -> bool:
    """Apply one receipt; True when it was recorded (on an outbox row, or for a failed reply
    on the recipient's identity)."""
    failed = update.status == "failed"
    found = await uow.outbox.record_status(
        update.wamid,
        update.status,
        update.at,
        error_code=(update.error_code or None) if failed else None,
        error_title=(update.error_title or None) if failed else None,
    )
    if found or not failed:
        return found
    return await uow.people.record_failed_reply(
        Channel.WHATSAPP.value,
        update.recipient,
        update.at,
        code=update.error_code or None,
        title=update.error_title or None,
    )
