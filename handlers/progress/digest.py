"""The weekly digest for peratin and camat: their numbers and the change since last week.

Pure parts (no I/O): when this week's digest is due in a recipient's zone (a weekday and a
local time, moved out of the quiet hours), and its wording. ``reminders.digest`` reads the
database and queues the messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flows.dates import parse_time_of_day
from flows.regions import kind_of, level_of, region_label
from handlers.kit.dates import relative_day, when_text
from handlers.kit.i18n import t, tn
from handlers.kit.timing import QuietHours
from handlers.messages import Option, Outbound, Question
from locales.formats import number
from storage.repos.progress import ProgressCounts, UpcomingDeadline, VillageProgress

DIGEST_ROLES = ("camat", "peratin")  # widest first: one digest per person and week
LAGGARDS_SHOWN = 3
_WEEKDAYS = {
    name: index
    for index, names in enumerate(
        (
            ("senin", "monday", "mon", "1"),
            ("selasa", "tuesday", "tue", "2"),
            ("rabu", "wednesday", "wed", "3"),
            ("kamis", "thursday", "thu", "4"),
            ("jumat", "jum'at", "friday", "fri", "5"),
            ("sabtu", "saturday", "sat", "6"),
            ("minggu", "ahad", "sunday", "sun", "7"),
        )
    )
    for name in names
}


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """The digest's local weekday (0 Monday) and time, in each recipient's own zone."""

    weekday: int = 0
    time: dt.time = dt.time(7, 30)

    @classmethod
    def parse(cls, day: str, time: str) -> DigestSchedule:
        """``senin`` / ``monday`` / ``1`` and ``07:30``; ``ValueError`` with an example."""
        weekday = _WEEKDAYS.get(day.strip().lower())
        if weekday is None:
            raise ValueError(f"digest day must be a weekday such as senin or monday, not {day!r}")
        parsed = parse_time_of_day(time)
        if parsed is None:
            raise ValueError(f"digest time must look like 07:30, not {time!r}")
        return cls(weekday, parsed)

    def due(self, now: dt.datetime, zone: str, quiet: QuietHours) -> tuple[str, dt.datetime]:
        """This week's digest (week key ``2027-W04``, due instant in UTC) in ``zone``; a time in
        the quiet hours moves to their end, which may be in the next week (Sunday 22:00 is
        Monday 07:00). Weeks run Monday to Sunday, local time."""
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        return self._due_of_week(today - dt.timedelta(days=today.weekday()), tz, quiet)

    def latest_due(self, now: dt.datetime, zone: str, quiet: QuietHours) -> tuple[str, dt.datetime]:
        """The newest week whose digest is due at or before ``now``: this week's once its time
        has come, else last week's (its time may fall in this week, moved out of the quiet
        hours, or it was missed while Kawal was stopped). A week's digest stays due until the
        next week's is."""
        tz = ZoneInfo(zone)
        today = now.astimezone(tz).date()
        monday = today - dt.timedelta(days=today.weekday())
        # Quiet hours move a time by less than a day, so the week before last is always due.
        weeks = (self._due_of_week(monday - dt.timedelta(weeks=n), tz, quiet) for n in range(3))
        return next(week for week in weeks if week[1] <= now)

    def _due_of_week(
        self, monday: dt.date, tz: ZoneInfo, quiet: QuietHours
    ) -> tuple[str, dt.datetime]:
        day = monday + dt.timedelta(days=self.weekday)
        local = quiet.next_allowed(dt.datetime.combine(day, self.time, tzinfo=tz))
        return week_key(day), local.astimezone(dt.UTC)


def week_key(day: dt.date) -> str:
    """The ISO week of a local date: ``2027-W04`` (keys sort in time order)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def previous_week(week: str) -> str:
    """``2027-W04`` -> ``2027-W03``; ``2027-W01`` -> ``2026-W53``."""
    year, number = week.split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return week_key(monday - dt.timedelta(days=7))


def campaign(week: str) -> str:
    return f"digest:{week}"


@dataclass(frozen=True, slots=True)
class Digest:
    messages: list[Outbound]
    template_params: list[str]


def _label(code: str, name: str) -> str:
    return region_label(code, name, kind_of(code, name))


def _sum(counts: Sequence[ProgressCounts]) -> ProgressCounts:
    total = ProgressCounts()
    for item in counts:
        total += item
    return total


def compose(
    *,
    area_code: str,
    area_name: str,
    villages: Sequence[VillageProgress],
    previous: dict[str, ProgressCounts],
    deadline: UpcomingDeadline | None,
    previous_since: dt.datetime | None = None,
    now: dt.datetime,
    zone: str,
    lang: str,
) -> Digest:
    """The digest of one area (a village for a peratin, a kecamatan for a camat).

    ``previous``: each village's counts in last week's snapshot, or, with ``previous_since``
    (when that older snapshot was taken), in the newest snapshot before it (a week without
    digests leaves none), so the change names the date it counts from."""
    label = _label(area_code, area_name)
    current = _sum([v.counts for v in villages])
    lines = [t("digest_title", lang, area=label)]
    known = [previous[v.code] for v in villages if v.code in previous]
    if not current.register:
        change_text = t("digest_empty", lang)
        lines.append(change_text)
    else:
        lines.append(
            tn(
                "digest_done",
                current.register,
                lang,
                done=number(current.done, lang),
                total=number(current.register, lang),
                pct=current.done_pct,
            )
        )
        if known:
            delta = current.done - _sum(known).done
            change = ("+" if delta >= 0 else "-") + number(abs(delta), lang)
            if previous_since is None:
                change_text = tn("digest_change", abs(delta), lang, n=change)
            else:
                since = previous_since.astimezone(ZoneInfo(zone)).strftime("%d-%m-%Y")
                change_text = tn("digest_change_since", abs(delta), lang, n=change, date=since)
        else:
            change_text = t("digest_first_week", lang)
        lines.append(
            t(
                "digest_detail",
                lang,
                change=change_text,
                pending=number(current.pending, lang),
                reports=number(current.reports_open, lang),
            )
        )
    if level_of(area_code) < 4 and len(villages) > 1:
        behind = sorted(
            (v for v in villages if v.counts.pending or not v.counts.register),
            key=lambda v: (v.counts.done_ratio, -v.counts.pending, v.name.lower()),
        )[:LAGGARDS_SHOWN]
        if behind:
            names = ", ".join(
                t("digest_laggard", lang, name=v.name, pct=v.counts.done_pct)
                if v.counts.register
                else t("digest_laggard_empty", lang, name=v.name)
                for v in behind
            )
            lines.append(t("digest_laggards", lang, names=names))
    if deadline is not None:
        lines.append(
            t(
                "digest_deadline",
                lang,
                title=deadline.title,
                when=when_text(deadline.due_at, zone, lang),
                left=relative_day(now, deadline.due_at, zone, lang),
            )
        )
    button = Option("m:progress", t("digest_button", lang))
    return Digest(
        [Question("\n".join(lines), (button,))],
        [label, lines[1], change_text],
    )
