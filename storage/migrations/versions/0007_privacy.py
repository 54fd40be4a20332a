"""Personal data (issue 18): the record of processing and restricted households.

``processing_log`` records who viewed, exported, changed, restricted or deleted personal data,
when and through which channel (UU PDP: a record of processing; the subject report reads it).
``households`` get ``restricted_at`` / ``restricted_by``: Dinsos restricted the household at
its data subject's request, so it is left out of exports, lists, search and counts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "processing_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.Text(), nullable=True),
        sa.Column("subject_person_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_processing_log"),
    )
    for column in ("at", "household_id", "region_code", "subject_person_id"):
        op.create_index(f"ix_processing_log_{column}", "processing_log", [column])
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("restricted_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.drop_column("restricted_by")
        batch.drop_column("restricted_at")
    for column in ("subject_person_id", "region_code", "household_id", "at"):
        op.drop_index(f"ix_processing_log_{column}", table_name="processing_log")
    op.drop_table("processing_log")
