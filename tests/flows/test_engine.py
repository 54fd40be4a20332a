"""Engine behaviour: skip logic, repeats, navigation words, review, prefill, limits."""

from __future__ import annotations

import pytest

from flows import (
    Ask,
    Cancelled,
    Completed,
    Input,
    Say,
    SessionStatus,
    current_prompt,
    resume,
    start,
    summary,
)

from .conftest import TODAY, Driver, make_form

BASIC = make_form("""\
questions:
  - name: status
    type: select_one
    label: {id: Status keluarga, en: Family status}
    choices:
      - {value: ditemukan, label: Ditemukan}
      - {value: tidak_ditemukan, label: Tidak Ditemukan}
  - name: reason
    type: text
    label: Alasan
    relevant: ${status} = 'tidak_ditemukan'
  - name: address
    type: text
    label: Alamat
    prefill: address
    relevant: ${status} = 'ditemukan'
  - name: size
    type: integer
    label: Jumlah anggota
    min: 1
    max: 30
    warning: . > 15
    warning_message: Jumlah anggota besar sekali. Benar?
  - name: phone
    type: phone
    label: Nomor HP
    required: false
""")

RECORD = {"address": "Jl. Lama 1", "rt": "003"}
EXPECT_TEXT = "Ketik jawaban berupa teks. Contoh: Jl. Merdeka No. 5"


def test_start_asks_first_question():
    d = Driver(BASIC)
    assert d.session.status == SessionStatus.WAITING
    assert d.ask.question == "status"
    assert d.session.form_id == "test_form" and d.session.form_version == 1
    assert d.session.context["today"] == TODAY


def test_skip_logic_both_branches():
    d = Driver(BASIC)
    d.send("2")
    assert d.ask.question == "reason"
    d.send("Pindah", "3", "lewati")
    assert d.ask.question == "__review__"
    assert d.answers == {"status": "tidak_ditemukan", "reason": "Pindah", "size": 3}

    d = Driver(BASIC)
    d.send("Ditemukan")
    assert d.ask.question == "address"


def test_changed_answer_drops_irrelevant_and_asks_newly_relevant():
    d = Driver(BASIC, {"record": RECORD})
    d.send("2", "Pindah", "4", "lewati")
    assert d.ask.question == "__review__"
    d.send("1")  # change status
    assert d.ask.question == "status"
    d.send("ditemukan")
    assert d.ask.question == "address"  # newly relevant
    assert "reason" not in d.answers  # became irrelevant: dropped
    d.send("tetap")
    assert d.ask.question == "__review__"  # already answered ones are not asked again
    assert d.answers == {"status": "ditemukan", "address": "Jl. Lama 1", "size": 4}


def test_warning_confirm():
    d = Driver(BASIC)
    d.send("2", "x", "20")
    assert d.texts(tone="warning") == ["Jumlah anggota besar sekali. Benar?"]
    assert d.ask.input == "confirm"
    d.send("tidak")
    assert d.ask.question == "size" and "size" not in d.answers
    d.send("20", "ya")
    assert d.answers["size"] == 20 and d.ask.question == "phone"


def test_back_keeps_answers():
    d = Driver(BASIC)
    d.send("2", "Pindah")
    assert d.ask.question == "size"
    d.send("kembali")
    assert d.ask.question == "reason"
    assert d.answers["reason"] == "Pindah"
    assert any(o.value == "__keep__" for o in d.ask.extra)  # current answer offered, a word
    d.send("BACK")
    assert d.ask.question == "status"
    d.send("back")
    assert d.errors() and "pertama" in d.errors()[0]
    assert d.ask.question == "status"
    d.send(Input(choice="__keep__"))
    assert d.ask.question == "reason"
    d.send("ok", "5")
    assert d.answers == {"status": "tidak_ditemukan", "reason": "Pindah", "size": 5}


def test_skip_required_and_optional():
    d = Driver(BASIC)
    d.send("lewati")
    assert "wajib" in d.errors()[0] and "Contoh" in d.errors()[0]
    assert d.ask.question == "status"
    d.send("2", "x", "3")
    assert d.ask.question == "phone" and d.ask.skippable
    d.send(" Skip ")
    assert d.ask.question == "__review__" and "phone" not in d.answers


def test_cancel_confirm_no_then_yes():
    d = Driver(BASIC)
    d.send("2", "batal")
    assert d.ask.question == "__cancel__" and d.ask.input == "confirm"
    d.send("tidak")
    assert d.ask.question == "reason"
    assert d.answers == {"status": "tidak_ditemukan"}
    d.send("cancel", "ya")
    assert d.session.status == SessionStatus.INTERRUPTED
    assert any(isinstance(e, Cancelled) for e in d.events)
    d.send("halo")
    assert d.events == [Say(text="Isian ini sudah selesai. Ketik /mulai untuk isian baru.")]


