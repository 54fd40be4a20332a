"""Forms cannot be made slow by an answer (issue 18): a regex pattern must be literal, text
answers have a length cap per question, and the location parser is linear."""

from __future__ import annotations

import re
import time

import pytest

from flows import FormError, Input, parse_form
from flows.expressions import ExprError, compile_expr
from flows.qtypes import MAX_COORDS_TEXT, parse_coordinates

from .conftest import Driver, make_form

HEAD = "id: f\nversion: 1\ntitle: Tes\nquestions:\n"


@pytest.mark.parametrize(
    "constraint",
    [
        "regex(., ${pattern})",
        "regex(., '^' + ${pattern})",
        "regex(., ${pattern} + '$')",
        "regex(., .)",
        "not regex(., ${pattern})",
    ],
)
def test_a_pattern_built_from_answers_is_refused_when_the_form_loads(constraint: str) -> None:
    body = (
        "  - {name: pattern, type: text, label: P}\n"
        f'  - {{name: a, type: text, label: A, constraint: "{constraint}"}}\n'
    )
    with pytest.raises(FormError) as info:
        parse_form(HEAD + body, "pola.yaml")
    assert info.value.question == "a"
    assert "literal string" in info.value.reason
    assert "regex(., '^[0-9]{3}$')" in info.value.reason  # an example of what works


def test_a_literal_pattern_still_works() -> None:
    assert compile_expr("regex(., '^[0-9]{1,3}$')").uses_self
    with pytest.raises(ExprError, match="bad regex"):
        compile_expr("regex(., '(')")


def test_max_length_caps_a_text_answer_with_an_example() -> None:
    d = Driver(make_form("questions:\n  - {name: q, type: text, label: Catatan, max_length: 20}\n"))
    first = d.ask
    d.send(Input(text="x" * 21))
    [error] = d.errors()
    assert "20" in error and "Contoh" in error
    assert d.ask == first
    d.send(Input(text="x" * 20))
    assert d.answers["q"] == "x" * 20


def test_text_without_max_length_has_the_default_cap() -> None:
    d = Driver(make_form("questions:\n  - {name: q, type: text, label: Catatan}\n"))
    d.send(Input(text="x" * 100_000))
    [error] = d.errors()
    assert "1000" in error


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("  - {name: q, type: integer, label: Q, max_length: 5}\n", "takes no max_length"),
        ("  - {name: q, type: text, label: Q, max_length: 0}\n", "between 1 and"),
        ("  - {name: q, type: text, label: Q, max_length: 1000000}\n", "between 1 and"),
    ],
)
def test_max_length_is_checked_when_the_form_loads(body: str, reason: str) -> None:
    with pytest.raises(FormError, match=reason):
        parse_form(HEAD + body, "f.yaml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-5.05, 104.15", (-5.05, 104.15)),
        ("-5.05,104.15", (-5.05, 104.15)),
        ("-5.05;104.15", (-5.05, 104.15)),
        ("  -5.05   104.15  ", (-5.05, 104.15)),
        ("+5 , -104", (5.0, -104.0)),
        ("-5.05", None),
        ("-5.05, 104.15, 3", None),
        ("-5.05,, 104.15", None),
        ("-5.05 ; 104.15 ; 1", None),
        ("lima, enam", None),
        ("1234.5, 10", None),
        ("-5.05\n104.15", (-5.05, 104.15)),
    ],
)
def test_coordinates(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_coordinates(text) == expected


# What made the old pattern quadratic: a long run of blanks between two numbers, or a number
# that goes on and on, ending in something that is not a coordinate.
HOSTILE = [
    "1" + " " * 100_000 + "x",
    "1" + " \t" * 50_000 + ",x",
    "-5." + "1" * 100_000 + " x",
    " " * 100_000,
    "1, " + "2" * 100_000,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_location_parser_is_fast_on_100_kb(text: str) -> None:
    d = Driver(make_form("questions:\n  - {name: q, type: location, label: Lokasi}\n"))
    started = time.perf_counter()
    d.send(Input(text=text))
    elapsed = time.perf_counter() - started
    assert d.errors() and "q" not in d.answers
    assert elapsed < 0.5, elapsed


def test_the_old_pattern_was_the_slow_one() -> None:
    """The regular expression replaced, on a tenth of the input: shows what the test
    above guards against (and that 0.5 s is a real bound, not a formality)."""
    old = re.compile(
        r"\s*([-+]?[0-9]{1,3}(?:\.[0-9]+)?)\s*[,;\s]\s*([-+]?[0-9]{1,3}(?:\.[0-9]+)?)\s*"
    )
    text = "1" + " " * 5_000 + "x"
    started = time.perf_counter()
    assert old.fullmatch(text) is None
    slow = time.perf_counter() - started
    started = time.perf_counter()
    assert parse_coordinates(text) is None
    fast = time.perf_counter() - started
    assert fast * 100 < slow
    assert len(text) > MAX_COORDS_TEXT
