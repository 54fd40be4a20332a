"""What was done to a household in Kawal, for the export's *Perubahan* and *Catatan* columns.

Read from the submissions (every saved form keeps its answers and its changes against the
prefilled record): per household, each changed field once (its first *before*, its last
*after*) and the operator's notes. :func:`change_text` writes them the way an operator types
them over into SIKS-NG: the household's own fields, then per member (named, since the form
numbers them), members who left (``Anggota keluar: Lestari (Meninggal)``) and members added
in the field (``Anggota baru: Siti (Anak)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select

from storage.db import UnitOfWork
from storage.models import Submission

__all__ = ["History", "change_text", "histories_of", "notes_text", "padded"]

Labels = Callable[[str, Any], str]
MEMBERS_FORM = "anggota_keluarga"
LIVES_HERE = frozenset({"tinggal", "baru"})  # presence values of a member still in the house
# The export's words (Indonesian whatever the reader's language, like SIKS-NG's columns).
CHANGE_WORDS = {"left": "Anggota keluar", "added": "Anggota baru"}
NOTE_SEPARATOR = " | "


@dataclass(slots=True)
class History:
    """Per household: changed fields ``key -> (first before, last after, label)`` in order of
    first change (``key`` is ``<form id>.<path>``), and the notes, oldest first."""

    changes: dict[str, tuple[Any, Any, str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


async def histories_of(uow: UnitOfWork, ids: list[int]) -> dict[int, History]:
    """The history of each of ``ids`` (households without submissions are left out)."""
    found: dict[int, History] = {}
    rows = await uow.session.execute(
        select(Submission.household_id, Submission.form_id, Submission.changes, Submission.answers)
        .where(Submission.household_id.in_(ids))
        .order_by(Submission.id)
    )
    for household_id, form_id, changes, answers in rows:
        history = found.setdefault(household_id, History())
        for change in changes or []:
            key = f"{form_id}.{change.get('path')}"
            before = history.changes[key][0] if key in history.changes else change.get("before")
            history.changes[key] = (before, change.get("after"), str(change.get("label", key)))
        note = (answers or {}).get("notes") if isinstance(answers, dict) else None
        if isinstance(note, str) and note.strip() and note.strip() not in history.notes:
            history.notes.append(note.strip())
    return found


def notes_text(history: History | None) -> str:
    return NOTE_SEPARATOR.join(history.notes) if history else ""


def padded(value: Any) -> str:
    """RT/RW as SIKS-NG shows them: ``6`` -> ``006``; anything else as it is."""
    text = "" if value is None else str(value).strip()
    return text.zfill(3) if text.isdecimal() and len(text) < 3 else text


PADDED = frozenset({"rt", "rw"})


def _short(label: str) -> str:
    return re.sub(r"\s*\([^)]*\)$", "", label)  # "Aset (boleh lebih dari satu)" -> "Aset"


def _field(key: str, change: tuple[Any, Any, str], labels: Labels) -> str:
    """``Label: before → after``, option values shown with their labels."""
    before, after, label = change
    form_id, _, path = key.partition(".")
    name = path.rsplit(".", 1)[-1]
    question = f"{form_id}.{name}"
    if name in PADDED:
        before, after = padded(before), padded(after)
    old = labels(question, before) if before is not None else "-"
    new = labels(question, after) if after is not None else "-"
    return f"{_short(label)}: {old or '-'} → {new or '-'}"


def _member_index(key: str) -> tuple[int, str] | None:
    """``anggota_keluarga.members.1.presence`` -> ``(1, "presence")``."""
    match = re.fullmatch(rf"{MEMBERS_FORM}\.members\.(\d+)\.(\w+)", key)
    return (int(match.group(1)), match.group(2)) if match else None


def change_text(
    history: History | None, members: Sequence[Row[Any]], labels: Labels, *, imported: bool
) -> str:
    """The *Perubahan* cell. ``members``: the household's members in form order (position,
    then id: the order the member form numbers them in); ``imported``: a household of the
    register (its members with presence ``baru`` were added in the field)."""
    parts: list[str] = []
    per_member: dict[int, list[str]] = {}
    left: dict[int, str] = {}
    for key, change in (history.changes if history else {}).items():
        found = _member_index(key)
        if found is None:
            parts.append(_field(key, change, labels))
            continue
        index, name = found
        before, after, _ = change
        if name == "presence" and after not in LIVES_HERE and before in LIVES_HERE:
            left[index] = labels(f"{MEMBERS_FORM}.presence", after)
        else:
            per_member.setdefault(index, []).append(_field(key, change, labels))
    for index in sorted(per_member.keys() | left.keys()):
        who = members[index].name if index < len(members) else f"#{index + 1}"
        if index in left:
            parts.append(f"{CHANGE_WORDS['left']}: {who} ({left[index]})")
        if index in per_member:
            parts.append(f"{who}: " + ", ".join(per_member[index]))
    if imported:
        for member in members:
            if member.presence == "baru":
                relation = labels(f"{MEMBERS_FORM}.relation", member.relation)
                parts.append(f"{CHANGE_WORDS['added']}: {member.name} ({relation})")
    return "; ".join(parts)
