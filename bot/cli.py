"""The ``kawal`` command line."""

from __future__ import annotations

import asyncio
import calendar
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

import typer

from bot import demo as demo_data
from bot.channels.console import ConsoleChat, ConsoleSender
from bot.channels.console import run as run_console
from bot.logs import setup_logging
from bot.regions import add_region, load_regions, lookup
from bot.runtime import build_kawal, forms_from, open_database
from bot.settings import Settings
from handlers import announcements
from handlers import progress as progress_view
from handlers import quality as quality_view
from handlers.charts import render_progress_chart
from handlers.context import ROLE_LEVEL
from handlers.dates import relative_day, short_datetime, when_text
from handlers.deadlines import (
    DEADLINE_ROLES,
    RECENT,
    Draft,
    aligned_example,
    campaign_prefix,
    day_matches,
    occurrences_around,
    problems,
    recurrence_of,
    repeat_text,
    zone_of,
)
from handlers.deadlines import cancel as cancel_deadline
from handlers.deadlines import create as create_deadline
from handlers.deadlines import update as update_deadline
from handlers.exports import form_labels
from handlers.i18n import t
from handlers.people import (
    create_invite,
    invite_level_ok,
    invite_state,
    masked_id,
    remove_person,
    revoke_all_roles,
    revoke_invite,
    revoke_role,
)
from handlers.ports import SystemClock
from handlers.registration import normalize_code
from handlers.timing import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    QuietHours,
    Recurrence,
    local_instant,
    missing_date,
    parse_date,
    parse_date_time,
    parse_offsets,
    parse_time_of_day,
)
from handlers.workbooks import progress_table, write_progress_xlsx, write_sheets
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from storage.db import Database, UnitOfWork
from storage.exporter import ExportCounts, export_region
from storage.importer import ImportReport, import_register
from storage.migrate import upgrade
from storage.records import (
    CHANNELS,
    FormSessionRecord,
    InviteRecord,
    PersonDetail,
    PersonOverview,
)
from storage.regions_data import is_region_code, timezone_for
from storage.repos.deadlines import DeadlineRecord
from storage.repos.progress import RegionProgress, UpcomingDeadline

app = typer.Typer(help="Kawal: pendamping pemutakhiran DTKS/DTSEN.", no_args_is_help=True)
db_app = typer.Typer(help="Database.", no_args_is_help=True)
region_app = typer.Typer(help="Regions (Kemendagri codes).", no_args_is_help=True)
invite_app = typer.Typer(help="Invite codes for registration.", no_args_is_help=True)
person_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
households_app = typer.Typer(help="The village household registers (DTKS).", no_args_is_help=True)
report_app = typer.Typer(help="Oversight reports: progress, data quality.", no_args_is_help=True)
deadline_app = typer.Typer(help="Deadlines and their reminders.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(region_app, name="region")
app.add_typer(invite_app, name="invite")
app.add_typer(person_app, name="person")
app.add_typer(households_app, name="households")
app.add_typer(report_app, name="report")
app.add_typer(deadline_app, name="deadline")

ROLES = tuple(ROLE_LEVEL)
INVITE_STATES = {
    "active": "aktif",
    "used": "terpakai",
    "expired": "kedaluwarsa",
    "revoked": "dicabut",
}
T = TypeVar("T")
DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL or SQLite file (default: settings)")
]


def _settings(db: str | None = None) -> Settings:
    settings = Settings()
    if db:
        url = db if "://" in db else f"sqlite+aiosqlite:///{Path(db).resolve()}"
        settings = settings.model_copy(update={"database_url": url})
    setup_logging(settings.log_level, settings.log_file)
    return settings


def _run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())  # type: ignore[arg-type]  # an Awaitable from an async def is a Coroutine


async def _with_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    db = await open_database(settings)
    try:
        return await work(db)
    finally:
        await db.dispose()


def _fail(message: str) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


# ---- db ----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Apply all database migrations."""
    settings = _settings(db)
    _run(lambda: upgrade(settings.database_url))
    typer.echo("Database up to date.")


# ---- chat and demo -----------------------------------------------------------------------


async def _chat(settings: Settings, user: str, name: str) -> None:
    from bot.run import scheduled_jobs

    async def work(db: Database) -> None:
        clock = SystemClock()
        kawal = build_kawal(settings, db, clock)
        chat = ConsoleChat(kawal.handle, user, name)
        interactive = sys.stdin.isatty()
        # Proactive messages (announcements, reminders) reach the terminal too: the scheduled
        # jobs and the outbox run after every message, and in the background while idle.
        console = ConsoleSender(settings.data_dir / "console-inbox", user, sys.stdout)
        journal = SendJournal(settings.data_dir / "outbox")
        outbox = OutboxSender(db, {console.channel.value: console}, clock, journal)
        jobs = scheduled_jobs(settings, db, clock)

        async def deliver() -> None:
            for job in jobs:
                try:
                    await job.func(*job.args)
                except Exception:
                    logging.getLogger(__name__).exception("job %s failed", job.id)
            await outbox.run_once()

        if interactive:
            await outbox.start()
        else:
            journal.open()
            await outbox.recover()
        try:
            waiting = console.take_inbox(user)
            if waiting:
                typer.echo(waiting + "\n")
            if interactive:
                typer.echo("Kawal (terminal). Ketik MENU untuk mulai, KELUAR untuk berhenti.")
                out = await chat.send("/menu")
                typer.echo(out)
            await deliver()
            await run_console(chat, sys.stdin, sys.stdout, interactive=interactive, after=deliver)
        finally:
            await outbox.stop()

    await _with_db(settings, work)


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Terminal identity (channel 'console')")] = "terminal",
    name: Annotated[str, typer.Option(help="Display name offered at registration")] = "",
    db: DbOption = None,
) -> None:
    """Chat with Kawal in this terminal (also works with piped stdin: one message per line)."""
    settings = _settings(db)
    _run(lambda: _chat(settings, user, name))


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="SQLite file for the demo")] = "kawal-demo.db",
    reset: Annotated[bool, typer.Option(help="Delete the demo database first")] = True,
    chat_after: Annotated[bool, typer.Option("--chat/--no-chat", help="Open the chat")] = True,
    user: Annotated[str, typer.Option(help="Who to chat as")] = "demo-operator",
) -> None:
    """Create a demo database (Kab. Lampung Barat) and open the terminal chat as its operator."""
    path = Path(db)
    if reset:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    settings = _settings(str(path))

    async def work(database: Database) -> dict[str, int]:
        if not reset:
            async with database.unit_of_work() as uow:
                if await uow.regions.count() > 0:
                    return {}
        return await demo_data.seed(database, SystemClock().now(), settings.consent_version)

    created = _run(lambda: _with_db(settings, work))
    if created:
        typer.echo(
            f"Demo siap di {path}: {created['regions']} wilayah, "
            f"{created['households']} keluarga, {created['people']} pengguna."
        )
    typer.echo(
        "Pengguna demo: " + ", ".join(f"{p.external_id} ({p.role})" for p in demo_data.DEMO_PEOPLE)
    )
    typer.echo(f"Coba peran lain: kawal chat --db {path} --user demo-peratin")
    if chat_after:
        _run(lambda: _chat(settings, user, ""))


