"""Initial schema: regions, people and identities, roles, invites, households and members,
form sessions, submissions, audit log, processed inbound updates.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _json(*, none_as_null: bool = False) -> sa.types.TypeEngine[Any]:
    return sa.JSON(none_as_null=none_as_null).with_variant(
        postgresql.JSONB(none_as_null=none_as_null), "postgresql"
    )


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "regions",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name="ck_regions_level"),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["regions.code"], name="fk_regions_parent_code_regions"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_regions"),
    )
    op.create_index("ix_regions_parent_code", "regions", ["parent_code"])

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("lang", sa.Text(), server_default="id", nullable=False),
        sa.Column("consent_at", _utc(), nullable=True),
        sa.Column("consent_version", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
    )

    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_inbound_at", _utc(), nullable=True),
        sa.Column("blocked_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_identities_person_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("channel", "external_id", name="uq_identities_channel_external_id"),
    )
    op.create_index("ix_identities_person_id", "identities", ["person_id"])

    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_role_assignments_person_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name="fk_role_assignments_region_code_regions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_role_assignments"),
        sa.UniqueConstraint(
            "person_id",
            "role",
            "region_code",
            name="uq_role_assignments_person_id_role_region_code",
        ),
    )
    op.create_index("ix_role_assignments_region_code", "role_assignments", ["region_code"])

    op.create_table(
        "invite_codes",
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("max_uses", sa.Integer(), server_default="1", nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.CheckConstraint("max_uses >= 1", name="ck_invite_codes_max_uses"),
        sa.CheckConstraint("uses >= 0 AND uses <= max_uses", name="ck_invite_codes_uses"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name="fk_invite_codes_created_by_people"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name="fk_invite_codes_region_code_regions"
        ),
        sa.PrimaryKeyConstraint("code", name="pk_invite_codes"),
    )

    op.create_table(
        "households",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("id_dtks", sa.Text(), nullable=True),
        sa.Column("no_kk", sa.Text(), nullable=True),
        sa.Column("head_name", sa.Text(), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.Column("rt", sa.Text(), server_default="", nullable=False),
        sa.Column("rw", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="pending", nullable=False),
        sa.Column("source", sa.Text(), server_default="import", nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'updated', 'proposed', 'not_found')",
            name="ck_households_status",
        ),
        sa.CheckConstraint("source IN ('import', 'proposal')", name="ck_households_source"),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name="fk_households_region_code_regions"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["people.id"], name="fk_households_updated_by_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_households"),
    )
    op.create_index("ix_households_region_code", "households", ["region_code"])
    op.create_index("ix_households_id_dtks", "households", ["id_dtks"])
    op.create_index("ix_households_no_kk", "households", ["no_kk"])

    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("idsemesta", sa.Text(), nullable=True),
        sa.Column("nik", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("relation", sa.Text(), nullable=False),
        sa.Column("sex", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("marital_status", sa.Text(), nullable=True),
        sa.Column("presence", sa.Text(), server_default="tinggal", nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name="fk_members_household_id_households",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
    )
    op.create_index("ix_members_household_id", "members", ["household_id"])
    op.create_index("ix_members_nik", "members", ["nik"])

    op.create_table(
        "form_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Text(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("state", _json(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'waiting', 'completed', 'interrupted', 'expired', 'cancelled')",
            name="ck_form_sessions_status",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name="fk_form_sessions_household_id_households"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_form_sessions_person_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_form_sessions"),
    )
    op.create_index("ix_form_sessions_person_id_status", "form_sessions", ["person_id", "status"])

    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("form_id", sa.Text(), nullable=False),
        sa.Column("form_version", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.Text(), nullable=False),
        sa.Column("answers", _json(), nullable=False),
        sa.Column("changes", _json(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name="fk_submissions_household_id_households"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_submissions_person_id_people"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name="fk_submissions_region_code_regions"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["form_sessions.id"], name="fk_submissions_session_id_form_sessions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
    )
    op.create_index("ix_submissions_household_id", "submissions", ["household_id"])
    op.create_index("ix_submissions_region_code", "submissions", ["region_code"])
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("region_code", sa.Text(), nullable=True),
        sa.Column("before", _json(none_as_null=True), nullable=True),
        sa.Column("after", _json(none_as_null=True), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity_entity_id", "audit_log", ["entity", "entity_id"])

    op.create_table(
        "processed_inbound",
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("platform_id", sa.Text(), nullable=False),
        sa.Column("processed_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "platform_id", name="pk_processed_inbound"),
    )
    op.create_index("ix_processed_inbound_processed_at", "processed_inbound", ["processed_at"])


def downgrade() -> None:
    for table in (
        "processed_inbound",
        "audit_log",
        "submissions",
        "form_sessions",
        "members",
        "households",
        "invite_codes",
        "role_assignments",
        "identities",
        "people",
        "regions",
    ):
        op.drop_table(table)
