"""Deadlines in the chat: what each person sees (``/tenggat``) and what Dinsos does with
one (manage, cancel). The form to create or edit one is ``flows/forms/tenggat.yaml``
(opened by :mod:`handlers.deadlines.buttons`, saved by :mod:`handlers.deadlines.saver`).

A deadline concerns a region (a kabupaten, a kecamatan or one village) and some roles. Each
person sees it through the *area* where their role's region and the deadline's region meet: an
operator or peratin their village, a camat their kecamatan, Dinsos the deadline's whole region.
"""

from __future__ import annotations

from handlers.deadlines.areas import RegionBook, area_lines, areas_of
from handlers.deadlines.model import (
    MANAGER_ROLES,
    MENU_PAYLOAD,
    PAYLOAD_PREFIX,
    RECENT,
    cancel,
    occurrences_around,
    recurrence_of,
    repeat_text,
    summary_lines,
    zone_of,
)
from handlers.kit.context import Turn
from handlers.kit.dates import relative_day, when_text
from handlers.kit.i18n import t
from handlers.kit.timing import (
    QuietHours,
)
from handlers.messages import Option, Question, Reply, Text, Tone
from storage.repos.deadlines import DeadlineRecord

MANAGED_SHOWN = 8


# ---- what people see: /tenggat -------------------------------------------------------------------


async def visible(turn: Turn) -> list[DeadlineRecord]:
    """Active deadlines that concern the person: for operators and village heads those meant
    for their role, for camat and Dinsos every deadline of their regions."""
    since = turn.now - RECENT
    found: dict[int, DeadlineRecord] = {}
    for role in turn.roles():
        for deadline in await turn.uow.deadlines.overlapping(role.region_code, since=since):
            if role.role in deadline.roles or role.role in ("camat", "dinsos", "admin"):
                found[deadline.id] = deadline
    return [found[k] for k in sorted(found)]


def matching_roles(turn: Turn, deadline: DeadlineRecord) -> list[tuple[str, str]]:
    """The person's (role, region) pairs that meet the deadline's region."""
    code = deadline.region_code
    return [
        (r.role, r.region_code)
        for r in turn.roles()
        if code == r.region_code
        or code.startswith(r.region_code + ".")
        or r.region_code.startswith(code + ".")
    ]


async def show(turn: Turn) -> Reply:
    """Current deadlines with the progress of the person's area; Dinsos can manage them."""
    lang = turn.lang
    blocks: list[str] = []
    managed: list[DeadlineRecord] = []
    for deadline in await visible(turn):
        previous, upcoming = occurrences_around(deadline, turn.now)
        occurrence = upcoming or previous
        if occurrence is None or (upcoming is None and turn.now - occurrence.due > RECENT):
            continue
        book = await RegionBook.load(turn.uow, deadline.region_code)
        zone = zone_of(deadline)
        head = f"{len(blocks) + 1}. {deadline.title}"
        recurrence = recurrence_of(deadline)
        if recurrence is not None:
            head += f" ({repeat_text(recurrence, lang)})"
        when = when_text(occurrence.due, zone, lang)
        if upcoming is None:
            due_line = t("deadline_passed", lang, when=when)
        else:
            due_line = t(
                "deadline_due",
                lang,
                when=when,
                relative=relative_day(turn.now, upcoming.due, zone, lang),
            )
        lines = [head, due_line]
        for area in areas_of(matching_roles(turn, deadline), book):
            lines += area_lines(area, lang, laggards=3)
        if deadline.note:
            lines.append(t("deadline_note", lang, note=deadline.note))
        blocks.append("\n".join(lines))
        if turn.in_scope(deadline.region_code, *MANAGER_ROLES):
            managed.append(deadline)
    text = (
        t("deadlines_title", lang) + "\n\n" + "\n\n".join(blocks)
        if blocks
        else t("deadlines_none", lang)
    )
    if not turn.roles(*MANAGER_ROLES):
        return Reply([Text(text)])
    options = [Option(PAYLOAD_PREFIX + "new", t("deadline_add", lang))]
    options += [
        Option(f"{PAYLOAD_PREFIX}manage:{d.id}", t("deadline_manage", lang, title=d.title[:40]))
        for d in managed[:MANAGED_SHOWN]
    ]
    return Reply([Question(text, tuple(options))])


async def managed_deadline(turn: Turn, deadline_id: int) -> DeadlineRecord | None:
    """An active deadline inside the manager's own region, else None (same for unknown ids:
    nothing outside the scope is revealed)."""
    deadline = await turn.uow.deadlines.get(deadline_id)
    if deadline is None or not deadline.active:
        return None
    return deadline if turn.in_scope(deadline.region_code, *MANAGER_ROLES) else None


def not_found(turn: Turn) -> Reply:
    return Reply([Text(t("deadline_not_found", turn.lang), Tone.ERROR)])


async def manage(turn: Turn, deadline_id: int) -> Reply:
    deadline = await managed_deadline(turn, deadline_id)
    if deadline is None:
        return not_found(turn)
    book = await RegionBook.load(turn.uow, deadline.region_code)
    lines = summary_lines(deadline, book.label(deadline.region_code), turn.lang, turn.now)
    options = (
        Option(f"{PAYLOAD_PREFIX}edit:{deadline.id}", t("deadline_edit", turn.lang)),
        Option(f"{PAYLOAD_PREFIX}cancel:{deadline.id}", t("deadline_cancel", turn.lang)),
        Option(MENU_PAYLOAD, t("deadline_back", turn.lang)),
    )
    return Reply([Question(f"#{deadline.id}\n" + "\n".join(lines), options)])


async def confirm_cancel(turn: Turn, deadline_id: int) -> Reply:
    deadline = await managed_deadline(turn, deadline_id)
    if deadline is None:
        return not_found(turn)
    options = (
        Option(f"{PAYLOAD_PREFIX}cancel-yes:{deadline.id}", t("deadline_cancel_yes", turn.lang)),
        Option(MENU_PAYLOAD, t("deadline_cancel_no", turn.lang)),
    )
    text = t("deadline_cancel_confirm", turn.lang, title=deadline.title)
    return Reply([Question(text, options)])


async def do_cancel(turn: Turn, deadline_id: int, quiet: QuietHours) -> Reply:
    if await managed_deadline(turn, deadline_id) is None:
        return not_found(turn)
    channel = turn.inbound.channel.value
    deadline = await cancel(
        turn.uow, deadline_id, by=turn.me.person_id, channel=channel, now=turn.now, quiet=quiet
    )
    if deadline is None:  # pragma: no cover - checked just above in the same transaction
        return not_found(turn)
    reply = Reply([Text(t("deadline_cancelled", turn.lang, title=deadline.title), Tone.SUCCESS)])
    reply.messages.extend((await show(turn)).messages)
    return reply
