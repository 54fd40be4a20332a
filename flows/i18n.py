"""The form engine's messages: the ``engine`` domain of the catalogs
(``locales/<lang>/LC_MESSAGES/engine.po``).

Bahasa Indonesia ("id") first, English ("en") second. Messages are short (phone screens) and every
error says what is expected, with an example. A form may re-word any of them (its ``messages``
key, by catalog key): :func:`form_t` reads that wording first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flows.model import Label
from locales import DEFAULT_LANG, domain

__all__ = ["DEFAULT_LANG", "ENGINE", "fill", "form_t", "t", "tn"]

ENGINE = domain("engine")
t = ENGINE.t
tn = ENGINE.tn

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, fields: Mapping[str, Any]) -> str:
    """``text`` with each ``{name}`` of ``fields`` filled in; other braces stay as written
    (a form's own text may hold any)."""
    if not fields:
        return text
    return _PLACEHOLDER.sub(lambda m: str(fields[m[1]]) if m[1] in fields else m[0], text)


def form_t(
    overrides: Mapping[str, Label] | None, key: str, lang: str = DEFAULT_LANG, /, **fields: Any
) -> str:
    """The engine message ``key``, in the form's own wording when it has one."""
    override = (overrides or {}).get(key)
    if override is not None:
        return fill(override.get(lang), fields)
    return t(key, lang, **fields)
