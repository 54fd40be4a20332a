"""*Tenggat*: the deadlines that concern the viewer (with their area's progress), and for
Dinsos inside its kabupaten: add, edit (with the reminder plan shown before saving) and
cancel (after a confirm page). Camat and peratin read only.

The chat's use cases throughout: who sees what (``handlers/deadlines/view.py``), each typed
field read by the ``tenggat`` form's own question and the draft checked as the chat's saver
does (``handlers/deadlines/editing.py``), create / update / cancel (``model.py``), and the
plan from the planner's maths (``reminders/deadline_plan.py``).
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web

from bot.web.app import PREFIX, Page, see_other
from bot.web.render import WEB
from bot.web.session import new_secret
from flows import Form
from flows.host_types import local_value
from flows.regions import region_label
from flows.times import DEFAULT_OFFSETS, DEFAULT_REMIND_TIME, dotted
from handlers.deadlines import model, view
from handlers.deadlines.areas import RegionBook, area_lines, areas_of
from handlers.deadlines.editing import (
    draft_of,
    draft_problems,
    edit_record,
    form_context,
    read_typed,
)
from handlers.deadlines.model import DEADLINE_ROLES, MANAGER_ROLES, RECENT, Draft
from handlers.deadlines.saver import FORM_ID
from handlers.kit.dates import relative_day, when_text
from reminders.deadline_plan import PlanPreview, plan_preview
from storage.db import UnitOfWork
from storage.repos.deadlines import DeadlineRecord

__all__ = ["install"]

NOTICES = ("created", "updated", "cancelled")
_SENT = ("sent", "delivered", "read")
_WAITING = ("pending", "sending")


def install(app: web.Application) -> None:
    app.router.add_get("/tenggat", listing)
    app.router.add_get("/tenggat/baru", partial(_open, editing=False))
    app.router.add_post("/tenggat/baru", partial(_submit, editing=False))
    app.router.add_get(r"/tenggat/{id:\d{1,9}}/ubah", partial(_open, editing=True))
    app.router.add_post(r"/tenggat/{id:\d{1,9}}/ubah", partial(_submit, editing=True))
    app.router.add_get(r"/tenggat/{id:\d{1,9}}/batal", partial(_cancel, act=False))
    app.router.add_post(r"/tenggat/{id:\d{1,9}}/batal", partial(_cancel, act=True))


def _forbidden(page: Page) -> web.Response | None:
    if not page.viewer.holds(*MANAGER_ROLES):
        return page.error(403, "error_dinsos_only")
    return None


def _form(page: Page) -> Form:
    form = page.console.kawal.forms.latest(FORM_ID)
    if form is None:  # pragma: no cover - shipped with Kawal, checked when Kawal is built
        raise LookupError(FORM_ID)
    return form


# ---- the list ---------------------------------------------------------------------------------


async def listing(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    lang = page.lang

    async def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        rows = []
        for deadline in await view.visible(turn):
            previous, upcoming = model.occurrences_around(deadline, page.now)
            occurrence = upcoming or previous
            if occurrence is None or (upcoming is None and page.now - occurrence.due > RECENT):
                continue
            zone = model.zone_of(deadline)
            book = await RegionBook.load(uow, deadline.region_code)
            progress = [
                line
                for area in areas_of(view.matching_roles(turn, deadline), book)
                for line in area_lines(area, lang, laggards=3)
            ]
            manages = page.viewer.can_write and turn.in_scope(deadline.region_code, *MANAGER_ROLES)
            counts = await uow.outbox.count_by_status(model.campaign_prefix(deadline.id))
            rows.append(
                {
                    "id": deadline.id,
                    "title": deadline.title,
                    "when": when_text(occurrence.due, zone, lang),
                    "relative": relative_day(page.now, occurrence.due, zone, lang)
                    if upcoming
                    else "",
                    "passed": upcoming is None,
                    "repeat": model.repeat_text(model.recurrence_of(deadline), lang),
                    "region": book.label(deadline.region_code),
                    "roles": model.roles_text(deadline.roles, lang),
                    "reminders": Draft.of(deadline).reminders_text(lang),
                    "time": dotted(model.remind_time_of(deadline)),
                    "note": deadline.note,
                    "progress": progress,
                    "manages": manages,
                    "sent": sum(counts.get(s, 0) for s in _SENT),
                    "waiting": sum(counts.get(s, 0) for s in _WAITING),
                }
            )
        return rows

    rows = await page.console.db.run(work)
    notice = request.query.get("selesai", "")
    return page.render(
        "deadlines.html",
        section="deadlines",
        rows=rows,
        notice=notice if notice in NOTICES else "",
    )


# ---- add and edit -----------------------------------------------------------------------------


@dataclass
class Values:
    """The form's fields as typed (kept on every answer), and what is wrong with them."""

    title: str = ""
    due: str = ""
    repeat: str = "once"
    until: str = ""
    region: str = ""
    roles: list[str] = field(default_factory=lambda: ["operator", "peratin"])
    offsets: str = ",".join(str(d) for d in DEFAULT_OFFSETS)
    time: str = dotted(DEFAULT_REMIND_TIME)
    note: str = ""
    key: str = field(default_factory=new_secret)
    planned: str = ""  # the fingerprint of the draft whose plan was shown
    errors: dict[str, str] = field(default_factory=dict)  # beside each field
    problems: list[str] = field(default_factory=list)  # the draft's own checks

    def typed(self) -> dict[str, str]:
        return {
            "title": self.title,
            "due": self.due,
            "repeat": self.repeat,
            "until": self.until,
            "region": self.region,
            "roles": ",".join(self.roles),
            "offsets": self.offsets,
            "time": self.time,
            "note": self.note,
        }

    @classmethod
    def posted(cls, form: Any) -> Values:
        def text(name: str, limit: int = 400) -> str:
            return _printable(str(form.get(name, "")))[:limit]

        return cls(
            title=text("title"),
            due=text("due", 60),
            repeat=text("repeat", 20),
            until=text("until", 60),
            region=text("region", 40),
            roles=[str(r)[:20] for r in form.getall("roles", [])][:10],
            offsets=text("offsets", 60),
            time=text("time", 20),
            note=text("note", 1000),
            key=text("key", 100) or new_secret(),
            planned=text("planned", 100),
        )

    @classmethod
    def of_record(cls, record: dict[str, Any]) -> Values:
        """The fields of a deadline being edited, written as the form's examples are."""
        due = local_value(record.get("due"))
        until = record.get("until")
        return cls(
            title=str(record.get("title", "")),
            due=f"{due:%d-%m-%Y %H.%M}" if due else "",
            repeat=str(record.get("repeat", "once")),
            until=f"{until[8:10]}-{until[5:7]}-{until[:4]}" if isinstance(until, str) else "",
            region=str(record.get("region", "")),
            roles=list(record.get("roles") or []),
            offsets=",".join(str(d) for d in record.get("offsets") or []),
            time=str(record.get("time", "")).replace(":", "."),
            note=str(record.get("note") or ""),
        )


