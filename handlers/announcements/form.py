"""The Dinsos announcement composer: text (or a photo or document with its caption), regions,
roles, when; a preview with the message as recipients see it and how many it reaches; KIRIM.

The composer is a form session (``form_id`` ``pengumuman``) whose ``state`` is
``{"stage": "announcement", "step", "review", "quiet", "values"}``. Every answer is checked at
once, with an example in the error; BATAL stops, KEMBALI goes one question back, LEWATI keeps the
default where there is one. The preview lists the answers by number: type a number to change
one, KIRIM to send. Dinsos may only address regions inside its own kabupaten, and sending closes
the session in the same transaction that stores the announcement, so a second KIRIM finds
nothing open and sends nothing. Every answer (and LANJUT) checks that the person still holds a
Dinsos or admin role; when not, the composer closes (``interrupted``) and nothing is sent.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import parse_date_time
from flows.regions import is_region_code, region_label, timezone_for, zone_abbreviation
from handlers.announcements import view as announcements
from handlers.announcements.view import (
    ANNOUNCER_ROLES,
    AUDIENCE_ROLES,
    MAX_CAPTION,
    MAX_TEXT,
    Draft,
)
from handlers.kit import menu
from handlers.kit.context import Turn
from handlers.kit.dates import when_text
from handlers.kit.i18n import t, tn
from handlers.kit.timing import QuietHours, format_time, local_instant
from handlers.messages import (
    Chart,
    Document,
    Inbound,
    InboundKind,
    Option,
    Outbound,
    Question,
    Reply,
    Text,
    Tone,
)
from storage.records import FormSessionRecord, RegionRecord

__all__ = ["FORM_ID", "answer", "is_form", "is_payload", "name", "resume", "route", "start"]

FORM_ID = "pengumuman"
FORM_VERSION = 1
STAGE = "announcement"
PAYLOAD_PREFIX = "anf:"
STEPS = ("text", "region", "roles", "when")
REGION_BUTTONS = 10  # WhatsApp shows at most 10 list rows

_CANCEL = frozenset({"batal", "cancel"})
_BACK = frozenset({"kembali", "back"})
_SKIP = frozenset({"lewati", "skip", "-"})
_SEND = frozenset({"kirim", "send"})
_NOW = frozenset({"sekarang", "kirim sekarang", "now", "send now"})
_WHOLE = frozenset({"semua", "seluruh", "seluruh kabupaten", "kabupaten", "all", "everywhere"})
_ROLE_WORDS = {
    "operator": "operator",
    "peratin": "peratin",
    "kades": "peratin",
    "kepala desa": "peratin",
    "pekon": "peratin",
    "camat": "camat",
}


def is_payload(inbound: Inbound) -> bool:
    return inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX)


def is_form(record: FormSessionRecord) -> bool:
    return record.form_id == FORM_ID and record.state.get("stage") == STAGE


def expects_file(record: FormSessionRecord) -> bool:
    """The composer takes a photo or document now (its first step: the message itself)."""
    return str(record.state.get("step", "text")) == "text"


def _choice(value: str) -> str:
    return PAYLOAD_PREFIX + value


# ---- opening -------------------------------------------------------------------------------------


def name(lang: str) -> str:
    """The composer as "you still have an unfinished form: ..." names it."""
    return t("anf_form_name", lang)


async def start(
    turn: Turn, open_session: FormSessionRecord | None, quiet: QuietHours, nudge_hours: int
) -> Reply:
    """``ann:new``: a new composer, the open one again, or a word about another open form."""
    if not turn.roles(*ANNOUNCER_ROLES):
        return announcements.not_allowed(turn)
    if open_session is not None and is_form(open_session):
        return await resume(turn, open_session)
    if open_session is not None:
        form = turn.forms.latest(open_session.form_id)
        title = form.title.get(turn.lang) if form else open_session.form_id
        return Reply([Text(t("form_open_elsewhere", turn.lang, form=title), Tone.WARNING)])
    state: dict[str, Any] = {
        "stage": STAGE,
        "step": "text",
        "review": False,
        "quiet": str(quiet),  # for the preview's note; sending uses the hours then in force
        "values": {
            "text": "",
            "media_path": None,
            "media_kind": None,
            "regions": _own_regions(turn),
            "roles": [],
            "at_local": None,  # "YYYY-MM-DDTHH:MM" in the regions' zone; None: now
            "nudge_hours": nudge_hours,
        },
    }
    await turn.uow.sessions.create(
        turn.me.person_id,
        FORM_ID,
        FORM_VERSION,
        None,
        state,
        turn.inbound.channel.value,
        turn.now,
    )
    return Reply([Text(t("anf_intro", turn.lang)), *await _prompt(turn, state)])


async def resume(turn: Turn, record: FormSessionRecord) -> Reply:
    """LANJUT, or Buat pengumuman pressed again: the current question again."""
    if (ended := await _access_ended(turn, record)) is not None:
        return ended
    head = Text(t("form_resume", turn.lang, form=name(turn.lang)))
    return Reply([head, *await _prompt(turn, dict(record.state))])


async def route(turn: Turn, open_session: FormSessionRecord | None, quiet: QuietHours) -> Reply:
    """An ``anf:`` button: an answer to the open composer, or a stale one (sent already)."""
    if open_session is None or not is_form(open_session):
        return Reply([Text(t("anf_gone", turn.lang), Tone.WARNING)])
    return await answer(turn, open_session, quiet)


# ---- answering -----------------------------------------------------------------------------------


async def answer(turn: Turn, record: FormSessionRecord, quiet: QuietHours) -> Reply:
    """One answer to the open composer (a text, a button, a photo or a document)."""
    if (ended := await _access_ended(turn, record)) is not None:  # revoked meanwhile
        return ended
    state = {**record.state, "values": dict(record.state.get("values", {}))}
    step = str(state.get("step", "text"))
    raw, word = _raw(turn)
    media = turn.inbound.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT)
    if not media and (word in _CANCEL or raw == _choice("cancel")):
        await _close(turn, record, "cancelled")
        reply = Reply([Text(t("anf_cancelled", turn.lang))])
        reply.messages.extend((await menu.show(turn)).messages)
        return reply
    if not media and word in _BACK and step != "review":
        _go_back(state, step)
        await _save(turn, record, state)
        return Reply(await _prompt(turn, state))
    if step == "review" and not media:
        return await _review_answer(turn, record, state, raw, word, quiet)
    if media and step != "text":
        wrong = t("anf_media_not_now", turn.lang)
        return Reply([Text(wrong, Tone.ERROR), *await _prompt(turn, state, preview=False)])
    error = await _accept(turn, state, step, raw, word)
    if error is not None:
        await _save(turn, record, state)  # a photo is kept even when its caption is too long
        return Reply([Text(error, Tone.ERROR), *await _prompt(turn, state, preview=False)])
    state["step"] = _next(state, step)
    await _save(turn, record, state)
    return Reply(await _prompt(turn, state))


async def _access_ended(turn: Turn, record: FormSessionRecord) -> Reply | None:
    """None while the person holds a Dinsos or admin role; else the composer is closed
    (``interrupted``, nothing sent) and the reply says so, then the menu. (Regions chosen
    that have left a remaining role's scope are refused at KIRIM, and can be chosen again.)"""
    if turn.roles(*ANNOUNCER_ROLES):
        return None
    await _close(turn, record, "interrupted")
    values = record.state.get("values") or {}
    codes = [c for c in values.get("regions") or () if isinstance(c, str)]
    where = await _regions_text(turn, {"regions": codes}) if codes else ""
    if where:
        text = t("form_access_ended", turn.lang, region=where)
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
    if step == "text" and not state["values"].get("text"):
        return "text"  # an attachment without a caption: its text comes next
    if state.get("review"):
        return "review"
    index = STEPS.index(step) + 1
    return STEPS[index] if index < len(STEPS) else "review"


def _go_back(state: dict[str, Any], step: str) -> None:
    if state.get("review"):
        state["step"] = "review"
        return
    state["step"] = STEPS[max(STEPS.index(step) - 1, 0)]


async def _accept(turn: Turn, state: dict[str, Any], step: str, raw: str, word: str) -> str | None:
    """Store the answer to ``step`` in ``state``; the error (with an example) if it is wrong."""
    values, lang = state["values"], turn.lang
    skip = word in _SKIP or raw == _choice("keep")
    match step:
        case "text":
            return _accept_text(turn, values, raw, skip)
        case "region":
            if skip and values.get("regions"):
                return None
            return await _accept_regions(turn, values, raw.removeprefix(_choice("region:")))
        case "roles":
            if skip and values.get("roles"):
                return None
            roles = _roles(raw, word)
            if not roles:
                return t("anf_roles_invalid", lang)
            values["roles"] = roles
        case "when":
            return _accept_when(turn, values, raw, word)
    return None


def _accept_text(turn: Turn, values: dict[str, Any], raw: str, skip: bool) -> str | None:
    inbound, lang = turn.inbound, turn.lang
    if inbound.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT):
        path = Path(inbound.media_ref) if inbound.media_ref else None
        if path is None or not path.is_file():  # a stat of a local file: no thread needed
            return t("ann_media_missing", lang)
        values["media_path"] = str(path)
        values["media_kind"] = "photo" if inbound.kind is InboundKind.PHOTO else "document"
        text = raw or values.get("text", "")
        values["text"] = ""
        if len(text) > MAX_CAPTION:
            return t("ann_text_long", lang, count=len(text), limit=MAX_CAPTION)
        values["text"] = text
        return None
    if skip and values.get("text"):
        return None
    limit = MAX_CAPTION if values.get("media_path") else MAX_TEXT
    if not raw or skip or raw.startswith(PAYLOAD_PREFIX) or inbound.kind is not InboundKind.TEXT:
        return t("ann_text_empty", lang)
    if len(raw) > limit:
        return t("ann_text_long", lang, count=len(raw), limit=limit)
    values["text"] = raw
    return None


