"""Loads and validates form YAML files. A bad form fails with file, question, line and reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

import flows.host_types  # noqa: F401 - the composers' question types, before any form loads
from flows.expressions import ExprError, compile_expr
from flows.i18n import ENGINE
from flows.model import Form, FormError, Question
from flows.qtypes import MAX_TEXT_LENGTH, QUESTION_TYPES
from flows.warnings import placeholders

__all__ = ["FormRegistry", "builtin_forms", "load_form", "load_forms", "parse_form"]

_LINE = "__line__"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_ITEM_FIELD = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _strip_lines(v) for k, v in data.items() if k != _LINE}
    if isinstance(data, list):
        return [_strip_lines(v) for v in data]
    return data


class _Checker:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, reason: str, q: dict[str, Any] | None = None, name: str | None = None) -> None:
        line = q.get(_LINE) if isinstance(q, dict) else None
        if name is None and isinstance(q, dict):
            raw = q.get("name")
            name = str(raw) if raw is not None else "?"
        raise FormError(self.file, reason, question=name, line=line)

    def raw_questions(self, items: Any, where: dict[str, Any] | None) -> None:
        """Structural checks on the raw YAML, so errors can name the question and line."""
        if not isinstance(items, list) or not items:
            self.fail("'questions' must be a non-empty list", where)
        seen: set[str] = set()
        for q in items:
            if not isinstance(q, dict):
                self.fail("each question must be a mapping", where)
            name = q.get("name")
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                self.fail("'name' must be snake_case (e.g. family_status)", q, str(name))
            if name in seen:
                self.fail("duplicate question name", q)
            seen.add(name)
            qtype = q.get("type")
            if qtype not in QUESTION_TYPES:
                known = ", ".join(QUESTION_TYPES)
                self.fail(f"unknown type '{qtype}' (known: {known})", q)
            if not q.get("label"):
                self.fail("missing 'label'", q)
            spec = QUESTION_TYPES[qtype]
            choices = q.get("choices")
            if spec.needs_choices:
                if not isinstance(choices, list) or not choices:
                    self.fail(f"type {qtype} needs a non-empty 'choices' list", q)
                values = [c.get("value") if isinstance(c, dict) else None for c in choices]
                if any(not isinstance(v, str) or not v for v in values):
                    self.fail("every choice needs a string 'value' and a 'label'", q)
                if len(set(values)) != len(values):
                    self.fail("duplicate choice value", q)
                if any(str(v).startswith("__") for v in values):
                    self.fail("choice values must not start with '__'", q)
            elif choices is not None and not spec.takes_choices:
                self.fail(f"type {qtype} takes no 'choices'", q)
            if qtype == "repeat":
                self.raw_questions(q.get("questions"), q)
            elif q.get("questions") is not None:
                self.fail("only a repeat has 'questions'", q)

    def semantics(self, form: Form, raw: list[Any]) -> None:
        known: set[str] = set()
        for q, rq in zip(form.questions, raw, strict=True):
            self.question(q, rq, known, None, set())
            known.add(q.name)

    def expr(self, src: str | None, what: str, q: Question, rq: Any, allowed: set[str]) -> None:
        if src is None:
            return
        try:
            expr = compile_expr(src)
        except ExprError as exc:
            self.fail(f"bad {what} expression '{src}': {exc}", rq, q.name)
            return
        unknown = sorted(expr.refs - allowed)
        if unknown:
            self.fail(f"{what} refers to unknown or later question ${{{unknown[0]}}}", rq, q.name)
        if expr.uses_self and what == "relevant":
            self.fail("'.' (this answer) cannot be used in relevant", rq, q.name)

    def question(
        self,
        q: Question,
        rq: Any,
        top: set[str],
        repeat: Question | None,
        inner: set[str],
    ) -> None:
        spec = QUESTION_TYPES[q.type]
        allowed = top | inner
        self.expr(q.relevant, "relevant", q, rq, allowed)
        self.expr(q.constraint, "constraint", q, rq, allowed)
        self.expr(q.warning, "warning", q, rq, allowed)
        # A check inside a repeat may look at a later field of the same instance: before it
        # is answered it holds the prefilled value (the record as it stands).
        later = {x.name for x in repeat.questions or []} if repeat is not None else set()
        for check in q.warnings or []:
            self.expr(check.when, "warnings.when", q, rq, allowed | later)
            for text in (check.message.id, check.message.en or ""):
                for src in placeholders(text):
                    self.expr(src, "warnings.message placeholder", q, rq, allowed | later)

        if q.max_length is not None and q.type != "text":
            self.fail(f"type {q.type} takes no max_length (only text does)", rq, q.name)
        if q.max_length is not None and not 1 <= q.max_length <= MAX_TEXT_LENGTH:
            self.fail(f"max_length must be between 1 and {MAX_TEXT_LENGTH}", rq, q.name)
        if (q.min is not None or q.max is not None) and not spec.bounded:
            self.fail(f"type {q.type} takes no min/max", rq, q.name)
        if q.min is not None and q.max is not None and q.min > q.max:
            self.fail("min is greater than max", rq, q.name)
        if q.type == "repeat":
            if q.max_count is not None and q.max_count < 1:
                self.fail("max_count must be at least 1", rq, q.name)
            fields: set[str] = set()
            raw_inner = rq.get("questions") if isinstance(rq, dict) else None
            for sub, rsub in zip(q.questions or [], raw_inner or [], strict=False):
                if sub.type == "repeat":
                    self.fail("repeats cannot be nested", rsub, sub.name)
                self.question(sub, rsub, top, q, fields)
                fields.add(sub.name)
            if q.item_label is not None:
                for text in (q.item_label.id, q.item_label.en or ""):
                    for key in _ITEM_FIELD.findall(text):
                        if key != "n" and key not in fields:
                            self.fail(f"item_label uses unknown field {{{key}}}", rq, q.name)
            one = q.exactly_one
            if one is not None:
                field = next((x for x in q.questions or [] if x.name == one.field), None)
                if field is None or one.value not in {c.value for c in field.choices or []}:
                    self.fail("exactly_one needs a select field of the repeat and its value", rq)
        elif q.add_another or q.item_label or q.max_count is not None or q.exactly_one:
            self.fail("add_another/item_label/max_count only apply to a repeat", rq, q.name)
        if q.default is not None and spec.answerable and spec.normalize(q, q.default) is None:
            self.fail(f"default {q.default!r} is not a valid {q.type} answer", rq, q.name)
        self.vocabulary(q, rq)

    def vocabulary(self, q: Question, rq: Any) -> None:
        """Parameters, re-worded messages and ``{placeholders}`` the question's type knows."""
        spec = QUESTION_TYPES[q.type]
        given = set(q.parameters or {})
        unknown = sorted(given - spec.parameters)
        if unknown:
            known = ", ".join(sorted(spec.parameters)) or "none"
            self.fail(f"type {q.type} has no parameter '{unknown[0]}' (known: {known})", rq, q.name)
        missing = sorted(spec.required_parameters - given)
        if missing:
            self.fail(f"type {q.type} needs the parameter '{missing[0]}'", rq, q.name)
        keys = set(spec.messages) | {"empty"}
        unknown = sorted(set(q.messages or {}) - keys)
        if unknown:
            known = ", ".join(sorted(keys))
            self.fail(f"type {q.type} has no message '{unknown[0]}' (known: {known})", rq, q.name)
        names = spec.placeholder_names | {"current"}
        texts = [q.label, q.hint, *(c.label for c in q.choices or [])]
        for label in (x for x in texts if x is not None):
            for text in (label.id, label.en or ""):
                for name in _PLACEHOLDER.findall(text):
                    if name not in names:
                        self.fail(f"type {q.type} does not fill {{{name}}}", rq, q.name)


