"""People and invites in the chat, for Dinsos (and admin).

*Orang & undangan* (or ``ORANG``; ``UNDANGAN`` for the invites) shows their own area only:
the people holding roles there, a person's roles with a confirmation before one is revoked or
the person removed, the open invites, a new invite. Every ``ppl:`` button names ids, and ids
in buttons are never trusted: each action checks the scope again against the database. The
use cases behind the buttons are in :mod:`handlers.people.lifecycle` (the CLI calls them too).
"""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from flows.regions import is_region_code, level_of, timezone_for
from handlers.kit.context import ROLE_LEVEL, Turn
from handlers.kit.dates import short_datetime
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone
from handlers.people.codes import deep_link, normalize_code
from handlers.people.lifecycle import (
    create_invite,
    invite_state,
    remove_person,
    revoke_invite,
    revoke_role,
)
from storage.records import InviteRecord, PersonDetail, PersonOverview, RoleGrant

PAYLOAD_PREFIX = "ppl:"
MANAGER_ROLES = ("dinsos", "admin")
INVITE_ROLES = ("operator", "peratin", "camat", "dinsos")  # what the chat may invite to
PAGE_SIZE = 6  # people or invites per message: with the paging buttons, 10 at most
DEFAULT_ZONE = "Asia/Jakarta"


def is_payload(inbound: Inbound) -> bool:
    return inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX)


def _p(*parts: object) -> str:
    return PAYLOAD_PREFIX + ":".join(str(p) for p in parts)


def _not_allowed(turn: Turn) -> Reply:
    return Reply([Text(t("ppl_not_allowed", turn.lang), Tone.ERROR)])


def _not_found(turn: Turn) -> Reply:
    return Reply([Text(t("ppl_not_found", turn.lang), Tone.ERROR)])


def _invite_not_found(turn: Turn) -> Reply:
    return Reply([Text(t("ppl_invite_not_found", turn.lang), Tone.ERROR)])


def _areas(turn: Turn) -> list[str]:
    return turn.areas(*MANAGER_ROLES)


async def _area_names(turn: Turn, areas: list[str]) -> str:
    names = []
    for code in areas:
        region = await turn.uow.regions.get(code)
        names.append(region.name if region else code)
    return ", ".join(names)


def _int(text: str) -> int | None:
    return int(text) if text.isdecimal() and len(text) <= 9 else None


async def route(turn: Turn, *, invite_days: int, bot_username: str = "") -> Reply:
    """A ``ppl:`` button. Anyone without a Dinsos or admin role is refused."""
    if not turn.roles(*MANAGER_ROLES):
        return _not_allowed(turn)
    parts = turn.inbound.payload.removeprefix(PAYLOAD_PREFIX).split(":")
    action, args = parts[0], parts[1:]
    number = _int(args[0]) if args else None
    match action, len(args):
        case "l", 1 if number is not None:
            return await show(turn, number)
        case "p", 1 if number is not None:
            return await person_view(turn, number)
        case "r", 3 if number is not None:
            return await confirm_revoke(turn, number, args[1], args[2])
        case "ry", 3 if number is not None:
            return await do_revoke(turn, number, args[1], args[2])
        case "x", 1 if number is not None:
            return await confirm_remove(turn, number)
        case "xy", 1 if number is not None:
            return await do_remove(turn, number)
        case "i", 1 if number is not None:
            return await show_invites(turn, number)
        case "ir", 1:
            return await confirm_revoke_invite(turn, args[0])
        case "iry", 1:
            return await do_revoke_invite(turn, args[0])
        case "n", 0:
            return _pick_role(turn)
        case "n", 1:
            return await _pick_region(turn, args[0], None, invite_days, bot_username)
        case "n", 2:
            return await _pick_region(turn, args[0], args[1], invite_days, bot_username)
    return await show(turn)


# -- people


