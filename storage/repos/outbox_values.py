"""The outbox's values: its statuses, the priorities, a row to enqueue, a claimed row and a row
as read back (``storage/repos/outbox.py`` holds the repository that writes and reads them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ACTIVE_STATUSES",
    "OUTBOX_STATUSES",
    "ClaimedMessage",
    "NewMessage",
    "OutboxRecord",
    "Priority",
    "RecipientIdentity",
]

OUTBOX_STATUSES = (
    "pending",
    "sending",
    "sent",
    "delivered",
    "read",
    "failed",
    "blocked",
    "expired",
    "cancelled",
    "superseded",
    "uncertain",
)
ACTIVE_STATUSES = ("pending", "sending")


class Priority:
    """Lower goes first when several rows are due."""

    CONVERSATION = 0  # answers to problem reports, reports to Dinsos
    REMINDER = 1
    BROADCAST = 2  # announcements, nudges, digests


@dataclass(frozen=True, slots=True)
class NewMessage:
    campaign: str
    kind: str
    person_id: int
    payload: list[dict[str, Any]]
    region_code: str | None = None
    role: str | None = None
    template: dict[str, Any] | None = None
    not_before: dt.datetime | None = None  # default: now
    expires_at: dt.datetime | None = None
    identity_id: int | None = None  # default: the person's most recently active identity
    priority: int = Priority.REMINDER
    status: str = "pending"  # or "superseded" / "cancelled": recorded, never sent


@dataclass(frozen=True, slots=True)
class RecipientIdentity:
    identity_id: int
    channel: str
    external_id: str
    last_inbound_at: dt.datetime | None
    blocked_at: dt.datetime | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    campaign: str
    kind: str
    person_id: int
    identity_id: int | None
    payload: list[dict[str, Any]]
    template: dict[str, Any] | None
    progress: int
    attempts: int
    identities: tuple[RecipientIdentity, ...] = field(default=())
    region_code: str | None = None  # the recipient's region (its time zone, quiet hours)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    campaign: str
    kind: str
    person_id: int
    identity_id: int | None
    region_code: str | None
    role: str | None
    channel: str | None
    payload: Any
    template: Any
    status: str
    attempts: int
    progress: int
    priority: int
    next_attempt_at: dt.datetime
    expires_at: dt.datetime | None
    claimed_by: str | None
    claimed_until: dt.datetime | None
    last_error: str | None
    platform_message_id: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
    delivered_at: dt.datetime | None
    read_at: dt.datetime | None
    failed_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    error_code: str | None = None  # the platform's reason for a failure (WhatsApp receipts)
    error_title: str | None = None
