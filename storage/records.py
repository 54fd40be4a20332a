"""Plain, immutable values that repositories return (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = [
    "CHANNELS",
    "HOUSEHOLD_SOURCES",
    "HOUSEHOLD_STATUSES",
    "OPEN_SESSION_STATUSES",
    "ROLES",
    "SESSION_STATUSES",
    "AuditRecord",
    "FormSessionRecord",
    "HouseholdRecord",
    "IdentityRecord",
    "IdentityRef",
    "InviteRecord",
    "MemberHit",
    "MemberRecord",
    "PersonContext",
    "PersonDetail",
    "PersonOverview",
    "PersonSummary",
    "RegionRecord",
    "RoleGrant",
    "RoleHolder",
    "RoleRecord",
    "SubmissionRecord",
]

CHANNELS = ("console", "telegram", "whatsapp")
ROLES = ("operator", "peratin", "camat", "dinsos", "admin")
HOUSEHOLD_STATUSES = ("pending", "verified", "updated", "proposed", "not_found")
HOUSEHOLD_SOURCES = ("import", "proposal")
SESSION_STATUSES = (
    "active",
    "waiting",
    "completed",
    "interrupted",
    "expired",
    "cancelled",
    "errored",  # the form engine failed on the session (logged; the person was told)
)
OPEN_SESSION_STATUSES = ("active", "waiting")


@dataclass(frozen=True, slots=True)
class RegionRecord:
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    timezone: str


@dataclass(frozen=True, slots=True)
class RoleRecord:
    role: str
    region_code: str
    region_name: str


@dataclass(frozen=True, slots=True)
class RoleHolder:
    """A person holding a role in a region (a recipient of proactive messages)."""

    person_id: int
    name: str
    lang: str
    role: str
    region_code: str
    region_name: str


@dataclass(frozen=True, slots=True)
class PersonContext:
    """Who sent an update: person, the identity used, active roles. Loaded in one query."""

    person_id: int
    identity_id: int
    name: str
    lang: str
    consent_at: dt.datetime | None
    roles: tuple[RoleRecord, ...]
    blocked_at: dt.datetime | None
    channel: str
    external_id: str
    consent_version: str | None = None


class IdentityRef(NamedTuple):
    channel: str
    external_id: str


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    id: int
    person_id: int
    channel: str
    external_id: str
    display_name: str
    created_at: dt.datetime
    last_inbound_at: dt.datetime | None
    blocked_at: dt.datetime | None
    disabled_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None  # the last reply that failed, and why (WhatsApp)
    failure_code: str | None = None
    failure_title: str | None = None


@dataclass(frozen=True, slots=True)
class PersonSummary:
    id: int
    name: str
    roles: tuple[RoleRecord, ...]
    identities: tuple[IdentityRef, ...]


@dataclass(frozen=True, slots=True)
class PersonOverview:
    """A line of the people list: active roles (those in the asked regions), the channels
    still served, when the person last wrote, and whether Dinsos removed them."""

    id: int
    name: str
    roles: tuple[RoleRecord, ...]
    channels: tuple[str, ...]
    last_seen: dt.datetime | None
    removed_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """A role as it was given: since when, and when it was taken back (None: active)."""

    role: str
    region_code: str
    region_name: str
    since: dt.datetime
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PersonDetail:
    """Everything about one person's access: roles (active and revoked), identities, consent."""

    id: int
    name: str
    lang: str
    created_at: dt.datetime
    consent_at: dt.datetime | None
    consent_version: str | None
    removed_at: dt.datetime | None
    roles: tuple[RoleGrant, ...]
    identities: tuple[IdentityRecord, ...]

    @property
    def active_roles(self) -> tuple[RoleGrant, ...]:
        return tuple(r for r in self.roles if r.revoked_at is None)


@dataclass(frozen=True, slots=True)
class InviteRecord:
    code: str
    role: str
    region_code: str
    created_by: int | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    max_uses: int
    uses: int
    revoked_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MemberRecord:
    id: int
    household_id: int
    position: int
    idsemesta: str | None
    nik: str | None
    name: str
    relation: str
    sex: str | None
    birth_date: dt.date | None
    marital_status: str | None
    presence: str
    data: dict[str, Any]


class MemberHit(NamedTuple):
    """A member found by NIK, with the household and region it belongs to."""

    member: MemberRecord
    household_id: int
    region_code: str


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    id: int
    region_code: str
    id_dtks: str | None
    no_kk: str | None
    head_name: str
    address: str
    rt: str
    rw: str
    status: str
    source: str
    data: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: int | None
    members: tuple[MemberRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class FormSessionRecord:
    id: int
    person_id: int
    form_id: str
    form_version: int
    household_id: int | None
    status: str
    state: dict[str, Any]
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime
    # Where the household of ``household_id`` is now, read with the session (the form's
    # access check needs it on every answer); None without a household.
    household_region: str | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    id: int
    session_id: int | None
    person_id: int
    channel: str
    form_id: str
    form_version: int
    household_id: int | None
    region_code: str
    answers: dict[str, Any]
    changes: list[dict[str, Any]]
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    person_id: int | None
    channel: str | None
    action: str
    entity: str
    entity_id: str
    region_code: str | None
    before: Any
    after: Any
    detail: str | None
