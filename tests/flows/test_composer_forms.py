"""The Dinsos composers as forms (flows/forms/tenggat.yaml, pengumuman.yaml) driven through
the pure engine: the host's data comes in through the context, nothing else. Good answers,
hostile ones (empty, very long, emoji, 0, 99, days that do not exist), both languages, the
review, jump-to-edit, keep, back, cancel, and an edit opened on its review."""

from __future__ import annotations

from typing import Any

import pytest

from flows import Cancelled, Completed, Input, builtin_forms, read_answer, resume, start, summary
from flows.model import Form

from .conftest import Driver

NOW = "2026-01-15T03:30:00+00:00"  # Kamis, 15 Januari 2026 pukul 10.30 WIB
REGIONS = [
    ["18.04", "Lampung Barat", "kabupaten"],
    ["18.04.07", "Way Tenong", "kecamatan"],
    ["18.04.07.2006", "Sukananti", "desa"],
    ["18.04.19", "Air Hitam", "kecamatan"],
    ["18.04.19.2006", "Sri Menanti", "desa"],
]
CONTEXT: dict[str, Any] = {
    "today": "2026-01-15",
    "now": NOW,
    "zone": "Asia/Jakarta",
    "quiet_hours": "21:00-07:00",
    "record": {},
    "regions": REGIONS,
    "region_roots": ["18.04"],
}
HOSTILE = ["", "   ", "x" * 5000, "🙂🙂🙂", "0", "99", "-1", "\u200b", "<b>1</b>", "1; DROP TABLE"]


FORMS = builtin_forms()


def _form(form_id: str) -> Form:
    form = FORMS.latest(form_id)
    assert form is not None
    return form


def _deadline(lang: str = "id", **context: Any) -> Driver:
    return Driver(_form("tenggat"), {**CONTEXT, **context}, lang=lang)


def _announcement(lang: str = "id", **context: Any) -> Driver:
    return Driver(_form("pengumuman"), {**CONTEXT, "nudge_hours": 24, **context}, lang=lang)


def _refused_or_taken(d: Driver, before: str) -> None:
    """Refused with a message and the same question again, or taken and the next one asked
    (an empty or unreadable answer is never taken in silence)."""
    errors = d.errors()
    if errors:
        examples = ("Contoh", "mis.", "seperti ini")
        assert d.ask.question == before, d.events
        assert all(any(x in e for x in examples) for e in errors), errors
    else:
        assert d.ask.question != before, d.events


def _one_error(d: Driver) -> str:
    errors = d.errors()
    assert len(errors) == 1, d.events
    return errors[0]


# ---- the deadline form --------------------------------------------------------------------------


def test_a_deadline_from_start_to_save() -> None:
    d = _deadline()
    assert d.ask.question == "title"
    d.send("Ekspor  DTKS", "27-01-2026 16.00")
    assert d.ask.question == "repeat"
    assert [o.label for o in d.ask.options] == ["Sekali saja", "Tiap bulan tgl. 27"]
    d.send("2", "31-12-2026", "air hitam", "1,2", "tetap", "tetap", "lewati")
    review = d.texts()[-1]
    for line in (
        "Periksa tenggat:",
        "1. Nama: Ekspor  DTKS",
        "2. Batas: Selasa, 27 Januari 2026 pukul 16.00 WIB",
        "3. Berulang: setiap bulan tanggal 27",
        "4. Berulang sampai: Kamis, 31 Desember 2026",
        "5. Wilayah: Kec. Air Hitam",
        "6. Untuk: operator SIKS-NG, kepala desa/peratin",
        "7. Pengingat: H-7, H-3, H-1, hari H",
        "8. Jam pengingat: 08.00",
        "9. Catatan: -",
    ):
        assert line in review
    d.send("simpan")
    [done] = [e for e in d.events if isinstance(e, Completed)]
    assert done.answers == {
        "title": "Ekspor  DTKS",
        "due": "2026-01-27T16:00",
        "repeat": "monthly",
        "until": "2026-12-31",
        "region": "18.04.19",
        "roles": ["operator", "peratin"],
        "offsets": [7, 3, 1, 0],
        "time": "08:00",
    }


