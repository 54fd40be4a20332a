"""People's names: the one rule for a name typed in the chat and for a platform display name.

A Telegram or WhatsApp display name is chosen by its owner, not checked by anyone: it may hold
control characters, be kilobytes long or start with ``=`` to become a formula in an export.
It is held to the rule of a typed name (a letter first, then letters, digits, spaces and
``. , ' -``, at most 80 characters); one that fails is not used as the person's name (the bot
asks for the name instead). What is kept of it on the identity is stripped of control
characters and capped.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_NAME", "clean_display_name", "name_from_display", "valid_name"]

MAX_NAME = 80
_NAME_RE = re.compile(r"^[^\W\d_][\w .,'-]{1,79}$", re.UNICODE)


def _visible(text: str) -> str:
    """``text`` without control, format and separator characters other than spaces (a
    right-to-left override, a zero-width joiner, a line break), blanks collapsed."""
    kept = (
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char)[0] not in "CZ"
    )
    return " ".join("".join(kept).split())


def valid_name(text: str) -> str | None:
    """The name as it will be stored (blanks collapsed), or None when it breaks the rule."""
    name = " ".join((text or "").split())
    return name if _NAME_RE.match(name) else None


def clean_display_name(text: str) -> str:
    """A platform display name fit to keep on an identity: visible characters, at most
    :data:`MAX_NAME` of them (it is not necessarily a valid name: see :func:`valid_name`)."""
    return _visible(text or "")[:MAX_NAME].strip()


def name_from_display(text: str) -> str | None:
    """The person's name taken from a display name, or None (then the bot asks for it): the
    visible characters must pass :func:`valid_name` whole, never cut to fit."""
    return valid_name(_visible(text or ""))
