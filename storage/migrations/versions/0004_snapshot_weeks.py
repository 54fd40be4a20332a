"""Progress snapshots keyed by ISO week: one per village and week, so the digest's "since last
week" compares with exactly the previous week's snapshot, however late a week's digest went.

Existing snapshots get the ISO week of the local date they were taken on (in the village's own
zone); where a village has two in one week, the earliest stays.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_snapshots = sa.table(
    "progress_snapshots",
    sa.column("id", sa.Integer()),
    sa.column("region_code", sa.Text()),
    sa.column("taken_at", sa.DateTime(timezone=True)),
    sa.column("week", sa.Text()),
)
_regions = sa.table("regions", sa.column("code", sa.Text()), sa.column("timezone", sa.Text()))


def _week_of(taken_at: dt.datetime, zone: str | None) -> str:
    if taken_at.tzinfo is None:  # SQLite keeps UTC without an offset
        taken_at = taken_at.replace(tzinfo=dt.UTC)
    year, week, _ = taken_at.astimezone(ZoneInfo(zone or "Asia/Jakarta")).isocalendar()
    return f"{year:04d}-W{week:02d}"


def _backfill() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _snapshots.c.id, _snapshots.c.region_code, _snapshots.c.taken_at, _regions.c.timezone
        )
        .select_from(_snapshots.outerjoin(_regions, _regions.c.code == _snapshots.c.region_code))
        .order_by(_snapshots.c.taken_at, _snapshots.c.id)
    ).all()
    kept: set[tuple[str, str]] = set()
    by_week: dict[str, list[int]] = {}
    duplicates: list[int] = []
    for snapshot_id, region_code, taken_at, zone in rows:
        week = _week_of(taken_at, zone)
        if (region_code, week) in kept:
            duplicates.append(snapshot_id)
        else:
            kept.add((region_code, week))
            by_week.setdefault(week, []).append(snapshot_id)
    for week, ids in by_week.items():  # a few weeks, each a few hundred villages
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            connection.execute(
                sa.update(_snapshots).where(_snapshots.c.id.in_(chunk)).values(week=week)
            )
    for start in range(0, len(duplicates), 500):
        chunk = duplicates[start : start + 500]
        connection.execute(sa.delete(_snapshots).where(_snapshots.c.id.in_(chunk)))


def upgrade() -> None:
    op.add_column("progress_snapshots", sa.Column("week", sa.Text(), nullable=True))
    _backfill()
    op.drop_index("ix_progress_snapshots_region_code_taken_at", table_name="progress_snapshots")
    with op.batch_alter_table("progress_snapshots") as batch:
        batch.alter_column("week", existing_type=sa.Text(), nullable=False)
        batch.create_unique_constraint(
            "uq_progress_snapshots_region_code_week", ["region_code", "week"]
        )


def downgrade() -> None:
    with op.batch_alter_table("progress_snapshots") as batch:
        batch.drop_constraint("uq_progress_snapshots_region_code_week", type_="unique")
        batch.drop_column("week")
    op.create_index(
        "ix_progress_snapshots_region_code_taken_at",
        "progress_snapshots",
        ["region_code", "taken_at"],
    )
