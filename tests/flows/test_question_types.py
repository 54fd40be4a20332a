"""Table tests: every question type with good and bad inputs, driven through the engine."""

from __future__ import annotations

from typing import Any

import pytest

from flows import QUESTION_TYPES, Input

from .conftest import Driver, make_form

FORMS: dict[str, str] = {
    "text": "  - {name: q, type: text, label: Nama}\n",
    "text_bounded": "  - {name: q, type: text, label: Nama, min: 3, max: 10}\n",
    "integer": "  - {name: q, type: integer, label: Umur, min: 0, max: 120}\n",
    "integer_min": "  - {name: q, type: integer, label: Jumlah, min: 1}\n",
    "decimal": "  - {name: q, type: decimal, label: Luas, min: 1, max: 500}\n",
    "select_one": """\
  - name: q
    type: select_one
    label: Lantai
    choices:
      - {value: keramik, label: {id: Keramik, en: Ceramic}}
      - {value: kayu_papan, label: {id: Kayu/papan, en: Wood}}
      - {value: tanah, label: {id: Tanah, en: Earth}}
      - {value: tegel, label: {id: Ubin/tegel, en: Tiles}}
      - {value: tembok, label: {id: Tembok, en: Wall}}
""",
    "select_multiple": """\
  - name: q
    type: select_multiple
    label: Disabilitas
    choices:
      - {value: fisik, label: Fisik}
      - {value: mental, label: Mental}
      - {value: netra, label: Netra}
      - {value: rungu, label: Rungu}
""",
    "yes_no": "  - {name: q, type: yes_no, label: 'Punya kulkas?'}\n",
    "date": "  - {name: q, type: date, label: Tanggal lahir}\n",
    "nik": "  - {name: q, type: nik, label: NIK}\n",
    "kk": "  - {name: q, type: kk, label: No. KK}\n",
    "phone": "  - {name: q, type: phone, label: Nomor HP}\n",
    "location": "  - {name: q, type: location, label: Lokasi rumah}\n",
    "photo": "  - {name: q, type: photo, label: Foto rumah}\n",
}

GOOD: list[tuple[str, Any, Any]] = [
    ("text", "Budi Santoso", "Budi Santoso"),
    ("text", "  spasi  ", "spasi"),
    ("text_bounded", "abc", "abc"),
    ("integer", "42", 42),
    ("integer", " 0 ", 0),
    ("integer", "120", 120),
    ("integer_min", "1.500", 1500),
    ("decimal", "36", 36.0),
    ("decimal", "36,5", 36.5),
    ("decimal", "36.5", 36.5),
    ("select_one", Input(choice="tanah"), "tanah"),
    ("select_one", "2", "kayu_papan"),
    ("select_one", "Tanah", "tanah"),
    ("select_one", "KERAMIK", "keramik"),
    ("select_one", "ker", "keramik"),  # unambiguous prefix
    ("select_one", "kayu", "kayu_papan"),
    ("select_one", "Ceramic", "keramik"),  # English label
    ("select_multiple", "1,3", ["fisik", "netra"]),
    ("select_multiple", "3 1", ["fisik", "netra"]),
    ("select_multiple", "1, 3, 3", ["fisik", "netra"]),
    ("select_multiple", "Netra, fisik", ["fisik", "netra"]),
    ("select_multiple", Input(choice="rungu"), ["rungu"]),
    ("yes_no", "ya", "yes"),
    ("yes_no", "Y", "yes"),
    ("yes_no", "iya", "yes"),
    ("yes_no", "yes", "yes"),
    ("yes_no", "benar", "yes"),
    ("yes_no", "tidak", "no"),
    ("yes_no", "t", "no"),
    ("yes_no", "no", "no"),
    ("yes_no", "bukan", "no"),
    ("yes_no", "enggak", "no"),
    ("yes_no", "GAK", "no"),
    ("yes_no", Input(choice="no"), "no"),
    ("yes_no", "1", "yes"),
    ("date", "17-08-1990", "1990-08-17"),
    ("date", "17/08/1990", "1990-08-17"),
    ("date", "17 Agustus 1990", "1990-08-17"),
    ("date", "1990-08-17", "1990-08-17"),
    ("nik", "1804 0727 0490 0258", "1804072704900258"),
    ("nik", "9999999999999995", "9999999999999995"),
    ("kk", "1804071203150004", "1804071203150004"),
    ("phone", "0812-3456-7890", "+6281234567890"),
    ("location", Input(location=(-5.05, 104.15)), {"latitude": -5.05, "longitude": 104.15}),
    ("location", "-5.05, 104.15", {"latitude": -5.05, "longitude": 104.15}),
    ("photo", Input(photo="file-abc"), "file-abc"),
]


@pytest.mark.parametrize(("form", "given", "expected"), GOOD)
def test_good_answers(form, given, expected):
    d = Driver(make_form("questions:\n" + FORMS[form]))
    d.send(given)
    assert not d.errors()
    assert d.answers["q"] == expected
    assert d.ask.question == "__review__"


