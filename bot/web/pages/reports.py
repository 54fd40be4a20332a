"""*Laporan kendala*: the problem reports of the viewer's area (open first, then answered), and
Dinsos' answer form. The answer goes back to the operator's chat through the chat's use case
(``handlers/reports/view.py``: outbox message, report "dijawab", audit log).

Only Dinsos (and admin: ``REPORT_ROLES``) reads and answers them, inside its own area, as in
the chat, where camat and peratin see only how many are open (on *Progres*): a report may
name a family's hardship or a colleague, and the chat gives them no route to its text. A
NIK or No. KK typed into a report is masked, as in the chat. Sending the same answer twice
(a double submit) queues it once.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.web.app import PREFIX, Page, see_other
from bot.web.render import WEB
from flows.ids import mask_ids_in_text
from flows.regions import timezone_for
from handlers.kit.dates import short_datetime
from handlers.reports import view as reports
from storage.db import UnitOfWork
from storage.repos.problem_reports import ProblemReportRecord

__all__ = ["install"]

SHOWN = 100
ANSWER_MIN, ANSWER_MAX = 5, 1000  # as the chat's balas_laporan form


def install(app: web.Application) -> None:
    app.router.add_get("/laporan", inbox)
    app.router.add_get(r"/laporan/{id:\d{1,9}}", one)
    app.router.add_post(r"/laporan/{id:\d{1,9}}", answer)


async def _row(page: Page, uow: UnitOfWork, report: ProblemReportRecord) -> dict[str, Any]:
    turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
    village = await uow.regions.get(report.region_code)
    operator = await uow.people.name_and_lang(report.person_id)
    zone = timezone_for(report.region_code)
    return {
        "id": report.id,
        "status": report.status,
        "when": short_datetime(report.created_at, zone, page.lang),
        "village": village.name if village else report.region_code,
        "operator": operator[0] if operator else "-",
        "category": reports.category_label(turn, report.category, page.lang),
        "text": mask_ids_in_text(report.text),
        "answer": mask_ids_in_text(report.answer or ""),
        "answered": short_datetime(report.answered_at, zone, page.lang)
        if report.answered_at
        else "",
        "can_answer": page.viewer.in_scope(report.region_code, *reports.REPORT_ROLES),
    }


def _forbidden(page: Page) -> web.Response | None:
    if not page.viewer.holds(*reports.REPORT_ROLES):
        return page.error(403, "error_dinsos_only")
    return None


async def inbox(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused

    async def work(uow: UnitOfWork) -> list[dict[str, Any]]:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        areas = turn.areas(*reports.REPORT_ROLES)
        found = await uow.problem_reports.inbox(*areas, limit=SHOWN) if areas else []
        return [await _row(page, uow, report) for report in found]

    rows = await page.console.db.run(work)
    return page.render(
        "reports.html",
        section="reports",
        rows=rows,
        open=sum(1 for r in rows if r["status"] == "open"),
        answered=request.query.get("selesai") == "1",
    )


async def _report(page: Page, uow: UnitOfWork, report_id: int) -> ProblemReportRecord | None:
    """The report when it lies in the viewer's area; None as for an unknown id."""
    report = await uow.problem_reports.get(report_id)
    if report is None or not page.viewer.in_scope(report.region_code, *reports.REPORT_ROLES):
        return None
    return report


async def _page(page: Page, text: str = "", error: str = "") -> web.Response:
    report_id = int(page.request.match_info["id"])

    async def work(uow: UnitOfWork) -> dict[str, Any] | None:
        report = await _report(page, uow, report_id)
        return await _row(page, uow, report) if report else None

    row = await page.console.db.run(work)
    if row is None:
        return page.error(404, "error_report_not_found")
    return page.render(
        "report_answer.html",
        http_status=400 if error else 200,
        section="reports",
        r=row,
        text=text,
        error=error,
    )


async def one(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if (refused := _forbidden(page)) is not None:
        return refused
    return await _page(page)


async def answer(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    report_id = int(request.match_info["id"])
    text = str(page.form.get("answer", "")).replace("\r\n", "\n")[: ANSWER_MAX * 2]
    cleaned = " ".join(text.split())
    if (refused := _forbidden(page)) is not None:
        return refused
    if len(cleaned) < ANSWER_MIN:
        return await _page(page, text, WEB.t("rep_answer_short", page.lang, n=ANSWER_MIN))
    if len(cleaned) > ANSWER_MAX:
        error = WEB.t("rep_answer_long", page.lang, n=ANSWER_MAX, length=len(cleaned))
        return await _page(page, text, error)

    async def work(uow: UnitOfWork) -> bool:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        report = await reports.reportable(turn, report_id)
        if report is None:
            return False
        if report.answer != cleaned or report.answered_by != page.viewer.person_id:
            await reports.answer_report(turn, report_id, cleaned)  # else: a double submit
        return True

    if not await page.console.db.run(work):
        return page.error(404, "error_report_not_found")
    return see_other(f"{PREFIX}/laporan?selesai=1")