def _own_regions(turn: Turn) -> list[str]:
    """The Dinsos officer's regions, widest first, none inside another."""
    codes = sorted({r.region_code for r in turn.roles(*ANNOUNCER_ROLES)}, key=_depth)
    return _widest(codes)


def _depth(code: str) -> tuple[int, str]:
    return code.count("."), code


def _widest(codes: list[str]) -> list[str]:
    """``codes`` in their order, once each, without those inside another one."""
    unique = list(dict.fromkeys(codes))
    return [code for code in unique if not any(code.startswith(c + ".") for c in unique)]


async def _region_options(turn: Turn) -> list[RegionRecord]:
    """The buttons of the region question: each own kabupaten, then its kecamatan when all of
    them fit in one WhatsApp list (10 rows); else the kecamatan are typed by name or code."""
    own = [r for r in [await turn.uow.regions.get(c) for c in _own_regions(turn)] if r]
    children = [child for region in own for child in await turn.uow.regions.children(region.code)]
    return own + children if len(own) + len(children) <= REGION_BUTTONS else own


async def _accept_regions(turn: Turn, values: dict[str, Any], raw: str) -> str | None:
    """One or more regions, separated by commas: numbers of the buttons, codes, or names of
    kecamatan and villages inside the officer's own kabupaten."""
    options = await _region_options(turn)
    example = await _region_example(turn, options)
    chosen: list[str] = []
    for token in (part.strip() for part in raw.replace(";", ",").split(",")):
        if not token:
            continue
        lowered = " ".join(token.lower().split())
        if token.isdecimal() and len(token) <= 2:
            index = int(token) - 1
            if not 0 <= index < len(options):
                return t("anf_region_invalid", turn.lang, text=token[:40], example=example)
            chosen.append(options[index].code)
        elif lowered in _WHOLE:
            chosen.extend(_own_regions(turn))
        elif is_region_code(token):
            if not turn.in_scope(token, *ANNOUNCER_ROLES):
                return t("anf_region_outside", turn.lang, text=token, example=example)
            if await turn.uow.regions.get(token) is None:
                return t("anf_region_invalid", turn.lang, text=token, example=example)
            chosen.append(token)
        else:
            found = await _region_by_name(turn, lowered)
            if found is None:
                return t("anf_region_invalid", turn.lang, text=token[:40], example=example)
            chosen.append(found.code)
    if not chosen:
        return t("anf_region_invalid", turn.lang, text=raw[:40], example=example)
    values["regions"] = _widest(chosen)
    return None


