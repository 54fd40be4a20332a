"""The add step of a repeat: the yes/no "add another?" of an empty repeat, and the picker of
a prefilled one (a household's members): a member to change by its number or button, "tambah"
to add one, "selesai" to go on, and the ``exactly_one`` choice when none is left with it."""

from __future__ import annotations

from flows.asking import ADD_ITEM, ITEM, ONE, engine_t, error, missing_one, prompt
from flows.events import Event
from flows.model import Form
from flows.moving import advance, advance_from
from flows.positions import NO, Pos, instances, is_number, set_value, visit
from flows.session import Input, Session
from flows.words import input_kind, raw_text, typed_word, yes_no_input

__all__ = ["handle_add", "handle_pick"]

_ADD_WORDS = frozenset({"tambah", "tambah anggota", "tambah baru", "add", "add member"})
_ON_WORDS = frozenset({"selesai", "lanjut", "tidak", "tidak ada", "done", "next", "no"})


def handle_add(form: Form, s: Session, pos: Pos, inp: Input) -> list[Event]:
    answer = yes_no_input(inp)
    if answer is None:
        return error(form, s, engine_t(form, "err_confirm", s.lang))
    if answer:
        return _add_item(form, s, pos)
    visit(s, pos.path)
    events: list[Event] = []
    advance(form, s, pos.path, events)
    return [*events, *prompt(form, s)]


def _add_item(form: Form, s: Session, pos: Pos) -> list[Event]:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    if repeat.max_count is not None and len(instances(s, repeat)) >= repeat.max_count:
        return error(form, s, engine_t(form, "err_full", s.lang, count=repeat.max_count))
    items = instances(s, repeat)
    items.append({})
    s.answers[repeat.name] = items
    first = (repeat.questions or [])[0].name
    events: list[Event] = []
    advance_from(form, s, f"{repeat.name}.{len(items) - 1}.{first}", events)
    return [*events, *prompt(form, s)]


def handle_pick(form: Form, s: Session, pos: Pos, inp: Input) -> list[Event]:
    """The picker of a prefilled repeat: a member to change, add one, or go on."""
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    count = len(instances(s, repeat))
    raw = raw_text(inp)
    word = typed_word(inp) or ""
    missing = missing_one(form, s, repeat)
    if missing is not None:
        return _pick_one(form, s, pos, inp, missing)
    index: int | None = None
    if inp.choice is not None and inp.choice.startswith(ITEM):
        picked = inp.choice[len(ITEM) :]
        index = int(picked) if is_number(picked) else None
    elif input_kind(inp) == "text" and is_number(raw) and 1 <= int(raw) <= count + 1:
        index = int(raw) - 1
    if inp.choice == ADD_ITEM or word in _ADD_WORDS or index == count:
        return _add_item(form, s, pos)
    if index is not None and 0 <= index < count:
        first = (repeat.questions or [])[0].name
        events: list[Event] = []
        advance_from(form, s, f"{repeat.name}.{index}.{first}", events)
        return [*events, *prompt(form, s)]
    if word in _ON_WORDS or inp.choice == NO:
        visit(s, pos.path)
        events = []
        advance(form, s, pos.path, events)
        return [*events, *prompt(form, s)]
    return error(form, s, engine_t(form, "err_picker", s.lang, count=count + 1))


def _pick_one(form: Form, s: Session, pos: Pos, inp: Input, missing: list[int]) -> list[Event]:
    """None has the ``exactly_one`` value (the head moved away): the one chosen gets it."""
    repeat = pos.question
    assert repeat is not None and repeat.exactly_one is not None  # noqa: S101 - by caller
    raw = raw_text(inp)
    index: int | None = None
    if inp.choice is not None and inp.choice.startswith(ONE):
        picked = inp.choice[len(ONE) :]
        index = int(picked) if is_number(picked) else None
    elif is_number(raw) and 1 <= int(raw) <= len(missing):
        index = missing[int(raw) - 1]
    if index is None or index not in missing:
        return error(form, s, engine_t(form, "err_picker", s.lang, count=len(missing)))
    one = repeat.exactly_one
    field = next(q for q in repeat.questions or [] if q.name == one.field)
    at = Pos(f"{repeat.name}.{index}.{field.name}", field, repeat, index)
    set_value(s, at, one.value)
    visit(s, at.path)
    return prompt(form, s)
