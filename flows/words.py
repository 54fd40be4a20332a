"""What a typed line means before it is read as an answer: keep words, navigation words, and
words that are not answers (a correction word, a command, a question); and what an input is
(its kind, its raw text, a yes or a no, a keep button).

One meaning per key in every form: keep is a word (and a button), never a number; a number is
an option only on a select question and the value itself everywhere else.
"""

from __future__ import annotations

import re

from flows import positions
from flows.qtypes import yes_no_word
from flows.session import Input

__all__ = [
    "Word",
    "classify",
    "input_kind",
    "meaning_of",
    "normalize",
    "raw_text",
    "typed_word",
    "word_only",
    "yes_no_input",
]

KEEP = frozenset(
    {
        "tetap",
        "sama",
        "ok",
        "oke",
        "okay",
        "masih sama",
        "tidak berubah",
        "tdk berubah",
        "tidak ada perubahan",
        "belum berubah",
        "sama saja",
        "tetap sama",
        "masih",
        "keep",
        "same",
        "unchanged",
        "no change",
    }
)
KEEP_ALL = frozenset(
    {"semua tetap", "semua data tetap", "semua sama", "semua masih sama", "all unchanged"}
)
RESTART = frozenset(
    {"kembali ke awal", "ulang dari awal", "mulai lagi", "dari awal", "balik ke awal", "start over"}
)
REPEAT = frozenset({"ulang", "ulangi", "lagi", "repeat", "again"})
WRONG = frozenset({"salah", "keliru", "tidak benar", "bukan itu", "wrong"})
# Replies that answer a yes/no question, not an address or a name.
DOUBT = frozenset(
    {
        "benar",
        "betul",
        "sudah benar",
        "sudah betul",
        "ya",
        "iya",
        "y",
        "sudah",
        "tidak",
        "bukan",
        "gak",
        "nggak",
        "yes",
        "no",
        "right",
        "correct",
        "menu",
        "help",
        "bantuan",
        "tolong",
        "lanjut",
        "next",
        "oke sip",
        "sip",
        "siap",
        "done",
        "selesai",
    }
)
_QUESTION_START = frozenset(
    {
        "apa",
        "apakah",
        "bagaimana",
        "gimana",
        "kenapa",
        "mengapa",
        "maksud",
        "maksudnya",
        "kok",
        "what",
        "how",
        "why",
    }
)


class Word:
    KEEP = "keep"
    KEEP_ALL = "keep_all"
    RESTART = "restart"
    REPEAT = "repeat"
    WRONG = "wrong"
    NOT_AN_ANSWER = "not_an_answer"


def normalize(text: str) -> str:
    """Lower case, single spaces, no leading slash, no trailing full stop or exclamation."""
    return " ".join(text.strip().lower().lstrip("/").rstrip(".!").split())


def classify(text: str) -> str | None:
    """The meaning of a typed line that is not a value, or None when it may be one."""
    s = normalize(text)
    if s in KEEP:
        return Word.KEEP
    if s in KEEP_ALL:
        return Word.KEEP_ALL
    if s in RESTART:
        return Word.RESTART
    if s in REPEAT:
        return Word.REPEAT
    if s in WRONG:
        return Word.WRONG
    first = re.split(r"\W+", s, maxsplit=1)[0] if s else ""
    if s in DOUBT or s.endswith("?") or first in _QUESTION_START:
        return Word.NOT_AN_ANSWER
    return None


def input_kind(inp: Input) -> str:
    if inp.photo is not None:
        return "photo"
    if inp.location is not None:
        return "location"
    if inp.document is not None:
        return "document"
    if inp.choice is not None:
        return "choice"
    return "text"


def raw_text(inp: Input) -> str:
    if inp.photo is not None or inp.document is not None or inp.location is not None:
        return ""
    return (inp.choice if inp.choice is not None else inp.text).strip()


def typed_word(inp: Input) -> str | None:
    if inp.photo is not None or inp.document is not None or inp.location is not None:
        return None
    return normalize(raw_text(inp))


def yes_no_input(inp: Input, *, numbers: bool = True) -> bool | None:
    """ya/tidak (or their buttons); "1"/"2" only where the options are numbered."""
    if inp.choice in {positions.YES, positions.NO}:
        return inp.choice == positions.YES
    if input_kind(inp) not in {"text", "choice"}:
        return None
    raw = raw_text(inp)
    if numbers and raw in {"1", "2"}:
        return raw == "1"
    return yes_no_word(raw)


def meaning_of(inp: Input) -> str | None:
    """A keep / navigation word typed or pressed (None for a photo, a location, a value)."""
    if inp.choice == positions.KEEP:
        return Word.KEEP
    if inp.choice == positions.KEEP_ALL:
        return Word.KEEP_ALL
    if inp.photo is not None or inp.document is not None or inp.location is not None:
        return None
    return classify(raw_text(inp))


def word_only(inp: Input) -> bool:
    """A bare reply word (ya, tidak, sudah, lanjut...): no text question's answer, even where
    a question about the answer ("apa maksudnya?") might be a report's own words."""
    return typed_word(inp) in DOUBT