async def _region_example(turn: Turn, options: list[RegionRecord]) -> str:
    """Two kecamatan names of the officer's kabupaten, as an answer would list them."""
    own = _own_regions(turn)
    kecamatan = [r for r in options if r.level == 3]
    if not kecamatan and own:
        kecamatan = (await turn.uow.regions.children(own[0]))[:2]
    names = [r.name for r in kecamatan[:2]]
    return ", ".join(names) if names else (own[0] if own else "18.04.19")


async def _region_by_name(turn: Turn, wanted: str) -> RegionRecord | None:
    """The region inside the officer's own named ``wanted`` ("air hitam", "kec. air hitam",
    "pekon sri menanti"), when exactly one matches."""
    if len(wanted) < 3:
        return None
    found: list[RegionRecord] = []
    for code in _own_regions(turn):
        for region in await turn.uow.regions.within(code):
            names = {
                region.name.lower(),
                region_label(region.code, region.name, region.kind).lower(),
            }
            if wanted in names:
                found.append(region)
    return found[0] if len(found) == 1 else None


def _roles(raw: str, word: str) -> list[str]:
    """``1,2``, ``operator, camat``, ``semua`` or one role's button; [] when anything is
    unknown."""
    if raw in AUDIENCE_ROLES:
        return [raw]
    if word in _WHOLE:
        return list(AUDIENCE_ROLES)
    picked: set[str] = set()
    for token in (part.strip() for part in word.replace(";", ",").split(",")):
        if not token:
            continue
        if token.isdecimal() and len(token) <= 2 and 1 <= int(token) <= len(AUDIENCE_ROLES):
            picked.add(AUDIENCE_ROLES[int(token) - 1])
        elif token in _ROLE_WORDS:
            picked.add(_ROLE_WORDS[token])
        elif all(part in _ROLE_WORDS for part in token.split()):
            picked.update(_ROLE_WORDS[part] for part in token.split())
        else:
            return []
    return [r for r in AUDIENCE_ROLES if r in picked]


