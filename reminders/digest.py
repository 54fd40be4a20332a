"""The weekly digest job: peratin and camat get their area's numbers and the change since last
week, once a week, on the configured weekday and local time of their own zone.

Like every job it only reads what is due and queues outbox rows (campaign ``digest:<week>``,
one per person and week), so restarts and several processes never send a digest twice. A
week's digest is due from its time (moved out of the quiet hours, which may put it in the next
week) until the next week's is due; one missed while Kawal was stopped is sent when it starts
again, never in the quiet hours of the recipient's zone, and not at all when it could only go
out within ``CATCH_UP_MARGIN`` of the next week's.

"Since last week" is exact: when a week's digests are planned, each village of the kabupaten
gets its snapshot for that ISO week (once), and the digest compares with the previous week's
snapshot, or says from which date it counts when that week had none.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

from flows.regions import level_of, timezone_for
from handlers.kit.timing import QuietHours
from handlers.messages import to_data
from handlers.ports import Clock
from handlers.progress.digest import DIGEST_ROLES, DigestSchedule, campaign, compose, previous_week
from handlers.progress.view import next_deadline
from storage.db import Database, UnitOfWork
from storage.records import RoleHolder
from storage.repos.outbox import NewMessage, Priority
from storage.repos.progress import ProgressCounts

log = logging.getLogger(__name__)

WEEK = dt.timedelta(days=7)  # a week's digest expires when the next week's is due
CATCH_UP_MARGIN = dt.timedelta(hours=12)  # a late digest this close to the next is dropped

_Due = tuple[RoleHolder, str, dt.datetime, dt.datetime]  # recipient, week, due, not before


def _one_role_each(holders: list[RoleHolder]) -> list[RoleHolder]:
    """One digest per person: the widest area (camat before peratin)."""
    chosen: dict[int, RoleHolder] = {}
    for holder in sorted(holders, key=lambda h: (h.person_id, level_of(h.region_code))):
        chosen.setdefault(holder.person_id, holder)
    return list(chosen.values())


async def plan_digests(
    db: Database, clock: Clock, schedule: DigestSchedule, quiet: QuietHours
) -> int:
    """Queue every digest that is due and not queued yet; how many were queued."""
    now = clock.now()
    async with db.unit_of_work() as uow:
        holders = _one_role_each(await uow.people.role_holders(DIGEST_ROLES))
    due: defaultdict[str, list[_Due]] = defaultdict(list)
    for holder in holders:
        zone = timezone_for(holder.region_code)
        week, at = schedule.latest_due(now, zone, quiet)
        # A catch-up found in the quiet hours waits for their end (the week's own time never
        # is quiet); one that could only go shortly before the next week's is not sent at all.
        not_before = quiet.next_allowed(now.astimezone(ZoneInfo(zone))).astimezone(dt.UTC)
        if not_before <= at + WEEK - CATCH_UP_MARGIN:
            due[holder.region_code[:5]].append((holder, week, at, not_before))  # by kabupaten
    added = 0
    for kabupaten in sorted(due):
        async with db.unit_of_work() as uow:
            added += await _plan_kabupaten(uow, kabupaten, due[kabupaten], now)
    if added:
        log.info("weekly digest: %d messages queued", added)
    return added


async def _plan_kabupaten(
    uow: UnitOfWork, kabupaten: str, due: list[_Due], now: dt.datetime
) -> int:
    weeks = sorted({d[1] for d in due})
    queued = {week: await uow.outbox.people_of(campaign(week)) for week in weeks}
    waiting = [d for d in due if d[0].person_id not in queued[d[1]]]
    if not waiting:
        return 0
    report = await uow.progress.region(kabupaten)
    if report is None:
        return 0
    current = {v.code: v.counts for v in report.villages}
    baselines: dict[str, tuple[dict[str, ProgressCounts], dt.datetime | None]] = {}
    for week in sorted({d[1] for d in waiting}):
        await uow.progress.take_snapshot(week, current, now)  # kept if that week has one
        before = await uow.progress.snapshot_before(kabupaten, week)
        if before is None:
            baselines[week] = ({}, None)
        else:
            since = None if before.week == previous_week(week) else before.taken_at
            baselines[week] = (before.counts, since)
    messages = []
    for holder, week, at, not_before in waiting:
        code = holder.region_code
        zone = timezone_for(code)
        previous, since = baselines[week]
        digest = compose(
            area_code=code,
            area_name=holder.region_name,
            villages=[
                v for v in report.villages if v.code == code or v.code.startswith(code + ".")
            ],
            previous=previous,
            previous_since=since,
            deadline=await next_deadline(uow, code, now),
            now=now,
            zone=zone,
            lang=holder.lang,
        )
        messages.append(
            NewMessage(
                campaign=campaign(week),
                kind="digest",
                person_id=holder.person_id,
                payload=to_data(digest.messages),
                region_code=code,
                role=holder.role,
                template={"kind": "digest", "params": digest.template_params},
                priority=Priority.BROADCAST,
                not_before=not_before,
                expires_at=at + WEEK,
            )
        )
    return await uow.outbox.enqueue(messages, now)
