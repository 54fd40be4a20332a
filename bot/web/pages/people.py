"""*Orang & undangan*: the people holding roles in Dinsos' kabupaten, one person's roles with
a revoke button each, the invites still usable, a new invite (role and region inside the area)
shown with its code, Telegram deep link and a QR code to print, and revoking an invite.

Only Dinsos (``MANAGER_ROLES``), through the chat's use cases (``handlers/people/access.py``
for who may act on what, ``handlers/people/lifecycle.py`` for the acts): the same checks run
whatever the URL or form says. Revoking asks first (a GET confirm page, then a POST).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import segno
from aiohttp import web
from markupsafe import Markup

from bot.web.app import PREFIX, Page, see_other
from bot.web.render import WEB
from bot.web.session import new_secret
from flows.regions import is_region_code, level_of, timezone_for
from handlers.kit.context import ROLE_LEVEL, Turn
from handlers.kit.dates import short_datetime
from handlers.people import access
from handlers.people.codes import deep_link, normalize_code
from handlers.people.lifecycle import create_invite, invite_level_ok, revoke_invite, revoke_role
from storage.db import UnitOfWork
from storage.records import InviteRecord, PersonOverview, RegionRecord

__all__ = ["install"]

PAGE_SIZE = 50
NOTICES = ("role_revoked", "invite_revoked")


def install(app: web.Application) -> None:
    app.router.add_get("/orang", listing)
    app.router.add_get(r"/orang/{id:\d{1,9}}", person)
    app.router.add_get(r"/orang/{id:\d{1,9}}/cabut", partial(_role, act=False))
    app.router.add_post(r"/orang/{id:\d{1,9}}/cabut", partial(_role, act=True))
    app.router.add_get("/undangan/baru", new_invite)
    app.router.add_post("/undangan/baru", make_invite)
    app.router.add_get("/undangan/{code}", invite_page)
    app.router.add_get("/undangan/{code}/cabut", partial(_invite_revoke, act=False))
    app.router.add_post("/undangan/{code}/cabut", partial(_invite_revoke, act=True))


def _forbidden(page: Page) -> web.Response | None:
    if not page.viewer.holds(*access.MANAGER_ROLES):
        return page.error(403, "error_dinsos_only")
    return None


def _turn(page: Page, uow: UnitOfWork) -> Turn:
    return page.viewer.turn(uow, page.now, page.console.kawal.forms)


def _until(invite: InviteRecord, lang: str) -> str:
    if invite.expires_at is None:
        return "-"
    return short_datetime(invite.expires_at, timezone_for(invite.region_code), lang)


def _int(text: str, default: int = 1) -> int:
    return int(text) if text.isdecimal() and len(text) < 7 else default


async def listing(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    number = max(_int(request.query.get("hal", "1")), 1)

    async def work(uow: UnitOfWork) -> tuple[int, list[PersonOverview], list[dict[str, Any]]]:
        turn = _turn(page, uow)
        areas = turn.areas(*access.MANAGER_ROLES)
        total, people = await uow.people.directory(
            areas, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
        invites = []
        for invite in await uow.invites.list(page.now, areas):
            region = await uow.regions.get(invite.region_code)
            invites.append(
                {
                    "code": invite.code,
                    "role": invite.role,
                    "region": region.name if region else invite.region_code,
                    "until": _until(invite, page.lang),
                }
            )
        if people:
            await uow.processing.add(  # a list of names: a record of processing
                "view", page.now, by=page.viewer.person_id, channel="web", detail="people"
            )
        return total, people, invites

    total, people, invites = await page.console.db.run(work)
    notice = request.query.get("selesai", "")
    return page.render(
        "people.html",
        section="people",
        people=people,
        total=total,
        number=number,
        pages=max(-(-total // PAGE_SIZE), 1),
        invites=invites,
        notice=notice if notice in NOTICES else "",
    )


async def person(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    person_id = int(request.match_info["id"])

    async def work(uow: UnitOfWork) -> dict[str, Any] | None:
        turn = _turn(page, uow)
        detail = await uow.people.detail(person_id)
        scoped = access.scoped_roles(turn, detail)
        if detail is None or scoped is None:
            return None
        inside, _ = scoped
        await uow.processing.add(
            "view", page.now, by=page.viewer.person_id, channel="web", subject_person_id=person_id
        )
        zone = timezone_for(inside[0].region_code)
        roles = [
            {
                "role": r.role,
                "code": r.region_code,
                "region": r.region_name,
                "since": short_datetime(r.since, zone, page.lang),
                "revocable": person_id != page.viewer.person_id
                and access.manages(turn, r.role, r.region_code),
            }
            for r in inside
        ]
        channels = [
            {
                "channel": i.channel.capitalize(),
                "seen": short_datetime(i.last_inbound_at, zone, page.lang)
                if i.last_inbound_at
                else "",
                "blocked": i.blocked_at is not None,
            }
            for i in detail.identities
            if i.disabled_at is None
        ]
        return {"id": person_id, "name": detail.name or f"#{person_id}", "roles": roles,
                "channels": channels, "me": person_id == page.viewer.person_id}  # fmt: skip

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_not_found")
    return page.render("person.html", section="people", p=found)


def _role_of(page: Page) -> tuple[str, str]:
    source = page.form if page.request.method == "POST" else page.request.query
    return str(source.get("peran", ""))[:20], str(source.get("wilayah", ""))[:20]


async def _role(request: web.Request, *, act: bool) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    person_id = int(request.match_info["id"])
    role, code = _role_of(page)

    async def work(uow: UnitOfWork) -> tuple[str, str] | str | None:
        if act and (repeat := await page.repeated(uow, page.submit_key)) is not None:
            return repeat or f"{PREFIX}/orang"
        turn = _turn(page, uow)
        found = await access.revocable(turn, person_id, role, code)
        if found is None:
            return None
        name, held = found
        if act:
            await revoke_role(
                uow, person_id, role, code, by=page.viewer.person_id, channel="web", now=page.now
            )
            return await page.done(uow, page.submit_key, f"{PREFIX}/orang?selesai=role_revoked")
        return name, held.region_name

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_not_found")
    if isinstance(found, str):
        return see_other(found)
    name, region = found
    return page.render(
        "confirm.html",
        section="people",
        question=WEB.t("ppl_revoke_confirm", page.lang, role=role, name=name, region=region),
        action=f"{PREFIX}/orang/{person_id}/cabut",
        hidden={"peran": role, "wilayah": code, "key": new_secret()},
        back=f"{PREFIX}/orang/{person_id}",
    )


# ---- invites ----------------------------------------------------------------------------------


async def _invite_regions(turn: Turn) -> list[RegionRecord]:
    """Every region inside the officer's areas, widest first (kabupaten, kecamatan, desa)."""
    found: list[RegionRecord] = []
    areas = [await turn.uow.regions.get(a) for a in turn.areas(*access.MANAGER_ROLES)]
    todo = [r for r in areas if r is not None]
    while todo:
        found.extend(todo)
        below: list[RegionRecord] = []
        for region in todo:
            if region.level < max(ROLE_LEVEL.values()):
                below.extend(await turn.uow.regions.children(region.code))
        todo = below
    return found


