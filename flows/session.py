"""Sessions are values: JSON-serialisable state of one user filling one form version."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["Input", "Session", "SessionStatus"]


class SessionStatus(StrEnum):
    ACTIVE = "active"
    WAITING = "waiting"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # cancelled by the user
    EXPIRED = "expired"  # step limit reached
    ERRORED = "errored"  # the engine failed (an Errored event says why)


Mode = Literal["ask", "confirm_warning", "confirm_cancel", "confirm_keep"]


class Session(BaseModel):
    """State between two inputs. ``Session.model_validate(s.model_dump(mode="json")) == s``.

    ``cursor`` is the path of the position waiting for input: a question ("status",
    "members.0.name"), a repeat's add-another question ("members.__add__") or "__review__".
    """

    form_id: str
    form_version: int
    lang: str = "id"
    status: SessionStatus
    answers: dict[str, Any] = {}
    context: dict[str, Any] = {}
    steps: int = 0
    cursor: str | None = None
    mode: Mode = "ask"
    pending_value: Any = None  # an answer waiting for the user to confirm its warning
    history: list[str] = []  # answered positions, for "kembali"
    visited: list[str] = []  # answered or skipped positions (distinguishes skipped from unasked)
    editing: bool = False  # changing one answer from the review screen
    last_edit: str | None = None  # the answer just changed from the review (shown alone)


class Input(BaseModel):
    """One user input: typed text, a button value, a shared location, or a photo or document
    reference (``text`` is then its caption)."""

    text: str = ""
    choice: str | None = None
    location: tuple[float, float] | None = None
    photo: str | None = None
    document: str | None = None
