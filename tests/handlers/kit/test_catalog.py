"""The handlers' message catalog: every message in both languages, with the same placeholders."""

from __future__ import annotations

from string import Formatter

import pytest

from handlers.kit.i18n import catalog_languages, keys, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(keys()))
def test_every_message_has_indonesian_and_english_with_the_same_fields(key: str) -> None:
    assert catalog_languages(key) == {"id", "en"}
    indonesian, english = (t(key, lang) for lang in ("id", "en"))
    assert _fields(indonesian) == _fields(english)
    assert indonesian.strip() and english.strip()


def test_lists_split_alike() -> None:
    for key in ("weekdays", "months"):
        assert len(t(key, "id").split(",")) == len(t(key, "en").split(",")) in (7, 12)
    for key in ("quality_sheets", "quality_dup_cols", "progress_xlsx_counts"):
        assert len(t(key, "id").split("|")) == len(t(key, "en").split("|"))
