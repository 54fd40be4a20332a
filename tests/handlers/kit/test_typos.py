"""A command word typed with one slip."""

from __future__ import annotations

import pytest

from handlers.kit.typos import meant


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("mneu", "menu"),  # two neighbours swapped
        ("MNEU", "menu"),
        ("lanjt", "lanjut"),  # a letter missing
        ("bantuann", "bantuan"),  # one too many
        ("tengat", "tenggat"),
        ("btal", "batal"),
        ("kembal", "kembali"),
        ("tetep", "tetap"),  # one letter changed
        ("progress", "progres"),
    ],
)
def test_one_slip_is_the_word(typed: str, word: str) -> None:
    assert meant(typed) == word


@pytest.mark.parametrize(
    "typed",
    [
        "menu",
        "batal",
        "",
        "mnu",
        "ok",
        "Agus",
        "halo",
        "baru",
        "Jl. Menu",
        "menu 2",
        "m3nu",
        "mmenuu",
    ],
)
def test_anything_else_is_not_a_command(typed: str) -> None:
    assert meant(typed) is None
