from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flows import FormError, FormRegistry, builtin_forms, load_form, load_forms

HEAD = "id: f\nversion: 1\ntitle: Tes\nquestions:\n"


def write(tmp_path: Path, body: str, name: str = "f.yaml", head: str = HEAD) -> Path:
    p = tmp_path / name
    p.write_text(head + textwrap.dedent(body), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("body", "question", "line", "reason"),
    [
        (
            "  - {name: a, type: text, label: A}\n  - {name: b, type: textarea, label: B}\n",
            "b",
            6,
            "unknown type 'textarea'",
        ),
        (
            "  - {name: a, type: text, label: A}\n  - {name: a, type: integer, label: B}\n",
            "a",
            6,
            "duplicate question name",
        ),
        (
            '  - {name: a, type: text, label: A, relevant: "${zz} = 1"}\n',
            "a",
            5,
            "unknown or later question ${zz}",
        ),
        (
            '  - {name: a, type: text, label: A, relevant: "${b} = 1"}\n'
            "  - {name: b, type: text, label: B}\n",
            "a",
            5,
            "${b}",
        ),
        (
            '  - {name: a, type: integer, label: A, constraint: ". >> 2"}\n',
            "a",
            5,
            "bad constraint expression",
        ),
        (
            '  - {name: a, type: integer, label: A, constraint: "exec(.)"}\n',
            "a",
            5,
            "unknown function 'exec'",
        ),
        (
            "  - {name: a, type: text, label: A, relevant: \"regex(., 'x')\"}\n",
            "a",
            5,
            "'.' (this answer) cannot be used in relevant",
        ),
        ("  - {name: a, type: select_one, label: A}\n", "a", 5, "needs a non-empty 'choices'"),
        (
            "  - {name: a, type: select_one, label: A, choices: [{value: x, label: X},"
            " {value: x, label: Y}]}\n",
            "a",
            5,
            "duplicate choice value",
        ),
        ("  - {name: a, type: text}\n", "a", 5, "missing 'label'"),
        ("  - {name: Bad-Name, type: text, label: A}\n", "Bad-Name", 5, "snake_case"),
        ("  - {name: a, type: text, label: A, relevent: x}\n", "a", 5, "relevent"),
        ("  - {name: a, type: integer, label: A, min: 5, max: 1}\n", "a", 5, "min is greater"),
        ("  - {name: a, type: date, label: A, min: 5}\n", "a", 5, "no min/max"),
        ("  - {name: a, type: integer, label: A, default: dua}\n", "a", 5, "default"),
        (
            "  - {name: a, type: text, label: A, choices: [{value: x, label: X}]}\n",
            "a",
            5,
            "takes no 'choices'",
        ),
        (
            "  - name: m\n    type: repeat\n    label: M\n    questions:\n"
            "      - {name: x, type: text, label: X}\n      - {name: x, type: text, label: Y}\n",
            "x",
            10,
            "duplicate question name",
        ),
        (
            "  - name: m\n    type: repeat\n    label: M\n    item_label: 'A {nama}'\n"
            "    questions:\n      - {name: x, type: text, label: X}\n",
            "m",
            5,
            "unknown field {nama}",
        ),
        ("  - {name: m, type: repeat, label: M}\n", "m", 5, "non-empty list"),
        ("  - {name: a, type: text, label: A, max_count: 3}\n", "a", 5, "only apply to a repeat"),
    ],
)
def test_loader_errors_name_file_question_line(tmp_path, body, question, line, reason):
    p = write(tmp_path, body)
    with pytest.raises(FormError) as info:
        load_form(p)
    err = info.value
    assert err.file == str(p)
    assert err.question == question
    assert err.line == line
    assert reason in err.reason
    assert str(err).startswith(f"{p}: question '{question}' (line {line}): ")


def test_repeat_scope_refs(tmp_path):
    ok = """\
  - {name: status, type: text, label: S}
  - name: members
    type: repeat
    label: Anggota
    questions:
      - {name: name, type: text, label: Nama}
      - {name: age, type: integer, label: Umur, relevant: "${status} = 'x' and ${name} != ''"}
"""
    load_form(write(tmp_path, ok))
    bad = (
        ok.replace("${name} != ''", "${later} != ''") + "  - {name: later, type: text, label: L}\n"
    )
    with pytest.raises(FormError, match=r"question 'age' .*\$\{later\}"):
        load_form(write(tmp_path, bad, "g.yaml"))


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("id: f\nversion: 1\ntitle: T\nquestions: [\n", "invalid YAML"),
        ("- a\n- b\n", "must be a YAML mapping"),
        ("id: f\nversion: 1\ntitle: T\n", "missing 'questions'"),
        ("id: f\nversion: 1\nquestions: []\n", "missing 'title'"),
        (
            "id: f\nversion: x\ntitle: T\nquestions:\n  - {name: a, type: text, label: A}\n",
            "version",
        ),
        (
            "id: Bad Id\nversion: 1\ntitle: T\nquestions:\n  - {name: a, type: text, label: A}\n",
            "snake_case",
        ),
        ("id: f\nversion: 1\ntitle: T\nquestions: []\n", "non-empty list"),
    ],
)
def test_form_level_errors(tmp_path, text, needle):
    p = tmp_path / "x.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(FormError) as info:
        load_form(p)
    assert str(p) in str(info.value)
    assert needle in str(info.value)


def test_unreadable_file(tmp_path):
    with pytest.raises(FormError, match="cannot read"):
        load_form(tmp_path / "nope.yaml")


def test_registry_versions(tmp_path):
    q = "  - {name: a, type: text, label: A}\n"
    write(tmp_path, q, "a1.yaml", "id: a\nversion: 1\ntitle: A\nquestions:\n")
    write(tmp_path, q, "a2.yaml", "id: a\nversion: 2\ntitle: A\nquestions:\n")
    write(tmp_path, q, "b.yaml", "id: b\nversion: 3\ntitle: B\nquestions:\n")
    (tmp_path / "readme.txt").write_text("not a form", encoding="utf-8")
    reg = load_forms(tmp_path)
    assert len(reg) == 3
    a1 = reg.get("a", 1)
    assert a1 is not None and a1.source.endswith("a1.yaml")
    latest = reg.latest("a")
    assert latest is not None and latest.version == 2
    assert reg.latest("zzz") is None
    assert reg.get("a", 9) is None
    with pytest.raises(FormError, match="also in"):
        FormRegistry([a1, a1])


def test_builtin_forms_load():
    reg = builtin_forms()
    form = reg.latest("verifikasi_keluarga")
    assert form is not None and form.version == 1
    assert form.title.get("en") == "Household verification"
    assert form.source.endswith("verifikasi_keluarga.yaml")


def test_label_string_shorthand_and_fallback(tmp_path):
    form = load_form(write(tmp_path, "  - {name: a, type: text, label: Nama}\n"))
    assert form.questions[0].label.get("en") == "Nama"  # falls back to Indonesian
