"""``kawal``: Invites and people: who has access, and taking it back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from bot.cli.common import (
    ROLES,
    DbOption,
    app,
    fail,
    run_async,
    say,
    say_n,
    settings_for,
    with_db,
)
from flows.regions import is_region_code, timezone_for
from handlers.kit.context import ROLE_LEVEL
from handlers.kit.dates import short_datetime
from handlers.people.lifecycle import (
    create_invite,
    invite_level_ok,
    invite_state,
    masked_id,
    remove_person,
    revoke_all_roles,
    revoke_invite,
    revoke_role,
)
from handlers.people.registration import normalize_code
from storage.db import Database, UnitOfWork
from storage.records import (
    CHANNELS,
    FormSessionRecord,
    InviteRecord,
    PersonDetail,
    PersonOverview,
)

invite_app = typer.Typer(help="Invite codes for registration.", no_args_is_help=True)
person_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
app.add_typer(invite_app, name="invite")
app.add_typer(person_app, name="person")

# ---- invites and people ------------------------------------------------------------------


InviteRegion = Annotated[
    str | None, typer.Option("--region", help="Only this region and the regions below it")
]
ShowAll = Annotated[bool, typer.Option("--all", help="Also used, expired and revoked ones")]
PersonArgument = Annotated[
    str,
    typer.Argument(
        help="Person number from `kawal person list`, or a terminal user name (demo-dinsos), "
        "or channel:id (telegram:123456)"
    ),
]
CLI_ZONE = "Asia/Jakarta"  # times of people without a region are shown in WIB


def _check_region(code: str | None) -> None:
    if code is not None and not is_region_code(code):
        raise fail(say("region_invalid", code=code))


def _shown_zone(code: str | None) -> str:
    return timezone_for(code) if code and is_region_code(code) else CLI_ZONE


def _at(at: datetime | None, zone: str) -> str:
    return short_datetime(at, zone, "id") if at is not None else "-"


async def _person_id(uow: UnitOfWork, person: str) -> int:
    """A person number, a terminal user name (console identity) or ``channel:id``."""
    text = person.strip()
    found: int | None = None
    if text.isdecimal() and len(text) <= 9:
        found = int(text) if await uow.people.detail(int(text)) is not None else None
    if found is None and text:
        channel, _, external = text.partition(":")
        if channel not in CHANNELS or not external:
            channel, external = "console", text
        found = await uow.people.find_person_id(channel, external)
    if found is None:
        raise fail(say("person_not_found", person=repr(person)))
    return found


@invite_app.command("create")
def invite_create(
    role: Annotated[str, typer.Option(help="operator, peratin, camat, dinsos or admin")],
    region: Annotated[str, typer.Option(help="Region code the role is bound to")],
    uses: Annotated[int, typer.Option(min=1, help="How many people may use it")] = 1,
    days: Annotated[
        int | None,
        typer.Option(min=1, max=365, help="Valid for this many days (default KAWAL_INVITE_DAYS)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an invite code and print it, e.g. kawal invite create --role operator
    --region 18.04.19.2006 [--days 7]."""
    if role not in ROLES:
        raise fail(say("role_unknown", role=role, roles=", ".join(ROLES)))
    settings = settings_for(db)
    valid_days = days if days is not None else settings.invite_days

    async def work(database: Database) -> InviteRecord:
        async with database.unit_of_work() as uow:
            target = await uow.regions.get(region)
            if target is None:
                raise fail(say("region_missing", region=region))
            expected = ROLE_LEVEL[role]
            if not invite_level_ok(role, target.level):
                raise fail(say("invite_level", role=role, level=expected, region=region))
            return await create_invite(
                uow,
                role,
                region,
                by=None,
                channel="cli",
                now=datetime.now(UTC),
                days=valid_days,
                uses=uses,
            )

    invite = run_async(lambda: with_db(settings, work))
    typer.echo(invite.code)  # alone on stdout: scripts take it from there
    until = _at(invite.expires_at, _shown_zone(region))
    typer.echo(say_n("invite_created", uses, until=until, code=invite.code), err=True)


