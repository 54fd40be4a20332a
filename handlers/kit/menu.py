"""The main menu per role, and the simple actions behind it."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.kit.context import Turn
from handlers.kit.i18n import LANGS, t
from handlers.messages import Inbound, InboundKind, Option, Question, Reply, Text, Tone
from handlers.reports import view as reports

MENU_PREFIX = "m:"
MENU_BUTTON = "menu"  # the payload of the "Menu" button under a one-line answer


@dataclass(frozen=True, slots=True)
class MenuItem:
    key: str
    label_key: str
    roles: frozenset[str]
    starts_form: bool = False


_OPERATOR = frozenset({"operator"})
_OVERSIGHT = frozenset({"peratin", "camat", "dinsos", "admin"})
_EVERYONE = _OPERATOR | _OVERSIGHT
_EXPORTERS = frozenset({"peratin", "camat", "dinsos"})
_DINSOS = frozenset({"dinsos"})
_QUALITY = frozenset({"dinsos", "admin"})
_CONSOLE = frozenset({"peratin", "camat", "dinsos", "admin"})

ITEMS: tuple[MenuItem, ...] = (
    MenuItem("verify", "menu_verify", _OPERATOR, starts_form=True),
    MenuItem("members", "menu_members", _OPERATOR, starts_form=True),
    MenuItem("housing", "menu_housing", _OPERATOR, starts_form=True),
    MenuItem("propose", "menu_propose", _OPERATOR, starts_form=True),
    MenuItem("report", "menu_report", _OPERATOR, starts_form=True),
    MenuItem("pending", "menu_pending", _OPERATOR, starts_form=True),
    MenuItem("progress", "menu_progress", _OVERSIGHT),
    MenuItem("reports", "menu_reports", _DINSOS),
    MenuItem("announce", "menu_announce", _DINSOS),
    MenuItem("export", "menu_export", _EXPORTERS),
    MenuItem("quality", "menu_quality", _QUALITY),
    MenuItem("people", "menu_people", _QUALITY),  # people & invites: Dinsos and admin
    MenuItem("deadlines", "menu_deadlines", _EVERYONE),
    MenuItem("console", "menu_console", _CONSOLE),  # a one-time link to the web console
    MenuItem("resume", "menu_resume", _EVERYONE),
    MenuItem("help", "menu_help", _EVERYONE),
    MenuItem("language", "menu_language", _EVERYONE),
)


def with_button(turn: Turn, text: str) -> Question:
    """One line and the Menu button, instead of the whole menu again (a 2G phone)."""
    return Question(text, (), extra=(Option(MENU_BUTTON, t("menu_button", turn.lang)),))


def is_menu_payload(inbound: Inbound) -> bool:
    return inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(MENU_PREFIX)


def items_for(turn: Turn, has_open: bool) -> list[MenuItem]:
    roles = {r.role for r in turn.roles()}
    return [item for item in ITEMS if item.roles & roles and (item.key != "resume" or has_open)]


async def show(turn: Turn) -> Reply:
    if not turn.roles():  # every role revoked: only a new invite helps
        return Reply([Text(t("menu_no_roles", turn.lang))])
    has_open = await turn.uow.sessions.get_open(turn.me.person_id) is not None
    options = [
        Option(MENU_PREFIX + item.key, await _label(turn, item))
        for item in items_for(turn, has_open)
    ]
    return Reply([Question(t("menu_title", turn.lang), tuple(options))])


async def _label(turn: Turn, item: MenuItem) -> str:
    label = t(item.label_key, turn.lang)
    if item.key == "reports":
        # How many wait, over all the officer's Dinsos (and admin) regions.
        count = await reports.open_count(turn)
        if count:
            label = f"{label} ({count})"
    return label


async def toggle_language(turn: Turn) -> Reply:
    lang = LANGS[(LANGS.index(turn.lang) + 1) % len(LANGS)] if turn.lang in LANGS else "id"
    return await set_language(turn, lang)


def named_language(inbound: Inbound) -> str | None:
    """The language the menu's language item names, typed in any language: "English" typed
    while the chat is already in English keeps it English (not "unknown choice")."""
    if inbound.kind is not InboundKind.TEXT:
        return None
    text = inbound.text.strip().lower()
    for i, shown_in in enumerate(LANGS):
        if t("menu_language", shown_in).lower() == text:
            return LANGS[(i + 1) % len(LANGS)]  # the item shown in a language names the next
    return None


async def set_language(turn: Turn, lang: str) -> Reply:
    await turn.uow.people.set_lang(turn.me.person_id, lang)
    turn.lang = lang
    reply = Reply([Text(t("language_set", lang), Tone.SUCCESS)])
    reply.messages.extend((await show(turn)).messages)
    return reply


def pick(turn: Turn, items: list[MenuItem]) -> MenuItem | None:
    """The item chosen by a button payload, a number, or the item's label typed."""
    inbound = turn.inbound
    if inbound.kind is InboundKind.CHOICE:
        key = inbound.payload.removeprefix(MENU_PREFIX)
        # A stale button for an item this person no longer has is rejected like a typo.
        return next((item for item in items if item.key == key), None)
    if inbound.kind is not InboundKind.TEXT:
        return None
    text = inbound.text.strip().lower()
    if text.isdecimal():  # what int() reads (isdigit() also takes "¹", which int() refuses)
        index = int(text) - 1 if len(text) <= 3 else -1
        return items[index] if 0 <= index < len(items) else None
    return next((item for item in items if t(item.label_key, turn.lang).lower() == text), None)