def parse_form(text: str, file: str = "<string>") -> Form:
    """Parses and validates a form from YAML text."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise FormError(file, f"invalid YAML: {getattr(exc, 'problem', exc)}", line=line) from exc
    checker = _Checker(file)
    if not isinstance(data, dict):
        raise FormError(file, "a form must be a YAML mapping")
    for key in ("id", "version", "title", "questions"):
        if key not in data:
            raise FormError(file, f"missing '{key}'", line=data.get(_LINE))
    checker.raw_questions(data["questions"], data)
    try:
        form = Form.model_validate({**_strip_lines(data), "source": file})
    except ValidationError as exc:
        raise _pydantic_error(file, data, exc) from exc
    if not _NAME.fullmatch(form.id):
        raise FormError(file, "form 'id' must be snake_case")
    if form.version < 1 or form.max_steps < 1:
        raise FormError(file, "'version' and 'max_steps' must be positive")
    unknown = sorted(set(form.messages or {}) - ENGINE.keys())
    if unknown:
        raise FormError(file, f"messages: '{unknown[0]}' is not an engine message key")
    checker.semantics(form, data["questions"])
    return form


def _pydantic_error(file: str, data: dict[str, Any], exc: ValidationError) -> FormError:
    err = exc.errors()[0]
    loc = list(err["loc"])
    node: Any = data
    question: dict[str, Any] | None = None
    rest: list[str] = []
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            rest = [str(p) for p in loc[i:]]
            break
        if isinstance(node, dict) and "type" in node and "name" in node:
            question = node
            rest = []
        elif question is not None:
            rest.append(str(part))
    field = ".".join(rest) or ".".join(str(p) for p in loc)
    reason = f"{field}: {err['msg']}"
    if question is None:
        return FormError(file, reason, line=data.get(_LINE))
    return FormError(file, reason, question=str(question.get("name")), line=question.get(_LINE))


def load_form(path: str | Path) -> Form:
    """Reads and validates one form file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormError(str(p), f"cannot read: {exc}") from exc
    return parse_form(text, str(p))


class FormRegistry:
    """Forms by (id, version)."""

    def __init__(self, forms: Iterable[Form] = ()) -> None:
        self._forms: dict[tuple[str, int], Form] = {}
        for form in forms:
            self.add(form)

    def add(self, form: Form) -> None:
        key = (form.id, form.version)
        if key in self._forms:
            other = self._forms[key].source
            raise FormError(form.source, f"form {form.id} v{form.version} also in {other}")
        self._forms[key] = form

    def get(self, form_id: str, version: int) -> Form | None:
        return self._forms.get((form_id, version))

    def latest(self, form_id: str) -> Form | None:
        versions = [v for (fid, v) in self._forms if fid == form_id]
        return self._forms[(form_id, max(versions))] if versions else None

    def __len__(self) -> int:
        return len(self._forms)

    def __iter__(self) -> Iterator[Form]:
        return iter(list(self._forms.values()))


def load_forms(directory: str | Path) -> FormRegistry:
    """Every ``*.yaml`` form in ``directory``."""
    return FormRegistry(load_form(p) for p in sorted(Path(directory).glob("*.yaml")))


def builtin_forms() -> FormRegistry:
    """The forms shipped in ``flows/forms``."""
    return load_forms(Path(__file__).parent / "forms")