@pytest.mark.parametrize("text", ["31 Februari 2027 16.00", "31-02-2027 16.00", "30/2/2027 16.00"])
def test_a_due_date_that_does_not_exist_says_so_with_an_example(text: str) -> None:
    d = _deadline()
    d.send("Ekspor DTKS", text)
    error = _one_error(d)
    assert "Februari 2027 tidak ada" in error
    assert "Februari 2027 hanya sampai tanggal 28. Contoh: 28-02-2027 16.00" in error
    assert d.ask.question == "due"


def test_a_due_date_that_does_not_exist_in_english() -> None:
    d = _deadline("en")
    d.send("DTKS export", "31 Februari 2027 16.00")
    assert _one_error(d) == (
        "There is no 31 February 2027: February 2027 has 28 days. Example: 28-02-2027 16.00"
    )


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("27-01-2026", "Tulis juga jamnya. Contoh: 27-01-2026 16.00"),
        (
            "14-01-2026 16.00",
            "Batas harus setelah sekarang (Kamis, 15 Januari 2026 pukul 10.30 WIB)",
        ),
        ("15-01-2026 10.30", "Batas harus setelah sekarang"),
        ("kemarin sore", "Tulis seperti ini: 27-01-2027 16.00"),
        ("27-01-26 16.00", "tidak dikenali"),  # which century?
        ("27-01-2026 25.00", "tidak dikenali"),
        ("0", "tidak dikenali"),
        ("99", "tidak dikenali"),
        ("🙂🙂🙂", "tidak dikenali"),
        ("x" * 5000, "tidak dikenali"),
    ],
)
def test_due_errors_say_what_to_type(text: str, needle: str) -> None:
    d = _deadline()
    d.send("Ekspor DTKS", text)
    assert needle in _one_error(d)
    assert d.ask.question == "due"
    assert "(WIB)" in d.ask.text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_answers_never_break_any_deadline_question(text: str) -> None:
    answers = ["Ekspor DTKS", "27-01-2026 16.00", "2", "31-12-2026", "18.04.19", "1", "tetap"]
    for asked in range(len(answers) + 2):
        d = _deadline()
        d.send(*answers[:asked])
        before = d.ask.question
        d.send(text)
        assert d.session.status.value == "waiting", d.events
        _refused_or_taken(d, before)


def test_wrong_answers_get_the_forms_own_words() -> None:
    d = _deadline()
    d.send("ab")
    assert _one_error(d) == "Nama tenggat 3–80 huruf. Contoh: Ekspor DTKS"
    d.send("x" * 81)
    assert _one_error(d) == "Nama tenggat 3–80 huruf. Contoh: Ekspor DTKS"
    d.send("lewati")
    assert _one_error(d).startswith("Pertanyaan ini wajib dijawab.")
    d.send("Ekspor DTKS", "27-01-2026 16.00", "3")
    assert _one_error(d) == "Pilih 1 (sekali saja) atau 2 (setiap bulan). Contoh: 1"
    d.send("1", "18.05")
    assert _one_error(d).startswith('Wilayah "18.05" tidak ditemukan di wilayah tugas Anda.')
    assert _one_error(d).endswith("Contoh: 18.04.07")
    d.send("35.28.11.2001")
    assert "tidak ditemukan di wilayah tugas Anda" in _one_error(d)
    d.send("9")
    assert "tidak ditemukan" in _one_error(d)
    d.send("sri menanti", "1,9")
    assert _one_error(d) == "Pilih nomor peran dari daftar, boleh lebih dari satu. Contoh: 1,2"
    d.send("1", "7,99")
    assert "Contoh: 7,3,1,0" in _one_error(d)
    d.send("1,2,3,4,5,6,7,8,9")
    assert "1–8 angka hari" in _one_error(d)
    d.send("H-3 H-0", "22.00")
    assert _one_error(d).startswith("Jam 22.00 termasuk jam tenang (21.00–07.00)")
    d.send("06.59")
    assert "jam tenang" in _one_error(d)
    d.send("7.00", "x" * 301)
    assert _one_error(d) == "Catatan paling banyak 300 huruf. Persingkat, atau ketik LEWATI."
    d.send("Tarik data pagi.")
    assert d.ask.question == "__review__"
    assert d.answers["offsets"] == [3, 0] and d.answers["time"] == "07:00"
    assert d.answers["region"] == "18.04.19.2006"


