"""Form definition models (pydantic v2, frozen) and the loader's error type."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["Check", "Choice", "Form", "FormError", "Label", "Question"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Label(BaseModel):
    """Text in Indonesian (``id``) with an optional English version."""

    model_config = _FROZEN

    id: str
    en: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_str(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"id": data}
        return data

    def get(self, lang: str = "id") -> str:
        if lang == "en" and self.en:
            return self.en
        return self.id


class Choice(BaseModel):
    model_config = _FROZEN

    value: str
    label: Label


class Check(BaseModel):
    """A warning condition and its message; ``{expr}`` in the message shows a value (dates as
    dd-mm-yyyy), e.g. ``{nik_birth_date(.)}``."""

    model_config = _FROZEN

    when: str
    message: Label


class ExactlyOne(BaseModel):
    """A repeat where exactly one instance (of those where ``field`` is asked) has ``field`` =
    ``value`` (one head of family): a second is refused by a constraint, and when none is left
    the picker asks ``ask`` and sets it on the instance chosen."""

    model_config = _FROZEN

    field: str
    value: str
    ask: Label


class Question(BaseModel):
    model_config = _FROZEN

    name: str
    type: str
    label: Label
    hint: Label | None = None
    review_label: Label | None = None  # the answer's name on the review, when not the label
    required: bool = True
    constraint: str | None = None
    constraint_message: Label | None = None
    warning: str | None = None
    warning_message: Label | None = None
    warnings: list[Check] | None = None
    relevant: str | None = None
    choices: list[Choice] | None = None
    min: float | None = None
    max: float | None = None
    # text: the longest answer taken (characters); DEFAULT_TEXT_MAX in flows.qtypes when unset.
    max_length: int | None = None
    default: Any = None
    prefill: str | None = None
    questions: list[Question] | None = None
    add_another: Label | None = None
    item_label: Label | None = None
    max_count: int | None = None
    parameters: dict[str, str] | None = None  # read by the type (XLSForm's parameters)
    messages: dict[str, Label] | None = None  # the type's messages, re-worded by key
    exactly_one: ExactlyOne | None = None

    @property
    def is_required(self) -> bool:
        return self.required and self.type not in {"note", "repeat"}

    def field_names(self) -> frozenset[str]:
        return frozenset(q.name for q in self.questions or [])


class Form(BaseModel):
    model_config = _FROZEN

    id: str
    version: int
    title: Label
    description: Label | None = None
    questions: list[Question]
    max_steps: int = 1000
    messages: dict[str, Label] | None = None  # engine messages re-worded, by catalog key
    source: str = ""

    def question(self, name: str) -> Question | None:
        for q in self.questions:
            if q.name == name:
                return q
        return None


class FormError(Exception):
    """A form file that cannot be used: ``<file>: question '<name>' (line N): <reason>``."""

    def __init__(
        self, file: str, reason: str, *, question: str | None = None, line: int | None = None
    ) -> None:
        self.file = file
        self.question = question
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.question is not None:
            where += f": question '{self.question}'"
        if self.line is not None:
            where += f" (line {self.line})"
        return f"{where}: {self.reason}"
