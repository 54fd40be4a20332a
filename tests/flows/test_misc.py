"""Smaller contracts: purity of the package, context handling, prompts on finished sessions."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

from flows import Input, Say, SessionStatus, check_kk, current_prompt, start

from .conftest import Driver, make_form

# locales: the message catalogs (stdlib + babel only)
ALLOWED = {"pydantic", "yaml", "lokal", "phonenumbers", "flows", "locales", "__future__"}


def test_flows_imports_only_allowed_modules():
    import sys

    root = Path(__file__).resolve().parents[2] / "flows"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in ALLOWED or top in sys.stdlib_module_names, (path.name, name)
                assert top not in {"random", "time", "socket", "subprocess", "os"}, name


def test_engine_has_no_clock_reads():
    root = Path(__file__).resolve().parents[2] / "flows"
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for bad in ("date.today(", "datetime.now(", "time.time(", "open(", "random."):
            assert bad not in text, (path.name, bad)


def test_context_is_made_json_and_carried():
    form = make_form("questions:\n  - {name: a, type: text, label: A}\n")
    s, _ = start(form, {"today": date(2026, 1, 2), "operator": {"id": 7}})
    assert s.context == {"today": "2026-01-02", "operator": {"id": 7}}


def test_description_is_said_first():
    form = make_form(
        "questions:\n  - {name: a, type: text, label: A}\n",
        header="id: f\nversion: 1\ntitle: T\ndescription: {id: Penjelasan, en: About}\n",
    )
    _, events = start(form, {}, lang="en")
    assert events[0] == Say(text="About")


def test_unknown_language_falls_back_to_indonesian():
    form = make_form("questions:\n  - {name: a, type: text, label: {id: Nama, en: Name}}\n")
    s, events = start(form, {}, lang="fr")
    assert s.lang == "id"
    assert events[-1].text == "Nama"  # type: ignore[union-attr]


def test_current_prompt_on_finished_session():
    d = Driver(make_form("questions:\n  - {name: a, type: text, label: A}\n"))
    d.send("x", "simpan")
    assert d.session.status == SessionStatus.COMPLETED
    assert current_prompt(d.form, d.session) == [
        Say(text="Isian ini sudah selesai. Ketik /mulai untuk isian baru.")
    ]


def test_optional_location_and_photo_can_be_skipped():
    form = make_form("""\
questions:
  - {name: loc, type: location, label: Lokasi, required: false}
  - {name: pic, type: photo, label: Foto, required: false}
  - {name: pic2, type: photo, label: Foto 2}
""")
    d = Driver(form)
    assert d.ask.skippable and d.ask.input == "location"
    d.send("lewati", "skip", "lewati")
    assert "wajib" in d.errors()[0]
    d.send(Input(photo="ref-1"))
    assert d.answers == {"pic2": "ref-1"}


def test_repeat_default_item_title_and_english():
    form = make_form("""\
questions:
  - name: kids
    type: repeat
    label: Anak
    questions:
      - {name: kname, type: text, label: {id: Nama anak, en: Child name}}
""")
    d = Driver(form, lang="en")
    assert d.ask.text == "Add another?"
    d.send("yes")
    assert d.ask.text.startswith("[Item 1]")
    d.send("Ani", "no", "summary")
    assert "Child name: Ani" in d.texts()[0]


def test_default_value_offered_as_keep():
    form = make_form("questions:\n  - {name: n, type: integer, label: Jumlah, default: 4}\n")
    d = Driver(form)
    assert d.ask.extra[-1].label == "Tetap: 4"
    d.send("tetap")
    assert d.answers == {"n": 4}


def test_kk_unpacks_as_tuple():
    ok, value, error = check_kk("1804071203150004")
    assert ok and value == "1804071203150004" and error is None


def test_the_model_module_holds_only_the_models():
    """No lazy re-export of the loader (it made an import circle and hid names from mypy)."""
    from flows import model

    assert not hasattr(model, "load_form") and not hasattr(model, "__getattr__")


def test_select_keep_is_a_word_never_a_number():
    form = make_form("""\
questions:
  - name: sex
    type: select_one
    label: Jenis kelamin
    prefill: sex
    choices: [{value: L, label: Laki-laki}, {value: P, label: Perempuan}]
""")
    d = Driver(form, {"record": {"sex": "P"}})
    assert [o.value for o in d.ask.options] == ["L", "P"]
    assert [o.value for o in d.ask.extra] == ["__keep__", "__keep_all__"]
    d.send("3")  # not an option: refused, never "keep"
    assert d.errors() and d.answers == {}
    d.send("1")
    assert d.answers == {"sex": "L"}
    d = Driver(form, {"record": {"sex": "P"}})
    d.send("tetap")
    assert d.answers == {"sex": "P"}


def test_invalid_prefill_is_not_offered():
    form = make_form("questions:\n  - {name: nik, type: nik, label: NIK, prefill: nik}\n")
    d = Driver(form, {"record": {"nik": "1.80419E+15"}})
    assert d.ask.options == [] and d.ask.extra == []


def test_forms_doc_example_loads_and_runs():
    from flows import parse_form

    doc = (Path(__file__).resolve().parents[2] / "flows" / "FORMS.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    form = parse_form(example, "FORMS.md")
    record = {"rt": "003", "members": [{"name": "Budi", "sex": "L", "birth_date": "1990-04-27"}]}
    d = Driver(form, {"record": record})
    d.send("1", "ok", "1", "ok", "ok", "ok", "1804072704900258", "selesai", "simpan")
    assert d.session.status == SessionStatus.COMPLETED
    assert d.answers["members"][0]["nik"] == "1804072704900258"
