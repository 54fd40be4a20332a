"""Events: the engine describes effects, the host performs them (sends, stores)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Ask", "Cancelled", "Change", "Completed", "Errored", "Event", "Option", "Say"]

_FROZEN = ConfigDict(frozen=True)

InputKind = Literal["text", "choice", "multi", "location", "photo", "confirm"]


class Option(BaseModel):
    model_config = _FROZEN

    value: str
    label: str


class Say(BaseModel):
    model_config = _FROZEN

    kind: Literal["say"] = "say"
    text: str
    tone: Literal["info", "error", "warning", "success"] = "info"


class Ask(BaseModel):
    """A question to put to the user; ``question`` is its path ("status", "members.0.name",
    "members.__add__", "__review__", "__cancel__")."""

    model_config = _FROZEN

    kind: Literal["ask"] = "ask"
    text: str
    question: str
    input: InputKind
    options: list[Option] = []
    skippable: bool = False
    # Buttons that are words, never numbered ("Tetap: 006", "Semua data tetap"): a typed number
    # always means an option above, or the value itself on a text question.
    extra: list[Option] = []
    numbered: bool = True  # False: the options are answered by their words (a confirmation)


class Change(BaseModel):
    """A prefilled value that the user changed."""

    model_config = _FROZEN

    path: str
    label: str
    before: Any
    after: Any


class Completed(BaseModel):
    model_config = _FROZEN

    kind: Literal["completed"] = "completed"
    answers: dict[str, Any]
    changes: list[Change]


class Cancelled(BaseModel):
    model_config = _FROZEN

    kind: Literal["cancelled"] = "cancelled"


class Errored(BaseModel):
    """The engine failed on this session (a bug or a damaged session): the session's status is
    ``errored`` and it takes no more input. ``reason`` is the exception's type and message,
    ``where`` the engine's source line that raised; both are for the host's log, not for the
    user (the message may hold what the user typed)."""

    model_config = _FROZEN

    kind: Literal["errored"] = "errored"
    reason: str
    where: str = ""


Event = Say | Ask | Completed | Cancelled | Errored
