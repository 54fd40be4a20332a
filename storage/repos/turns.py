"""The start of every inbound update in one go: claim it, find who sent it, note that they
wrote, and (on PostgreSQL) read their open form.

On PostgreSQL that is one statement (data-modifying CTEs), so one round trip instead of four:
the server is a network hop away and each round trip costs the bot a wake-up. SQLite runs the
same steps one by one (a statement there is a function call: nothing to gain, and SQLite has
no INSERT in a WITH clause).

A duplicate (the update was processed, or another transaction holds its claim and commits)
claims nothing and touches nothing, as before.

Two updates of one sender may run at once in two processes (a load balancer spreads updates
over processes without regard to the chat). Each turn writes the sender's identity row first
(the "last wrote" mark), so the second waits for the first's commit on that row's lock. On
PostgreSQL the single statement read the sender and the open form before that wait; it notices
(the row's version changed) and reads them again once the lock is held, so it continues from
the first update's form state instead of overwriting it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Boolean, Integer, Text, bindparam, column, text
from sqlalchemy.dialects.postgresql import JSON

from storage.models import UtcDateTime, json_type
from storage.records import (
    FormSessionRecord,
    PersonContext,
    RoleRecord,
)
from storage.repos._base import DbSession, Repository, prepared, require_aware
from storage.repos.inbound import InboundRepository
from storage.repos.people import PeopleRepository
from storage.repos.sessions import FormSessionRepository

# Bind names appear once each (the prepared path maps them to $1, $2, ... by position); the
# open statuses are OPEN_SESSION_STATUSES (a test checks).
_START_SQL = """
WITH claim AS (
    INSERT INTO processed_inbound (channel, platform_id, processed_at)
    VALUES (:channel, :platform_id, :now)
    ON CONFLICT (channel, platform_id) DO NOTHING
    RETURNING platform_id
), who AS (
    SELECT i.id, i.person_id, i.blocked_at, i.xmin AS version,
           p.name, p.lang, p.consent_at, p.consent_version
    FROM identities AS i JOIN people AS p ON p.id = i.person_id
    WHERE i.channel = :identity_channel AND i.external_id = :external_id
      AND i.disabled_at IS NULL AND EXISTS (SELECT FROM claim)
), touched AS (
    UPDATE identities SET last_inbound_at = :touched_at, blocked_at = NULL
    FROM who WHERE identities.id = who.id AND identities.xmin = who.version
    RETURNING identities.id
)
SELECT EXISTS (SELECT FROM claim) AS claimed, EXISTS (SELECT FROM touched) AS locked,
       who.id AS identity_id, who.person_id, who.blocked_at, who.name, who.lang,
       who.consent_at, who.consent_version,
       (SELECT json_agg(json_build_array(r.role, r.region_code, g.name) ORDER BY r.id)
        FROM role_assignments AS r LEFT JOIN regions AS g ON g.code = r.region_code
        WHERE r.person_id = who.person_id AND r.revoked_at IS NULL) AS roles,
       s.id AS session_id, s.form_id, s.form_version, s.household_id, s.status, s.state,
       s.channel AS session_channel, s.created_at, s.updated_at,
       h.region_code AS household_region
