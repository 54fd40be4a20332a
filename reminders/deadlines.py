"""The deadline planner: a scheduled job that turns what is due into outbox rows. It never sends.

Each round (``plan_deadlines``, every ``KAWAL_SCHEDULER_INTERVAL`` seconds) reads the active
deadlines, their recipients, the villages' progress and the rows already planned, and enqueues
what has become due since:

* **Reminders.** For the next occurrence, each recipient's latest step whose time has come
  (``deadline:<id>:<occurrence>:r<revision>:T-3``), with the progress of their area at that
  moment, expiring at the due instant. Earlier steps that never got a row (the bot was down,
  the person joined late, the deadline was created or moved late) are recorded ``superseded``.
  Nothing is planned for a recipient while it is quiet hours in their region: a step that
  came earlier (a catch-up after a restart at night, a deadline created at 22:30) is decided
  in the first round after the quiet hours, with the progress of that moment.
  A step already planned for the same due instant under an older revision counts as done (an
  edit that does not move the due time re-sends nothing); a row an edit cancelled does not.
* **Thank-you.** A recipient whose whole area has finished gets ``:thanks`` (once per
  occurrence) instead of the reminder; the step is recorded ``superseded``.
* **Missed.** Steps of an occurrence that passed (within ``RECENT``) without a row are recorded
  ``superseded`` and logged: they are dropped, never sent late. An occurrence that passed
  longer ago (within ``LOOKBACK``, after a long downtime) and has no row at all is recorded
  and logged the same way, once, and not escalated.
* **Edited.** An edit keeps the first due date unless Dinsos changes the date; a monthly
  cut-off that had passed when an edit moved the dates is found by key from its reminder
  rows and still escalated. An edit cancels only the coming occurrence's pending rows.
* **Escalation.** Once an occurrence has passed, every camat and Dinsos whose region meets the
  deadline's gets ``:escalation`` once, outside the quiet hours, listing their unfinished
  villages (recorded ``superseded`` when every village finished).

Restart-safe by construction: nothing is kept in memory between rounds, and every row is unique
per (campaign, person), so two processes planning the same round enqueue each row once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flows.regions import timezone_for
from handlers.deadlines.areas import RegionBook, areas_of
from handlers.deadlines.model import (
    DEADLINE_ROLES,
    ESCALATION_ROLES,
    RECENT,
    Composed,
    campaign,
    campaign_prefix,
    campaign_what,
    occurrences_around,
    recurrence_of,
    remind_time_of,
    zone_of,
)
from handlers.deadlines.wording import escalation_message, reminder_message, thanks_message
from handlers.kit.timing import Occurrence, QuietHours, occurrences
from handlers.ports import Clock
from reminders.planning import (
    Step,
    catch_up,
    escalation_at,
    in_quiet_hours,
    missed,
    reminder_steps,
)
from storage.db import Database, UnitOfWork
from storage.records import RoleHolder
from storage.repos.deadlines import DeadlineRecord, PlannedMessage
from storage.repos.outbox import NewMessage, Priority

log = logging.getLogger(__name__)

# How far back a round looks for occurrences whose reminders never got a row (Kawal was
# stopped for longer than RECENT): they are recorded dropped and logged, once.
LOOKBACK = dt.timedelta(days=90)

__all__ = ["PlanRound", "plan_deadline", "plan_deadlines"]


@dataclass
class PlanRound:
    """What one round enqueued (rows new in the outbox)."""

    reminders: int = 0
    thanks: int = 0
    escalations: int = 0
    superseded: int = 0
    dropped: int = 0
    failed: list[int] = field(default_factory=list)  # deadline ids whose planning raised

    def add(self, other: PlanRound) -> None:
        self.reminders += other.reminders
        self.thanks += other.thanks
        self.escalations += other.escalations
        self.superseded += other.superseded
        self.dropped += other.dropped
        self.failed += other.failed

    @property
    def sent(self) -> int:
        return self.reminders + self.thanks + self.escalations


async def plan_deadlines(db: Database, clock: Clock, quiet: QuietHours) -> PlanRound:
    """One round over every active deadline, each in its own unit of work (a deadline that
    fails is logged and tried again next round; the others go on)."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        ids = [d.id for d in await uow.deadlines.active(now - LOOKBACK)]
    total = PlanRound()
    for deadline_id in ids:
        try:
            async with db.unit_of_work() as uow:
                total.add(await plan_deadline(uow, deadline_id, now, quiet))
        except Exception:
            log.exception("planning the reminders of deadline %s failed", deadline_id)
            total.failed.append(deadline_id)
    if total.sent:
        log.info(
            "deadlines: %d reminders, %d thank-yous, %d escalations enqueued",
            total.reminders,
            total.thanks,
            total.escalations,
        )
    return total


