"""Proactive messages and what drives them: deadlines, announcements, the outbox, raw inbound
webhook events, problem reports and progress snapshots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _json(*, none_as_null: bool = False) -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=none_as_null).with_variant(
        postgresql.JSONB(none_as_null=none_as_null), "postgresql"
    )


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{target_column}"], name=f"fk_{table}_{column}_{target}"
    )


def upgrade() -> None:
    op.create_table(
        "deadlines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("recurrence", _json(none_as_null=True), nullable=True),
        sa.Column("offsets", _json(), nullable=False),
        sa.Column("remind_time", sa.Text(), server_default="08:00", nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("cancelled_at", _utc(), nullable=True),
        _fk("deadlines", "region_code", "regions", "code"),
        _fk("deadlines", "created_by", "people"),
        sa.PrimaryKeyConstraint("id", name="pk_deadlines"),
    )
    op.create_index("ix_deadlines_region_code", "deadlines", ["region_code"])
    op.create_index("ix_deadlines_due_at", "deadlines", ["due_at"])

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("region_codes", _json(), nullable=False),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("media_path", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="scheduled", nullable=False),
        sa.Column("scheduled_at", _utc(), nullable=False),
        sa.Column("nudge_after_hours", sa.Integer(), server_default="24", nullable=False),
        sa.Column("nudged_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("cancelled_at", _utc(), nullable=True),
        _fk("announcements", "created_by", "people"),
        sa.PrimaryKeyConstraint("id", name="pk_announcements"),
    )
    op.create_index("ix_announcements_scheduled_at", "announcements", ["scheduled_at"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.Text(), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("template", _json(none_as_null=True), nullable=True),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_until", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("platform_message_id", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("delivered_at", _utc(), nullable=True),
        sa.Column("read_at", _utc(), nullable=True),
        sa.Column("failed_at", _utc(), nullable=True),
        sa.Column("acknowledged_at", _utc(), nullable=True),
        _fk("outbox", "person_id", "people"),
        _fk("outbox", "identity_id", "identities"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("campaign", "person_id", name="uq_outbox_campaign_person_id"),
    )
    op.create_index("ix_outbox_person_id", "outbox", ["person_id"])
    op.create_index("ix_outbox_region_code", "outbox", ["region_code"])
    op.create_index("ix_outbox_platform_message_id", "outbox", ["platform_message_id"])
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])

    op.create_table(
        "inbound_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="new", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("processed_at", _utc(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_events"),
    )
    op.create_index("ix_inbound_events_status_id", "inbound_events", ["status", "id"])

    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_ref", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="open", nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("answered_at", _utc(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        _fk("problem_reports", "person_id", "people"),
        _fk("problem_reports", "region_code", "regions", "code"),
        _fk("problem_reports", "household_id", "households"),
        _fk("problem_reports", "submission_id", "submissions"),
        _fk("problem_reports", "answered_by", "people"),
        sa.PrimaryKeyConstraint("id", name="pk_problem_reports"),
    )
    op.create_index("ix_problem_reports_region_code", "problem_reports", ["region_code"])

    op.create_table(
        "progress_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("taken_at", _utc(), nullable=False),
        sa.Column("counts", _json(), nullable=False),
        _fk("progress_snapshots", "region_code", "regions", "code"),
        sa.PrimaryKeyConstraint("id", name="pk_progress_snapshots"),
    )
    op.create_index(
        "ix_progress_snapshots_region_code_taken_at",
        "progress_snapshots",
        ["region_code", "taken_at"],
    )


def downgrade() -> None:
    for table in (
        "progress_snapshots",
        "problem_reports",
        "inbound_events",
        "outbox",
        "announcements",
        "deadlines",
    ):
        op.drop_table(table)
