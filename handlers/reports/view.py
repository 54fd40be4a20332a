"""Problem reports ("Lapor kendala") between operators and Dinsos.

An operator files a report with the ``lapor_kendala`` form (saved in ``handlers.forms.saving``); it
reaches every Dinsos officer (and admin) whose region holds the village at once, as an outbox
message with a "Balas" button. The officer answers through the ``balas_laporan`` form (from that
button, from the "Laporan kendala" list, or by typing ``BALAS 12``: ``prepare_reply``, opened by
``handlers.app``); the answer goes back to the operator through the outbox and the report
becomes "dijawab" (``save_answer``, called by ``handlers.forms.saving``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flows.ids import mask_ids_in_text
from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone, to_data
from storage.records import FormSessionRecord
from storage.repos.outbox import NewMessage, Priority
from storage.repos.problem_reports import ProblemReportRecord

REPORT_ROLES = ("dinsos", "admin")
REPLY_PREFIX = "report:reply:"
REPLY_FORM = "balas_laporan"
SHOWN = 10
TEXT_SHOWN = 300
_REPLY_WORD = re.compile(r"^\s*(?:balas|reply)\s*#?\s*(\d{1,9})\s*$", re.I)


def reply_request(inbound: Inbound) -> int | None:
    """The report id when the message asks to answer one (the button, or ``BALAS 12``)."""
    if inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(REPLY_PREFIX):
        number = inbound.payload.removeprefix(REPLY_PREFIX)
        return int(number) if number.isdigit() and len(number) <= 9 else None
    if inbound.kind is InboundKind.TEXT and (match := _REPLY_WORD.match(inbound.text)):
        return int(match.group(1))
    return None


def category_label(turn: Turn, value: str, lang: str) -> str:
    form = turn.forms.latest("lapor_kendala")
    question = form.question("category") if form else None
    for choice in (question.choices or []) if question else []:
        if choice.value == value:
            return choice.label.get(lang)
    return value


def _short(text: str) -> str:
    """Report text for Dinsos: a NIK or KK in it is masked (Dinsos sees the report, not the
    record), and long texts are cut for a phone screen."""
    masked = mask_ids_in_text(text)
    return masked if len(masked) <= TEXT_SHOWN else masked[: TEXT_SHOWN - 1] + "…"


# ---- operator -> Dinsos ---------------------------------------------------------------------


async def notify_dinsos(turn: Turn, report_id: int) -> int:
    """Queue the new report for every Dinsos officer and admin over its village; how many."""
    report = await turn.uow.problem_reports.get(report_id)
    if report is None:  # pragma: no cover - saved just before in the same transaction
        raise LookupError(report_id)
    village = await turn.uow.regions.get(report.region_code)
    village_name = village.name if village else report.region_code
    messages: dict[int, NewMessage] = {}
    for holder in await turn.uow.people.role_holders(
        REPORT_ROLES, report.region_code, covering=True
    ):
        if holder.person_id in messages or holder.person_id == report.person_id:
            continue
        lang = holder.lang
        category = category_label(turn, report.category, lang)
        text = t(
            "report_push",
            lang,
            id=report.id,
            village=village_name,
            operator=turn.me.name,
            category=category,
            text=_short(report.text),
        )
        button = Option(f"{REPLY_PREFIX}{report.id}", t("report_reply_button", lang))
        messages[holder.person_id] = NewMessage(
            campaign=f"report:{report.id}",
            kind="report",
            person_id=holder.person_id,
            payload=to_data([Question(text, (button,))]),
            region_code=holder.region_code,
            role=holder.role,
            template={
                "kind": "report",
                "params": [str(report.id), village_name, category, _short(report.text)],
            },
            priority=Priority.CONVERSATION,
        )
    return await turn.uow.outbox.enqueue(list(messages.values()), turn.now)


# ---- Dinsos: the list and the answer ------------------------------------------------------------


def report_areas(turn: Turn) -> list[str]:
    """The regions of all the person's Dinsos / admin roles, widest first, without those
    inside another (a report is listed and counted once)."""
    return turn.areas(*REPORT_ROLES)


async def open_count(turn: Turn) -> int:
    """Open reports over all the person's Dinsos / admin regions (0 without such a role)."""
    areas = report_areas(turn)
    return await turn.uow.problem_reports.count_open(*areas) if areas else 0


