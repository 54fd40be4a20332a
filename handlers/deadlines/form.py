"""The Dinsos form for creating and editing a deadline, one question at a time, and the
``dl:`` buttons of the deadline view (new, manage, edit, cancel).

The form is a form session (``form_id`` ``tenggat``) whose ``state`` is
``{"stage": "deadline", "mode": "new" | "edit", "deadline_id", "step", "review", "values"}``.
Every answer is checked at once, with an example in the error; BATAL stops, KEMBALI goes one
question back, LEWATI skips an optional question. A review lists the answers by number: type a
number to change one, SIMPAN to save. Dinsos may only choose regions inside its own kabupaten.
Every answer (and LANJUT) checks that the person still holds a Dinsos or admin role, and for an
edit, one over the deadline's region; when not, the form closes (``interrupted``) unsaved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import missing_date, parse_date, parse_date_time, parse_time_of_day
from flows.regions import is_region_code, region_label, timezone_for, zone_abbreviation
from handlers.deadlines import view as deadlines
from handlers.deadlines.view import DEADLINE_ROLES, MANAGER_ROLES, PAYLOAD_PREFIX, Draft
from handlers.kit import menu
from handlers.kit.context import Turn
from handlers.kit.dates import date_text, when_text
from handlers.kit.i18n import t
from handlers.kit.timing import (
    DEFAULT_OFFSETS,
    DEFAULT_REMIND_TIME,
    Occurrence,
    QuietHours,
    Recurrence,
    format_time,
    local_instant,
    parse_offsets,
)
from handlers.messages import Inbound, InboundKind, Option, Outbound, Question, Reply, Text, Tone
from storage.records import FormSessionRecord, RegionRecord

FORM_ID = "tenggat"
FORM_VERSION = 1
STAGE = "deadline"
ANSWER_PREFIX = "dlf:"
STEPS = ("title", "due", "repeat", "until", "region", "roles", "offsets", "time", "note")
# The review's numbered lines, in order, and the question each one changes.
REVIEW_STEPS = ("title", "due", "repeat", "region", "roles", "offsets", "time", "note")

_REQUIRED = frozenset({"title", "due", "repeat", "region", "roles"})
_CANCEL = frozenset({"batal", "cancel"})
_BACK = frozenset({"kembali", "back"})
_SKIP = frozenset({"lewati", "skip", "-"})
_SAVE = frozenset({"simpan", "save"})
_ONCE = frozenset({"sekali", "sekali saja", "tidak", "once", "no"})
_MONTHLY = frozenset({"bulanan", "setiap bulan", "tiap bulan", "monthly", "ya", "yes"})


def is_payload(inbound: Inbound) -> bool:
    return inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX)


def is_form(record: FormSessionRecord) -> bool:
    return record.form_id == FORM_ID and record.state.get("stage") == STAGE


# ---- the dl: buttons ---------------------------------------------------------------------------


async def route(turn: Turn, open_session: FormSessionRecord | None, quiet: QuietHours) -> Reply:
    """A ``dl:`` button of the deadline view (``quiet``: when a cancellation notice may go)."""
    action, _, arg = turn.inbound.payload.removeprefix(PAYLOAD_PREFIX).partition(":")
    if not turn.roles(*MANAGER_ROLES):
        return Reply([Text(t("dlf_not_allowed", turn.lang), Tone.ERROR)])
    deadline_id = int(arg) if arg.isdigit() else 0
    if action in ("new", "edit") and open_session is not None:
        title = t("dlf_form_name", turn.lang) if is_form(open_session) else open_session.form_id
        return Reply([Text(t("form_open_elsewhere", turn.lang, form=title), Tone.WARNING)])
    match action:
        case "new":
            return await start_new(turn)
        case "edit":
            return await start_edit(turn, deadline_id)
        case "manage":
            return await deadlines.manage(turn, deadline_id)
        case "cancel":
            return await deadlines.confirm_cancel(turn, deadline_id)
        case "cancel-yes":
            return await deadlines.do_cancel(turn, deadline_id, quiet)
    return await deadlines.show(turn)


async def start_new(turn: Turn) -> Reply:
    state: dict[str, Any] = {
        "stage": STAGE,
        "mode": "new",
        "deadline_id": None,
        "step": "title",
        "review": False,
        "values": {
            "roles": ["operator", "peratin"],
            "offsets": list(DEFAULT_OFFSETS),
            "remind_time": format_time(DEFAULT_REMIND_TIME),
            "note": "",
            "until": None,
            "repeat": False,
        },
    }
    await _create(turn, state)
    return Reply([Text(t("dlf_intro_new", turn.lang)), *await _prompt(turn, state)])


async def start_edit(turn: Turn, deadline_id: int) -> Reply:
    deadline = await deadlines.managed_deadline(turn, deadline_id)
    if deadline is None:
        return deadlines.not_found(turn)
    previous, upcoming = deadlines.occurrences_around(deadline, turn.now)
    due = (upcoming or previous or Occurrence(deadline.due_at, "")).due
    zone = deadlines.zone_of(deadline)
    recurrence = deadlines.recurrence_of(deadline)
    shown = due.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
    state: dict[str, Any] = {
        "stage": STAGE,
        "mode": "edit",
        "deadline_id": deadline.id,
        "step": "review",
        "review": True,
        "values": {
            "title": deadline.title,
            # The next occurrence is shown and edited; while it is not changed, the deadline
            # keeps its first due time, so the occurrences before (and their escalations) stay.
            "due_local": shown,
            "due_shown": shown,
            "first_due": deadline.due_at.isoformat(),
            "repeat": recurrence is not None,
            "day": recurrence.day if recurrence else due.astimezone(ZoneInfo(zone)).day,
            "until": recurrence.until.isoformat() if recurrence and recurrence.until else None,
            "region_code": deadline.region_code,
            "roles": list(deadline.roles),
            "offsets": list(deadline.offsets),
            "remind_time": deadline.remind_time,
            "note": deadline.note,
        },
    }
    await _create(turn, state)
    head = Text(t("dlf_intro_edit", turn.lang, id=deadline.id, title=deadline.title))
    return Reply([head, *await _prompt(turn, state)])


async def _create(turn: Turn, state: dict[str, Any]) -> None:
    await turn.uow.sessions.create(
        turn.me.person_id,
        FORM_ID,
        FORM_VERSION,
        None,
        state,
        turn.inbound.channel.value,
        turn.now,
    )


# ---- answering -----------------------------------------------------------------------------------


async def resume(turn: Turn, record: FormSessionRecord) -> Reply:
    """LANJUT: the current question again."""
    if (ended := await _access_ended(turn, record)) is not None:
        return ended
    head = Text(t("form_resume", turn.lang, form=t("dlf_form_name", turn.lang)))
    return Reply([head, *await _prompt(turn, dict(record.state))])


async def answer(turn: Turn, record: FormSessionRecord, quiet: QuietHours) -> Reply:
    """One answer to the open deadline form."""
    if (ended := await _access_ended(turn, record)) is not None:  # revoked meanwhile
        return ended
    state = {**record.state, "values": dict(record.state.get("values", {}))}
    step = str(state.get("step", "title"))
    raw, word = _raw(turn)
    if word in _CANCEL or raw == ANSWER_PREFIX + "cancel":
        await _close(turn, record, "cancelled")
        reply = Reply([Text(t("dlf_cancelled", turn.lang))])
        reply.messages.extend((await menu.show(turn)).messages)
        return reply
    if word in _BACK and step != "review":
        _go_back(state, step)
        await _save(turn, record, state)
        return Reply(await _prompt(turn, state))
    if step == "review":
        return await _review_answer(turn, record, state, raw, word)
    error = await _accept(turn, state, step, raw, word, quiet)
    if error is not None:
        return Reply([Text(error, Tone.ERROR), *await _prompt(turn, state)])
    state["step"] = _next(state, step)
    await _save(turn, record, state)
    return Reply(await _prompt(turn, state))


async def _access_ended(turn: Turn, record: FormSessionRecord) -> Reply | None:
    """None while the person may go on with the form: a Dinsos or admin role, and for an edit
    one over the deadline's region (a deadline cancelled meanwhile is told at saving). Else
    the form is closed (``interrupted``, nothing saved) and the reply says so, then the menu."""
    state = record.state
    region = (state.get("values") or {}).get("region_code")
    if turn.roles(*MANAGER_ROLES):
        if state.get("mode") != "edit":
            return None
        deadline = await turn.uow.deadlines.get(int(state.get("deadline_id") or 0))
        if deadline is None or turn.in_scope(deadline.region_code, *MANAGER_ROLES):
            return None
        region = deadline.region_code
    await turn.uow.sessions.finish(record.id, "interrupted", turn.inbound.channel.value, turn.now)
    found = await turn.uow.regions.get(region) if isinstance(region, str) else None
    if found is not None:
        label = region_label(found.code, found.name, found.kind)
        text = t("form_access_ended", turn.lang, region=label)
    else:
        text = t("form_access_ended_any", turn.lang)
    reply = Reply([Text(text, Tone.WARNING)])
    reply.messages.extend((await menu.show(turn)).messages)
    return reply


def _raw(turn: Turn) -> tuple[str, str]:
    inbound = turn.inbound
    raw = inbound.payload if inbound.kind is InboundKind.CHOICE else inbound.text
    raw = raw.strip()
    return raw, " ".join(raw.lower().split())


def _next(state: dict[str, Any], step: str) -> str:
    if state.get("review"):
        if step == "repeat" and state["values"].get("repeat"):
            return "until"
        return "review"
    index = STEPS.index(step) + 1
    if index < len(STEPS) and STEPS[index] == "until" and not state["values"].get("repeat"):
        index += 1
    return STEPS[index] if index < len(STEPS) else "review"


def _go_back(state: dict[str, Any], step: str) -> None:
    if state.get("review"):
        state["step"] = "review"
        return
    index = max(STEPS.index(step) - 1, 0)
    if STEPS[index] == "until" and not state["values"].get("repeat"):
        index -= 1
    state["step"] = STEPS[index]


async def _accept(
    turn: Turn, state: dict[str, Any], step: str, raw: str, word: str, quiet: QuietHours
) -> str | None:
    """Store the answer to ``step`` in ``state``; the error (with an example) if it is wrong."""
    values, lang = state["values"], turn.lang
    skip = word in _SKIP or raw == ANSWER_PREFIX + "skip"
    default = raw == ANSWER_PREFIX + "default"
    if skip and step in _REQUIRED:
        return t("dlf_required", lang)
    match step:
        case "title":
            if not 3 <= len(raw) <= deadlines.TITLE_MAX or raw.startswith(ANSWER_PREFIX):
                return t("dlf_title_invalid", lang)
            values["title"] = " ".join(raw.split())
        case "due":
            return _accept_due(turn, values, raw)
        case "repeat":
            if word in ("1", *_ONCE) or raw == ANSWER_PREFIX + "once":
                values["repeat"], values["until"] = False, None
            elif word in ("2", *_MONTHLY) or raw == ANSWER_PREFIX + "monthly":
                values["repeat"] = True
            else:
                return t("dlf_repeat_invalid", lang)
        case "until":
            if skip:
                values["until"] = None
                return None
            until = parse_date(raw)
            if until is None:
                missing = missing_date(raw)
                if missing is not None:
                    return deadlines.missing_date_text(missing, lang)
                return t("dlf_until_invalid", lang)
            first = dt.date.fromisoformat(values["due_local"][:10])
            if until < first:
                return t("dlf_until_before", lang, date=date_text(first, lang))
            values["until"] = until.isoformat()
        case "region":
            return await _accept_region(turn, values, raw)
        case "roles":
            roles = _roles(raw)
            if not roles:
                return t("dlf_roles_invalid", lang)
            values["roles"] = roles
        case "offsets":
            if skip or default:
                return None
            offsets = parse_offsets(raw)
            if offsets is None:
                return t("dlf_offsets_invalid", lang)
            values["offsets"] = list(offsets)
        case "time":
            if skip or default:
                return None
            time = parse_time_of_day(raw)
            if time is None:
                return t("dlf_time_invalid", lang)
            if quiet.contains(time):
                return t("dlf_time_quiet", lang, time=_dotted(time), quiet=_quiet_text(quiet))
            values["remind_time"] = format_time(time)
        case "note":
            if skip:
                values["note"] = ""
                return None
            if len(raw) > deadlines.NOTE_MAX:
                return t("dlf_note_invalid", lang)
            values["note"] = raw
    return None


def _accept_due(turn: Turn, values: dict[str, Any], raw: str) -> str | None:
    lang = turn.lang
    parsed = parse_date_time(raw)
    if parsed is None:
        missing = missing_date(raw)
        if missing is not None:
            return deadlines.missing_date_text(missing, lang, time="16.00")
        return t("dlf_due_invalid", lang)
    date, time = parsed
    if time is None:
        return t("dlf_due_no_time", lang, date=date.strftime("%d-%m-%Y"))
    zone = _form_zone(turn, values)
    if local_instant(date, time, zone) <= turn.now:
        return t("dlf_due_past", lang, now=when_text(turn.now, zone, lang))
    shown = values.get("due_shown")
    values["due_local"] = f"{date.isoformat()}T{format_time(time)}"
    if not (shown and shown[:10] == date.isoformat()):
        values["day"] = date.day  # a monthly deadline repeats on the new date's day
    until = values.get("until")
    if until and dt.date.fromisoformat(until) < date:
        values["until"] = None
    return None


def _form_zone(turn: Turn, values: dict[str, Any]) -> str:
    """Local time of the chosen region, or of the manager's own region before one is chosen
    (a kabupaten lies in one province, so in one zone)."""
    code = values.get("region_code") or turn.roles(*MANAGER_ROLES)[0].region_code
    return timezone_for(code)


def _roles(raw: str) -> list[str]:
    """``1,2``, ``operator, peratin`` or one role's payload; [] when anything is unknown."""
    if raw in DEADLINE_ROLES:
        return [raw]
    picked: set[str] = set()
    for token in (x.strip().lower() for x in raw.replace(";", ",").replace(" ", ",").split(",")):
        if not token:
            continue
        if token.isdigit() and 1 <= int(token) <= len(DEADLINE_ROLES):
            picked.add(DEADLINE_ROLES[int(token) - 1])
        elif token in DEADLINE_ROLES:
            picked.add(token)
        elif token in ("kades", "kepala", "desa", "pekon"):
            picked.add("peratin")
        else:
            return []
    return [r for r in DEADLINE_ROLES if r in picked]


