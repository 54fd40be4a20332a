from datetime import date
from typing import Any

import pytest

from flows.expressions import Env, ExprError, compile_expr, evaluate

ANSWERS = {
    "status": "ditemukan",
    "age_n": 30,
    "members": [{"name": "Budi"}],
    "dis": ["fisik", "netra"],
    "born": "1990-08-17",
    "nik": "1804076704900258",
    "txt": "",
    "num_str": "12",
}


def ev(src: str, current: Any = None, answers: dict[str, Any] | None = None) -> Any:
    env = Env(
        answers if answers is not None else ANSWERS, current=current, today=date(2026, 11, 23)
    )
    return evaluate(compile_expr(src), env)


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("${status} = 'ditemukan'", True),
        ("${status} == 'ditemukan'", True),
        ("${status} != 'ditemukan'", False),
        ("${age_n} > 17 and ${age_n} <= 30", True),
        ("${age_n} < 17 or ${status} = 'x'", False),
        ("not (${age_n} >= 31)", True),
        ("${status} in ['ditemukan', 'pindah']", True),
        ("${status} not in ['ditemukan']", False),
        ("selected(${dis}, 'netra')", True),
        ("selected(${dis}, 'rungu')", False),
        ("selected(${status}, 'ditemukan')", True),
        ("count_selected(${dis}) = 2", True),
        ("count_selected(${missing}) = 0", True),
        ("len(${members}) = 1", True),
        ("len(${missing})", 0),
        ("age(${born})", 36),
        ("age(${born}) >= 17", True),
        ("nik_sex(${nik}) = 'P'", True),
        ("nik_birth_date(${nik})", "1990-04-27"),
        ("today()", "2026-11-23"),
        ("empty(${txt}) and empty(${missing})", True),
        ("empty(${status})", False),
        ("${num_str} = 12", True),
        ("${age_n} + 1 = 31", True),
        ("${age_n} / 0", None),
        ("-1 < 0", True),
        ("1.5 < 2", True),
        (".5 < 1", True),
    ],
)
def test_evaluate(src, expected):
    assert ev(src) == expected


@pytest.mark.parametrize(
    ("src", "current", "expected"),
    [
        (". > 0", 5, True),
        (".>=5", 4, False),
        ("regex(., '^[0-9]{1,3}$')", "003", True),
        ("regex(., '^[0-9]{1,3}$')", "0003", False),
        ("regex(., 'a.b')", "axb", True),  # a dot inside a string stays a dot
        (". = 'x.y'", "x.y", True),
        (". <= today()", "2026-01-01", True),
        ("age(.) < 120", "1990-01-01", True),
    ],
)
def test_current_answer(src, current, expected):
    assert ev(src, current) == expected


@pytest.mark.parametrize(
    "src",
    [
        "${missing} = 'x'",
        "${missing} != 'x'",
        "${missing} > 3",
        "${missing} < 3",
        "${missing} in ['a']",
        "'a' in ${missing}",
        "${status} > 3",  # a string that is not a number against a number
        "${dis} < 3",
        "age(${missing}) > 1",
        "nik_sex(${missing}) = 'L'",
        "regex(${missing}, 'a')",
    ],
)
def test_missing_or_mismatched_is_false_never_raises(src):
    assert ev(src) is False


def test_today_missing_gives_none():
    env = Env({}, today=None)
    assert evaluate(compile_expr("age('1990-01-01')"), env) is None
    assert evaluate(compile_expr("today()"), env) is None


def test_repeat_scope_prefers_instance_fields():
    expr = compile_expr("${name} = 'Ani' and ${status} = 'ditemukan'")
    env = Env({"name": "top", "status": "ditemukan"}, {"name": "Ani"}, frozenset({"name"}))
    assert evaluate(expr, env) is True
    env = Env({"name": "Ani", "status": "ditemukan"}, {}, frozenset({"name"}))
    assert evaluate(expr, env) is False  # the field of this instance is unanswered


def test_refs_and_self_collected():
    e = compile_expr("${a} = 1 and regex(., 'x') or ${b}")
    assert e.refs == {"a", "b"}
    assert e.uses_self


@pytest.mark.parametrize(
    "src",
    [
        "__import__('os').system('ls')",
        "open('/etc/passwd')",
        "${a}.__class__",
        "${a}[0]",
        "lambda: 1",
        "[x for x in ${a}]",
        "foo(${a})",
        "len()",
        "regex(., '(')",
        "${a} if ${b} else 1",
        "a = 1",
        "x",
        "${a} = ",
        "'unterminated",
        "$a",
        "selected(${a}, x='b')",
        "",
        "1" * 600,
        "{1: 2}",
        "${a} ** 2",
    ],
)
def test_rejected(src):
    with pytest.raises(ExprError):
        compile_expr(src)
