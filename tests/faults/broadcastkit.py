"""A broadcast to many operators, for the fault tests that send one (the broadcast crash test,
two outbox senders): the recipients and the announcement, and the outbox's statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from bench.register import add_recipients
from bot.regions import load_regions
from handlers.announcements import model as announcements
from handlers.kit.timing import QuietHours
from storage.db import Database
from storage.models import OutboxMessage


async def seed_broadcast(
    db: Database, now: datetime, *, kecamatan: str, recipients: int, first_chat: int, text: str
) -> int:
    """The kecamatan's regions, ``recipients`` operators (one Telegram chat each, from
    ``first_chat``) spread over its villages, and the announcement ``text`` to them; its id."""
    async with db.unit_of_work() as uow:
        await load_regions(uow, kecamatan)
        villages = [r.code for r in await uow.regions.children(kecamatan)]
        await add_recipients(uow, recipients, first_chat=first_chat, villages=villages, now=now)
    async with db.unit_of_work() as uow:
        draft = announcements.Draft(text, (kecamatan,), ("operator",), nudge_after_hours=0)
        return await announcements.create(
            uow, draft, by=None, channel="cli", now=now, quiet=QuietHours.parse("off")
        )


async def status_counts(db: Database, campaign: str) -> dict[str, int]:
    """How many outbox rows of ``campaign`` are in each status."""
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.campaign == campaign)
            .group_by(OutboxMessage.status)
        )
        return {str(status): int(count) for status, count in rows}
