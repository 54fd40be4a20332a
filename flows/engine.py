"""The form engine: a pure function ``(form, session, input) -> (session', events)``.

No I/O, no clock reads, no randomness: today's date comes from ``session.context["today"]``.
Positions ("paths") are a top-level question name, ``<repeat>.<index>.<name>`` (0-based index),
``<repeat>.__add__`` (add another?) or ``__review__``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from flows.events import Ask, Cancelled, Change, Completed, Event, Option, Say
from flows.expressions import Env, compile_expr, evaluate, truthy
from flows.i18n import t
from flows.model import Form, Question
from flows.qtypes import QUESTION_TYPES, ParseCtx, Parsed, yes_no_word
from flows.session import Input, Session, SessionStatus

__all__ = ["current_prompt", "resume", "start", "summary"]

REVIEW = "__review__"
CANCEL = "__cancel__"
SAVE = "__save__"
KEEP = "__keep__"
ADD = "__add__"
YES, NO = "yes", "no"

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
_FINISHED = {SessionStatus.COMPLETED, SessionStatus.EXPIRED, SessionStatus.INTERRUPTED}
_KEEP_LABEL_MAX = 40
_NUMBER = re.compile(r"[0-9]{1,6}")


def _number(text: str) -> bool:
    """ASCII digits only (str.isdigit() accepts "¹", which int() rejects)."""
    return _NUMBER.fullmatch(text) is not None


_CONTEXT: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, Any])


# ------------------------------------------------------------------ positions


@dataclass(frozen=True)
class _Pos:
    path: str
    question: Question | None  # None for review
    repeat: Question | None = None
    index: int | None = None
    is_add: bool = False


def _resolve(form: Form, path: str | None) -> _Pos | None:
    if path is None:
        return None
    if path == REVIEW:
        return _Pos(REVIEW, None)
    parts = path.split(".")
    top = form.question(parts[0])
    if top is None:
        return None
    if len(parts) == 1:
        return _Pos(path, top)
    if top.type != "repeat":
        return None
    if len(parts) == 2 and parts[1] == ADD:
        return _Pos(path, top, top, None, True)
    if len(parts) != 3 or not _number(parts[1]):
        return None
    inner = next((q for q in top.questions or [] if q.name == parts[2]), None)
    if inner is None:
        return None
    return _Pos(path, inner, top, int(parts[1]))


def _instances(s: Session, repeat: Question) -> list[dict[str, Any]]:
    value = s.answers.get(repeat.name)
    return value if isinstance(value, list) else []


def _step(form: Form, s: Session, path: str | None) -> str:
    """The structurally next position (relevance is handled by the caller)."""
    names = [q.name for q in form.questions]
    if path is None:
        return names[0] if names else REVIEW
    pos = _resolve(form, path)
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
    if pos.index + 1 < len(_instances(s, pos.repeat)):
        return f"{pos.repeat.name}.{pos.index + 1}.{inner[0]}"
    return f"{pos.repeat.name}.{ADD}"


def _after_repeat(form: Form, repeat: Question) -> str:
    names = [q.name for q in form.questions]
    i = names.index(repeat.name) + 1
    return names[i] if i < len(names) else REVIEW


# ------------------------------------------------------------------ context helpers


def _today(s: Session) -> date | None:
    raw = s.context.get("today")
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    return None


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and _number(part) and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _record(s: Session) -> Any:
    return s.context.get("record")


def _prefill_items(s: Session, repeat: Question) -> list[Any]:
    if not repeat.prefill:
        return []
    items = _dig(_record(s), repeat.prefill)
    return items if isinstance(items, list) else []


def _prefill(s: Session, pos: _Pos) -> Any:
    q = pos.question
    if q is None or not q.prefill:
        return None
    if pos.repeat is None:
        raw = _dig(_record(s), q.prefill)
    else:
        items = _prefill_items(s, pos.repeat)
        if pos.index is None or pos.index >= len(items):
            return None
        raw = _dig(items[pos.index], q.prefill)
    return QUESTION_TYPES[q.type].normalize(q, raw)


def _get(s: Session, pos: _Pos) -> Any:
    if pos.question is None:
        return None
    if pos.repeat is None:
        return s.answers.get(pos.question.name)
    items = _instances(s, pos.repeat)
    if pos.index is None or pos.index >= len(items):
        return None
    return items[pos.index].get(pos.question.name)


def _has(s: Session, pos: _Pos) -> bool:
    if pos.question is None:
        return False
    if pos.repeat is None:
        return pos.question.name in s.answers
    items = _instances(s, pos.repeat)
    return (
        pos.index is not None and pos.index < len(items) and pos.question.name in items[pos.index]
    )


def _set(s: Session, pos: _Pos, value: Any) -> None:
    assert pos.question is not None  # noqa: S101 - only called for questions
    if pos.repeat is None:
        s.answers[pos.question.name] = value
        return
    items = _instances(s, pos.repeat)
    if pos.index is not None and pos.index < len(items):
        items[pos.index][pos.question.name] = value


def _drop(s: Session, pos: _Pos) -> None:
    if pos.question is None:
        return
    if pos.repeat is None:
        s.answers.pop(pos.question.name, None)
        if pos.question.type == "repeat":
            prefix = pos.question.name + "."
            s.visited = [v for v in s.visited if not v.startswith(prefix)]
    else:
        items = _instances(s, pos.repeat)
        if pos.index is not None and pos.index < len(items):
            items[pos.index].pop(pos.question.name, None)
    s.visited = [v for v in s.visited if v != pos.path]


def _env(s: Session, pos: _Pos, current: Any = None) -> Env:
    instance = None
    fields: frozenset[str] = frozenset()
    if pos.repeat is not None and pos.index is not None:
        items = _instances(s, pos.repeat)
        if pos.index < len(items):
            instance = items[pos.index]
            fields = pos.repeat.field_names()
    return Env(s.answers, instance, fields, current, _today(s))


def _check(src: str | None, env: Env) -> bool:
    return truthy(evaluate(compile_expr(src), env)) if src else True


def _relevant(s: Session, pos: _Pos) -> bool:
    if pos.question is None:
        return True
    if pos.repeat is not None and not _check(pos.repeat.relevant, _env(s, _Pos("", pos.repeat))):
        return False
    if pos.is_add:
        return True
    return _check(pos.question.relevant, _env(s, pos))


def _item_title(s: Session, repeat: Question, index: int, lang: str) -> str:
    items = _instances(s, repeat)
    values: dict[str, Any] = {}
    pre = _prefill_items(s, repeat)
    for q in repeat.questions or []:
        pos = _Pos(f"{repeat.name}.{index}.{q.name}", q, repeat, index)
        v = items[index].get(q.name) if index < len(items) else None
        if v is None:
            v = _prefill(s, pos) if index < len(pre) else None
        values[q.name] = QUESTION_TYPES[q.type].display(q, v, lang) if v is not None else ""
    values["n"] = str(index + 1)
    template = repeat.item_label.get(lang) if repeat.item_label else t("item_default", lang)
    title = re.sub(r"\{([^{}]*)\}", lambda m: values.get(m.group(1), ""), template)
    return title.strip().rstrip(":").strip()


# ------------------------------------------------------------------ moving


def _advance(form: Form, s: Session, path: str | None, events: list[Event]) -> None:
    """Moves the cursor to the next position that needs input, from after ``path``."""
    _advance_from(form, s, _step(form, s, path), events)


def _advance_from(form: Form, s: Session, p: str, events: list[Event]) -> None:
    """Moves the cursor to the first position from ``p`` (inclusive) that needs input."""
    for _ in range(10_000):  # bounded: every iteration moves forward
        if p == REVIEW:
            break
        pos = _resolve(form, p)
        if pos is None or pos.question is None:
            p = REVIEW
            break
        q = pos.question
        if not _relevant(s, pos):
            if pos.is_add and pos.repeat is not None:
                p = _after_repeat(form, pos.repeat)
                continue
            _drop(s, pos)
            p = _after_repeat(form, q) if q.type == "repeat" else _step(form, s, p)
            continue
        if pos.is_add and pos.repeat is not None:
            count = len(_instances(s, pos.repeat))
            full = pos.repeat.max_count is not None and count >= pos.repeat.max_count
            if full or (s.editing and p in s.visited):
                p = _after_repeat(form, pos.repeat)
                continue
            break
        if q.type == "note":
            if not s.editing:
                events.append(Say(text=_note_text(q, s.lang)))
            p = _step(form, s, p)
            continue
        if q.type == "repeat":
            if not isinstance(s.answers.get(q.name), list):
                s.answers[q.name] = [{} for _ in _prefill_items(s, q)]
            inner = q.questions or []
            p = f"{q.name}.0.{inner[0].name}" if _instances(s, q) else f"{q.name}.{ADD}"
            continue
        if s.editing and p in s.visited and (_has(s, pos) or not q.is_required):
            p = _step(form, s, p)
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
        pos = _Pos(q.name, q)
        if not _relevant(s, pos):
            _drop(s, pos)
            continue
        if q.type != "repeat":
            continue
        for i in range(len(_instances(s, q))):
            for sub in q.questions or []:
                sp = _Pos(f"{q.name}.{i}.{sub.name}", sub, q, i)
                if not _relevant(s, sp):
                    _drop(s, sp)


# ------------------------------------------------------------------ prompts


def _yes_no_options(lang: str) -> list[Option]:
    return [Option(value=YES, label=t("yes", lang)), Option(value=NO, label=t("no", lang))]


def _current_value(s: Session, pos: _Pos) -> Any:
    """The value offered as "Tetap": the answer so far, else the prefill, else the default."""
    if pos.question is None or pos.is_add:
        return None
    q = pos.question
    if _has(s, pos):
        return _get(s, pos)
    value = _prefill(s, pos)
    if value is None and q.default is not None:
        value = QUESTION_TYPES[q.type].normalize(q, q.default)
    return value


def _options(s: Session, pos: _Pos) -> tuple[list[Option], Any]:
    assert pos.question is not None  # noqa: S101 - only called for questions
    q = pos.question
    lang = s.lang
    if q.type == "yes_no":
        options = _yes_no_options(lang)
    else:
        options = [Option(value=c.value, label=c.label.get(lang)) for c in q.choices or []]
    keep = _current_value(s, pos)
    if keep is not None:
        shown = QUESTION_TYPES[q.type].display(q, keep, lang)
        if len(shown) > _KEEP_LABEL_MAX:
            shown = shown[: _KEEP_LABEL_MAX - 1] + "…"
        options.append(Option(value=KEEP, label=t("keep_option", lang, value=shown)))
    return options, keep


def _ask(form: Form, s: Session) -> Ask:
    lang = s.lang
    pos = _resolve(form, s.cursor)
    if s.mode == "confirm_cancel":
        return Ask(
            text=t("confirm_cancel", lang),
            question=CANCEL,
            input="confirm",
            options=_yes_no_options(lang),
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
        return Ask(
            text=t("confirm_warning", lang),
            question=pos.path,
            input="confirm",
            options=_yes_no_options(lang),
        )
    if pos.is_add:
        repeat = pos.question
        text = repeat.add_another.get(lang) if repeat.add_another else t("add_another", lang)
        return Ask(text=text, question=pos.path, input="confirm", options=_yes_no_options(lang))
    q = pos.question
    lines: list[str] = []
    if pos.repeat is not None and pos.index is not None:
        lines.append(f"[{_item_title(s, pos.repeat, pos.index, lang)}]")
    lines.append(q.label.get(lang))
    if q.hint:
        lines.append(q.hint.get(lang))
    options, keep = _options(s, pos)
    kind = QUESTION_TYPES[q.type].input
    if keep is not None and kind not in {"choice", "multi"}:
        shown = QUESTION_TYPES[q.type].display(q, keep, lang)
        lines.append(t("current_value", lang, value=shown))
        lines.append(t("hint_keep", lang))
    if not q.is_required:
        lines.append(t("hint_skip", lang))
    return Ask(
        text="\n".join(lines),
        question=pos.path,
        input=kind,
        options=options,
        skippable=not q.is_required,
    )


def _prompt(form: Form, s: Session) -> list[Event]:
    if s.status in _FINISHED:
        return [Say(text=t("finished", s.lang))]
    if s.cursor == REVIEW and s.mode == "ask":
        return [Say(text=_review_text(form, s)), _ask(form, s)]
    return [_ask(form, s)]


# ------------------------------------------------------------------ review and summary


def _review_items(form: Form, s: Session) -> list[tuple[str | None, str]]:
    """(path or None for a heading, line text) for every relevant answered/asked question."""
    lang = s.lang
    out: list[tuple[str | None, str]] = []
    for q in form.questions:
        pos = _Pos(q.name, q)
        if q.type == "note" or not _relevant(s, pos):
            continue
        if q.type == "repeat":
            for i in range(len(_instances(s, q))):
                out.append((None, _item_title(s, q, i, lang)))
                for sub in q.questions or []:
                    sp = _Pos(f"{q.name}.{i}.{sub.name}", sub, q, i)
                    if sub.type != "note" and _relevant(s, sp) and sp.path in s.visited:
                        out.append((sp.path, "  " + _answer_line(s, sp)))
            continue
        if pos.path in s.visited or _has(s, pos):
            out.append((pos.path, _answer_line(s, pos)))
    return out


def _answer_line(s: Session, pos: _Pos) -> str:
    assert pos.question is not None  # noqa: S101 - questions only
    q = pos.question
    spec = QUESTION_TYPES[q.type]
    empty = t("empty_value", s.lang)
    value = spec.display(q, _get(s, pos), s.lang) if _has(s, pos) else empty
    before = _prefill(s, pos)
    if before is not None and (not _has(s, pos) or before != _get(s, pos)):
        value = f"{spec.display(q, before, s.lang)} → {value}"
    return f"{q.label.get(s.lang)}: {value}"


def _review_text(form: Form, s: Session, numbered: bool = True) -> str:
    lines = [t("review_title", s.lang)]
    n = 0
    for path, text in _review_items(form, s):
        if path is None:
            lines.append(text)
        else:
            n += 1
            indent = "  " if text.startswith(" ") else ""
            lines.append(f"{indent}{n}. {text.strip()}" if numbered else f"- {text.strip()}")
    return "\n".join(lines)


def _review_paths(form: Form, s: Session) -> list[str]:
    return [p for p, _ in _review_items(form, s) if p is not None]


def _changes(form: Form, s: Session) -> list[Change]:
    out: list[Change] = []
    for q in form.questions:
        if q.type == "repeat":
            for i in range(len(_instances(s, q))):
                for sub in q.questions or []:
                    _change(s, _Pos(f"{q.name}.{i}.{sub.name}", sub, q, i), out)
        else:
            _change(s, _Pos(q.name, q), out)
    return out


def _change(s: Session, pos: _Pos, out: list[Change]) -> None:
    before = _prefill(s, pos)
    if before is None or pos.question is None or not _relevant(s, pos):
        return
    after = _get(s, pos) if _has(s, pos) else None
    if after != before:
        label = pos.question.label.get(s.lang)
        out.append(Change(path=pos.path, label=label, before=before, after=after))


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
    _advance(form, s, None, events)
    s.status = SessionStatus.WAITING
    events.extend(_prompt(form, s))
    return s, events


def current_prompt(form: Form, session: Session) -> list[Event]:
    """Re-asks where the user is (for "resume later")."""
    try:
        return _prompt(form, session)
    except Exception:  # never break the host on a damaged session
        return [Say(text=t("err_internal", session.lang), tone="error")]


def expected_input(form: Form, session: Session) -> str | None:
    """What the session waits for: the input kind of its current question ("photo",
    "location", "text", "choice", ...), "confirm" for a yes/no step, None when it waits for
    nothing (finished, or a damaged session)."""
    if session.status in _FINISHED:
        return None
    try:
        return _ask(form, session).input
    except Exception:  # a damaged session waits for nothing a file could answer
        return None


def summary(form: Form, session: Session) -> str:
    """The "ringkasan": the form title and every answer so far."""
    title = t("summary_title", session.lang, title=form.title.get(session.lang))
    try:
        items = [text.strip() for path, text in _review_items(form, session)]
    except Exception:  # a summary must never break the session
        items = []
    body = "\n".join(f"- {x}" for x in items) if items else t("summary_empty", session.lang)
    return f"{title}\n{body}"


def resume(form: Form, session: Session, inp: Input) -> tuple[Session, list[Event]]:
    """Applies one input. Raises ValueError only if ``form`` is not the session's form version."""
    if form.id != session.form_id or form.version != session.form_version:
        raise ValueError(
            f"session is on {session.form_id} v{session.form_version}, "
            f"not {form.id} v{form.version}"
        )
    if session.status in _FINISHED:
        return session, [Say(text=t("finished", session.lang))]
    s = session.model_copy(deep=True)
    s.steps += 1
    if s.steps > form.max_steps:
        s.status = SessionStatus.EXPIRED
        return s, [Say(text=t("expired", s.lang), tone="error")]
    try:
        events = _handle(form, s, inp)
    except Exception:  # the session must never break: keep the previous state, re-ask
        s = session.model_copy(deep=True)
        s.steps += 1
        return s, [Say(text=t("err_internal", s.lang), tone="error"), *_prompt(form, s)]
    return s, events