async def _region_options(turn: Turn) -> list[RegionRecord]:
    """The manager's regions, each followed by its kecamatan."""
    options: list[RegionRecord] = []
    for role in turn.roles(*MANAGER_ROLES):
        region = await turn.uow.regions.get(role.region_code)
        if region is None or any(r.code == region.code for r in options):
            continue
        options.append(region)
        options += await turn.uow.regions.children(region.code)
    return options


async def _accept_region(turn: Turn, values: dict[str, Any], raw: str) -> str | None:
    options = await _region_options(turn)
    text = raw.removeprefix(ANSWER_PREFIX + "region:").strip()
    chosen: RegionRecord | None = None
    if text.isdigit() and 1 <= int(text) <= len(options) and len(text) <= 3:
        chosen = options[int(text) - 1]
    elif is_region_code(text):
        chosen = await turn.uow.regions.get(text)
    else:
        chosen = await _region_by_name(turn, text)
    if chosen is None or not turn.in_scope(chosen.code, *MANAGER_ROLES):
        example = _region_example(options)
        return t("dlf_region_invalid", turn.lang, text=text[:40], example=example)
    values["region_code"] = chosen.code
    return None


def _region_example(options: list[RegionRecord]) -> str:
    """A code to type, the same in the question and in its errors: the first kecamatan."""
    return options[1].code if len(options) > 1 else (options[0].code if options else "18.04.19")


