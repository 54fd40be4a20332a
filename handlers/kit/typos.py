"""A command word typed with one slip ("mneu", "lanjt", "tengat"): the word meant.

Only one-word lines of letters are read, and only when exactly one command word is one edit
away (a letter missing, added, changed, or two neighbours swapped): "menu" and "mulai" never
stand in for each other, and a longer answer is never taken for a command. Where a typed
line may be an answer (a name, an address), the caller does not ask.
"""

from __future__ import annotations

__all__ = ["COMMANDS", "meant"]

# The words the help lists, in both languages (``handlers.app`` and the engine read them).
COMMANDS = (
    "menu",
    "mulai",
    "lanjut",
    "bantuan",
    "batal",
    "kembali",
    "lewati",
    "simpan",
    "tetap",
    "ringkasan",
    "tenggat",
    "progres",
    "kualitas",
    "pengumuman",
    "help",
    "cancel",
    "back",
    "skip",
    "save",
)
_SHORTEST = 4  # "mnu" or "bak" are too short to tell apart from a real answer


def meant(text: str) -> str | None:
    """The command word ``text`` is one slip away from, or None (also for the word itself)."""
    word = text.strip().lower()
    if len(word) < _SHORTEST or not word.isalpha() or word in COMMANDS:
        return None
    near = [c for c in COMMANDS if len(c) >= _SHORTEST and _one_slip(word, c)]
    return near[0] if len(near) == 1 else None


def _one_slip(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]
