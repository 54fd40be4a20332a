"""*Keluarga*: households of a region with their status, a search, and one household with
its members and history (every submission: before -> after, who, when, which channel).

A household outside the viewer's area answers "not found", exactly like one that does not
exist: ids in URLs are never trusted. NIK and No. KK are shown in full, since only households
inside the viewer's area are shown at all; each view is noted in the processing log.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.app import Page
from bot.web.pages.progress import own_areas
from flows.regions import is_region_code, timezone_for
from handlers.kit.dates import short_datetime
from handlers.progress.view import PROGRESS_ROLES
from storage.db import UnitOfWork
from storage.records import HOUSEHOLD_STATUSES, HouseholdRecord, SubmissionRecord

__all__ = ["install"]

PAGE_SIZE = 50
MAX_QUERY = 60


def install(app: web.Application) -> None:
    app.router.add_get("/keluarga", listing)
    app.router.add_get("/keluarga/{id}", detail)


def _int(text: str, default: int = 0) -> int:
    return int(text) if text.isdecimal() and len(text) < 7 else default


async def listing(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    areas = own_areas(page)
    code = request.query.get("wilayah", "") or (areas[0] if areas else "")
    if not is_region_code(code):
        return page.error(404, "error_not_found")
    if not page.viewer.in_scope(code, *PROGRESS_ROLES):
        return page.error(403, "error_region_forbidden", region=code)
    status = request.query.get("status", "")
    if status and status not in HOUSEHOLD_STATUSES:
        status = ""
    query = " ".join(request.query.get("q", "").split())[:MAX_QUERY]
    number = max(_int(request.query.get("hal", "1"), 1), 1)

    async def work(uow: UnitOfWork) -> tuple[str, list[HouseholdRecord], int]:
        known = await uow.regions.get(code)
        if query:
            found = await uow.households.search(code, query, limit=PAGE_SIZE)
            found = [h for h in found if not status or h.status == status]
            total = len(found)
        else:
            found, total = await uow.households.page(
                code, status or None, (number - 1) * PAGE_SIZE, PAGE_SIZE
            )
        if found:
            await page.logged(uow, "view", f"households:{code}", code)
        return (known.name if known else code), found, total

    name, households, total = await page.console.db.run(work)
    pages = max(-(-total // PAGE_SIZE), 1)
    return page.render(
        "households.html",
        section="households",
        code=code,
        name=name,
        households=households,
        total=total,
        status=status,
        statuses=HOUSEHOLD_STATUSES,
        query=query,
        number=min(number, pages),
        pages=pages,
    )


def _history_rows(
    submissions: list[SubmissionRecord], names: dict[int, str], zone: str, lang: str
) -> list[dict[str, Any]]:
    rows = []
    for item in reversed(submissions):  # newest first
        rows.append(
            {
                "when": short_datetime(item.created_at, zone, lang),
                "who": names.get(item.person_id, "?"),
                "channel": item.channel,
                "form": item.form_id,
                "changes": [
                    (c.get("label") or c.get("path", ""), c.get("before"), c.get("after"))
                    for c in item.changes
                ],
                "status": item.answers.get("family_status") or "",
            }
        )
    return rows


async def detail(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    household_id = _int(request.match_info["id"], -1)
    if household_id < 1:
        return page.error(404, "error_not_found")

    async def work(uow: UnitOfWork) -> tuple[HouseholdRecord, list[dict[str, Any]]] | None:
        region = await uow.households.region_of(household_id)
        if region is None or not page.viewer.in_scope(region, *PROGRESS_ROLES):
            return None
        household = await uow.households.get(household_id)
        if household is None:
            return None
        submissions = await uow.submissions.for_household(household_id)
        names: dict[int, str] = {}
        for person_id in {s.person_id for s in submissions}:
            known = await uow.people.name_and_lang(person_id)
            names[person_id] = known[0] if known else "?"
        await page.logged(uow, "view", f"household:{household_id}", region)
        zone = timezone_for(region)
        return household, _history_rows(submissions, names, zone, page.lang)

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_not_found")
    household, history = found
    zone = timezone_for(household.region_code)
    return page.render(
        "household.html",
        section="households",
        h=household,
        updated=short_datetime(household.updated_at, zone, page.lang),
        history=history,
    )