def _zone(turn: Turn, values: dict[str, Any]) -> str:
    """Local time of the chosen regions (a kabupaten lies in one province, so in one zone)."""
    codes = values.get("regions") or _own_regions(turn)
    return timezone_for(codes[0]) if codes else "Asia/Jakarta"


def _example_time(turn: Turn, zone: str) -> str:
    tomorrow = turn.now.astimezone(ZoneInfo(zone)).date() + dt.timedelta(days=1)
    return f"{tomorrow:%d-%m-%Y} 08.00"


def _accept_when(turn: Turn, values: dict[str, Any], raw: str, word: str) -> str | None:
    lang = turn.lang
    zone = _zone(turn, values)
    example = _example_time(turn, zone)
    if word in _NOW or raw == _choice("now"):
        values["at_local"] = None
        return None
    parsed = parse_date_time(raw) if not raw.startswith(PAYLOAD_PREFIX) else None
    if parsed is None:
        return t("anf_when_invalid", lang, example=example)
    date, time = parsed
    if time is None:
        return t("anf_when_no_time", lang, date=date.strftime("%d-%m-%Y"))
    at = local_instant(date, time, zone)
    if at <= turn.now:
        return t("anf_when_past", lang, now=when_text(turn.now, zone, lang), example=example)
    if at > turn.now + announcements.MAX_AHEAD:
        return t("ann_at_far", lang)
    values["at_local"] = f"{date.isoformat()}T{format_time(time)}"
    return None


# ---- the preview and sending ---------------------------------------------------------------------


def draft_of(values: dict[str, Any], zone: str) -> Draft:
    at_local = values.get("at_local")
    scheduled = None
    if at_local:
        local = dt.datetime.fromisoformat(at_local)
        scheduled = local_instant(local.date(), local.time(), zone)
    return Draft(
        text=str(values.get("text", "")),
        region_codes=tuple(values.get("regions") or ()),
        roles=tuple(values.get("roles") or ()),
        media_path=values.get("media_path"),
        media_kind=values.get("media_kind"),
        scheduled_at=scheduled,
        nudge_after_hours=int(values.get("nudge_hours", announcements.DEFAULT_NUDGE_HOURS)),
    )


