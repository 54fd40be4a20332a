"""Who has access, and taking it back: the use cases of the access lifecycle.

The use cases (:func:`revoke_role`, :func:`remove_person`, :func:`create_invite`,
:func:`revoke_invite`) serve the CLI and the chat alike; each writes the audit log with who
did it. Taking a role back closes the person's open forms in that region (all of them when no
role is left); removing a person also switches off every identity (never served again).
The chat's view of them, for Dinsos, is :mod:`handlers.people.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.kit.context import ROLE_LEVEL
from handlers.people.codes import new_invite_code
from storage.db import UnitOfWork
from storage.records import InviteRecord, RoleRecord


@dataclass(frozen=True, slots=True)
class Revoked:
    roles: tuple[RoleRecord, ...]  # the roles taken back
    sessions_closed: int  # open forms closed (interrupted)
    roles_left: int


async def revoke_role(
    uow: UnitOfWork,
    person_id: int,
    role: str,
    region_code: str,
    *,
    by: int | None,
    channel: str,
    now: datetime,
) -> Revoked | None:
    """Take one active role back; None when the person does not hold it. The person's open
    forms in that region close (all of them when no role is left)."""
    held = [
        r
        for r in await uow.people.active_roles(person_id)
        if (r.role, r.region_code) == (role, region_code)
    ]
    if not held or not await uow.people.revoke_role(person_id, role, region_code, now):
        return None
    left = await uow.people.active_roles(person_id)
    closed = await uow.sessions.interrupt_open(person_id, now, region_code if left else None)
    await uow.audit.add(
        "person.role_revoked",
        "person",
        str(person_id),
        now,
        person_id=by,
        channel=channel,
        region_code=region_code,
        before={"role": role, "region": region_code},
        after={"sessions_closed": closed, "roles_left": len(left)},
    )
    return Revoked(tuple(held), closed, len(left))


async def revoke_all_roles(
    uow: UnitOfWork, person_id: int, *, by: int | None, channel: str, now: datetime
) -> Revoked:
    """Take every active role back and close every open form of the person."""
    roles = await uow.people.revoke_all_roles(person_id, now)
    closed = await uow.sessions.interrupt_open(person_id, now)
    if roles:
        await uow.audit.add(
            "person.roles_revoked",
            "person",
            str(person_id),
            now,
            person_id=by,
            channel=channel,
            before={"roles": [_role_json(r) for r in roles]},
            after={"sessions_closed": closed},
        )
    return Revoked(tuple(roles), closed, 0)


async def remove_person(
    uow: UnitOfWork, person_id: int, *, by: int | None, channel: str, now: datetime
) -> Revoked | None:
    """Remove a person: every role revoked, every identity switched off, every open form
    closed. The household records they saved stay, attributed to them. None when there is
    no such person or it was removed already."""
    detail = await uow.people.detail(person_id)
    if detail is None or detail.removed_at is not None:
        return None
    roles = await uow.people.revoke_all_roles(person_id, now)
    await uow.people.remove(person_id, now)
    closed = await uow.sessions.interrupt_open(person_id, now)
    cancelled = await uow.outbox.cancel_for_person(person_id, now)
    await uow.audit.add(
        "person.removed",
        "person",
        str(person_id),
        now,
        person_id=by,
        channel=channel,
        before={"roles": [_role_json(r) for r in roles]},
        after={
            "sessions_closed": closed,
            "messages_cancelled": cancelled,
            "identities_disabled": sum(1 for i in detail.identities if i.disabled_at is None),
        },
    )
    return Revoked(tuple(roles), closed, 0)


async def create_invite(
    uow: UnitOfWork,
    role: str,
    region_code: str,
    *,
    by: int | None,
    channel: str,
    now: datetime,
    days: int,
    uses: int = 1,
) -> InviteRecord:
    """A new invite code for ``role`` in the region, valid for ``days`` (the caller checked
    the role, the region and the scope)."""
    code = new_invite_code()
    expires = now + timedelta(days=days)
    await uow.invites.create(code, role, region_code, by, now, expires_at=expires, max_uses=uses)
    await uow.audit.add(
        "invite.created",
        "invite",
        code,
        now,
        person_id=by,
        channel=channel,
        region_code=region_code,
        after={"role": role, "expires_at": expires.isoformat(), "max_uses": uses},
    )
    return InviteRecord(code, role, region_code, by, now, expires, uses, 0, None)


async def revoke_invite(
    uow: UnitOfWork, code: str, *, by: int | None, channel: str, now: datetime
) -> InviteRecord | None:
    """Revoke an invite that is not revoked yet; the invite, or None."""
    invite = await uow.invites.get(code)
    if invite is None or not await uow.invites.revoke(code, now):
        return None
    await uow.audit.add(
        "invite.revoked",
        "invite",
        code,
        now,
        person_id=by,
        channel=channel,
        region_code=invite.region_code,
        before={"role": invite.role, "uses": invite.uses, "max_uses": invite.max_uses},
    )
    return invite


def invite_state(invite: InviteRecord, now: datetime) -> str:
    """``active``, ``used``, ``expired`` or ``revoked``."""
    if invite.revoked_at is not None:
        return "revoked"
    if invite.uses >= invite.max_uses:
        return "used"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    return "active"


def invite_level_ok(role: str, level: int) -> bool:
    """An invite's region has the level its role is bound to (admin: any)."""
    return role == "admin" or ROLE_LEVEL.get(role) == level


def masked_id(channel: str, external_id: str) -> str:
    """An identity's platform id for display: a terminal user name as it is, else only the
    last four characters (a WhatsApp id is a phone number)."""
    if channel == "console":
        return external_id
    return "…" + external_id[-4:] if len(external_id) > 4 else "…"


def _role_json(role: RoleRecord) -> dict[str, str]:
    return {"role": role.role, "region": role.region_code}
