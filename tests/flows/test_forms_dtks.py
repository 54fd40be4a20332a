"""Golden walks through the DTKS forms: anggota_keluarga, kondisi_rumah, usulan_baru,
lapor_kendala (every branch of their skip logic at least once), and a privacy scan of every form."""

from __future__ import annotations

import re

import pytest

from flows import Ask, Completed, Form, FormRegistry, Input, builtin_forms

from .conftest import Driver


@pytest.fixture(scope="module")
def forms() -> FormRegistry:
    return builtin_forms()


def _form(forms: FormRegistry, form_id: str) -> Form:
    form = forms.latest(form_id)
    assert form is not None
    return form


def walk(d: Driver, steps: list[tuple[object, str]]) -> None:
    """Each step: the input, then the path of the question asked next ("SAY" for a warning)."""
    for given, expected in steps:
        d.send(given)
        asks = [e for e in d.events if isinstance(e, Ask)]
        got = asks[-1].question if asks else "-"
        if expected == "WARN":
            assert any(getattr(e, "tone", "") == "warning" for e in d.events), (given, d.events)
            assert asks[-1].input == "confirm"
            continue
        assert got == expected, (given, got, d.events)
        assert d.errors() == [], (given, d.errors())


def completed(d: Driver) -> Completed:
    d.send("simpan")
    return next(e for e in d.events if isinstance(e, Completed))


HEAD = {
    "name": "Agus Hidayat",
    "nik": "1804072704900258",
    "sex": "L",
    "birth_date": "1990-04-27",
    "relation": "kepala_keluarga",
    "marital_status": "kawin",
    "presence": "tinggal",
    "education": "sma",
    "job": "Petani",
    "disability": ["tidak_ada"],
}
WIFE = {
    "name": "Lestari Hidayat",
    "nik": "1804195405640159",
    "sex": "P",
    "birth_date": "1964-05-14",
    "relation": "istri_suami",
    "presence": "tinggal",
}
CHILD = {
    "name": "Darmawan Hidayat",
    "nik": "1804191105130285",
    "sex": "L",
    "birth_date": "2013-05-11",
    "relation": "anak",
    "presence": "tinggal",
}


# ---- anggota_keluarga ---------------------------------------------------------------------


def test_members_golden_keep_correct_remove_and_add(forms):
    d = Driver(_form(forms, "anggota_keluarga"), {"record": {"members": [HEAD, WIFE, CHILD]}})
    assert d.texts()[0].startswith("Ketik tetap")
    # the picker: the member to change, or a new one
    assert d.ask.question == "members.__add__"
    assert "Agus Hidayat" in d.ask.options[0].label
    walk(
        d,
        [
            ("1", "members.0.presence"),
            # member 1 keeps everything (every question prefilled)
            ("tetap", "members.0.name"),
            ("tetap", "members.0.sex"),
            ("tetap", "members.0.birth_date"),
            ("tetap", "members.0.nik"),
            ("tetap", "members.0.relation"),
            ("tetap", "members.0.marital_status"),
            ("tetap", "members.0.education"),
            ("tetap", "members.0.job"),
            ("tetap", "members.0.disability"),
            ("tetap", "members.__add__"),
            ("2", "members.1.presence"),
            # member 2 died: no correction questions
            ("Meninggal", "members.__add__"),
            ("3", "members.2.presence"),
            # member 3 still lives here: corrections
            ("1", "members.2.name"),
            ("Darmawan", "members.2.sex"),
            ("tetap", "members.2.birth_date"),
            ("tetap", "members.2.nik"),
            ("tetap", "members.2.relation"),
            ("tetap", "members.2.marital_status"),
            ("belum kawin", "members.2.education"),
            ("SD", "members.2.job"),
            ("lewati", "members.2.disability"),
            ("1,4", "members.__add__"),
            # a new member: "baru" without asking
            ("Tambah anggota", "members.3.name"),
            ("Siti Hidayat", "members.3.sex"),
            ("P", "members.3.birth_date"),
            ("09-03-2024", "members.3.nik"),
            ("9999999999999995", "members.3.relation"),
            ("cucu", "members.3.marital_status"),
            ("1", "members.3.education"),
            ("tidak/belum", "members.3.job"),
            ("lewati", "members.3.disability"),
            ("tidak ada", "members.__add__"),
            ("selesai", "notes"),
            ("lewati", "__review__"),
        ],
    )
    assert d.ask.question == "__review__"
    review = d.texts()[0]
    assert "Nama lengkap: Darmawan Hidayat → Darmawan" in review
    assert "Keberadaan anggota: Tinggal di rumah ini → Meninggal" in review
    done = completed(d)
    members = done.answers["members"]
    assert [m.get("presence") for m in members] == ["tinggal", "meninggal", "tinggal", None]
    assert members[1] == {"presence": "meninggal"}  # corrections dropped for the deceased
    assert members[2]["disability"] == ["fisik", "netra"]
    assert members[3]["nik"] == "9999999999999995"
    paths = {c.path: (c.before, c.after) for c in done.changes}
    assert paths["members.1.presence"] == ("tinggal", "meninggal")
    assert paths["members.2.name"] == ("Darmawan Hidayat", "Darmawan")
    assert "members.0.name" not in paths


