"""Acknowledging an announcement: the button, the word PAHAM (and how people really type it),
an emoji reaction. Counted only for an announcement that reached the person.

What counts as "read and understood":

- a press of the announcement's button (``ann:ack:<id>``, on the announcement or its nudge);
- a text that says so, with or without the announcement's number: ``PAHAM``, ``PAHAM 12``,
  ``paham #12``, ``ok paham``, ``ok, paham``, ``oke paham``, ``sudah paham``, ``siap, paham``,
  ``mengerti``, ``understood``, and the button's own words typed (``Sudah dibaca & dipahami``,
  ``Sudah dibaca & paham``, ``Read & understood``: where buttons are words to type, such as the
  terminal chat or an old WhatsApp message);
- an emoji reaction to the announcement or its nudge.

``storage.repos.acks`` records it only when the announcement's outbox row reached the person
(delivered or read; on Telegram and the terminal, sent; a press of its button or a reaction to
it proves it arrived, so sent is enough then): a PAHAM for an announcement still waiting for
the morning, failed, or never sent to them says so and records nothing.
"""

from __future__ import annotations

import re

from handlers.announcements.model import ACK_PREFIX, announcement_id_of, campaign
from handlers.kit.context import Turn
from handlers.kit.i18n import LANGS, t
from handlers.messages import Inbound, InboundKind, Reply, Text, Tone
from locales import domain
from storage.repos.acks import Ack

__all__ = ["ack_request", "ack_words", "acknowledge", "acknowledge_reaction"]

MAX_ACK_TEXT = 60
# Words said before the acknowledgement itself ("ok, paham", "siap paham", "sudah paham").
_LEADING = frozenset({"ok", "oke", "okay", "okey", "oce", "baik", "siap", "ya", "sudah", "udah"})
# What the acknowledgement itself may be, once normalised (see :func:`_normal`).
_ACK_CORE = frozenset(
    {
        "paham",
        "mengerti",
        "dipahami",
        "dimengerti",
        "dibaca and dipahami",
        "dibaca and paham",
        "understood",
        "read and understood",
    }
)
_NUMBER_RE = re.compile(r"^(.*?)\s*#?\s*(\d{1,9})$")


def _normal(text: str) -> str:
    """Lower case, ``&`` and ``dan`` as ``and``, punctuation as spaces, one space between."""
    lowered = text.strip().lower().lstrip("/")
    words = re.sub(r"[^\w#&]+", " ", lowered).replace("&", " and ").split()
    return " ".join("and" if w == "dan" else w for w in words)


def _core(phrase: str) -> str:
    words = phrase.split()
    while words and words[0] in _LEADING and len(words) > 1:
        words = words[1:]
    return " ".join(words)


def ack_words() -> frozenset[str]:
    """Every acknowledgement phrase, normalised: the words above and the button's labels in
    every language (as typed where buttons are words, the WhatsApp short label too)."""
    labels = {t("ann_ack_button", lang) for lang in LANGS}
    labels |= {domain("whatsapp").t("ann_ack_button_short", lang) for lang in LANGS}
    return _ACK_CORE | {_core(_normal(label)) for label in labels}


_WORDS = ack_words()


def ack_request(inbound: Inbound) -> int | None:
    """The announcement a press or a text acknowledges: its id, 0 for "the newest one
    waiting", -1 for a button that names none, None when the message is not an
    acknowledgement."""
    if inbound.kind is InboundKind.CHOICE and inbound.payload.startswith(ACK_PREFIX):
        pressed = inbound.payload.removeprefix(ACK_PREFIX)
        return int(pressed) if pressed.isdigit() and len(pressed) < 10 else -1
    if inbound.kind is InboundKind.COMMAND:  # /paham, /paham 12
        text = f"{inbound.command} {inbound.args}"
    elif inbound.kind is InboundKind.TEXT:
        text = inbound.text
    else:
        return None
    if len(text) > MAX_ACK_TEXT:
        return None
    phrase = _normal(text)
    number = 0
    if match := _NUMBER_RE.match(phrase):
        phrase, number = match.group(1), int(match.group(2))
    return number if phrase and _core(phrase) in _WORDS else None


async def acknowledge(turn: Turn, announcement_id: int) -> Reply:
    """Record that the person read and understood the announcement (0: the newest one that
    reached them and is not acknowledged yet)."""
    me, lang = turn.me, turn.lang
    if announcement_id == 0:
        newest = await turn.uow.acks.newest_waiting(me.person_id, "announcement")
        if newest is None:
            return Reply([Text(t("ann_ack_nothing", lang))])
        announcement_id = announcement_id_of(newest) or 0
    pressed = turn.inbound.kind is InboundKind.CHOICE  # its button: it reached them
    result = (
        await turn.uow.acks.acknowledge(
            campaign(announcement_id), me.person_id, turn.now, seen=pressed
        )
        if announcement_id > 0
        else Ack.UNKNOWN
    )
    match result:
        case Ack.DONE:
            return Reply([Text(t("ann_ack_done", lang, id=announcement_id), Tone.SUCCESS)])
        case Ack.AGAIN:
            return Reply([Text(t("ann_ack_again", lang, id=announcement_id))])
        case Ack.NOT_RECEIVED:
            return Reply([Text(t("ann_ack_not_received", lang, id=announcement_id))])
    return Reply([Text(t("ann_ack_unknown", lang), Tone.ERROR)])


async def acknowledge_reaction(turn: Turn) -> Reply:
    """An emoji reaction to an announcement (or its nudge) the person got: "read and
    understood", like the button. A reaction to anything else, or taken back, changes nothing.
    Never answered: the reaction is visible in the chat already."""
    inbound = turn.inbound
    if not inbound.text or not inbound.payload:
        return Reply()
    found = await turn.uow.outbox.campaign_of_message(turn.me.person_id, inbound.payload)
    announcement_id = announcement_id_of(found) if found else None
    if announcement_id:  # a reaction to the message itself: it reached them
        await turn.uow.acks.acknowledge(
            campaign(announcement_id), turn.me.person_id, turn.now, seen=True
        )
    return Reply()
