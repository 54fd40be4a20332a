"""*Pengumuman*: the list, compose (text, an optional photo or document, preview with the
recipients per channel, then send), the report per region and role (delivered, failed with
the platform's reason, acknowledged), one nudge, and the report as XLSX. Only Dinsos
(``ANNOUNCER_ROLES``), inside its own kabupaten, through the chat's use cases
(``handlers/announcements/``).

An attachment is received with the preview (``bot/web/uploads.py``: the chat's 20 MB, a photo
or a document every channel delivers, told from its bytes), kept in the officer's own folder
under a random name, and carried to the send by that name alone: a page only ever opens a
file of its viewer's folder whose name has that shape.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.web.app import PREFIX, Page
from bot.web.render import WEB
from bot.web.session import new_secret
from bot.web.uploads import MAX_PHOTO_BYTES, Upload, attachment_kind, shown_name
from flows.regions import timezone_for
from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements import view as announcement_view
from handlers.kit.dates import short_datetime
from handlers.kit.deferred import write_atomically
from handlers.kit.timing import local_instant
from handlers.kit.workbooks import write_sheets
from storage.db import UnitOfWork
from storage.records import RegionRecord
from storage.repos.announcements import AnnouncementRecord

__all__ = ["install"]

ROLES = announcements.ANNOUNCER_ROLES


def install(app: web.Application) -> None:
    app.router.add_get("/pengumuman", listing)
    app.router.add_get("/pengumuman/baru", compose)
    app.router.add_post("/pengumuman/baru", submit)
    app.router.add_get(r"/pengumuman/{id:\d{1,9}}", report)
    app.router.add_get(r"/pengumuman/{id:\d{1,9}}.xlsx", workbook)
    app.router.add_post(r"/pengumuman/{id:\d{1,9}}/ingatkan", nudge)
    app.router.add_get(
        r"/pengumuman/lampiran/{name:lampiran-[A-Za-z0-9_-]{16}\.(?:jpg|png)}", photo
    )


def _forbidden(page: Page) -> web.Response | None:
    if not page.viewer.holds(*ROLES):
        return page.error(403, "error_dinsos_only")
    return None


async def listing(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused

    async def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        rows = []
        for record in await announcement_view.visible(turn, limit=50):
            deliveries = await uow.announcements.deliveries(announcements.campaign(record.id))
            rows.append(
                {
                    "id": record.id,
                    "text": record.text[:120],
                    "when": short_datetime(
                        record.scheduled_at, timezone_for(record.region_codes[0]), page.lang
                    ),
                    "status": record.status,
                    "total": len(deliveries),
                    "acked": sum(1 for d in deliveries if d.acknowledged_at is not None),
                }
            )
        return rows

    rows = await page.console.db.run(work)
    return page.render("announcements.html", section="announcements", rows=rows)


@dataclass
class Composed:
    """The compose form's values as typed, and what is wrong with them."""

    text: str = ""
    regions: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=lambda: ["operator", "peratin"])
    at: str = ""  # datetime-local, in the kabupaten's zone; "" = now
    nudge: str = str(announcements.DEFAULT_NUDGE_HOURS)
    key: str = field(default_factory=new_secret)
    attachment: str = ""  # the stored file's name in the viewer's folder ("" = none)
    attachment_name: str = ""  # the name it was chosen by, only shown
    attachment_kind: str = ""  # "photo" | "document"
    attachment_size: int = 0
    dropped: list[str] = field(default_factory=list)  # attachments replaced or removed
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


async def _choices(page: Page, uow: UnitOfWork) -> list[RegionRecord]:
    """The regions Dinsos may address: each of its areas and the kecamatan in them."""
    found: list[RegionRecord] = []
    for role in page.viewer.roles:
        if role.role not in ROLES:
            continue
        area = await uow.regions.get(role.region_code)
        if area is not None:
            found.append(area)
            found.extend(await uow.regions.children(area.code))
    return found