BAD: list[tuple[str, Any, str]] = [
    ("text", "x" * 1001, "1000"),
    ("text", "   ", "kosong"),
    ("text", Input(photo="p"), "teks"),
    ("text", Input(location=(1.0, 2.0)), "teks"),
    ("text_bounded", "ab", "paling sedikit 3"),
    ("text_bounded", "abcdefghijk", "paling banyak 10"),
    ("integer", "dua", "angka bulat"),
    ("integer", "4.5", "angka bulat"),
    ("integer", "121", "antara 0 dan 120"),
    ("integer", "-1", "antara 0 dan 120"),
    ("integer_min", "0", "paling kecil 1"),
    ("decimal", "abc", "Harus angka"),
    ("decimal", "1000", "antara 1 dan 500"),
    ("select_one", "9", "Pilih salah satu"),
    ("select_one", "t", "Pilih salah satu"),  # ambiguous prefix: Tanah / Tembok
    ("select_one", Input(choice="marmer"), "Pilih salah satu"),
    ("select_one", Input(photo="p"), "Pilih"),
    ("select_multiple", "1,9", "Pilih satu atau lebih"),
    ("select_multiple", "Netra, Buta", "Pilih satu atau lebih"),
    ("yes_no", "mungkin", "ya atau tidak"),
    ("date", "kemarin", "17-08-1990"),
    ("date", "31-02-1990", "tidak ada: Februari 1990 hanya sampai tanggal 28. Contoh: 28-02-1990"),
    ("date", Input(location=(1.0, 2.0)), "17-08-1990"),
    ("nik", "1.80419E+15", "16 angka"),
    ("nik", "9904072704900258", "provinsi"),
    ("nik", "1804079904900258", "Tanggal lahir"),
    ("kk", "123", "16 angka"),
    ("phone", "12345", "081234567890"),
    ("location", "di sini", "Lokasi"),
    ("location", Input(location=(95.0, 10.0)), "Lokasi"),
    ("location", Input(photo="p"), "Lokasi"),
    ("photo", "ini foto", "foto"),
    ("photo", Input(location=(1.0, 2.0)), "foto"),
]


@pytest.mark.parametrize(("form", "given", "needle"), BAD)
def test_bad_answers_error_and_reask(form, given, needle):
    d = Driver(make_form("questions:\n" + FORMS[form]))
    first = d.ask
    d.send(given if isinstance(given, Input) else Input(text=given))
    errors = d.errors()
    assert len(errors) == 1
    assert needle.lower() in errors[0].lower(), errors[0]
    assert "contoh" in errors[0].lower() or form == "text", errors[0]
    assert d.ask == first  # the same question again
    assert "q" not in d.answers


def test_every_error_has_example_in_both_languages():
    from flows.i18n import ENGINE

    for key in sorted(ENGINE.keys()):
        entry = {lang: " ".join(ENGINE.forms(key, lang)) for lang in ("id", "en")}
        # these are always combined with an expect_* message (which has the example)
        combined = {
            "err_empty",
            "err_wrong_kind",
            "err_required",
            "err_nothing_to_keep",
            "err_word_not_answer",  # with the question's hint, else its expect_* message
        }
        if (key.startswith(("err_", "expect_"))) and key not in {
            *combined,
            "err_internal",
            "err_no_back",
            "err_constraint",
        }:
            assert "Contoh" in entry["id"] or "mis." in entry["id"], key
            assert "Example" in entry["en"], key


def test_registry_covers_the_vocabulary():
    assert set(QUESTION_TYPES) == {
        "text",
        "integer",
        "decimal",
        "select_one",
        "select_multiple",
        "yes_no",
        "date",
        "rt_rw",
        "nik",
        "kk",
        "phone",
        "location",
        "photo",
        "note",
        "repeat",
        # the Dinsos composers' types (flows/host_types.py)
        "region",
        "local_datetime",
        "reminder_offsets",
        "time_of_day",
        "monthly",
        "message",
    }


def test_ask_input_kinds():
    expected = {
        "text": "text",
        "integer": "text",
        "select_one": "choice",
        "select_multiple": "multi",
        "yes_no": "choice",
        "date": "text",
        "location": "location",
        "photo": "photo",
    }
    for form, kind in expected.items():
        d = Driver(make_form("questions:\n" + FORMS[form]))
        assert d.ask.input == kind
        assert d.ask.question == "q"


def test_select_options_and_english():
    d = Driver(make_form("questions:\n" + FORMS["select_one"]), lang="en")
    assert [o.label for o in d.ask.options][:2] == ["Ceramic", "Wood"]
    d.send("xyz")
    assert d.errors() == ["Pick one option: type its number or name. Example: 1 or Ceramic"]


def test_yes_no_options():
    d = Driver(make_form("questions:\n" + FORMS["yes_no"]))
    assert [(o.value, o.label) for o in d.ask.options] == [("yes", "Ya"), ("no", "Tidak")]


def test_note_is_said_and_skipped():
    form = make_form("""\
questions:
  - {name: info, type: note, label: Halo operator, hint: Ini info}
  - {name: q, type: text, label: Nama}
  - {name: info2, type: note, label: Terima kasih}
""")
    d = Driver(form)
    assert d.texts() == ["Halo operator\nIni info"]
    assert d.ask.question == "q"
    d.send("Budi")
    assert d.texts()[0] == "Terima kasih"
    assert d.ask.question == "__review__"
    assert "info" not in d.answers


def test_nik_warning_confirm_yes_and_no():
    d = Driver(make_form("questions:\n" + FORMS["nik"]))
    d.send("1899072704900258")
    assert d.texts(tone="warning") and "18.99" in d.texts(tone="warning")[0]
    assert d.ask.input == "confirm" and d.ask.question == "q"
    d.send("tidak")
    assert (d.ask.question, d.ask.input) == ("q", "text")
    assert "q" not in d.answers
    d.send("1899072704900258", "ya")
    assert d.answers["q"] == "1899072704900258"
    assert d.ask.question == "__review__"


def test_confirm_needs_yes_or_no():
    d = Driver(make_form("questions:\n" + FORMS["kk"]))
    d.send("1899071203150004", "hmm")
    assert "ya atau tidak" in d.errors()[0]
    assert d.ask.input == "confirm"
