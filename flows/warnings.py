"""A question's warnings: ``warning`` + ``warning_message``, and each of ``warnings``
(``when`` + ``message``), whose ``{expression}`` placeholders show values (dates as
dd-mm-yyyy) so the message can say which answer differs and show both."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flows.expressions import Env, compile_expr, evaluate
from flows.model import Question
from flows.positions import holds

__all__ = ["placeholders", "warning_texts"]

_PLACEHOLDER = re.compile(r"\{((?:[^{}$]|\$\{\w+\})+)\}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def placeholders(message: str) -> list[str]:
    """The expressions inside ``{...}`` of a message."""
    return _PLACEHOLDER.findall(message)


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value).strftime("%d-%m-%Y")
    return "-" if value is None else str(value)


def _fill(message: str, env: Env) -> str:
    return _PLACEHOLDER.sub(lambda m: _shown(evaluate(compile_expr(m.group(1)), env)), message)


def warning_texts(q: Question, env: Env, lang: str) -> list[str]:
    """The warnings that hold for the answer in ``env.current``."""
    out: list[str] = []
    if q.warning and holds(q.warning, env):
        out.append(q.warning_message.get(lang) if q.warning_message else q.warning)
    for check in q.warnings or []:
        if holds(check.when, env):
            out.append(_fill(check.message.get(lang), env))
    return out
