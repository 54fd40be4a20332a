"""*Kualitas data*: the chat's data quality report (``handlers/quality/view.py``) as a page:
the same summary, then the findings (NIK ganda, NIK tidak cocok, households untouched per
village, the longest untouched first), and a link to the same XLSX on *Ekspor*, for the same date.

Dinsos (and admin) only, over its own areas. NIK and No. KK are shown in full only to Dinsos
and only inside its area (as in the workbook); each view is noted in the processing log.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.web.app import PREFIX, Page
from bot.web.render import WEB
from flows.dates import parse_date
from flows.ids import mask_nik
from flows.regions import timezone_for
from handlers.kit.dates import short_datetime
from handlers.quality import view as quality
from storage.db import UnitOfWork

__all__ = ["install"]

LISTED = 100  # rows per finding on the page; the workbook has them all


def install(app: web.Application) -> None:
    app.router.add_get("/kualitas", page_view)


def _nik(value: str | None, region: str, full: list[str]) -> str:
    if not value:
        return ""
    inside = any(region == a or region.startswith(a + ".") for a in full)
    return value if inside else mask_nik(value)


def typed_since(request: web.Request) -> str:
    """The "not touched since" date as typed (``?sejak=``), spaces tidied; "" for the default."""
    return " ".join(request.query.get("sejak", "").split())[:30]


def since_is_valid(page: Page, typed: str) -> bool:
    """Whether the report takes ``typed`` (a past or today's date in the viewer's zone)."""
    areas = [r.region_code for r in page.viewer.roles if r.role in quality.QUALITY_ROLES]
    zone = timezone_for(areas[0]) if areas else "Asia/Jakarta"
    found = quality.untouched_since(typed or None, page.now, 0, zone, page.lang)
    return not isinstance(found, str)


def _since_error(typed: str, lang: str) -> str:
    if parse_date(typed) is None:
        return WEB.t("qual_since_invalid", lang, value=typed[:30])
    return WEB.t("qual_since_future", lang)


async def page_view(request: web.Request) -> web.StreamResponse:
    page = Page.of(request)
    if not page.viewer.holds(*quality.QUALITY_ROLES):
        return page.error(403, "error_dinsos_only")
    typed = typed_since(request)
    options = page.console.options
    full = [r.region_code for r in page.viewer.roles if r.role in quality.FULL_NIK_ROLES]
    lang = page.lang

    async def work(uow: UnitOfWork) -> list[dict[str, Any]] | str:
        turn = page.viewer.turn(uow, page.now, page.console.kawal.forms)
        areas = turn.areas(*quality.QUALITY_ROLES)
        zone = timezone_for(areas[0])
        since = quality.untouched_since(typed or None, page.now, options.untouched_days, zone, lang)
        if isinstance(since, str):
            return _since_error(typed, lang)
        shown = []
        for code in areas:
            report = await quality.gather(uow, code, since, lang, untouched_limit=LISTED)
            if report is None:
                continue
            await page.logged(uow, "view", f"quality:{code}", code)
            shown.append(_report(report, full, lang))
        return shown

    found = await page.console.db.run(work)
    error = found if isinstance(found, str) else ""
    return page.render(
        "quality.html",
        http_status=400 if error else 200,
        section="quality",
        reports=[] if error else found,
        since=typed,
        error=error,
        download=f"{PREFIX}/ekspor/kualitas.xlsx"
        + (f"?{urlencode({'sejak': typed})}" if typed else ""),
    )


def _report(report: quality.QualityReport, full: list[str], lang: str) -> dict[str, Any]:
    names = report.names
    zone = report.timezone
    return {
        "code": report.code,
        "summary": quality.summary(report, lang),
        "empty": report.empty,
        "duplicates": [
            {
                "nik": _nik(f.nik, f.region_code, full),
                "name": f.name if _nik(f.nik, f.region_code, full) == f.nik else "",
                "village": names.get(f.region_code, f.region_code),
                "household": f.household_id,
            }
            for f in report.duplicates[:LISTED]
        ],
        "mismatches": [
            {
                "nik": _nik(m.finding.nik, m.finding.region_code, full),
                "name": m.finding.name,
                "village": names.get(m.finding.region_code, m.finding.region_code),
                "household": m.finding.household_id,
                "recorded": " ".join(
                    x
                    for x in (
                        m.finding.sex or "",
                        m.finding.birth_date.strftime("%d-%m-%Y") if m.finding.birth_date else "",
                    )
                    if x
                ),
                "in_nik": m.unreadable
                or " ".join(
                    x
                    for x in (
                        m.nik_sex or "",
                        m.nik_birth_date.strftime("%d-%m-%y") if m.nik_birth_date else "",
                    )
                    if x
                ),
            }
            for m in report.mismatches[:LISTED]
        ],
        "villages": [
            {
                "village": names.get(v.region_code, v.region_code),
                "households": v.households,
                "oldest": short_datetime(v.oldest, zone, lang),
            }
            for v in sorted(report.untouched_villages, key=lambda v: -v.households)[:LISTED]
        ],
        "untouched_total": report.untouched_total,
    }
