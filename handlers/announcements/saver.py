"""Writing an announcement: the ``pengumuman`` form (``flows/forms/pengumuman.yaml``), opened
by ``ann:new`` and run by the form runner like every form. Its saver sends it on KIRIM; its
review adds the message as recipients will see it and how many it reaches. Only Dinsos
announces, and only inside its own kabupaten: regions chosen that left the officer's scope
are refused at KIRIM. The runner closes the form in the same transaction that stores the
announcement, so a second KIRIM finds nothing open and sends nothing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from flows import Completed, Form, Session
from flows.host_types import local_value, zone_of
from flows.regions import timezone_for
from flows.review import review_paths
from flows.times import QuietHours, local_instant
from handlers.announcements import model as announcements
from handlers.announcements.model import ANNOUNCER_ROLES, Draft
from handlers.announcements.sending import send_plan, send_plan_text
from handlers.announcements.view import VIEW_PREFIX, not_allowed
from handlers.forms import closing, runner
from handlers.forms.savers import LostAccess, Saved, Saver, engine_state
from handlers.kit.context import Turn
from handlers.kit.i18n import t, tn
from handlers.kit.scope import composer_context
from handlers.messages import Chart, Document, Option, Outbound, Question, Reply, Text
from storage.records import FormSessionRecord

__all__ = ["FORM_ID", "SAVERS", "draft_of", "start"]

FORM_ID = "pengumuman"
FIELDS = frozenset({"message", "regions", "roles", "when"})
_CANCEL = "__cancel__"  # the engine's cancel value (flows.positions.CANCEL)


async def start(
    turn: Turn, open_session: FormSessionRecord | None, quiet: QuietHours, nudge_hours: int
) -> Reply:
    """``ann:new``: a new composer, the open one again, or a word about another open form."""
    if not turn.roles(*ANNOUNCER_ROLES):
        return not_allowed(turn)
    if open_session is not None and open_session.form_id == FORM_ID:
        return await runner.resume_open(turn)
    if open_session is not None:
        return await closing.open_elsewhere(turn, open_session)
    context = await composer_context(
        turn, ANNOUNCER_ROLES, quiet_hours=str(quiet), nudge_hours=nudge_hours
    )
    return await runner.start_with_context(turn, FORM_ID, context, t("anf_intro", turn.lang))


def draft_of(answers: Mapping[str, Any], context: Mapping[str, Any]) -> Draft:
    """The announcement the answers describe; a send time is local time of its regions (a
    kabupaten lies in one province, so in one zone)."""
    message = answers.get("message")
    message = message if isinstance(message, dict) else {}
    regions = tuple(answers.get("regions") or ())
    local = local_value(answers.get("when"))
    scheduled = None
    if local is not None:
        zone = timezone_for(regions[0]) if regions else zone_of(context)
        scheduled = local_instant(local.date(), local.time(), zone)
    nudge = context.get("nudge_hours")
    return Draft(
        text=str(message.get("text") or ""),
        region_codes=regions,
        roles=tuple(answers.get("roles") or ()),
        media_path=message.get("media_path"),
        media_kind=message.get("media_kind"),
        scheduled_at=scheduled,
        nudge_after_hours=nudge if isinstance(nudge, int) else announcements.DEFAULT_NUDGE_HOURS,
    )


def _zone(draft: Draft, context: Mapping[str, Any]) -> str:
    return timezone_for(draft.region_codes[0]) if draft.region_codes else zone_of(context)


async def _access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    """A Dinsos role is enough to go on (regions that left its scope are refused at KIRIM)."""
    if turn.roles(*ANNOUNCER_ROLES):
        return None
    context, answers = engine_state(record)
    codes = answers.get("regions") or context.get("region_roots") or []
    return LostAccess(codes[0] if codes and isinstance(codes[0], str) else None)


async def _check(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> list[str]:
    context, _ = engine_state(record)
    draft = draft_of(completed.answers, context)
    scope = [r.region_code for r in turn.roles(*ANNOUNCER_ROLES)]
    errors = await announcements.problems(turn.uow, draft, scope, turn.now, turn.lang)
    found = await announcements.audience(turn.uow, draft.region_codes, draft.roles)
    if not errors and found.total == 0:
        errors.append(t("anf_nobody", turn.lang))
    return errors


async def _save(turn: Turn, record: FormSessionRecord, form: Form, completed: Completed) -> Saved:
    context, _ = engine_state(record)
    draft = draft_of(completed.answers, context)
    lang = turn.lang
    found = await announcements.audience(turn.uow, draft.region_codes, draft.roles)
    quiet = _quiet(context)
    announcement_id = await announcements.create(
        turn.uow,
        draft,
        by=turn.me.person_id,
        channel=turn.inbound.channel.value,
        now=turn.now,
        quiet=quiet,
    )
    # When the copies really go out: each waits for the end of the quiet hours in its
    # recipient's zone, as the fan-out does (handlers.announcements.sending).
    zones = [timezone_for(holder.region_code) for holder in found.holders]
    plan = send_plan(draft.scheduled_at or turn.now, zones, quiet)
    text = send_plan_text(
        plan,
        announcement_id,
        _zone(draft, context),
        lang,
        scheduled=draft.scheduled_at is not None,
        quiet=quiet,
    )
    buttons = (
        Option(
            f"{VIEW_PREFIX}rep:{announcement_id}", t("ann_report_button", lang, id=announcement_id)
        ),
        Option(VIEW_PREFIX + "list", t("ann_list_button", lang)),
    )
    return Saved(None, None, None, messages=(Question(text, buttons),))


def _quiet(context: Mapping[str, Any]) -> QuietHours:
    try:
        return QuietHours.parse(str(context.get("quiet_hours", "")))
    except ValueError:
        return QuietHours()


async def _review(
    turn: Turn, record: FormSessionRecord, session: Session, messages: list[Outbound], full: bool
) -> list[Outbound]:
    """The preview (when the answers are listed) and, on the question, who it reaches; when
    nobody, buttons to change the regions or the roles instead of KIRIM."""
    lang = turn.lang
    draft = draft_of(session.answers, session.context)
    found = await announcements.audience(turn.uow, draft.region_codes, draft.roles)
    head: list[Outbound] = []
    if full:
        head.append(Text(t("anf_preview_head", lang)))
        if draft.media_path and draft.media_kind == "photo":
            head.append(Chart(draft.media_path))
        elif draft.media_path:
            head.append(Document(draft.media_path, file_name=PurePath(draft.media_path).name))
        head.append(Text(t("ann_message", lang, id="…", text=draft.text.strip())))
    *before, ask = messages
    if not isinstance(ask, Question):  # pragma: no cover - the review ends with its question
        return messages
    if found.total == 0:
        form = turn.forms.get(session.form_id, session.form_version)
        paths = review_paths(form, session) if form is not None else []
        region = str(paths.index("regions") + 1) if "regions" in paths else "2"
        roles = str(paths.index("roles") + 1) if "roles" in paths else "3"
        options = (
            Option(region, t("anf_edit_region", lang)),
            Option(roles, t("anf_edit_roles", lang)),
            Option(_CANCEL, t("anf_cancel", lang)),
        )
        text = t("anf_review_nobody", lang, region=region, roles=roles)
        return [*head, *before, Question(text, options, numbered=False)]
    notes = announcements.preview_lines(found, lang)
    quiet = _quiet_note(turn, draft, session.context)
    if quiet:
        notes.append(quiet)
    if draft.nudge_after_hours:
        hours = draft.nudge_after_hours
        notes.append(tn("anf_nudge_note", hours, lang, hours=hours))
    text = "\n".join(notes) + "\n\n" + ask.text
    return [*head, *before, Question(text, ask.options, numbered=False)]


def _quiet_note(turn: Turn, draft: Draft, context: Mapping[str, Any]) -> str:
    """A word when the announcement would arrive in the quiet hours: it waits for the morning."""
    quiet = _quiet(context)
    local = (draft.scheduled_at or turn.now).astimezone(ZoneInfo(_zone(draft, context)))
    if not quiet.contains(local.time()):
        return ""
    return t(
        "anf_quiet_note",
        turn.lang,
        time=local.strftime("%H.%M"),
        quiet=f"{quiet.start:%H.%M}–{quiet.end:%H.%M}",
        end=f"{quiet.end:%H.%M}",
    )


SAVERS: tuple[Saver, ...] = (
    Saver(FORM_ID, FIELDS, _save, check=_check, access=_access, review=_review),
)
