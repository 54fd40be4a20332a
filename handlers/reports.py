"""Problem reports ("Lapor kendala") as Dinsos sees them: the open reports in its scope.

Operators file reports through the ``lapor_kendala`` form (saved in ``handlers.saving``);
answering them is a later issue.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flows.validators import mask_ids_in_text
from handlers.context import Turn
from handlers.i18n import t
from handlers.messages import Reply, Text, Tone

REPORT_ROLES = ("dinsos", "admin")
SHOWN = 10


async def show_open(turn: Turn) -> Reply:
    roles = turn.roles(*REPORT_ROLES)
    if not roles:
        return Reply([Text(t("not_allowed", turn.lang, role=t("role_dinsos", turn.lang)))])
    region = roles[0]
    reports = await turn.uow.problem_reports.open_in(region.region_code, limit=SHOWN)
    if not reports:
        return Reply([Text(t("reports_none", turn.lang, region=region.region_name), Tone.SUCCESS)])
    form = turn.forms.latest("lapor_kendala")
    question = form.question("category") if form else None
    labels = {c.value: c.label.get(turn.lang) for c in (question.choices or [])} if question else {}
    lines = [t("reports_title", turn.lang, region=region.region_name, n=len(reports))]
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
                category=labels.get(report.category, report.category),
                # Free text may carry a NIK: Dinsos sees the report, not the record.
                text=mask_ids_in_text(report.text)[:300],
            )
        )
    return Reply([Text("\n\n".join(lines))])
