"""*Progres*: kabupaten -> kecamatan -> village, laggards first, the chart, and the pace the
next deadline needs; the numbers are the chat's (``handlers/progress``)."""

from __future__ import annotations

import asyncio
import hashlib

from aiohttp import web

from bot.web.app import PREFIX, Page
from flows.regions import is_region_code
from handlers.kit.dates import days_between, local_datetime, relative_day
from handlers.kit.deferred import reuse, write_atomically
from handlers.progress.charts import render_progress_chart
from handlers.progress.view import (
    PROGRESS_ROLES,
    VILLAGE_LEVEL,
    chart_for,
    laggards_first,
    next_deadline,
    region_label,
)
from storage.db import UnitOfWork
from storage.repos.progress import ProgressCounts, RegionProgress, UpcomingDeadline

__all__ = ["install"]


def install(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/progres", areas)
    app.router.add_get("/progres/{code}", region)
    app.router.add_get("/progres/{code}/grafik.png", chart)


async def home(_request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther(PREFIX + "/progres")


def own_areas(page: Page) -> list[str]:
    """The viewer's regions, widest first, without those inside another (as the chat)."""
    codes = sorted({r.region_code for r in page.viewer.roles}, key=lambda c: (c.count("."), c))
    kept: list[str] = []
    for code in codes:
        if not any(code == k or code.startswith(k + ".") for k in kept):
            kept.append(code)
    return kept


async def areas(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    mine = own_areas(page)
    if len(mine) == 1:
        raise web.HTTPSeeOther(f"{PREFIX}/progres/{mine[0]}")
    return page.render("areas.html", section="progress", areas=mine)


def pace(counts: ProgressCounts, days: int | None) -> int | None:
    """Households a day until the deadline (rounded up); None without one or with none left."""
    if days is None or days < 1 or not counts.pending:
        return None
    return -(-counts.pending // days)


async def _read(
    page: Page, code: str
) -> tuple[RegionProgress, UpcomingDeadline | None] | web.Response:
    if not is_region_code(code):
        return page.error(404, "error_not_found")
    if not page.viewer.in_scope(code, *PROGRESS_ROLES):
        return page.error(403, "error_region_forbidden", region=code)

    async def work(uow: UnitOfWork) -> tuple[RegionProgress | None, UpcomingDeadline | None]:
        found = await uow.progress.region(code)
        deadline = await next_deadline(uow, code, page.now) if found else None
        return found, deadline

    found, deadline = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_not_found")
    return found, deadline


async def region(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    code = request.match_info["code"]
    read = await _read(page, code)
    if isinstance(read, web.Response):
        return read
    found, deadline = read
    lang = page.lang
    days = days_between(page.now, deadline.due_at, found.timezone) if deadline else None
    wide = found.level < VILLAGE_LEVEL - 1
    groups = laggards_first(found.groups(found.level + 1)) if wide else []
    villages = laggards_first(found.villages) if found.level < VILLAGE_LEVEL else []
    rows_groups = [
        {"code": g.code, "name": g.name, "c": g.counts, "pace": pace(g.counts, days)}
        for g in groups
    ]
    rows_villages = [
        {"code": v.code, "name": v.name, "c": v.counts, "pace": pace(v.counts, days)}
        for v in villages
    ]
    parent = ".".join(code.split(".")[:-1])
    up = parent if parent and page.viewer.in_scope(parent, *PROGRESS_ROLES) else ""
    deadline_view = None
    if deadline is not None:
        deadline_view = {
            "title": deadline.title,
            "when": local_datetime(deadline.due_at, found.timezone, lang),
            "left": relative_day(page.now, deadline.due_at, found.timezone, lang),
            "pace": pace(found.total, days),
        }
    return page.render(
        "progress.html",
        section="progress",
        code=code,
        name=region_label(found.kind, found.name, lang),
        total=found.total,
        level=found.level,
        tables=[
            {
                "id": "groups",
                "title": "progress_groups",
                "first": "col_kecamatan",
                "link": "/progres/",
                "rows": rows_groups,
            },
            {
                "id": "villages",
                "title": "progress_villages",
                "first": "col_village",
                "link": "/keluarga?wilayah=",
                "rows": rows_villages,
            },
        ],
        deadline=deadline_view,
        up=up,
        has_chart=len(groups if wide else villages) >= 2,
    )


async def chart(request: web.Request) -> web.StreamResponse:
    """The chat's progress chart as a PNG (made in a worker thread, kept a while)."""
    page = Page.of(request)
    code = request.match_info["code"]
    read = await _read(page, code)
    if isinstance(read, web.Response):
        return read
    found, deadline = read
    drawing = chart_for(found, deadline, page.now, page.lang)
    if drawing is None:
        return page.error(404, "error_not_found")
    tag = hashlib.sha256(repr((drawing, page.lang)).encode()).hexdigest()[:16]
    path = page.console.options.charts_dir / f"web-progres-{code}-{tag}.png"

    def make() -> None:
        if not reuse(path, page.now):
            write_atomically(path, lambda tmp: render_progress_chart(drawing, tmp))

    await asyncio.to_thread(make)
    response = web.FileResponse(path, headers={"Cache-Control": "private, max-age=300"})
    return response
