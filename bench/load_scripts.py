"""What the simulated operators of the load benchmark (``bench/telegram_load.py``) send: the
registration and one round of the verification form, per bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.register import household


@dataclass(frozen=True, slots=True)
class Step:
    text: str = ""
    press: str = ""  # a button: its option value, its callback data, or part of its label

    def __str__(self) -> str:
        return f"[{self.press}]" if self.press else self.text


def _say(*texts: str) -> list[Step]:
    return [Step(text=t) for t in texts]


# Found; keep the address, RT and RW; the head still lives there; skip phone and notes.
FORM_ANSWERS = ("ditemukan", "tetap", "tetap", "tetap", "ya", "lewati", "lewati", "simpan")


@dataclass(frozen=True, slots=True)
class Script:
    registration: Callable[[int], list[Step]]
    round: Callable[[int], list[Step]]


def _kawal_round(index: int) -> list[Step]:
    # Since issue 17 a save answers one line and a Menu button, not the whole menu: the
    # operator opens the menu (typing MENU, as pressing the button does), then the form.
    return [
        *_say("menu"),
        Step(press="m:verify"),
        *_say(household(index).head_name, "1", *FORM_ANSWERS),
    ]


def _ptb_round(index: int) -> list[Step]:
    # The PTB baseline still shows the whole menu after a save.
    return [Step(press="m:verify"), *_say(household(index).head_name, "1", *FORM_ANSWERS)]


def _echo_round(index: int) -> list[Step]:
    return _say("verify", household(index).head_name, "1", *FORM_ANSWERS)


SCRIPTS = {
    "kawal": Script(
        registration=lambda i: [Step(text=f"/start {invite_code(i)}"), Step(press="Setuju")],
        round=_kawal_round,
    ),
    "echo": Script(registration=lambda i: _say("/start"), round=_echo_round),
    "ptb": Script(registration=lambda i: _say("/start"), round=_ptb_round),
}


def invite_code(index: int) -> str:
    return f"KWL-B{index:05d}"