async def plan_deadline(
    uow: UnitOfWork, deadline_id: int, now: dt.datetime, quiet: QuietHours
) -> PlanRound:
    """Enqueue what is due at ``now`` for one deadline. The deadline's row stays locked until
    ``uow`` ends, so an edit or a cancel waits for the rows of this round (and cancels them)
    and the round never plans a deadline cancelled meanwhile."""
    result = PlanRound()
    deadline = await uow.deadlines.get(deadline_id, lock=True)
    if deadline is None or not deadline.active:
        return result
    previous, upcoming = occurrences_around(deadline, now)
    planner = _Planner(uow, deadline, now, quiet)
    if previous is not None and now - previous.due <= RECENT:
        result.add(await planner.passed(previous))
    for stale in _long_passed(deadline, now):
        result.add(await planner.long_passed(stale))
    known = {o.key for o in (previous, upcoming) if o is not None}
    for lost in await _passed_before_an_edit(uow, deadline, now, known):
        result.add(await planner.passed(lost, drop_missed=False))
    if upcoming is not None:
        result.add(await planner.upcoming(upcoming))
    return result


def _long_passed(deadline: DeadlineRecord, now: dt.datetime) -> list[Occurrence]:
    """Occurrences that passed more than ``RECENT`` ago, within ``LOOKBACK``: their reminders
    can only be missing when Kawal was stopped for longer than a week."""
    found = []
    for occurrence in occurrences(deadline.due_at, zone_of(deadline), recurrence_of(deadline)):
        if now - occurrence.due <= RECENT:
            break
        if now - occurrence.due < LOOKBACK:
            found.append(occurrence)
    return found


async def _passed_before_an_edit(
    uow: UnitOfWork, deadline: DeadlineRecord, now: dt.datetime, known: set[str]
) -> list[Occurrence]:
    """Cut-offs of a monthly deadline that had passed when an edit moved its dates (a new
    first due date): they are no longer among its occurrences, but their villages are still
    escalated once. Found by key from their reminder rows, which expire at the due time."""
    if deadline.revision == 1 or now - deadline.updated_at > RECENT:
        return []  # (also a deadline made one-off by the edit: monthly keys are "2027-01")
    tz = ZoneInfo(zone_of(deadline))
    keys = {f"{d.astimezone(tz):%Y-%m}" for d in (now - RECENT, deadline.updated_at)} - known
    found = []
    for key in sorted(keys):
        dues = [
            row.expires_at
            for row in await uow.deadlines.planned(campaign_prefix(deadline.id, key))
            if campaign_what(row.campaign).startswith("T-")
            and row.expires_at is not None
            and row.expires_at <= deadline.updated_at
            and now - row.expires_at <= RECENT
        ]
        if dues:
            found.append(Occurrence(max(dues), key))
    return found


@dataclass(frozen=True, slots=True)
class _Person:
    person_id: int
    lang: str
    roles: tuple[tuple[str, str], ...]  # (role, region code)

    @property
    def zone(self) -> str:
        return timezone_for(self.roles[0][1])

    @property
    def role_names(self) -> list[str]:
        return [role for role, _ in self.roles]

    @property
    def primary(self) -> tuple[str, str]:
        """The role and region recorded on the row (for reports)."""
        order = {name: n for n, name in enumerate((*DEADLINE_ROLES, "admin"))}
        return min(self.roles, key=lambda pair: (order.get(pair[0], 99), pair[1]))


