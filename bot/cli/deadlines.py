"""``kawal``: Deadlines and their reminders."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import (
    DbOption,
    app,
    chat_form,
    fail,
    run_async,
    say,
    settings_for,
    with_db,
)
from flows import read_answer
from flows.dates import missing_date, parse_time_of_day
from flows.host_types import local_value
from flows.regions import is_region_code, timezone_for
from handlers.deadlines.model import (
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
from handlers.deadlines.model import cancel as cancel_deadline
from handlers.deadlines.model import create as create_deadline
from handlers.deadlines.model import update as update_deadline
from handlers.deadlines.saver import FORM_ID
from handlers.kit.dates import relative_day, when_text
from handlers.kit.timing import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    QuietHours,
    Recurrence,
    local_instant,
)
from locales.formats import month_name
from storage.db import Database, UnitOfWork
from storage.repos.deadlines import DeadlineRecord

deadline_app = typer.Typer(help="Deadlines and their reminders.", no_args_is_help=True)
app.add_typer(deadline_app, name="deadline")

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
    return fail(
        say(
            "date_missing",
            option=option,
            text=text,
            day=day,
            month=month_name(month, "id"),
            year=year,
            last=last,
            example=f"{year}-{month:02d}-{last:02d}{time}",
        )
    )


Wording = dict[str, Callable[[], typer.Exit | None]]


def _read(
    name: str,
    option: str,
    text: str,
    context: dict[str, Any],
    *,
    answers: dict[str, Any] | None = None,
    wording: Wording | None = None,
) -> Any:
    """The option's value read by the form's question ``name``; a refusal in the CLI's own
    words where it has some for the reason (they name the option), else the form's."""
    parsed = read_answer(chat_form(FORM_ID), name, text, context, answers=answers)
    if parsed.error is None:
        return parsed.value
    own = (wording or {}).get(parsed.reason)
    raise (own() if own else None) or fail(f"{option} {text}: {parsed.error}")


def _due(text: str, zone: str, now: datetime) -> datetime:
    def invalid() -> typer.Exit:
        return fail(say("due_invalid", text=text))

    value = _read(
        "due",
        "--due",
        text,
        {"zone": zone, "now": now.isoformat()},
        wording={
            "missing": lambda: _missing_date("--due", text, "T16:00"),
            "invalid": invalid,
            "no_time": invalid,
        },
    )
    local = local_value(value)
    if local is None:  # pragma: no cover - the question type stores a local date and time
        raise invalid()
    return local_instant(local.date(), local.time(), zone)


def _zone(region_code: str) -> str:
    """The time zone of ``region_code``, or a clear error with an example."""
    if not is_region_code(region_code):
        raise fail(say("deadline_region_invalid", code=region_code or say("empty")))
    try:
        return timezone_for(region_code)
    except ValueError:
        raise fail(
            say("deadline_province_unknown", code=region_code, province=region_code[:2])
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
    now: datetime,
) -> Draft:
    """A deadline from the command's options (over ``base`` when editing), each read by the
    question of the chat's form that asks for it."""
    region_code = region or (base.region_code if base else "")
    zone = _zone(region_code)
    if due is not None:
        due_at = _due(due, zone, now)
    elif base is not None:
        # Another zone (e.g. WIB to WIT): the due time keeps its local time (16.00 stays 16.00).
        kept = base.due_at.astimezone(ZoneInfo(timezone_for(base.region_code)))
        due_at = local_instant(kept.date(), kept.time(), zone)
    else:
        raise fail(say("due_required"))
    role_names: tuple[str, ...] = ()
    if roles is not None:
        typed = [r.strip().lower() for r in roles.split(",") if r.strip()]
        if not typed:
            raise fail(say("roles_empty", roles=repr(roles)))
        unknown = ", ".join(r for r in typed if r not in DEADLINE_ROLES)
        known = ", ".join(DEADLINE_ROLES)
        role_names = tuple(
            _read(
                "roles",
                "--roles",
                roles,
                {},
                wording={"invalid": lambda: fail(say("roles_unknown", roles=unknown, known=known))},
            )
        )
    days = tuple(_read("offsets", "--offsets", offsets, {})) if offsets is not None else None
    remind = None
    if at is not None:
        quiet_word: Wording = {"quiet": lambda: fail(say("at_quiet", at=at, quiet=quiet))}
        value = _read("time", "--at", at, {"quiet_hours": str(quiet)}, wording=quiet_word)
        remind = parse_time_of_day(value)
    end = None
    if until:
        shown = due_at.astimezone(ZoneInfo(zone))
        before = {"due": f"{shown:%Y-%m-%dT%H:%M}"}
        until_words: Wording = {
            "missing": lambda: _missing_date("--until", until),
            "invalid": lambda: fail(say("until_invalid", until=until)),
        }
        end = date.fromisoformat(
            _read("until", "--until", until, {}, answers=before, wording=until_words)
        )
    recurrence = base.recurrence if base else None
    if once:
        recurrence = None
    local = due_at.astimezone(ZoneInfo(zone))
    if every_month is not None:
        recurrence = Recurrence(every_month, recurrence.until if recurrence else None)
        if not day_matches(due_at, zone, recurrence):
            first = aligned_example(local, every_month)
            raise fail(
                say(
                    "every_month_mismatch",
                    day=every_month,
                    due=f"{local:%Y-%m-%d}",
                    due_day=local.day,
                    first=f"{first:%Y-%m-%dT%H:%M}",
                )
            )
    elif recurrence is not None and due is not None and not day_matches(due_at, zone, recurrence):
        recurrence = Recurrence(local.day, recurrence.until)  # the day follows the new date
    if end is not None:
        if recurrence is None:
            raise fail(say("until_monthly_only"))
        recurrence = Recurrence(recurrence.day, end)
    if title is not None:
        title = _read("title", "--title", title, {})
    if note is not None:
        note = _read("note", "--note", note, {})
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
        errors.append(say("region_missing", region=code))
    if errors:
        raise fail("\n".join(errors))