def test_members_nik_that_disagrees_with_sex_and_birth_date_is_a_warning(forms):
    d = Driver(_form(forms, "anggota_keluarga"), {"record": {"members": [HEAD]}})
    walk(
        d,
        [
            ("1", "members.0.presence"),
            ("tetap", "members.0.name"),
            ("tetap", "members.0.sex"),
            ("tetap", "members.0.birth_date"),
            ("tetap", "members.0.nik"),
            ("1804195405640159", "WARN"),  # a woman's NIK (day + 40) born in 1964
            ("tidak", "members.0.nik"),  # correct it instead
            ("1804195405640159", "WARN"),
            ("ya", "members.0.relation"),  # confirmed: kept as typed
        ],
    )
    assert d.answers["members"][0]["nik"] == "1804195405640159"


def test_members_head_younger_than_15_is_a_warning(forms):
    d = Driver(_form(forms, "anggota_keluarga"), {"record": {"members": []}})
    assert d.ask.question == "members.__add__"
    walk(
        d,
        [
            ("ya", "members.0.name"),  # an added member is new: presence not asked
            ("Andi", "members.0.sex"),
            ("L", "members.0.birth_date"),
            ("11-05-2015", "members.0.nik"),
            ("9999999999999995", "members.0.relation"),
            ("Kepala keluarga", "WARN"),
            ("ya", "members.0.marital_status"),
        ],
    )


def test_members_disability_none_and_a_kind_is_refused(forms):
    d = Driver(_form(forms, "anggota_keluarga"), {"record": {"members": [HEAD]}})
    d.send("1", *["tetap"] * 9)
    assert d.ask.question == "members.0.disability"
    d.send("1,7")
    assert d.errors() == ["Pilih Tidak ada saja, atau jenis disabilitasnya saja. Contoh: 1,3"]


# ---- kondisi_rumah ------------------------------------------------------------------------


def test_housing_pln_with_meter_asks_power_golden(forms):
    d = Driver(_form(forms, "kondisi_rumah"), {"record": {}})
    assert d.ask.question == "ownership"
    walk(
        d,
        [
            ("Milik sendiri", "floor_area"),
            ("36,5", "floor"),
            ("keramik", "wall"),
            ("tembok", "roof"),
            ("seng", "water"),
            ("sumur bor", "lighting"),
            ("Listrik PLN dengan meteran", "power"),
            ("900 VA", "cooking_fuel"),
            ("Elpiji 3 kg", "toilet"),
            ("1", "assets"),
            ("sepeda motor, smartphone", "programmes"),
            ("1,2", "notes"),
            ("lewati", "__review__"),
        ],
    )
    done = completed(d)
    assert done.answers == {
        "ownership": "milik_sendiri",
        "floor_area": 36.5,
        "floor": "keramik",
        "wall": "tembok",
        "roof": "seng",
        "water": "sumur_bor",
        "lighting": "pln_meter",
        "power": "900",
        "cooking_fuel": "elpiji_3kg",
        "toilet": "sendiri",
        "assets": ["sepeda_motor", "smartphone"],
        "programmes": ["pkh", "bpnt"],
    }


