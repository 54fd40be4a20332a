"""Property tests: any sequence of inputs never raises, never breaks the session, never loses
an answered required value unless the user was on that question, and stays JSON-serialisable."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from flows import Ask, Errored, Input, Session, SessionStatus, builtin_forms, resume, start

from .conftest import TODAY, make_form
from .test_engine import MEMBERS, REPEAT

NO_RELEVANCE = make_form("""\
questions:
  - {name: intro, type: note, label: Halo}
  - {name: name, type: text, label: Nama, max: 30}
  - name: status
    type: select_one
    label: Status
    choices: [{value: a, label: Alfa}, {value: b, label: Beta}, {value: c, label: Charlie}]
  - {name: agree, type: yes_no, label: Setuju}
  - {name: born, type: date, label: Lahir, constraint: ". <= today()",
     constraint_message: "Tanggal tidak boleh di masa depan. Contoh: 17-08-1990"}
  - {name: size, type: integer, label: Jumlah, min: 1, max: 20, warning: ". > 10"}
  - {name: nik, type: nik, label: NIK}
  - name: kids
    type: repeat
    label: Anak
    max_count: 2
    questions:
      - {name: kname, type: text, label: Nama anak}
      - {name: kschool, type: yes_no, label: Sekolah}
  - name: dis
    type: select_multiple
    label: Disabilitas
    required: false
    choices: [{value: fisik, label: Fisik}, {value: netra, label: Netra}]
  - {name: phone, type: phone, label: HP, required: false}
  - {name: loc, type: location, label: Lokasi, required: false}
  - {name: pic, type: photo, label: Foto, required: false}
""")

WORDS = [
    "kembali",
    "back",
    "lewati",
    "skip",
    "batal",
    "cancel",
    "ringkasan",
    "summary",
    "simpan",
    "save",
    "ya",
    "tidak",
    "y",
    "t",
    "tetap",
    "sama",
    "ok",
    "1",
    "2",
    "3",
    "4",
    "7",
    "12",
    "0",
    "1,2",
    "1 3",
    "Alfa",
    "beta, charlie",
    "17-08-1990",
    "17 Agustus 1990",
    "2099-01-01",
    "1804072704900258",
    "1899072704900258",
    "9999999999999995",
    "081234567890",
    "-5.1, 104.2",
    "Budi",
    "",
    "   ",
    "x" * 1200,
    "${x}",
    "__keep__",
    "/batal",
    "Ditemukan",
    "Found",
    "lain",
]

inputs = st.one_of(
    st.sampled_from(WORDS).map(lambda w: Input(text=w)),
    st.text(max_size=40).map(lambda w: Input(text=w)),
    st.sampled_from(
        ["__keep__", "__save__", "__cancel__", "yes", "no", "a", "b", "ditemukan", "L", "zz", ""]
    ).map(lambda c: Input(choice=c)),
    st.tuples(st.floats(), st.floats()).map(lambda p: Input(location=p)),
    st.text(max_size=10).map(lambda p: Input(photo=p)),
    st.builds(Input, text=st.text(max_size=5), choice=st.none() | st.text(max_size=5)),
)


def check_step(s: Session, events: list[Any]) -> None:
    assert not [e for e in events if isinstance(e, Errored)], events
    assert s.status != SessionStatus.ERRORED
    data = json.dumps(s.model_dump(mode="json"), allow_nan=False)
    assert Session.model_validate(json.loads(data)) == s
    json.dumps(s.answers, allow_nan=False)
    if s.status == SessionStatus.WAITING:
        assert any(isinstance(e, Ask) for e in events), events


def _required_values(s: Session) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in ("name", "status", "agree", "born", "size", "nik"):
        if k in s.answers:
            out[k] = s.answers[k]
    for i, kid in enumerate(s.answers.get("kids", [])):
        for k, v in kid.items():
            out[f"kids.{i}.{k}"] = v
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(inputs, max_size=40), st.sampled_from(["id", "en"]))
# found by CI: KEMBALI at "Maksud Anda tetap 'ya'?" was stored as the name
@example(
    [Input(text="ya"), Input(text="kembali"), Input(choice="yes"), Input(text="kembali")], "id"
)
def test_random_inputs_never_raise_nor_lose_answers(seq, lang):
    s, events = start(NO_RELEVANCE, {"today": TODAY}, lang=lang)
    check_step(s, events)
    for inp in seq:
        before = _required_values(s)
        cursor, mode, was_waiting = s.cursor, s.mode, s.status == SessionStatus.WAITING
        s, events = resume(NO_RELEVANCE, s, inp)
        check_step(s, events)
        after = _required_values(s)
        for path, value in before.items():
            assert path in after, (path, inp, cursor)
            if after[path] != value:
                # only the question the user was on may change
                assert was_waiting and cursor == path and mode in {"ask", "confirm_warning"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(inputs, max_size=40))
def test_random_inputs_on_relevance_and_repeats(seq):
    s, events = start(REPEAT, {"today": TODAY, "record": MEMBERS})
    check_step(s, events)
    for inp in seq:
        s, events = resume(REPEAT, s, inp)
        check_step(s, events)


FORM = builtin_forms().latest("verifikasi_keluarga")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(inputs, max_size=30))
def test_random_inputs_on_builtin_form(seq):
    assert FORM is not None
    record = {"address": "Jl. Lama 1", "rt": "003", "rw": "001"}
    s, events = start(FORM, {"today": TODAY, "record": record})
    for inp in seq:
        s, events = resume(FORM, s, inp)
        check_step(s, events)
        if s.status == SessionStatus.COMPLETED:
            assert "family_status" in s.answers


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=25))
def test_only_words_reach_a_terminal_state_or_wait(words):
    s, _ = start(NO_RELEVANCE, {"today": TODAY})
    for w in words:
        s, events = resume(NO_RELEVANCE, s, Input(text=w))
        check_step(s, events)
    assert s.status in set(SessionStatus)
