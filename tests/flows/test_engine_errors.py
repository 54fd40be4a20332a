"""An engine failure is an event and a session status, never swallowed (goflow's Resume)."""

from __future__ import annotations

import pytest

from flows import (
    Errored,
    Input,
    Say,
    Session,
    SessionStatus,
    current_prompt,
    engine,
    expected_input,
    resume,
    summary,
)

from .conftest import Driver, make_form, roundtrip

FORM = make_form("""\
questions:
  - {name: name, type: text, label: Nama}
  - name: kids
    type: repeat
    label: Anak
    questions:
      - {name: kname, type: text, label: Nama anak}
""")


def damaged() -> Session:
    """A session on the first child's name whose repeat holds a text instead of an item."""
    d = Driver(FORM)
    d.send("Ani", "ya")
    assert d.ask.question == "kids.0.kname"
    s = d.session.model_copy(deep=True)
    s.answers["kids"] = ["not an item"]
    return s


def test_a_failure_in_resume_is_an_errored_event_and_status() -> None:
    s = damaged()
    before = s.model_copy(deep=True)
    after, events = resume(FORM, s, Input(text="Budi"))
    assert s == before  # the input session is a value: untouched
    assert events == [
        Errored(reason=events[0].reason, where=events[0].where)  # type: ignore[union-attr]
    ]
    [errored] = events
    assert isinstance(errored, Errored)
    assert errored.reason.startswith("TypeError: ")
    assert errored.where.startswith("flows/positions.py:") and "set_value" in errored.where
    assert after.status is SessionStatus.ERRORED
    assert (after.answers, after.cursor, after.steps) == (s.answers, s.cursor, s.steps + 1)
    assert roundtrip(after) == after


def test_an_errored_session_takes_no_more_input() -> None:
    errored, _ = resume(FORM, damaged(), Input(text="Budi"))
    again, events = resume(FORM, errored, Input(text="Budi"))
    assert again == errored and again.status is SessionStatus.ERRORED
    assert len(events) == 1 and isinstance(events[0], Say) and "selesai" in events[0].text
    assert expected_input(FORM, errored) is None


def test_a_failure_in_the_summary_word_is_reported_the_same_way() -> None:
    after, events = resume(FORM, damaged(), Input(text="ringkasan"))
    assert after.status is SessionStatus.ERRORED
    assert len(events) == 1 and isinstance(events[0], Errored)
    assert events[0].reason.startswith("AttributeError: ")
    with pytest.raises(AttributeError):
        summary(FORM, damaged())


def test_current_prompt_reports_a_session_it_cannot_show() -> None:
    [event] = current_prompt(FORM, damaged())
    assert isinstance(event, Errored)
    assert event.reason.startswith("AttributeError: ") and "item_title" in event.where
    assert expected_input(FORM, damaged()) is None  # a query: resume reports the failure


def test_the_reason_is_bounded_and_where_names_only_engine_lines() -> None:
    try:
        raise ValueError("x" * 5000)
    except ValueError as exc:
        event = engine._errored(exc)
    assert event.reason == "ValueError: " + "x" * (300 - len("ValueError: "))
    assert event.where == ""  # raised outside flows/: no engine line to name
