"""KONSOL: a one-time link to the web console for Dinsos, camat and peratin (issue 19).

The link works once and for ten minutes; only the SHA-256 of its token is stored
(``storage/repos/web.py``). The console (``bot/web``) spends it and opens a session bound to
the person's roles at that moment.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from handlers.kit.context import Turn
from handlers.kit.i18n import t
from handlers.messages import Inbound, InboundKind, Reply, Text, Tone
from storage.db import UnitOfWork

__all__ = [
    "CONSOLE_ROLES",
    "LINK_MINUTES",
    "LOGIN_PATH",
    "is_request",
    "login_url",
    "make_link",
    "show",
]

CONSOLE_ROLES = ("dinsos", "camat", "peratin", "admin")
LINK_MINUTES = 10
LOGIN_PATH = "/konsol/masuk/"  # + the token
WORDS = frozenset({"konsol", "console"})


def is_request(inbound: Inbound) -> bool:
    if inbound.kind is InboundKind.COMMAND:
        return inbound.command in WORDS
    return inbound.kind is InboundKind.TEXT and inbound.text.strip().lower() in WORDS


def login_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + LOGIN_PATH + token


async def make_link(uow: UnitOfWork, person_id: int, now: datetime, base_url: str) -> str:
    """A new one-time link for ``person_id`` (the caller checked the person may have one)."""
    token = secrets.token_urlsafe(32)
    await uow.web.add_login(token, person_id, now, now + timedelta(minutes=LINK_MINUTES))
    return login_url(base_url, token)


async def show(turn: Turn, base_url: str) -> Reply:
    """The answer to KONSOL (or the menu item): a link, or why there is none."""
    if not turn.roles(*CONSOLE_ROLES):
        return Reply([Text(t("console_not_allowed", turn.lang), Tone.ERROR)])
    if not base_url:
        return Reply([Text(t("console_not_configured", turn.lang), Tone.ERROR)])
    url = await make_link(turn.uow, turn.me.person_id, turn.now, base_url)
    return Reply([Text(t("console_link", turn.lang, url=url, minutes=LINK_MINUTES))])
