"""``/progres``: how far the household updates are in the area a person oversees.

Who sees what (checked on every request, also for a region code typed or carried by a button):

- operator and peratin: their village, as text (a chart of one bar would say nothing more);
- camat: their kecamatan, per village, laggards first, and a chart of every village;
- Dinsos: their kabupaten, per kecamatan and the villages furthest behind, a chart per
  kecamatan, every village in an XLSX file, and a button per kecamatan to open it;
- admin: the region of the admin role, shown like the above for its level.

Laggards first means: lowest share done, then most households still pending, then by name. The
numbers are read inside the update's unit of work; the chart and the workbook are made after
the commit in a worker thread (``handlers.kit.deferred``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from flows.regions import is_region_code, timezone_for
from handlers.kit.context import Turn
from handlers.kit.dates import days_between, local_datetime, relative_day, short_datetime
from handlers.kit.deferred import Deferred, reuse, write_atomically
from handlers.kit.i18n import t, tn
from handlers.kit.timing import Recurrence, around
from handlers.kit.workbooks import write_progress_xlsx
from handlers.messages import (
    Chart,
    Document,
    Inbound,
    InboundKind,
    Option,
    Outbound,
    Question,
    Reply,
    Text,
    Tone,
)
from handlers.progress.charts import MAX_BARS, Bar, ProgressChart, render_progress_chart
from locales.formats import number
from storage.db import UnitOfWork
from storage.repos.progress import (
    DONE_STATUSES,
    GroupProgress,
    ProgressCounts,
    RegionProgress,
    UpcomingDeadline,
    VillageProgress,
)

__all__ = [
    "DONE_STATUSES",
    "PAYLOAD_PREFIX",
    "PROGRESS_ROLES",
    "ProgressRequest",
    "chart_for",
    "laggards_first",
    "misread_request",
    "next_deadline",
    "own_areas",
    "parse_request",
    "region_label",
    "show",
    "summary",
]

PROGRESS_ROLES = ("operator", "peratin", "camat", "dinsos", "admin")
WORDS = frozenset({"progres", "progress"})
PAYLOAD_PREFIX = "m:progress:"  # + a region code: a Dinsos button that opens one kecamatan
SHOWN_VILLAGES = 10  # camat: the villages listed in the text
SHOWN_GROUPS = 8  # Dinsos: the kecamatan listed in the text
SHOWN_VILLAGES_WITH_GROUPS = 5  # Dinsos: the villages listed below the kecamatan
VILLAGE_LEVEL = 4
_CODE_LIKE = re.compile(r"[0-9.]+")

Item = TypeVar("Item", VillageProgress, GroupProgress)


@dataclass(frozen=True, slots=True)
class ProgressRequest:
    region: str | None = None  # None: the person's own area(s)


def parse_request(inbound: Inbound) -> ProgressRequest | None:
    """A progress request: ``/progres [code]``, ``progres [code]`` typed, or a region button."""
    if inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(PAYLOAD_PREFIX):
        return ProgressRequest(inbound.payload.removeprefix(PAYLOAD_PREFIX))
    if inbound.kind is InboundKind.COMMAND and inbound.command in WORDS:
        return ProgressRequest(inbound.args.strip() or None)
    if inbound.kind is InboundKind.TEXT:
        words = inbound.text.strip().lower().split()
        if words and words[0] in WORDS:
            if len(words) == 1:
                return ProgressRequest()
            if len(words) == 2 and _CODE_LIKE.fullmatch(words[1]):
                return ProgressRequest(words[1])
    return None


def misread_request(inbound: Inbound) -> str | None:
    """Typed text that starts with PROGRES but is not a request (``progres abc``): the rest,
    for a reply that says what PROGRES takes. Only asked where the menu would answer, so an
    answer to an open form that happens to start with the word is left alone."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    words = inbound.text.strip().split(maxsplit=1)
    if len(words) == 2 and words[0].lower() in WORDS:
        return words[1][:30]
    return None