async def show(turn: Turn, page: int = 0) -> Reply:
    """The people holding roles in the officer's area, by name, a page at a time."""
    if not turn.roles(*MANAGER_ROLES):
        return _not_allowed(turn)
    areas = _areas(turn)
    area = await _area_names(turn, areas)
    page = max(page, 0)
    directory = turn.uow.people.directory
    total, people = await directory(areas, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page >= pages:  # a stale button: the list got shorter
        page = pages - 1
        total, people = await directory(areas, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    invites = len(await turn.uow.invites.list(turn.now, areas))
    options = [Option(_p("p", p.id), p.name[:40] or f"#{p.id}") for p in people]
    if page + 1 < pages:
        options.append(Option(_p("l", page + 1), t("ppl_next", turn.lang)))
    if page > 0:
        options.append(Option(_p("l", page - 1), t("ppl_prev", turn.lang)))
    options.append(Option(_p("i", 0), t("ppl_invites", turn.lang, n=invites)))
    options.append(Option(_p("n"), t("ppl_new_invite", turn.lang)))
    if not people:
        return Reply([Question(t("ppl_none", turn.lang, area=area), tuple(options))])
    head = t("ppl_title", turn.lang, area=area, total=total, page=page + 1, pages=pages)
    lines = [f"{page * PAGE_SIZE + i}. {_person_line(p)}" for i, p in enumerate(people, start=1)]
    text = "\n".join([head, *lines, t("ppl_hint", turn.lang)])
    return Reply([Question(text, tuple(options))])


def _person_line(person: PersonOverview) -> str:
    roles = [f"{r.role} {r.region_name}" for r in person.roles]
    shown = ", ".join(roles[:2]) + (f" +{len(roles) - 2}" if len(roles) > 2 else "")
    return f"{person.name or '#' + str(person.id)} · {shown}"


def manages(turn: Turn, role: str, region_code: str) -> bool:
    """The officer may act on ``role`` in the region: inside its area, and an admin role
    only as admin."""
    if not turn.in_scope(region_code, *MANAGER_ROLES):
        return False
    return role != "admin" or turn.in_scope(region_code, "admin")


def scoped_roles(turn: Turn, detail: PersonDetail | None) -> tuple[list[RoleGrant], bool] | None:
    """The person's active roles inside the officer's area, and whether every active role
    is; None when the person has no active role there (unknown ids look the same)."""
    if detail is None or detail.removed_at is not None:
        return None
    active = detail.active_roles
    inside = [r for r in active if turn.in_scope(r.region_code, *MANAGER_ROLES)]
    if not inside:
        return None
    return inside, len(inside) == len(active)


async def person_view(turn: Turn, person_id: int, notice: str = "") -> Reply:
    """One person: roles in the area (since when), channels and when last seen; buttons to
    revoke a role or remove the person."""
    detail = await turn.uow.people.detail(person_id)
    scoped = scoped_roles(turn, detail)
    if detail is None or scoped is None:
        return _not_found(turn)
    inside, all_inside = scoped
    lang = turn.lang
    await turn.uow.processing.add(  # a person's card opened: their DATA SAYA counts it
        "view",
        turn.now,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        subject_person_id=person_id,
    )
    zone = timezone_for(inside[0].region_code)
    lines = [detail.name or f"#{detail.id}"]
    for role in inside:
        since = role.since.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")
        lines.append(f"• {role.role} {role.region_name}, {t('ppl_since', lang, date=since)}")
    for identity in detail.identities:
        if identity.disabled_at is not None:
            continue
        channel = identity.channel.capitalize()
        if identity.last_inbound_at is None:
            line = t("ppl_never_seen", lang, channel=channel)
        else:
            when = short_datetime(identity.last_inbound_at, zone, lang)
            line = t("ppl_last_seen", lang, channel=channel, when=when)
        if identity.blocked_at is not None:
            line += " · " + t("ppl_blocked", lang)
        lines.append(line)
    options: list[Option] = []
    if person_id == turn.me.person_id:
        lines.append(t("ppl_you", lang))
    else:
        for role in inside:
            if manages(turn, role.role, role.region_code):
                label = t("ppl_revoke_button", lang, role=role.role, region=role.region_name)
                options.append(Option(_p("r", person_id, role.role, role.region_code), label))
        if all_inside and all(manages(turn, r.role, r.region_code) for r in inside):
            options.append(Option(_p("x", person_id), t("ppl_remove_button", lang)))
    options.append(Option(_p("l", 0), t("ppl_back", lang)))
    text = "\n".join(lines)
    messages: list[Text | Question] = []
    if notice:
        messages.append(Text(notice, Tone.SUCCESS))
    messages.append(Question(text, tuple(options)))
    return Reply(list(messages))


async def revocable(
    turn: Turn, person_id: int, role: str, region_code: str
) -> tuple[str, RoleGrant] | None:
    """The person's name and the active role, when the officer may revoke it."""
    if person_id == turn.me.person_id or not is_region_code(region_code):
        return None
    if not manages(turn, role, region_code):
        return None
    detail = await turn.uow.people.detail(person_id)
    if detail is None or detail.removed_at is not None:
        return None
    held = next(
        (r for r in detail.active_roles if (r.role, r.region_code) == (role, region_code)), None
    )
    return (detail.name or f"#{detail.id}", held) if held else None


async def confirm_revoke(turn: Turn, person_id: int, role: str, region_code: str) -> Reply:
    found = await revocable(turn, person_id, role, region_code)
    if found is None:
        return _not_found(turn)
    name, held = found
    text = t("ppl_revoke_confirm", turn.lang, role=role, name=name, region=held.region_name)
    options = (
        Option(_p("ry", person_id, role, region_code), t("ppl_revoke_yes", turn.lang)),
        Option(_p("p", person_id), t("ppl_cancel", turn.lang)),
    )
    return Reply([Question(text, options)])


async def do_revoke(turn: Turn, person_id: int, role: str, region_code: str) -> Reply:
    found = await revocable(turn, person_id, role, region_code)
    if found is None:
        return _not_found(turn)
    name, held = found
    done = await revoke_role(
        turn.uow,
        person_id,
        role,
        region_code,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    if done is None:  # pragma: no cover - checked just above in the same transaction
        return _not_found(turn)
    notice = t("ppl_revoked", turn.lang, role=role, name=name, region=held.region_name)
    if done.sessions_closed:
        notice += " " + t("ppl_sessions_closed", turn.lang, n=done.sessions_closed)
    if scoped_roles(turn, await turn.uow.people.detail(person_id)) is None:  # none left here
        reply = Reply([Text(notice, Tone.SUCCESS)])
        reply.messages.extend((await show(turn)).messages)
        return reply
    return await person_view(turn, person_id, notice)


async def _removable(turn: Turn, person_id: int) -> str | None:
    """The person's name, when the officer may remove them: every active role inside its
    area and manageable by it, and not the officer itself."""
    if person_id == turn.me.person_id:
        return None
    detail = await turn.uow.people.detail(person_id)
    scoped = scoped_roles(turn, detail)
    if detail is None or scoped is None:
        return None
    inside, all_inside = scoped
    if not all_inside or not all(manages(turn, r.role, r.region_code) for r in inside):
        return None
    return detail.name or f"#{person_id}"


async def confirm_remove(turn: Turn, person_id: int) -> Reply:
    name = await _removable(turn, person_id)
    if name is None:
        return _not_found(turn)
    options = (
        Option(_p("xy", person_id), t("ppl_remove_yes", turn.lang)),
        Option(_p("p", person_id), t("ppl_cancel", turn.lang)),
    )
    return Reply([Question(t("ppl_remove_confirm", turn.lang, name=name), options)])


async def do_remove(turn: Turn, person_id: int) -> Reply:
    name = await _removable(turn, person_id)
    if name is None:
        return _not_found(turn)
    done = await remove_person(
        turn.uow,
        person_id,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    if done is None:  # pragma: no cover - checked just above in the same transaction
        return _not_found(turn)
    notice = t("ppl_removed", turn.lang, name=name)
    if done.sessions_closed:
        notice += " " + t("ppl_sessions_closed", turn.lang, n=done.sessions_closed)
    reply = Reply([Text(notice, Tone.SUCCESS)])
    reply.messages.extend((await show(turn)).messages)
    return reply


# -- invites


def _until(invite: InviteRecord, lang: str) -> str:
    if invite.expires_at is None:
        return "-"
    return short_datetime(invite.expires_at, timezone_for(invite.region_code), lang)


async def _region_name(turn: Turn, code: str) -> str:
    region = await turn.uow.regions.get(code)
    return region.name if region else code


async def show_invites(turn: Turn, page: int = 0, notice: str = "") -> Reply:
    """The invites of the officer's area that can still be used, newest first."""
    if not turn.roles(*MANAGER_ROLES):
        return _not_allowed(turn)
    areas = _areas(turn)
    area = await _area_names(turn, areas)
    invites = await turn.uow.invites.list(turn.now, areas)
    pages = max(1, math.ceil(len(invites) / PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = invites[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lang = turn.lang
    options = [
        Option(_p("ir", invite.code), t("ppl_invite_revoke_button", lang, code=invite.code))
        for invite in shown
    ]
    if page + 1 < pages:
        options.append(Option(_p("i", page + 1), t("ppl_next", lang)))
    if page > 0:
        options.append(Option(_p("i", page - 1), t("ppl_prev", lang)))
    options.append(Option(_p("n"), t("ppl_new_invite", lang)))
    options.append(Option(_p("l", 0), t("ppl_back", lang)))
    if not invites:
        text = t("ppl_invites_none", lang, area=area)
    else:
        lines = [
            t("ppl_invites_title", lang, area=area, total=len(invites), page=page + 1, pages=pages)
        ]
        for invite in shown:
            region = await _region_name(turn, invite.region_code)
            lines.append(
                t(
                    "ppl_invite_line",
                    lang,
                    code=invite.code,
                    role=invite.role,
                    region=region,
                    until=_until(invite, lang),
                )
            )
        text = "\n".join(lines)
    messages: list[Text | Question] = [Text(notice, Tone.SUCCESS)] if notice else []
    messages.append(Question(text, tuple(options)))
    return Reply(list(messages))


async def revocable_invite(turn: Turn, raw: str) -> InviteRecord | None:
    code = normalize_code(raw) or raw.upper()
    invite = await turn.uow.invites.get(code)
    if invite is None or invite_state(invite, turn.now) != "active":
        return None
    return invite if manages(turn, invite.role, invite.region_code) else None


async def confirm_revoke_invite(turn: Turn, raw: str) -> Reply:
    invite = await revocable_invite(turn, raw)
    if invite is None:
        return _invite_not_found(turn)
    region = await _region_name(turn, invite.region_code)
    text = t(
        "ppl_invite_revoke_confirm", turn.lang, code=invite.code, role=invite.role, region=region
    )
    options = (
        Option(_p("iry", invite.code), t("ppl_revoke_yes", turn.lang)),
        Option(_p("i", 0), t("ppl_cancel", turn.lang)),
    )
    return Reply([Question(text, options)])


async def do_revoke_invite(turn: Turn, raw: str) -> Reply:
    invite = await revocable_invite(turn, raw)
    if invite is None:
        return _invite_not_found(turn)
    await revoke_invite(
        turn.uow,
        invite.code,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
    )
    return await show_invites(turn, 0, t("ppl_invite_revoked", turn.lang, code=invite.code))


def invitable_roles(turn: Turn) -> list[str]:
    """Roles the officer can invite to: bound to a level at or below one of its areas."""
    widest = min((level_of(code) for code in _areas(turn)), default=5)
    return [role for role in INVITE_ROLES if ROLE_LEVEL[role] >= widest]


def _pick_role(turn: Turn) -> Reply:
    options = tuple(Option(_p("n", role), role) for role in invitable_roles(turn))
    return Reply([Question(t("ppl_invite_role", turn.lang), options)])


async def _pick_region(
    turn: Turn, role: str, code: str | None, invite_days: int, bot_username: str
) -> Reply:
    """Walk down from the officer's area to a region of the role's level; there, make the
    invite. Every step checks the role and that the region lies inside the area."""
    if role not in invitable_roles(turn):
        return _pick_role(turn)
    target = ROLE_LEVEL[role]
    if code is None:
        areas = [a for a in _areas(turn) if level_of(a) <= target]
        if len(areas) != 1:
            return await _region_choice(turn, role, areas, None)
        code = areas[0]
    if not is_region_code(code) or not turn.in_scope(code, *MANAGER_ROLES):
        return _not_found(turn)
    region = await turn.uow.regions.get(code)
    if region is None or region.level > target:
        return _not_found(turn)
    if region.level < target:
        children = await turn.uow.regions.children(code)
        return await _region_choice(turn, role, [c.code for c in children], region.name)
    invite = await create_invite(
        turn.uow,
        role,
        code,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
        days=invite_days,
    )
    lang = turn.lang
    info = t(
        "ppl_invite_created",
        lang,
        role=role,
        region=region.name,
        code=invite.code,
        until=_until(invite, lang),
    )
    if bot_username:
        share = t("ppl_invite_link", lang, link=deep_link(bot_username, invite.code))
    else:
        share = t("ppl_invite_daftar", lang, code=invite.code)
    return Reply([Text(info, Tone.SUCCESS), Text(share)])


async def _region_choice(turn: Turn, role: str, codes: list[str], parent: str | None) -> Reply:
    options = []
    for code in codes:
        options.append(Option(_p("n", role, code), await _region_name(turn, code)))
    if not options:
        return _not_found(turn)
    if parent is None:
        text = t("ppl_invite_area", turn.lang, role=role)
    else:
        text = t("ppl_invite_region", turn.lang, role=role, region=parent)
    return Reply([Question(text, tuple(options))])
