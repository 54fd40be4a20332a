"""The savers of the problem-report forms: ``lapor_kendala`` (an operator reports a problem to
Dinsos) and ``balas_laporan`` (Dinsos answers it)."""

from __future__ import annotations

from flows import Completed, Form
from handlers.forms.savers import AccessEnded, LostAccess, Saved, Saver
from handlers.forms.saving import add_submission, opened_in
from handlers.kit.context import Turn
from handlers.reports import view as reports
from storage.records import FormSessionRecord

__all__ = ["SAVERS"]


async def _save_report(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> Saved:
    """The report, in the village the form was opened in, and a word to Dinsos about it."""
    uow, now, person_id = turn.uow, turn.now, turn.me.person_id
    channel = turn.inbound.channel.value
    region_code = opened_in(record)
    answers = completed.answers
    submission_id = await add_submission(turn, record, form, completed, None, region_code)
    report_id = await uow.problem_reports.add(
        person_id,
        channel,
        region_code,
        str(answers.get("category", "lainnya")),
        str(answers.get("text", "")),
        now,
        photo_ref=answers.get("screenshot"),
        submission_id=submission_id,
    )
    await uow.audit.add(
        "problem_report.created",
        "problem_report",
        str(report_id),
        now,
        person_id=person_id,
        channel=channel,
        region_code=region_code,
        after={"category": answers.get("category"), "submission": submission_id},
        detail=form.id,
    )
    await reports.notify_dinsos(turn, report_id)
    return Saved(None, None, submission_id, report_id=report_id)


async def _reply_access(turn: Turn, record: FormSessionRecord) -> LostAccess | None:
    """The answer to a report: a Dinsos or admin role over the report's village."""
    engine = record.state.get("engine")
    context = engine.get("context") if isinstance(engine, dict) else None
    report_id = context.get("report_id") if isinstance(context, dict) else None
    report = await turn.uow.problem_reports.get(report_id) if isinstance(report_id, int) else None
    if report is not None and turn.in_scope(report.region_code, *reports.REPORT_ROLES):
        return None
    return LostAccess(report.region_code if report else None)


async def _save_answer(
    turn: Turn, record: FormSessionRecord, form: Form, completed: Completed
) -> Saved:
    lost = await _reply_access(turn, record)
    if lost is not None:
        raise AccessEnded(lost)
    message = await reports.save_answer(turn, record, completed.answers)
    return Saved(None, None, None, message=message)


SAVERS: tuple[Saver, ...] = (
    Saver("lapor_kendala", frozenset({"category", "text", "screenshot"}), _save_report),
    Saver(reports.REPLY_FORM, frozenset({"answer"}), _save_answer, access=_reply_access),
)
