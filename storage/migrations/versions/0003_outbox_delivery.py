"""Outbox delivery: the recipient's role and the channel used (for reports), the parts already
sent (crash recovery), and a priority so conversation messages overtake a large broadcast.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("role", sa.Text(), nullable=True))
        batch.add_column(sa.Column("channel", sa.Text(), nullable=True))
        batch.add_column(sa.Column("progress", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("priority", sa.Integer(), server_default="1", nullable=False))
    op.drop_index("ix_outbox_status_next_attempt_at", table_name="outbox")
    op.create_index(
        "ix_outbox_status_priority_next_attempt_at",
        "outbox",
        ["status", "priority", "next_attempt_at"],
    )
    op.create_index("ix_outbox_claimed_by", "outbox", ["claimed_by"])


def downgrade() -> None:
    op.drop_index("ix_outbox_claimed_by", table_name="outbox")
    op.drop_index("ix_outbox_status_priority_next_attempt_at", table_name="outbox")
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
        batch.drop_column("progress")
        batch.drop_column("channel")
        batch.drop_column("role")