def _people(recipients: Iterable[RoleHolder]) -> list[_Person]:
    grouped: dict[int, list[RoleHolder]] = defaultdict(list)
    for recipient in recipients:
        grouped[recipient.person_id].append(recipient)
    return [
        _Person(person_id, rows[0].lang, tuple((r.role, r.region_code) for r in rows))
        for person_id, rows in sorted(grouped.items())
    ]


class _Done:
    """What is already planned for one occurrence, per person (cancelled rows do not count:
    an edit cancelled them, so the new revision plans them again)."""

    def __init__(self, planned: Sequence[PlannedMessage], due: dt.datetime) -> None:
        self.steps: dict[int, set[str]] = defaultdict(set)
        self.other: dict[int, set[str]] = defaultdict(set)
        for row in planned:
            if row.status == "cancelled":
                continue
            what = campaign_what(row.campaign)
            if what.startswith("T-"):
                if row.expires_at == due:
                    self.steps[row.person_id].add(what)
            else:
                self.other[row.person_id].add(what)


class _Planner:
    def __init__(
        self, uow: UnitOfWork, deadline: DeadlineRecord, now: dt.datetime, quiet: QuietHours
    ) -> None:
        self.uow = uow
        self.deadline = deadline
        self.now = now
        self.quiet = quiet
        self.remind_time = remind_time_of(deadline)
        self._book: RegionBook | None = None

    async def book(self) -> RegionBook:
        if self._book is None:
            self._book = await RegionBook.load(self.uow, self.deadline.region_code)
        return self._book

    async def _people(self, roles: Sequence[str]) -> list[_Person]:
        """Who holds one of ``roles`` in or over the deadline's region, one entry a person."""
        return _people(await self.uow.people.role_holders(roles, self.deadline.region_code))

    def steps(self, occurrence: Occurrence, zone: str) -> list[Step]:
        return reminder_steps(
            occurrence.due, zone, self.deadline.offsets, self.remind_time, self.quiet
        )

    def _row(
        self,
        occurrence: Occurrence,
        person: _Person,
        what: str,
        *,
        composed: Composed | None = None,
        not_before: dt.datetime | None = None,
        expires_at: dt.datetime | None = None,
    ) -> NewMessage:
        role, region = person.primary
        return NewMessage(
            campaign(self.deadline.id, occurrence.key, self.deadline.revision, what),
            "deadline",
            person.person_id,
            composed.payload if composed else [],
            region_code=region,
            role=role,
            template=composed.template if composed else None,
            not_before=not_before,
            expires_at=expires_at or occurrence.due,
            priority=Priority.REMINDER,
            status="pending" if composed else "superseded",
        )

    async def _enqueue(self, rows: list[NewMessage]) -> int:
        rows.sort(key=lambda m: (m.campaign, m.person_id))  # one lock order for every process
        return await self.uow.outbox.enqueue(rows, self.now) if rows else 0

    # ---- the next occurrence ------------------------------------------------------------------

    async def upcoming(self, occurrence: Occurrence) -> PlanRound:
        result = PlanRound()
        first = self.steps(occurrence, zone_of(self.deadline))
        if not first or first[0].at > self.now:
            return result  # no step has come yet (recipients share the deadline's zone)
        people = await self._people(self.deadline.roles)
        if not people:
            return result
        done = _Done(
            await self.uow.deadlines.planned(campaign_prefix(self.deadline.id, occurrence.key)),
            occurrence.due,
        )
        sends: list[NewMessage] = []
        thanks: list[NewMessage] = []
        records: list[NewMessage] = []
        for person in people:
            if in_quiet_hours(self.now, person.zone, self.quiet):
                continue  # a catch-up waits for the morning; if the due time comes first: dropped
            decision = catch_up(
                self.steps(occurrence, person.zone), self.now, done.steps[person.person_id]
            )
            if decision.send is None:
                continue
            records += [self._row(occurrence, person, s.name) for s in decision.supersede]
            areas = areas_of(person.roles, await self.book())
            if areas and all(area.finished for area in areas):
                records.append(self._row(occurrence, person, decision.send.name))
                if "thanks" not in done.other[person.person_id]:
                    composed = thanks_message(
                        self.deadline, occurrence.due, person.zone, areas, person.lang
                    )
                    thanks.append(self._row(occurrence, person, "thanks", composed=composed))
                continue
            changed = self.deadline.revision > 1 and decision.send.at < self.deadline.updated_at
            composed = reminder_message(
                self.deadline,
                occurrence.due,
                person.zone,
                self.now,
                areas,
                person.role_names,
                person.lang,
                changed=changed,
            )
            sends.append(
                self._row(
                    occurrence,
                    person,
                    decision.send.name,
                    composed=composed,
                    not_before=decision.send.at,
                )
            )
        result.superseded = await self._enqueue(records)
        result.reminders = await self._enqueue(sends)
        result.thanks = await self._enqueue(thanks)
        return result

    # ---- an occurrence that has passed ------------------------------------------------------

    async def long_passed(self, occurrence: Occurrence) -> PlanRound:
        """An occurrence that passed more than a week ago without any row (Kawal was stopped
        all that time): its reminders are recorded dropped and logged once, never sent, and it
        is not escalated any more."""
        result = PlanRound()
        prefix = campaign_prefix(self.deadline.id, occurrence.key)
        if await self.uow.deadlines.any_planned(prefix):
            return result
        people = await self._people(self.deadline.roles)
        dropped = [
            self._row(occurrence, person, step.name)
            for person in people
            for step in self.steps(occurrence, person.zone)
        ]
        result.dropped = await self._enqueue(dropped)
        if result.dropped:
            log.warning(
                "deadline %s (%s, due %s) passed %d days ago while Kawal was stopped: "
                "%d reminders dropped, and no escalation is sent this late",
                self.deadline.id,
                occurrence.key,
                occurrence.due.isoformat(),
                (self.now - occurrence.due).days,
                result.dropped,
            )
        return result

    async def passed(self, occurrence: Occurrence, *, drop_missed: bool = True) -> PlanRound:
        result = PlanRound()
        done = _Done(
            await self.uow.deadlines.planned(campaign_prefix(self.deadline.id, occurrence.key)),
            occurrence.due,
        )
        if not drop_missed:  # an occurrence an edit removed: only its escalation is left
            result.add(await self._escalate(occurrence, done))
            return result
        people = await self._people(self.deadline.roles)
        dropped = [
            self._row(occurrence, person, step.name)
            for person in people
            for step in missed(self.steps(occurrence, person.zone), done.steps[person.person_id])
        ]
        result.dropped = await self._enqueue(dropped)
        if result.dropped:
            log.warning(
                "deadline %s (%s, due %s) passed before %d reminders could be sent "
                "(Kawal was stopped, the recipients joined late, or the quiet hours held them "
                "back until then): dropped",
                self.deadline.id,
                occurrence.key,
                occurrence.due.isoformat(),
                result.dropped,
            )
        result.add(await self._escalate(occurrence, done))
        return result

    async def _escalate(self, occurrence: Occurrence, done: _Done) -> PlanRound:
        result = PlanRound()
        people = await self._people(ESCALATION_ROLES)
        rows: list[NewMessage] = []
        records: list[NewMessage] = []
        for person in people:
            if "escalation" in done.other[person.person_id]:
                continue
            if escalation_at(occurrence.due, person.zone, self.quiet) > self.now:
                continue
            if in_quiet_hours(self.now, person.zone, self.quiet):
                continue  # e.g. Kawal started again at night: the escalation waits for 07:00
            areas = [a for a in areas_of(person.roles, await self.book()) if a.unfinished]
            expires = occurrence.due + RECENT
            if not areas:
                records.append(self._row(occurrence, person, "escalation", expires_at=expires))
                continue
            composed = escalation_message(
                self.deadline, occurrence.due, person.zone, areas, person.role_names, person.lang
            )
            rows.append(
                self._row(occurrence, person, "escalation", composed=composed, expires_at=expires)
            )
        result.superseded = await self._enqueue(records)
        result.escalations = await self._enqueue(rows)
        return result
