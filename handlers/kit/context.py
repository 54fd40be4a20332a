"""The per-update context handed to every use case."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from flows import FormRegistry
from handlers.kit.deferred import Deferred
from handlers.messages import Inbound
from storage.db import UnitOfWork
from storage.records import PersonContext, RoleRecord

if TYPE_CHECKING:  # the savers import this module
    from handlers.forms.savers import Savers

# Roles and the region level their scope is bound to.
ROLE_LEVEL = {"operator": 4, "peratin": 4, "camat": 3, "dinsos": 2, "admin": 1}


@dataclass(slots=True)
class Turn:
    uow: UnitOfWork
    inbound: Inbound
    person: PersonContext | None
    now: datetime
    forms: FormRegistry
    lang: str
    consent_version: str
    # Files to make after the commit (charts, workbooks): see handlers.kit.deferred.
    deferred: list[Deferred] = field(default_factory=list)
    # What a completed form does, by form id (handlers.forms.savers); checked at start-up.
    savers: Savers | None = None
    # Who answers questions about personal data (KAWAL_DPO_CONTACT), for the data notice.
    dpo_contact: str = ""

    @property
    def me(self) -> PersonContext:
        """The registered sender; only for use cases that run after registration."""
        if self.person is None:
            raise RuntimeError("this use case needs a registered person")
        return self.person

    def roles(self, *names: str) -> list[RoleRecord]:
        if self.person is None:
            return []
        return [r for r in self.person.roles if not names or r.role in names]

    def areas(self, *names: str) -> list[str]:
        """The regions of the person's roles among ``names``, widest first, without those
        inside another (what a person oversees, each part counted once)."""
        codes = sorted({r.region_code for r in self.roles(*names)}, key=lambda c: (c.count("."), c))
        kept: list[str] = []
        for code in codes:
            if not any(code == k or code.startswith(k + ".") for k in kept):
                kept.append(code)
        return kept

    @property
    def consented(self) -> bool:
        """The sender accepted the current version of the data notice."""
        person = self.person
        return (
            person is not None
            and person.consent_at is not None
            and person.consent_version == self.consent_version
        )

    def defer(self, work: Deferred) -> None:
        self.deferred.append(work)

    def in_scope(self, region_code: str, *role_names: str) -> bool:
        """True when ``region_code`` lies inside a region of one of the person's roles."""
        return any(
            region_code == r.region_code or region_code.startswith(r.region_code + ".")
            for r in self.roles(*role_names)
        )
