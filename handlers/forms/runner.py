"""Running forms: pick a household, drive the engine, save the completed submission.

A person has at most one open form session. Its ``state`` JSON holds the stage:
``{"stage": "pick", "region_code", ...}`` while the household is being chosen in that village,
then ``{"stage": "form", "engine": <engine session>}`` while questions are answered.

Every form runs here, the Dinsos composers included; what a form does when completed, who
may go on with it and what its review adds are its registered saver's
(:mod:`handlers.forms.savers`). Every step checks again that the person may still fill the
form in (the saver's ``access``, else ``saving.lost_access``): when a role was revoked or
moved, or the household moved to another village, the form closes (``interrupted``) without
saving. A form nobody answered for ``session_idle_days`` closes (``expired``) when its
person next writes (:mod:`handlers.forms.closing`).
"""

from __future__ import annotations

import logging
import math
import re
from typing import Any
from zoneinfo import ZoneInfo

import flows
from flows import Ask, Cancelled, Completed, Errored, Input, Say, Session, SessionStatus
from flows.asking import engine_t
from flows.ids import mask_ids_in_text, mask_nik
from handlers.forms.card import household_card
from handlers.forms.closing import access_ended, family_of, form_name
from handlers.forms.duplicates import DUPLICATE_CHECKS_PER_HOUR, duplicate_at
from handlers.forms.render import opening, render
from handlers.forms.savers import AccessEnded, LostAccess, Saved, Saver
from handlers.forms.saving import lost_access, processed
from handlers.kit import menu
from handlers.kit.context import Turn
from handlers.kit.i18n import t, tn
from handlers.messages import (
    InboundKind,
    Option,
    Outbound,
    Question,
    Reply,
    Text,
    Tone,
)
from storage.records import FormSessionRecord, HouseholdRecord

log = logging.getLogger(__name__)

PAGE_SIZE = 8
SEARCH_LIMIT = 10
HOUSEHOLD_PREFIX = "hh:"
PAGE_PREFIX = "pg:"
_CANCEL_WORDS = frozenset({"batal", "cancel"})
_BACK_WORDS = frozenset({"kembali", "back"})
_SMALL_INT = re.compile(r"[0-9]{1,9}")


# ---- entry points -------------------------------------------------------------------------


async def start_search(turn: Turn, form_id: str) -> Reply:
    village = _village(turn)
    if village is None:
        return Reply([Text(t("no_village", turn.lang), Tone.ERROR)])
    await _open_picker(turn, form_id, village[0])
    return Reply([_search_prompt(turn, village[1])])


async def start_pending(turn: Turn, form_id: str) -> Reply:
    village = _village(turn)
    if village is None:
        return Reply([Text(t("no_village", turn.lang), Tone.ERROR)])
    session_id = await _open_picker(turn, form_id, village[0])
    state = {"stage": "pick", "region_code": village[0], "offered": []}
    return await _pending_page(turn, session_id, state, 0)


async def start_direct(turn: Turn, form_id: str) -> Reply:
    """A form that needs no household picked first (a new proposal, a problem report)."""
    village = _village(turn)
    if village is None:
        return Reply([Text(t("no_village", turn.lang), Tone.ERROR)])
    form = turn.forms.latest(form_id)
    if form is None:
        raise LookupError(f"form {form_id} is not loaded")
    context = {"record": {}, "region_code": village[0], "today": await _today(turn, village[0])}
    title = t("form_in_village", turn.lang, form=form.title.get(turn.lang), village=village[1])
    return await start_with_context(turn, form_id, context, title)


async def start_with_context(
    turn: Turn, form_id: str, context: dict[str, Any], title: str, *, review: bool = False
) -> Reply:
    """Open ``form_id`` with the engine context given (the caller checked that no other form
    is open); the reply says ``title`` and asks the first question (``review``: a record
    to change, opened on its review with every answer taken from it)."""
    form = turn.forms.latest(form_id)
    if form is None:
        raise LookupError(f"form {form_id} is not loaded")
    session_id = await _open_picker(turn, form_id)
    record = await turn.uow.sessions.get(session_id)
    if record is None:  # pragma: no cover - created just above in the same transaction
        raise LookupError(session_id)
    session, events = flows.start(form, context, lang=turn.lang, review=review)
    await _store(turn, record, session)
    return Reply(opening(title, await _shown(turn, record, session, events)))


def _saver(turn: Turn, form_id: str) -> Saver:
    saver = turn.savers.get(form_id) if turn.savers is not None else None
    if saver is None:
        raise LookupError(f"form {form_id} has no saver")
    return saver