@invite_app.command("list")
def invite_list(
    region: InviteRegion = None, show_all: ShowAll = False, db: DbOption = None
) -> None:
    """List invite codes that can still be used (with --all also used, expired, revoked)."""
    _check_region(region)
    settings = settings_for(db)
    now = datetime.now(UTC)

    async def work(database: Database) -> list[str]:
        async with database.unit_of_work() as uow:
            invites = await uow.invites.list(
                now, [region] if region else None, include_inactive=show_all
            )
            names = {
                code: await _region_name(uow, code) for code in {i.region_code for i in invites}
            }
        lines = []
        for invite in invites:
            zone = _shown_zone(invite.region_code)
            details = say(
                "invite_details",
                created=_at(invite.created_at, zone),
                until=_at(invite.expires_at, zone),
                uses=invite.uses,
                max_uses=invite.max_uses,
                state=say(f"invite_state_{invite_state(invite, now)}"),
            )
            lines.append(
                f"{invite.code:<19} {invite.role:<8} {invite.region_code} "
                f"{names[invite.region_code]}\n    {details}"
            )
        return lines

    lines = run_async(lambda: with_db(settings, work))
    if lines:
        typer.echo("\n".join(lines))
    else:
        typer.echo(say("invites_none" if show_all else "invites_none_active"))


@invite_app.command("revoke")
def invite_revoke(
    code: Annotated[str, typer.Argument(help="The code, e.g. KWL-7F3K-9QXM-2ABC")],
    db: DbOption = None,
) -> None:
    """Revoke an invite code: nobody can register with it any more."""
    settings = settings_for(db)
    wanted = normalize_code(code) or code.strip().upper()

    async def work(database: Database) -> InviteRecord | None:
        async with database.unit_of_work() as uow:
            return await revoke_invite(uow, wanted, by=None, channel="cli", now=datetime.now(UTC))

    invite = run_async(lambda: with_db(settings, work))
    if invite is None:
        raise fail(say("invite_not_found", code=wanted))
    typer.echo(
        say(
            "invite_revoked",
            code=invite.code,
            role=invite.role,
            region=invite.region_code,
            uses=invite.uses,
            max_uses=invite.max_uses,
        )
    )


async def _region_name(uow: UnitOfWork, code: str) -> str:
    region = await uow.regions.get(code)
    return region.name if region else code