def own_areas(turn: Turn) -> list[str]:
    """The regions of the person's roles, widest first, without those inside another."""
    return turn.areas(*PROGRESS_ROLES)


async def show(
    turn: Turn,
    request: ProgressRequest | None = None,
    *,
    charts_dir: Path,
    exports_dir: Path,
) -> Reply:
    region = request.region if request else None
    if region is not None:
        if not is_region_code(region):
            return Reply([Text(t("progress_unknown_region", turn.lang, region=region), Tone.ERROR)])
        if not turn.in_scope(region, *PROGRESS_ROLES):
            return Reply([Text(t("progress_not_allowed", turn.lang, region=region), Tone.ERROR)])
        areas = [region]
    else:
        areas = own_areas(turn)
        if not areas:
            return Reply([Text(t("progress_no_area", turn.lang), Tone.ERROR)])
    reply = Reply()
    for code in areas:
        reply.messages.extend(await _area(turn, code, charts_dir, exports_dir))
    return reply


async def next_deadline(
    uow: UnitOfWork, region_code: str, now: datetime
) -> UpcomingDeadline | None:
    """The deadline the progress screens count down to: the earliest next occurrence (monthly
    deadlines repeat) of a deadline not cancelled, set for ``region_code``, a region around it
    or one inside it."""
    best: UpcomingDeadline | None = None
    for deadline in await uow.deadlines.overlapping(region_code, since=now):
        zone = timezone_for(deadline.region_code)
        recurrence = Recurrence.from_json(deadline.recurrence)
        _, upcoming = around(deadline.due_at, zone, recurrence, now)
        if upcoming is not None and (best is None or upcoming.due < best.due_at):
            best = UpcomingDeadline(deadline.id, deadline.title, deadline.region_code, upcoming.due)
    return best


def region_label(kind: str, name: str, lang: str) -> str:
    """``Kec. Air Hitam``, ``Kab. Lampung Barat``, ``Sri Menanti``."""
    key = f"region_{kind}"
    try:
        return t(key, lang, name=name)
    except KeyError:
        return name


def laggards_first(items: Sequence[Item]) -> list[Item]:
    """Lowest share done first, then most pending, then by name (empty villages count as 0%)."""
    return sorted(items, key=lambda i: (i.counts.done_ratio, -i.counts.pending, i.name.lower()))


def _unit(level: int, lang: str) -> str:
    """What regions of ``level`` are called: 4 desa, 3 kecamatan, 2 kabupaten/kota."""
    return t({2: "unit_kabupaten", 3: "unit_kecamatan"}.get(level, "unit_village"), lang)


def _row(n: int, name: str, counts: ProgressCounts, lang: str) -> str:
    if counts.register == 0:
        return t("progress_row_empty", lang, n=n, name=name)
    line = t(
        "progress_row",
        lang,
        n=n,
        name=name,
        pct=counts.done_pct,
        done=number(counts.done, lang),
        total=number(counts.register, lang),
        pending=number(counts.pending, lang),
    )
    if counts.reports_open:
        line += tn(
            "progress_row_reports", counts.reports_open, lang, n=number(counts.reports_open, lang)
        )
    return line


def _listing(
    items: Sequence[VillageProgress | GroupProgress],
    shown: int,
    title: str,
    unit: str,
    where: str,
    lang: str,
) -> list[str]:
    lines = [title]
    lines += [_row(n, i.name, i.counts, lang) for n, i in enumerate(items[:shown], 1)]
    if len(items) > shown:
        lines.append(t("progress_more", lang, n=len(items) - shown, unit=unit, where=where))
    return lines


def _deadline_text(
    deadline: UpcomingDeadline | None,
    now: datetime,
    timezone: str,
    lang: str,
    keys: tuple[str, str] = ("progress_deadline", "progress_no_deadline"),
) -> str:
    if deadline is None:
        return t(keys[1], lang)
    return t(
        keys[0],
        lang,
        title=deadline.title,
        when=local_datetime(deadline.due_at, timezone, lang),
        left=relative_day(now, deadline.due_at, timezone, lang),
    )