def test_the_end_date_is_read_by_the_one_parser_and_kept_after_the_first() -> None:
    d = _deadline()
    d.send("Cut-off", "31-01-2026 23.00", "2", "31-12-2025")
    assert _one_error(d) == (
        "Tanggal akhir harus sesudah batas pertama (Sabtu, 31 Januari 2026). Contoh: 31-12-2027"
    )
    d.send("31 April 2026")
    assert "Tanggal 31 April 2026 tidak ada" in _one_error(d)
    assert "Contoh: 30-04-2026" in _one_error(d)
    d.send("31 Februari 2027")
    assert "Contoh: 28-02-2027" in _one_error(d)
    d.send("17 agst 2026")
    assert d.answers["until"] == "2026-08-17"


def test_the_review_changes_an_answer_by_number_and_the_day_follows_the_date() -> None:
    d = _deadline()
    d.send("Ekspor DTKS", "27-01-2026 16.00", "2", "lewati", "1", "1", "tetap", "tetap", "-")
    assert "3. Berulang: setiap bulan tanggal 27" in d.texts()[-1]
    d.send("2", "17 Maret 2026 pukul 08.00")
    assert "2. Batas: Selasa, 17 Maret 2026 pukul 08.00 WIB" in d.texts()[-1]
    assert "3. Berulang: setiap bulan tanggal 17" in d.texts()[-1]
    d.send("3", "1")  # no longer repeats: the end date goes
    assert "Berulang sampai" not in d.texts()[-1]
    d.send("10")
    assert _one_error(d).startswith("Ketik SIMPAN, nomor baris 1–8 untuk mengubah, atau BATAL.")
    d.send("0")
    assert "nomor baris 1–8" in _one_error(d)


def test_back_keep_and_cancel_are_the_engines_words() -> None:
    d = _deadline()
    d.send("Ekspor DTKS", "kembali")
    # keep is a word and its button (beside the options, never a number)
    assert d.ask.question == "title" and d.ask.extra[-1].label == "Tetap: Ekspor DTKS"
    d.send("tetap", "batal")
    assert d.ask.question == "__cancel__"
    d.send("tidak")
    assert d.ask.question == "due"
    d.send("batal", "ya")
    assert any(isinstance(e, Cancelled) for e in d.events)
    assert d.texts() == ["Pengisian tenggat dibatalkan. Tidak ada yang diubah."]


def test_an_edit_opens_on_its_review_with_every_answer_taken_from_the_deadline() -> None:
    record = {
        "title": "Cut-off DTSEN",
        "due": "2026-02-28T16:00",  # the next occurrence of "every month on the 31st"
        "repeat": "monthly",
        "day": 31,
        "until": None,
        "region": "18.04",
        "roles": ["operator"],
        "offsets": [3, 0],
        "time": "07:30",
        "note": "",
    }
    form = _form("tenggat")
    session, events = start(form, {**CONTEXT, "record": record}, review=True)
    review = events[0].text  # type: ignore[union-attr]
    for line in (
        "1. Nama: Cut-off DTSEN",
        "2. Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB",
        "3. Berulang: setiap bulan tanggal 31",
        "4. Berulang sampai: -",
        "5. Wilayah: Kab. Lampung Barat",
        "6. Untuk: operator SIKS-NG",
        "7. Pengingat: H-3, hari H",
        "8. Jam pengingat: 07.30",
        "9. Catatan: -",
    ):
        assert line in review
    session, events = resume(form, session, Input(text="1"))
    assert "Sekarang: Cut-off DTSEN" in events[-1].text  # type: ignore[union-attr]
    session, events = resume(form, session, Input(text="tetap"))
    session, events = resume(form, session, Input(text="2"))
    session, events = resume(form, session, Input(text="28-02-2026 18.00"))
    # only the changed line again (the day of the month stays the record's 31)
    assert events[0].text == (  # type: ignore[union-attr]
        "Batas: Sabtu, 28 Februari 2026 pukul 16.00 WIB → Sabtu, 28 Februari 2026 pukul 18.00 WIB"
    )
    assert "Berulang: setiap bulan tanggal 31" in summary(form, session)
    session, events = resume(form, session, Input(text="simpan"))
    [done] = [e for e in events if isinstance(e, Completed)]
    assert [c.path for c in done.changes] == ["due"]
    assert done.answers["time"] == "07:30" and "note" not in done.answers