@person_app.command("list")
def person_list(
    region: Annotated[
        str | None, typer.Option("--region", help="Only people with a role in this region")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also removed people")] = False,
    db: DbOption = None,
) -> None:
    """List people with their roles, channels and when they last wrote."""
    _check_region(region)
    settings = settings_for(db)

    async def work(database: Database) -> list[PersonOverview]:
        async with database.unit_of_work() as uow:
            _, people = await uow.people.directory(
                [region] if region else None, include_removed=show_all
            )
        return people

    people = run_async(lambda: with_db(settings, work))
    if not people:
        typer.echo(say("people_none_in", region=region) if region else say("people_none"))
    for person in people:
        roles = ", ".join(f"{r.role}@{r.region_code} {r.region_name}" for r in person.roles) or "-"
        zone = _shown_zone(person.roles[0].region_code if person.roles else None)
        seen = (
            say("last_wrote", when=_at(person.last_seen, zone))
            if person.last_seen
            else say("never_wrote")
        )
        channels = ",".join(person.channels) or say("no_active_channel")
        removed = (
            "  " + say("removed_mark", when=_at(person.removed_at, zone))
            if person.removed_at
            else ""
        )
        typer.echo(
            f"{person.id:>4}  {person.name or say('no_name'):<24} {roles}\n"
            f"      {channels}; {seen}{removed}"
        )


@person_app.command("show")
def person_show(person: PersonArgument, db: DbOption = None) -> None:
    """Everything about one person's access: roles, identities, open form, consent."""
    settings = settings_for(db)

    async def work(database: Database) -> list[str]:
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
            open_form = await uow.sessions.get_open(person_id)
        assert detail is not None  # noqa: S101 - found just above
        return _person_lines(detail, open_form)

    typer.echo("\n".join(run_async(lambda: with_db(settings, work))))


def _person_lines(detail: PersonDetail, open_form: FormSessionRecord | None) -> list[str]:
    active = detail.active_roles
    zone = _shown_zone(
        active[0].region_code if active else (detail.roles[0].region_code if detail.roles else None)
    )
    name = detail.name or say("no_name")
    lines = [say("person_head", id=detail.id, name=name, lang=detail.lang)]
    lines.append(say("person_registered", when=_at(detail.created_at, zone)))
    if detail.consent_at is not None:
        lines.append(
            say(
                "person_consent",
                when=_at(detail.consent_at, zone),
                version=detail.consent_version,
            )
        )
    else:
        lines.append(say("person_consent_none"))
    if detail.removed_at is not None:
        lines.append(say("person_removed", when=_at(detail.removed_at, zone)))
    lines.append(say("person_roles" if detail.roles else "person_roles_none"))
    for role in detail.roles:
        state = (
            say("role_revoked_at", when=_at(role.revoked_at, zone))
            if role.revoked_at is not None
            else say("role_active")
        )
        since = say("role_since", when=_at(role.since, zone))
        lines.append(f"  {role.role:<8} {role.region_code} {role.region_name}; {since}; {state}")
    lines.append(say("person_identities" if detail.identities else "person_identities_none"))
    for identity in detail.identities:
        parts = [
            f"  {identity.channel} {masked_id(identity.channel, identity.external_id)}",
            say("last_wrote", when=_at(identity.last_inbound_at, zone))
            if identity.last_inbound_at
            else say("never_wrote"),
        ]
        if identity.blocked_at is not None:
            parts.append(say("identity_blocked", when=_at(identity.blocked_at, zone)))
        if identity.disabled_at is not None:
            parts.append(say("identity_disabled", when=_at(identity.disabled_at, zone)))
        lines.append("; ".join(parts))
        if identity.failed_at is not None:
            failed = say(
                "identity_failed",
                when=_at(identity.failed_at, zone),
                code=identity.failure_code or "-",
                title=identity.failure_title or "",
            )
            lines.append(f"    {failed}".rstrip())
    if open_form is not None:
        lines.append(
            say(
                "person_open_form",
                form=open_form.form_id,
                status=open_form.status,
                when=_at(open_form.updated_at, zone),
            )
        )
    else:
        lines.append(say("person_open_form_none"))
    return lines


@person_app.command("revoke")
def person_revoke(
    person: PersonArgument,
    role: Annotated[str | None, typer.Option(help="The role to take back, e.g. operator")] = None,
    region: Annotated[
        str | None, typer.Option(help="The role's region, e.g. 18.04.19.2006")
    ] = None,
    all_roles: Annotated[bool, typer.Option("--all-roles", help="Take back every role")] = False,
    db: DbOption = None,
) -> None:
    """Take a role back (or every role): the person's open forms there are closed, e.g.
    kawal person revoke 12 --role operator --region 18.04.19.2006."""
    example = say("revoke_example")
    if all_roles and (role or region):
        raise fail(say("revoke_options_both", example=example))
    if not all_roles and not (role and region):
        raise fail(say("revoke_options_missing", example=example))
    if role is not None and role not in ROLES:
        raise fail(say("role_unknown", role=role, roles=", ".join(ROLES)))
    _check_region(region)
    settings = settings_for(db)

    async def work(database: Database) -> str:
        now = datetime.now(UTC)
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
            assert detail is not None  # noqa: S101 - found just above
            who = f"#{person_id} {detail.name or say('no_name')}"
            if all_roles:
                done = await revoke_all_roles(uow, person_id, by=None, channel="cli", now=now)
                if not done.roles:
                    raise fail(say("revoke_no_roles", who=who))
                roles = ", ".join(f"{r.role}@{r.region_code}" for r in done.roles)
                return say("revoked_all", who=who, roles=roles, closed=done.sessions_closed)
            assert role is not None and region is not None  # noqa: S101 - checked above
            revoked = await revoke_role(
                uow, person_id, role, region, by=None, channel="cli", now=now
            )
            if revoked is None:
                raise fail(say("revoke_not_held", who=who, role=role, region=region, id=person_id))
            return say(
                "revoked_role",
                role=role,
                region=region,
                name=revoked.roles[0].region_name,
                who=who,
                closed=revoked.sessions_closed,
                left=revoked.roles_left,
            )

    typer.echo(run_async(lambda: with_db(settings, work)))


@person_app.command("remove")
def person_remove(
    person: PersonArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first")] = False,
    db: DbOption = None,
) -> None:
    """Remove a person: every role revoked, every identity switched off, open forms closed.
    The household records they saved stay, attributed to them."""
    settings = settings_for(db)

    async def find(database: Database) -> tuple[int, str]:
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
        assert detail is not None  # noqa: S101 - found just above
        if detail.removed_at is not None:
            raise fail(say("person_already_removed", who=f"#{person_id} {detail.name}"))
        return person_id, f"#{person_id} {detail.name or say('no_name')}"

    person_id, who = run_async(lambda: with_db(settings, find))
    if not yes and not typer.confirm(say("person_remove_confirm", who=who), default=False):
        raise typer.Exit(code=1)

    async def work(database: Database) -> str:
        now = datetime.now(UTC)
        async with database.unit_of_work() as uow:
            detail = await uow.people.detail(person_id)
            done = await remove_person(uow, person_id, by=None, channel="cli", now=now)
        if done is None or detail is None:
            raise fail(say("person_already_removed", who=who))
        identities = sum(1 for i in detail.identities if i.disabled_at is None)
        return say(
            "person_removed_done",
            who=who,
            roles=say_n("count_roles_revoked", len(done.roles)),
            identities=say_n("count_identities_off", identities),
            forms=say_n("count_forms_closed", done.sessions_closed),
        )

    typer.echo(run_async(lambda: with_db(settings, work)))
