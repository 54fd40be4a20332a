"""Who is looking: the console session behind the cookie, re-checked on every request.

A session is opened by spending a one-time link (``handlers/people/console_link.py``) and is
bound to the console roles the person held then (``role@region``). On every request the
person's active roles are read again: when one of those is gone the session ends, and pages
are scoped by the roles held now. The cookie is HttpOnly, SameSite=Strict and (behind HTTPS)
Secure; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass

from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.messages import Channel, Inbound, InboundKind
from handlers.people.console_link import CONSOLE_ROLES
from storage.db import UnitOfWork
from storage.records import PersonContext, RoleRecord

__all__ = ["COOKIE", "Viewer", "new_secret", "role_keys", "same_secret", "viewer_for"]

COOKIE = "kawal_konsol"
WRITE_ROLES = ("dinsos", "admin")  # camat and peratin read only


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def role_keys(roles: tuple[RoleRecord, ...] | list[RoleRecord]) -> list[str]:
    return sorted({f"{r.role}@{r.region_code}" for r in roles if r.role in CONSOLE_ROLES})


@dataclass(frozen=True, slots=True)
class Viewer:
    person_id: int
    name: str
    lang: str
    roles: tuple[RoleRecord, ...]  # console roles held now
    csrf: str
    cookie: str

    def in_scope(self, region_code: str, *role_names: str) -> bool:
        """``region_code`` lies inside a region of one of the viewer's roles (``role_names``:
        only those roles); the same rule as the chat's :meth:`Turn.in_scope`."""
        if not is_region_code(region_code):
            return False
        return any(
            region_code == r.region_code or region_code.startswith(r.region_code + ".")
            for r in self.roles
            if not role_names or r.role in role_names
        )

    def holds(self, *role_names: str) -> bool:
        """The viewer holds one of ``role_names`` (anywhere: scope is :meth:`in_scope`'s)."""
        return any(r.role in role_names for r in self.roles)

    @property
    def can_write(self) -> bool:
        return self.holds(*WRITE_ROLES)

    def turn(self, uow: UnitOfWork, now: dt.datetime, forms: object) -> Turn:
        """A chat turn for this viewer, so the chat's use cases run unchanged."""
        person = PersonContext(
            person_id=self.person_id,
            identity_id=0,
            name=self.name,
            lang=self.lang,
            consent_at=now,
            roles=self.roles,
            blocked_at=None,
            channel="web",
            external_id=f"web:{self.person_id}",
        )
        inbound = Inbound(Channel.CONSOLE, person.external_id, "web", InboundKind.TEXT)
        return Turn(
            uow=uow,
            inbound=inbound,
            person=person,
            now=now,
            forms=forms,  # type: ignore[arg-type]  # the Kawal's FormRegistry
            lang=self.lang,
            consent_version="",
        )


async def viewer_for(uow: UnitOfWork, cookie: str, now: dt.datetime) -> Viewer | None:
    """The viewer behind ``cookie``; None (and the session ended) when it expired, was
    logged out, or one of the roles it was opened with was revoked."""
    if not cookie or len(cookie) > 100:
        return None
    found = await uow.web.session(cookie, now)
    if found is None:
        return None
    roles = tuple(
        r for r in await uow.people.active_roles(found.person_id) if r.role in CONSOLE_ROLES
    )
    held = set(role_keys(roles))
    if not roles or not set(found.roles) <= held:
        await uow.web.end_session(cookie, now)
        return None
    known = await uow.people.name_and_lang(found.person_id)
    if known is None:
        await uow.web.end_session(cookie, now)
        return None
    # Only the roles the session was opened with: a role given later needs a new link.
    kept = tuple(r for r in roles if f"{r.role}@{r.region_code}" in set(found.roles))
    return Viewer(found.person_id, known[0], found.lang, kept, found.csrf, cookie)