def test_cancel_confirm_needs_yes_or_no():
    d = Driver(BASIC)
    d.send("batal", "mungkin")
    assert d.errors() and d.ask.question == "__cancel__"
    d.send("kembali")
    assert d.ask.question == "status"


@pytest.mark.parametrize("again", ["batal", "BATAL", "cancel", "ya, batal", "batalkan"])
def test_cancel_said_again_at_its_confirmation_is_yes(again: str):
    d = Driver(BASIC)
    d.send("2", "batal", again)
    assert d.session.status == SessionStatus.INTERRUPTED
    assert any(isinstance(e, Cancelled) for e in d.events) and not d.errors()


def test_keep_on_an_empty_optional_question_leaves_it_empty():
    d = Driver(BASIC)
    d.send("2", "Pindah", "4")
    assert d.ask.question == "phone"  # optional, nothing there before
    d.send("tetap")
    assert not d.errors() and d.ask.question == "__review__"
    assert "phone" not in d.answers


def test_keep_on_an_empty_required_question_says_what_to_type():
    d = Driver(BASIC)
    d.send("2", "tetap")
    assert d.ask.question == "reason"
    assert "Belum ada data lama" in d.errors()[0]


@pytest.mark.parametrize("word", ["ya", "Tidak", "sudah", "lanjut", "selesai"])
def test_a_reply_word_is_not_stored_as_a_text_answer(word: str):
    d = Driver(BASIC)
    d.send("2", word)  # the reason a family was not found: nothing there to keep
    assert d.ask.question == "reason" and "reason" not in d.answers
    assert d.errors() == [f'"{word}" belum menjawab pertanyaan ini. {EXPECT_TEXT}']
    d.send("Pindah ke Metro")
    assert d.answers["reason"] == "Pindah ke Metro"


def test_yes_where_a_value_is_kept_asks_whether_to_keep_it():
    d = Driver(BASIC, {"record": RECORD})
    d.send("1", "kembali")
    assert d.ask.question == "status"  # a choice, "Tetap: Ditemukan" offered
    d.send("ya")  # not an option: asked whether it means keep, not refused, not stored
    assert d.ask.input == "confirm" and d.ask.question == "status" and not d.errors()
    assert "Ditemukan" in d.ask.text
    d.send("ya")
    assert d.answers["status"] == "ditemukan" and d.ask.question == "address"


def test_yes_where_nothing_is_kept_is_the_questions_own_error():
    d = Driver(BASIC)
    d.send("ya")
    assert d.errors() and d.ask.question == "status" and d.answers == {}


def test_summary_then_same_question():
    d = Driver(BASIC)
    d.send("2", "Pindah", "ringkasan")
    says = d.texts()
    assert "Status keluarga: Tidak Ditemukan" in says[0]
    assert "Alasan: Pindah" in says[0]
    assert d.ask.question == "size"
    assert summary(BASIC, d.session).startswith("Ringkasan: Tes")


def test_review_change_and_save():
    d = Driver(BASIC, {"record": RECORD})
    d.send("1", "Jl. Baru 2", "3", "0812 3456 7890")
    review = d.texts()[0]
    assert "1. Status keluarga: Ditemukan" in review
    assert "2. Alamat: Jl. Lama 1 → Jl. Baru 2" in review
    assert "4. Nomor HP: +6281234567890" in review
    ask = d.ask
    assert ask.question == "__review__" and ask.input == "choice"
    assert [o.value for o in ask.options] == ["__save__", "__cancel__"]
    assert "Ketik nomor untuk mengubah, mis. 2" in ask.text
    d.send("9")
    assert "1-4" in d.errors()[0]
    d.send("3")
    assert d.ask.question == "size"
    d.send("4")
    assert d.ask.question == "__review__"
    d.send("simpan")
    done = [e for e in d.events if isinstance(e, Completed)]
    assert d.session.status == SessionStatus.COMPLETED
    assert done[0].answers == {
        "status": "ditemukan",
        "address": "Jl. Baru 2",
        "size": 4,
        "phone": "+6281234567890",
    }
    assert [(c.path, c.before, c.after) for c in done[0].changes] == [
        ("address", "Jl. Lama 1", "Jl. Baru 2")
    ]


def test_review_save_button_and_cancel_button():
    d = Driver(BASIC)
    d.send("2", "x", "3", "lewati", Input(choice="__save__"))
    assert d.session.status == SessionStatus.COMPLETED
    d = Driver(BASIC)
    d.send("2", "x", "3", "lewati", Input(choice="__cancel__"))
    assert d.ask.question == "__cancel__"
    d.send("tidak")
    assert d.ask.question == "__review__"


