"""*Ekspor* and *Kualitas data*: the chat's files (SIKS-NG export, data quality workbook,
progress workbook), downloaded over HTTPS instead of sent by chat. Each runs the chat's use
case for the viewer, makes its file after the commit as the chat does, and notes the
download in the processing log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from bot.web.app import PREFIX, Page
from bot.web.pages.progress import own_areas
from bot.web.pages.quality import since_is_valid, typed_since
from flows.regions import is_region_code
from handlers.kit.context import Turn
from handlers.kit.deferred import Deferred, run_deferred, write_atomically
from handlers.kit.workbooks import write_progress_xlsx
from handlers.messages import Document, Reply
from handlers.progress.view import PROGRESS_ROLES, VILLAGE_LEVEL, laggards_first
from handlers.quality import view as quality
from handlers.registers import exports
from storage.db import UnitOfWork
from storage.repos.progress import RegionProgress

__all__ = ["install"]


def install(app: web.Application) -> None:
    app.router.add_get("/ekspor", index)
    app.router.add_get("/ekspor/progres-{code}.xlsx", progress_workbook)
    app.router.add_get("/ekspor/siks-ng.xlsx", siks_ng)
    app.router.add_get("/ekspor/kualitas.xlsx", quality_workbook)


async def index(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    return page.render(
        "downloads.html",
        section="downloads",
        areas=own_areas(page),
        can_export=page.viewer.holds(*exports.EXPORT_ROLES),
        can_quality=page.viewer.holds(*quality.QUALITY_ROLES),
    )


def _headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}


async def progress_workbook(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    code = request.match_info["code"]
    if not is_region_code(code):
        return page.error(404, "error_not_found")
    if not page.viewer.in_scope(code, *PROGRESS_ROLES):
        return page.error(403, "error_region_forbidden", region=code)

    async def work(uow: UnitOfWork) -> RegionProgress | None:
        found = await uow.progress.region(code)
        if found is not None:
            await page.logged(uow, "download", f"progress:{code}", code)
        return found

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_not_found")
    villages = laggards_first(found.villages)
    wide = found.level < VILLAGE_LEVEL - 1
    groups = laggards_first(found.groups(found.level + 1)) if wide else []
    stamp = page.now.strftime("%Y%m%d-%H%M%S")
    name = f"progres-{code}-{stamp}.xlsx"
    path = page.console.options.exports_dir / f"web-{page.viewer.person_id}-{name}"
    lang = page.lang

    def make(tmp: Path) -> object:
        return write_progress_xlsx(tmp, villages, groups, found.names, lang)

    await asyncio.to_thread(write_atomically, path, make)
    return web.FileResponse(path, headers=_headers(name))


async def _chat_file(
    page: Page,
    use_case: Callable[[Turn], Awaitable[Reply]],
    subject: str,
) -> web.StreamResponse:
    """Run the chat's use case for the viewer; its first document, made after the commit."""
    deferred: list[Deferred] = []

    async def work(uow: UnitOfWork) -> Reply:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        reply = await use_case(turn)
        deferred.extend(turn.deferred)
        if any(isinstance(m, Document) for m in reply.messages):
            await page.logged(uow, "download", subject, None)
        return reply

    reply = await page.console.db.run(work)
    reply = await run_deferred(deferred, reply, page.console.db)
    for message in reply.messages:  # a file that could not be made became its fallback
        if isinstance(message, Document):
            name = message.file_name or Path(message.path).name
            return web.FileResponse(Path(message.path), headers=_headers(name))
    return page.error(404, "error_nothing_to_download")


async def siks_ng(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if not page.viewer.holds(*exports.EXPORT_ROLES):
        return page.error(403, "error_forbidden")
    exports_dir = page.console.options.exports_dir

    async def use_case(turn: Turn) -> Reply:
        return await exports.export_for(turn, exports_dir)

    return await _chat_file(page, use_case, "export:siks-ng")


async def quality_workbook(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if not page.viewer.holds(*quality.QUALITY_ROLES):
        return page.error(403, "error_dinsos_only")
    options = page.console.options
    typed = typed_since(request)  # the date the quality page was showing, if any
    if typed and not since_is_valid(page, typed):  # said beside the page's date field
        raise web.HTTPSeeOther(f"{PREFIX}/kualitas?{urlencode({'sejak': typed})}")
    asked = quality.QualityRequest(typed) if typed else None

    async def use_case(turn: Turn) -> Reply:
        return await quality.show(
            turn, asked, exports_dir=options.exports_dir, untouched_days=options.untouched_days
        )

    return await _chat_file(page, use_case, "export:quality")
