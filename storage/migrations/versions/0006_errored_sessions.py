"""Form sessions may end ``errored``: the form engine failed on them (a bug or a damaged
session, goflow's "errored" status); the host logged why, closed the form and told the person.

The status check of ``form_sessions`` gets the new value. Its name in databases built by 0001
is ``ck_form_sessions_ck_form_sessions_status`` (0001 spelled the full name and the naming
convention prefixed it again); the new check has the name the models give it,
``ck_form_sessions_status``. A downgrade turns errored sessions into interrupted ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_STATUSES = ("active", "waiting", "completed", "interrupted", "expired", "cancelled")
_OLD_NAME = "ck_form_sessions_ck_form_sessions_status"
_NEW_NAME = "ck_form_sessions_status"

_sessions = sa.table("form_sessions", sa.column("status", sa.Text()))


def _check(statuses: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _replace(old: str, new: str, statuses: tuple[str, ...]) -> None:
    with op.batch_alter_table("form_sessions") as batch:
        batch.drop_constraint(op.f(old), type_="check")
        batch.create_check_constraint(op.f(new), _check(statuses))


def upgrade() -> None:
    _replace(_OLD_NAME, _NEW_NAME, (*_STATUSES, "errored"))


def downgrade() -> None:
    op.execute(
        sa.update(_sessions).where(_sessions.c.status == "errored").values(status="interrupted")
    )
    _replace(_NEW_NAME, _OLD_NAME, _STATUSES)