# ------------------------------------------------------------------ input handling


def _input_kind(inp: Input) -> str:
    if inp.photo is not None:
        return "photo"
    if inp.location is not None:
        return "location"
    if inp.choice is not None:
        return "choice"
    return "text"


def _word(inp: Input) -> str | None:
    if inp.photo is not None or inp.location is not None:
        return None
    raw = inp.choice if inp.choice is not None else inp.text
    return raw.strip().lower().lstrip("/").rstrip(".!") if raw else ""


def _error(form: Form, s: Session, message: str) -> list[Event]:
    return [Say(text=message, tone="error"), _ask(form, s)]


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
    if s.mode == "confirm_cancel":
        answer = _yes_no_input(inp)
        if answer is True:
            s.status = SessionStatus.INTERRUPTED
            s.mode = "ask"
            return [Say(text=t("cancelled", lang)), Cancelled()]
        if answer is False or nav == "back":
            s.mode = "ask"
            return _prompt(form, s)
        return _error(form, s, t("err_confirm", lang))
    if nav == "cancel" or (s.cursor == REVIEW and inp.choice == CANCEL):
        s.mode = "confirm_cancel"
        return [_ask(form, s)]
    if nav == "summary":
        return [Say(text=summary(form, s)), _ask(form, s)]
    if s.mode == "confirm_warning":
        return _handle_warning(form, s, inp, nav)
    if nav == "back":
        return _back(form, s)
    if s.cursor == REVIEW or s.cursor is None:
        return _handle_review(form, s, inp, nav)
    pos = _resolve(form, s.cursor)
    if pos is None or pos.question is None:
        s.cursor = REVIEW
        return _prompt(form, s)
    if pos.is_add:
        return _handle_add(form, s, pos, inp, nav)
    return _handle_answer(form, s, pos, inp, nav)


