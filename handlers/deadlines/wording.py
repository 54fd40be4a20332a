"""The wording of the messages Kawal sends about a deadline by itself: reminders,
thank-yous and escalations (composed for the planner in ``reminders.deadlines``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from handlers.deadlines.areas import (
    LAGGARDS_SHOWN,
    Area,
    area_lines,
    laggard_line,
    no_data_line,
)
from handlers.deadlines.model import OVERSIGHT_ROLES, Composed
from handlers.kit.dates import relative_day, when_text
from handlers.kit.i18n import t, tn
from handlers.messages import Option, Outbound, Question, Text, Tone
from locales.formats import number
from storage.repos.deadlines import DeadlineRecord

# ---- proactive messages ------------------------------------------------------------------------


def buttons_for(roles: Iterable[str], lang: str) -> tuple[Option, ...]:
    """Operators open their pending list; peratin, camat and Dinsos the progress view."""
    names = set(roles)
    options: list[Option] = []
    if "operator" in names:
        options.append(Option("m:pending", t("reminder_pending_button", lang)))
    if names & set(OVERSIGHT_ROLES):
        options.append(Option("m:progress", t("reminder_progress_button", lang)))
    return tuple(options)


def _flat(lines: Iterable[str]) -> str:
    """Lines as one template parameter (WhatsApp allows no new lines in them)."""
    return " · ".join(line.strip().lstrip("•").strip() for line in lines if line.strip())


def reminder_message(
    deadline: DeadlineRecord,
    due: dt.datetime,
    zone: str,
    now: dt.datetime,
    areas: Sequence[Area],
    roles: Iterable[str],
    lang: str,
    *,
    changed: bool = False,
) -> Composed:
    """What is due, when (local time), and the progress of each of the person's areas."""
    when = when_text(due, zone, lang)
    relative = relative_day(now, due, zone, lang)
    head = t("reminder_changed_title" if changed else "reminder_title", lang, title=deadline.title)
    progress: list[str] = []
    for area in areas:
        progress += area_lines(area, lang)
        if area.is_village and area.villages and area.villages[0].has_data:
            left = area.villages[0].total - area.villages[0].done
            if left > 0:
                progress.append(tn("remaining", left, lang, n=number(left, lang)))
    lines = [head, t("deadline_due", lang, when=when, relative=relative), *progress]
    if deadline.note:
        lines.append(t("deadline_note", lang, note=deadline.note))
    text = "\n".join(lines)
    options = buttons_for(roles, lang)
    message: Outbound = Question(text, options) if options else Text(text)
    return Composed([message], [deadline.title, f"{when} ({relative})", _flat(progress)])


def thanks_message(
    deadline: DeadlineRecord, due: dt.datetime, zone: str, areas: Sequence[Area], lang: str
) -> Composed:
    when = when_text(due, zone, lang)
    names = ", ".join(a.label for a in areas)
    text = t("thanks_text", lang, area=names, title=deadline.title, when=when)
    progress = [line for a in areas for line in area_lines(a, lang, laggards=0)]
    return Composed(
        [Text("\n".join([text, *progress]), Tone.SUCCESS)], [deadline.title, when, text]
    )


def escalation_message(
    deadline: DeadlineRecord,
    due: dt.datetime,
    zone: str,
    areas: Sequence[Area],
    roles: Iterable[str],
    lang: str,
) -> Composed:
    """The villages of the person's areas that did not finish by ``due``, furthest behind
    first (only the unfinished ones are listed), then those that still have no data."""
    when = when_text(due, zone, lang)
    lines = [t("escalation_title", lang, title=deadline.title, when=when)]
    for area in areas:
        behind = area.behind
        lines.append(
            t(
                "escalation_area",
                lang,
                area=area.label,
                n=len(area.unfinished),
                villages=len(area.villages),
                word=area.village_word(lang),
            )
        )
        lines += [laggard_line(v, lang) for v in behind[:LAGGARDS_SHOWN]]
        if len(behind) > LAGGARDS_SHOWN:
            lines.append(t("more_villages", lang, n=len(behind) - LAGGARDS_SHOWN))
        if area.without_data:
            lines.append("• " + no_data_line(area, lang, LAGGARDS_SHOWN))
    lines.append(t("escalation_ask", lang))
    options = buttons_for(roles, lang)
    text = "\n".join(lines)
    message: Outbound = Question(text, options) if options else Text(text)
    return Composed([message], [deadline.title, when, _flat(lines[1:])])