def test_housing_without_pln_meter_skips_power_and_keeps_prefill(forms):
    housing = {
        "ownership": "milik_sendiri",
        "floor_area": 30,
        "floor": "tanah",
        "wall": "bambu",
        "roof": "seng",
        "water": "sumur_terlindung",
        "lighting": "pln_meter",
        "power": "450",
        "cooking_fuel": "kayu_bakar",
        "toilet": "umum",
        "assets": ["tidak_ada"],
    }
    d = Driver(
        _form(forms, "kondisi_rumah"), {"record": {"housing": housing, "programmes": ["pkh"]}}
    )
    steps = ["tetap"] * 6 + ["Bukan listrik"] + ["tetap"] * 4 + ["lewati"]
    d.send(*steps)
    assert d.ask.question == "__review__"
    assert "Sumber penerangan utama: Listrik PLN dengan meteran → Bukan listrik" in d.texts()[0]
    done = completed(d)
    assert "power" not in done.answers
    assert done.answers["programmes"] == ["pkh"]
    assert [c.path for c in done.changes] == ["lighting"]


def test_housing_floor_area_bounds(forms):
    d = Driver(_form(forms, "kondisi_rumah"), {"record": {}})
    d.send("1", "5000")
    assert d.errors() and d.ask.question == "floor_area"
    d.send("0,5")
    assert d.errors() and d.ask.question == "floor_area"


# ---- usulan_baru --------------------------------------------------------------------------


def test_proposal_golden_with_members_photo_and_location(forms):
    d = Driver(_form(forms, "usulan_baru"), {"record": {}})
    assert d.ask.question == "no_kk"
    walk(
        d,
        [
            ("1804190101250009", "head_name"),
            ("Joko Susilo", "head_sex"),
            ("Laki-laki", "head_birth_date"),
            ("27-04-1990", "head_nik"),
            ("1804072704900999", "address"),
            ("Dusun I, Pekon Sri Menanti", "rt"),
            ("2", "rw"),
            ("1", "members.__add__"),
            ("ya", "members.0.name"),
            ("Sari Susilo", "members.0.sex"),
            ("P", "members.0.birth_date"),
            ("14-05-1992", "members.0.nik"),
            ("1804195405920001", "members.0.relation"),
            ("Istri/suami", "members.0.marital_status"),
            ("kawin", "members.__add__"),
            ("tidak", "house_photo"),
            (Input(photo="file-rumah-1"), "location"),
            (Input(location=(-5.05, 104.2)), "notes"),
            ("Rumah panggung", "__review__"),
        ],
    )
    done = completed(d)
    assert done.answers["no_kk"] == "1804190101250009"
    assert done.answers["head_nik"] == "1804072704900999"
    assert done.answers["house_photo"] == "file-rumah-1"
    assert done.answers["location"] == {"latitude": -5.05, "longitude": 104.2}
    assert done.answers["members"][0]["relation"] == "istri_suami"
    assert done.changes == []