async def compose(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    return await _form(page, Composed(), preview=None)


async def _form(page: Page, values: Composed, preview: list[str] | None) -> web.Response:
    async def work(uow: UnitOfWork) -> list[RegionRecord]:
        return await _choices(page, uow)

    regions = await page.console.db.run(work)
    status = 400 if values.errors or values.problems else 200
    return page.render(
        "compose.html",
        http_status=status,
        section="announcements",
        v=values,
        regions=regions,
        audience_roles=announcements.AUDIENCE_ROLES,
        preview=preview,
    )


def _parse(page: Page, form: Any) -> tuple[Composed, announcements.Draft | None]:
    values = Composed(
        text=str(form.get("text", "")).replace("\r\n", "\n"),
        regions=[str(v) for v in form.getall("regions", [])],
        roles=[str(v) for v in form.getall("roles", [])],
        at=str(form.get("at", "")).strip(),
        nudge=str(form.get("nudge", "")).strip(),
        key=str(form.get("key", "")) or new_secret(),
        attachment=str(form.get("attachment", "")),
        attachment_name=shown_name(str(form.get("attachment_name", ""))),
    )
    if form.get("remove_attachment") and values.attachment:
        values.dropped.append(values.attachment)
        values.attachment = values.attachment_name = ""
    media = _attachment(page, values, page.upload)
    zone = timezone_for(values.regions[0]) if values.regions else "Asia/Jakarta"
    scheduled = None
    if values.at:
        try:
            local = dt.datetime.fromisoformat(values.at)
            scheduled = local_instant(local.date(), local.time(), zone)
        except ValueError:
            values.errors["at"] = WEB.t("ann_at_invalid", page.lang)
    nudge = values.nudge or "0"
    if not (nudge.isdecimal() and len(nudge) <= 4):
        values.errors["nudge"] = WEB.t("ann_nudge_invalid", page.lang)
        nudge = "0"
    if values.errors:
        return values, None
    draft = announcements.Draft(
        text=values.text,
        region_codes=tuple(values.regions),
        roles=tuple(values.roles),
        media_path=str(media.resolve()) if media else None,
        media_kind=values.attachment_kind if media else None,
        scheduled_at=scheduled,
        nudge_after_hours=int(nudge),
    )
    return values, draft


_STORED = re.compile(r"lampiran-[A-Za-z0-9_-]{16}\.(jpg|png|pdf|docx|xlsx|pptx|doc|xls|ppt|txt)")


def _attachment(page: Page, values: Composed, upload: Upload | None) -> Path | None:
    """The file the announcement carries: one just sent (checked, then kept under a random
    name), else the one kept from the preview; a bad file is said beside the field (the
    one kept before stays)."""
    if upload is not None:
        _receive(page, values, upload)
    if not values.attachment:
        return None
    folder = page.console.uploads_dir(page.viewer.person_id)
    path = folder / values.attachment
    size = path.stat().st_size if _STORED.fullmatch(values.attachment) and path.is_file() else 0
    if not size:
        values.errors.setdefault("attachment", WEB.t("ann_file_gone", page.lang))
        values.attachment = values.attachment_name = ""
        return None
    values.attachment_kind = "photo" if path.suffix in (".jpg", ".png") else "document"
    values.attachment_size = size
    return path


def _receive(page: Page, values: Composed, upload: Upload) -> None:
    lang = page.lang
    found = attachment_kind(upload.head, upload.name)
    if upload.too_big:
        values.errors["attachment"] = WEB.t("ann_file_too_big", lang, name=upload.name)
    elif upload.size == 0 or upload.path is None:
        values.errors["attachment"] = WEB.t("ann_file_empty", lang, name=upload.name)
    elif found is None:
        values.errors["attachment"] = WEB.t("ann_file_type", lang, name=upload.name)
    elif found.kind == "photo" and upload.size > MAX_PHOTO_BYTES:
        values.errors["attachment"] = WEB.t("ann_file_photo_big", lang, name=upload.name)
    else:
        stored = f"lampiran-{secrets.token_urlsafe(12)}{found.suffix}"
        upload.path.replace(upload.path.with_name(stored))
        if values.attachment:
            values.dropped.append(values.attachment)
        values.attachment, values.attachment_name = stored, upload.name


async def _forget(page: Page, dropped: list[str]) -> None:
    """Delete the attachments the officer replaced or removed (kept only by an announcement
    already stored with one): nothing is kept that they no longer mean to send."""
    folder = page.console.uploads_dir(page.viewer.person_id)
    paths = [(folder / name).resolve() for name in dropped if _STORED.fullmatch(name)]
    if not paths:
        return

    async def work(uow: UnitOfWork) -> list[Path]:
        return [path for path in paths if not await uow.announcements.carries(str(path))]

    for path in await page.console.db.run(work):
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def submit(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    values, draft = _parse(page, page.form)
    await _forget(page, values.dropped)
    if draft is None:
        return await _form(page, values, preview=None)
    sending = page.form.get("action") == "send"
    scope = [r.region_code for r in page.viewer.roles if r.role in ROLES]
    quiet = page.console.options.quiet_hours

    async def work(uow: UnitOfWork) -> tuple[list[str], list[str], str]:
        problems = await announcements.problems(uow, draft, scope, page.now, page.lang)
        found = await announcements.audience(uow, draft.region_codes, draft.roles)
        if not problems and found.total == 0:
            problems.append(WEB.t("ann_nobody", page.lang))
        lines = announcements.preview_lines(found, page.lang)
        if problems or not sending:
            return problems, lines, ""
        repeat = await page.repeated(uow, values.key)
        if repeat is not None:  # a double submit: the first one's result
            return [], lines, repeat or f"{PREFIX}/pengumuman"
        new_id = await announcements.create(
            uow, draft, by=page.viewer.person_id, channel="web", now=page.now, quiet=quiet
        )
        return [], lines, await page.done(uow, values.key, f"{PREFIX}/pengumuman/{new_id}")

    problems, lines, target = await page.console.db.run(work)
    if target:
        raise web.HTTPSeeOther(target)
    values.problems = problems
    return await _form(page, values, preview=lines)


async def _managed(page: Page, uow: UnitOfWork, raw: str) -> AnnouncementRecord | None:
    record = await uow.announcements.get(int(raw))
    turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
    if record is None or not announcement_view.can_see(turn, record):
        return None
    return record


async def _logged_report(page: Page, action: str) -> reports.Report | None:
    """The report of the announcement in the URL when the viewer manages it (None otherwise),
    its ``action`` ("view" or "download") written to the processing log."""

    async def work(uow: UnitOfWork) -> reports.Report | None:
        record = await _managed(page, uow, page.request.match_info["id"])
        found = await reports.report(uow, record.id) if record else None
        if record is not None and found is not None:
            await page.logged(uow, action, f"announcement_report:{record.id}", None)
        return found

    return await page.console.db.run(work)


async def report(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    found = await _logged_report(page, "view")
    if found is None:
        return page.error(404, "error_not_found")
    record = found.announcement
    zone = timezone_for(record.region_codes[0])
    groups = [
        {"region": found.labels.get(code, code), "role": role, "t": tally}
        for (code, role), tally in sorted(found.groups.items())
    ]
    people = [
        {
            "name": row.name,
            "role": row.role or "",
            "region": row.region_name or row.region_code or "",
            "channel": row.channel or "",
            "status": _state(row.status),
            "reason": found.reasons.get(row.person_id, ""),
            "acked": short_datetime(row.acknowledged_at, zone, page.lang)
            if row.acknowledged_at
            else "",
        }
        for row in sorted(found.rows, key=lambda r: (r.acknowledged_at is not None, r.name))
    ]
    return page.render(
        "report.html",
        section="announcements",
        a=record,
        when=short_datetime(record.scheduled_at, zone, page.lang),
        overall=found.overall,
        groups=groups,
        people=people,
        nudged=found.nudged,
        key=new_secret(),
        notice=request.query.get("n", ""),
    )


async def nudge(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    key = str(page.form.get("key", "")) or new_secret()
    quiet = page.console.options.quiet_hours

    async def work(uow: UnitOfWork) -> str | None:
        record = await _managed(page, uow, request.match_info["id"])
        if record is None:
            return None
        back = f"{PREFIX}/pengumuman/{record.id}"
        if await page.repeated(uow, key) is not None:
            return back
        sent = await announcements.nudge(uow, record, page.now, quiet)
        return f"{back}?n={sent}"

    target = await page.console.db.run(work)
    if target is None:
        return page.error(404, "error_not_found")
    raise web.HTTPSeeOther(target)


async def workbook(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused

    found = await _logged_report(page, "download")
    if found is None:
        return page.error(404, "error_not_found")
    sheets = reports.report_sheets(found, page.lang)
    stamp = page.now.strftime("%Y%m%d-%H%M%S")
    name = f"pengumuman-{found.announcement.id}-{stamp}.xlsx"
    path = page.console.options.exports_dir / f"web-{page.viewer.person_id}-{name}"
    await asyncio.to_thread(write_atomically, path, lambda tmp: write_sheets(tmp, sheets))
    return web.FileResponse(path, headers=_download_headers(name))


async def photo(request: web.Request) -> web.StreamResponse:
    """The viewer's own attached photo, for the preview (nobody else's folder is reachable)."""
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    path = page.console.uploads_dir(page.viewer.person_id) / request.match_info["name"]
    if not await asyncio.to_thread(path.is_file):
        return page.error(404, "error_not_found")
    return web.FileResponse(
        path, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    )


def _download_headers(name: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
    }


def _state(status: str) -> str:
    """An outbox row's status as the report groups it (``delivery_<state>`` in the catalog)."""
    if status in ("sent", "delivered", "read"):
        return "sent"
    if status in ("failed", "blocked", "expired"):
        return "failed"
    if status in ("pending", "sending", "uncertain"):
        return "pending" if status != "uncertain" else "uncertain"
    return "other"