FROM (SELECT 1) AS one
LEFT JOIN who ON true
LEFT JOIN LATERAL (
    SELECT * FROM form_sessions AS s
    WHERE s.person_id = who.person_id AND (s.status = 'active' OR s.status = 'waiting')
    ORDER BY s.updated_at DESC, s.id DESC
    LIMIT 1
) AS s ON true
LEFT JOIN households AS h ON h.id = s.household_id
"""

_START = prepared(
    text(_START_SQL)
    .bindparams(
        bindparam("now", type_=UtcDateTime()),
        bindparam("touched_at", type_=UtcDateTime()),
    )
    .columns(
        column("claimed", Boolean()),
        column("locked", Boolean()),
        column("identity_id", Integer()),
        column("person_id", Integer()),
        column("blocked_at", UtcDateTime()),
        column("name", Text()),
        column("lang", Text()),
        column("consent_at", UtcDateTime()),
        column("consent_version", Text()),
        column("roles", JSON()),
        column("session_id", Integer()),
        column("form_id", Text()),
        column("form_version", Integer()),
        column("household_id", Integer()),
        column("status", Text()),
        column("state", json_type()),
        column("session_channel", Text()),
        column("created_at", UtcDateTime()),
        column("updated_at", UtcDateTime()),
        column("household_region", Text()),
    )
)


@dataclass(frozen=True, slots=True)
class TurnStart:
    claimed: bool  # False: a duplicate, nothing else was read or written
    person: PersonContext | None


class TurnRepository(Repository):
    def __init__(
        self,
        session: DbSession,
        dialect: str,
        inbound: InboundRepository,
        people: PeopleRepository,
        sessions: FormSessionRepository,
    ) -> None:
        super().__init__(session, dialect)
        self._inbound = inbound
        self._people = people
        self._sessions = sessions

    async def start(
        self, channel: str, platform_id: str, external_id: str, now: dt.datetime
    ) -> TurnStart:
        """Claim the update ``platform_id`` (see :meth:`InboundRepository.claim`); when it is
        new, the sender's person (None: unknown) with the moment they wrote noted, and on
        PostgreSQL their open form, remembered by ``uow.sessions``."""
        now = require_aware(now)
        if self._dialect != "postgresql":
            if not await self._inbound.claim(channel, platform_id, now):
                return TurnStart(False, None)
            person = await self._people.find_by_identity(channel, external_id)
            if person is not None:
                await self._people.touch_inbound(person.identity_id, now)
            return TurnStart(True, person)
        params = {
            "channel": channel,
            "platform_id": platform_id,
            "now": now,
            "identity_channel": channel,
            "external_id": external_id,
            "touched_at": now,
        }
        row = (await self._session.execute(_START, params)).one()
        if not row.claimed:
            return TurnStart(False, None)
        if row.identity_id is None:
            return TurnStart(True, None)
        if not row.locked:
            return await self._after_wait(channel, external_id, now, row.blocked_at)
        person = PersonContext(
            person_id=row.person_id,
            identity_id=row.identity_id,
            name=row.name,
            lang=row.lang,
            consent_at=row.consent_at,
            roles=tuple(_roles(row.roles)),
            blocked_at=row.blocked_at,
            channel=channel,
            external_id=external_id,
            consent_version=row.consent_version,
        )
        record = None
        if row.session_id is not None:
            record = FormSessionRecord(
                id=row.session_id,
                person_id=row.person_id,
                form_id=row.form_id,
                form_version=row.form_version,
                household_id=row.household_id,
                status=row.status,
                state=row.state,
                channel=row.session_channel,
                created_at=row.created_at,
                updated_at=row.updated_at,
                household_region=row.household_region,
            )
        self._sessions.remember_open(person.person_id, record)
        return TurnStart(True, person)

    async def _after_wait(
        self, channel: str, external_id: str, now: dt.datetime, blocked_at: dt.datetime | None
    ) -> TurnStart:
        """Another update of the same sender changed their identity row (it was in flight:
        the statement waited for its row lock, then found the row changed), so what the
        statement read is older than that update: lock the row now and read again."""
        person = await self._people.find_by_identity(channel, external_id)
        if person is None:  # switched off meanwhile
            return TurnStart(True, None)
        await self._people.touch_inbound(person.identity_id, now)
        person = await self._people.find_by_identity(channel, external_id)
        if person is None:
            return TurnStart(True, None)
        self._sessions.forget_open()
        return TurnStart(True, replace(person, blocked_at=blocked_at))


def _roles(value: Any) -> list[RoleRecord]:
    return [
        RoleRecord(role=role, region_code=code, region_name=name or code)
        for role, code, name in value or ()
    ]