async def _access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    """Why the person may not go on with ``record`` (None: they may): its saver says, or the
    household forms' rules."""
    saver = turn.savers.get(record.form_id) if turn.savers is not None else None
    if saver is not None and saver.access is not None:
        return await saver.access(turn, record)
    return await lost_access(turn, record)


async def _shown(
    turn: Turn, record: FormSessionRecord, session: Session, events: list[flows.Event]
) -> list[Outbound]:
    """The events as intents; on the review, with what the form's saver adds to it."""
    messages = render(events)
    review = [i for i, e in enumerate(events) if isinstance(e, Ask) and e.question == "__review__"]
    saver = turn.savers.get(record.form_id) if turn.savers is not None else None
    if not review or saver is None or saver.review is None:
        return messages
    before = events[review[0] - 1] if review[0] > 0 else None
    full = isinstance(before, Say) and before.tone == "info"  # the answers are listed
    return await saver.review(turn, record, session, messages, full)


async def _zone(turn: Turn, region_code: str) -> str:
    region = await turn.uow.regions.get(region_code)
    return region.timezone if region else "Asia/Jakarta"


async def _today(turn: Turn, region_code: str) -> str:
    zone = ZoneInfo(await _zone(turn, region_code))
    return turn.now.astimezone(zone).date().isoformat()


async def resume_open(turn: Turn) -> Reply:
    record = await turn.uow.sessions.get_open(turn.me.person_id)
    if record is None:
        return Reply([Text(t("no_open_form", turn.lang))])
    lost = await _access(turn, record)
    if lost is not None:
        return await access_ended(turn, record, lost)
    state = record.state
    if state.get("stage") != "form":
        village = _village(turn)
        return Reply([_search_prompt(turn, village[1] if village else "")])
    form = turn.forms.get(record.form_id, record.form_version)
    if form is None:
        return await _form_gone(turn, record)
    session = Session.model_validate(state["engine"])
    events = flows.current_prompt(form, session)
    if failed := _failure(events):
        errored = session.model_copy(update={"status": SessionStatus.ERRORED})
        return await _engine_failed(turn, record, errored, failed)
    name = form.title.get(turn.lang)
    family = family_of(record)
    if family:
        head = t("form_resume_family", turn.lang, form=name, head=family)
    else:
        head = t("form_resume", turn.lang, form=name)
    return Reply(opening(head, await _shown(turn, record, session, events)))


async def cancel_open(turn: Turn) -> Reply:
    record = await turn.uow.sessions.get_open(turn.me.person_id)
    if record is None:
        return Reply([Text(t("cancel_nothing", turn.lang))])
    if record.state.get("stage") == "form":
        # The engine asks for confirmation before it throws answers away.
        return await _engine_step(turn, record, Input(text="batal"), DUPLICATE_CHECKS_PER_HOUR)
    return await _close(turn, record, "cancelled")


async def continue_session(
    turn: Turn, record: FormSessionRecord, duplicate_checks: int = DUPLICATE_CHECKS_PER_HOUR
) -> Reply:
    """The next answer to the open household, direct or report form (``duplicate_checks``:
    how many new No. KK / NIK look-ups the person may cause in an hour)."""
    if record.state.get("stage") == "form":
        return await _engine_step(turn, record, _to_input(turn), duplicate_checks)
    return await _picker_step(turn, record)


# ---- household picker ---------------------------------------------------------------------


def _village(turn: Turn) -> tuple[str, str] | None:
    roles = turn.roles("operator")
    return (roles[0].region_code, roles[0].region_name) if roles else None


async def _open_picker(turn: Turn, form_id: str, village: str | None = None) -> int:
    """A new session choosing a household in ``village`` (the operator's, kept so that every
    step can check the operator still holds it)."""
    form = turn.forms.latest(form_id)
    if form is None:
        raise LookupError(f"form {form_id} is not loaded")
    state: dict[str, Any] = {"stage": "pick", "offered": []}
    if village is not None:
        state["region_code"] = village
    return await turn.uow.sessions.create(
        turn.me.person_id,
        form.id,
        form.version,
        None,
        state,
        turn.inbound.channel.value,
        turn.now,
    )


def _search_prompt(turn: Turn, village_name: str) -> Question:
    return Question(
        t("search_prompt", turn.lang, village=village_name),
        (Option(PAGE_PREFIX + "0", t("search_pending_button", turn.lang)),),
    )


