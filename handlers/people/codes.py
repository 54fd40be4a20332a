"""Invite codes: ``KWL-`` and 12 symbols of a 32-symbol alphabet without 0/O and 1/I, in
groups of four (``KWL-7F3K-9QXM-2ABC``, 60 bits), valid in a Telegram deep link's start
parameter. Codes of 6 symbols made before (``KWL-7F3K9Q``) keep working until they expire.
"""

from __future__ import annotations

import re
import secrets

INVITE_PREFIX = "KWL"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud and type
CODE_SYMBOLS = 12  # 32**12 = 2**60 codes
_GROUP = 4
_LEGACY_SYMBOLS = 6  # codes made before issue 15: KWL-XXXXXX, any letters and digits
# What may stand before the code: /start (a deep link), DAFTAR or REGISTER.
LEAD = r"^\s*(?:/start(?:@\w+)?\s+|(?:daftar|register)\b[\s:]*)?"
_LEAD_RE = re.compile(LEAD + r"(.*?)\s*$", re.I | re.S)
PREFIXED_RE = re.compile(LEAD + "kwl", re.I)
_SEPARATORS_RE = re.compile(r"[\s_-]+")


def new_invite_code() -> str:
    """``KWL-7F3K-9QXM-2ABC``: 12 random symbols of :data:`ALPHABET` (60 bits)."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(CODE_SYMBOLS))
    groups = [symbols[i : i + _GROUP] for i in range(0, CODE_SYMBOLS, _GROUP)]
    return "-".join((INVITE_PREFIX, *groups))


def normalize_code(text: str) -> str | None:
    """The stored form of the code in ``text``, or None. Takes lower case, spaces or dashes
    between groups, no ``KWL`` prefix, ``/start KWL...``, ``DAFTAR kwl 7f3k 9qxm 2abc``. A
    6-symbol code (made before issue 15) needs its ``KWL`` prefix, as it always did."""
    match = _LEAD_RE.match(text)
    if match is None:  # pragma: no cover - the pattern matches any text
        return None
    compact = _SEPARATORS_RE.sub("", match.group(1)).upper()
    if not compact.isascii() or not compact.isalnum():
        return None
    prefixed = compact.startswith(INVITE_PREFIX) and len(compact) in (
        len(INVITE_PREFIX) + CODE_SYMBOLS,
        len(INVITE_PREFIX) + _LEGACY_SYMBOLS,
    )
    body = compact[len(INVITE_PREFIX) :] if prefixed else compact
    if len(body) == CODE_SYMBOLS and all(c in ALPHABET for c in body):
        groups = [body[i : i + _GROUP] for i in range(0, CODE_SYMBOLS, _GROUP)]
        return "-".join((INVITE_PREFIX, *groups))
    if prefixed and len(body) == _LEGACY_SYMBOLS:
        return f"{INVITE_PREFIX}-{body}"
    return None


def deep_link(bot_username: str, code: str) -> str:
    """The Telegram link that registers with ``code`` (``https://t.me/<bot>?start=CODE``)."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