def _printable(text: str) -> str:
    """``text`` without control characters but the line break (a NUL cannot even be stored
    in PostgreSQL); Windows line breaks as ``\n``."""
    text = text.replace("\r\n", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def _fingerprint(draft: Draft) -> str:
    """Which draft a plan was shown for: saving another one shows its plan first."""
    data = json.dumps(draft.to_json(), sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:32]


@dataclass
class Shown:
    """What the form page shows besides the values: the regions offered, and after a valid
    preview the draft's summary and its plan."""

    regions: list[tuple[str, str]]  # code, label
    summary: list[str] = field(default_factory=list)
    plan: PlanPreview | None = None
    changed: bool = False  # "save" pressed on values whose plan was not shown


def _regions(context: dict[str, Any]) -> list[tuple[str, str]]:
    return [(code, region_label(code, name, kind)) for code, name, kind in context["regions"]]


def _deadline_id(page: Page, editing: bool) -> int | None:
    return int(page.request.match_info["id"]) if editing else None


async def _open(request: web.Request, *, editing: bool) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    deadline_id = _deadline_id(page, editing)
    quiet = page.console.options.quiet_hours

    async def work(uow: UnitOfWork) -> tuple[Values, Shown] | None:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        deadline = None
        if deadline_id is not None:
            deadline = await view.managed_deadline(turn, deadline_id)
            if deadline is None:
                return None
        context = await form_context(turn, quiet, deadline)
        if deadline is not None:
            values = Values.of_record(edit_record(deadline, page.now))
        else:
            roots = context["region_roots"]
            values = Values(region=roots[0] if roots else "")
        return values, Shown(_regions(context))

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_deadline_not_found")
    values, shown = found
    return _page(page, values, shown, deadline_id)


def _page(page: Page, values: Values, shown: Shown, deadline_id: int | None) -> web.Response:
    action = f"{PREFIX}/tenggat/{deadline_id}/ubah" if deadline_id else f"{PREFIX}/tenggat/baru"
    return page.render(
        "deadline_form.html",
        http_status=400 if values.errors or values.problems else 200,
        section="deadlines",
        v=values,
        shown=shown,
        plan=_plan_rows(shown.plan, page.lang) if shown.plan else None,
        deadline_id=deadline_id,
        action=action,
        roles=DEADLINE_ROLES,
        quiet=str(page.console.options.quiet_hours.text()),
    )


def _plan_rows(plan: PlanPreview, lang: str) -> dict[str, Any]:
    def when(at: Any) -> str:
        return when_text(at, plan.zone, lang) if at is not None else ""

    return {
        "due": when(plan.due),
        "steps": [
            {
                "name": WEB.t("dl_step_day", lang) if s.days == 0 else f"H-{s.days}",
                "when": when(s.at),
                "state": s.state,
                "moved": s.moved,
            }
            for s in plan.steps
        ],
        "recipients": plan.recipients,
        "people": plan.people,
        "escalation": when(plan.escalation_at),
        "escalated": plan.escalated,
        "quiet": plan.quiet.text(),
        "quiet_on": plan.quiet.enabled,
    }


@dataclass
class _Outcome:
    values: Values
    shown: Shown | None = None  # None: not found
    target: str = ""  # saved (or a double submit): where to go


async def _submit(request: web.Request, *, editing: bool) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    deadline_id = _deadline_id(page, editing)
    values = Values.posted(page.form)
    saving = page.form.get("action") == "save"
    quiet = page.console.options.quiet_hours
    form = _form(page)

    async def work(uow: UnitOfWork) -> _Outcome:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        deadline: DeadlineRecord | None = None
        if deadline_id is not None:
            deadline = await view.managed_deadline(turn, deadline_id)
            if deadline is None:
                if saving and (repeat := await page.repeated(uow, values.key)):
                    return _Outcome(values, target=repeat)  # a double submit of an edit
                return _Outcome(values)
        context = await form_context(turn, quiet, deadline)
        shown = Shown(_regions(context))
        typed = read_typed(form, values.typed(), context, page.lang)
        if typed.errors:
            values.errors = typed.errors
            return _Outcome(values, shown)
        draft = draft_of(typed.answers, context)
        values.problems = await draft_problems(turn, draft, context)
        if values.problems:
            return _Outcome(values, shown)
        fingerprint = _fingerprint(draft)
        if not saving or values.planned != fingerprint:
            book = await RegionBook.load(uow, draft.region_code)
            shown.summary = model.summary_lines(
                draft, book.label(draft.region_code), page.lang, page.now
            )
            shown.plan = await plan_preview(uow, draft, page.now, quiet, deadline_id=deadline_id)
            shown.changed = saving
            values.planned = fingerprint
            return _Outcome(values, shown)
        if (repeat := await page.repeated(uow, values.key)) is not None:
            return _Outcome(values, target=repeat or f"{PREFIX}/tenggat")
        by, now = page.viewer.person_id, page.now
        if deadline_id is None:
            saved = await model.create(uow, draft, by=by, channel="web", now=now)
            target = f"{PREFIX}/tenggat?selesai=created#tenggat-{saved}"
        else:
            if await model.update(uow, deadline_id, draft, by=by, channel="web", now=now) is None:
                return _Outcome(values)  # pragma: no cover - checked above, same transaction
            target = f"{PREFIX}/tenggat?selesai=updated#tenggat-{deadline_id}"
        return _Outcome(values, target=await page.done(uow, values.key, target))

    outcome = await page.console.db.run(work)
    if outcome.target:
        return see_other(outcome.target)
    if outcome.shown is None:
        return page.error(404, "error_deadline_not_found")
    return _page(page, outcome.values, outcome.shown, deadline_id)


# ---- cancel -----------------------------------------------------------------------------------


async def _cancel(request: web.Request, *, act: bool) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    deadline_id = int(request.match_info["id"])
    quiet = page.console.options.quiet_hours
    key = page.submit_key if act else ""

    async def work(uow: UnitOfWork) -> str | tuple[DeadlineRecord, str] | None:
        if act and (repeat := await page.repeated(uow, key)) is not None:
            return repeat or f"{PREFIX}/tenggat"
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        deadline = await view.managed_deadline(turn, deadline_id)
        if deadline is None:
            return None
        if act:
            await model.cancel(
                uow, deadline_id, by=page.viewer.person_id, channel="web", now=page.now, quiet=quiet
            )
            return await page.done(uow, key, f"{PREFIX}/tenggat?selesai=cancelled")
        previous, upcoming = model.occurrences_around(deadline, page.now)
        occurrence = upcoming or previous
        due = occurrence.due if occurrence else deadline.due_at
        return deadline, when_text(due, model.zone_of(deadline), page.lang)

    found = await page.console.db.run(work)
    if found is None:
        return page.error(404, "error_deadline_not_found")
    if isinstance(found, str):
        return see_other(found)
    deadline, when = found
    return page.render(
        "deadline_cancel.html",
        section="deadlines",
        question=WEB.t("dl_cancel_confirm", page.lang, title=deadline.title, when=when),
        action=f"{PREFIX}/tenggat/{deadline.id}/batal",
        key=new_secret(),
        back=f"{PREFIX}/tenggat#tenggat-{deadline.id}",
    )