# ---- regions -----------------------------------------------------------------------------


@region_app.command("add")
def region_add(
    code: str,
    name: str,
    timezone: Annotated[str | None, typer.Option(help="IANA zone; default from province")] = None,
    db: DbOption = None,
) -> None:
    """Add or rename one region, e.g. kawal region add 18.04.19.2006 "Sri Menanti"."""
    settings = _settings(db)

    async def work(database: Database) -> None:
        async with database.unit_of_work() as uow:
            parent = code.rsplit(".", 1)[0] if "." in code else None
            if parent and await uow.regions.get(parent) is None:
                raise _fail(
                    f"Wilayah induk {parent} belum ada. Tambahkan dulu, atau pakai "
                    f"'kawal region load {parent}'."
                )
            await add_region(uow, code, name, timezone)

    _run(lambda: _with_db(settings, work))
    typer.echo(f"Wilayah {code} {name} disimpan.")


@region_app.command("load")
def region_load(
    prefix: Annotated[str, typer.Argument(help="Region code, e.g. 18.04 (kabupaten)")],
    db: DbOption = None,
) -> None:
    """Load a region with its parents and everything under it from the national list."""
    settings = _settings(db)
    if lookup(prefix) is None:
        raise _fail(f"Kode wilayah {prefix} tidak dikenal. Contoh: 18.04.19")

    async def work(database: Database) -> int:
        async with database.unit_of_work() as uow:
            return await load_regions(uow, prefix)

    count = _run(lambda: _with_db(settings, work))
    typer.echo(f"{count} wilayah dimuat.")


@region_app.command("list")
def region_list(prefix: str = "", db: DbOption = None) -> None:
    """List regions under a prefix."""
    settings = _settings(db)

    async def work(database: Database) -> None:
        async with database.unit_of_work() as uow:
            regions = await uow.regions.within(prefix) if prefix else await uow.regions.within("")
        for region in regions:
            typer.echo(f"{region.code:<14} {region.kind:<10} {region.name}  ({region.timezone})")

    _run(lambda: _with_db(settings, work))


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
        raise _fail(f"Kode wilayah {code} tidak sah. Contoh: --region 18.04.19.2006")


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
        raise _fail(
            f"Orang {person!r} tidak ditemukan. Lihat nomornya: kawal person list "
            "(mis. kawal person show 12, atau nama pengguna terminal: kawal person show "
            "demo-dinsos)."
        )
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
        raise _fail(f"Peran {role} tidak dikenal. Pilih salah satu: {', '.join(ROLES)}")
    settings = _settings(db)
    valid_days = days if days is not None else settings.invite_days

    async def work(database: Database) -> InviteRecord:
        async with database.unit_of_work() as uow:
            target = await uow.regions.get(region)
            if target is None:
                raise _fail(f"Wilayah {region} belum ada. Muat dulu: kawal region load {region}")
            expected = ROLE_LEVEL[role]
            if not invite_level_ok(role, target.level):
                raise _fail(
                    f"Peran {role} harus terikat ke wilayah tingkat {expected} "
                    f"(mis. 18.04.19.2006 untuk desa), bukan {region}."
                )
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

    invite = _run(lambda: _with_db(settings, work))
    typer.echo(invite.code)  # alone on stdout: scripts take it from there
    until = _at(invite.expires_at, _shown_zone(region))
    typer.echo(
        f"Berlaku s.d. {until}, untuk {uses} orang. Telegram: https://t.me/<bot>?start="
        f"{invite.code} ; WhatsApp atau terminal: DAFTAR {invite.code}",
        err=True,
    )


@invite_app.command("list")
def invite_list(
    region: InviteRegion = None, show_all: ShowAll = False, db: DbOption = None
) -> None:
    """List invite codes that can still be used (with --all also used, expired, revoked)."""
    _check_region(region)
    settings = _settings(db)
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
            state = INVITE_STATES[invite_state(invite, now)]
            lines.append(
                f"{invite.code:<19} {invite.role:<8} {invite.region_code} "
                f"{names[invite.region_code]}\n"
                f"    dibuat {_at(invite.created_at, zone)}, berlaku s.d. "
                f"{_at(invite.expires_at, zone)}, dipakai {invite.uses}/{invite.max_uses} "
                f"[{state}]"
            )
        return lines

    lines = _run(lambda: _with_db(settings, work))
    if lines:
        typer.echo("\n".join(lines))
    else:
        typer.echo("Tidak ada undangan." if show_all else "Tidak ada undangan aktif.")


