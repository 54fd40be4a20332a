"""The handlers' messages: the ``handlers`` domain of the catalogs
(``locales/<lang>/LC_MESSAGES/handlers.po``), Bahasa Indonesia first, English second.

Keep messages short (a phone screen) and make every error say what to do next, with an example.
``t(key, lang, **fields)`` for a message, ``tn(key, n, lang, **fields)`` for one whose words
follow a count ("1 family", "2 families").
"""

from __future__ import annotations

from locales import LANGS, domain

__all__ = ["LANGS", "catalog_languages", "keys", "t", "tn"]

_HANDLERS = domain("handlers")
t = _HANDLERS.t
tn = _HANDLERS.tn


def keys() -> frozenset[str]:
    return _HANDLERS.keys()


def catalog_languages(key: str) -> frozenset[str]:
    return _HANDLERS.languages(key)
