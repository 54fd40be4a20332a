"""When an announcement actually goes out, and the line that tells Dinsos so.

Each copy waits for the end of the quiet hours in its recipient's own zone (WIB/WITA/WIT):
an announcement sent at 22.00 WIB to Lampung and Sulawesi goes out at 06.00 WIB (07.00 WITA)
to Sulawesi and at 07.00 WIB to Lampung, not "now". :func:`send_plan` is pure (the instant,
the recipients' zones and the quiet hours in, the send instants out); the fan-out uses the
same :func:`send_instant` for each outbox row's ``not_before``, so what the confirmation
says is what happens. :func:`send_plan_text` is the confirmation after composing.

    zones = [timezone_for(h.region_code) for h in audience.holders]
    plan = send_plan(draft.scheduled_at or now, zones, quiet)
    text = send_plan_text(plan, id, zone, lang, scheduled=draft.scheduled_at is not None,
                          quiet=quiet)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from handlers.kit.dates import when_text
from handlers.kit.i18n import t, tn
from handlers.kit.timing import QuietHours

__all__ = ["SendPlan", "send_instant", "send_plan", "send_plan_text"]


def send_instant(planned: dt.datetime, zone: str, quiet: QuietHours) -> dt.datetime:
    """The UTC instant a copy planned for ``planned`` goes out to someone in ``zone``: then,
    or when the quiet hours there end."""
    local = planned.astimezone(ZoneInfo(zone))
    return quiet.next_allowed(local).astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class SendPlan:
    """``planned``: when Dinsos asked for it (now or the scheduled time), UTC; ``times``: each
    distinct send instant (UTC) with its number of recipients, earliest first."""

    planned: dt.datetime
    times: tuple[tuple[dt.datetime, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.times)

    @property
    def held(self) -> int:
        """Recipients whose copy waits for the end of their quiet hours."""
        return sum(count for at, count in self.times if at > self.planned)

    @property
    def first_held(self) -> dt.datetime | None:
        return next((at for at, _ in self.times if at > self.planned), None)

    @property
    def last(self) -> dt.datetime:
        return self.times[-1][0] if self.times else self.planned


def send_plan(planned: dt.datetime, zones: Iterable[str], quiet: QuietHours) -> SendPlan:
    """When the copies of an announcement planned for ``planned`` go out, one zone per
    recipient (duplicates counted)."""
    counts = Counter(send_instant(planned, zone, quiet) for zone in zones)
    return SendPlan(planned.astimezone(dt.UTC), tuple(sorted(counts.items())))


def _clock(value: dt.time, lang: str) -> str:
    return value.strftime("%H.%M" if lang == "id" else "%H:%M")


def send_plan_text(
    plan: SendPlan,
    announcement_id: int,
    zone: str,
    lang: str,
    *,
    scheduled: bool,
    quiet: QuietHours,
) -> str:
    """The confirmation after composing, in the reader's ``zone``: "sent now", "scheduled for
    ...", or when quiet hours hold some or all copies back, when they do go out."""
    count, held = plan.total, plan.held
    planned = when_text(plan.planned, zone, lang) if scheduled else t("ann_out_now_word", lang)
    fields = {"id": announcement_id, "count": count}
    if held == 0:
        if scheduled:
            return tn("ann_out_scheduled", count, lang, when=planned, **fields)
        return tn("ann_out_now", count, lang, **fields)
    first = plan.first_held or plan.last
    when = when_text(first, zone, lang)
    if plan.last != first:
        when = t("ann_out_range", lang, first=when, last=when_text(plan.last, zone, lang))
    hours = f"{_clock(quiet.start, lang)}–{_clock(quiet.end, lang)}"
    said = {"planned": planned, "quiet": hours, "when": when, **fields}
    if held == count:
        return tn("ann_out_quiet_all", count, lang, **said)
    return tn("ann_out_quiet_some", count, lang, now_count=count - held, held=held, **said)
