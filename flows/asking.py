"""What the engine asks: the question at the cursor with its options, the keep button (a word,
never a number), the repeat picker, the confirmations and the review."""

from __future__ import annotations

from typing import Any

from flows.events import Ask, Event, Option, Say
from flows.i18n import t
from flows.model import Form, Question
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
    instances,
    is_picker,
    item_title,
    prefill,
    relevant,
    resolve,
)
from flows.qtypes import QUESTION_TYPES
from flows.review import answer_line, review_text
from flows.session import Session, SessionStatus

__all__ = [
    "ADD_ITEM",
    "FINISHED",
    "ITEM",
    "KEEP_ALL",
    "ONE",
    "ask",
    "current_value",
    "keep_shown",
    "missing_one",
    "prompt",
    "yes_no_options",
]

KEEP_ALL = "__keep_all__"
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


def yes_no_options(lang: str) -> list[Option]:
    return [Option(value=YES, label=t("yes", lang)), Option(value=NO, label=t("no", lang))]


def current_value(s: Session, pos: Pos) -> Any:
    """The value offered as "Tetap": the answer so far, else the prefill, else the default."""
    if pos.question is None or pos.is_add:
        return None
    q = pos.question
    if has_value(s, pos):
        return get_value(s, pos)
    value = prefill(s, pos)
    if value is None and q.default is not None:
        value = QUESTION_TYPES[q.type].normalize(q, q.default)
    return value


def keep_shown(s: Session, pos: Pos, value: Any) -> str:
    assert pos.question is not None  # noqa: S101 - questions only
    shown = QUESTION_TYPES[pos.question.type].display(pos.question, value, s.lang)
    return shown if len(shown) <= _KEEP_LABEL_MAX else shown[: _KEEP_LABEL_MAX - 1] + "…"


def _keep_all_offered(s: Session) -> bool:
    """ "Semua data tetap" is offered on the first question of a form about a record."""
    return not s.history and bool(s.context.get("record"))


def missing_one(s: Session, repeat: Question) -> list[int] | None:
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
        if current_value(s, pos) == one.value:
            return None
        candidates.append(i)
    return candidates or None


def _picker(s: Session, pos: Pos) -> Ask:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    lang = s.lang
    missing = missing_one(s, repeat)
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
        Option(value=f"{ITEM}{i}", label=item_title(s, repeat, i, lang))
        for i in range(len(instances(s, repeat)))
    ]
    options.append(Option(value=ADD_ITEM, label=t("picker_add", lang)))
    return Ask(
        text=t("picker", lang, label=repeat.label.get(lang)),
        question=pos.path,
        input="choice",
        options=options,
        extra=[Option(value=SAVE, label=t("save", lang))],
    )


def _confirm_warning(s: Session, pos: Pos) -> Ask:
    lang = s.lang
    extra: list[Option] = []
    keep = current_value(s, pos)
    if keep is not None and keep != s.pending_value:
        extra.append(
            Option(value=KEEP, label=t("keep_option", lang, value=keep_shown(s, pos, keep)))
        )
    return Ask(
        text=t("confirm_warning", lang),
        question=pos.path,
        input="confirm",
        options=[
            Option(value=YES, label=t("warning_yes", lang)),
            Option(value=NO, label=t("warning_no", lang)),
        ],
        extra=extra,
        numbered=False,
    )


def _confirm_keep(s: Session, pos: Pos) -> Ask:
    lang = s.lang
    shown = keep_shown(s, pos, current_value(s, pos))
    return Ask(
        text=t("confirm_keep", lang, value=shown),
        question=pos.path,
        input="confirm",
        options=[
            Option(value=KEEP, label=t("confirm_keep_yes", lang)),
            Option(value=NO, label=t("confirm_keep_no", lang)),
        ],
        numbered=False,
    )


def ask(form: Form, s: Session) -> Ask:
    lang = s.lang
    pos = resolve(form, s.cursor)
    if s.mode == "confirm_cancel":
        return Ask(
            text=t("confirm_cancel", lang),
            question=CANCEL,
            input="confirm",
            options=yes_no_options(lang),
        )
    if pos is None or pos.path == REVIEW:
        return Ask(
            text=t("review_ask", lang),
            question=REVIEW,
            input="choice",
            options=[
                Option(value=SAVE, label=t("save", lang)),
                Option(value=CANCEL, label=t("cancel", lang)),
            ],
        )
    assert pos.question is not None  # noqa: S101 - not the review
    if s.mode == "confirm_warning":
        return _confirm_warning(s, pos)
    if s.mode == "confirm_keep":
        return _confirm_keep(s, pos)
    if pos.is_add:
        repeat = pos.question
        if is_picker(s, repeat):
            return _picker(s, pos)
        text = repeat.add_another.get(lang) if repeat.add_another else t("add_another", lang)
        return Ask(text=text, question=pos.path, input="confirm", options=yes_no_options(lang))
    q = pos.question
    lines: list[str] = []
    if pos.repeat is not None and pos.index is not None:
        lines.append(f"[{item_title(s, pos.repeat, pos.index, lang)}]")
    lines.append(q.label.get(lang))
    if q.hint:
        lines.append(q.hint.get(lang))
    if q.type == "yes_no":
        options = yes_no_options(lang)
    else:
        options = [Option(value=c.value, label=c.label.get(lang)) for c in q.choices or []]
    keep = current_value(s, pos)
    kind = QUESTION_TYPES[q.type].input
    extra: list[Option] = []
    if keep is not None:
        shown = keep_shown(s, pos, keep)
        extra.append(Option(value=KEEP, label=t("keep_option", lang, value=shown)))
        if kind not in {"choice", "multi"}:
            lines.append(t("current_value", lang, value=shown))
    if keep is not None and _keep_all_offered(s):
        extra.append(Option(value=KEEP_ALL, label=t("keep_all", lang)))
    if not q.is_required:
        lines.append(t("hint_skip", lang))
    return Ask(
        text="\n".join(lines),
        question=pos.path,
        input=kind,
        options=options,
        skippable=not q.is_required,
        extra=extra,
    )


def prompt(form: Form, s: Session, *, full: bool = False) -> list[Event]:
    """What to say now; ``full``: the whole review even right after one change (resuming)."""
    if s.status in FINISHED:
        return [Say(text=t("finished", s.lang))]
    if s.cursor == REVIEW and s.mode == "ask":
        edited = resolve(form, s.last_edit) if s.last_edit and not full else None
        if edited is not None and edited.question is not None:
            # After one change from the review: that line and the save button, not it all.
            return [Say(text=answer_line(s, edited)), ask(form, s)]
        return [Say(text=review_text(form, s)), ask(form, s)]
    return [ask(form, s)]
