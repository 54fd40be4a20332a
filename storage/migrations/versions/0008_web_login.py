"""The web console (issue 19): one-time login links, console sessions and form submit keys.

Only SHA-256 hashes of link tokens and session cookies are stored: a copy of the database
opens no session. ``web_sessions.roles`` lists the ``role@region`` the session was opened
with; the console ends the session when one of them is no longer active.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["people.id"], name=f"fk_{table}_person_id_people"
    )


def upgrade() -> None:
    op.create_table(
        "web_login_tokens",
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        _person_fk("web_login_tokens"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_login_tokens"),
    )
    op.create_index("ix_web_login_tokens_person_id", "web_login_tokens", ["person_id"])
    op.create_index("ix_web_login_tokens_expires_at", "web_login_tokens", ["expires_at"])
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("roles", _json(), nullable=False),
        sa.Column("csrf", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), server_default="id", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        _person_fk("web_sessions"),
        sa.PrimaryKeyConstraint("id_hash", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_person_id", "web_sessions", ["person_id"])
    op.create_index("ix_web_sessions_expires_at", "web_sessions", ["expires_at"])
    op.create_table(
        "web_submits",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _person_fk("web_submits"),
        sa.PrimaryKeyConstraint("key", name="pk_web_submits"),
    )
    op.create_index("ix_web_submits_created_at", "web_submits", ["created_at"])


def downgrade() -> None:
    op.drop_table("web_submits")
    op.drop_table("web_sessions")
    op.drop_table("web_login_tokens")
