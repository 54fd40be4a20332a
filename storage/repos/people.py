"""People, their channel identities and their roles."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import and_, bindparam, case, delete, exists, func, or_, select, update

from flows.regions import ancestors_of
from storage.models import Identity, OutboxMessage, Person, Region, RoleAssignment
from storage.records import (
    IdentityRecord,
    IdentityRef,
    PersonContext,
    PersonDetail,
    PersonOverview,
    PersonSummary,
    RoleGrant,
    RoleHolder,
    RoleRecord,
)
from storage.repos._base import (
    Repository,
    changed,
    in_region,
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
        """A new identity of ``person_id``. A switched-off identity with the same channel and
        id (a removed person, a Telegram group) is taken over: the row, unique per channel and
        id, now belongs to ``person_id``; what it did before stays with its old person (the
        old person's messages no longer point at it)."""
        now = require_aware(now)
        reused = (
            await self._session.execute(
                update(Identity)
                .where(
                    Identity.channel == channel,
                    Identity.external_id == external_id,
                    Identity.disabled_at.is_not(None),
                )
                .values(
                    person_id=person_id,
                    display_name=display_name,
                    created_at=now,
                    last_inbound_at=None,
                    blocked_at=None,
                    disabled_at=None,
                    failed_at=None,
                    failure_code=None,
                    failure_title=None,
                )
                .returning(Identity.id),
                execution_options={"synchronize_session": False},
            )
        ).first()
        if reused is not None:
            identity_id = int(reused[0])
            await self._session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.identity_id == identity_id,
                    OutboxMessage.person_id != person_id,
                )
                .values(identity_id=None),
                execution_options={"synchronize_session": False},
            )
            return identity_id
        return await insert_id(
            self._session,
            Identity,
            person_id=person_id,
            channel=channel,
            external_id=external_id,
            display_name=display_name,
            created_at=now,
        )

    async def assign_role(
        self, person_id: int, role: str, region_code: str, now: dt.datetime
    ) -> None:
        """Give ``person_id`` the role in the region; again is a no-op, a revoked one comes back
        (given anew: its ``created_at`` becomes ``now``)."""
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
                set_={
                    "revoked_at": None,
                    "created_at": case(
                        (RoleAssignment.revoked_at.is_(None), RoleAssignment.created_at),
                        else_=stmt.excluded.created_at,
                    ),
                },
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

    # ---- the access lifecycle (issue 15): who has access, taking it back -------------------

    async def find_person_id(self, channel: str, external_id: str) -> int | None:
        """The person behind a channel identity, switched off or not (the CLI names people by
        their terminal user name)."""
        row = (
            await self._session.execute(
                select(Identity.person_id).where(
                    Identity.channel == channel, Identity.external_id == external_id
                )
            )
        ).first()
        return int(row[0]) if row else None

    async def active_roles(self, person_id: int) -> list[RoleRecord]:
        rows = await self._session.execute(
            select(RoleAssignment.role, RoleAssignment.region_code, Region.name)
            .outerjoin(Region, Region.code == RoleAssignment.region_code)
            .where(RoleAssignment.person_id == person_id, RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.id)
        )
        return [RoleRecord(role, code, name or code) for role, code, name in rows]

    async def revoke_all_roles(self, person_id: int, now: dt.datetime) -> list[RoleRecord]:
        """Take back every active role of the person; the roles taken back."""
        roles = await self.active_roles(person_id)
        if roles:
            await self._session.execute(
                update(RoleAssignment)
                .where(RoleAssignment.person_id == person_id, RoleAssignment.revoked_at.is_(None))
                .values(revoked_at=require_aware(now)),
                execution_options={"synchronize_session": False},
            )
        return roles

    async def remove(self, person_id: int, now: dt.datetime) -> bool:
        """Mark the person removed and switch off every identity (never served again; the
        ids may be registered anew with an invite). False when there is no such person or it
        was removed already. Roles are revoked separately (:meth:`revoke_all_roles`)."""
        now = require_aware(now)
        removed = await changed(
            self._session,
            update(Person)
            .where(Person.id == person_id, Person.removed_at.is_(None))
            .values(removed_at=now)
            .returning(Person.id),
        )
        if not removed:
            return False
        await self._session.execute(
            update(Identity)
            .where(Identity.person_id == person_id, Identity.disabled_at.is_(None))
            .values(disabled_at=now),
            execution_options={"synchronize_session": False},
        )
        return True

    async def directory(
        self,
        regions: Sequence[str] | None = None,
        *,
        include_removed: bool = False,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[int, list[PersonOverview]]:
        """People by name, and how many there are in all (for paging). With ``regions``:
        those holding an active role inside one of them (with ``include_removed`` also a
        revoked one), each shown with only those roles. Removed people only with
        ``include_removed``."""
        people = select(Person.id, Person.name, Person.removed_at)
        if not include_removed:
            people = people.where(Person.removed_at.is_(None))
        inside = None
        if regions is not None:
            inside = or_(*(in_region(RoleAssignment.region_code, code) for code in regions))
            match = exists().where(RoleAssignment.person_id == Person.id, inside)
            if not include_removed:
                match = match.where(RoleAssignment.revoked_at.is_(None))
            people = people.where(match)
        total = int(
            await self._session.scalar(select(func.count()).select_from(people.subquery())) or 0
        )
        page = people.order_by(func.lower(Person.name), Person.id).offset(offset)
        if limit is not None:
            page = page.limit(limit)
        found = (await self._session.execute(page)).all()
        ids = [int(row[0]) for row in found]
        if not ids:
            return total, []
        roles: defaultdict[int, list[RoleRecord]] = defaultdict(list)
        role_query = (
            select(
                RoleAssignment.person_id,
                RoleAssignment.role,
                RoleAssignment.region_code,
                Region.name,
            )
            .outerjoin(Region, Region.code == RoleAssignment.region_code)
            .where(RoleAssignment.person_id.in_(ids), RoleAssignment.revoked_at.is_(None))
            .order_by(RoleAssignment.id)
        )
        if inside is not None:
            role_query = role_query.where(inside)
        for person_id, role, code, name in await self._session.execute(role_query):
            roles[person_id].append(RoleRecord(role, code, name or code))
        channels: defaultdict[int, list[str]] = defaultdict(list)
        seen: dict[int, dt.datetime] = {}
        identity_rows = await self._session.execute(
            select(
                Identity.person_id, Identity.channel, Identity.last_inbound_at, Identity.disabled_at
            )
            .where(Identity.person_id.in_(ids))
            .order_by(Identity.id)
        )
        for person_id, channel, last, disabled in identity_rows:
            if disabled is None and channel not in channels[person_id]:
                channels[person_id].append(channel)
            if last is not None and (person_id not in seen or last > seen[person_id]):
                seen[person_id] = last
        return total, [
            PersonOverview(
                id=person_id,
                name=name,
                roles=tuple(roles[person_id]),
                channels=tuple(channels[person_id]),
                last_seen=seen.get(person_id),
                removed_at=removed_at,
            )
            for person_id, name, removed_at in found
        ]

    async def detail(self, person_id: int) -> PersonDetail | None:
        """One person's access: roles given and taken back, identities, consent."""
        person = (
            await self._session.execute(
                select(
                    Person.id,
                    Person.name,
                    Person.lang,
                    Person.created_at,
                    Person.consent_at,
                    Person.consent_version,
                    Person.removed_at,
                ).where(Person.id == person_id)
            )
        ).first()
        if person is None:
            return None
        role_rows = await self._session.execute(
            select(
                RoleAssignment.role,
                RoleAssignment.region_code,
                Region.name,
                RoleAssignment.created_at,
                RoleAssignment.revoked_at,
            )
            .outerjoin(Region, Region.code == RoleAssignment.region_code)
            .where(RoleAssignment.person_id == person_id)
            .order_by(RoleAssignment.id)
        )
        grants = tuple(
            RoleGrant(role, code, name or code, since, revoked)
            for role, code, name, since, revoked in role_rows
        )
        return PersonDetail(
            id=person[0],
            name=person[1],
            lang=person[2],
            created_at=person[3],
            consent_at=person[4],
            consent_version=person[5],
            removed_at=person[6],
            roles=grants,
            identities=tuple(await self.identities_of(person_id)),
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