@invite_app.command("revoke")
def invite_revoke(
    code: Annotated[str, typer.Argument(help="The code, e.g. KWL-7F3K-9QXM-2ABC")],
    db: DbOption = None,
) -> None:
    """Revoke an invite code: nobody can register with it any more."""
    settings = _settings(db)
    wanted = normalize_code(code) or code.strip().upper()

    async def work(database: Database) -> InviteRecord | None:
        async with database.unit_of_work() as uow:
            return await revoke_invite(uow, wanted, by=None, channel="cli", now=datetime.now(UTC))

    invite = _run(lambda: _with_db(settings, work))
    if invite is None:
        raise _fail(
            f"Undangan {wanted} tidak ada atau sudah dicabut. Lihat: kawal invite list --all"
        )
    typer.echo(
        f"Undangan {invite.code} ({invite.role} {invite.region_code}) dicabut; "
        f"dipakai {invite.uses}/{invite.max_uses}."
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
    settings = _settings(db)

    async def work(database: Database) -> list[PersonOverview]:
        async with database.unit_of_work() as uow:
            _, people = await uow.people.directory(
                [region] if region else None, include_removed=show_all
            )
        return people

    people = _run(lambda: _with_db(settings, work))
    if not people:
        typer.echo(
            "Belum ada pengguna terdaftar." if not region else f"Tidak ada orang di {region}."
        )
    for person in people:
        roles = ", ".join(f"{r.role}@{r.region_code} {r.region_name}" for r in person.roles) or "-"
        zone = _shown_zone(person.roles[0].region_code if person.roles else None)
        seen = (
            f"terakhir menulis {_at(person.last_seen, zone)}"
            if person.last_seen
            else "belum menulis"
        )
        channels = ",".join(person.channels) or "tanpa kanal aktif"
        removed = f"  [dihapus {_at(person.removed_at, zone)}]" if person.removed_at else ""
        typer.echo(
            f"{person.id:>4}  {person.name or '(tanpa nama)':<24} {roles}\n"
            f"      {channels}; {seen}{removed}"
        )


@person_app.command("show")
def person_show(person: PersonArgument, db: DbOption = None) -> None:
    """Everything about one person's access: roles, identities, open form, consent."""
    settings = _settings(db)

    async def work(database: Database) -> list[str]:
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
            open_form = await uow.sessions.get_open(person_id)
        assert detail is not None  # noqa: S101 - found just above
        return _person_lines(detail, open_form)

    typer.echo("\n".join(_run(lambda: _with_db(settings, work))))


def _person_lines(detail: PersonDetail, open_form: FormSessionRecord | None) -> list[str]:
    active = detail.active_roles
    zone = _shown_zone(
        active[0].region_code if active else (detail.roles[0].region_code if detail.roles else None)
    )
    lines = [f"#{detail.id} {detail.name or '(tanpa nama)'} (bahasa {detail.lang})"]
    lines.append(f"Terdaftar: {_at(detail.created_at, zone)}")
    if detail.consent_at is not None:
        lines.append(
            f"Persetujuan data: {_at(detail.consent_at, zone)} (versi {detail.consent_version})"
        )
    else:
        lines.append("Persetujuan data: belum")
    if detail.removed_at is not None:
        lines.append(f"DIHAPUS: {_at(detail.removed_at, zone)}")
    lines.append("Peran:" if detail.roles else "Peran: -")
    for role in detail.roles:
        state = f"dicabut {_at(role.revoked_at, zone)}" if role.revoked_at is not None else "aktif"
        lines.append(
            f"  {role.role:<8} {role.region_code} {role.region_name}; sejak "
            f"{_at(role.since, zone)}; {state}"
        )
    lines.append("Identitas:" if detail.identities else "Identitas: -")
    for identity in detail.identities:
        parts = [
            f"  {identity.channel} {masked_id(identity.channel, identity.external_id)}",
            f"terakhir menulis {_at(identity.last_inbound_at, zone)}"
            if identity.last_inbound_at
            else "belum menulis",
        ]
        if identity.blocked_at is not None:
            parts.append(f"memblokir bot sejak {_at(identity.blocked_at, zone)}")
        if identity.disabled_at is not None:
            parts.append(f"dimatikan {_at(identity.disabled_at, zone)}")
        lines.append("; ".join(parts))
        if identity.failed_at is not None:
            lines.append(
                f"    balasan terakhir gagal {_at(identity.failed_at, zone)}: "
                f"{identity.failure_code or '-'} {identity.failure_title or ''}".rstrip()
            )
    if open_form is not None:
        lines.append(
            f"Isian terbuka: {open_form.form_id} ({open_form.status}), terakhir "
            f"{_at(open_form.updated_at, zone)}"
        )
    else:
        lines.append("Isian terbuka: -")
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
    example = "Contoh: kawal person revoke 12 --role operator --region 18.04.19.2006"
    if all_roles and (role or region):
        raise _fail(f"Pakai --role dan --region, atau --all-roles saja. {example}")
    if not all_roles and not (role and region):
        raise _fail(f"--role dan --region wajib diisi (atau --all-roles). {example}")
    if role is not None and role not in ROLES:
        raise _fail(f"Peran {role} tidak dikenal. Pilih salah satu: {', '.join(ROLES)}")
    _check_region(region)
    settings = _settings(db)

    async def work(database: Database) -> str:
        now = datetime.now(UTC)
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
            assert detail is not None  # noqa: S101 - found just above
            who = f"#{person_id} {detail.name or '(tanpa nama)'}"
            if all_roles:
                done = await revoke_all_roles(uow, person_id, by=None, channel="cli", now=now)
                if not done.roles:
                    raise _fail(f"{who} tidak punya peran aktif.")
                roles = ", ".join(f"{r.role}@{r.region_code}" for r in done.roles)
                return (
                    f"Peran {who} dicabut: {roles}. Isian terbuka ditutup: {done.sessions_closed}."
                )
            assert role is not None and region is not None  # noqa: S101 - checked above
            revoked = await revoke_role(
                uow, person_id, role, region, by=None, channel="cli", now=now
            )
            if revoked is None:
                raise _fail(
                    f"{who} tidak memegang peran {role} di {region}. Lihat: kawal person show "
                    f"{person_id}"
                )
            name = revoked.roles[0].region_name
            return (
                f"Peran {role} di {region} {name} dicabut dari {who}. Isian terbuka ditutup: "
                f"{revoked.sessions_closed}. Peran tersisa: {revoked.roles_left}."
            )

    typer.echo(_run(lambda: _with_db(settings, work)))


@person_app.command("remove")
def person_remove(
    person: PersonArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first")] = False,
    db: DbOption = None,
) -> None:
    """Remove a person: every role revoked, every identity switched off, open forms closed.
    The household records they saved stay, attributed to them."""
    settings = _settings(db)

    async def find(database: Database) -> tuple[int, str]:
        async with database.unit_of_work() as uow:
            person_id = await _person_id(uow, person)
            detail = await uow.people.detail(person_id)
        assert detail is not None  # noqa: S101 - found just above
        if detail.removed_at is not None:
            raise _fail(f"#{person_id} {detail.name} sudah dihapus. Lihat: kawal person list --all")
        return person_id, f"#{person_id} {detail.name or '(tanpa nama)'}"

    person_id, who = _run(lambda: _with_db(settings, find))
    if not yes and not typer.confirm(
        f"Hapus {who}? Semua perannya dicabut dan Kawal berhenti melayaninya.", default=False
    ):
        raise typer.Exit(code=1)

    async def work(database: Database) -> str:
        now = datetime.now(UTC)
        async with database.unit_of_work() as uow:
            detail = await uow.people.detail(person_id)
            done = await remove_person(uow, person_id, by=None, channel="cli", now=now)
        if done is None or detail is None:
            raise _fail(f"{who} sudah dihapus. Lihat: kawal person list --all")
        identities = sum(1 for i in detail.identities if i.disabled_at is None)
        return (
            f"{who} dihapus: {len(done.roles)} peran dicabut, {identities} identitas dimatikan, "
            f"{done.sessions_closed} isian terbuka ditutup. Data yang ia simpan tetap ada."
        )

    typer.echo(_run(lambda: _with_db(settings, work)))


# ---- serving -----------------------------------------------------------------------------


@app.command()
def run(db: DbOption = None) -> None:
    """Serve the configured channels (Telegram: polling, or webhook with TELEGRAM_WEBHOOK_URL)
    and /healthz until SIGTERM or Ctrl-C."""
    from bot.run import NoChannelConfigured
    from bot.run import run as serve
    from handlers.ports import DeliveryError

    settings = _settings(db)
    try:
        _run(lambda: serve(settings))
    except NoChannelConfigured as missing:
        raise _fail(str(missing)) from None
    except DeliveryError as error:
        raise _fail(
            f"Telegram tidak dapat dihubungi atau menolak token / Telegram unreachable or "
            f"refused the token ({settings.telegram_api_url}): {error}"
        ) from None


# ---- households: import and export -------------------------------------------------------


@households_app.command("import")
def households_import(
    file: Annotated[Path, typer.Argument(help="Register file: .csv or .xlsx, one row per person")],
    region: Annotated[str, typer.Option(help="Village (or wider) code, e.g. 18.04.19.2006")],
    check: Annotated[bool, typer.Option("--check", help="Only check the file, change nothing")] = (
        False
    ),
    db: DbOption = None,
) -> None:
    """Import a DTKS register: all rows or none; a re-import updates instead of duplicating."""
    if not file.is_file():
        raise _fail(f"Berkas {file} tidak ditemukan.")
    settings = _settings(db)

    async def work(database: Database) -> ImportReport:
        async with database.unit_of_work() as uow:
            return await import_register(
                uow, file, region, datetime.now(UTC), channel="cli", apply=not check
            )

    report = _run(lambda: _with_db(settings, work))
    if not report.ok:
        typer.echo(report.text(), err=True)
        raise typer.Exit(code=1)
    if check:
        typer.echo(f"Berkas {file.name} lolos pemeriksaan: {report.rows} baris, belum diimpor.")
        return
    typer.echo(report.text())


@households_app.command("list")
def households_list(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04.19.2006")],
    status: Annotated[str | None, typer.Option(help="pending, verified, ...")] = None,
    db: DbOption = None,
) -> None:
    """Count households per status in a region (NIK/KK are never printed)."""
    settings = _settings(db)

    async def work(database: Database) -> dict[str, int]:
        async with database.unit_of_work() as uow:
            return await uow.households.count_by_status(region)

    counts = _run(lambda: _with_db(settings, work))
    for name, count in counts.items():
        if status is None or name == status:
            typer.echo(f"{name:<10} {count}")


@app.command("export")
def export(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04.19 (kecamatan)")],
    fmt: Annotated[str, typer.Option("--format", help="xlsx, or csv (a zip of 3 files)")] = "xlsx",
    since: Annotated[
        str | None, typer.Option(help="Only what changed from this date on (YYYY-MM-DD)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output file (default: data_dir/exports)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export households, members and new proposals for typing into SIKS-NG."""
    if fmt not in ("xlsx", "csv"):
        raise _fail("Format harus xlsx atau csv. Contoh: --format xlsx")
    start: datetime | None = None
    if since:
        try:
            start = datetime.fromisoformat(since).replace(tzinfo=UTC)
        except ValueError:
            raise _fail("Tanggal --since tidak dikenali. Contoh: 2026-11-01") from None
    settings = _settings(db)
    suffix = "xlsx" if fmt == "xlsx" else "zip"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = out or settings.data_dir / "exports" / f"ekspor-{region}-{stamp}.{suffix}"
    forms = forms_from(settings)

    async def work(database: Database) -> ExportCounts:
        async with database.unit_of_work() as uow:
            return await export_region(
                uow,
                region,
                target,
                "xlsx" if fmt == "xlsx" else "csv",
                since=start,
                labels=form_labels(forms),
            )

    counts = _run(lambda: _with_db(settings, work))
    typer.echo(
        f"Ekspor {region}: {counts.households} keluarga, {counts.members} anggota, "
        f"{counts.proposals} usulan baru -> {counts.path}"
    )


# ---- reports: progress and data quality --------------------------------------------------


def _check_output(path: Path | None, option: str, example: str) -> None:
    """Stop with a clear message before any work when ``path`` cannot be the file written."""
    if path is None:
        return
    try:
        is_dir = path.is_dir()
        parent = next((p for p in path.parents if p.exists()), None)
    except OSError as error:  # e.g. a name too long for the file system
        raise _cannot_write(path, option, example, error) from None
    if is_dir:
        raise _fail(
            f"{option} {path} adalah folder, bukan nama berkas. Contoh: {option} {path / example}"
        )
    if parent is not None and not parent.is_dir():
        raise _fail(
            f"{option} {path}: {parent} adalah berkas, bukan folder. Contoh: {option} {example}"
        )


def _cannot_write(path: Path, option: str, example: str, error: OSError) -> typer.Exit:
    reason = error.strerror or str(error)
    return _fail(
        f"Tidak bisa menulis {path}: {reason}. Pilih tempat lain, contoh: {option} {example}"
    )


def _write_output(path: Path, option: str, example: str, write: Callable[[Path], object]) -> None:
    """``write(path)`` after making its folder; a system error becomes a message to act on."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except OSError as error:
        raise _cannot_write(path, option, example, error) from None


def _print_table(header: list[str], rows: list[list[Any]]) -> None:
    table: list[list[Any]] = [list(header), *rows]
    cells = [[str(v) for v in row] for row in table]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        line = "  ".join(
            value.ljust(width) if i < 3 else value.rjust(width)
            for i, (value, width) in enumerate(zip(row, widths, strict=True))
        )
        typer.echo(line.rstrip())


@report_app.command("progress")
def report_progress(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04 (kabupaten)")],
    png: Annotated[Path | None, typer.Option(help="Write the progress chart (PNG) here")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write every village as XLSX here")] = None,
    db: DbOption = None,
) -> None:
    """Progress per village (laggards first) with the next deadline; optionally a PNG chart."""
    if not is_region_code(region):
        raise _fail(f"Kode wilayah {region} tidak dikenal. Contoh: --region 18.04")
    _check_output(png, "--png", "progres.png")
    _check_output(xlsx, "--xlsx", "progres.xlsx")
    settings = _settings(db)
    lang = settings.lang
    now = datetime.now(UTC)

    Found = tuple[RegionProgress | None, UpcomingDeadline | None]

    async def work(database: Database) -> Found:
        async with database.unit_of_work() as uow:
            found = await uow.progress.region(region)
            deadline = await progress_view.next_deadline(uow, region, now) if found else None
            return found, deadline

    result: Found = _run(lambda: _with_db(settings, work))
    found, deadline = result  # read first, render after: no transaction is held meanwhile
    if found is None:
        raise _fail(f"Wilayah {region} belum ada. Muat dulu: kawal region load {region}")
    typer.echo(progress_view.summary(found, deadline, now, lang).split("\n\n")[0])
    typer.echo("")
    villages = progress_view.laggards_first(found.villages)
    header, rows = progress_table(villages, found.names, lang, short=True)
    _print_table(header, rows)
    if png is not None:
        chart = progress_view.chart_for(found, deadline, now, lang, min_bars=1)
        if chart is None:
            raise _fail(f"Tidak ada desa di {region} untuk digambar.")
        _write_output(png, "--png", "progres.png", lambda path: render_progress_chart(chart, path))
        typer.echo(f"Grafik: {png} ({png.stat().st_size // 1024} KB)")
    if xlsx is not None:
        groups = found.groups(found.level + 1) if found.level < 3 else []
        _write_output(
            xlsx,
            "--xlsx",
            "progres.xlsx",
            lambda path: write_progress_xlsx(path, villages, groups, found.names, lang),
        )
        typer.echo(f"XLSX: {xlsx}")


@report_app.command("quality")
def report_quality(
    region: Annotated[str, typer.Option(help="Region code, e.g. 18.04 (kabupaten)")],
    out: Annotated[Path, typer.Option(help="Output XLSX file")],
    untouched_since: Annotated[
        str | None,
        typer.Option(help="Households not changed since this date (YYYY-MM-DD or DD-MM-YYYY)"),
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Without --untouched-since: this many days ago (default 30)"),
    ] = None,
    mask: Annotated[bool, typer.Option("--mask", help="Mask every NIK and No. KK")] = False,
    db: DbOption = None,
) -> None:
    """Duplicate NIKs, NIKs that disagree with the answers, and households nobody touched."""
    if not is_region_code(region):
        raise _fail(f"Kode wilayah {region} tidak dikenal. Contoh: --region 18.04")
    _check_output(out, "--out", "kualitas.xlsx")
    settings = _settings(db)
    lang = settings.lang
    now = datetime.now(UTC)
    since = quality_view.untouched_since(
        untouched_since,
        now,
        days or settings.quality_untouched_days,
        timezone_for(region),
        lang,
    )
    if isinstance(since, str):
        raise _fail(
            f"Tanggal {untouched_since} tidak dikenali atau belum lewat. "
            "Contoh: --untouched-since 2026-10-01"
        )
    forms = forms_from(settings)

    async def work(database: Database) -> quality_view.QualityReport | None:
        async with database.unit_of_work() as uow:
            return await quality_view.gather(uow, region, since, lang, untouched_limit=None)

    report = _run(lambda: _with_db(settings, work))
    if report is None:
        raise _fail(f"Wilayah {region} belum ada. Muat dulu: kawal region load {region}")
    typer.echo(quality_view.summary(report, lang))
    _write_output(
        out,
        "--out",
        "kualitas.xlsx",
        lambda path: quality_view.write_quality_xlsx(
            path, report, lang, full_areas=[] if mask else [region], labels=form_labels(forms)
        ),
    )
    typer.echo(f"XLSX: {out}")


# ---- deadlines -----------------------------------------------------------------------------

DueOption = Annotated[
    str | None,
    typer.Option(help="Due date and time, local time of the region, e.g. 2027-01-27T16:00"),
]
RegionOption = Annotated[str | None, typer.Option(help="Region code, e.g. 18.04 or 18.04.19")]
RolesOption = Annotated[
    str | None, typer.Option(help="Who is reminded, e.g. operator,peratin (also camat, dinsos)")
]
OffsetsOption = Annotated[
    str | None, typer.Option(help="Days before the due date, 0 = the day itself: 7,3,1,0")
]
AtOption = Annotated[str | None, typer.Option("--at", help="Reminder time, local: 08:00")]
EveryMonthOption = Annotated[
    int | None,
    typer.Option(
        "--every-month", min=1, max=31, help="Repeat monthly on this day (29-31: month end)"
    ),
]
UntilOption = Annotated[
    str | None, typer.Option(help="Last date of a monthly deadline, e.g. 2027-12-31")
]
NoteOption = Annotated[str | None, typer.Option(help="A note shown in every reminder")]


def _missing_date(option: str, text: str, time: str = "") -> typer.Exit | None:
    """An error for 30 February (a day its month does not have), with the month's last day."""
    parts = missing_date(text)
    if parts is None:
        return None
    year, month, day = parts
    last = calendar.monthrange(year, month)[1]
    name = t("months", "id").split(",")[month - 1]
    return _fail(
        f"{option} {text}: tanggal {day} {name} {year} tidak ada ({name} {year} hanya sampai "
        f"tanggal {last}). Contoh: {option} {year}-{month:02d}-{last:02d}{time}"
    )


def _due(text: str, zone: str) -> datetime:
    parsed = parse_date_time(text)
    if parsed is None or parsed[1] is None:
        raise _missing_date("--due", text, "T16:00") or _fail(
            f"--due {text} tidak dikenali: tulis tanggal dan jam. Contoh: 2027-01-27T16:00"
        )
    return local_instant(parsed[0], parsed[1], zone)


def _zone(region_code: str) -> str:
    """The time zone of ``region_code``, or a clear error with an example."""
    if not is_region_code(region_code):
        raise _fail(
            f"Kode wilayah {region_code or '(kosong)'} tidak sah. "
            "Contoh: --region 18.04 (kabupaten) atau --region 18.04.19 (kecamatan)"
        )
    try:
        return timezone_for(region_code)
    except ValueError:
        raise _fail(
            f"Kode wilayah {region_code}: provinsi {region_code[:2]} tidak dikenal. "
            "Contoh: --region 18.04 (Kab. Lampung Barat, provinsi 18 Lampung)"
        ) from None


def _draft(
    base: Draft | None,
    *,
    title: str | None,
    due: str | None,
    region: str | None,
    roles: str | None,
    offsets: str | None,
    at: str | None,
    every_month: int | None,
    once: bool,
    until: str | None,
    note: str | None,
    quiet: QuietHours,
) -> Draft:
    """A deadline from the command's options (over ``base`` when editing)."""
    region_code = region or (base.region_code if base else "")
    zone = _zone(region_code)
    if due is not None:
        due_at = _due(due, zone)
    elif base is not None:
        # Another zone (e.g. WIB to WIT): the due time keeps its local time (16.00 stays 16.00).
        kept = base.due_at.astimezone(ZoneInfo(timezone_for(base.region_code)))
        due_at = local_instant(kept.date(), kept.time(), zone)
    else:
        raise _fail("--due wajib diisi. Contoh: --due 2027-01-27T16:00")
    role_names = tuple(r.strip().lower() for r in roles.split(",") if r.strip()) if roles else ()
    if roles is not None and not role_names:
        raise _fail(
            f"--roles {roles!r}: tulis peran yang diingatkan, dipisah koma. "
            "Contoh: --roles operator,peratin"
        )
    unknown = [r for r in role_names if r not in DEADLINE_ROLES]
    if unknown:
        raise _fail(
            f"Peran {', '.join(unknown)} tidak dikenal. Pilih dari: {', '.join(DEADLINE_ROLES)}. "
            "Contoh: --roles operator,peratin"
        )
    days = parse_offsets(offsets) if offsets is not None else None
    if offsets is not None and days is None:
        raise _fail(f"--offsets {offsets}: {t('dlf_offsets_invalid')}")
    remind = parse_time_of_day(at) if at is not None else None
    if at is not None and remind is None:
        raise _fail(f"--at {at}: {t('dlf_time_invalid')}")
    if remind is not None and quiet.contains(remind):
        raise _fail(f"--at {at}: jam itu termasuk jam tenang ({quiet}). Contoh: --at 08:00")
    end = parse_date(until) if until else None
    if until and end is None:
        raise _missing_date("--until", until) or _fail(
            f"--until {until} tidak dikenali. Contoh: --until 2027-12-31"
        )
    recurrence = base.recurrence if base else None
    if once:
        recurrence = None
    local = due_at.astimezone(ZoneInfo(zone))
    if every_month is not None:
        recurrence = Recurrence(every_month, recurrence.until if recurrence else None)
        if not day_matches(due_at, zone, recurrence):
            first = aligned_example(local, every_month)
            raise _fail(
                f"--every-month {every_month} tidak cocok dengan batas pertama "
                f"{local:%Y-%m-%d} (tanggal {local.day}). Samakan tanggalnya. Contoh: "
                f"--due {first:%Y-%m-%dT%H:%M} --every-month {every_month}"
            )
    elif recurrence is not None and due is not None and not day_matches(due_at, zone, recurrence):
        recurrence = Recurrence(local.day, recurrence.until)  # the day follows the new date
    if end is not None:
        if recurrence is None:
            raise _fail(
                "--until hanya untuk tenggat bulanan. Contoh: --every-month 17 --until 2027-12-31"
            )
        recurrence = Recurrence(recurrence.day, end)
    return Draft(
        title=title if title is not None else (base.title if base else ""),
        due_at=due_at,
        region_code=region_code,
        roles=role_names or (base.roles if base else ()),
        offsets=days or (base.offsets if base else DEFAULT_OFFSETS),
        remind_time=remind or (base.remind_time if base else DEFAULT_REMIND_TIME),
        recurrence=recurrence,
        note=note if note is not None else (base.note if base else ""),
    )


async def _check_draft(
    uow: UnitOfWork, draft: Draft, now: datetime, before: DeadlineRecord | None = None
) -> None:
    errors = problems(draft, now, "id", before=before)
    if await uow.regions.get(draft.region_code) is None:
        code = draft.region_code
        errors.append(f"Wilayah {code} belum ada. Muat dulu: kawal region load {code}")
    if errors:
        raise _fail("\n".join(errors))


def _describe(deadline: DeadlineRecord, now: datetime) -> str:
    zone = zone_of(deadline)
    previous, upcoming = occurrences_around(deadline, now)
    occurrence = upcoming or previous
    when = when_text(occurrence.due, zone, "id") if occurrence else "-"
    relative = relative_day(now, occurrence.due, zone, "id") if occurrence else ""
    repeat = repeat_text(recurrence_of(deadline), "id")
    state = " [dibatalkan]" if deadline.cancelled_at else ""
    return (
        f"#{deadline.id} {deadline.title}{state}\n"
        f"    batas {when} ({relative}); berulang: {repeat}\n"
        f"    wilayah {deadline.region_code}; untuk {', '.join(deadline.roles)}; "
        f"pengingat {Draft.of(deadline).reminders_text('id')} pukul {deadline.remind_time}"
    )


@deadline_app.command("add")
def deadline_add(
    title: Annotated[str, typer.Argument(help='What is due, e.g. "Ekspor DTKS"')],
    due: DueOption = None,
    region: RegionOption = None,
    roles: RolesOption = "operator,peratin",
    offsets: OffsetsOption = None,
    at: AtOption = None,
    every_month: EveryMonthOption = None,
    until: UntilOption = None,
    note: NoteOption = None,
    db: DbOption = None,
) -> None:
    """Add a deadline, e.g. kawal deadline add "Ekspor DTKS" --due 2027-01-27T16:00
    --region 18.04 --roles operator,peratin."""
    settings = _settings(db)
    if region is None:
        raise _fail("--region wajib diisi. Contoh: --region 18.04")
    draft = _draft(
        None,
        title=title,
        due=due,
        region=region,
        roles=roles,
        offsets=offsets,
        at=at,
        every_month=every_month,
        once=False,
        until=until,
        note=note,
        quiet=settings.quiet,
    )
    now = datetime.now(UTC)

    async def work(database: Database) -> str:
        async with database.unit_of_work() as uow:
            await _check_draft(uow, draft, now)
            deadline_id = await create_deadline(uow, draft, by=None, channel="cli", now=now)
            deadline = await uow.deadlines.get(deadline_id)
        assert deadline is not None  # noqa: S101 - created just above
        return _describe(deadline, now)

    typer.echo("Tenggat tersimpan:\n" + _run(lambda: _with_db(settings, work)))


@deadline_app.command("list")
def deadline_list(
    region: Annotated[str | None, typer.Option(help="Only deadlines of this region")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also cancelled and long past")] = False,
    db: DbOption = None,
) -> None:
    """List deadlines with their next due time and how their reminders went."""
    settings = _settings(db)
    now = datetime.now(UTC)
    if region is not None:
        _zone(region)

    async def work(database: Database) -> list[str]:
        async with database.unit_of_work() as uow:
            if region:
                found = await uow.deadlines.overlapping(
                    region, since=None if show_all else now - RECENT, cancelled=show_all
                )
            else:
                found = await uow.deadlines.all(cancelled=show_all)
                if not show_all:
                    found = [d for d in found if any(occurrences_around(d, now))]
            lines = []
            for deadline in found:
                counts = await uow.outbox.count_by_status(campaign_prefix(deadline.id))
                sent = sum(counts.get(s, 0) for s in ("sent", "delivered", "read"))
                waiting = sum(counts.get(s, 0) for s in ("pending", "sending"))
                stats = f"pesan: {sent} terkirim, {waiting} menunggu"
                lines.append(f"{_describe(deadline, now)}\n    {stats}")
        return lines

    lines = _run(lambda: _with_db(settings, work))
    typer.echo("\n".join(lines) if lines else "Belum ada tenggat.")


@deadline_app.command("edit")
def deadline_edit(
    deadline_id: Annotated[int, typer.Argument(help="Deadline number, from kawal deadline list")],
    title: Annotated[str | None, typer.Option(help="New title")] = None,
    due: DueOption = None,
    region: Annotated[
        str | None,
        typer.Option(
            help="Region code, e.g. 18.04.19. Into another time zone without --due, the due "
            "time keeps its local time: 16:00 WIB becomes 16:00 WIT"
        ),
    ] = None,
    roles: RolesOption = None,
    offsets: OffsetsOption = None,
    at: AtOption = None,
    every_month: EveryMonthOption = None,
    once: Annotated[bool, typer.Option("--once", help="No longer repeat monthly")] = False,
    until: UntilOption = None,
    note: NoteOption = None,
    db: DbOption = None,
) -> None:
    """Change a deadline: pending reminders of the old plan are cancelled and planned again."""
    settings = _settings(db)
    now = datetime.now(UTC)

    async def work(database: Database) -> str:
        async with database.unit_of_work() as uow:
            current = await uow.deadlines.get(deadline_id, lock=True)
            if current is None or not current.active:
                raise _fail(f"Tenggat #{deadline_id} tidak ada atau sudah dibatalkan.")
            base = Draft.of(current)  # its first due date stays unless --due is given
            draft = _draft(
                base,
                title=title,
                due=due,
                region=region,
                roles=roles,
                offsets=offsets,
                at=at,
                every_month=every_month,
                once=once,
                until=until,
                note=note,
                quiet=settings.quiet,
            )
            await _check_draft(uow, draft, now, before=current)
            await update_deadline(uow, deadline_id, draft, by=None, channel="cli", now=now)
            deadline = await uow.deadlines.get(deadline_id)
        assert deadline is not None  # noqa: S101 - updated just above
        return _describe(deadline, now)

    typer.echo("Tenggat diperbarui:\n" + _run(lambda: _with_db(settings, work)))


@deadline_app.command("cancel")
def deadline_cancel(
    deadline_id: Annotated[int, typer.Argument(help="Deadline number, from kawal deadline list")],
    db: DbOption = None,
) -> None:
    """Cancel a deadline: no more reminders; whoever got one for the coming date is told."""
    settings = _settings(db)
    now = datetime.now(UTC)

    async def work(database: Database) -> DeadlineRecord | None:
        async with database.unit_of_work() as uow:
            return await cancel_deadline(
                uow, deadline_id, by=None, channel="cli", now=now, quiet=settings.quiet
            )

    deadline = _run(lambda: _with_db(settings, work))
    if deadline is None:
        raise _fail(f"Tenggat #{deadline_id} tidak ada atau sudah dibatalkan.")
    typer.echo(f"Tenggat #{deadline.id} {deadline.title} dibatalkan.")


def main() -> None:  # pragma: no cover - the console script entry is ``app``
    app()


# ---- announcements ---------------------------------------------------------------------------

announcement_app = typer.Typer(help="Announcements from Dinsos: reports.", no_args_is_help=True)
app.add_typer(announcement_app, name="announcement")
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png"})


def _keep_media(source: Path, data_dir: Path) -> tuple[str, str]:
    """Copy an attachment under the data folder (the outbox sends it later); (path, kind)."""
    if not source.is_file():
        raise _fail(f"Lampiran {source} tidak ditemukan. Contoh: --media surat-edaran.pdf")
    if source.stat().st_size > 20 * 1024 * 1024:
        raise _fail(f"Lampiran {source.name} lebih dari 20 MB: perkecil atau pecah filenya.")
    folder = data_dir / "media" / "announcements"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    target = folder / f"{stamp}-{source.name}"
    target.write_bytes(source.read_bytes())
    kind = "photo" if source.suffix.lower() in PHOTO_SUFFIXES else "document"
    return str(target.resolve()), kind


@app.command("announce")
def announce(
    region: Annotated[
        list[str], typer.Option(help="Region code; repeat for several: --region 18.04.10")
    ],
    text_file: Annotated[Path, typer.Option(help="The announcement text (UTF-8), e.g. notice.txt")],
    roles: Annotated[
        str, typer.Option(help="Who gets it: operator, peratin, camat, e.g. operator,peratin")
    ] = "operator",
    at: Annotated[
        str | None,
        typer.Option("--at", help="Send later, local time of the first region: 2026-12-01T08:00"),
    ] = None,
    media: Annotated[
        Path | None, typer.Option(help="A photo (jpg/png) or document sent with it")
    ] = None,
    nudge_hours: Annotated[
        int | None, typer.Option(help="Nudge who has not confirmed after this many hours; 0: no")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before sending")] = False,
    db: DbOption = None,
) -> None:
    """Send an announcement, e.g. kawal announce --region 18.04 --roles operator
    --text-file notice.txt [--at 2026-12-01T08:00]."""
    settings = _settings(db)
    codes = tuple(dict.fromkeys(c.strip() for c in region if c.strip()))
    bad = [c for c in codes if not is_region_code(c)]
    if bad or not codes:
        raise _fail(
            f"Kode wilayah {', '.join(bad) or '(kosong)'} tidak sah. Contoh: --region 18.04"
        )
    try:
        text = text_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"Tidak bisa membaca {text_file}: {exc}. Simpan sebagai teks UTF-8.") from exc
    role_names = tuple(r.strip().lower() for r in roles.split(",") if r.strip())
    scheduled = None
    if at is not None:
        parsed = parse_date_time(at)
        if parsed is None or parsed[1] is None:
            raise _fail(f"--at {at} tidak dikenali. Contoh: --at 2026-12-01T08:00")
        scheduled = local_instant(parsed[0], parsed[1], timezone_for(codes[0]))
    media_path, media_kind = (None, None)
    draft = announcements.Draft(
        text=text,
        region_codes=codes,
        roles=role_names,
        scheduled_at=scheduled,
        nudge_after_hours=(
            settings.announcement_nudge_hours if nudge_hours is None else nudge_hours
        ),
    )
    now = datetime.now(UTC)

    async def preview(database: Database) -> tuple[list[str], list[str]]:
        async with database.unit_of_work() as uow:
            check = replace(draft, media_path=str(media) if media else None, media_kind="document")
            errors = await announcements.problems(uow, check, codes, now, "id")
            found = await announcements.audience(uow, codes, role_names)
            return errors, announcements.preview_lines(found, "id")

    errors, lines = _run(lambda: _with_db(settings, preview))
    if errors:
        raise _fail("\n".join(errors))
    typer.echo("\n".join(lines))
    when = when_text(scheduled, timezone_for(codes[0]), "id") if scheduled else "sekarang"
    typer.echo(f"Dikirim: {when}")
    if not yes and not typer.confirm("Kirim pengumuman ini?", default=False):
        raise typer.Exit(code=1)
    if media is not None:
        media_path, media_kind = _keep_media(media, settings.data_dir)
    draft = replace(draft, media_path=media_path, media_kind=media_kind)

    async def work(database: Database) -> tuple[int, int]:
        async with database.unit_of_work() as uow:
            announcement_id = await announcements.create(
                uow, draft, by=None, channel="cli", now=now, quiet=settings.quiet
            )
            queued = len(await uow.outbox.people_of(announcements.campaign(announcement_id)))
        return announcement_id, queued

    announcement_id, queued = _run(lambda: _with_db(settings, work))
    if scheduled and scheduled > now:
        typer.echo(f"Pengumuman #{announcement_id} dijadwalkan; `kawal run` mengirimnya.")
    else:
        typer.echo(f"Pengumuman #{announcement_id}: {queued} pesan antre; `kawal run` mengirimnya.")


@announcement_app.command("list")
def announcement_list(db: DbOption = None) -> None:
    """The newest announcements with their counts."""
    settings = _settings(db)

    async def work(database: Database) -> list[str]:
        lines = []
        async with database.unit_of_work() as uow:
            for record in await uow.announcements.recent(limit=50):
                found = await announcements.report(uow, record.id)
                assert found is not None  # noqa: S101 - just listed
                zone = timezone_for(record.region_codes[0])
                total = found.overall
                lines.append(
                    f"#{record.id} {when_text(record.scheduled_at, zone, 'id')} "
                    f"[{t('ann_status_' + record.status)}] {', '.join(record.region_codes)} "
                    f"{','.join(record.roles)}\n    penerima {total.total}, terkirim {total.sent}, "
                    f"gagal {total.failed}, paham {total.acknowledged}"
                )
        return lines

    lines = _run(lambda: _with_db(settings, work))
    typer.echo("\n".join(lines) if lines else "Belum ada pengumuman.")


@announcement_app.command("report")
def announcement_report(
    announcement_id: Annotated[int, typer.Argument(help="The announcement's number")],
    xlsx: Annotated[
        Path | None, typer.Option(help="Also write every recipient to this XLSX file")
    ] = None,
    db: DbOption = None,
) -> None:
    """The report Dinsos sees, with everyone who has not confirmed yet."""
    settings = _settings(db)

    async def work(database: Database) -> announcements.Report | None:
        async with database.unit_of_work() as uow:
            return await announcements.report(uow, announcement_id)

    found = _run(lambda: _with_db(settings, work))
    if found is None:
        raise _fail(f"Pengumuman #{announcement_id} tidak ada. Lihat: kawal announcement list")
    typer.echo(announcements.report_text(found, "id", people=100_000))
    if xlsx is not None:
        write_sheets(xlsx, announcements.report_sheets(found, "id"))
        typer.echo(f"Ditulis: {xlsx}")


@announcement_app.command("cancel")
def announcement_cancel(
    announcement_id: Annotated[int, typer.Argument(help="The announcement's number")],
    db: DbOption = None,
) -> None:
    """Cancel a scheduled announcement before it goes out."""
    settings = _settings(db)

    async def work(database: Database) -> bool:
        async with database.unit_of_work() as uow:
            record = await uow.announcements.get(announcement_id)
            if record is None:
                return False
            return await announcements.cancel(
                uow, record, by=None, channel="cli", now=datetime.now(UTC)
            )

    if not _run(lambda: _with_db(settings, work)):
        raise _fail(f"Pengumuman #{announcement_id} tidak ada atau sudah dikirim.")
    typer.echo(f"Pengumuman #{announcement_id} dibatalkan.")
