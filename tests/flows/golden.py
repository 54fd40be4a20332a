"""Golden transcripts of the forms (goflow's testdata style): replay, render, compare, rewrite.

A case is ``tests/flows/testdata/<form_id>/<case>.yaml``: what the person sends (``steps``: each
a ``send``) and, written by the engine, what the bot answered to each (``bot``, events rendered
as plain text) and how the session ended (``result``: status, stored answers, changes). The
inputs are the author's; ``pytest --update-goldens`` (or ``KAWAL_UPDATE_GOLDENS=1``) rewrites
the engine's side. Replays are pure: the form file, the case's ``context`` (a household
record...), its ``today`` (the injected clock) and, for a host's own question types, its
``host`` (a name in :data:`HOSTS`) are all the engine gets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from flows import Event, Form, Input, Session, load_form, resume, start
from flows.events import Ask, Cancelled, Completed, Errored, Say
from flows.host_types import HOST_TYPES
from flows.qtypes import QUESTION_TYPES, QuestionType

TESTDATA = Path(__file__).resolve().parent / "testdata"
FORMS = Path(__file__).resolve().parents[2] / "flows" / "forms"
UPDATE_ENV = "KAWAL_UPDATE_GOLDENS"

# Host question types a form may use (a host's registry extension: region choice, local
# date-time, ...): case ``host: <name>`` registers ``HOSTS[name]()`` while the form is loaded
# and replayed. The Dinsos composers' types (tenggat, pengumuman: ``host: dinsos``) are
# registered when flows is imported (flows.host_types); a replay only checks they are there.
HOSTS: dict[str, Callable[[], Mapping[str, QuestionType]]] = {
    "dinsos": lambda: {qtype.name: qtype for qtype in HOST_TYPES},
}


def form_files() -> dict[str, Path]:
    """form id -> its file, for every form in flows/forms/ (read from the files themselves)."""
    found: dict[str, Path] = {}
    for path in sorted(FORMS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[str(data["id"])] = path
    return found


def cases() -> list[Path]:
    return sorted(TESTDATA.glob("*/*.yaml"))


@contextmanager
def host_types(name: str | None) -> Iterator[None]:
    """The host's question types registered for the duration of a replay."""
    wanted = dict(HOSTS[name]()) if name else {}
    present = {k for k, v in wanted.items() if QUESTION_TYPES.get(k) is v}  # registered already
    added = {k: v for k, v in wanted.items() if k not in present}
    clash = set(added) & set(QUESTION_TYPES)
    assert not clash, f"host {name} redefines question types {sorted(clash)}"
    QUESTION_TYPES.update(added)
    try:
        yield
    finally:
        for key in added:
            QUESTION_TYPES.pop(key, None)


def to_input(sent: Any) -> Input:
    """``"2"`` (typed text), ``{choice: v}``, ``{location: [lat, lon]}``, ``{photo: id}``."""
    if isinstance(sent, str):
        return Input(text=sent)
    if isinstance(sent, Mapping) and len(sent) == 1:
        (key, value), *_ = sent.items()
        if key == "location":
            return Input(location=tuple(value))
        if key in ("choice", "photo", "text"):
            return Input(**{key: str(value)})
    raise ValueError(
        f"a step sends text, {{choice: ..}}, {{location: [..]}} or {{photo: ..}}: {sent!r}"
    )


def render(events: list[Event]) -> str:
    """Events as plain text, one block each, as a reader of the transcript wants them."""
    blocks = []
    for event in events:
        match event:
            case Say(tone="info"):
                blocks.append(event.text)
            case Say():
                blocks.append(f"({event.tone}) {event.text}")
            case Ask():
                flags = ", skippable" if event.skippable else ""
                lines = [event.text, f"? {event.question} ({event.input}{flags})"]
                lines += [f"  {i}. {o.label} = {o.value}" for i, o in enumerate(event.options, 1)]
                blocks.append("\n".join(lines))
            case Completed():
                blocks.append("= completed")
            case Cancelled():
                blocks.append("= cancelled")
            case Errored():
                blocks.append(f"= errored: {event.reason} at {event.where}")
    return "\n\n".join(blocks)


def _roundtrip(session: Session) -> Session:
    """Sessions are values: each step continues from the session read back from JSON."""
    back = Session.model_validate(json.loads(json.dumps(session.model_dump(mode="json"))))
    assert back == session
    return back


def replay(case: Mapping[str, Any]) -> dict[str, Any]:
    """The case with the engine's side (``bot`` per step, ``result``) written afresh."""
    with host_types(case.get("host")):
        form: Form = load_form(form_files()[case["form"]])
        context = {**case.get("context", {}), "today": case["today"]}
        session, events = start(form, context, lang=case.get("lang", "id"))
        opened = render(events)
        steps = []
        completed: Completed | None = None
        for step in case["steps"]:
            session, events = resume(form, _roundtrip(session), to_input(step["send"]))
            completed = next((e for e in events if isinstance(e, Completed)), completed)
            steps.append({"send": step["send"], "bot": render(events)})
    result: dict[str, Any] = {"status": str(session.status), "answers": session.answers}
    if completed is not None:
        result["changes"] = [change.model_dump(mode="json") for change in completed.changes]
    head = {k: case[k] for k in ("form", "about", "lang", "today", "host", "context") if k in case}
    return {**head, "start": opened, "steps": steps, "result": result}


# ---- the files: YAML a person reads, block text for the bot's side -------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


def write(path: Path, case: Mapping[str, Any]) -> None:
    text = yaml.dump(dict(case), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