async def _picker_step(turn: Turn, record: FormSessionRecord) -> Reply:
    lost = await _access(turn, record)
    if lost is not None:
        return await access_ended(turn, record, lost)
    inbound = turn.inbound
    state = dict(record.state)
    offered: list[int] = list(state.get("offered", []))
    if inbound.kind is InboundKind.CHOICE:
        payload = inbound.payload
        if payload.startswith(HOUSEHOLD_PREFIX):
            household_id = _small_int(payload.removeprefix(HOUSEHOLD_PREFIX))
            return await _choose_household(turn, record, household_id)
        if payload.startswith(PAGE_PREFIX):
            page = _small_int(payload.removeprefix(PAGE_PREFIX))
            if page is not None:
                return await _pending_page(turn, record.id, state, page)
    text = inbound.text.strip() if inbound.kind is InboundKind.TEXT else ""
    if text.lower() in _CANCEL_WORDS:
        return await _close(turn, record, "cancelled")
    if text.lower() in _BACK_WORDS:  # before any question: back is the menu, not a name
        return await _close(turn, record, "cancelled", said=False)
    if text.isdecimal() and len(text) <= 2 and 1 <= int(text) <= len(offered):
        return await _choose_household(turn, record, offered[int(text) - 1])
    village = _village(turn)
    if village is None:
        return Reply([Text(t("no_village", turn.lang), Tone.ERROR)])
    if len(text) < 3:
        return Reply(
            [Text(t("search_too_short", turn.lang), Tone.ERROR), _search_prompt(turn, village[1])]
        )
    digits = re.sub(r"[\s.\-]", "", text)
    if len(digits) == 16 and digits.isdigit():
        text = digits  # a NIK or No. KK typed in groups: "1804 0727 0490 0258"
    found = await turn.uow.households.search(village[0], text, limit=SEARCH_LIMIT)
    if not found:
        shown = (mask_nik(text) if text.isdigit() else mask_ids_in_text(text))[:40]
        return Reply(
            [
                Text(t("search_none", turn.lang, query=shown, village=village[1]), Tone.ERROR),
                _search_prompt(turn, village[1]),
            ]
        )
    state["offered"] = [h.id for h in found]
    await turn.uow.sessions.save(record.id, record.status, state, inbound.channel.value, turn.now)
    options = tuple(_household_options(found, matched=text))
    return Reply([Question(tn("search_results", len(found), turn.lang), options)])