def test_prefill_keep_words_and_button():
    for keep in ["tetap", "Sama", "OK", "masih sama", "Tidak berubah", Input(choice="__keep__")]:
        d = Driver(BASIC, {"record": RECORD})
        d.send("1")
        assert d.ask.options == []  # nothing to pick by number on a text question
        assert d.ask.extra[0].label == "Tetap: Jl. Lama 1"
        assert "Sekarang: Jl. Lama 1" in d.ask.text
        d.send(keep)
        assert d.answers["address"] == "Jl. Lama 1"
        assert d.ask.question == "size"


def test_keep_not_offered_without_value():
    d = Driver(BASIC)
    d.send("1")
    assert d.ask.options == [] and d.ask.extra == []
    d.send("ok")  # a keep word is never stored as the value, even with nothing to keep
    assert "address" not in d.answers and d.errors()
    d.send("Jl. Baru 2")
    assert d.answers["address"] == "Jl. Baru 2"


def test_english_session():
    d = Driver(BASIC, lang="en")
    assert d.ask.text == "Family status"
    d.send("skip")
    assert d.errors()[0].startswith("This question is required")


def test_step_limit_expires():
    form = BASIC.model_copy(update={"max_steps": 3})
    d = Driver(form)
    d.send("x", "y", "z")
    assert d.session.status.value == "waiting"
    d.send("2")
    assert d.session.status.value == "expired"
    assert isinstance(d.events[0], Say) and d.events[0].tone == "error"
    assert "mulai lagi" in d.texts(tone="error")[0]
    before = d.session
    d.send("1")
    assert d.session == before  # nothing changes any more


def test_version_pin():
    s, _ = start(BASIC, {"today": TODAY})
    other = BASIC.model_copy(update={"version": 2})
    with pytest.raises(ValueError, match="v1"):
        resume(other, s, Input(text="1"))
    with pytest.raises(ValueError):
        resume(BASIC.model_copy(update={"id": "other"}), s, Input(text="1"))


def test_resume_does_not_mutate_input_session():
    s, _ = start(BASIC, {"today": TODAY})
    copy = s.model_copy(deep=True)
    resume(BASIC, s, Input(text="2"))
    assert s == copy


def test_current_prompt_reasks():
    d = Driver(BASIC)
    d.send("2")
    assert current_prompt(BASIC, d.session) == [d.ask]
    d.send("x", "3", "lewati")
    events = current_prompt(BASIC, d.session)
    assert isinstance(events[0], Say) and isinstance(events[1], Ask)
    d.send("batal")
    assert current_prompt(BASIC, d.session)[0].question == "__cancel__"  # type: ignore[union-attr]


def test_empty_text_reasks():
    d = Driver(BASIC)
    d.send("   ")
    assert "kosong" in d.errors()[0]
    assert d.ask.question == "status"


REPEAT = make_form("""\
questions:
  - {name: village, type: text, label: Desa}
  - name: members
    type: repeat
    label: Anggota keluarga
    prefill: members
    add_another: {id: "Tambah anggota lain?", en: "Add another member?"}
    item_label: {id: "Anggota {n}: {name}", en: "Member {n}: {name}"}
    max_count: 3
    questions:
      - {name: name, type: text, label: Nama, prefill: name}
      - name: sex
        type: select_one
        label: Jenis kelamin
        prefill: sex
        choices: [{value: L, label: Laki-laki}, {value: P, label: Perempuan}]
      - {name: birth_date, type: date, label: Tanggal lahir, prefill: birth_date}
      - name: school
        type: yes_no
        label: "Masih sekolah?"
        relevant: age(${birth_date}) < 19 and ${village} != 'x'
      - {name: nik, type: nik, label: NIK, prefill: nik,
         warning: "nik_sex(.) != ${sex}", warning_message: "Jenis kelamin di NIK berbeda."}
  - {name: done, type: yes_no, label: "Selesai?"}
""")

MEMBERS = {
    "members": [
        {"name": "Budi", "sex": "L", "birth_date": "1990-04-27", "nik": "1804072704900258"},
        {"name": "Siti", "sex": "P", "birth_date": "2012-05-01", "nik": "1804074105120001"},
    ]
}


