"""A person's own data (UU PDP): what Kawal holds about them, erasing it, deleting a person
who declined the data notice, and which received files are still needed.

Erasure keeps the records the person saved (households, submissions, problem reports): they
belong to the social office's register; the person behind them becomes a pseudonym.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from storage.models import (
    Announcement,
    Deadline,
    FormSession,
    Household,
    Identity,
    InviteCode,
    OutboxMessage,
    Person,
    ProblemReport,
    RoleAssignment,
    Submission,
)
from storage.records import OPEN_SESSION_STATUSES
from storage.repos._base import Repository, changed, require_aware

__all__ = ["Holdings", "PrivacyRepository"]

_RECEIVED = ("sent", "delivered", "read")
_WAITING = ("pending", "sending")
_ANNOUNCEMENT_CAMPAIGN = "announcement:"


@dataclass(frozen=True, slots=True)
class Holdings:
    """How many records a person saved and messages they received."""

    submissions: int  # forms saved
    households: int  # distinct households those forms were about
    reports: int  # problem reports sent to Dinsos
    announcements: int  # announcements received
    reminders: int  # other proactive messages received (reminders, digests, nudges)


class PrivacyRepository(Repository):
    async def holdings(self, person_id: int) -> Holdings:
        saved = (
            await self._session.execute(
                select(func.count(), func.count(func.distinct(Submission.household_id))).where(
                    Submission.person_id == person_id
                )
            )
        ).one()
        reports = await self._session.scalar(
            select(func.count()).where(ProblemReport.person_id == person_id)
        )
        received = await self._session.execute(
            select(OutboxMessage.kind, func.count())
            .where(OutboxMessage.person_id == person_id, OutboxMessage.status.in_(_RECEIVED))
            .group_by(OutboxMessage.kind)
        )
        kinds = {str(kind): int(n) for kind, n in received}
        announcements = kinds.pop("announcement", 0)
        return Holdings(
            submissions=int(saved[0]),
            households=int(saved[1]),
            reports=int(reports or 0),
            announcements=announcements,
            reminders=sum(kinds.values()),
        )

    async def erase(self, person_id: int, pseudonym: str, now: dt.datetime) -> int:
        """Anonymise the person: the name becomes ``pseudonym``, consent is withdrawn, the
        person is marked removed, and every identity (chat id, phone number, display name) is
        deleted; messages sent keep their rows without the identity. Roles, open forms and
        waiting messages are the caller's (the access lifecycle). How many identities went."""
        now = require_aware(now)
        await self._session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(
                name=pseudonym,
                consent_at=None,
                consent_version=None,
                removed_at=func.coalesce(Person.removed_at, now),
            ),
            execution_options={"synchronize_session": False},
        )
        return await self._drop_identities(person_id)

    async def delete_pending(self, person_id: int) -> bool:
        """Delete a person who never accepted the data notice: roles, identities and the
        person itself. False (nothing deleted) when anything else refers to the person, or
        they accepted a notice: then only :meth:`erase` applies."""
        person = (
            await self._session.execute(select(Person.consent_at).where(Person.id == person_id))
        ).first()
        if person is None or person[0] is not None or await self._referred(person_id):
            return False
        await self._drop_identities(person_id)
        await self._session.execute(
            delete(RoleAssignment).where(RoleAssignment.person_id == person_id),
            execution_options={"synchronize_session": False},
        )
        return bool(
            await changed(
                self._session,
                delete(Person).where(Person.id == person_id).returning(Person.id),
            )
        )

    async def _referred(self, person_id: int) -> bool:
        """Whether a record other than roles and identities names the person."""
        checks: list[Any] = [
            select(FormSession.id).where(FormSession.person_id == person_id),
            select(Submission.id).where(Submission.person_id == person_id),
            select(OutboxMessage.id).where(OutboxMessage.person_id == person_id),
            select(ProblemReport.id).where(
                or_(ProblemReport.person_id == person_id, ProblemReport.answered_by == person_id)
            ),
            select(Household.id).where(Household.updated_by == person_id),
            select(InviteCode.code).where(InviteCode.created_by == person_id),
            select(Deadline.id).where(Deadline.created_by == person_id),
            select(Announcement.id).where(Announcement.created_by == person_id),
        ]
        for query in checks:
            if await self._session.scalar(query.limit(1)) is not None:
                return True
        return False

    async def _drop_identities(self, person_id: int) -> int:
        ids = list(
            (
                await self._session.execute(
                    select(Identity.id).where(Identity.person_id == person_id)
                )
            ).scalars()
        )
        if not ids:
            return 0
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.identity_id.in_(ids))
            .values(identity_id=None),
            execution_options={"synchronize_session": False},
        )
        return await changed(
            self._session,
            delete(Identity).where(Identity.id.in_(ids)).returning(Identity.id),
        )

    async def media_in_use(self) -> set[str]:
        """Stored files still needed: the attachments of announcements that are scheduled or
        still have messages waiting to go, and of announcement drafts still open."""
        waiting = {
            str(campaign).split(":")[1]
            for campaign in (
                await self._session.execute(
                    select(OutboxMessage.campaign)
                    .where(
                        OutboxMessage.status.in_(_WAITING),
                        OutboxMessage.campaign.like(_ANNOUNCEMENT_CAMPAIGN + "%"),
                    )
                    .distinct()
                )
            ).scalars()
        }
        rows = await self._session.execute(
            select(Announcement.id, Announcement.media_path, Announcement.status).where(
                Announcement.media_path.is_not(None)
            )
        )
        used = {
            str(path)
            for announcement_id, path, status in rows
            if status == "scheduled" or str(announcement_id) in waiting
        }
        drafts = await self._session.execute(
            select(FormSession.state).where(FormSession.status.in_(OPEN_SESSION_STATUSES))
        )
        for (state,) in drafts:
            values = state.get("values") if isinstance(state, dict) else None
            path = values.get("media_path") if isinstance(values, dict) else None
            if isinstance(path, str) and path:
                used.add(path)
        return used
