"""One registered saver per form id: what a completed form does, and which of its answers it
reads. Each feature package declares the savers of its forms (``SAVERS``); the composition
root gathers them (:func:`handlers.app.default_savers`) and checks them against the forms
loaded (:meth:`Savers.check`), so a form without a saver, a saver without a form, or a saver
reading a question the form does not have stops Kawal at start-up, not at the first save.

Besides saving, a saver may say who may go on with its form (``access``: checked on every
step and once more before saving), what stops saving (``check``: said on the review,
nothing written) and what the review shows besides the answers (``review``: a preview).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flows import Completed, Form, FormRegistry, Session
from handlers.kit.context import Turn
from handlers.messages import Outbound
from storage.records import FormSessionRecord

__all__ = [
    "AccessEnded",
    "LostAccess",
    "Saved",
    "Saver",
    "SaverError",
    "Savers",
    "engine_state",
    "form_fields",
]


@dataclass(frozen=True, slots=True)
class LostAccess:
    """Why a form may not go on: its region is outside the person's roles now.

    ``region_code`` is the region the form was opened for (the village, or the report's
    village), None when the session does not say; ``household_moved`` is set when the person
    still holds that region but the household now lies elsewhere (where is not told)."""

    region_code: str | None
    household_moved: bool = False


class AccessEnded(Exception):
    """Raised by a saver before writing anything when access has ended."""

    def __init__(self, lost: LostAccess) -> None:
        super().__init__(lost.region_code or "-")
        self.lost = lost


@dataclass(frozen=True, slots=True)
class Saved:
    """What saving did: the household's new status (None when no household), its id, and
    what to tell the person: ``message`` instead of the usual "saved" line, or ``messages``
    instead of that line and the menu."""

    status: str | None
    household_id: int | None
    submission_id: int | None
    head_name: str = ""
    report_id: int | None = None
    message: str = ""
    messages: tuple[Outbound, ...] = ()


SaveFn = Callable[[Turn, FormSessionRecord, Form, Completed], Awaitable[Saved]]
CheckFn = Callable[[Turn, FormSessionRecord, Form, Completed], Awaitable[list[str]]]
AccessFn = Callable[[Turn, FormSessionRecord], Awaitable[LostAccess | None]]
# (turn, record, session, the review's messages, whether the answers are listed) -> messages
ReviewFn = Callable[
    [Turn, FormSessionRecord, Session, list[Outbound], bool], Awaitable[list[Outbound]]
]


@dataclass(frozen=True, slots=True)
class Saver:
    """How a completed ``form_id`` is saved. ``fields``: the questions it reads by name
    (``members.name`` for one inside a repeat)."""

    form_id: str
    fields: frozenset[str]
    save: SaveFn
    check: CheckFn | None = None  # what stops saving, each with what to do; nothing written
    access: AccessFn | None = None  # who may go on (None: the household forms' rules)
    review: ReviewFn | None = field(default=None)  # adds to the review's messages


class SaverError(Exception):
    """Forms and savers that do not fit: for whoever deploys Kawal, at start-up."""


def engine_state(record: FormSessionRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    """(context, answers) of the engine session a form session holds; empty when it holds
    none (still choosing a household)."""
    engine = record.state.get("engine")
    engine = engine if isinstance(engine, dict) else {}
    context, answers = engine.get("context"), engine.get("answers")
    return (
        context if isinstance(context, dict) else {},
        answers if isinstance(answers, dict) else {},
    )


def form_fields(form: Form) -> frozenset[str]:
    """Every question name of ``form``: ``status``, ``members``, ``members.name``."""
    names: set[str] = set()
    for question in form.questions:
        names.add(question.name)
        for inner in question.questions or []:
            names.add(f"{question.name}.{inner.name}")
    return frozenset(names)


class Savers:
    """The savers by form id (one each)."""

    def __init__(self, savers: Iterable[Saver] = ()) -> None:
        self._by_id: dict[str, Saver] = {}
        for saver in savers:
            if saver.form_id in self._by_id:
                raise SaverError(f"two savers for the form {saver.form_id}")
            self._by_id[saver.form_id] = saver

    def get(self, form_id: str) -> Saver | None:
        return self._by_id.get(form_id)

    def __iter__(self) -> Iterator[Saver]:
        return iter(list(self._by_id.values()))

    def check(self, forms: FormRegistry) -> None:
        """Raise :class:`SaverError` naming every form without a saver, saver without a
        form, and field a saver reads that a version of its form does not have."""
        problems: list[str] = []
        loaded = {form.id for form in forms}
        for form in forms:
            saver = self._by_id.get(form.id)
            if saver is None:
                problems.append(f"{form.source or form.id}: form {form.id} has no saver")
                continue
            missing = sorted(saver.fields - form_fields(form))
            if missing:
                problems.append(
                    f"{form.source or form.id}: the saver of {form.id} reads "
                    f"{', '.join(missing)}, which form {form.id} v{form.version} does not have"
                )
        for form_id in sorted(set(self._by_id) - loaded):
            problems.append(f"the saver of {form_id} has no form {form_id} loaded")
        if problems:
            raise SaverError("; ".join(problems))
