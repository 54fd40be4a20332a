"""The form engine: a pure function ``(form, session, input) -> (session', events)``.

No I/O, no clock reads, no randomness: today's date comes from ``session.context["today"]``.
Positions and the answers at them are in :mod:`flows.positions`, moving the cursor in
:mod:`flows.moving`, what is asked in :mod:`flows.asking`, the review and the summary in
:mod:`flows.review`, what a typed word means in :mod:`flows.words`.

One meaning per key: keep is a word (``tetap``, ``masih sama``...) or its button, never a
number; on text, number and date questions a typed value is the value; on select questions a
number picks a real option. On a prefilled text question a word that is not an answer (a
correction word, a command, a question) is asked about ("Maksud Anda tetap 'Dusun II'?"), never
stored. ``kembali``, ``ulang``, ``salah``, ``kembali ke awal`` do what they say. ``simpan`` (or
"Semua data tetap") keeps every remaining answer and saves when nothing required is missing.

Nothing is swallowed: an exception inside the engine (a bug, a damaged session) becomes an
:class:`~flows.events.Errored` event and the session's status ``errored`` (goflow's
``Resume``); the host logs it, stores the session and tells the person.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from flows.asking import (
    ADD_ITEM,
    FINISHED,
    ITEM,
    KEEP_ALL,
    ONE,
    ask,
    current_value,
    missing_one,
    prompt,
)
from flows.events import Cancelled, Completed, Errored, Event, Say
from flows.i18n import t
from flows.model import Form, Question
from flows.moving import advance, advance_from, cleanup
from flows.positions import (
    CANCEL,
    KEEP,
    NO,
    REVIEW,
    SAVE,
    YES,
    Pos,
    after_repeat,
    drop_value,
    env_at,
    holds,
    instances,
    is_number,
    is_picker,
    relevant,
    resolve,
    set_value,
    step,
    today_of,
)
from flows.qtypes import QUESTION_TYPES, ParseCtx, Parsed, yes_no_word
from flows.review import changes, review_paths, summary
from flows.session import Input, Session, SessionStatus
from flows.warnings import warning_texts
from flows.words import Word, classify, normalize

__all__ = ["current_prompt", "expected_input", "hold", "resume", "start", "summary"]

_NAV: dict[str, str] = {
    "kembali": "back",
    "back": "back",
    "lewati": "skip",
    "skip": "skip",
    "batal": "cancel",
    "cancel": "cancel",
    "ringkasan": "summary",
    "summary": "summary",
    "simpan": "save",
    "save": "save",
}
_ADD_WORDS = frozenset({"tambah", "tambah anggota", "tambah baru", "add", "add member"})
_ON_WORDS = frozenset({"selesai", "lanjut", "tidak", "tidak ada", "done", "next", "no"})
_REASON_MAX = 300
_PACKAGE = Path(__file__).parent

_CONTEXT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


# ------------------------------------------------------------------ public API


def start(form: Form, context: dict[str, Any], *, lang: str = "id") -> tuple[Session, list[Event]]:
    """A new session on ``form`` and the first events (notes, then the first question)."""
    s = Session(
        form_id=form.id,
        form_version=form.version,
        lang=lang if lang in {"id", "en"} else "id",
        status=SessionStatus.ACTIVE,
        answers={},
        context=_CONTEXT.dump_python(dict(context), mode="json"),
    )
    events: list[Event] = []
    if form.description:
        events.append(Say(text=form.description.get(s.lang)))
    advance(form, s, None, events)
    s.status = SessionStatus.WAITING
    events.extend(prompt(form, s))
    return s, events


def current_prompt(form: Form, session: Session) -> list[Event]:
    """Re-asks where the user is (for "resume later"); ``[Errored]`` when the session cannot
    be shown (the host then marks it ``errored``)."""
    try:
        return prompt(form, session, full=True)
    except Exception as exc:  # reported as an event, not swallowed
        return [_errored(exc)]


def expected_input(form: Form, session: Session) -> str | None:
    """What the session waits for: the input kind of its current question ("photo",
    "location", "text", "choice", ...), "confirm" for a yes/no step, None when it waits for
    nothing (finished, or a damaged session: the next ``resume`` reports it as ``Errored``)."""
    if session.status in FINISHED:
        return None
    try:
        return ask(form, session).input
    except Exception:  # a query; resume reports the failure
        return None


def resume(form: Form, session: Session, inp: Input) -> tuple[Session, list[Event]]:
    """Applies one input. Raises ValueError only if ``form`` is not the session's form version;
    any other failure returns the session as it was, with status ``errored``, and ``[Errored]``."""
    _same_form(form, session)
    if session.status in FINISHED:
        return session, [Say(text=t("finished", session.lang))]
    s = session.model_copy(deep=True)
    s.steps += 1
    if s.steps > form.max_steps:
        s.status = SessionStatus.EXPIRED
        return s, [Say(text=t("expired", s.lang), tone="error")]
    try:
        events = _handle(form, s, inp)
    except Exception as exc:  # reported as an event, not swallowed
        s = session.model_copy(deep=True)
        s.steps += 1
        s.status = SessionStatus.ERRORED
        return s, [_errored(exc)]
    return s, events


def hold(
    form: Form, session: Session, path: str, value: Any, message: str
) -> tuple[Session, list[Event]]:
    """The host found a problem with ``value`` as the answer at ``path`` (a No. KK already
    registered): the session asks at ``path`` again and waits for the user to confirm ``value``
    (ya) or change it, with ``message`` said first."""
    _same_form(form, session)
    s = session.model_copy(deep=True)
    s.cursor = path
    s.editing = False
    s.mode = "confirm_warning"
    s.pending_value = _json_copy(value)
    return s, [Say(text=message, tone="warning"), ask(form, s)]


def _same_form(form: Form, session: Session) -> None:
    if form.id != session.form_id or form.version != session.form_version:
        raise ValueError(
            f"session is on {session.form_id} v{session.form_version}, "
            f"not {form.id} v{form.version}"
        )


def _errored(exc: Exception) -> Errored:
    """The event for an engine failure: the exception and the last engine line it passed."""
    where = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.parent == _PACKAGE:
            where = f"flows/{path.name}:{frame.lineno} {frame.name}"
    return Errored(reason=f"{type(exc).__name__}: {exc}"[:_REASON_MAX], where=where)


# ------------------------------------------------------------------ input handling


def _input_kind(inp: Input) -> str:
    if inp.photo is not None:
        return "photo"
    if inp.location is not None:
        return "location"
    if inp.choice is not None:
        return "choice"
    return "text"


def _raw(inp: Input) -> str:
    if inp.photo is not None or inp.location is not None:
        return ""
    return (inp.choice if inp.choice is not None else inp.text).strip()


def _word(inp: Input) -> str | None:
    if inp.photo is not None or inp.location is not None:
        return None
    return normalize(_raw(inp))


def _error(form: Form, s: Session, message: str) -> list[Event]:
    return [Say(text=message, tone="error"), ask(form, s)]


def _yes_no_input(inp: Input, *, numbers: bool = True) -> bool | None:
    """ya/tidak (or their buttons); "1"/"2" only where the options are numbered."""
    if inp.choice in {YES, NO}:
        return inp.choice == YES
    if _input_kind(inp) not in {"text", "choice"}:
        return None
    raw = _raw(inp)
    if numbers and raw in {"1", "2"}:
        return raw == "1"
    return yes_no_word(raw)


def _meaning(inp: Input) -> str | None:
    """A keep / navigation word typed or pressed (None for a photo, a location, a value)."""
    if inp.choice == KEEP:
        return Word.KEEP
    if inp.choice == KEEP_ALL:
        return Word.KEEP_ALL
    if inp.photo is not None or inp.location is not None:
        return None
    return classify(_raw(inp))


def _handle(form: Form, s: Session, inp: Input) -> list[Event]:
    lang = s.lang
    nav = _NAV.get(_word(inp) or "")
    s.last_edit = None
    if s.mode == "confirm_cancel":
        answer = _yes_no_input(inp)
        if answer is True:
            s.status = SessionStatus.INTERRUPTED
            s.mode = "ask"
            return [Say(text=t("cancelled", lang)), Cancelled()]
        if answer is False or nav == "back":
            s.mode = "ask"
            return prompt(form, s)
        return _error(form, s, t("err_confirm", lang))
    if nav == "cancel" or (s.cursor == REVIEW and inp.choice == CANCEL):
        s.mode = "confirm_cancel"
        return [ask(form, s)]
    if nav == "summary":
        return [Say(text=summary(form, s)), ask(form, s)]
    if s.mode == "confirm_warning":
        return _handle_warning(form, s, inp, nav)
    if s.mode == "confirm_keep":
        return _handle_confirm_keep(form, s, inp, nav)
    meaning = _meaning(inp)
    if nav == "back":
        return _back(form, s)
    if meaning == Word.RESTART:
        return _restart(form, s)
    if s.cursor == REVIEW or s.cursor is None:
        return _handle_review(form, s, inp, nav)
    pos = resolve(form, s.cursor)
    if pos is None or pos.question is None:
        s.cursor = REVIEW
        return prompt(form, s)
    if nav == "save" or meaning == Word.KEEP_ALL or inp.choice == SAVE:
        return _keep_rest(form, s, pos)
    if pos.is_add:
        if pos.repeat is not None and is_picker(s, pos.repeat):
            return _handle_pick(form, s, pos, inp)
        return _handle_add(form, s, pos, inp)
    return _handle_answer(form, s, pos, inp, nav, meaning)


def _handle_warning(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = resolve(form, s.cursor)
    if pos is None or pos.question is None:
        s.mode = "ask"
        return prompt(form, s)
    if _meaning(inp) == Word.KEEP and (keep := current_value(s, pos)) is not None:
        return _accept(form, s, pos, keep)
    answer = _yes_no_input(inp, numbers=False)
    if answer is True:
        return _accept(form, s, pos, s.pending_value)
    if answer is False or nav == "back":
        s.mode = "ask"
        s.pending_value = None
        return [ask(form, s)]
    return _error(form, s, t("err_confirm_word", s.lang))


def _handle_confirm_keep(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = resolve(form, s.cursor)
    s.mode = "ask"
    if pos is None or pos.question is None:
        return prompt(form, s)
    meaning = _meaning(inp)
    if meaning == Word.KEEP or _yes_no_input(inp, numbers=False) is True:
        return _keep(form, s, pos)
    if inp.choice == NO or _yes_no_input(inp, numbers=False) is False or meaning == Word.WRONG:
        return _type_new(form, s, pos)
    return _handle_answer(form, s, pos, inp, nav, meaning)


def _type_new(form: Form, s: Session, pos: Pos) -> list[Event]:
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    example = q.hint.get(s.lang) if q.hint else t(QUESTION_TYPES[q.type].expect_key, s.lang)
    text = t("type_new_value", s.lang, label=q.label.get(s.lang), example=example)
    return [Say(text=text), ask(form, s)]


def _back(form: Form, s: Session) -> list[Event]:
    while s.history:
        path = s.history.pop()
        pos = resolve(form, path)
        if pos is None or pos.question is None or pos.is_add or not relevant(s, pos):
            continue
        if pos.repeat is not None and (pos.index or 0) >= len(instances(s, pos.repeat)):
            continue
        s.cursor = path
        s.mode = "ask"
        s.pending_value = None
        return [ask(form, s)]
    return _error(form, s, t("err_no_back", s.lang))


def _restart(form: Form, s: Session) -> list[Event]:
    """Back to the first question; the answers given so far stay (shown as "Tetap")."""
    s.history = []
    s.editing = False
    advance(form, s, None, [])
    return [Say(text=t("restarted", s.lang)), *prompt(form, s)]


def _handle_review(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    s.cursor = REVIEW
    if nav == "save" or inp.choice == SAVE:
        return _complete(form, s)
    paths = review_paths(form, s)
    raw = _raw(inp)
    if _input_kind(inp) in {"text", "choice"} and is_number(raw) and 1 <= int(raw) <= len(paths):
        s.cursor = paths[int(raw) - 1]
        s.editing = True
        s.mode = "ask"
        return [ask(form, s)]
    return _error(form, s, t("err_review", s.lang, count=max(len(paths), 1)))


def _complete(form: Form, s: Session) -> list[Event]:
    cleanup(form, s)
    s.cursor = REVIEW
    s.status = SessionStatus.COMPLETED
    s.mode = "ask"
    answers = _json_copy(s.answers)
    # No "saved" message here: only the host knows when the submission is committed.
    return [Completed(answers=answers, changes=changes(form, s))]


def _keep_rest(form: Form, s: Session, pos: Pos) -> list[Event]:
    """ "Semua data tetap" / ``simpan``: every remaining question keeps its current value and
    the form completes; it stops at the first question that needs the user (required and
    empty, a constraint that fails, a warning to confirm)."""
    p = pos.path
    if pos.is_add and pos.repeat is not None:
        if is_picker(s, pos.repeat) and missing_one(s, pos.repeat) is not None:
            return prompt(form, s)
        _visit(s, p)
        p = after_repeat(form, pos.repeat)
    for _ in range(10_000):  # bounded: every round moves forward
        advance_from(form, s, p, [])
        cur = resolve(form, s.cursor)
        if s.cursor == REVIEW or cur is None or cur.question is None:
            return _complete(form, s)
        if cur.is_add and cur.repeat is not None:
            if is_picker(s, cur.repeat) and missing_one(s, cur.repeat) is not None:
                return prompt(form, s)
            _visit(s, cur.path)
            p = after_repeat(form, cur.repeat)
            continue
        q = cur.question
        value = current_value(s, cur)
        if value is None:
            if q.is_required:
                return [Say(text=t("keep_rest_stopped", s.lang)), ask(form, s)]
            _visit(s, cur.path)
            p = step(form, s, cur.path)
            continue
        env = env_at(s, cur, value)
        if not holds(q.constraint, env):
            return _error(form, s, _constraint_message(q, s.lang))
        warnings = warning_texts(q, env, s.lang)
        if warnings:
            s.mode = "confirm_warning"
            s.pending_value = _json_copy(value)
            return [Say(text="\n".join(warnings), tone="warning"), ask(form, s)]
        set_value(s, cur, _json_copy(value))
        _visit(s, cur.path)
        p = step(form, s, cur.path)
    return _complete(form, s)


def _visit(s: Session, path: str) -> None:
    if path not in s.visited:
        s.visited.append(path)


def _handle_add(form: Form, s: Session, pos: Pos, inp: Input) -> list[Event]:
    answer = _yes_no_input(inp)
    if answer is None:
        return _error(form, s, t("err_confirm", s.lang))
    if answer:
        return _add_item(form, s, pos)
    _visit(s, pos.path)
    events: list[Event] = []
    advance(form, s, pos.path, events)
    return [*events, *prompt(form, s)]


def _add_item(form: Form, s: Session, pos: Pos) -> list[Event]:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    if repeat.max_count is not None and len(instances(s, repeat)) >= repeat.max_count:
        return _error(form, s, t("err_full", s.lang, count=repeat.max_count))
    items = instances(s, repeat)
    items.append({})
    s.answers[repeat.name] = items
    first = (repeat.questions or [])[0].name
    events: list[Event] = []
    advance_from(form, s, f"{repeat.name}.{len(items) - 1}.{first}", events)
    return [*events, *prompt(form, s)]


def _handle_pick(form: Form, s: Session, pos: Pos, inp: Input) -> list[Event]:
    """The picker of a prefilled repeat: a member to change, add one, or go on."""
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    count = len(instances(s, repeat))
    raw = _raw(inp)
    word = _word(inp) or ""
    missing = missing_one(s, repeat)
    if missing is not None:
        return _pick_one(form, s, pos, inp, missing)
    index: int | None = None
    if inp.choice is not None and inp.choice.startswith(ITEM):
        picked = inp.choice[len(ITEM) :]
        index = int(picked) if is_number(picked) else None
    elif _input_kind(inp) == "text" and is_number(raw) and 1 <= int(raw) <= count + 1:
        index = int(raw) - 1
    if inp.choice == ADD_ITEM or word in _ADD_WORDS or index == count:
        return _add_item(form, s, pos)
    if index is not None and 0 <= index < count:
        first = (repeat.questions or [])[0].name
        events: list[Event] = []
        advance_from(form, s, f"{repeat.name}.{index}.{first}", events)
        return [*events, *prompt(form, s)]
    if word in _ON_WORDS or inp.choice == NO:
        _visit(s, pos.path)
        events = []
        advance(form, s, pos.path, events)
        return [*events, *prompt(form, s)]
    return _error(form, s, t("err_picker", s.lang, count=count + 1))


def _pick_one(form: Form, s: Session, pos: Pos, inp: Input, missing: list[int]) -> list[Event]:
    """None has the ``exactly_one`` value (the head moved away): the one chosen gets it."""
    repeat = pos.question
    assert repeat is not None and repeat.exactly_one is not None  # noqa: S101 - by caller
    raw = _raw(inp)
    index: int | None = None
    if inp.choice is not None and inp.choice.startswith(ONE):
        picked = inp.choice[len(ONE) :]
        index = int(picked) if is_number(picked) else None
    elif is_number(raw) and 1 <= int(raw) <= len(missing):
        index = missing[int(raw) - 1]
    if index is None or index not in missing:
        return _error(form, s, t("err_picker", s.lang, count=len(missing)))
    one = repeat.exactly_one
    field = next(q for q in repeat.questions or [] if q.name == one.field)
    at = Pos(f"{repeat.name}.{index}.{field.name}", field, repeat, index)
    set_value(s, at, one.value)
    _visit(s, at.path)
    return prompt(form, s)


def _handle_answer(
    form: Form, s: Session, pos: Pos, inp: Input, nav: str | None, meaning: str | None
) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - narrowed by caller
    lang = s.lang
    spec = QUESTION_TYPES[q.type]
    if nav == "skip":
        if q.is_required:
            return _error(form, s, t("err_required", lang) + " " + t(spec.expect_key, lang))
        drop_value(s, pos)
        return _moved_on(form, s, pos)
    keep = current_value(s, pos)
    if meaning == Word.KEEP:
        if keep is None:
            return _error(form, s, t("err_nothing_to_keep", lang) + " " + t(spec.expect_key, lang))
        return _keep(form, s, pos)
    if meaning == Word.REPEAT:
        return [ask(form, s)]
    if meaning == Word.WRONG:
        if keep is not None:
            return _type_new(form, s, pos)
        return _back(form, s)
    if meaning == Word.NOT_AN_ANSWER and keep is not None and q.type == "text":
        s.mode = "confirm_keep"
        return [ask(form, s)]
    kind = _input_kind(inp)
    if kind not in spec.accepts:
        return _error(form, s, t("err_wrong_kind", lang, expected=t(spec.expect_key, lang)))
    if kind == "text" and not inp.text.strip():
        return _error(form, s, t("err_empty", lang) + " " + t(spec.expect_key, lang))
    parsed: Parsed = spec.parse(q, inp, ParseCtx(lang, today_of(s)))
    if parsed.error is not None:
        return _error(form, s, parsed.error)
    return _checked(form, s, pos, parsed.value, list(parsed.warnings))


def _keep(form: Form, s: Session, pos: Pos) -> list[Event]:
    """The current value, checked as a typed one would be (a kept NIK against the sex)."""
    value = current_value(s, pos)
    q = pos.question
    assert q is not None  # noqa: S101 - questions only
    warnings: list[str] = []
    if value is not None and q.type in {"nik", "kk"}:
        parsed = QUESTION_TYPES[q.type].parse(q, Input(text=str(value)), ParseCtx(s.lang))
        warnings = list(parsed.warnings)
    return _checked(form, s, pos, value, warnings)


def _checked(form: Form, s: Session, pos: Pos, value: Any, warnings: list[str]) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - questions only
    env = env_at(s, pos, value)
    if not holds(q.constraint, env):
        return _error(form, s, _constraint_message(q, s.lang))
    warnings = warnings + warning_texts(q, env, s.lang)
    if warnings:
        s.mode = "confirm_warning"
        s.pending_value = _json_copy(value)
        return [Say(text="\n".join(warnings), tone="warning"), ask(form, s)]
    return _accept(form, s, pos, value)


def _constraint_message(q: Question, lang: str) -> str:
    return q.constraint_message.get(lang) if q.constraint_message else t("err_constraint", lang)


def _accept(form: Form, s: Session, pos: Pos, value: Any) -> list[Event]:
    set_value(s, pos, _json_copy(value))
    return _moved_on(form, s, pos)


def _moved_on(form: Form, s: Session, pos: Pos) -> list[Event]:
    _visit(s, pos.path)
    if not s.history or s.history[-1] != pos.path:
        s.history.append(pos.path)
    editing = s.editing
    s.mode = "ask"
    s.pending_value = None
    events: list[Event] = []
    advance(form, s, pos.path, events)
    if editing and s.cursor == REVIEW:
        s.last_edit = pos.path
    return [*events, *prompt(form, s)]


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(v) for v in value]
    return value