async def _review_answer(
    turn: Turn,
    record: FormSessionRecord,
    state: dict[str, Any],
    raw: str,
    word: str,
    quiet: QuietHours,
) -> Reply:
    if word in _SEND or raw == _choice("send"):
        return await _send(turn, record, state, quiet)
    number = raw.removeprefix(_choice("edit:")) if raw.startswith(_choice("edit:")) else word
    if number.isdecimal() and len(number) == 1 and 1 <= int(number) <= len(STEPS):
        state["step"] = STEPS[int(number) - 1]
        state["review"] = True
        await _save(turn, record, state)
        return Reply(await _prompt(turn, state))
    error = t("anf_review_invalid", turn.lang, n=len(STEPS))
    return Reply([Text(error, Tone.ERROR), *await _prompt(turn, state, preview=False)])


async def _send(
    turn: Turn, record: FormSessionRecord, state: dict[str, Any], quiet: QuietHours
) -> Reply:
    values, lang = state["values"], turn.lang
    zone = _zone(turn, values)
    draft = draft_of(values, zone)
    scope = [r.region_code for r in turn.roles(*ANNOUNCER_ROLES)]
    errors = await announcements.problems(turn.uow, draft, scope, turn.now, lang)
    found = await announcements.audience(turn.uow, draft.region_codes, draft.roles)
    if not errors and found.total == 0:
        errors.append(t("anf_nobody", lang))
    if errors:
        return Reply([Text("\n".join(errors), Tone.ERROR), *await _prompt(turn, state, False)])
    channel = turn.inbound.channel.value
    if not await turn.uow.sessions.finish(record.id, "completed", channel, turn.now):
        return Reply([Text(t("anf_gone", lang), Tone.WARNING)])  # a second KIRIM, racing
    announcement_id = await announcements.create(
        turn.uow, draft, by=turn.me.person_id, channel=channel, now=turn.now, quiet=quiet
    )
    if draft.scheduled_at is None:
        text = tn("anf_sent_now", found.total, lang, id=announcement_id, count=found.total)
    else:
        when = when_text(draft.scheduled_at, zone, lang)
        text = tn(
            "anf_sent_later", found.total, lang, id=announcement_id, count=found.total, when=when
        )
    buttons = (
        Option(
            f"{announcements.VIEW_PREFIX}rep:{announcement_id}",
            t("ann_report_button", lang, id=announcement_id),
        ),
        Option(announcements.VIEW_PREFIX + "list", t("ann_list_button", lang)),
    )
    return Reply([Question(text, buttons)])


async def _save(turn: Turn, record: FormSessionRecord, state: dict[str, Any]) -> None:
    await turn.uow.sessions.save(record.id, "active", state, turn.inbound.channel.value, turn.now)


async def _close(turn: Turn, record: FormSessionRecord, status: str) -> None:
    await turn.uow.sessions.finish(record.id, status, turn.inbound.channel.value, turn.now)


# ---- questions -----------------------------------------------------------------------------------


async def _prompt(turn: Turn, state: dict[str, Any], preview: bool = True) -> list[Outbound]:
    """The current question; on the review, with the message as recipients will see it first
    (``preview``), left out when only an error is answered."""
    values, lang = state["values"], turn.lang
    match state.get("step", "text"):
        case "text":
            if values.get("media_path") and not values.get("text"):
                return [Question(t("anf_text_for_media", lang, limit=MAX_CAPTION))]
            if values.get("text"):
                keep = (Option(_choice("keep"), t("anf_keep", lang)),)
                return [Question(t("anf_text", lang), keep, numbered=False)]
            return [Question(t("anf_text", lang))]
        case "region":
            options = await _region_options(turn)
            example = await _region_example(turn, options)
            buttons = tuple(
                Option(
                    _choice("region:" + r.code),
                    t("anf_region_all", lang, region=region_label(r.code, r.name, r.kind))
                    if r.level <= 2
                    else region_label(r.code, r.name, r.kind),
                )
                for r in options
            )
            now = t("anf_now", lang, value=await _regions_text(turn, values))
            text = f"{t('anf_region', lang, example=example)}\n{now}"
            return [Question(text, buttons)]
        case "roles":
            roles = tuple(Option(r, t("ann_role_" + r, lang)) for r in AUDIENCE_ROLES)
            return [Question(t("anf_roles", lang), roles, multi=True)]
        case "when":
            zone = _zone(turn, values)
            text = t(
                "anf_when",
                lang,
                zone=zone_abbreviation(zone),
                example=_example_time(turn, zone),
            )
            right_away = (Option(_choice("now"), t("anf_when_now", lang)),)
            return [Question(text, right_away, numbered=False)]
    return await _review(turn, state, preview)