def test_the_deadline_form_in_english() -> None:
    d = _deadline("en")
    assert d.ask.text == "Deadline title? Example: DTKS export"
    d.send("DTKS export", "27-01-2026")
    assert _one_error(d) == "Add the time too. Example: 27-01-2026 16.00"
    d.send("14-01-2026 16.00")
    assert "The deadline must be after now (Thursday, 15 January 2026 at 10:30 WIB)" in (
        _one_error(d)
    )
    d.send("27-01-2026 16.00")
    assert [o.label for o in d.ask.options] == ["Once only", "Monthly on day 27"]
    d.send("1", "1")
    assert [o.label for o in d.ask.options] == [
        "SIKS-NG operator",
        "village head",
        "sub-district head",
        "Dinsos officer",
    ]
    d.send("1", "keep", "22.00")
    assert _one_error(d).startswith("22.00 is within the quiet hours (21.00–07.00)")


# ---- the announcement form ----------------------------------------------------------------------


def test_an_announcement_from_start_to_send() -> None:
    d = _announcement()
    assert d.ask.question == "message"
    d.send("Mulai 1 Desember, menu Usulan Baru pindah.")
    assert d.ask.question == "regions"
    assert "Contoh: Way Tenong, Air Hitam" in d.ask.text
    assert "Sekarang: Kab. Lampung Barat" in d.ask.text
    assert [o.label for o in d.ask.options] == [
        "Seluruh Kab. Lampung Barat",
        "Kec. Way Tenong",
        "Kec. Air Hitam",
    ]
    assert [o.label for o in d.ask.extra] == ["Tetap: Kab. Lampung Barat"]
    d.send("Air Hitam, Sri Menanti, 18.04.07.2006")  # a village inside a listed kecamatan: once
    assert d.answers["regions"] == ["18.04.19", "18.04.07.2006"]
    d.send("semua")
    assert d.answers["roles"] == ["operator", "peratin", "camat"]
    d.send("sekarang")
    review = d.texts()[-1]
    assert "1. Isi: “Mulai 1 Desember, menu Usulan Baru pindah.”" in review
    assert "2. Wilayah: Kec. Air Hitam, Pekon Sukananti" in review
    assert "3. Untuk: operator, peratin/kades, camat" in review
    assert "4. Dikirim: sekarang" in review
    assert [o.label for o in d.ask.options] == ["Kirim", "Batal"]
    d.send("kirim")
    [done] = [e for e in d.events if isinstance(e, Completed)]
    assert done.answers["when"] == "now"
    assert done.answers["message"] == {"text": "Mulai 1 Desember, menu Usulan Baru pindah."}


def test_a_photo_then_its_caption_and_a_document_with_one() -> None:
    d = _announcement()
    d.send(Input(photo="/data/jadwal.jpg"))
    assert d.errors() == []
    assert d.ask.question == "message"
    assert d.ask.text.startswith("Lampiran diterima. Sekarang tulis isi pengumumannya")
    assert not any(o.value == "__keep__" for o in d.ask.options)  # nothing whole to keep yet
    d.send("x" * 901)
    assert "terlalu panjang (901 huruf, paling banyak 900)" in _one_error(d)
    d.send("Jadwal verval Desember")
    assert d.answers["message"] == {
        "text": "Jadwal verval Desember",
        "media_path": "/data/jadwal.jpg",
        "media_kind": "photo",
    }
    d.send("kembali", Input(document="/data/juknis.pdf", text="Juknis terlampir"))
    assert d.answers["message"]["media_kind"] == "document"
    d.send("1", "1", "16-01-2026 08.00")
    assert "1. Isi: “Juknis terlampir” + dokumen juknis.pdf" in d.texts()[-1]