def test_repeat_prefilled_instances_then_add_another():
    d = Driver(REPEAT, {"record": MEMBERS})
    d.send("Sri Menanti")
    # A prefilled repeat is a picker: the member to change, or add one.
    assert d.ask.question == "members.__add__"
    assert [o.label for o in d.ask.options] == [
        "Anggota 1: Budi",
        "Anggota 2: Siti",
        "Tambah anggota",
    ]
    d.send("1")
    assert d.ask.question == "members.0.name"
    assert d.ask.text.startswith("[Anggota 1: Budi]")
    d.send("tetap", "tetap", "tetap")
    assert d.ask.question == "members.0.nik"  # adult: no school question
    d.send("ok")
    assert d.ask.question == "members.__add__"  # back to the picker
    d.send("2", "Siti Aminah", "tetap", "tetap")
    assert d.ask.question == "members.1.school"  # relevant inside the repeat: a child
    d.send("ya", "tetap")
    assert d.ask.question == "members.__add__"
    d.send("Tambah anggota")
    assert d.ask.question == "members.2.name"
    assert d.ask.extra == []  # a new member has nothing to keep
    d.send("Adi", "L", "01-01-2015", "tidak", "9999999999999995")
    assert d.ask.question == "members.__add__"
    d.send("selesai")
    assert d.ask.question == "done"
    d.send("ya")
    review = d.texts()[0]
    assert "Anggota 2: Siti Aminah" in review
    assert "Nama: Siti → Siti Aminah" in review
    d.send("simpan")
    done = next(e for e in d.events if isinstance(e, Completed))
    members = done.answers["members"]
    assert [m["name"] for m in members] == ["Budi", "Siti Aminah", "Adi"]
    assert members[1]["school"] == "yes" and "school" not in members[0]
    assert members[2] == {
        "name": "Adi",
        "sex": "L",
        "birth_date": "2015-01-01",
        "school": "no",
        "nik": "9999999999999995",
    }
    assert [(c.path, c.before, c.after) for c in done.changes] == [
        ("members.1.name", "Siti", "Siti Aminah")
    ]


def test_repeat_without_prefill_asks_add_first_and_no_ends():
    d = Driver(REPEAT)
    d.send("Desa A")
    assert d.ask.question == "members.__add__"
    d.send("tidak")
    assert d.ask.question == "done"
    assert d.answers["members"] == []
    d.send("kembali")
    assert d.ask.question == "village"


def test_repeat_add_needs_yes_or_no():
    d = Driver(REPEAT)
    d.send("Desa A", "lewati")
    assert d.errors() and d.ask.question == "members.__add__"


def test_repeat_warning_inside_instance():
    d = Driver(REPEAT)
    d.send("Desa A", "ya", "Ani", "P", "27-04-1990")
    d.send("1804072704900258")  # a man's NIK for a woman
    assert d.texts(tone="warning") == ["Jenis kelamin di NIK berbeda."]
    d.send("tidak", "1804076704900258")
    assert d.ask.question == "members.__add__"


def _every_member(d: Driver) -> None:
    d.send("Desa", "1", "ok", "ok", "ok", "ok", "2", "ok", "ok", "ok", "tidak", "ok")
    d.send("selesai", "ya")


def test_repeat_change_from_review():
    d = Driver(REPEAT, {"record": MEMBERS})
    _every_member(d)
    assert d.ask.question == "__review__"
    review = d.texts()[0]
    assert "Anggota 1: Budi" in review
    # numbering: 1 village, 2-5 member 1 (name, sex, birth_date, nik), 6.. member 2
    d.send("7")
    assert d.ask.question == "members.1.sex"
    d.send("L")
    assert d.ask.question == "__review__"  # back to the review, other answers untouched
    # only the changed line is said again, with the save button
    assert d.texts() == ["Jenis kelamin: Perempuan → Laki-laki"]
    d.send("ringkasan")
    assert "Jenis kelamin: Perempuan → Laki-laki" in d.texts()[0]
    assert d.answers["members"][1]["nik"] == "1804074105120001"


def test_repeat_edit_birth_date_makes_school_relevant():
    d = Driver(REPEAT, {"record": MEMBERS})
    _every_member(d)
    assert d.answers["members"][1]["school"] == "no"
    d.send("8")  # member 2 birth date
    assert d.ask.question == "members.1.birth_date"
    d.send("01-01-1990")
    assert d.ask.question == "__review__"
    assert "school" not in d.answers["members"][1]
    d.send("8", "01-01-2015")
    assert d.ask.question == "members.1.school"  # newly relevant is asked
    d.send("ya")
    assert d.ask.question == "__review__"


def test_review_numbering_skips_notes_and_headers():
    d = Driver(REPEAT)
    d.send("Desa", "tidak", "ya")
    review = d.texts()[0]
    assert review.splitlines()[1:] == ["1. Desa: Desa", "2. Selesai?: Ya"]
