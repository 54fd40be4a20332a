"""Form sessions: the serialised state of the form engine, one row per started form.

A session that closes (completed, cancelled, expired, interrupted, errored) drops its copy of
the household (the engine context's ``record``: the household and its members as they were
when the form started) and the numbers it looked up for duplicates: the purpose they were
copied for is over (UU PDP: kept no longer than needed). The answers stay (an errored form's
are looked into; a completed one's are in its submission).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, literal_column, or_, select, update

from storage.models import FormSession, Household, json_type
from storage.records import OPEN_SESSION_STATUSES, SESSION_STATUSES, FormSessionRecord
from storage.repos._base import (
    DbSession,
    Repository,
    changed,
    in_region,
    insert_id,
    prepared,
    require_aware,
)

_COLUMNS = (
    FormSession.id,
    FormSession.person_id,
    FormSession.form_id,
    FormSession.form_version,
    FormSession.household_id,
    FormSession.status,
    FormSession.state,
    FormSession.channel,
    FormSession.created_at,
    FormSession.updated_at,
    Household.region_code,
)
_WITH_HOUSEHOLD = FormSession.__table__.outerjoin(
    Household.__table__, Household.id == FormSession.household_id
)


# Run on almost every update: built once, so SQLAlchemy reuses the compiled statements.
_GET_OPEN = prepared(
    select(*_COLUMNS)
    .select_from(_WITH_HOUSEHOLD)
    .where(
        FormSession.person_id == bindparam("person_id"),
        # Not in_(): an expanding IN list is rendered again on every execution.
        or_(*(FormSession.status == status for status in OPEN_SESSION_STATUSES)),
    )
    .order_by(FormSession.updated_at.desc(), FormSession.id.desc())
    .limit(1)
)
_GET = prepared(
    select(*_COLUMNS).select_from(_WITH_HOUSEHOLD).where(FormSession.id == bindparam("session_id"))
)
_SAVE = prepared(
    update(FormSession)
    .where(FormSession.id == bindparam("session_id"))
    .values(
        status=bindparam("status"),
        state=bindparam("state"),
        channel=bindparam("channel"),
        updated_at=bindparam("updated_at"),
    )
    .returning(FormSession.id)
)
CLOSED_STATUSES = tuple(s for s in SESSION_STATUSES if s not in OPEN_SESSION_STATUSES)
# The state without the household copy, in SQL (for closes that do not rewrite the state).
_DROP_SNAPSHOT_SQL = {
    "sqlite": "json_remove(state, '$.engine.context.record', '$.looked_up')",
    "postgresql": "(state #- '{engine,context,record}') - 'looked_up'",
}


def _without_snapshot_sql(dialect: str) -> ColumnElement[Any]:
    return literal_column(_DROP_SNAPSHOT_SQL[dialect], type_=json_type())


_FINISH = {
    dialect: prepared(
        update(FormSession)
        .where(
            FormSession.id == bindparam("session_id"),
            or_(*(FormSession.status == status for status in OPEN_SESSION_STATUSES)),
        )
        .values(
            status=bindparam("status"),
            channel=bindparam("channel"),
            updated_at=bindparam("updated_at"),
            state=_without_snapshot_sql(dialect),
        )
        .returning(FormSession.id)
    )
    for dialect in _DROP_SNAPSHOT_SQL
}


def without_snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` without the household copy and the numbers looked up (a closed session's)."""
    kept = {key: value for key, value in state.items() if key != "looked_up"}
    engine = kept.get("engine")
    context = engine.get("context") if isinstance(engine, dict) else None
    if isinstance(engine, dict) and isinstance(context, dict) and "record" in context:
        trimmed = {key: value for key, value in context.items() if key != "record"}
        kept["engine"] = {**engine, "context": trimmed}
    return kept


def _check_status(status: str) -> str:
    if status not in SESSION_STATUSES:
        raise ValueError(f"unknown session status {status!r}; one of {SESSION_STATUSES}")
    return status


