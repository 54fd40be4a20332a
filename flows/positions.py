"""Positions in a form and the answers at them: the engine's view of a session's data.

A position ("path") is a top-level question name, ``<repeat>.<index>.<name>`` (0-based index),
``<repeat>.__add__`` (add another?) or ``__review__``. Pure functions on a session; the ones
that change it (``set_value``, ``drop_value``) change it in place (the engine works on a copy).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flows.expressions import Env, compile_expr, evaluate, truthy
from flows.i18n import t
from flows.model import Form, Question
from flows.qtypes import QUESTION_TYPES, ParseCtx
from flows.session import Session

__all__ = [
    "ADD",
    "CANCEL",
    "KEEP",
    "KEEP_ALL",
    "NO",
    "REVIEW",
    "SAVE",
    "YES",
    "Pos",
    "after_repeat",
    "current_item",
    "drop_value",
    "env_at",
    "get_value",
    "has_value",
    "holds",
    "instances",
    "is_number",
    "is_picker",
    "item_title",
    "json_copy",
    "now_of",
    "parse_ctx",
    "prefill",
    "prefill_items",
    "relevant",
    "resolve",
    "set_value",
    "step",
    "today_of",
    "visit",
]

REVIEW = "__review__"
CANCEL = "__cancel__"
SAVE = "__save__"
KEEP = "__keep__"
KEEP_ALL = "__keep_all__"  # "Semua data tetap": keep every remaining answer
ADD = "__add__"
YES, NO = "yes", "no"

_NUMBER = re.compile(r"[0-9]{1,6}")


def is_number(text: str) -> bool:
    """ASCII digits only (str.isdigit() accepts "¹", which int() rejects)."""
    return _NUMBER.fullmatch(text) is not None


@dataclass(frozen=True)
class Pos:
    path: str
    question: Question | None  # None for review
    repeat: Question | None = None
    index: int | None = None
    is_add: bool = False


def resolve(form: Form, path: str | None) -> Pos | None:
    if path is None:
        return None
    if path == REVIEW:
        return Pos(REVIEW, None)
    parts = path.split(".")
    top = form.question(parts[0])
    if top is None:
        return None
    if len(parts) == 1:
        return Pos(path, top)
    if top.type != "repeat":
        return None
    if len(parts) == 2 and parts[1] == ADD:
        return Pos(path, top, top, None, True)
    if len(parts) != 3 or not is_number(parts[1]):
        return None
    inner = next((q for q in top.questions or [] if q.name == parts[2]), None)
    if inner is None:
        return None
    return Pos(path, inner, top, int(parts[1]))


def instances(s: Session, repeat: Question) -> list[dict[str, Any]]:
    value = s.answers.get(repeat.name)
    return value if isinstance(value, list) else []


def step(form: Form, s: Session, path: str | None) -> str:
    """The structurally next position (relevance is handled by the caller)."""
    names = [q.name for q in form.questions]
    if path is None:
        return names[0] if names else REVIEW
    pos = resolve(form, path)
    if pos is None or pos.path == REVIEW:
        return REVIEW
    if pos.repeat is None or pos.is_add:
        top = pos.repeat.name if pos.repeat is not None else path
        i = names.index(top) + 1
        return names[i] if i < len(names) else REVIEW
    inner = [q.name for q in pos.repeat.questions or []]
    assert pos.question is not None and pos.index is not None  # noqa: S101 - narrowed above
    j = inner.index(pos.question.name) + 1
    if j < len(inner):
        return f"{pos.repeat.name}.{pos.index}.{inner[j]}"
    if is_picker(s, pos.repeat):
        return f"{pos.repeat.name}.{ADD}"
    if pos.index + 1 < len(instances(s, pos.repeat)):
        return f"{pos.repeat.name}.{pos.index + 1}.{inner[0]}"
    return f"{pos.repeat.name}.{ADD}"


def is_picker(s: Session, repeat: Question) -> bool:
    """A repeat over a prefilled list (a household's members) is a picker: the user chooses
    the instance to change, or adds one, instead of walking through every instance."""
    return bool(prefill_items(s, repeat))


def after_repeat(form: Form, repeat: Question) -> str:
    names = [q.name for q in form.questions]
    i = names.index(repeat.name) + 1
    return names[i] if i < len(names) else REVIEW


def today_of(s: Session) -> date | None:
    raw = s.context.get("today")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def now_of(s: Session) -> datetime | None:
    """The instant the host passed in (``context["now"]``, ISO with offset), if any."""
    raw = s.context.get("now")
    if isinstance(raw, str):
        try:
            found = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return found if found.tzinfo is not None else None
    return None


def parse_ctx(form: Form, s: Session, pos: Pos | None = None) -> ParseCtx:
    """What a question type sees at ``pos``: the session's time, context and answers, the
    answer there so far and the form's wording of the engine's messages."""
    current = get_value(s, pos) if pos is not None and has_value(s, pos) else None
    return ParseCtx(
        lang=s.lang,
        today=today_of(s),
        now=now_of(s),
        context=s.context,
        answers=s.answers,
        current=current,
        overrides=form.messages or {},
    )


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and is_number(part) and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _record(s: Session) -> Any:
    return s.context.get("record")


def prefill_items(s: Session, repeat: Question) -> list[Any]:
    if not repeat.prefill:
        return []
    items = _dig(_record(s), repeat.prefill)
    return items if isinstance(items, list) else []


def prefill(s: Session, pos: Pos) -> Any:
    q = pos.question
    if q is None or not q.prefill:
        return None
    if pos.repeat is None:
        raw = _dig(_record(s), q.prefill)
    else:
        items = prefill_items(s, pos.repeat)
        if pos.index is None or pos.index >= len(items):
            return None
        raw = _dig(items[pos.index], q.prefill)
    return QUESTION_TYPES[q.type].normalize(q, raw)


def get_value(s: Session, pos: Pos) -> Any:
    if pos.question is None:
        return None
    if pos.repeat is None:
        return s.answers.get(pos.question.name)
    items = instances(s, pos.repeat)
    if pos.index is None or pos.index >= len(items):
        return None
    return items[pos.index].get(pos.question.name)


def has_value(s: Session, pos: Pos) -> bool:
    if pos.question is None:
        return False
    if pos.repeat is None:
        return pos.question.name in s.answers
    items = instances(s, pos.repeat)
    return (
        pos.index is not None and pos.index < len(items) and pos.question.name in items[pos.index]
    )


def set_value(s: Session, pos: Pos, value: Any) -> None:
    assert pos.question is not None  # noqa: S101 - only called for questions
    if pos.repeat is None:
        s.answers[pos.question.name] = value
        return
    items = instances(s, pos.repeat)
    if pos.index is not None and pos.index < len(items):
        items[pos.index][pos.question.name] = value


def json_copy(value: Any) -> Any:
    """``value`` as plain JSON data (a copy: the session never shares it)."""
    if isinstance(value, dict):
        return {str(k): json_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_copy(v) for v in value]
    return value


def visit(s: Session, path: str) -> None:
    """Marks ``path`` answered or skipped (the review lists it)."""
    if path not in s.visited:
        s.visited.append(path)


def drop_value(s: Session, pos: Pos) -> None:
    if pos.question is None:
        return
    if pos.repeat is None:
        s.answers.pop(pos.question.name, None)
        if pos.question.type == "repeat":
            prefix = pos.question.name + "."
            s.visited = [v for v in s.visited if not v.startswith(prefix)]
    else:
        items = instances(s, pos.repeat)
        if pos.index is not None and pos.index < len(items):
            items[pos.index].pop(pos.question.name, None)
    s.visited = [v for v in s.visited if v != pos.path]


def current_item(s: Session, repeat: Question, index: int) -> dict[str, Any]:
    """One repeat instance as it stands: its answers, else the prefilled values."""
    items = instances(s, repeat)
    answered = items[index] if index < len(items) else {}
    item: dict[str, Any] = {}
    for q in repeat.questions or []:
        if q.name in answered:
            item[q.name] = answered[q.name]
        else:
            value = prefill(s, Pos(f"{repeat.name}.{index}.{q.name}", q, repeat, index))
            if value is not None:
                item[q.name] = value
    return item


def _others(s: Session, repeat: Question, index: int) -> Callable[[str], list[Any]]:
    """``others(name)``: the values of ``name`` in the other instances where it is asked."""

    def others(name: str) -> list[Any]:
        q = next((x for x in repeat.questions or [] if x.name == name), None)
        out: list[Any] = []
        for i in range(len(instances(s, repeat))):
            item = current_item(s, repeat, i) if i != index and q is not None else {}
            env = Env(s.answers, item, repeat.field_names(), None, today_of(s))
            if name in item and q is not None and holds(q.relevant, env):
                out.append(item[name])
        return out

    return others


def env_at(s: Session, pos: Pos, current: Any = None) -> Env:
    """What the expressions at ``pos`` see. Inside a repeat instance an unanswered field is
    its prefilled value (the record as it stands), so a check can look at a later field."""
    instance = None
    fields: frozenset[str] = frozenset()
    others: Callable[[str], list[Any]] | None = None
    new_item = False
    repeat, index = pos.repeat, pos.index
    if repeat is not None and index is not None and index < len(instances(s, repeat)):
        instance = current_item(s, repeat, index)
        fields = repeat.field_names()
        others = _others(s, repeat, index)
        new_item = index >= len(prefill_items(s, repeat))
    return Env(s.answers, instance, fields, current, today_of(s), others, new_item)


def holds(src: str | None, env: Env) -> bool:
    return truthy(evaluate(compile_expr(src), env)) if src else True


def relevant(s: Session, pos: Pos) -> bool:
    if pos.question is None:
        return True
    if pos.repeat is not None and not holds(pos.repeat.relevant, env_at(s, Pos("", pos.repeat))):
        return False
    if pos.is_add:
        return True
    return holds(pos.question.relevant, env_at(s, pos))


def item_title(s: Session, repeat: Question, index: int, lang: str) -> str:
    ctx = ParseCtx(lang=lang, today=today_of(s), context=s.context, answers=s.answers)
    items = instances(s, repeat)
    values: dict[str, Any] = {}
    pre = prefill_items(s, repeat)
    for q in repeat.questions or []:
        pos = Pos(f"{repeat.name}.{index}.{q.name}", q, repeat, index)
        v = items[index].get(q.name) if index < len(items) else None
        if v is None:
            v = prefill(s, pos) if index < len(pre) else None
        values[q.name] = QUESTION_TYPES[q.type].display(q, v, ctx) if v is not None else ""
    values["n"] = str(index + 1)
    template = repeat.item_label.get(lang) if repeat.item_label else t("item_default", lang)
    title = re.sub(r"\{([^{}]*)\}", lambda m: values.get(m.group(1), ""), template)
    return title.strip().rstrip(":").strip()
