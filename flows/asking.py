"""What the engine asks: the question at the cursor with its options (choices made by the type,
``{placeholders}`` filled), the keep button (a word, never a number), the repeat picker, the
confirmations and the review; and the engine's messages in the form's own words
(:func:`engine_t`)."""

from __future__ import annotations

from typing import Any

from flows.events import Ask, Event, Option, Say
from flows.i18n import fill, form_t
from flows.model import Form, Question
from flows.positions import (
    CANCEL,
    KEEP,
    KEEP_ALL,
    NO,
    REVIEW,
    SAVE,
    YES,
    Pos,
    get_value,
    has_value,
    instances,
    is_picker,
    item_title,
    parse_ctx,
    prefill,
    prefill_items,
    relevant,
    resolve,
)
from flows.qtypes import QUESTION_TYPES, choices_of, placeholders_of
from flows.review import answer_line, review_text
from flows.session import Session, SessionStatus

__all__ = [
    "ADD_ITEM",
    "FINISHED",
    "ITEM",
    "KEEP_ALL",
    "ONE",
    "ask",
    "constraint_message",
    "current_value",
    "empty_message",
    "engine_t",
    "error",
    "keep_shown",
    "missing_one",
    "prompt",
    "shown",
    "yes_no_options",
]

ONE = "__one__:"
ITEM = "__item__:"
ADD_ITEM = "__add_item__"
FINISHED = {
    SessionStatus.COMPLETED,
    SessionStatus.EXPIRED,
    SessionStatus.INTERRUPTED,
    SessionStatus.ERRORED,
}
_KEEP_LABEL_MAX = 40


def engine_t(form: Form, key: str, lang: str, /, **fields: Any) -> str:
    """An engine message in the form's own wording when it has one."""
    return form_t(form.messages, key, lang, **fields)


def error(form: Form, s: Session, message: str) -> list[Event]:
    """``message`` said as an error, then the question asked again."""
    return [Say(text=message, tone="error"), ask(form, s)]


def constraint_message(form: Form, q: Question, lang: str) -> str:
    if q.constraint_message:
        return q.constraint_message.get(lang)
    return engine_t(form, "err_constraint", lang)


def empty_message(form: Form, q: Question, lang: str) -> str:
    """An empty answer: the question's own word for it, else "empty" and what is expected."""
    own = (q.messages or {}).get("empty")
    if own is not None:
        return own.get(lang)
    expected = engine_t(form, QUESTION_TYPES[q.type].expect_key, lang)
    return engine_t(form, "err_empty", lang) + " " + expected


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
    """``value`` as the question's type shows it."""
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    return QUESTION_TYPES[q.type].display(q, value, parse_ctx(form, s, pos))


def keep_shown(form: Form, s: Session, pos: Pos, value: Any) -> str:
    text = shown(form, s, pos, value)
    return text if len(text) <= _KEEP_LABEL_MAX else text[: _KEEP_LABEL_MAX - 1] + "…"


def _fields(form: Form, s: Session, pos: Pos, keep: Any) -> dict[str, str]:
    """What ``{name}``s in the question's texts are filled with: the type's placeholders and
    ``{current}`` (the value offered as "Tetap")."""
    assert pos.question is not None  # noqa: S101 - questions only
    fields = placeholders_of(pos.question, parse_ctx(form, s, pos))
    fields["current"] = shown(form, s, pos, keep) if keep is not None else "-"
    return fields


def _keep_all_offered(s: Session) -> bool:
    """ "Semua data tetap" is offered on the first question of a form about a record."""
    return not s.history and bool(s.context.get("record"))


def missing_one(form: Form, s: Session, repeat: Question) -> list[int] | None:
    """The instances that may take the repeat's ``exactly_one`` value when none has it (the
    head of the family moved away), else None."""
    one = repeat.exactly_one
    if one is None:
        return None
    field = next(q for q in repeat.questions or [] if q.name == one.field)
    candidates: list[int] = []
    for i in range(len(instances(s, repeat))):
        pos = Pos(f"{repeat.name}.{i}.{field.name}", field, repeat, i)
        if not relevant(s, pos):
            continue
        if current_value(form, s, pos) == one.value:
            return None
        candidates.append(i)
    return candidates or None


def _picker(form: Form, s: Session, pos: Pos) -> Ask:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    lang = s.lang
    missing = missing_one(form, s, repeat)
    if missing is not None and repeat.exactly_one is not None:
        return Ask(
            text=repeat.exactly_one.ask.get(lang),
            question=pos.path,
            input="choice",
            options=[
                Option(value=f"{ONE}{i}", label=item_title(s, repeat, i, lang)) for i in missing
            ],
        )
    options = [
        Option(value=f"{ITEM}{i}", label=_picked_title(form, s, repeat, i))
        for i in range(len(instances(s, repeat)))
    ]
    options.append(Option(value=ADD_ITEM, label=engine_t(form, "picker_add", lang)))
    return Ask(
        text=engine_t(form, "picker", lang, label=repeat.label.get(lang)),
        question=pos.path,
        input="choice",
        options=options,
        extra=[Option(value=SAVE, label=engine_t(form, "save", lang))],
    )


