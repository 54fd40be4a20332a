"""What the engine asks: the question at the cursor with its options (the value offered as
"Tetap", choices made by the type, ``{placeholders}`` filled), the review, the yes/no steps,
and the engine's messages in the form's own words (:func:`engine_t`)."""

from __future__ import annotations

from typing import Any

from flows.events import Ask, Event, Option, Say
from flows.i18n import fill, form_t
from flows.model import Form
from flows.positions import (
    CANCEL,
    KEEP,
    NO,
    REVIEW,
    SAVE,
    YES,
    Pos,
    get_value,
    has_value,
    item_title,
    parse_ctx,
    prefill,
    resolve,
)
from flows.qtypes import QUESTION_TYPES, choices_of, placeholders_of
from flows.review import review_text
from flows.session import Session, SessionStatus

__all__ = [
    "FINISHED",
    "ask",
    "current_value",
    "engine_t",
    "options_at",
    "prompt",
    "shown",
    "yes_no_options",
]

FINISHED = {
    SessionStatus.COMPLETED,
    SessionStatus.EXPIRED,
    SessionStatus.INTERRUPTED,
    SessionStatus.ERRORED,
}
KEEP_LABEL_MAX = 40


def engine_t(form: Form, key: str, lang: str, /, **fields: Any) -> str:
    """An engine message in the form's own wording when it has one."""
    return form_t(form.messages, key, lang, **fields)


def yes_no_options(form: Form, lang: str) -> list[Option]:
    return [
        Option(value=YES, label=engine_t(form, "yes", lang)),
        Option(value=NO, label=engine_t(form, "no", lang)),
    ]


def current_value(form: Form, s: Session, pos: Pos) -> Any:
    """The value offered as "Tetap": the answer so far (when complete), else the prefill,
    else the default (the form's, or one the type makes from the context)."""
    if pos.question is None or pos.is_add:
        return None
    q = pos.question
    spec = QUESTION_TYPES[q.type]
    if has_value(s, pos):
        value = get_value(s, pos)
        if spec.complete is None or spec.complete(q, value):
            return value
        return None
    value = prefill(s, pos)
    if value is None and q.default is not None:
        value = spec.normalize(q, q.default)
    if value is None and spec.default_of is not None:
        value = spec.default_of(q, parse_ctx(form, s, pos))
    return value


def shown(form: Form, s: Session, pos: Pos, value: Any) -> str:
    assert pos.question is not None  # noqa: S101 - only called for questions
    q = pos.question
    return QUESTION_TYPES[q.type].display(q, value, parse_ctx(form, s, pos))


def fields_of(form: Form, s: Session, pos: Pos, keep: Any) -> dict[str, str]:
    """What ``{name}``s in the question's texts are filled with: the type's placeholders and
    ``{current}`` (the value offered as "Tetap")."""
    assert pos.question is not None  # noqa: S101 - only called for questions
    fields = placeholders_of(pos.question, parse_ctx(form, s, pos))
    fields["current"] = shown(form, s, pos, keep) if keep is not None else "-"
    return fields


def options_at(form: Form, s: Session, pos: Pos) -> tuple[list[Option], Any]:
    assert pos.question is not None  # noqa: S101 - only called for questions
    q = pos.question
    lang = s.lang
    keep = current_value(form, s, pos)
    if q.type == "yes_no":
        options = yes_no_options(form, lang)
    else:
        fields = fields_of(form, s, pos, keep)
        options = [
            Option(value=c.value, label=fill(c.label.get(lang), fields))
            for c in choices_of(q, parse_ctx(form, s, pos))
        ]
    if keep is not None:
        kept = shown(form, s, pos, keep)
        if len(kept) > KEEP_LABEL_MAX:
            kept = kept[: KEEP_LABEL_MAX - 1] + "…"
        options.append(Option(value=KEEP, label=engine_t(form, "keep_option", lang, value=kept)))
    return options, keep


def ask(form: Form, s: Session) -> Ask:
    lang = s.lang
    pos = resolve(form, s.cursor)
    if s.mode == "confirm_cancel":
        return Ask(
            text=engine_t(form, "confirm_cancel", lang),
            question=CANCEL,
            input="confirm",
            options=yes_no_options(form, lang),
        )
    if pos is None or pos.path == REVIEW:
        return Ask(
            text=engine_t(form, "review_ask", lang),
            question=REVIEW,
            input="choice",
            options=[
                Option(value=SAVE, label=engine_t(form, "save", lang)),
                Option(value=CANCEL, label=engine_t(form, "cancel", lang)),
            ],
        )
    assert pos.question is not None  # noqa: S101 - not the review
    if s.mode == "confirm_warning":
        return Ask(
            text=engine_t(form, "confirm_warning", lang),
            question=pos.path,
            input="confirm",
            options=yes_no_options(form, lang),
        )
    if pos.is_add:
        repeat = pos.question
        text = (
            repeat.add_another.get(lang)
            if repeat.add_another
            else engine_t(form, "add_another", lang)
        )
        return Ask(
            text=text, question=pos.path, input="confirm", options=yes_no_options(form, lang)
        )
    q = pos.question
    spec = QUESTION_TYPES[q.type]
    lines: list[str] = []
    if pos.repeat is not None and pos.index is not None:
        lines.append(f"[{item_title(s, pos.repeat, pos.index, lang)}]")
    options, keep = options_at(form, s, pos)
    fields = fields_of(form, s, pos, keep)
    asked = spec.prompt(q, parse_ctx(form, s, pos)) if spec.prompt is not None else None
    lines.append(fill(asked if asked is not None else q.label.get(lang), fields))
    if q.hint and asked is None:
        lines.append(fill(q.hint.get(lang), fields))
    kind = spec.input
    if keep is not None and kind not in {"choice", "multi"}:
        lines.append(engine_t(form, "current_value", lang, value=shown(form, s, pos, keep)))
        lines.append(engine_t(form, "hint_keep", lang))
    if not q.is_required:
        lines.append(engine_t(form, "hint_skip", lang))
    return Ask(
        text="\n".join(lines),
        question=pos.path,
        input=kind,
        options=options,
        skippable=not q.is_required,
    )


def prompt(form: Form, s: Session) -> list[Event]:
    if s.status in FINISHED:
        return [Say(text=engine_t(form, "finished", s.lang))]
    if s.cursor == REVIEW and s.mode == "ask":
        return [Say(text=review_text(form, s)), ask(form, s)]
    return [ask(form, s)]
