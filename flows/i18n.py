"""The form engine's messages: the ``engine`` domain of the catalogs
(``locales/<lang>/LC_MESSAGES/engine.po``).

Bahasa Indonesia ("id") first, English ("en") second. Messages are short (phone screens) and every
error says what is expected, with an example.
"""

from __future__ import annotations

from locales import DEFAULT_LANG, domain

__all__ = ["DEFAULT_LANG", "ENGINE", "t", "tn"]

ENGINE = domain("engine")
t = ENGINE.t
tn = ENGINE.tn