async def _pending_page(turn: Turn, session_id: int, state: dict[str, Any], page: int) -> Reply:
    village = _village(turn)
    if village is None:
        return Reply([Text(t("no_village", turn.lang), Tone.ERROR)])
    counts = await turn.uow.households.count_by_status(village[0])
    total = counts.get("pending", 0)
    if total == 0:
        return Reply([Text(t("pending_none", turn.lang, village=village[1]), Tone.SUCCESS)])
    pages = math.ceil(total / PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    found = await turn.uow.households.pending(village[0], page * PAGE_SIZE, PAGE_SIZE)
    state = {**state, "offered": [h.id for h in found]}
    await turn.uow.sessions.save(session_id, "waiting", state, turn.inbound.channel.value, turn.now)
    options = _household_options(found)
    if page > 0:
        options.append(Option(f"{PAGE_PREFIX}{page - 1}", t("page_prev", turn.lang)))
    if page + 1 < pages:
        options.append(Option(f"{PAGE_PREFIX}{page + 1}", t("page_next", turn.lang)))
    title = tn(
        "pending_title",
        total,
        turn.lang,
        village=village[1],
        total=total,
        page=page + 1,
        pages=pages,
    )
    return Reply([Question(title, tuple(options))])


def household_label(household: HouseholdRecord, matched: str = "") -> str:
    """``Head · RT/RW``; found by another member's name, that member's name too, so that the
    operator sees why the family is offered ("siti" finds Siti in Ahmad's family)."""
    rt_rw = f"RT {household.rt or '-'}/RW {household.rw or '-'}"
    label = f"{household.head_name} · {rt_rw}"
    wanted = " ".join(matched.split()).casefold()
    if not wanted or wanted in household.head_name.casefold():
        return label
    member = next((m for m in household.members if wanted in m.name.casefold()), None)
    return label if member is None else f"{label} · {member.name}"


def _household_options(found: list[HouseholdRecord], matched: str = "") -> list[Option]:
    """One option per household; two that read alike (the same head in the same RT/RW) are
    told apart by the last four digits of their No. KK, as on the household card."""
    labels = [household_label(h, matched) for h in found]
    alike = {label for label in labels if labels.count(label) > 1}
    return [
        Option(
            f"{HOUSEHOLD_PREFIX}{h.id}",
            f"{label} · KK …{h.no_kk[-4:]}" if label in alike and h.no_kk else label,
        )
        for h, label in zip(found, labels, strict=True)
    ]


def _small_int(text: str) -> int | None:
    """A household id or page number from a button payload; None when it is not one (a
    garbled or forged payload, or a number no database integer column holds)."""
    return int(text) if _SMALL_INT.fullmatch(text) else None


async def _choose_household(
    turn: Turn, record: FormSessionRecord, household_id: int | None
) -> Reply:
    household = await turn.uow.households.get(household_id) if household_id is not None else None
    if household is None or not turn.in_scope(household.region_code, "operator"):
        # Unknown or forged ids get the same answer: nothing outside the scope is revealed.
        return Reply([Text(t("household_not_allowed", turn.lang), Tone.ERROR)])
    form = turn.forms.get(record.form_id, record.form_version)
    if form is None:
        return await _form_gone(turn, record)
    context = await household_context(turn, household)
    session, events = flows.start(form, context, lang=turn.lang)
    await turn.uow.sessions.set_household(record.id, household.id)
    await processed(turn, "view", household, form.id)  # the household card is opened
    await _store(turn, record, session)
    title = t("form_for", turn.lang, form=form.title.get(turn.lang), head=household.head_name)
    card = household_card(turn, household, await _zone(turn, household.region_code))
    return Reply(opening(f"{title}\n{card}", await _shown(turn, record, session, events)))


async def household_context(turn: Turn, household: HouseholdRecord) -> dict[str, Any]:
    members = [
        {
            **(m.data or {}),
            "name": m.name,
            "nik": m.nik,
            "sex": m.sex,
            "birth_date": m.birth_date.isoformat() if m.birth_date else None,
            "relation": m.relation,
            "marital_status": m.marital_status,
            "presence": m.presence,
            "idsemesta": m.idsemesta,
        }
        for m in household.members
    ]
    record = {
        **(household.data or {}),
        "head_name": household.head_name,
        "no_kk": household.no_kk,
        "id_dtks": household.id_dtks,
        "address": household.address,
        "rt": household.rt,
        "rw": household.rw,
        "status": household.status,
        "members": members,
    }
    return {
        "record": record,
        "household_id": household.id,
        "region_code": household.region_code,
        "today": await _today(turn, household.region_code),
    }


# ---- engine steps -------------------------------------------------------------------------


def _to_input(turn: Turn) -> Input:
    inbound = turn.inbound
    match inbound.kind:
        case InboundKind.CHOICE:
            return Input(choice=inbound.payload)
        case InboundKind.LOCATION if inbound.location is not None:
            return Input(location=(inbound.location.latitude, inbound.location.longitude))
        case InboundKind.PHOTO:
            return Input(photo=inbound.media_ref or "photo", text=inbound.text)
        case InboundKind.DOCUMENT if inbound.media_ref:
            return Input(document=inbound.media_ref, text=inbound.text)
        case InboundKind.TEXT:
            return Input(text=inbound.text)
        case _:
            return Input()


async def _engine_step(
    turn: Turn, record: FormSessionRecord, inp: Input, duplicate_checks: int
) -> Reply:
    lost = await _access(turn, record)
    if lost is not None:
        return await access_ended(turn, record, lost)
    form = turn.forms.get(record.form_id, record.form_version)
    if form is None:
        return await _form_gone(turn, record)
    before = Session.model_validate(record.state["engine"])
    if "now" in before.context:  # the time, passed in afresh on every step
        before = before.model_copy(update={"context": {**before.context, "now": _iso(turn)}})
    session, events = flows.resume(form, before, inp)
    if failed := _failure(events):
        return await _engine_failed(turn, record, session, failed)
    found, looked_up, skipped = await duplicate_at(
        turn, record, form, before, session, duplicate_checks
    )
    if found is not None:  # said at the question where the number was typed
        session, events = flows.hold(form, before, found.path, found.value, found.text)
    head: list[Outbound] = []
    if skipped:
        limit = duplicate_checks
        head.append(Text(tn("dup_check_skipped", limit, turn.lang, limit=limit), Tone.WARNING))
    for event in events:
        if isinstance(event, Completed):
            return await _complete(turn, record, form, before, session, event)
        if isinstance(event, Cancelled):
            await _store(turn, record, session, "cancelled")
            return Reply([*head, *_cancelled(turn, form, session, events)])
    status = "expired" if session.status is SessionStatus.EXPIRED else "active"
    await _store(turn, record, session, status, looked_up)
    return Reply([*head, *await _shown(turn, record, session, events)])


def _cancelled(
    turn: Turn, form: flows.Form, session: Session, events: list[flows.Event]
) -> list[Outbound]:
    """One line for a cancelled form, with the Menu button: the form's own ``cancelled``
    message when it has one (e.g. "nothing was sent"), else the host's "nothing was changed"
    instead of the engine's generic line (two lines saying the same cost a 2G phone twice)."""
    said = engine_t(form, "cancelled", session.lang)
    own = "cancelled" in (form.messages or {})
    line = said if own else t("form_cancelled", turn.lang)
    rest = [e for e in events if not (isinstance(e, Say) and e.text == said)]
    return [*render(rest), menu.with_button(turn, line)]


def _iso(turn: Turn) -> str:
    return turn.now.isoformat()


async def _complete(
    turn: Turn,
    record: FormSessionRecord,
    form: flows.Form,
    before: Session,
    session: Session,
    completed: Completed,
) -> Reply:
    """Save a completed form through its saver: what stops it is said on the review (the
    session stays there, nothing written); else the form is closed first, so of two updates
    racing to save it only one goes on, then saved."""
    saver = _saver(turn, form.id)
    errors = await saver.check(turn, record, form, completed) if saver.check else []
    if errors:
        error = Text("\n".join(errors), Tone.ERROR)
        return Reply(
            [error, *await _shown(turn, record, before, flows.current_prompt(form, before))]
        )
    channel = turn.inbound.channel.value
    if not await turn.uow.sessions.finish(record.id, "completed", channel, turn.now):
        return Reply([Text(t("form_gone", turn.lang), Tone.WARNING)])  # a second save, racing
    try:
        saved = await saver.save(turn, record, form, completed)
    except AccessEnded as ended:  # checked above; a second look right before writing
        return await access_ended(turn, record, ended.lost)
    await _store(turn, record, session, "completed")
    if saved.messages:
        return Reply(list(saved.messages))
    # One line and the menu button, not the whole menu again.
    return Reply([menu.with_button(turn, _saved_text(turn, saved))])


def _failure(events: list[flows.Event]) -> Errored | None:
    return next((e for e in events if isinstance(e, Errored)), None)


async def _engine_failed(
    turn: Turn, record: FormSessionRecord, session: Session, failed: Errored
) -> Reply:
    """The engine failed on ``session``: log where and why (numbers masked: the reason may
    quote what the person typed), store it as ``errored`` (its answers kept for the
    investigation; nothing is saved to the household) and say so, with the menu to go on."""
    log.error(
        "form engine failed: form %s v%s, session %s of person %s, at %s: %s [%s]",
        session.form_id,
        session.form_version,
        record.id,
        record.person_id,
        session.cursor,
        mask_ids_in_text(failed.reason),
        failed.where or "?",
    )
    await _store(turn, record, session, "errored")
    name = form_name(turn, record)
    reply = Reply([Text(t("form_errored", turn.lang, form=name), Tone.ERROR)])
    reply.messages.extend((await menu.show(turn)).messages)
    return reply


def _saved_text(turn: Turn, saved: Saved) -> str:
    if saved.message:
        return saved.message
    if saved.report_id is not None:
        return t("report_saved", turn.lang, id=saved.report_id)
    if saved.status == "proposed":
        return t("proposal_saved", turn.lang, head=saved.head_name)
    status = t(f"status_{saved.status or 'pending'}", turn.lang)
    return t("form_saved", turn.lang, head=saved.head_name or "-", status=status)


async def _store(
    turn: Turn,
    record: FormSessionRecord,
    session: Session,
    status: str = "active",
    looked_up: list[str] | None = None,
) -> None:
    """Save the engine session; ``looked_up``: the typed numbers checked for duplicates so far
    (kept from ``record`` when None)."""
    state: dict[str, Any] = {"stage": "form", "engine": session.model_dump(mode="json")}
    if looked_up is None:
        looked_up = record.state.get("looked_up")
    if looked_up:
        state["looked_up"] = looked_up
    await turn.uow.sessions.save(record.id, status, state, turn.inbound.channel.value, turn.now)


async def _close(turn: Turn, record: FormSessionRecord, status: str, *, said: bool = True) -> Reply:
    await turn.uow.sessions.save(
        record.id, status, record.state, turn.inbound.channel.value, turn.now
    )
    reply = Reply([Text(t("form_cancelled", turn.lang))] if said else [])
    reply.messages.extend((await menu.show(turn)).messages)
    return reply


async def _form_gone(turn: Turn, record: FormSessionRecord) -> Reply:
    await turn.uow.sessions.save(
        record.id, "interrupted", record.state, turn.inbound.channel.value, turn.now
    )
    return Reply([Text(t("form_changed", turn.lang, form=record.form_id), Tone.WARNING)])
