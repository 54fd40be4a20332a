"""The catalog loader: .po files per language and domain, Indonesian first, plural forms."""

from __future__ import annotations

import tomllib
from datetime import date
from fnmatch import fnmatch
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import PoFileError
from babel.numbers import format_decimal

from locales import DOMAINS, LANGS, Domain, domain
from locales.catalog import ROOT, lang_of
from locales.formats import long_date, month_name, number

HEADER = """msgid ""
msgstr ""
"Language: {lang}\\n"
"Plural-Forms: {plural}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""
PLURAL = {"id": "nplurals=1; plural=0;", "en": "nplurals=2; plural=(n != 1);"}


def _write(root: Path, lang: str, body: str, name: str = "demo") -> None:
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    text = HEADER.format(lang=lang, plural=PLURAL[lang]) + body
    (folder / f"{name}.po").write_text(text, encoding="utf-8")


@pytest.fixture
def demo(tmp_path: Path) -> Domain:
    _write(
        tmp_path,
        "id",
        'msgid "hello"\nmsgstr "Halo, {name}!"\n\n'
        'msgid "only_id"\nmsgstr "Hanya bahasa Indonesia"\n\n'
        'msgid "found"\nmsgid_plural "found"\nmsgstr[0] "Ditemukan {n} keluarga."\n',
    )
    _write(
        tmp_path,
        "en",
        'msgid "hello"\nmsgstr "Hello, {name}!"\n\n'
        'msgid "only_id"\nmsgstr ""\n\n'
        'msgid "found"\nmsgid_plural "found"\n'
        'msgstr[0] "Found {n} family."\nmsgstr[1] "Found {n} families."\n',
    )
    return Domain("demo", tmp_path)


def test_a_message_in_each_language(demo: Domain) -> None:
    assert demo.t("hello", "id", name="Siti") == "Halo, Siti!"
    assert demo.t("hello", "en", name="Siti") == "Hello, Siti!"
    assert demo.t("hello") == "Halo, {name}!"  # no fields: the template as written


def test_indonesian_stands_in_for_a_missing_translation_or_language(demo: Domain) -> None:
    assert demo.t("only_id", "en") == "Hanya bahasa Indonesia"
    assert demo.t("hello", "jv", name="Siti") == "Halo, Siti!"
    assert demo.languages("only_id") == {"id"}
    assert demo.languages("hello") == {"id", "en"}


def test_plural_forms_follow_each_language(demo: Domain) -> None:
    assert [demo.tn("found", n, "en") for n in (0, 1, 2)] == [
        "Found 0 families.",
        "Found 1 family.",
        "Found 2 families.",
    ]
    assert [demo.tn("found", n, "id") for n in (1, 2)] == [
        "Ditemukan 1 keluarga.",
        "Ditemukan 2 keluarga.",
    ]
    assert demo.tn("found", 34281, "en", n="34,281") == "Found 34,281 families."
    assert demo.tn("found", 1, "jv") == "Ditemukan 1 keluarga."


def test_an_unknown_key_raises(demo: Domain) -> None:
    with pytest.raises(KeyError, match="no message 'helo'"):
        demo.t("helo", "id")
    with pytest.raises(KeyError, match="no message 'helo'"):
        demo.tn("helo", 2, "en")
    with pytest.raises(KeyError, match="is a plural: use tn"):
        demo.t("found", "en")
    with pytest.raises(KeyError, match="not a plural: use t"):
        demo.tn("hello", 2, "en")
    with pytest.raises(KeyError, match="no catalog domain"):
        domain("nowhere")


def test_a_translation_without_its_indonesian_source_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "id", 'msgid "a"\nmsgstr "A"\n')
    _write(tmp_path, "en", 'msgid "a"\nmsgstr "A"\n\nmsgid "b"\nmsgstr "B"\n')
    with pytest.raises(ValueError, match="keys Indonesian lacks: \\['b'\\]"):
        Domain("demo", tmp_path)


def test_an_empty_indonesian_text_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "id", 'msgid "a"\nmsgstr ""\n')
    _write(tmp_path, "en", 'msgid "a"\nmsgstr "A"\n')
    with pytest.raises(ValueError, match="without text: \\['a'\\]"):
        Domain("demo", tmp_path)


def test_a_broken_file_fails_at_start_up(tmp_path: Path) -> None:
    _write(tmp_path, "id", 'msgid "a"\nmsgstr "A"\nwhat is this\n')
    _write(tmp_path, "en", "")
    with pytest.raises(PoFileError, match="misformatted"):
        Domain("demo", tmp_path)


# ---- the shipped catalogs ------------------------------------------------------------------

ALL_KEYS = [(name, key) for name in DOMAINS for key in sorted(domain(name).keys())]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(("name", "key"), ALL_KEYS)
def test_every_message_has_both_languages_and_the_same_placeholders(name: str, key: str) -> None:
    catalog = domain(name)
    assert catalog.languages(key) == set(LANGS)
    forms = {lang: catalog.forms(key, lang) for lang in LANGS}
    if key in catalog.plural_keys():
        assert (len(forms["id"]), len(forms["en"])) == (1, 2)
    else:
        assert (len(forms["id"]), len(forms["en"])) == (1, 1)
    fields = {frozenset(_fields(text)) for texts in forms.values() for text in texts}
    assert len(fields) == 1, forms  # one set of placeholders, in every language and form
    for texts in forms.values():
        for text in texts:
            assert text.strip(), key
            text.format(**{f: "x" for f in _fields(text)})  # a valid str.format template


def test_every_domain_has_messages() -> None:
    assert {name: len(domain(name).keys()) > 5 for name in DOMAINS} == dict.fromkeys(DOMAINS, True)


def test_the_files_ship_with_the_package() -> None:
    pyproject = tomllib.loads((ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    assert any(fnmatch("locales", p) for p in setuptools["packages"]["find"]["include"])
    globs = setuptools["package-data"]["locales"]
    files = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.po"))
    assert len(files) == len(DOMAINS) * len(LANGS)
    for file in files:
        assert any(fnmatch(file, glob) for glob in globs), file
    assert any(d.startswith("babel") for d in pyproject["project"]["dependencies"])


def test_numbers_and_dates_come_from_babel() -> None:
    assert (number(34281, "id"), number(34281, "en"), number(7, "jv")) == ("34.281", "34,281", "7")
    assert long_date(date(2027, 1, 26), "id") == "Selasa, 26 Januari 2027"
    assert long_date(date(2027, 1, 26), "en") == "Tuesday, 26 January 2027"
    assert [month_name(8, lang) for lang in LANGS] == ["Agustus", "August"]


@pytest.mark.parametrize("value", [0, 7, -999, 1000, -1234567, 10**12 + 5])
@pytest.mark.parametrize("lang", [*LANGS, "jv"])
def test_whole_numbers_match_babel(value: int, lang: str) -> None:
    assert number(value, lang) == format_decimal(value, locale=lang_of(lang))