def test_proposal_photo_and_location_may_be_skipped_and_warnings(forms):
    d = Driver(_form(forms, "usulan_baru"), {"record": {}})
    walk(
        d,
        [
            ("1804190101250009", "head_name"),
            ("Rina", "head_sex"),
            ("P", "head_birth_date"),
            ("01-01-2015", "WARN"),  # head younger than 15
            ("ya", "head_nik"),
            ("1804072704900999", "WARN"),  # a man's NIK born 1990
            ("ya", "address"),
            ("Dusun II", "rt"),
            ("003", "rw"),
            ("001", "members.__add__"),
            ("tidak", "house_photo"),
            ("lewati", "location"),
            ("lewati", "notes"),
            ("lewati", "__review__"),
        ],
    )
    done = completed(d)
    assert "house_photo" not in done.answers and "location" not in done.answers
    assert "members" not in done.answers or done.answers["members"] == []


# ---- lapor_kendala ------------------------------------------------------------------------


def test_problem_report_with_and_without_screenshot(forms):
    d = Driver(_form(forms, "lapor_kendala"), {"record": {}})
    walk(
        d,
        [
            ("1", "text"),
            ("Menu verifikasi tidak muncul sejak pagi", "screenshot"),
            (Input(photo="file-layar"), "__review__"),
        ],
    )
    assert completed(d).answers == {
        "category": "aplikasi",
        "text": "Menu verifikasi tidak muncul sejak pagi",
        "screenshot": "file-layar",
    }
    d = Driver(_form(forms, "lapor_kendala"), {"record": {}})
    d.send("jaringan", "pendek")
    assert d.errors() and d.ask.question == "text"
    walk(d, [("Sinyal hilang di balai pekon", "screenshot"), ("lewati", "__review__")])
    assert completed(d).answers == {
        "category": "jaringan",
        "text": "Sinyal hilang di balai pekon",
    }


# ---- privacy ------------------------------------------------------------------------------

_DOCUMENT_WORDS = re.compile(r"\b(ktp|e-ktp|kk|kartu keluarga|kartu tanda penduduk)\b", re.I)


def _questions(form: Form):
    for q in form.questions:
        yield q
        yield from q.questions or []


def test_no_form_asks_for_a_photo_of_ktp_or_kk(forms):
    """UU PDP: never ask for document photos. Every photo question's text is scanned."""
    scanned = 0
    for form in forms:
        for q in _questions(form):
            if q.type != "photo":
                continue
            scanned += 1
            for label in (q.label, q.hint):
                for text in (label.id, label.en or "") if label else ():
                    assert not _DOCUMENT_WORDS.search(text), (form.id, q.name, text)
    assert scanned >= 2


_ASKS_FOR_DOCUMENT = re.compile(
    r"(foto|photo|gambar|scan|pindai|unggah|upload|kirim|send)\W+(\w+\W+){0,3}?"
    r"(ktp|e-ktp|kk|kartu keluarga|kartu tanda penduduk|id card|family card)\b",
    re.I,
)


def test_no_question_text_anywhere_asks_for_an_identity_document(forms):
    """Every label and hint of every form (all types): no "foto KTP", "kirim KK", ..."""
    for form in forms:
        texts = [form.title, form.description]
        for q in _questions(form):
            texts += [q.label, q.hint, q.add_another, q.item_label]
            texts += [c.label for c in q.choices or []]
        for label in texts:
            for text in (label.id, label.en or "") if label else ():
                assert not _ASKS_FOR_DOCUMENT.search(text), (form.id, text)
    assert _ASKS_FOR_DOCUMENT.search("Kirim foto KTP kepala keluarga")
    assert _ASKS_FOR_DOCUMENT.search("Unggah scan kartu keluarga")
    assert not _ASKS_FOR_DOCUMENT.search("Nomor KK (16 angka)")


def test_the_scan_catches_a_document_photo():
    assert _DOCUMENT_WORDS.search("Foto KTP kepala keluarga")
    assert _DOCUMENT_WORDS.search("Photo of the Kartu Keluarga")
    assert not _DOCUMENT_WORDS.search("Foto rumah tampak depan")


def test_every_form_has_english_labels(forms):
    for form in forms:
        for q in _questions(form):
            assert q.label.en, (form.id, q.name)