def _describe(deadline: DeadlineRecord, now: datetime) -> str:
    zone = zone_of(deadline)
    previous, upcoming = occurrences_around(deadline, now)
    occurrence = upcoming or previous
    when = when_text(occurrence.due, zone, "id") if occurrence else "-"
    relative = relative_day(now, occurrence.due, zone, "id") if occurrence else ""
    repeat = repeat_text(recurrence_of(deadline), "id")
    state = " " + say("deadline_cancelled_mark") if deadline.cancelled_at else ""
    due = say("deadline_due_line", when=when, relative=relative, repeat=repeat)
    scope = say(
        "deadline_scope_line",
        region=deadline.region_code,
        roles=", ".join(deadline.roles),
        reminders=Draft.of(deadline).reminders_text("id"),
        time=deadline.remind_time,
    )
    return f"#{deadline.id} {deadline.title}{state}\n    {due}\n    {scope}"


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
    settings = settings_for(db)
    if region is None:
        raise fail(say("region_required"))
    now = datetime.now(UTC)
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
        now=now,
    )

    async def work(database: Database) -> str:
        async with database.unit_of_work() as uow:
            await _check_draft(uow, draft, now)
            deadline_id = await create_deadline(uow, draft, by=None, channel="cli", now=now)
            deadline = await uow.deadlines.get(deadline_id)
        assert deadline is not None  # noqa: S101 - created just above
        return _describe(deadline, now)

    typer.echo(say("deadline_saved") + "\n" + run_async(lambda: with_db(settings, work)))


@deadline_app.command("list")
def deadline_list(
    region: Annotated[str | None, typer.Option(help="Only deadlines of this region")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Also cancelled and long past")] = False,
    db: DbOption = None,
) -> None:
    """List deadlines with their next due time and how their reminders went."""
    settings = settings_for(db)
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
                stats = say("deadline_messages", sent=sent, waiting=waiting)
                lines.append(f"{_describe(deadline, now)}\n    {stats}")
        return lines

    lines = run_async(lambda: with_db(settings, work))
    typer.echo("\n".join(lines) if lines else say("deadlines_none"))


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
    settings = settings_for(db)
    now = datetime.now(UTC)

    async def work(database: Database) -> str:
        async with database.unit_of_work() as uow:
            current = await uow.deadlines.get(deadline_id, lock=True)
            if current is None or not current.active:
                raise fail(say("deadline_not_found", id=deadline_id))
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
                now=now,
            )
            await _check_draft(uow, draft, now, before=current)
            await update_deadline(uow, deadline_id, draft, by=None, channel="cli", now=now)
            deadline = await uow.deadlines.get(deadline_id)
        assert deadline is not None  # noqa: S101 - updated just above
        return _describe(deadline, now)

    typer.echo(say("deadline_updated") + "\n" + run_async(lambda: with_db(settings, work)))


@deadline_app.command("cancel")
def deadline_cancel(
    deadline_id: Annotated[int, typer.Argument(help="Deadline number, from kawal deadline list")],
    db: DbOption = None,
) -> None:
    """Cancel a deadline: no more reminders; whoever got one for the coming date is told."""
    settings = settings_for(db)
    now = datetime.now(UTC)

    async def work(database: Database) -> DeadlineRecord | None:
        async with database.unit_of_work() as uow:
            return await cancel_deadline(
                uow, deadline_id, by=None, channel="cli", now=now, quiet=settings.quiet
            )

    deadline = run_async(lambda: with_db(settings, work))
    if deadline is None:
        raise fail(say("deadline_not_found", id=deadline_id))
    typer.echo(say("deadline_cancelled", id=deadline.id, title=deadline.title))
