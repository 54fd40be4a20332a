"""The ``dl:`` buttons of the deadline view: a new deadline or an edit (the ``tenggat`` form,
run by the form runner like every form), manage, cancel."""

from __future__ import annotations

from flows.times import QuietHours
from handlers.deadlines import view
from handlers.deadlines.editing import form_context
from handlers.deadlines.model import MANAGER_ROLES, PAYLOAD_PREFIX
from handlers.deadlines.saver import FORM_ID
from handlers.forms import closing, runner
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Reply, Text, Tone
from storage.records import FormSessionRecord

__all__ = ["is_payload", "route"]


def is_payload(inbound: Inbound) -> bool:
    return inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX)


async def route(turn: Turn, open_session: FormSessionRecord | None, quiet: QuietHours) -> Reply:
    """A ``dl:`` button of the deadline view (``quiet``: no reminder is set in those hours,
    and a cancellation notice waits for their end)."""
    action, _, arg = turn.inbound.payload.removeprefix(PAYLOAD_PREFIX).partition(":")
    if not turn.roles(*MANAGER_ROLES):
        return Reply([Text(t("dlf_not_allowed", turn.lang), Tone.ERROR)])
    deadline_id = int(arg) if arg.isdigit() and len(arg) < 10 else 0
    if action in ("new", "edit") and open_session is not None:
        return await closing.open_elsewhere(turn, open_session)
    match action:
        case "new":
            context = await form_context(turn, quiet)
            title = t("dlf_intro_new", turn.lang)
            return await runner.start_with_context(turn, FORM_ID, context, title)
        case "edit":
            return await _start_edit(turn, deadline_id, quiet)
        case "manage":
            return await view.manage(turn, deadline_id)
        case "cancel":
            return await view.confirm_cancel(turn, deadline_id)
        case "cancel-yes":
            return await view.do_cancel(turn, deadline_id, quiet)
    return await view.show(turn)


async def _start_edit(turn: Turn, deadline_id: int, quiet: QuietHours) -> Reply:
    """The form on the deadline's review, every answer taken from it (``edit_record``)."""
    deadline = await view.managed_deadline(turn, deadline_id)
    if deadline is None:
        return view.not_found(turn)
    context = await form_context(turn, quiet, deadline)
    title = t("dlf_intro_edit", turn.lang, id=deadline.id, title=deadline.title)
    return await runner.start_with_context(turn, FORM_ID, context, title, review=True)
