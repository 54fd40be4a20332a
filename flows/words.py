"""What a typed line means before it is read as an answer: keep words, navigation words, and
words that are not answers (a correction word, a command, a question).

One meaning per key in every form: keep is a word (and a button), never a number; a number is
an option only on a select question and the value itself everywhere else.
"""

from __future__ import annotations

import re

__all__ = ["Word", "classify", "normalize"]

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