async def _invite_form(
    page: Page, role: str = "", code: str = "", errors: dict[str, str] | None = None
) -> web.Response:
    async def work(uow: UnitOfWork) -> tuple[list[str], list[RegionRecord]]:
        turn = _turn(page, uow)
        return access.invitable_roles(turn), await _invite_regions(turn)

    roles, regions = await page.console.db.run(work)
    return page.render(
        "invite_new.html",
        http_status=400 if errors else 200,
        section="people",
        roles=roles,
        regions=regions,
        role=role,
        code=code,
        errors=errors or {},
        key=str(page.form.get("key", "")) or new_secret(),
    )


async def new_invite(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    return await _invite_form(page)


async def make_invite(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    role = str(page.form.get("role", ""))[:20]
    code = str(page.form.get("region", "")).strip()[:20]
    days = page.console.options.invite_days

    async def work(uow: UnitOfWork) -> dict[str, str] | str:
        turn = _turn(page, uow)
        errors: dict[str, str] = {}
        if role not in access.invitable_roles(turn):
            errors["role"] = WEB.t("inv_role_invalid", page.lang)
        if not is_region_code(code) or not turn.in_scope(code, *access.MANAGER_ROLES):
            errors["region"] = WEB.t("inv_region_invalid", page.lang)
        elif role in ROLE_LEVEL and not invite_level_ok(role, level_of(code)):
            errors["region"] = WEB.t("inv_region_level", page.lang, role=role)
        elif await uow.regions.get(code) is None:
            errors["region"] = WEB.t("inv_region_invalid", page.lang)
        if errors:
            return errors
        if (repeat := await page.repeated(uow, page.submit_key)) is not None:  # a double submit
            return repeat or f"{PREFIX}/orang"
        invite = await create_invite(
            uow, role, code, by=page.viewer.person_id, channel="web", now=page.now, days=days
        )
        return await page.done(uow, page.submit_key, f"{PREFIX}/undangan/{invite.code}")

    done = await page.console.db.run(work)
    if isinstance(done, dict):
        return await _invite_form(page, role, code, done)
    return see_other(done)


async def _active_invite(page: Page, uow: UnitOfWork) -> InviteRecord | None:
    raw = page.request.match_info["code"][:40]
    if normalize_code(raw) is None:
        return None
    return await access.revocable_invite(_turn(page, uow), raw)


def qr_svg(data: str, title: str) -> Markup:
    """A QR code of ``data`` as inline SVG (printable, no image request, no CDN)."""
    svg = segno.make(data, error="m").svg_inline(scale=5, title=title, svgclass="qr")
    # segno writes only paths and the escaped title (an invite code: A-Z, 2-9 and -).
    return Markup(svg)  # noqa: S704


async def invite_page(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused

    async def work(uow: UnitOfWork) -> tuple[InviteRecord, str] | None:
        invite = await _active_invite(page, uow)
        if invite is None:
            return None
        region = await uow.regions.get(invite.region_code)
        return invite, region.name if region else invite.region_code

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_invite_not_found")
    invite, region = found
    bot = page.console.options.telegram_bot_username
    link = deep_link(bot, invite.code) if bot else ""
    return page.render(
        "invite.html",
        section="people",
        invite=invite,
        region=region,
        until=_until(invite, page.lang),
        link=link,
        qr=qr_svg(link or invite.code, invite.code),
    )


async def _invite_revoke(request: web.Request, *, act: bool) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused

    async def work(uow: UnitOfWork) -> tuple[InviteRecord, str] | str | None:
        if act and (repeat := await page.repeated(uow, page.submit_key)) is not None:
            return repeat or f"{PREFIX}/orang"
        invite = await _active_invite(page, uow)
        if invite is None:
            return None
        if act:
            await revoke_invite(
                uow, invite.code, by=page.viewer.person_id, channel="web", now=page.now
            )
            return await page.done(uow, page.submit_key, f"{PREFIX}/orang?selesai=invite_revoked")
        region = await uow.regions.get(invite.region_code)
        return invite, region.name if region else invite.region_code

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_invite_not_found")
    if isinstance(found, str):
        return see_other(found)
    invite, region = found
    return page.render(
        "confirm.html",
        section="people",
        question=WEB.t(
            "inv_revoke_confirm", page.lang, code=invite.code, role=invite.role, region=region
        ),
        action=f"{PREFIX}/undangan/{invite.code}/cabut",
        hidden={"key": new_secret()},
        back=f"{PREFIX}/undangan/{invite.code}",
    )
