"""Access lifecycle: identities that are switched off (Telegram groups and channels, removed
people), people removed by Dinsos, a throttle log (invite guesses, duplicate look-ups, files
received), and the platform's reason when a message failed (outbox rows; the last failed reply
on the identity).

Kawal serves people only in private chats. Telegram gives groups, supergroups and channels
negative chat ids; an identity registered from one of them is switched off here, the open forms
of its person are interrupted, and a person left with no working identity loses its roles (it
was a group, not a person).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_identities = sa.table(
    "identities",
    sa.column("id", sa.Integer()),
    sa.column("person_id", sa.Integer()),
    sa.column("channel", sa.Text()),
    sa.column("external_id", sa.Text()),
    sa.column("disabled_at", sa.DateTime(timezone=True)),
)
_roles = sa.table(
    "role_assignments",
    sa.column("person_id", sa.Integer()),
    sa.column("revoked_at", sa.DateTime(timezone=True)),
)
_sessions = sa.table(
    "form_sessions",
    sa.column("person_id", sa.Integer()),
    sa.column("status", sa.Text()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _utc_now(connection: sa.Connection) -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    # SQLite keeps UTC without an offset (see storage.models.UtcDateTime).
    return now.replace(tzinfo=None) if connection.dialect.name == "sqlite" else now


def _disable_group_identities() -> None:
    connection = op.get_bind()
    now = _utc_now(connection)
    group = sa.and_(
        _identities.c.channel == "telegram",
        _identities.c.external_id.like("-%"),
        _identities.c.disabled_at.is_(None),
    )
    people = sorted(
        {row[0] for row in connection.execute(sa.select(_identities.c.person_id).where(group))}
    )
    if not people:
        return
    connection.execute(sa.update(_identities).where(group).values(disabled_at=now))
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        connection.execute(
            sa.update(_sessions)
            .where(_sessions.c.person_id.in_(chunk), _sessions.c.status.in_(("active", "waiting")))
            .values(status="interrupted", updated_at=now)
        )
        working = {
            row[0]
            for row in connection.execute(
                sa.select(_identities.c.person_id).where(
                    _identities.c.person_id.in_(chunk), _identities.c.disabled_at.is_(None)
                )
            )
        }
        orphans = [p for p in chunk if p not in working]
        if orphans:
            connection.execute(
                sa.update(_roles)
                .where(_roles.c.person_id.in_(orphans), _roles.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("failure_code", sa.Text(), nullable=True))
        batch.add_column(sa.Column("failure_title", sa.Text(), nullable=True))
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("error_code", sa.Text(), nullable=True))
        batch.add_column(sa.Column("error_title", sa.Text(), nullable=True))
    op.create_table(
        "access_throttle",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("bucket", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_throttle"),
    )
    op.create_index(
        "ix_access_throttle_bucket_subject_at", "access_throttle", ["bucket", "subject", "at"]
    )
    op.create_index("ix_access_throttle_at", "access_throttle", ["at"])
    _disable_group_identities()


def downgrade() -> None:
    op.drop_index("ix_access_throttle_at", table_name="access_throttle")
    op.drop_index("ix_access_throttle_bucket_subject_at", table_name="access_throttle")
    op.drop_table("access_throttle")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("error_title")
        batch.drop_column("error_code")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("failure_title")
        batch.drop_column("failure_code")
        batch.drop_column("failed_at")
        batch.drop_column("disabled_at")
