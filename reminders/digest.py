"""The weekly digest job: peratin and camat get their area's numbers and the change since last
week, once a week, on the configured weekday and local time of their own zone.

Like every job it only reads what is due and queues outbox rows (campaign ``digest:<week>``,
one per person and week), so restarts and several processes never send a digest twice; a week
missed while Kawal was stopped is sent when it starts again, until the next week's is due.
"Since last week" compares with the per-village snapshot taken when the previous week's
digests were planned (one snapshot of each kabupaten per week).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from handlers.digest import DIGEST_ROLES, DigestSchedule, campaign, compose
from handlers.messages import to_data
from handlers.ports import Clock
from handlers.progress import next_deadline
from handlers.timing import QuietHours
from storage.db import Database, UnitOfWork
from storage.records import RoleHolder
from storage.regions_data import level_of, timezone_for
from storage.repos.outbox import NewMessage, Priority

log = logging.getLogger(__name__)

SNAPSHOT_AGE = dt.timedelta(days=6)  # a snapshot older than this is "last week's"
_Due = tuple[RoleHolder, str, dt.datetime]  # recipient, week key, due instant


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
        week, at = schedule.due(now, timezone_for(holder.region_code), quiet)
        if at <= now:
            due[holder.region_code[:5]].append((holder, week, at))  # by kabupaten
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
    queued = {week: await uow.outbox.people_of(campaign(week)) for week in {d[1] for d in due}}
    waiting = [d for d in due if d[0].person_id not in queued[d[1]]]
    if not waiting:
        return 0
    report = await uow.progress.region(kabupaten)
    if report is None:
        return 0
    previous = await uow.progress.snapshot_before(kabupaten, now - SNAPSHOT_AGE)
    latest = await uow.progress.latest_snapshot(kabupaten)
    if latest is None or latest <= now - SNAPSHOT_AGE:
        await uow.progress.take_snapshot({v.code: v.counts for v in report.villages}, now)
    messages = []
    for holder, week, at in waiting:
        code = holder.region_code
        zone = timezone_for(code)
        digest = compose(
            area_code=code,
            area_name=holder.region_name,
            villages=[
                v for v in report.villages if v.code == code or v.code.startswith(code + ".")
            ],
            previous=previous,
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
                expires_at=at + dt.timedelta(days=7),
            )
        )
    return await uow.outbox.enqueue(messages, now)