async def _region_by_name(turn: Turn, text: str) -> RegionRecord | None:
    """A kecamatan or village of the manager's regions named ``text`` ("Air Hitam",
    "Kec. Air Hitam", "Pekon Sri Menanti"), when exactly one matches."""
    wanted = " ".join(text.lower().split())
    if len(wanted) < 3:
        return None
    found: list[RegionRecord] = []
    for role in turn.roles(*MANAGER_ROLES):
        for region in await turn.uow.regions.within(role.region_code):
            names = {
                region.name.lower(),
                region_label(region.code, region.name, region.kind).lower(),
            }
            if wanted in names:
                found.append(region)
    return found[0] if len(found) == 1 else None


async def _review_answer(
    turn: Turn,
    record: FormSessionRecord,
    state: dict[str, Any],
    raw: str,
    word: str,
) -> Reply:
    if word in _SAVE or raw == ANSWER_PREFIX + "save":
        return await _save_deadline(turn, record, state)
    if word.isdigit() and 1 <= int(word) <= len(REVIEW_STEPS):
        state["step"] = REVIEW_STEPS[int(word) - 1]
        state["review"] = True
        await _save(turn, record, state)
        return Reply(await _prompt(turn, state))
    error = t("dlf_review_invalid", turn.lang, n=len(REVIEW_STEPS))
    return Reply([Text(error, Tone.ERROR), *await _prompt(turn, state)])


