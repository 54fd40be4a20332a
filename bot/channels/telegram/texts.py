"""The Telegram channel's own words (buttons, hints, callback answers), Indonesian first: the
``telegram`` domain of the catalogs (``locales/<lang>/LC_MESSAGES/telegram.po``)."""

from __future__ import annotations

from locales import domain

_TELEGRAM = domain("telegram")

COMMANDS = ("start", "menu", "lanjut", "batal", "bantuan", "tenggat")


def tg(key: str, lang: str = "id") -> str:
    return _TELEGRAM.t(key, lang)


def private_only(lang: str, bot_username: str) -> str:
    """The one line said in a group or channel (and on a button pressed there)."""
    if not bot_username:
        return tg("private_only_unnamed", lang)
    return _TELEGRAM.t("private_only", lang, bot=bot_username)
