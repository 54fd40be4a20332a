"""The vocabulary hosts extend: question types registered from outside the engine, their
parameters, re-worded messages and placeholders (checked when a form loads), choices made
from the context, partial answers, documents, a form's own words for the engine's messages,
and a record opened on its review."""

from __future__ import annotations

import dataclasses

import pytest

from flows import QUESTION_TYPES, FormError, Input, accepted_inputs, start
from flows.qtypes import register

from .conftest import Driver, make_form

REGIONS = {
    "regions": [
        ["35.28", "Pamekasan", "kabupaten"],
        ["35.28.11", "Batumarmar", "kecamatan"],
        ["35.28.11.2001", "Bujur Barat", "desa"],
        ["35.28.11.2002", "Pangereman", "desa"],
    ],
    "region_roots": ["35.28"],
}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            "  - {name: q, type: region, label: W, parameters: {colour: red}}\n",
            "no parameter 'colour'",
        ),
        (
            "  - {name: q, type: monthly, label: B, choices: [{value: once, label: S}]}\n",
            "needs the parameter 'date'",
        ),
        (
            "  - {name: q, type: text, label: N, messages: {past: {id: x}}}\n",
            "has no message 'past'",
        ),
        ("  - {name: q, type: text, label: 'Nama {zone}'}\n", "does not fill {zone}"),
        ("  - {name: q, type: local_datetime, label: 'Kapan ({day})?'}\n", "does not fill {day}"),
        (
            "  - {name: q, type: reminder_offsets, label: P, choices: [{value: a, label: A}]}\n",
            "takes no 'choices'",
        ),
    ],
)
def test_a_form_misusing_a_type_fails_when_it_loads(body: str, reason: str) -> None:
    with pytest.raises(FormError, match=reason) as failed:
        make_form("questions:\n" + body)
    assert failed.value.file == "test.yaml" and failed.value.line == 5


def test_a_form_re_wording_an_unknown_engine_message_fails_when_it_loads() -> None:
    header = "id: f\nversion: 1\ntitle: F\nmessages: {no_such_key: {id: x}}\n"
    with pytest.raises(FormError, match="'no_such_key' is not an engine message key"):
        make_form("questions:\n  - {name: q, type: text, label: N}\n", header=header)


def test_a_type_name_is_registered_once() -> None:
    copy = dataclasses.replace(QUESTION_TYPES["region"])
    with pytest.raises(ValueError, match="'region' is registered already"):
        register(copy)
    register(QUESTION_TYPES["region"])  # the same type again changes nothing


def test_region_choices_come_from_the_context_and_stay_inside_it() -> None:
    form = make_form(
        "questions:\n  - {name: q, type: region, label: 'Wilayah? Contoh: {example}'}\n"
    )
    d = Driver(form, REGIONS)
    assert d.ask.text == "Wilayah? Contoh: 35.28.11"
    assert [o.value for o in d.ask.options] == ["35.28", "35.28.11"]
    d.send("18.04")
    assert "di luar wilayah tugas Anda" in d.errors()[0]
    d.send("Bujur")  # a part of a name is not a region
    assert "tidak ditemukan" in d.errors()[0]
    d.send("pangereman")
    assert d.answers == {"q": "35.28.11.2002"}
    assert "Pangereman" in d.texts()[-1]


def test_a_region_without_regions_in_the_context_takes_nothing() -> None:
    d = Driver(make_form("questions:\n  - {name: q, type: region, label: W}\n"))
    d.send("35.28")
    assert "di luar wilayah tugas Anda" in d.errors()[0]
    assert d.ask.options == []


def test_a_partial_answer_is_kept_and_asked_again() -> None:
    form = make_form(
        "questions:\n"
        "  - {name: q, type: message, label: Isi}\n"
        "  - {name: r, type: text, label: R}\n"
    )
    d = Driver(form)
    assert accepted_inputs(form, d.session) >= {"photo", "document", "text"}
    d.send(Input(document="media/a b.pdf"))
    assert d.ask.question == "q" and d.answers["q"]["media_kind"] == "document"
    assert d.ask.text.startswith("Lampiran diterima")
    d.send("tetap")  # a keep word, never a caption: nothing whole to keep yet
    assert d.ask.question == "q" and "Belum ada data lama" in d.texts()[0]
    d.send("Jadwal terlampir.")
    assert d.answers["q"] == {
        "text": "Jadwal terlampir.",
        "media_path": "media/a b.pdf",
        "media_kind": "document",
    }
    assert d.ask.question == "r"
    assert accepted_inputs(form, d.session) == {"text", "choice"}


def test_a_form_re_words_the_engines_messages_and_names_its_save() -> None:
    header = (
        "id: f\nversion: 1\ntitle: F\nmessages:\n"
        "  review_title: {id: 'Periksa surat:'}\n"
        "  save: {id: Kirim, en: Send}\n"
        "  err_required: {id: Wajib.}\n"
    )
    form = make_form("questions:\n  - {name: q, type: text, label: Isi}\n", header=header)
    d = Driver(form)
    d.send("lewati")
    assert d.errors()[0].startswith("Wajib. ")
    d.send("Halo")
    assert d.texts()[-1].startswith("Periksa surat:")
    assert [o.label for o in d.ask.options] == ["Kirim", "Batal"]
    d.send("kirim")
    assert d.session.status.value == "completed"


def test_a_record_opens_on_its_review_or_on_the_first_required_gap() -> None:
    form = make_form(
        "questions:\n"
        "  - {name: a, type: text, label: A, prefill: a}\n"
        "  - {name: b, type: integer, label: B, prefill: b}\n"
        "  - {name: c, type: text, label: C, required: false, prefill: c}\n"
    )
    session, events = start(form, {"record": {"a": "x", "b": 3}}, review=True)
    assert session.cursor == "__review__" and session.answers == {"a": "x", "b": 3}
    assert "3. C: -" in events[0].text  # type: ignore[union-attr]
    session, events = start(form, {"record": {"a": "x"}}, review=True)
    assert session.cursor == "b" and session.answers == {"a": "x"}


def test_the_new_types_show_in_english() -> None:
    form = make_form(
        "questions:\n"
        "  - {name: d, type: local_datetime, label: D, parameters: {now: 'yes'}}\n"
        "  - {name: o, type: reminder_offsets, label: O}\n"
        "  - {name: t, type: time_of_day, label: T}\n"
    )
    d = Driver(form, {"zone": "Asia/Makassar"}, lang="en")
    assert [o.label for o in d.ask.options] == ["Now"]
    d.send("17-08-2027 09.00", "3,1,0", "7:45")
    review = d.texts()[-1]
    assert "D: Tuesday, 17 August 2027 at 09:00 WITA" in review
    assert "O: 3 days before, 1 day before, on the day" in review
    assert "T: 07.45" in review