class FormSessionRepository(Repository):
    """Form sessions. The open session of a person is read once per unit of work: it is
    remembered until this repository writes a session (nothing else writes them), so the
    several steps of one update that ask for it cost one query (or none, when the turn's first
    statement brought it: :meth:`remember_open`)."""

    def __init__(self, session: DbSession, dialect: str) -> None:
        super().__init__(session, dialect)
        self._open: dict[int, FormSessionRecord | None] = {}

    def remember_open(self, person_id: int, record: FormSessionRecord | None) -> None:
        """``record`` is the person's open session now (read by another query of this unit)."""
        self._open[person_id] = record

    def forget_open(self) -> None:
        """Read open sessions again (another transaction may have changed them)."""
        self._open.clear()

    async def get_open(self, person_id: int) -> FormSessionRecord | None:
        """The person's newest session that is still active or waiting."""
        if person_id in self._open:
            return self._open[person_id]
        row = (await self._session.execute(_GET_OPEN, {"person_id": person_id})).first()
        record = FormSessionRecord(*row) if row else None
        self._open[person_id] = record
        return record

    async def expire_idle(self, idle_since: dt.datetime, now: dt.datetime) -> int:
        """Close as ``expired`` every open session (of anyone) last answered at or before
        ``idle_since``: nothing of it is saved (the housekeeping job; a person's own idle form
        is closed when they next write). How many were closed."""
        self._open.clear()  # a session changes: read the open one again
        return await changed(
            self._session,
            update(FormSession)
            .where(
                FormSession.updated_at <= require_aware(idle_since),
                or_(*(FormSession.status == status for status in OPEN_SESSION_STATUSES)),
            )
            .values(
                status="expired",
                updated_at=require_aware(now),
                state=_without_snapshot_sql(self._dialect),
            )
            .returning(FormSession.id),
        )

    async def create(
        self,
        person_id: int,
        form_id: str,
        form_version: int,
        household_id: int | None,
        state: dict[str, Any],
        channel: str,
        now: dt.datetime,
        status: str = "active",
    ) -> int:
        self._open.clear()  # a session changes: read the open one again
        now = require_aware(now)
        return await insert_id(
            self._session,
            FormSession,
            person_id=person_id,
            form_id=form_id,
            form_version=form_version,
            household_id=household_id,
            status=_check_status(status),
            state=state,
            channel=channel,
            created_at=now,
            updated_at=now,
        )

    async def save(
        self,
        session_id: int,
        status: str,
        state: dict[str, Any],
        channel: str,
        now: dt.datetime,
    ) -> bool:
        """Store the engine's new state; False when there is no such session. A closing
        ``status`` drops the household copy (:func:`without_snapshot`)."""
        self._open.clear()  # a session changes: read the open one again
        if _check_status(status) in CLOSED_STATUSES:
            state = without_snapshot(state)
        params = {
            "session_id": session_id,
            "status": status,
            "state": state,
            "channel": channel,
            "updated_at": require_aware(now),
        }
        return bool(await changed(self._session, _SAVE, params))

    async def finish(self, session_id: int, status: str, channel: str, now: dt.datetime) -> bool:
        """Close a session that is still open (``status`` completed, cancelled, ...); False when
        it was closed already, so of two updates racing to finish it only one goes on (on
        PostgreSQL the second waits for the first's row lock, then finds it closed)."""
        self._open.clear()  # a session changes: read the open one again
        params = {
            "session_id": session_id,
            "status": _check_status(status),
            "channel": channel,
            "updated_at": require_aware(now),
        }
        return bool(await changed(self._session, _FINISH[self._dialect], params))

    async def set_household(self, session_id: int, household_id: int | None) -> bool:
        """Bind the session to the household it is about (chosen after the form started)."""
        self._open.clear()  # a session changes: read the open one again
        return bool(
            await changed(
                self._session,
                update(FormSession)
                .where(FormSession.id == session_id)
                .values(household_id=household_id)
                .returning(FormSession.id),
            )
        )

    async def get(self, session_id: int) -> FormSessionRecord | None:
        row = (await self._session.execute(_GET, {"session_id": session_id})).first()
        return FormSessionRecord(*row) if row else None

    async def interrupt_open(
        self, person_id: int, now: dt.datetime, region_code: str | None = None
    ) -> int:
        """Close the person's open sessions as ``interrupted`` (access taken back); how many.
        With ``region_code`` only those inside it: about a household there, or started for
        that region (a new proposal, a problem report), or about no region yet (a household
        search, a Dinsos composer: the person starts again from the menu)."""
        self._open.clear()  # a session changes: read the open one again
        stmt = update(FormSession).where(
            FormSession.person_id == person_id,
            or_(*(FormSession.status == status for status in OPEN_SESSION_STATUSES)),
        )
        if region_code is not None:
            households = select(Household.id).where(in_region(Household.region_code, region_code))
            started_for = FormSession.state[("engine", "context", "region_code")].as_string()
            stmt = stmt.where(
                or_(
                    FormSession.household_id.in_(households.scalar_subquery()),
                    and_(
                        FormSession.household_id.is_(None),
                        or_(
                            started_for.is_(None),
                            started_for == region_code,
                            started_for.like(region_code + ".%"),
                        ),
                    ),
                )
            )
        stmt = stmt.values(
            status="interrupted",
            updated_at=require_aware(now),
            state=_without_snapshot_sql(self._dialect),
        ).returning(FormSession.id)
        return await changed(self._session, stmt)