def _handle_warning(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    pos = _resolve(form, s.cursor)
    answer = _yes_no_input(inp)
    if pos is None or pos.question is None:
        s.mode = "ask"
        return _prompt(form, s)
    if answer is True:
        value = s.pending_value
        return _accept(form, s, pos, value)
    if answer is False or nav == "back":
        s.mode = "ask"
        s.pending_value = None
        return [_ask(form, s)]
    return _error(form, s, t("err_confirm", s.lang))


def _back(form: Form, s: Session) -> list[Event]:
    while s.history:
        path = s.history.pop()
        pos = _resolve(form, path)
        if pos is None or pos.question is None or pos.is_add or not _relevant(s, pos):
            continue
        if pos.repeat is not None and (pos.index or 0) >= len(_instances(s, pos.repeat)):
            continue
        s.cursor = path
        s.mode = "ask"
        s.pending_value = None
        return [_ask(form, s)]
    return _error(form, s, t("err_no_back", s.lang))


def _handle_review(form: Form, s: Session, inp: Input, nav: str | None) -> list[Event]:
    s.cursor = REVIEW
    if nav == "save" or inp.choice == SAVE:
        _cleanup(form, s)
        s.status = SessionStatus.COMPLETED
        s.mode = "ask"
        answers = _json_copy(s.answers)
        # No "saved" message here: only the host knows when the submission is committed.
        return [Completed(answers=answers, changes=_changes(form, s))]
    paths = _review_paths(form, s)
    raw = (inp.choice if inp.choice is not None else inp.text).strip()
    if _input_kind(inp) in {"text", "choice"} and _number(raw) and 1 <= int(raw) <= len(paths):
        s.cursor = paths[int(raw) - 1]
        s.editing = True
        s.mode = "ask"
        return [_ask(form, s)]
    return _error(form, s, t("err_review", s.lang, count=max(len(paths), 1)))


def _handle_add(form: Form, s: Session, pos: _Pos, inp: Input, nav: str | None) -> list[Event]:
    repeat = pos.question
    assert repeat is not None  # noqa: S101 - an add position has its repeat
    answer = _yes_no_input(inp)
    if answer is None:
        return _error(form, s, t("err_confirm", s.lang))
    events: list[Event] = []
    if answer:
        items = _instances(s, repeat)
        items.append({})
        s.answers[repeat.name] = items
        first = (repeat.questions or [])[0].name
        path = f"{repeat.name}.{len(items) - 1}.{first}"
        _advance_from(form, s, path, events)
        return [*events, *_prompt(form, s)]
    if pos.path not in s.visited:
        s.visited.append(pos.path)
    _advance(form, s, pos.path, events)
    return [*events, *_prompt(form, s)]


def _handle_answer(form: Form, s: Session, pos: _Pos, inp: Input, nav: str | None) -> list[Event]:
    q = pos.question
    assert q is not None  # noqa: S101 - narrowed by caller
    lang = s.lang
    spec = QUESTION_TYPES[q.type]
    if nav == "skip":
        if q.is_required:
            return _error(form, s, t("err_required", lang) + " " + t(spec.expect_key, lang))
        _drop(s, pos)
        return _moved_on(form, s, pos)
    options, keep = _options(s, pos)
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
        if not _check(q.constraint, _env(s, pos, keep)):
            return _error(form, s, _constraint_message(q, lang))
        return _accept(form, s, pos, keep)
    if kind not in spec.accepts:
        return _error(form, s, t("err_wrong_kind", lang, expected=t(spec.expect_key, lang)))
    if kind == "text" and not inp.text.strip():
        return _error(form, s, t("err_empty", lang) + " " + t(spec.expect_key, lang))
    parsed: Parsed = spec.parse(q, inp, ParseCtx(lang, _today(s)))
    if parsed.error is not None:
        return _error(form, s, parsed.error)
    value = parsed.value
    env = _env(s, pos, value)
    if not _check(q.constraint, env):
        return _error(form, s, _constraint_message(q, lang))
    warnings = list(parsed.warnings)
    if q.warning and truthy(evaluate(compile_expr(q.warning), env)):
        warnings.append(q.warning_message.get(lang) if q.warning_message else q.warning)
    if warnings:
        s.mode = "confirm_warning"
        s.pending_value = value
        return [Say(text="\n".join(warnings), tone="warning"), _ask(form, s)]
    return _accept(form, s, pos, value)


def _constraint_message(q: Question, lang: str) -> str:
    return q.constraint_message.get(lang) if q.constraint_message else t("err_constraint", lang)


def _accept(form: Form, s: Session, pos: _Pos, value: Any) -> list[Event]:
    _set(s, pos, _json_copy(value))
    return _moved_on(form, s, pos)


def _moved_on(form: Form, s: Session, pos: _Pos) -> list[Event]:
    if pos.path not in s.visited:
        s.visited.append(pos.path)
    if not s.history or s.history[-1] != pos.path:
        s.history.append(pos.path)
    s.mode = "ask"
    s.pending_value = None
    events: list[Event] = []
    _advance(form, s, pos.path, events)
    return [*events, *_prompt(form, s)]


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(v) for v in value]
    return value