def _picked_title(form: Form, s: Session, repeat: Question, index: int) -> str:
    """An item in the picker, marked when this form changed or added it (a member marked
    Meninggal must not look as it did before)."""
    title = item_title(s, repeat, index, s.lang)
    item = instances(s, repeat)[index]
    if index >= len(prefill_items(s, repeat)):
        return engine_t(form, "picker_item_new", s.lang, item=title)
    for q in repeat.questions or []:
        pos = Pos(f"{repeat.name}.{index}.{q.name}", q, repeat, index)
        if q.name in item and item[q.name] != prefill(s, pos):
            return engine_t(form, "picker_item_changed", s.lang, item=title)
    return title


def _confirm_warning(form: Form, s: Session, pos: Pos) -> Ask:
    lang = s.lang
    extra: list[Option] = []
    keep = current_value(form, s, pos)
    if keep is not None and keep != s.pending_value:
        kept = keep_shown(form, s, pos, keep)
        extra.append(Option(value=KEEP, label=engine_t(form, "keep_option", lang, value=kept)))
    return Ask(
        text=engine_t(form, "confirm_warning", lang),
        question=pos.path,
        input="confirm",
        options=[
            Option(value=YES, label=engine_t(form, "warning_yes", lang)),
            Option(value=NO, label=engine_t(form, "warning_no", lang)),
        ],
        extra=extra,
        numbered=False,
    )


def _confirm_keep(form: Form, s: Session, pos: Pos) -> Ask:
    lang = s.lang
    kept = keep_shown(form, s, pos, current_value(form, s, pos))
    return Ask(
        text=engine_t(form, "confirm_keep", lang, value=kept),
        question=pos.path,
        input="confirm",
        options=[
            Option(value=KEEP, label=engine_t(form, "confirm_keep_yes", lang)),
            Option(value=NO, label=engine_t(form, "confirm_keep_no", lang)),
        ],
        numbered=False,
    )


def _options(form: Form, s: Session, pos: Pos, keep: Any) -> list[Option]:
    """The numbered options of a choice question: yes/no, or the type's or form's choices."""
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    if q.type == "yes_no":
        return yes_no_options(form, s.lang)
    fields = _fields(form, s, pos, keep)
    return [
        Option(value=c.value, label=fill(c.label.get(s.lang), fields))
        for c in choices_of(q, parse_ctx(form, s, pos))
    ]


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
        return _confirm_warning(form, s, pos)
    if s.mode == "confirm_keep":
        return _confirm_keep(form, s, pos)
    if pos.is_add:
        repeat = pos.question
        if is_picker(s, repeat):
            return _picker(form, s, pos)
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
    keep = current_value(form, s, pos)
    fields = _fields(form, s, pos, keep)
    asked = spec.prompt(q, parse_ctx(form, s, pos)) if spec.prompt is not None else None
    lines.append(fill(asked if asked is not None else q.label.get(lang), fields))
    if q.hint and asked is None:
        lines.append(fill(q.hint.get(lang), fields))
    kind = spec.input
    extra: list[Option] = []
    if keep is not None:
        kept = keep_shown(form, s, pos, keep)
        extra.append(Option(value=KEEP, label=engine_t(form, "keep_option", lang, value=kept)))
        if kind not in {"choice", "multi"}:
            lines.append(engine_t(form, "current_value", lang, value=shown(form, s, pos, keep)))
    if keep is not None and _keep_all_offered(s):
        extra.append(Option(value=KEEP_ALL, label=engine_t(form, "keep_all", lang)))
    if not q.is_required:
        lines.append(engine_t(form, "hint_skip", lang))
    return Ask(
        text="\n".join(lines),
        question=pos.path,
        input=kind,
        options=_options(form, s, pos, keep),
        skippable=not q.is_required,
        extra=extra,
        # A number is an option only where the answer is one; on a value question (a date
        # and time with its "Sekarang" button) the button is a word, the number the value.
        numbered=kind in {"choice", "multi"},
    )


def prompt(form: Form, s: Session, *, full: bool = False) -> list[Event]:
    """What to say now; ``full``: the whole review even right after one change (resuming)."""
    if s.status in FINISHED:
        return [Say(text=engine_t(form, "finished", s.lang))]
    if s.cursor == REVIEW and s.mode == "ask":
        edited = resolve(form, s.last_edit) if s.last_edit and not full else None
        if edited is not None and edited.question is not None:
            # After one change from the review: that line and the save button, not it all.
            return [Say(text=answer_line(form, s, edited)), ask(form, s)]
        return [Say(text=review_text(form, s)), ask(form, s)]
    return [ask(form, s)]