async def _regions_text(turn: Turn, values: dict[str, Any]) -> str:
    labels = []
    for code in values.get("regions") or ():
        region = await turn.uow.regions.get(code)
        labels.append(region_label(region.code, region.name, region.kind) if region else code)
    return ", ".join(labels) or "-"


def _attachment(values: dict[str, Any], lang: str) -> str:
    if not values.get("media_path"):
        return ""
    kind = "photo" if values.get("media_kind") == "photo" else "document"
    return t("anf_attachment_" + kind, lang, name=Path(values["media_path"]).name)


async def _review(turn: Turn, state: dict[str, Any], preview: bool) -> list[Outbound]:
    values, lang = state["values"], turn.lang
    zone = _zone(turn, values)
    draft = draft_of(values, zone)
    when = (
        when_text(draft.scheduled_at, zone, lang)
        if draft.scheduled_at
        else t("anf_when_now_line", lang)
    )
    excerpt = " ".join(draft.text.split())
    excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79].rstrip() + "…"
    lines = [
        t("anf_line_text", lang, text=excerpt) + _attachment(values, lang),
        t("anf_line_region", lang, regions=await _regions_text(turn, values)),
        t("anf_line_roles", lang, roles=", ".join(t("ann_role_" + r, lang) for r in draft.roles)),
        t("anf_line_when", lang, when=when),
    ]
    numbered = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, 1))
    found = await announcements.audience(turn.uow, draft.region_codes, draft.roles)
    messages: list[Outbound] = []
    if preview:
        messages.append(Text(t("anf_preview_head", lang)))
        if draft.media_path and draft.media_kind == "photo":
            messages.append(Chart(draft.media_path))
        elif draft.media_path:
            messages.append(Document(draft.media_path, file_name=Path(draft.media_path).name))
        messages.append(Text(t("ann_message", lang, id="…", text=draft.text.strip())))
    options: tuple[Option, ...]
    if found.total == 0:
        options = (
            Option(_choice("edit:2"), t("anf_edit_region", lang)),
            Option(_choice("edit:3"), t("anf_edit_roles", lang)),
            Option(_choice("cancel"), t("anf_cancel", lang)),
        )
        text = t("anf_review_nobody", lang, lines=numbered)
        return [*messages, Question(text, options, numbered=False)]
    notes = announcements.preview_lines(found, lang)
    quiet = _quiet_note(turn, state, draft, zone)
    if quiet:
        notes.append(quiet)
    if draft.nudge_after_hours:
        hours = draft.nudge_after_hours
        notes.append(tn("anf_nudge_note", hours, lang, hours=hours))
    options = (
        Option(_choice("send"), t("anf_send", lang)),
        Option(_choice("cancel"), t("anf_cancel", lang)),
    )
    text = t("anf_review", lang, lines=numbered, audience="\n".join(notes))
    return [*messages, Question(text, options, numbered=False)]


def _quiet_note(turn: Turn, state: dict[str, Any], draft: Draft, zone: str) -> str:
    """A word when the announcement would arrive in the quiet hours: it waits for the morning."""
    try:
        quiet = QuietHours.parse(str(state.get("quiet", "")))
    except ValueError:
        quiet = QuietHours()
    local = (draft.scheduled_at or turn.now).astimezone(ZoneInfo(zone))
    if not quiet.contains(local.time()):
        return ""
    return t(
        "anf_quiet_note",
        turn.lang,
        time=local.strftime("%H.%M"),
        quiet=f"{quiet.start:%H.%M}–{quiet.end:%H.%M}",
        end=f"{quiet.end:%H.%M}",
    )
