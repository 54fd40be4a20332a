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
The same holds in every form, the Dinsos composers' included: their host question types
(:mod:`flows.host_types`) read values, the keys above keep their one meaning.

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
    FINISHED,
    ask,
    constraint_message,
    current_value,
    empty_message,
    engine_t,
    error,
    missing_one,
    prompt,
)
from flows.events import Cancelled, Completed, Errored, Event, Say
from flows.model import Form
from flows.moving import advance, advance_from, cleanup, take_current
from flows.picking import handle_add, handle_pick
from flows.positions import (
    CANCEL,
    NO,
    REVIEW,
    SAVE,
    Pos,
    after_repeat,
    drop_value,
    env_at,
    holds,
    instances,
    is_number,
    is_picker,
    json_copy,
    parse_ctx,
    relevant,
    resolve,
    set_value,
    step,
    visit,
)
from flows.qtypes import QUESTION_TYPES, Parsed
from flows.review import changes, review_items, review_paths, summary
from flows.session import Input, Session, SessionStatus
from flows.warnings import warning_texts
from flows.words import (
    Word,
    input_kind,
    meaning_of,
    raw_text,
    typed_word,
    word_only,
    yes_no_input,
)

__all__ = [
    "accepted_inputs",
    "current_prompt",
    "expected_input",
    "hold",
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
# At "Batalkan isian ini?": yes with the reason said again ("ya, batal").
_CANCEL_YES = frozenset(
    {"ya batal", "ya, batal", "iya batal", "batalkan", "batal saja", "yes cancel"}
)
_REASON_MAX = 300
_PACKAGE = Path(__file__).parent

_CONTEXT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


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
        take_current(form, s)
    else:
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
        return Parsed(error=constraint_message(form, question, lang), reason="constraint")
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
    _same_form(form, session)
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
    s.pending_value = json_copy(value)
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


def _handle(form: Form, s: Session, inp: Input) -> list[Event]:
    lang = s.lang
    word = typed_word(inp)
    nav = _NAV.get(word or "")
    if nav is None and s.cursor == REVIEW and word and word in _save_words(form):
        nav = "save"
    s.last_edit = None
    if s.mode == "confirm_cancel":
        answer = yes_no_input(inp)
        # "batal" typed again at "Batalkan isian ini?" says it once more: yes.
        if answer is True or nav == "cancel" or word in _CANCEL_YES:
            s.status = SessionStatus.INTERRUPTED
            s.mode = "ask"
            return [Say(text=engine_t(form, "cancelled", lang)), Cancelled()]
        if answer is False or nav == "back":
            s.mode = "ask"
            return prompt(form, s)
        return error(form, s, engine_t(form, "err_confirm", lang))
    if nav == "cancel" or (s.cursor == REVIEW and inp.choice == CANCEL):
        s.mode = "confirm_cancel"
        return [ask(form, s)]
    if nav == "summary":
        return [Say(text=summary(form, s)), ask(form, s)]
    if s.mode == "confirm_warning":
        return _handle_warning(form, s, inp, nav)
    if s.mode == "confirm_keep":
        return _handle_confirm_keep(form, s, inp, nav)
    meaning = meaning_of(inp)
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
            return handle_pick(form, s, pos, inp)
        return handle_add(form, s, pos, inp)
    return _handle_answer(form, s, pos, inp, nav, meaning)


def _save_words(form: Form) -> frozenset[str]:
    """Words that save on the review besides SIMPAN: the form's own name for saving
    ("Kirim" for an announcement), in each language."""
    own = (form.messages or {}).get("save")
    if own is None:
        return frozenset()
    return frozenset(x.strip().lower() for x in (own.id, own.en or "") if x.strip())


def _handle_warning(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = resolve(form, s.cursor)
    if pos is None or pos.question is None:
        s.mode = "ask"
        return prompt(form, s)
    if meaning_of(inp) == Word.KEEP and (keep := current_value(form, s, pos)) is not None:
        return _accept(form, s, pos, keep)
    answer = yes_no_input(inp, numbers=False)
    if answer is True:
        return _accept(form, s, pos, s.pending_value)
    if answer is False or nav == "back":
        s.mode = "ask"
        s.pending_value = None
        return [ask(form, s)]
    return error(form, s, engine_t(form, "err_confirm_word", s.lang))


def _handle_confirm_keep(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = resolve(form, s.cursor)
    s.mode = "ask"
    if pos is None or pos.question is None:
        return prompt(form, s)
    meaning = meaning_of(inp)
    if meaning == Word.KEEP or yes_no_input(inp, numbers=False) is True:
        return _keep(form, s, pos)
    if inp.choice == NO or yes_no_input(inp, numbers=False) is False or meaning == Word.WRONG:
        return _type_new(form, s, pos)
    # Anything else is taken as at the question itself (mode is "ask" again): navigation words
    # (kembali, ulang, simpan) do what they say and are never stored as the answer.
    return _handle(form, s, inp)


def _type_new(form: Form, s: Session, pos: Pos) -> list[Event]:
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    expected = engine_t(form, QUESTION_TYPES[q.type].expect_key, s.lang)
    example = q.hint.get(s.lang) if q.hint else expected
    text = engine_t(form, "type_new_value", s.lang, label=q.label.get(s.lang), example=example)
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
    return error(form, s, engine_t(form, "err_no_back", s.lang))


def _restart(form: Form, s: Session) -> list[Event]:
    """Back to the first question; the answers given so far stay (shown as "Tetap")."""
    s.history = []
    s.editing = False
    advance(form, s, None, [])
    return [Say(text=engine_t(form, "restarted", s.lang)), *prompt(form, s)]


def _handle_review(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    s.cursor = REVIEW
    if nav == "save" or inp.choice == SAVE:
        return _complete(form, s)
    paths = review_paths(form, s)
    raw = raw_text(inp)
    if input_kind(inp) in {"text", "choice"} and is_number(raw) and 1 <= int(raw) <= len(paths):
        s.cursor = paths[int(raw) - 1]
        s.editing = True
        s.mode = "ask"
        return [ask(form, s)]
    return error(form, s, engine_t(form, "err_review", s.lang, count=max(len(paths), 1)))


def _complete(form: Form, s: Session) -> list[Event]:
    cleanup(form, s)
    s.cursor = REVIEW
    s.status = SessionStatus.COMPLETED
    s.mode = "ask"
    answers = json_copy(s.answers)
    # No "saved" message here: only the host knows when the submission is committed.
    return [Completed(answers=answers, changes=changes(form, s))]


def _keep_rest(form: Form, s: Session, pos: Pos) -> list[Event]:
    """ "Semua data tetap" / ``simpan``: every remaining question keeps its current value and
    the form completes; it stops at the first question that needs the user (required and
    empty, a constraint that fails, a warning to confirm)."""
    p = pos.path
    if pos.is_add and pos.repeat is not None:
        if is_picker(s, pos.repeat) and missing_one(form, s, pos.repeat) is not None:
            return prompt(form, s)
        visit(s, p)
        p = after_repeat(form, pos.repeat)
    for _ in range(10_000):  # bounded: every round moves forward
        advance_from(form, s, p, [])
        cur = resolve(form, s.cursor)
        if s.cursor == REVIEW or cur is None or cur.question is None:
            return _complete(form, s)
        if cur.is_add and cur.repeat is not None:
            if is_picker(s, cur.repeat) and missing_one(form, s, cur.repeat) is not None:
                return prompt(form, s)
            visit(s, cur.path)
            p = after_repeat(form, cur.repeat)
            continue
        q = cur.question
        value = current_value(form, s, cur)
        if value is None:
            if q.is_required:
                return [Say(text=engine_t(form, "keep_rest_stopped", s.lang)), ask(form, s)]
            visit(s, cur.path)
            p = step(form, s, cur.path)
            continue
        env = env_at(s, cur, value)
        if not holds(q.constraint, env):
            return error(form, s, constraint_message(form, q, s.lang))
        warnings = warning_texts(q, env, s.lang)
        if warnings:
            s.mode = "confirm_warning"
            s.pending_value = json_copy(value)
            return [Say(text="\n".join(warnings), tone="warning"), ask(form, s)]
        set_value(s, cur, json_copy(value))
        visit(s, cur.path)
        p = step(form, s, cur.path)
    return _complete(form, s)


def _handle_answer(
    form: Form, s: Session, pos: Pos, inp: Input, nav: str | None, meaning: str | None
) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - narrowed by caller
    lang = s.lang
    spec = QUESTION_TYPES[q.type]
    expected = engine_t(form, spec.expect_key, lang)
    keep = current_value(form, s, pos)
    # TETAP where nothing was there and nothing is needed leaves it empty, as LEWATI does.
    if nav == "skip" or (meaning == Word.KEEP and keep is None and not q.is_required):
        if q.is_required:
            return error(form, s, engine_t(form, "err_required", lang) + " " + expected)
        lines = _review_lines(form, s) if s.editing else None
        drop_value(s, pos)
        return _moved_on(form, s, pos, lines)
    if meaning == Word.KEEP:
        if keep is None:
            return error(form, s, engine_t(form, "err_nothing_to_keep", lang) + " " + expected)
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
    if meaning == Word.NOT_AN_ANSWER and q.type == "text" and word_only(inp):
        # "ya" at "Nama kepala keluarga" is a reply to the bot, never the family's name.
        example = q.hint.get(lang) if q.hint else expected
        said = raw_text(inp)
        return error(
            form, s, engine_t(form, "err_word_not_answer", lang, word=said, example=example)
        )
    kind = input_kind(inp)
    if kind not in spec.accepts:
        return error(form, s, engine_t(form, "err_wrong_kind", lang, expected=expected))
    if kind == "text" and not inp.text.strip():
        return error(form, s, empty_message(form, q, lang))
    parsed: Parsed = spec.parse(q, inp, parse_ctx(form, s, pos))
    if parsed.partial:  # kept, and asked again (with the error, if any)
        set_value(s, pos, json_copy(parsed.value))
        s.mode = "ask"
        if parsed.error is not None:
            return error(form, s, parsed.error)
        return [ask(form, s)]
    if parsed.error is not None and keep is not None and yes_no_input(inp, numbers=False):
        # "ya" where the current value is offered ([Tetap: Ditemukan]): asked, never guessed.
        s.mode = "confirm_keep"
        return [ask(form, s)]
    if parsed.error is not None:
        return error(form, s, parsed.error)
    return _checked(form, s, pos, parsed.value, list(parsed.warnings))


def _keep(form: Form, s: Session, pos: Pos) -> list[Event]:
    """The current value, checked as a typed one would be (a kept NIK against the sex)."""
    value = current_value(form, s, pos)
    q = pos.question
    assert q is not None  # noqa: S101 - questions only
    warnings: list[str] = []
    if value is not None and q.type in {"nik", "kk"}:
        parsed = QUESTION_TYPES[q.type].parse(q, Input(text=str(value)), parse_ctx(form, s, pos))
        warnings = list(parsed.warnings)
    return _checked(form, s, pos, value, warnings)


def _checked(form: Form, s: Session, pos: Pos, value: Any, warnings: list[str]) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - questions only
    env = env_at(s, pos, value)
    if not holds(q.constraint, env):
        return error(form, s, constraint_message(form, q, s.lang))
    warnings = warnings + warning_texts(q, env, s.lang)
    if warnings:
        s.mode = "confirm_warning"
        s.pending_value = json_copy(value)
        return [Say(text="\n".join(warnings), tone="warning"), ask(form, s)]
    return _accept(form, s, pos, value)


def _accept(form: Form, s: Session, pos: Pos, value: Any) -> list[Event]:
    lines = _review_lines(form, s) if s.editing else None
    set_value(s, pos, json_copy(value))
    return _moved_on(form, s, pos, lines)


def _review_lines(form: Form, s: Session) -> dict[str | None, str]:
    return dict(review_items(form, s))


def _moved_on(
    form: Form, s: Session, pos: Pos, lines: dict[str | None, str] | None = None
) -> list[Event]:
    """On to the next question; after a change from the review (``lines``: the review's lines
    before it), only the changed line is said again, unless others changed with it (a
    monthly repetition follows its date): then the whole review."""
    visit(s, pos.path)
    if not s.history or s.history[-1] != pos.path:
        s.history.append(pos.path)
    editing = s.editing
    s.mode = "ask"
    s.pending_value = None
    events: list[Event] = []
    advance(form, s, pos.path, events)
    if editing and s.cursor == REVIEW and lines is not None:
        after = _review_lines(form, s)
        others = {k for k in {*lines, *after} if k != pos.path}
        if all(lines.get(k) == after.get(k) for k in others):
            s.last_edit = pos.path
    return [*events, *prompt(form, s)]
