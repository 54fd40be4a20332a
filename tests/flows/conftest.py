"""Helpers for the form engine tests: build forms from YAML text, drive sessions step by step."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from flows import Ask, Event, Form, Input, Session, parse_form, resume, start

TODAY = "2026-11-23"


def make_form(body: str, *, header: str | None = None) -> Form:
    head = header or "id: test_form\nversion: 1\ntitle: {id: Tes, en: Test}\n"
    return parse_form(head + textwrap.dedent(body), "test.yaml")


def as_input(item: Any) -> Input:
    if isinstance(item, Input):
        return item
    return Input(text=str(item))


def roundtrip(s: Session) -> Session:
    """Sessions are values: JSON and back gives an equal session."""
    data = json.loads(json.dumps(s.model_dump(mode="json")))
    back = Session.model_validate(data)
    assert back == s
    return back


class Driver:
    """Feeds inputs one by one and keeps the last events."""

    def __init__(self, form: Form, context: dict[str, Any] | None = None, lang: str = "id"):
        self.form = form
        ctx = {"today": TODAY, **(context or {})}
        self.session, self.events = start(form, ctx, lang=lang)
        roundtrip(self.session)

    def send(self, *items: Any) -> list[Event]:
        for item in items:
            self.session, self.events = resume(self.form, self.session, as_input(item))
            self.session = roundtrip(self.session)
        return self.events

    @property
    def ask(self) -> Ask:
        asks = [e for e in self.events if isinstance(e, Ask)]
        assert asks, self.events
        return asks[-1]

    @property
    def answers(self) -> dict[str, Any]:
        return self.session.answers

    def texts(self, kind: str = "say", tone: str | None = None) -> list[str]:
        return [
            e.text  # type: ignore[union-attr]
            for e in self.events
            if e.kind == kind and (tone is None or getattr(e, "tone", None) == tone)
        ]

    def errors(self) -> list[str]:
        return self.texts("say", "error")


@pytest.fixture
def today() -> str:
    return TODAY