async def show_open(turn: Turn) -> Reply:
    areas = report_areas(turn)
    if not areas:
        return Reply([Text(t("not_allowed", turn.lang, role=t("role_dinsos", turn.lang)))])
    names = {r.region_code: r.region_name for r in turn.roles(*REPORT_ROLES)}
    where = ", ".join(names.get(code, code) for code in areas)
    total = await turn.uow.problem_reports.count_open(*areas)
    reports = await turn.uow.problem_reports.open_in(*areas, limit=SHOWN) if total else []
    if not reports:
        return Reply([Text(t("reports_none", turn.lang, region=where), Tone.SUCCESS)])
    lines = [t("reports_title", turn.lang, region=where, n=total)]
    options = []
    for report in reports:
        village = await turn.uow.regions.get(report.region_code)
        zone = ZoneInfo(village.timezone if village else "Asia/Jakarta")
        lines.append(
            t(
                "report_line",
                turn.lang,
                id=report.id,
                when=report.created_at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
                village=village.name if village else report.region_code,
                category=category_label(turn, report.category, turn.lang),
                text=_short(report.text),
            )
        )
        label = t("report_reply_option", turn.lang, id=report.id)
        options.append(Option(f"{REPLY_PREFIX}{report.id}", label))
    if total > len(reports):
        lines.append(t("reports_more", turn.lang, shown=len(reports), n=total))
    lines.append(t("reports_reply_hint", turn.lang))
    return Reply([Question("\n\n".join(lines), tuple(options))])


async def reportable(turn: Turn, report_id: int) -> ProblemReportRecord | None:
    """The report when this person may answer it (Dinsos or admin over its village)."""
    report = await turn.uow.problem_reports.get(report_id)
    if report is None or not turn.in_scope(report.region_code, *REPORT_ROLES):
        return None
    return report


@dataclass(frozen=True, slots=True)
class ReplyStart:
    """What opening the ``balas_laporan`` form needs: its context and the title shown."""

    context: dict[str, Any]
    title: str


async def prepare_reply(turn: Turn, report_id: int) -> Reply | ReplyStart:
    """The form to open for answering ``report_id``, or the refusal to send instead."""
    if not turn.roles(*REPORT_ROLES):
        return Reply([Text(t("not_allowed", turn.lang, role=t("role_dinsos", turn.lang)))])
    report = await reportable(turn, report_id)
    if report is None:
        # An unknown id and one outside the officer's area get the same answer.
        return Reply([Text(t("report_not_found", turn.lang, id=report_id), Tone.ERROR)])
    village = await turn.uow.regions.get(report.region_code)
    operator = await turn.uow.people.name_and_lang(report.person_id)
    title = t(
        "report_reply_title",
        turn.lang,
        id=report.id,
        village=village.name if village else report.region_code,
        operator=operator[0] if operator else "-",
        category=category_label(turn, report.category, turn.lang),
        text=_short(report.text),
    )
    if report.answer:
        title += "\n" + t("report_reply_previous", turn.lang, answer=_short(report.answer))
    return ReplyStart({"record": {}, "report_id": report.id}, title)


async def save_answer(turn: Turn, record: FormSessionRecord, answers: dict[str, Any]) -> str:
    """Store the answer and queue it for the operator; the text to show the officer."""
    report_id = int(record.state["engine"]["context"]["report_id"])
    return await answer_report(turn, report_id, str(answers.get("answer", "")))


async def answer_report(turn: Turn, report_id: int, text: str) -> str:
    """Store Dinsos' answer and queue it for the operator (the chat's form and the web
    console both end here); the text to show the officer. The caller checked the answer's
    length (``balas_laporan``: 5 to 1000 characters)."""
    report = await reportable(turn, report_id)  # the role may have gone since the form began
    if report is None:
        return t("report_not_found", turn.lang, id=report_id)
    answer = " ".join(text.split())
    await turn.uow.problem_reports.answer(report.id, answer, turn.me.person_id, turn.now)
    operator = await turn.uow.people.name_and_lang(report.person_id)
    name, lang = operator if operator else ("-", turn.lang)
    earlier = await turn.uow.outbox.for_person(report.person_id, f"report:{report.id}:answer:")
    text = t(
        "report_answer_push",
        lang,
        id=report.id,
        category=category_label(turn, report.category, lang),
        answer=answer,
        officer=turn.me.name,
    )
    await turn.uow.outbox.enqueue(
        [
            NewMessage(
                campaign=f"report:{report.id}:answer:{len(earlier) + 1}",
                kind="report_answer",
                person_id=report.person_id,
                payload=to_data([Text(text)]),
                region_code=report.region_code,
                role="operator",
                template={"kind": "report_answer", "params": [str(report.id), answer]},
                priority=Priority.CONVERSATION,
            )
        ],
        turn.now,
    )
    await turn.uow.audit.add(
        "problem_report.answered",
        "problem_report",
        str(report.id),
        turn.now,
        person_id=turn.me.person_id,
        channel=turn.inbound.channel.value,
        region_code=report.region_code,
        after={"answer_length": len(answer)},
    )
    return t("report_answer_sent", turn.lang, id=report.id, operator=name)
