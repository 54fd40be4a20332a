"""NIK, No. KK and phone numbers (flows.ids): table tests."""

from datetime import date

import pytest

from flows.ids import (
    check_kk,
    check_nik,
    is_placeholder,
    mask_ids_in_text,
    mask_nik,
    mask_phone,
    nik_birth_date,
    nik_sex,
    normalize_phone,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "value", "sex", "born"),
    [
        ("1804072704900258", "1804072704900258", "L", date(1990, 4, 27)),
        ("1804076704900258", "1804076704900258", "P", date(1990, 4, 27)),  # day + 40 for women
        ("1804 0727 0490 0258", "1804072704900258", "L", date(1990, 4, 27)),
        ("18.04.07.270490.0258", "1804072704900258", "L", date(1990, 4, 27)),
        ("1804-0727-0490-0258", "1804072704900258", "L", date(1990, 4, 27)),
        ("3528110101100001", "3528110101100001", "L", date(2010, 1, 1)),
        ("3528117112990001", "3528117112990001", "P", date(1999, 12, 31)),
    ],
)
def test_nik_valid(text, value, sex, born):
    c = check_nik(text, today=TODAY)
    assert c.ok and c.error is None
    assert c.value == value
    assert c.sex == sex
    assert c.birth_date == born
    assert c.warnings == []
    assert c.placeholder is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("180407270490025", "16 angka"),  # 15 digits
        ("18040727049002581", "16 angka"),  # 17 digits
        ("1.80419E+15", "16 angka"),  # Excel-mangled: never repaired
        ("18040727049002a8", "16 angka"),
        ("", "16 angka"),
        ("9904072704900258", "provinsi 99"),
        ("0004072704900258", "provinsi 00"),
        ("1804070004900258", "Tanggal lahir"),  # day 00
        ("1804073204900258", "Tanggal lahir"),  # day 32
        ("1804074004900258", "Tanggal lahir"),  # day 40 (women start at 41)
        ("1804077204900258", "Tanggal lahir"),  # day 72
        ("1804072713900258", "Tanggal lahir"),  # month 13
        ("1804072700900258", "Tanggal lahir"),  # month 00
        ("1804073102900258", "Tanggal lahir"),  # 31 February
    ],
)
def test_nik_hard_errors(text, needle):
    c = check_nik(text, today=TODAY)
    assert not c.ok
    assert c.error is not None and needle in c.error
    assert "Contoh: 1804072704900258" in c.error


def test_nik_error_in_english():
    c = check_nik("123", "en")
    assert c.error == "NIK must be 16 digits. Example: 1804072704900258"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("1899072704900258", "kabupaten/kota 18.99"),
        ("1804992704900258", "kecamatan 18.04.99"),
        ("1804072704900000", "0000"),
        ("1804071212260258", "masa depan"),  # 12-12-2026 is after today
    ],
)
def test_nik_warnings(text, needle):
    c = check_nik(text, today=TODAY)
    assert c.ok and c.error is None
    assert any(needle in w for w in c.warnings), c.warnings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("9999999999999995", "under17"),
        ("9999999999999996", "no_nik"),
        ("9999999999999999", "foreigner"),
        ("9999999999999994", "refused"),
    ],
)
def test_nik_placeholders(text, kind):
    c = check_nik(text)
    assert c.ok and c.placeholder == kind and c.value == text
    assert is_placeholder(text)
    assert not is_placeholder("1804072704900258")


def test_nik_helpers():
    assert nik_sex("1804076704900258") == "P"
    assert nik_sex("nonsense") is None
    assert nik_sex(None) is None
    assert nik_birth_date("1804072704900258", TODAY) == date(1990, 4, 27)
    assert nik_birth_date(12) is None


@pytest.mark.parametrize(
    ("text", "ok", "needle"),
    [
        ("1804071203150004", True, None),
        ("1804 0712 0315 0004", True, None),
        ("180407120315000", False, "16 angka"),
        ("9904071203150004", False, "provinsi"),
        ("1804075203150004", False, "Tanggal"),  # KK dates are not sex-shifted
        ("1804071213150004", False, "Tanggal"),
        ("1804073002150004", False, "Tanggal"),
    ],
)
def test_kk(text, ok, needle):
    c = check_kk(text)
    assert c.ok is ok
    if ok:
        assert c.value == "1804071203150004"
    else:
        assert c.error is not None and needle in c.error and "Contoh: 1804071203150004" in c.error


