"""Progress of household updates in the regions a person oversees (peratin, camat, Dinsos)."""

from __future__ import annotations

from handlers.context import Turn
from handlers.i18n import t
from handlers.messages import Reply, Text

# A household counts as done once it has been looked at: verified, updated or found gone.
DONE_STATUSES = ("verified", "updated", "not_found")
_STATUSES = ("pending", "verified", "updated", "not_found", "proposed")


async def show(turn: Turn) -> Reply:
    reply = Reply()
    seen: set[str] = set()
    for role in turn.roles("peratin", "camat", "dinsos", "admin"):
        if role.region_code in seen:
            continue
        seen.add(role.region_code)
        reply.add(Text(await region_progress(turn, role.region_code, role.region_name)))
    return reply


async def region_progress(turn: Turn, region_code: str, name: str) -> str:
    counts = await turn.uow.households.count_by_status(region_code)
    values = {status: counts.get(status, 0) for status in _STATUSES}
    total = sum(v for k, v in values.items() if k != "proposed")
    if total == 0 and values["proposed"] == 0:
        return t("progress_empty", turn.lang, name=name)
    done = sum(values[s] for s in DONE_STATUSES)
    pct = round(100 * done / total) if total else 0
    head = t("progress_line", turn.lang, name=name, done=done, total=total, pct=pct)
    return head + "\n" + t("progress_detail", turn.lang, **values)
