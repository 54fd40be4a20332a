"""The review screen, the "ringkasan" and the changes against the prefilled record."""

from __future__ import annotations

from flows.events import Change
from flows.i18n import form_t
from flows.model import Form
from flows.positions import (
    Pos,
    get_value,
    has_value,
    instances,
    item_title,
    parse_ctx,
    prefill,
    relevant,
)
from flows.qtypes import QUESTION_TYPES
from flows.session import Session

__all__ = ["answer_line", "changes", "review_items", "review_paths", "review_text", "summary"]


def review_items(form: Form, s: Session) -> list[tuple[str | None, str]]:
    """(path or None for a heading, line text) for every relevant answered/asked question."""
    lang = s.lang
    out: list[tuple[str | None, str]] = []
    for q in form.questions:
        pos = Pos(q.name, q)
        if q.type == "note" or not relevant(s, pos):
            continue
        if q.type == "repeat":
            for i in range(len(instances(s, q))):
                out.append((None, item_title(s, q, i, lang)))
                for sub in q.questions or []:
                    sp = Pos(f"{q.name}.{i}.{sub.name}", sub, q, i)
                    if sub.type != "note" and relevant(s, sp) and sp.path in s.visited:
                        out.append((sp.path, "  " + answer_line(form, s, sp)))
            continue
        if pos.path in s.visited or has_value(s, pos):
            out.append((pos.path, answer_line(form, s, pos)))
    return out


def answer_line(form: Form, s: Session, pos: Pos) -> str:
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    spec = QUESTION_TYPES[q.type]
    ctx = parse_ctx(form, s, pos)
    empty = form_t(form.messages, "empty_value", s.lang)
    value = spec.display(q, get_value(s, pos), ctx) if has_value(s, pos) else empty
    before = prefill(s, pos)
    if before is not None and (not has_value(s, pos) or before != get_value(s, pos)):
        value = f"{spec.display(q, before, ctx)} → {value}"
    return f"{(q.review_label or q.label).get(s.lang)}: {value}"


def review_text(form: Form, s: Session) -> str:
    lines = [form_t(form.messages, "review_title", s.lang)]
    n = 0
    for path, text in review_items(form, s):
        if path is None:
            lines.append(text)
        else:
            n += 1
            indent = "  " if text.startswith(" ") else ""
            lines.append(f"{indent}{n}. {text.strip()}")
    return "\n".join(lines)


def review_paths(form: Form, s: Session) -> list[str]:
    return [p for p, _ in review_items(form, s) if p is not None]


def changes(form: Form, s: Session) -> list[Change]:
    out: list[Change] = []
    for q in form.questions:
        if q.type == "repeat":
            for i, item in enumerate(instances(s, q)):
                if not item:  # a member the person never opened (the picker) is unchanged
                    continue
                for sub in q.questions or []:
                    _change(s, Pos(f"{q.name}.{i}.{sub.name}", sub, q, i), out)
        else:
            _change(s, Pos(q.name, q), out)
    return out


def _change(s: Session, pos: Pos, out: list[Change]) -> None:
    before = prefill(s, pos)
    if before is None or pos.question is None or not relevant(s, pos):
        return
    after = get_value(s, pos) if has_value(s, pos) else None
    if after != before:
        label = (pos.question.review_label or pos.question.label).get(s.lang)
        out.append(Change(path=pos.path, label=label, before=before, after=after))


def summary(form: Form, session: Session) -> str:
    """The "ringkasan": the form title and every answer so far. Raises on a damaged session
    (``resume`` turns that into an ``Errored`` event)."""
    lang = session.lang
    title = form_t(form.messages, "summary_title", lang, title=form.title.get(lang))
    items = [text.strip() for _, text in review_items(form, session)]
    body = (
        "\n".join(f"- {x}" for x in items)
        if items
        else form_t(form.messages, "summary_empty", lang)
    )
    return f"{title}\n{body}"