def draft_of(values: dict[str, Any]) -> Draft:
    zone = timezone_for(values["region_code"])
    local = dt.datetime.fromisoformat(values["due_local"])
    due = local_instant(local.date(), local.time(), zone)
    first = values.get("first_due")
    if first and values["due_local"] == values.get("due_shown"):
        due = dt.datetime.fromisoformat(first)  # not changed: the first due time stays
        # (a kabupaten lies in one province, so every region the form offers has its zone)
    recurrence = None
    if values.get("repeat"):
        until = values.get("until")
        day = int(values.get("day") or local.day)
        recurrence = Recurrence(day, dt.date.fromisoformat(until) if until else None)
    return Draft(
        title=values["title"],
        due_at=due,
        region_code=values["region_code"],
        roles=tuple(values["roles"]),
        offsets=tuple(values["offsets"]),
        remind_time=parse_time_of_day(values["remind_time"]) or DEFAULT_REMIND_TIME,
        recurrence=recurrence,
        note=values.get("note", ""),
    )


async def _save_deadline(turn: Turn, record: FormSessionRecord, state: dict[str, Any]) -> Reply:
    draft = draft_of(state["values"])
    before = None
    if state.get("mode") == "edit":
        before = await turn.uow.deadlines.get(int(state["deadline_id"]))
    errors = deadlines.problems(draft, turn.now, turn.lang, before=before)
    if not turn.in_scope(draft.region_code, *MANAGER_ROLES):
        example = _region_example(await _region_options(turn))
        errors.append(t("dlf_region_invalid", turn.lang, text=draft.region_code, example=example))
    if errors:
        return Reply([Text("\n".join(errors), Tone.ERROR), *await _prompt(turn, state)])
    channel = turn.inbound.channel.value
    lang = turn.lang
    if state.get("mode") == "edit":
        revision = await deadlines.update(
            turn.uow,
            int(state["deadline_id"]),
            draft,
            by=turn.me.person_id,
            channel=channel,
            now=turn.now,
        )
        if revision is None:
            await _close(turn, record, "cancelled")
            return deadlines.not_found(turn)
        text = t("dlf_saved_edit", lang, title=draft.title)
    else:
        deadline_id = await deadlines.create(
            turn.uow, draft, by=turn.me.person_id, channel=channel, now=turn.now
        )
        text = t(
            "dlf_saved_new",
            lang,
            id=deadline_id,
            title=draft.title,
            offsets=draft.reminders_text(lang),
            time=_dotted(draft.remind_time),
        )
    await _close(turn, record, "completed")
    reply = Reply([Text(text, Tone.SUCCESS)])
    reply.messages.extend((await deadlines.show(turn)).messages)
    return reply


