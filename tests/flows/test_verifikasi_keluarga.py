"""Golden walk through every branch of the built-in verifikasi_keluarga form."""

from __future__ import annotations

import pytest

from flows import Ask, Completed, Form, SessionStatus, builtin_forms

from .conftest import Driver

RECORD = {"head_name": "Budi", "address": "Jl. Lama 1, Pekon Sri Menanti", "rt": "003", "rw": "001"}


@pytest.fixture(scope="module")
def form() -> Form:
    f = builtin_forms().get("verifikasi_keluarga", 1)
    assert f is not None
    return f


def transcript(d: Driver) -> list[str]:
    out = []
    for e in d.events:
        if isinstance(e, Ask):
            shown = "/".join(o.value for o in [*e.options, *e.extra])
            out.append(f"ASK {e.question} [{e.input}] {shown}")
        elif isinstance(e, Completed):
            out.append("COMPLETED")
        else:
            out.append(f"{e.kind.upper()} {getattr(e, 'tone', '')}")
    return out


def test_start_explains_then_asks_status(form):
    d = Driver(form, {"record": RECORD})
    assert d.texts()[0].startswith("Cek data di atas.")
    assert d.ask.question == "family_status"
    # found is expected (a default, kept like a value) and everything may be kept in one tap
    assert [o.label for o in d.ask.extra] == ["Tetap: Ditemukan", "Semua data tetap"]
    assert [o.value for o in d.ask.options] == [
        "ditemukan",
        "tidak_ditemukan",
        "meninggal",
        "tidak_eligible",
        "tidak_dapat_ditemui",
    ]


def test_found_branch_golden(form):
    d = Driver(form, {"record": RECORD})
    steps = [
        ("Ditemukan", "ASK address [text] __keep__"),
        ("tetap", "ASK rt [text] __keep__"),
        ("3a", "SAY error"),  # constraint message
        ("005", "ASK rw [text] __keep__"),
        ("ok", "ASK head_lives_here [choice] yes/no/__keep__"),
        ("iya", "ASK phone [text] "),
        ("12345", "SAY error"),
        ("0812-3456-7890", "ASK notes [text] "),
        ("Rumah dicat ulang", "SAY info"),
    ]
    for given, first in steps:
        d.send(given)
        assert transcript(d)[0] == first, (given, transcript(d))
    assert d.errors() == []
    assert d.ask.question == "__review__"
    review = d.texts()[0]
    assert review.splitlines() == [
        "Periksa jawaban:",
        "1. Status keluarga: Ditemukan",
        "2. Alamat: Jl. Lama 1, Pekon Sri Menanti",
        "3. RT: 003 → 005",
        "4. RW: 001",
        "5. Apakah kepala keluarga masih tinggal di sini?: Ya",
        "6. Nomor HP keluarga: +6281234567890",
        "7. Catatan: Rumah dicat ulang",
    ]
    d.send("simpan")
    done = next(e for e in d.events if isinstance(e, Completed))
    assert done.answers == {
        "family_status": "ditemukan",
        "address": "Jl. Lama 1, Pekon Sri Menanti",
        "rt": "005",
        "rw": "001",
        "head_lives_here": "yes",
        "phone": "+6281234567890",
        "notes": "Rumah dicat ulang",
    }
    assert [(c.path, c.before, c.after) for c in done.changes] == [("rt", "003", "005")]


def test_rt_constraint_message(form):
    d = Driver(form, {"record": RECORD})
    d.send("1", "ok", "tiga")
    assert d.errors() == ["RT berupa 1-3 angka. Contoh: 1 atau 003"]


@pytest.mark.parametrize(
    ("reason_input", "reason"),
    [
        ("1", "pindah_domisili"),
        ("Data ganda", "data_ganda"),
        ("dianggap", "dianggap_mampu"),
        ("4", "meninggal_dunia"),
        ("lain", "lainnya"),
    ],
)
def test_not_found_branch(form, reason_input, reason):
    d = Driver(form, {"record": RECORD})
    d.send("Tidak Ditemukan")
    assert d.ask.question == "not_found_reason"
    d.send(reason_input)
    assert d.ask.question == "notes"
    d.send("lewati", "save")
    done = next(e for e in d.events if isinstance(e, Completed))
    assert done.answers == {"family_status": "tidak_ditemukan", "not_found_reason": reason}
    assert done.changes == []  # prefilled questions were not relevant


@pytest.mark.parametrize("status", ["meninggal", "tidak_eligible", "tidak_dapat_ditemui"])
def test_other_statuses_go_to_notes(form, status):
    d = Driver(form, {"record": RECORD})
    d.send(status)
    assert d.ask.question == "notes"
    d.send("catatan", "simpan")
    assert d.session.status == SessionStatus.COMPLETED


def test_change_status_from_review_drops_found_answers(form):
    d = Driver(form, {"record": RECORD})
    d.send("1", "ok", "ok", "ok", "ya", "lewati", "lewati")
    assert d.ask.question == "__review__"
    d.send("1", "2")
    assert d.ask.question == "not_found_reason"
    d.send("Pindah")
    assert d.ask.question == "__review__"
    assert d.answers == {"family_status": "tidak_ditemukan", "not_found_reason": "pindah_domisili"}


def test_english(form):
    d = Driver(form, {"record": RECORD}, lang="en")
    assert d.ask.text == "Family status"
    d.send("Found")
    assert d.ask.text.startswith("Address")
    assert d.ask.extra[0].label == "Keep: Jl. Lama 1, Pekon Sri Menanti"


def test_without_record_no_keep(form):
    d = Driver(form)
    d.send("1")
    assert d.ask.options == [] and d.ask.extra == []
    d.send("Jl")
    assert "paling sedikit 5" in d.errors()[0]


def test_kept_prefill_must_meet_the_constraint(form):
    d = Driver(form, {"record": {**RECORD, "rt": "3a"}})
    d.send("1", "ok", "tetap")
    assert d.errors()  # an invalid RT in the register is not offered: it must be typed
    assert d.ask.question == "rt"
    d.send("3")
    assert d.answers["rt"] == "003"
