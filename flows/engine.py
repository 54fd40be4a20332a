"""The form engine: a pure function ``(form, session, input) -> (session', events)``.

No I/O, no clock reads, no randomness: today's date comes from ``session.context["today"]``.
Positions and the answers at them are in :mod:`flows.positions`, the review and the summary in
:mod:`flows.review`.

Nothing is swallowed: an exception inside the engine (a bug, a damaged session) becomes an
:class:`~flows.events.Errored` event and the session's status ``errored`` (goflow's
``Resume``); the host logs it, stores the session and tells the person.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from flows.events import Cancelled, Completed, Errored, Event, Say
from flows.model import Form, Question
from flows.positions import (
    ADD,
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
    has_value,
    holds,
    instances,
    is_number,
    parse_ctx,
    prefill_items,
    relevant,
    resolve,
    set_value,
    step,
)
from flows.prompts import (
    FINISHED,
    ask,
    current_value,
    engine_t,
    options_at,
    prompt,
)
from flows.qtypes import QUESTION_TYPES, Parsed, yes_no_word
from flows.review import changes, review_paths, summary
from flows.session import Input, Session, SessionStatus

__all__ = [
    "accepted_inputs",
    "current_prompt",
    "expected_input",
    "read_answer",
    "resume",
    "start",
    "summary",
]

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
_KEEP_WORDS = frozenset({"tetap", "sama", "ok", "oke", "keep", "same"})
_REASON_MAX = 300
_PACKAGE = Path(__file__).parent

_CONTEXT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


# ------------------------------------------------------------------ moving


def _advance(form: Form, s: Session, path: str | None, events: list[Event]) -> None:
    """Moves the cursor to the next position that needs input, from after ``path``."""
    _advance_from(form, s, step(form, s, path), events)


def _advance_from(form: Form, s: Session, p: str, events: list[Event]) -> None:
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
            if full or (s.editing and p in s.visited):
                p = after_repeat(form, pos.repeat)
                continue
            break
        if q.type == "note":
            if not s.editing:
                events.append(Say(text=_note_text(q, s.lang)))
            p = step(form, s, p)
            continue
        if q.type == "repeat":
            if not isinstance(s.answers.get(q.name), list):
                s.answers[q.name] = [{} for _ in prefill_items(s, q)]
            inner = q.questions or []
            p = f"{q.name}.0.{inner[0].name}" if instances(s, q) else f"{q.name}.{ADD}"
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


def _note_text(q: Question, lang: str) -> str:
    text = q.label.get(lang)
    return f"{text}\n{q.hint.get(lang)}" if q.hint else text


def _cleanup(form: Form, s: Session) -> None:
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


# ------------------------------------------------------------------ public API


def start(
    form: Form, context: dict[str, Any], *, lang: str = "id", review: bool = False
) -> tuple[Session, list[Event]]:
    """A new session on ``form`` and the first events (notes, then the first question).

    ``review``: a record opened to be changed: every question takes its prefilled (or
    default) value and the session opens on the review, to change answers by number; a
    required question with nothing to take is asked first."""
    s = Session(
        form_id=form.id,
        form_version=form.version,
        lang=lang if lang in {"id", "en"} else "id",
        status=SessionStatus.ACTIVE,
        answers={},
        context=_CONTEXT.dump_python(dict(context), mode="json"),
    )
    events: list[Event] = []
    if review:
        _take_current(form, s)
    else:
        if form.description:
            events.append(Say(text=form.description.get(s.lang)))
        _advance(form, s, None, events)
    s.status = SessionStatus.WAITING
    events.extend(prompt(form, s))
    return s, events


def _take_current(form: Form, s: Session) -> None:
    """Answers every top-level question with its prefilled or default value, in form order
    (so relevance follows the values taken); stops at a required one without any."""
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
            set_value(s, pos, _json_copy(value))
        s.visited.append(path)
        path = step(form, s, path)
    s.cursor = path
    s.mode = "ask"


def current_prompt(form: Form, session: Session) -> list[Event]:
    """Re-asks where the user is (for "resume later"); ``[Errored]`` when the session cannot
    be shown (the host then marks it ``errored``)."""
    try:
        return prompt(form, session)
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


def read_answer(
    form: Form,
    name: str,
    text: str,
    context: dict[str, Any] | None = None,
    *,
    answers: dict[str, Any] | None = None,
    lang: str = "id",
) -> Parsed:
    """One typed answer to the top-level question ``name`` of ``form``, read and checked as
    the form would (its type, parameters, wording and constraint), outside any session: for
    a host that takes the same answers another way (the CLI's options). ``answers``: the
    earlier answers the question may refer to. A refused answer's ``reason`` is the type's
    message key, or ``"constraint"``."""
    question = form.question(name)
    if question is None or not QUESTION_TYPES[question.type].answerable:
        raise ValueError(f"form {form.id} has no question {name!r} to answer")
    s = Session(
        form_id=form.id,
        form_version=form.version,
        lang=lang,
        status=SessionStatus.ACTIVE,
        answers=_CONTEXT.dump_python(dict(answers or {}), mode="json"),
        context=_CONTEXT.dump_python(dict(context or {}), mode="json"),
    )
    pos = Pos(name, question)
    parsed = QUESTION_TYPES[question.type].parse(
        question, Input(text=text), parse_ctx(form, s, pos)
    )
    if parsed.error is None and not holds(question.constraint, env_at(s, pos, parsed.value)):
        return Parsed(error=_constraint_message(form, question, lang), reason="constraint")
    return parsed


def accepted_inputs(form: Form, session: Session) -> frozenset[str]:
    """The input kinds the session takes now ("text", "choice", "photo", "document", ...):
    those of its current question's type; text and buttons elsewhere (the review, a yes/no
    step); nothing once finished."""
    if session.status in FINISHED:
        return frozenset()
    pos = resolve(form, session.cursor)
    if session.mode != "ask" or pos is None or pos.question is None or pos.is_add:
        return frozenset({"text", "choice"})
    return QUESTION_TYPES[pos.question.type].accepts | {"text", "choice"}


def resume(form: Form, session: Session, inp: Input) -> tuple[Session, list[Event]]:
    """Applies one input. Raises ValueError only if ``form`` is not the session's form version;
    any other failure returns the session as it was, with status ``errored``, and ``[Errored]``."""
    if form.id != session.form_id or form.version != session.form_version:
        raise ValueError(
            f"session is on {session.form_id} v{session.form_version}, "
            f"not {form.id} v{form.version}"
        )
    if session.status in FINISHED:
        return session, [Say(text=engine_t(form, "finished", session.lang))]
    s = session.model_copy(deep=True)
    s.steps += 1
    if s.steps > form.max_steps:
        s.status = SessionStatus.EXPIRED
        return s, [Say(text=engine_t(form, "expired", s.lang), tone="error")]
    try:
        events = _handle(form, s, inp)
    except Exception as exc:  # reported as an event, not swallowed
        s = session.model_copy(deep=True)
        s.steps += 1
        s.status = SessionStatus.ERRORED
        return s, [_errored(exc)]
    return s, events


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
    if inp.document is not None:
        return "document"
    if inp.location is not None:
        return "location"
    if inp.choice is not None:
        return "choice"
    return "text"


def _word(inp: Input) -> str | None:
    if inp.photo is not None or inp.document is not None or inp.location is not None:
        return None
    raw = inp.choice if inp.choice is not None else inp.text
    return raw.strip().lower().lstrip("/").rstrip(".!") if raw else ""


def _error(form: Form, s: Session, message: str) -> list[Event]:
    return [Say(text=message, tone="error"), ask(form, s)]


def _yes_no_input(inp: Input) -> bool | None:
    if inp.choice in {YES, NO}:
        return inp.choice == YES
    if _input_kind(inp) not in {"text", "choice"}:
        return None
    raw = (inp.choice if inp.choice is not None else inp.text).strip()
    return {"1": True, "2": False}.get(raw, yes_no_word(raw))


def _handle(form: Form, s: Session, inp: Input) -> list[Event]:
    lang = s.lang
    word = _word(inp)
    nav = _NAV.get(word or "")
    if nav is None and s.cursor == REVIEW and word and word in _save_words(form):
        nav = "save"
    if s.mode == "confirm_cancel":
        answer = _yes_no_input(inp)
        if answer is True:
            s.status = SessionStatus.INTERRUPTED
            s.mode = "ask"
            return [Say(text=engine_t(form, "cancelled", lang)), Cancelled()]
        if answer is False or nav == "back":
            s.mode = "ask"
            return prompt(form, s)
        return _error(form, s, engine_t(form, "err_confirm", lang))
    if nav == "cancel" or (s.cursor == REVIEW and inp.choice == CANCEL):
        s.mode = "confirm_cancel"
        return [ask(form, s)]
    if nav == "summary":
        return [Say(text=summary(form, s)), ask(form, s)]
    if s.mode == "confirm_warning":
        return _handle_warning(form, s, inp, nav)
    if nav == "back":
        return _back(form, s)
    if s.cursor == REVIEW or s.cursor is None:
        return _handle_review(form, s, inp, nav)
    pos = resolve(form, s.cursor)
    if pos is None or pos.question is None:
        s.cursor = REVIEW
        return prompt(form, s)
    if pos.is_add:
        return _handle_add(form, s, pos, inp, nav)
    return _handle_answer(form, s, pos, inp, nav)


def _save_words(form: Form) -> frozenset[str]:
    """Words that save on the review besides SIMPAN: the form's own name for saving
    ("Kirim" for an announcement), in each language."""
    own = (form.messages or {}).get("save")
    if own is None:
        return frozenset()
    return frozenset(x.strip().lower() for x in (own.id, own.en or "") if x.strip())


def _handle_warning(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = resolve(form, s.cursor)
    answer = _yes_no_input(inp)
    if pos is None or pos.question is None:
        s.mode = "ask"
        return prompt(form, s)
    if answer is True:
        value = s.pending_value
        return _accept(form, s, pos, value)
    if answer is False or nav == "back":
        s.mode = "ask"
        s.pending_value = None
        return [ask(form, s)]
    return _error(form, s, engine_t(form, "err_confirm", s.lang))


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
    return _error(form, s, engine_t(form, "err_no_back", s.lang))


def _handle_review(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    s.cursor = REVIEW
    if nav == "save" or inp.choice == SAVE:
        _cleanup(form, s)
        s.status = SessionStatus.COMPLETED
        s.mode = "ask"
        answers = _json_copy(s.answers)
        # No "saved" message here: only the host knows when the submission is committed.
        return [Completed(answers=answers, changes=changes(form, s))]
    paths = review_paths(form, s)
    raw = (inp.choice if inp.choice is not None else inp.text).strip()
    if _input_kind(inp) in {"text", "choice"} and is_number(raw) and 1 <= int(raw) <= len(paths):
        s.cursor = paths[int(raw) - 1]
        s.editing = True
        s.mode = "ask"
        return [ask(form, s)]
    return _error(form, s, engine_t(form, "err_review", s.lang, count=max(len(paths), 1)))


def _handle_add(form: Form, s: Session, pos: Pos, inp: Input, nav: str | None) -> list[Event]:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    answer = _yes_no_input(inp)
    if answer is None:
        return _error(form, s, engine_t(form, "err_confirm", s.lang))
    events: list[Event] = []
    if answer:
        items = instances(s, repeat)
        items.append({})
        s.answers[repeat.name] = items
        first = (repeat.questions or [])[0].name
        path = f"{repeat.name}.{len(items) - 1}.{first}"
        _advance_from(form, s, path, events)
        return [*events, *prompt(form, s)]
    if pos.path not in s.visited:
        s.visited.append(pos.path)
    _advance(form, s, pos.path, events)
    return [*events, *prompt(form, s)]


def _handle_answer(form: Form, s: Session, pos: Pos, inp: Input, nav: str | None) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - narrowed by caller
    lang = s.lang
    spec = QUESTION_TYPES[q.type]
    if nav == "skip":
        if q.is_required:
            return _error(
                form,
                s,
                engine_t(form, "err_required", lang) + " " + engine_t(form, spec.expect_key, lang),
            )
        drop_value(s, pos)
        return _moved_on(form, s, pos)
    options, keep = options_at(form, s, pos)
    kind = _input_kind(inp)
    if keep is not None and (
        inp.choice == KEEP
        or (kind == "text" and (_word(inp) or "") in _KEEP_WORDS)
        or (
            kind in {"text", "choice"}
            and spec.input in {"choice", "multi"}
            and (_word(inp) or "") == str(len(options))
        )
    ):
        if not holds(q.constraint, env_at(s, pos, keep)):
            return _error(form, s, _constraint_message(form, q, lang))
        return _accept(form, s, pos, keep)
    if kind not in spec.accepts:
        return _error(
            form,
            s,
            engine_t(form, "err_wrong_kind", lang, expected=engine_t(form, spec.expect_key, lang)),
        )
    if kind == "text" and not inp.text.strip():
        return _error(form, s, _empty_message(form, q, lang))
    parsed: Parsed = spec.parse(q, inp, parse_ctx(form, s, pos))
    if parsed.partial:  # kept, and asked again (with the error, if any)
        set_value(s, pos, _json_copy(parsed.value))
        s.mode = "ask"
        if parsed.error is not None:
            return _error(form, s, parsed.error)
        return [ask(form, s)]
    if parsed.error is not None:
        return _error(form, s, parsed.error)
    value = parsed.value
    env = env_at(s, pos, value)
    if not holds(q.constraint, env):
        return _error(form, s, _constraint_message(form, q, lang))
    warnings = list(parsed.warnings)
    if q.warning and holds(q.warning, env):
        warnings.append(q.warning_message.get(lang) if q.warning_message else q.warning)
    if warnings:
        s.mode = "confirm_warning"
        s.pending_value = value
        return [Say(text="\n".join(warnings), tone="warning"), ask(form, s)]
    return _accept(form, s, pos, value)


def _empty_message(form: Form, q: Question, lang: str) -> str:
    """An empty answer: the question's own word for it, else "empty" and what is expected."""
    own = (q.messages or {}).get("empty")
    if own is not None:
        return own.get(lang)
    expected = engine_t(form, QUESTION_TYPES[q.type].expect_key, lang)
    return engine_t(form, "err_empty", lang) + " " + expected


def _constraint_message(form: Form, q: Question, lang: str) -> str:
    if q.constraint_message:
        return q.constraint_message.get(lang)
    return engine_t(form, "err_constraint", lang)


def _accept(form: Form, s: Session, pos: Pos, value: Any) -> list[Event]:
    set_value(s, pos, _json_copy(value))
    return _moved_on(form, s, pos)


def _moved_on(form: Form, s: Session, pos: Pos) -> list[Event]:
    if pos.path not in s.visited:
        s.visited.append(pos.path)
    if not s.history or s.history[-1] != pos.path:
        s.history.append(pos.path)
    s.mode = "ask"
    s.pending_value = None
    events: list[Event] = []
    _advance(form, s, pos.path, events)
    return [*events, *prompt(form, s)]


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(v) for v in value]
    return value
