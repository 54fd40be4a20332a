"""The handlers' message catalog: every message in both languages, with the same placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from handlers.kit.i18n import catalog_languages, keys, t, tn
from locales import domain


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(keys()))
def test_every_message_has_indonesian_and_english_with_the_same_fields(key: str) -> None:
    assert catalog_languages(key) == {"id", "en"}
    handlers = domain("handlers")
    for indonesian in handlers.forms(key, "id"):
        for english in handlers.forms(key, "en"):
            assert _fields(indonesian) == _fields(english)
            assert indonesian.strip() and english.strip()


def test_lists_split_alike() -> None:
    for key in ("quality_sheets", "quality_dup_cols", "progress_xlsx_counts"):
        assert len(t(key, "id").split("|")) == len(t(key, "en").split("|"))


def test_counts_agree_with_their_noun_in_english_only() -> None:
    assert tn("search_results", 1, "en") == "Found 1 family. Choose it:"
    assert tn("search_results", 3, "en") == "Found 3 families. Choose one:"
    assert tn("search_results", 1, "id") == "Ditemukan 1 keluarga. Pilih satu:"
    assert tn("search_results", 3, "id") == "Ditemukan 3 keluarga. Pilih satu:"
    assert tn("remaining", 1200, "en", n="1,200") == "1,200 families to go."