def _chart_deadline(
    deadline: UpcomingDeadline | None,
    total: ProgressCounts,
    now: datetime,
    timezone: str,
    lang: str,
) -> str:
    """The chart's deadline line: what, when, how many days, and the pace it asks for.

    No "where villages should be by now" marker: a deadline has no start of its period (a
    one-off one only the moment Dinsos typed it in, and the counts are cumulative since the
    register was imported), so a linear target would be made up. Households a day until the
    due date is what the numbers honestly say."""
    if deadline is None:
        return t("progress_chart_no_deadline", lang)
    text = t(
        "progress_chart_deadline",
        lang,
        title=deadline.title,
        when=local_datetime(deadline.due_at, timezone, lang),
        left=relative_day(now, deadline.due_at, timezone, lang),
    )
    days = days_between(now, deadline.due_at, timezone)
    if total.pending and days >= 1:
        pace = -(-total.pending // days)
        text += tn("progress_chart_pace", pace, lang, n=number(pace, lang))
    return text


def summary(
    progress: RegionProgress,
    deadline: UpcomingDeadline | None,
    now: datetime,
    lang: str,
) -> str:
    """The text reply: totals, the deadline, and for wider areas the laggards."""
    name = region_label(progress.kind, progress.name, lang)
    total = progress.total
    lines = [
        t("progress_title", lang, region=name),
        tn(
            "progress_line",
            total.register,
            lang,
            name=progress.name,
            done=number(total.done, lang),
            total=number(total.register, lang),
            pct=total.done_pct,
        ),
        t(
            "progress_detail",
            lang,
            verified=number(total.verified, lang),
            updated=number(total.updated, lang),
            not_found=number(total.not_found, lang),
            pending=number(total.pending, lang),
            proposed=number(total.proposals, lang),
            reports=number(total.reports_open, lang),
        ),
        _deadline_text(deadline, now, progress.timezone, lang),
    ]
    if progress.level >= VILLAGE_LEVEL:
        return "\n".join(lines)
    villages = laggards_first(progress.villages)
    village_unit = t("unit_village", lang)
    if progress.level == VILLAGE_LEVEL - 1:
        fits = len(villages) <= MAX_BARS
        where = t("progress_more_chart" if fits else "progress_more_xlsx", lang)
        lines.append("")
        lines += _listing(
            villages, SHOWN_VILLAGES, t("progress_villages", lang), village_unit, where, lang
        )
        return "\n".join(lines)
    groups = laggards_first(progress.groups(progress.level + 1))
    group_unit = _unit(progress.level + 1, lang)
    lines.append("")
    lines += _listing(
        groups,
        SHOWN_GROUPS,
        t("progress_groups", lang, unit=group_unit),
        group_unit,
        t("progress_more_here", lang),
        lang,
    )
    lines.append("")
    lines += _listing(
        villages,
        SHOWN_VILLAGES_WITH_GROUPS,
        t("progress_villages", lang),
        village_unit,
        t("progress_more_xlsx", lang),
        lang,
    )
    return "\n".join(lines)


def chart_for(
    progress: RegionProgress,
    deadline: UpcomingDeadline | None,
    now: datetime,
    lang: str,
    *,
    min_bars: int = 2,
) -> ProgressChart | None:
    """The chart of an area: a bar per village (kecamatan, village) or per kecamatan
    (kabupaten and wider); None when it would have fewer than ``min_bars`` bars."""
    items: Sequence[VillageProgress | GroupProgress]
    if progress.level >= VILLAGE_LEVEL - 1:
        items = laggards_first(progress.villages)
    else:
        items = laggards_first(progress.groups(progress.level + 1))
    if len(items) < max(min_bars, 1):
        return None
    total = progress.total
    bars = tuple(
        Bar(
            i.name,
            i.counts.done_pct,
            t(
                "progress_chart_bar",
                lang,
                pct=i.counts.done_pct,
                done=number(i.counts.done, lang),
                total=number(i.counts.register, lang),
            )
            if i.counts.register
            else t("progress_chart_empty", lang),
            empty=i.counts.register == 0,
        )
        for i in items
    )
    when = short_datetime(now, progress.timezone, lang)
    if len(bars) > MAX_BARS:
        footer = t(
            "progress_chart_partial",
            lang,
            when=when,
            shown=MAX_BARS,
            total=len(bars),
            unit=_unit(min(progress.level + 1, VILLAGE_LEVEL), lang),
        )
    else:
        footer = t("progress_chart_footer", lang, when=when)
    return ProgressChart(
        title=tn(
            "progress_chart_title",
            total.register,
            lang,
            region=region_label(progress.kind, progress.name, lang),
            pct=total.done_pct,
            done=number(total.done, lang),
            total=number(total.register, lang),
        ),
        subtitle=_chart_deadline(deadline, total, now, progress.timezone, lang),
        footer=footer,
        bars=bars[:MAX_BARS],
    )


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


async def _area(turn: Turn, code: str, charts_dir: Path, exports_dir: Path) -> list[Outbound]:
    lang, now = turn.lang, turn.now
    progress = await turn.uow.progress.region(code)
    if progress is None:
        return [Text(t("progress_unknown_region", lang, region=code), Tone.ERROR)]
    total = progress.total
    name = region_label(progress.kind, progress.name, lang)
    if total.register == 0 and total.proposals == 0 and total.reports_open == 0:
        return [Text(t("progress_empty", lang, name=name))]
    deadline = await next_deadline(turn.uow, code, turn.now)
    messages: list[Outbound] = [Text(summary(progress, deadline, turn.now, lang))]

    chart = chart_for(progress, deadline, turn.now, lang)
    if chart is not None:
        path = charts_dir / f"progres-{code}-{_digest(chart, lang)}.png"
        unit = _unit(progress.level + 1, lang)
        photo = Chart(str(path), t("progress_chart_caption", lang, region=name, unit=unit))
        messages.append(photo)
        turn.defer(
            Deferred(
                make=lambda: (
                    reuse(path, now)
                    or write_atomically(path, lambda tmp: render_progress_chart(chart, tmp))
                ),
                message=photo,
                fallback=Text(t("progress_chart_failed", lang), Tone.WARNING),
            )
        )

    wide = progress.level < VILLAGE_LEVEL - 1
    if wide or len(progress.villages) > MAX_BARS:
        villages = laggards_first(progress.villages)
        groups = laggards_first(progress.groups(progress.level + 1)) if wide else []
        names = progress.names
        stamp = turn.now.astimezone(ZoneInfo(progress.timezone)).strftime("%Y%m%d-%H%M")
        path_x = exports_dir / f"progres-{code}-{_digest(villages, groups, lang)}.xlsx"
        document = Document(
            str(path_x),
            t("progress_xlsx_caption", lang, region=name, n=len(villages)),
            f"progres-{code}-{stamp}.xlsx",
        )
        messages.append(document)
        turn.defer(
            Deferred(
                make=lambda: (
                    reuse(path_x, now)
                    or write_atomically(
                        path_x, lambda tmp: write_progress_xlsx(tmp, villages, groups, names, lang)
                    )
                ),
                message=document,
                fallback=Text(t("progress_xlsx_failed", lang), Tone.WARNING),
            )
        )

    if wide:
        groups_sorted = laggards_first(progress.groups(progress.level + 1))
        options = tuple(
            Option(PAYLOAD_PREFIX + g.code, f"{g.name} ({g.counts.done_pct}%)")
            for g in groups_sorted
        )
        unit = _unit(progress.level + 1, lang)
        messages.append(Question(t("progress_pick", lang, unit=unit), options))
    return messages