async def _save(turn: Turn, record: FormSessionRecord, state: dict[str, Any]) -> None:
    await turn.uow.sessions.save(record.id, "active", state, turn.inbound.channel.value, turn.now)


async def _close(turn: Turn, record: FormSessionRecord, status: str) -> None:
    await turn.uow.sessions.save(
        record.id, status, record.state, turn.inbound.channel.value, turn.now
    )


# ---- questions ---------------------------------------------------------------------------------


def _dotted(time: dt.time) -> str:
    return format_time(time).replace(":", ".")


def _quiet_text(quiet: QuietHours) -> str:
    return f"{_dotted(quiet.start)}–{_dotted(quiet.end)}"


def _choice(value: str) -> str:
    return ANSWER_PREFIX + value


async def _prompt(turn: Turn, state: dict[str, Any]) -> list[Outbound]:
    values, lang = state["values"], turn.lang
    step = state.get("step", "title")
    match step:
        case "title":
            return [Question(t("dlf_title", lang))]
        case "due":
            zone = _form_zone(turn, values)
            return [Question(t("dlf_due", lang, zone=zone_abbreviation(zone)))]
        case "repeat":
            day = int(values.get("day") or values["due_local"][8:10])
            repeat = (
                Option(_choice("once"), t("dlf_repeat_once", lang)),
                Option(_choice("monthly"), t("dlf_repeat_monthly", lang, day=day)),
            )
            return [Question(t("dlf_repeat", lang), repeat)]
        case "until":
            skip = (Option(_choice("skip"), t("dlf_until_none", lang)),)
            return [Question(t("dlf_until", lang), skip, numbered=False)]
        case "region":
            regions = await _region_options(turn)
            options = tuple(
                Option(
                    _choice("region:" + r.code),
                    t("dlf_region_all", lang, region=region_label(r.code, r.name, r.kind))
                    if r.level <= 2
                    else region_label(r.code, r.name, r.kind),
                )
                for r in regions
            )
            return [Question(t("dlf_region", lang, example=_region_example(regions)), options)]
        case "roles":
            roles = tuple(Option(r, t(f"role_{r}", lang)) for r in DEADLINE_ROLES)
            return [Question(t("dlf_roles", lang), roles, multi=True)]
        case "offsets":
            now = t("dlf_now", lang, value=deadlines.offsets_text(values["offsets"], lang))
            keep = (Option(_choice("default"), t("dlf_keep", lang)),)
            return [Question(f"{t('dlf_offsets', lang)}\n{now}", keep, numbered=False)]
        case "time":
            now = t("dlf_now", lang, value=values["remind_time"].replace(":", "."))
            keep = (Option(_choice("default"), t("dlf_keep", lang)),)
            return [Question(f"{t('dlf_time', lang)}\n{now}", keep, numbered=False)]
        case "note":
            skip = (Option(_choice("skip"), t("dlf_note_none", lang)),)
            return [Question(t("dlf_note", lang), skip, numbered=False)]
    return [await _review(turn, state)]


async def _review(turn: Turn, state: dict[str, Any]) -> Question:
    values, lang = state["values"], turn.lang
    draft = draft_of(values)
    region = await turn.uow.regions.get(draft.region_code)
    label = region_label(region.code, region.name, region.kind) if region else draft.region_code
    lines = deadlines.summary_lines(draft, label, lang, turn.now)
    numbered = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    options = (
        Option(_choice("save"), t("dlf_save", lang)),
        Option(_choice("cancel"), t("dlf_cancel", lang)),
    )
    return Question(t("dlf_review", lang, lines=numbered), options, numbered=False)
