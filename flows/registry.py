"""The registry of question types and what a type is: how it reads an input (:class:`Parsed`
from an ``Input`` and a :class:`ParseCtx`), shows a value and normalises a prefilled one, the
parameters, messages and placeholders it knows. The built-in types are in
:mod:`flows.qtypes`; hosts add theirs with :func:`register` (the Dinsos composers' in
:mod:`flows.host_types`) before their forms load.

A type may declare ``parameters`` (XLSForm's ``parameters`` column: ``{after: due}``) and
``messages``: its error texts by key, which a question may re-word (``messages: {past: ...}``)
as may its form (``messages:`` keyed by the engine catalog key). ``{name}`` placeholders in
a question's label, hint and choice labels are filled from the type's ``placeholders``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.events import InputKind
from flows.i18n import fill, t, tn
from flows.model import Choice, Label, Question
from flows.session import Input

__all__ = [
    "QUESTION_TYPES",
    "ParseCtx",
    "Parsed",
    "QuestionType",
    "choices_of",
    "fail",
    "param",
    "placeholders_of",
    "register",
    "say",
]


@dataclass(frozen=True)
class Parsed:
    """What a type made of one input. ``partial``: ``value`` is kept as this question's
    answer so far, but the question is asked again (a photo whose caption is still to come);
    with an ``error`` too, both are said."""

    value: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    partial: bool = False
    reason: str = ""  # the type's message key of ``error`` ("missing", "past", ...)


@dataclass(frozen=True)
class ParseCtx:
    """What a question type sees besides the input: the language, the time passed in by the
    host (``today``, ``now``), the session's ``context`` (host data such as the regions a
    person may choose) and ``answers``, this question's ``current`` answer, and the form's
    message ``overrides``."""

    lang: str = "id"
    today: date | None = None
    now: datetime | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    answers: Mapping[str, Any] = field(default_factory=dict)
    current: Any = None
    overrides: Mapping[str, Label] = field(default_factory=dict)


Parser = Callable[[Question, Input, ParseCtx], Parsed]
Display = Callable[[Question, Any, ParseCtx], str]
Normalizer = Callable[[Question, Any], Any]
ChoicesHook = Callable[[Question, ParseCtx], list[Choice]]
TextHook = Callable[[Question, ParseCtx], str | None]
ValuesHook = Callable[[Question, ParseCtx], dict[str, str]]
DefaultHook = Callable[[Question, ParseCtx], Any]
Complete = Callable[[Question, Any], bool]


@dataclass(frozen=True)
class QuestionType:
    name: str
    input: InputKind
    accepts: frozenset[str]  # input kinds: "text", "choice", "location", "photo", "document"
    expect_key: str  # catalog key saying what is expected, with an example
    parse: Parser
    display: Display
    normalize: Normalizer  # a stored or prefilled value -> canonical answer, or None
    answerable: bool = True
    needs_choices: bool = False
    takes_choices: bool = False  # choices allowed, not needed
    bounded: bool = False  # min/max allowed
    parameters: frozenset[str] = frozenset()  # the ``parameters`` keys it reads
    required_parameters: frozenset[str] = frozenset()
    messages: Mapping[str, str] = field(default_factory=dict)  # message key -> catalog key
    placeholder_names: frozenset[str] = frozenset()  # {name}s it fills in labels
    choices: ChoicesHook | None = None  # options made from the context, not the form
    placeholders: ValuesHook | None = None
    prompt: TextHook | None = None  # a label to ask with instead of the question's own
    default_of: DefaultHook | None = None  # a default made from the context
    complete: Complete | None = None  # False: a partial answer, not one to keep


def register(qtype: QuestionType) -> None:
    """Add a host's question type to the registry (before its forms load); a name taken
    already is refused."""
    if qtype.name in QUESTION_TYPES and QUESTION_TYPES[qtype.name] is not qtype:
        raise ValueError(f"question type {qtype.name!r} is registered already")
    QUESTION_TYPES[qtype.name] = qtype


def say(q: Question, ctx: ParseCtx, key: str, **fields: Any) -> str:
    """The type's message ``key`` for ``q``: the question's own wording, else the form's
    wording of the catalog key, else the catalog's (``tn`` when ``fields`` has ``n``)."""
    spec = QUESTION_TYPES[q.type]
    catalog_key = spec.messages.get(key, key)
    override = (q.messages or {}).get(key) or ctx.overrides.get(catalog_key)
    if override is not None:
        return fill(override.get(ctx.lang), fields)
    if "n" in fields:
        return tn(catalog_key, int(fields["n"]), ctx.lang, **fields)
    return t(catalog_key, ctx.lang, **fields)


def fail(q: Question, ctx: ParseCtx, key: str, **fields: Any) -> Parsed:
    """A refused answer: the type's message ``key`` (see :func:`say`), and the key itself as
    the reason, for a host that words it its own way (the CLI names its options)."""
    return Parsed(error=say(q, ctx, key, **fields), reason=key)


def param(q: Question, name: str, default: str = "") -> str:
    return (q.parameters or {}).get(name, default)


def choices_of(q: Question, ctx: ParseCtx) -> list[Choice]:
    """The question's choices: made by its type from the context, or the form's."""
    spec = QUESTION_TYPES[q.type]
    return spec.choices(q, ctx) if spec.choices is not None else list(q.choices or [])


def placeholders_of(q: Question, ctx: ParseCtx) -> dict[str, str]:
    spec = QUESTION_TYPES[q.type]
    return spec.placeholders(q, ctx) if spec.placeholders is not None else {}


QUESTION_TYPES: dict[str, QuestionType] = {}
