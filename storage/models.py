"""SQLAlchemy 2 declarative models: the schema of Kawal's database.

Times are stored as timezone-aware UTC (``UtcDateTime``); JSON columns are ``JSON`` (``JSONB`` on
PostgreSQL). The migration ``migrations/versions/0001_initial.py`` must create exactly this schema;
``tests/storage/test_migrations.py`` compares the two on every backend.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "NAMING_CONVENTION",
    "AccessThrottle",
    "Announcement",
    "AuditEntry",
    "Base",
    "Deadline",
    "FormSession",
    "Household",
    "Identity",
    "InboundEvent",
    "InviteCode",
    "Member",
    "OutboxMessage",
    "Person",
    "ProblemReport",
    "ProcessedInbound",
    "ProcessingEntry",
    "ProgressSnapshot",
    "Region",
    "RoleAssignment",
    "Submission",
    "UtcDateTime",
    "WebLoginToken",
    "WebSession",
    "WebSubmit",
    "json_type",
]

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime, stored and returned in UTC on every backend.

    Naive datetimes are refused on the way in (a naive value has no defined instant). SQLite keeps
    no offset, so the value is stored as UTC and tagged UTC again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused, pass a timezone-aware value: {value!r}")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime from the database, got {value!r}")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def json_type(*, none_as_null: bool = False) -> TypeEngine[Any]:
    """``JSON``, as ``JSONB`` on PostgreSQL."""
    return JSON(none_as_null=none_as_null).with_variant(
        JSONB(none_as_null=none_as_null), "postgresql"
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    __tablename__ = "regions"
    __table_args__ = (CheckConstraint("level BETWEEN 1 AND 4", name="level"),)

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(
        Text, ForeignKey("regions.code"), nullable=True, index=True
    )
    timezone: Mapped[str] = mapped_column(Text)


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(Text, default="", server_default="")
    lang: Mapped[str] = mapped_column(Text, default="id", server_default="id")
    consent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    consent_version: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # 0005: removed by Dinsos (every role revoked, every identity switched off).
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"), index=True)
    channel: Mapped[str] = mapped_column(Text)
    external_id: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_inbound_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    blocked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # 0005: switched off (a Telegram group or channel, a removed person): never served again.
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # 0005: the platform's reason when the last reply to this identity failed (WhatsApp).
    failed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    failure_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    failure_title: Mapped[str | None] = mapped_column(Text, nullable=True)


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("person_id", "role", "region_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    role: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class InviteCode(Base):
    __tablename__ = "invite_codes"
    __table_args__ = (
        CheckConstraint("max_uses >= 1", name="max_uses"),
        CheckConstraint("uses >= 0 AND uses <= max_uses", name="uses"),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    role: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"))
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("people.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    max_uses: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Household(Base):
    __tablename__ = "households"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'verified', 'updated', 'proposed', 'not_found')",
            name="status",
        ),
        CheckConstraint("source IN ('import', 'proposal')", name="source"),
        # The progress counts (storage/repos/progress.py) read only this index, never the
        # rows with their JSON: 300 villages / 100,000 households in about 11 ms on SQLite.
        Index("ix_households_progress", "region_code", "source", "status", "restricted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"), index=True)
    id_dtks: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    no_kk: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    head_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    rt: Mapped[str] = mapped_column(Text, default="", server_default="")
    rw: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[str] = mapped_column(Text, default="pending", server_default="pending")
    source: Mapped[str] = mapped_column(Text, default="import", server_default="import")
    data: Mapped[dict[str, Any]] = mapped_column(json_type())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("people.id"), nullable=True)
    # 0007: restricted by Dinsos at the data subject's request (UU PDP): left out of exports,
    # lists, search and counts until the restriction is lifted.
    restricted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    restricted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    idsemesta: Mapped[str | None] = mapped_column(Text, nullable=True)
    nik: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    name: Mapped[str] = mapped_column(Text)
    relation: Mapped[str] = mapped_column(Text)
    sex: Mapped[str | None] = mapped_column(Text, nullable=True)
    birth_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    marital_status: Mapped[str | None] = mapped_column(Text, nullable=True)
    presence: Mapped[str] = mapped_column(Text, default="tinggal", server_default="tinggal")
    data: Mapped[dict[str, Any]] = mapped_column(json_type())


class FormSession(Base):
    __tablename__ = "form_sessions"
    __table_args__ = (
        Index("ix_form_sessions_person_id_status", "person_id", "status"),
        CheckConstraint(
            "status IN ('active', 'waiting', 'completed', 'interrupted', 'expired', 'cancelled', "
            "'errored')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    form_id: Mapped[str] = mapped_column(Text)
    form_version: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("households.id"), nullable=True
    )
    status: Mapped[str] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(json_type())
    channel: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("form_sessions.id"), nullable=True
    )
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(Text)
    form_id: Mapped[str] = mapped_column(Text)
    form_version: Mapped[int] = mapped_column(Integer)
    household_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("households.id"), nullable=True, index=True
    )
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(json_type())
    changes: Mapped[list[dict[str, Any]]] = mapped_column(json_type())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    channel: Mapped[str | None] = mapped_column(Text, nullable=True)
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    before: Mapped[Any] = mapped_column(json_type(none_as_null=True), nullable=True)
    after: Mapped[Any] = mapped_column(json_type(none_as_null=True), nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProcessedInbound(Base):
    __tablename__ = "processed_inbound"
    __table_args__ = (PrimaryKeyConstraint("channel", "platform_id"),)

    channel: Mapped[str] = mapped_column(Text)
    platform_id: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


# ---- 0002: proactive messages, deadlines, announcements, raw webhooks, problem reports --------


class Deadline(Base):
    """A SIKS-NG cut-off that Dinsos sets for a region and some roles; may repeat."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"), index=True)
    roles: Mapped[list[str]] = mapped_column(json_type())
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    recurrence: Mapped[Any] = mapped_column(json_type(none_as_null=True), nullable=True)
    offsets: Mapped[list[int]] = mapped_column(json_type())
    remind_time: Mapped[str] = mapped_column(Text, default="08:00", server_default="08:00")
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("people.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Announcement(Base):
    """A Dinsos broadcast to a set of regions and roles; delivered through the outbox."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("people.id"), nullable=True)
    region_codes: Mapped[list[str]] = mapped_column(json_type())
    roles: Mapped[list[str]] = mapped_column(json_type())
    text: Mapped[str] = mapped_column(Text)
    media_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    media_kind: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(Text, default="scheduled", server_default="scheduled")
    scheduled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    nudge_after_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    nudged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OutboxMessage(Base):
    """One proactive message to one person, at most once per campaign (reminder step,
    announcement, nudge, digest). Senders claim due rows, send, and record the outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("campaign", "person_id"),
        Index("ix_outbox_status_priority_next_attempt_at", "status", "priority", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"), index=True)
    identity_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("identities.id"), nullable=True
    )
    region_code: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    payload: Mapped[Any] = mapped_column(json_type())
    template: Mapped[Any] = mapped_column(json_type(none_as_null=True), nullable=True)
    status: Mapped[str] = mapped_column(Text, default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    platform_message_id: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # 0003: for reports, crash recovery and ordering.
    role: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str | None] = mapped_column(Text, nullable=True)
    progress: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    priority: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # 0005: the platform's reason for a failure (WhatsApp error code and title).
    error_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_title: Mapped[str | None] = mapped_column(Text, nullable=True)


class InboundEvent(Base):
    """A raw webhook body, stored before it is processed (so a slow step never loses it)."""

    __tablename__ = "inbound_events"
    __table_args__ = (Index("ix_inbound_events_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="new", server_default="new")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    processed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProblemReport(Base):
    """ "Lapor kendala": an operator's problem report to Dinsos, and Dinsos' reply."""

    __tablename__ = "problem_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    channel: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"), index=True)
    household_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("households.id"), nullable=True
    )
    submission_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("submissions.id"), nullable=True
    )
    category: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    photo_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(Text, default="open", server_default="open")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("people.id"), nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProgressSnapshot(Base):
    """Household counts per status of one village in one ISO week (``2027-W04``), taken when
    that week's digest is planned: "since last week" compares with the previous week's row."""

    __tablename__ = "progress_snapshots"
    __table_args__ = (UniqueConstraint("region_code", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(Text, ForeignKey("regions.code"))
    week: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    counts: Mapped[dict[str, int]] = mapped_column(json_type())


class AccessThrottle(Base):
    """One counted attempt (a wrong invite code, a duplicate look-up, a received file) by a
    subject (a sender, a person, or ``*`` for everyone) in a bucket; counted over a window."""

    __tablename__ = "access_throttle"
    __table_args__ = (Index("ix_access_throttle_bucket_subject_at", "bucket", "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class ProcessingEntry(Base):
    """0007: the record of processing (UU PDP): who viewed, exported, changed, restricted or
    deleted personal data, when and through which channel. One row per act: a household
    opened or changed (``household_id``), a region exported (``region_code``), a person's data
    erased (``subject_person_id``)."""

    __tablename__ = "processing_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    action: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # who; None: CLI
    channel: Mapped[str] = mapped_column(Text)
    household_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    region_code: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    subject_person_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


# ---- 0008: the web console (issue 19) ---------------------------------------------------------


class WebLoginToken(Base):
    """A one-time console link: only the SHA-256 of its token is kept; used once, 10 minutes."""

    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSession(Base):
    """A console session: the SHA-256 of its cookie, the roles it was opened with (``role@code``
    strings; the session ends when one of them is revoked), its CSRF token and language."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(json_type())
    csrf: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(Text, default="id", server_default="id")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebSubmit(Base):
    """A console form's idempotency key: the first submit wins, a repeat gets its result."""

    __tablename__ = "web_submits"

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, ForeignKey("people.id"))
    result: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
