"""People, their channel identities and their roles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, delete, select, update

from storage.models import Identity, OutboxMessage, Person, Region, RoleAssignment
from storage.records import (
    IdentityRecord,
    IdentityRef,
    PersonContext,
    PersonSummary,
    RoleHolder,
    RoleRecord,
)
from storage.regions_data import ancestors_of
from storage.repos._base import (
    Repository,
    changed,
    insert_id,
    overlaps,
    prepared,
    require_aware,
)

# Run on every update: built once, so SQLAlchemy reuses the compiled statement.
_FIND_BY_IDENTITY = prepared(
    select(
        Identity.id,
        Identity.person_id,
        Identity.blocked_at,
        Person.name,
        Person.lang,
        Person.consent_at,
        Person.consent_version,
        RoleAssignment.role,
        RoleAssignment.region_code,
        Region.name,
    )
    .join(Person, Person.id == Identity.person_id)
    .outerjoin(
        RoleAssignment,
        and_(RoleAssignment.person_id == Person.id, RoleAssignment.revoked_at.is_(None)),
    )
    .outerjoin(Region, Region.code == RoleAssignment.region_code)
    .where(
        Identity.channel == bindparam("channel"),
        Identity.external_id == bindparam("external_id"),
        Identity.disabled_at.is_(None),
    )
    .order_by(RoleAssignment.id)
)
_TOUCH_INBOUND = prepared(
    update(Identity)
    .where(Identity.id == bindparam("identity_id"))
    .values(last_inbound_at=bindparam("now"), blocked_at=None)
    .returning(Identity.id)
)


class PeopleRepository(Repository):
    async def find_by_identity(self, channel: str, external_id: str) -> PersonContext | None:
        """The person behind a channel identity with the active roles, in one query."""
        params = {"channel": channel, "external_id": external_id}
        rows = (await self._session.execute(_FIND_BY_IDENTITY, params)).all()
        if not rows:
            return None
        first = rows[0]
        roles = tuple(
            RoleRecord(role=r[7], region_code=r[8], region_name=r[9] or r[8])
            for r in rows
            if r[7] is not None
        )
        return PersonContext(
            person_id=first[1],
            identity_id=first[0],
            name=first[3],
            lang=first[4],
            consent_at=first[5],
            roles=roles,
            blocked_at=first[2],
            channel=channel,
            external_id=external_id,
            consent_version=first[6],
        )

    async def create(self, name: str, lang: str = "id", now: dt.datetime | None = None) -> int:
        """A new person; ``now`` is required (it is last only to keep ``lang`` optional)."""
        created = require_aware(now)
        return await insert_id(self._session, Person, name=name, lang=lang, created_at=created)

    async def add_identity(
        self, person_id: int, channel: str, external_id: str, display_name: str, now: dt.datetime
    ) -> int:
        return await insert_id(
            self._session,
            Identity,
            person_id=person_id,
            channel=channel,
            external_id=external_id,
            display_name=display_name,
            created_at=require_aware(now),
        )

    async def assign_role(
        self, person_id: int, role: str, region_code: str, now: dt.datetime
    ) -> None:
        """Give ``person_id`` the role in the region; again is a no-op, a revoked one comes back."""
        stmt = self._upsert_insert(RoleAssignment).values(
            person_id=person_id, role=role, region_code=region_code, created_at=require_aware(now)
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[
                    RoleAssignment.person_id,
                    RoleAssignment.role,
                    RoleAssignment.region_code,
                ],
                set_={"revoked_at": None},
            )
        )

    async def revoke_role(
        self, person_id: int, role: str, region_code: str, now: dt.datetime
    ) -> bool:
        return bool(
            await changed(
                self._session,
                update(RoleAssignment)
                .where(
                    RoleAssignment.person_id == person_id,
                    RoleAssignment.role == role,
                    RoleAssignment.region_code == region_code,
                    RoleAssignment.revoked_at.is_(None),
                )
                .values(revoked_at=require_aware(now))
                .returning(RoleAssignment.id),
            )
        )

    async def _set_person(self, person_id: int, **values: object) -> bool:
        return bool(
            await changed(
                self._session,
                update(Person).where(Person.id == person_id).values(**values).returning(Person.id),
            )
        )

    async def set_consent(self, person_id: int, version: str, now: dt.datetime) -> bool:
        return await self._set_person(
            person_id, consent_at=require_aware(now), consent_version=version
        )

    async def withdraw_consent(self, person_id: int) -> bool:
        return await self._set_person(person_id, consent_at=None, consent_version=None)

    async def set_lang(self, person_id: int, lang: str) -> bool:
        return await self._set_person(person_id, lang=lang)

    async def set_name(self, person_id: int, name: str) -> bool:
        return await self._set_person(person_id, name=name)

    async def touch_inbound(self, identity_id: int, now: dt.datetime) -> bool:
        """The identity just wrote to us: remember when, and it is no longer blocked."""
        params = {"identity_id": identity_id, "now": require_aware(now)}
        return bool(await changed(self._session, _TOUCH_INBOUND, params))

    async def move_identity(
        self, channel: str, old_external_id: str, new_external_id: str
    ) -> int | None:
        """The person's account on ``channel`` got a new id (a changed phone number): the
        identity moves to it, with the person's roles and open form. The person's id, or None
        when nothing moved (no such identity, or the new id already belongs to someone who is
        still served: that one is never taken over)."""
        if old_external_id == new_external_id:
            return None
        found = (
            await self._session.execute(
                select(Identity.id, Identity.person_id).where(
                    Identity.channel == channel,
                    Identity.external_id == old_external_id,
                    Identity.disabled_at.is_(None),
                )
            )
        ).first()
        if found is None:
            return None
        taken = (
            await self._session.execute(
                select(Identity.id, Identity.disabled_at).where(
                    Identity.channel == channel, Identity.external_id == new_external_id
                )
            )
        ).first()
        if taken is not None:
            if taken[1] is None:
                return None
            # A switched-off identity only holds the id: free it for the move (the messages
            # sent to it keep their rows, without the identity).
            await self._session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.identity_id == taken[0])
                .values(identity_id=None),
                execution_options={"synchronize_session": False},
            )
            await self._session.execute(
                delete(Identity).where(Identity.id == taken[0]),
                execution_options={"synchronize_session": False},
            )
        await self._session.execute(
            update(Identity)
            .where(Identity.id == found[0])
            .values(external_id=new_external_id, blocked_at=None),
            execution_options={"synchronize_session": False},
        )
        return int(found[1])

    async def mark_blocked(self, channel: str, external_id: str, now: dt.datetime) -> bool:
        """The platform said this user blocked the bot (e.g. Telegram 403)."""
        return bool(
            await changed(
                self._session,
                update(Identity)
                .where(Identity.channel == channel, Identity.external_id == external_id)
                .values(blocked_at=require_aware(now))
                .returning(Identity.id),
            )
        )

    async def list_people(self) -> list[PersonSummary]:
        people = (
            await self._session.execute(select(Person.id, Person.name).order_by(Person.id))
        ).all()
        roles: defaultdict[int, list[RoleRecord]] = defaultdict(list)
        role_rows = await self._session.execute(
            select(
                RoleAssignment.person_id,
                RoleAssignment.role,
                RoleAssignment.region_code,
                Region.name,
            )
            .join(Region, Region.code == RoleAssignment.region_code)
            .where(RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.id)
        )
        for person_id, role, region_code, region_name in role_rows:
            roles[person_id].append(RoleRecord(role, region_code, region_name))
        identities: defaultdict[int, list[IdentityRef]] = defaultdict(list)
        identity_rows = await self._session.execute(
            select(Identity.person_id, Identity.channel, Identity.external_id).order_by(Identity.id)
        )
        for person_id, channel, external_id in identity_rows:
            identities[person_id].append(IdentityRef(channel, external_id))
        return [
            PersonSummary(
                id=person_id,
                name=name,
                roles=tuple(roles[person_id]),
                identities=tuple(identities[person_id]),
            )
            for person_id, name in people
        ]

    async def name_and_lang(self, person_id: int) -> tuple[str, str] | None:
        row = (
            await self._session.execute(
                select(Person.name, Person.lang).where(Person.id == person_id)
            )
        ).first()
        return (str(row[0]), str(row[1])) if row else None

    async def role_holders(
        self, roles: Sequence[str], region_code: str | None = None, *, covering: bool = False
    ) -> list[RoleHolder]:
        """Active roles among ``roles`` of people who accepted the data notice, by person then
        role. With ``region_code``: roles whose region overlaps it (inside it or containing
        it), or with ``covering`` only those containing it (the Dinsos of a village)."""
        stmt = (
            select(
                Person.id,
                Person.name,
                Person.lang,
                RoleAssignment.role,
                RoleAssignment.region_code,
                Region.name,
            )
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .join(Region, Region.code == RoleAssignment.region_code)
            .where(
                RoleAssignment.role.in_(list(roles)),
                RoleAssignment.revoked_at.is_(None),
                Person.consent_at.is_not(None),
            )
        )
        if region_code is not None:
            column = RoleAssignment.region_code
            stmt = stmt.where(
                column.in_([region_code, *ancestors_of(region_code)])
                if covering
                else overlaps(column, region_code)
            )
        rows = await self._session.execute(stmt.order_by(Person.id, RoleAssignment.id))
        return [RoleHolder(*row) for row in rows]

    async def identities_of(self, person_id: int) -> list[IdentityRecord]:
        rows = await self._session.execute(
            select(
                Identity.id,
                Identity.person_id,
                Identity.channel,
                Identity.external_id,
                Identity.display_name,
                Identity.created_at,
                Identity.last_inbound_at,
                Identity.blocked_at,
                Identity.disabled_at,
                Identity.failed_at,
                Identity.failure_code,
                Identity.failure_title,
            )
            .where(Identity.person_id == person_id)
            .order_by(Identity.id)
        )
        return [IdentityRecord(*row) for row in rows]

    async def record_failed_reply(
        self,
        channel: str,
        external_id: str,
        at: dt.datetime,
        *,
        code: str | None,
        title: str | None,
    ) -> bool:
        """A reply to this identity failed (a WhatsApp receipt): keep when, and the platform's
        error code and title. Receipts come in any order: an older failure never replaces a
        newer one. True when recorded."""
        at = require_aware(at)
        return bool(
            await changed(
                self._session,
                update(Identity)
                .where(
                    Identity.channel == channel,
                    Identity.external_id == external_id,
                    Identity.failed_at.is_(None) | (Identity.failed_at <= at),
                )
                .values(
                    failed_at=at,
                    failure_code=code[:40] if code else None,
                    failure_title=title[:500] if title else None,
                )
                .returning(Identity.id),
            )
        )