def test_a_file_at_another_question_gets_the_forms_words() -> None:
    d = _announcement()
    d.send("Isi pengumuman.", Input(photo="/data/foto.jpg"))
    assert _one_error(d).startswith("Foto atau dokumen hanya bisa dikirim pada pertanyaan isi")
    assert d.ask.question == "regions"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "31 Februari 2027 08.00",
            "Februari 2027 hanya sampai tanggal 28. Contoh: 28-02-2027 08.00",
        ),
        (
            "besok pagi",
            "Waktu tidak dikenali. Ketik SEKARANG, atau tulis seperti ini: 16-01-2026 08.00",
        ),
        ("16-01-2026", "Tulis juga jamnya. Contoh: 16-01-2026 08.00"),
        ("14-01-2026 08.00", "Waktu kirim harus setelah sekarang (Kamis, 15 Januari 2026"),
        ("16-01-2027 08.00", "Waktu kirim paling lambat 180 hari lagi. Contoh: 16-01-2026 08.00"),
        ("0", "Waktu tidak dikenali"),
        ("99", "Waktu tidak dikenali"),
        ("🙂", "Waktu tidak dikenali"),
    ],
)
def test_send_time_errors_say_what_to_type(text: str, needle: str) -> None:
    d = _announcement()
    d.send("Isi.", "air hitam", "1", text)
    assert needle in _one_error(d)
    assert d.ask.question == "when" and "(WIB)" in d.ask.text


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_answers_never_break_any_announcement_question(text: str) -> None:
    answers = ["Isi pengumuman.", "air hitam", "1", "sekarang"]
    for asked in range(len(answers) + 1):
        d = _announcement()
        d.send(*answers[:asked])
        before = d.ask.question
        d.send(text)
        assert d.session.status.value == "waiting", d.events
        _refused_or_taken(d, before)


def test_regions_outside_or_unknown_get_their_own_words() -> None:
    d = _announcement()
    d.send("Isi.", "35.28")
    assert _one_error(d) == (
        "Wilayah 35.28 di luar wilayah tugas Anda. Pilih wilayah di kabupaten Anda. "
        "Contoh: Way Tenong, Air Hitam"
    )
    d.send("Air Hitam, Kota Antah")
    assert _one_error(d).startswith('Wilayah "Kota Antah" tidak ditemukan di kabupaten Anda.')
    d.send("18.04.99")
    assert _one_error(d).startswith('Wilayah "18.04.99" tidak ditemukan')
    d.send("tetap")
    assert d.answers["regions"] == ["18.04"]


def test_the_announcement_form_in_english() -> None:
    d = _announcement("en")
    d.send("Notice.")
    assert "For which regions?" in d.ask.text and "Now: Kab. Lampung Barat" in d.ask.text
    assert d.ask.options[0].label == "All of Kab. Lampung Barat"
    d.send("all", "1", "tomorrow")
    assert (
        _one_error(d)
        == "Time not understood. Type SEKARANG, or write it like this: 16-01-2026 08.00"
    )
    assert [o.label for o in d.ask.options] == ["Now"]
    d.send("now")
    assert "4. Sent: now" in d.texts()[-1]
    d.send("send")
    assert any(isinstance(e, Completed) for e in d.events)


# ---- answers read outside a session (the CLI) ------------------------------------------------


def test_read_answer_checks_as_the_form_does_and_gives_the_reason() -> None:
    form = _form("tenggat")
    ok = read_answer(form, "due", "27 Januari 2027 pukul 16.00", {"zone": "Asia/Jakarta"})
    assert (ok.value, ok.error) == ("2027-01-27T16:00", None)
    missing = read_answer(form, "due", "2099-02-30T16:00", {})
    assert missing.reason == "missing" and "Contoh: 28-02-2099 16.00" in (missing.error or "")
    past = read_answer(form, "due", "2001-01-27T16:00", {"now": NOW})
    assert past.reason == "past"
    quiet = read_answer(form, "time", "22:00", {"quiet_hours": "21:00-07:00"})
    assert quiet.reason == "quiet"
    early = read_answer(form, "until", "2026-12-31", {}, answers={"due": "2027-01-17T16:00"})
    assert early.reason == "early"
    assert read_answer(form, "roles", "operator,peratin", {}).value == ["operator", "peratin"]
    with pytest.raises(ValueError, match="no question"):
        read_answer(form, "nothing", "x", {})