def test_kk_warning_unknown_regency():
    c = check_kk("1899071203150004")
    assert c.ok and c.warnings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("081234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("(021) 5551234", "+62215551234"),
    ],
)
def test_phone_ok(text, expected):
    assert normalize_phone(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "+14155552671", "abc", "08123", "0" * 40])
def test_phone_rejects(text):
    assert normalize_phone(text) is None


def test_masking():
    assert mask_nik("1804072704900258") == "************0258"
    assert mask_nik("1804 0727 0490 0258") == "************0258"
    assert mask_nik("1234") == "****"
    text = "NIK 1804072704900258 dan KK 1804071203150004; telp 081234567890"
    assert (
        mask_ids_in_text(text) == "NIK ************0258 dan KK ************0004; telp 081234567890"
    )
    assert mask_ids_in_text("12345678901234567") == "12345678901234567"  # 17 digits: not an id


@pytest.mark.parametrize(
    "spelled",
    [
        "1804072704900258",
        "1804 0727 0490 0258",
        "1804-0727-0490-0258",
        "1804.0727.0490.0258",
        "180407 270490 0258",
        "18.04.07.270490.0258",
    ],
)
def test_every_spelling_keeps_only_the_last_four_digits(spelled):
    assert mask_nik(spelled) == "************0258"
    masked = mask_ids_in_text(f"NIK: {spelled}, tolong cek")
    assert masked == "NIK: ************0258, tolong cek"
    assert "1804" not in masked and "0727" not in masked


def test_an_id_next_to_another_number_is_still_masked():
    assert mask_ids_in_text("NIK 1804072704900258 7 orang") == "NIK ************0258 7 orang"
    assert mask_ids_in_text("ke-2 1804-0727-0490-0258.") == "ke-2 ************0258."
    assert mask_ids_in_text("1804 0727 0490 0258 7 orang") == "************0258 7 orang"


def test_text_that_is_no_id_is_left_alone():
    for text in (
        "telp +62 812-3456-7890",
        "tanggal 27-04-1990 jam 10.30",
        "update 12345678901234567",
        "RT 003 RW 004 luas 36.5",
        "ekspor-18.04-20260115-033000.xlsx",  # region, date, time: 18 digits, no id
        "18.04.19.2006 2026-01-15",
    ):
        assert mask_ids_in_text(text) == text


def test_mask_phone_keeps_four():
    assert mask_phone("6281234567890") == "…7890"
    assert mask_phone("123") == "…"


@pytest.mark.parametrize("text", ["١٨٠٤٠٧٢٧٠٤٩٠٠٢٥٨", "¹804072704900258"])
def test_non_ascii_digits_rejected(text):
    assert not check_nik(text).ok
    assert not check_kk(text).ok
    assert normalize_phone("٠٨١٢٣٤٥٦٧٨٩٠") is None


@pytest.mark.parametrize(
    ("nik", "kk", "problem"),
    [
        ("180407270490025", "180407120315000", "digits"),
        ("9904072704900258", "9904071203150004", "province"),
        ("1804073102900258", "1804073102150004", "date"),  # 31 February
        ("1804072704900258", "1804071203150004", None),
    ],
)
def test_the_problem_is_named_for_callers_with_their_own_messages(nik, kk, problem):
    assert check_nik(nik, today=TODAY).problem == problem
    assert check_kk(kk).problem == problem


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        # Where lokal-id's parse_nik says "error", Kawal keeps a warning (see flows/ids.py).
        ("1800072704900258", "kabupaten/kota 18.00"),  # lokal: code 00 is an error
        ("1804002704900258", "kecamatan 18.04.00"),
        ("1804072704900000", "0000"),  # lokal: serial 0000 is an error
    ],
)
def test_our_warnings_where_lokal_refuses(text, needle):
    c = check_nik(text, today=TODAY)
    assert c.ok and any(needle in w for w in c.warnings), c.warnings


def test_the_century_comes_from_today_never_from_the_clock():
    nik = "1804072704300258"  # born 27-04-(19|20)30
    assert nik_birth_date(nik, date(2026, 11, 23)) == date(1930, 4, 27)
    assert nik_birth_date(nik, date(2031, 1, 1)) == date(2030, 4, 27)
    assert nik_birth_date(nik) == date(2030, 4, 27)  # the fixed pivot, whatever the year is
    assert nik_birth_date("1804072704310258") == date(1931, 4, 27)


@pytest.mark.parametrize("text", ["0062812345678", "02155512"])
def test_phone_numbers_lokal_would_accept_are_refused(text):
    # lokal-id reads 0062... as +6262... and accepts a Jakarta number one digit short.
    assert normalize_phone(text) is None
