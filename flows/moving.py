"""Moving the cursor: the next position that needs input, notes said on the way, answers of
questions that stopped being relevant dropped."""

from __future__ import annotations

from flows.asking import current_value
from flows.events import Event, Say
from flows.model import Form, Question
from flows.positions import (
    ADD,
    REVIEW,
    Pos,
    after_repeat,
    drop_value,
    has_value,
    instances,
    is_picker,
    json_copy,
    prefill_items,
    relevant,
    resolve,
    set_value,
    step,
)
from flows.session import Session

__all__ = ["advance", "advance_from", "cleanup", "note_text", "take_current"]


def advance(form: Form, s: Session, path: str | None, events: list[Event]) -> None:
    """Moves the cursor to the next position that needs input, from after ``path``."""
    advance_from(form, s, step(form, s, path), events)


def advance_from(form: Form, s: Session, p: str, events: list[Event]) -> None:
    """Moves the cursor to the first position from ``p`` (inclusive) that needs input."""
    for _ in range(10_000):  # bounded: every iteration moves forward
        if p == REVIEW:
            break
        pos = resolve(form, p)
        if pos is None or pos.question is None:
            p = REVIEW
            break
        q = pos.question
        if not relevant(s, pos):
            if pos.is_add and pos.repeat is not None:
                p = after_repeat(form, pos.repeat)
                continue
            drop_value(s, pos)
            p = after_repeat(form, q) if q.type == "repeat" else step(form, s, p)
            continue
        if pos.is_add and pos.repeat is not None:
            count = len(instances(s, pos.repeat))
            full = pos.repeat.max_count is not None and count >= pos.repeat.max_count
            if (full and not is_picker(s, pos.repeat)) or (s.editing and p in s.visited):
                p = after_repeat(form, pos.repeat)
                continue
            break
        if q.type == "note":
            if not s.editing:
                events.append(Say(text=note_text(q, s.lang)))
            p = step(form, s, p)
            continue
        if q.type == "repeat":
            if not isinstance(s.answers.get(q.name), list):
                s.answers[q.name] = [{} for _ in prefill_items(s, q)]
            inner = q.questions or []
            first = instances(s, q) and not is_picker(s, q)
            p = f"{q.name}.0.{inner[0].name}" if first else f"{q.name}.{ADD}"
            continue
        if s.editing and p in s.visited and (has_value(s, pos) or not q.is_required):
            p = step(form, s, p)
            continue
        break
    s.cursor = p
    s.mode = "ask"
    s.pending_value = None
    if p == REVIEW:
        s.editing = False


def note_text(q: Question, lang: str) -> str:
    text = q.label.get(lang)
    return f"{text}\n{q.hint.get(lang)}" if q.hint else text


def cleanup(form: Form, s: Session) -> None:
    """Drops answers of questions that are no longer relevant (in form order)."""
    for q in form.questions:
        pos = Pos(q.name, q)
        if not relevant(s, pos):
            drop_value(s, pos)
            continue
        if q.type != "repeat":
            continue
        for i in range(len(instances(s, q))):
            for sub in q.questions or []:
                sp = Pos(f"{q.name}.{i}.{sub.name}", sub, q, i)
                if not relevant(s, sp):
                    drop_value(s, sp)


def take_current(form: Form, s: Session) -> None:
    """Answers every top-level question with its prefilled or default value, in form order
    (so relevance follows the values taken), and puts the cursor on the review; stops at a
    required question without any (a record opened to be changed)."""
    path = step(form, s, None)
    while path != REVIEW:
        pos = resolve(form, path)
        if pos is None or pos.question is None:
            break
        q = pos.question
        if q.type in {"note", "repeat"} or not relevant(s, pos):
            drop_value(s, pos)
            path = step(form, s, path)
            continue
        value = current_value(form, s, pos)
        if value is None and q.is_required:
            break
        if value is not None:
            set_value(s, pos, json_copy(value))
        s.visited.append(path)
        path = step(form, s, path)
    s.cursor = path
    s.mode = "ask"
