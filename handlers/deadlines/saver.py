"""The saver of the ``tenggat`` form (``flows/forms/tenggat.yaml``): a new deadline, or a new
revision of the one being edited. Who may go on: a Dinsos or admin role, and for an edit one
over the deadline's region; a deadline cancelled meanwhile is told at saving."""

from __future__ import annotations

from flows import Completed, Form
from flows.times import dotted
from handlers.deadlines import model as deadlines
from handlers.deadlines import view
from handlers.deadlines.editing import FIELDS, draft_of, draft_problems, editing_id
from handlers.deadlines.model import MANAGER_ROLES
from handlers.forms.savers import LostAccess, Saved, Saver, engine_state
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Text, Tone
from storage.records import FormSessionRecord

__all__ = ["FORM_ID", "SAVERS", "draft_of"]

FORM_ID = "tenggat"


async def _access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    context, answers = engine_state(record)
    region = answers.get("region")
    if turn.roles(*MANAGER_ROLES):
        deadline_id = editing_id(context)
        if deadline_id is None:
            return None
        deadline = await turn.uow.deadlines.get(deadline_id)
        if deadline is None or turn.in_scope(deadline.region_code, *MANAGER_ROLES):
            return None
        region = deadline.region_code
    return LostAccess(region if isinstance(region, str) else None)


async def _check(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> list[str]:
    context, _ = engine_state(record)
    return await draft_problems(turn, draft_of(completed.answers, context), context)


async def _save(turn: Turn, record: FormSessionRecord, form: Form, completed: Completed) -> Saved:
    context, _ = engine_state(record)
    draft = draft_of(completed.answers, context)
    channel, lang = turn.inbound.channel.value, turn.lang
    deadline_id = editing_id(context)
    if deadline_id is not None:
        revision = await deadlines.update(
            turn.uow, deadline_id, draft, by=turn.me.person_id, channel=channel, now=turn.now
        )
        if revision is None:  # cancelled meanwhile
            return Saved(None, None, None, messages=tuple(view.not_found(turn).messages))
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
            time=dotted(draft.remind_time),
        )
    listing = (await view.show(turn)).messages
    return Saved(None, None, None, messages=(Text(text, Tone.SUCCESS), *listing))


SAVERS: tuple[Saver, ...] = (
    Saver(FORM_ID, frozenset(FIELDS), _save, check=_check, access=_access),
)
