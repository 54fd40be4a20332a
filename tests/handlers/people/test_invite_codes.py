"""Invite codes: 60 bits, easy to type, valid in a Telegram deep link; what people type is
read back to the stored form."""

from __future__ import annotations

import math
import re

import pytest

from handlers.messages import Channel, Inbound, InboundKind
from handlers.people.registration import (
    ALPHABET,
    deep_link,
    is_invite_attempt,
    new_invite_code,
    normalize_code,
)

_TELEGRAM_START = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what a deep link's start= may hold


def test_a_new_code_has_sixty_bits_in_three_groups_of_easy_symbols() -> None:
    codes = {new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"KWL-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
        assert not set(code.replace("-", "")[3:]) & set("01OI")
        assert _TELEGRAM_START.fullmatch(code)
        assert normalize_code(code) == code
    assert len(set(ALPHABET)) == 32
    assert math.log2(len(ALPHABET)) * 12 >= 50


@pytest.mark.parametrize(
    "typed",
    [
        "KWL-7F3K-9QXM-2ABC",
        "kwl-7f3k-9qxm-2abc",
        "KWL 7F3K 9QXM 2ABC",
        "kwl7f3k9qxm2abc",
        "7F3K-9QXM-2ABC",
        "7f3k 9qxm 2abc",
        "7F3K9QXM2ABC",
        "  KWL_7F3K_9QXM_2ABC  ",
        "/start KWL-7F3K-9QXM-2ABC",
        "/start@kawal_bot KWL-7F3K-9QXM-2ABC",
        "DAFTAR kwl 7f3k 9qxm 2abc",
        "daftar: 7F3K-9QXM-2ABC",
        "register KWL-7F3K-9QXM-2ABC",
        "KWL - 7F3K - 9QXM - 2ABC",
    ],
)
def test_what_people_type_reads_as_the_code(typed: str) -> None:
    assert normalize_code(typed) == "KWL-7F3K-9QXM-2ABC"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("KWL-ABCDEF", "KWL-ABCDEF"),  # codes made before: 6 symbols, digits 0 and 1 too
        ("kwl abcdef", "KWL-ABCDEF"),
        ("DAFTAR KWL-DINS01", "KWL-DINS01"),
        ("/start KWL-OP0001", "KWL-OP0001"),
        ("KWLKWLA-BCDE-FGHJ", "KWL-KWLA-BCDE-FGHJ"),  # a code that itself starts with KWL
        ("KWLA-BCDE-FGHJ", "KWL-KWLA-BCDE-FGHJ"),  # the same, without the prefix
        ("KWL-ABCD-EFGH", None),  # 8 symbols: neither kind
    ],
)
def test_old_six_symbol_codes_still_read(typed: str, code: str | None) -> None:
    assert normalize_code(typed) == code


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "halo",
        "ABCDEF",  # 6 symbols need the KWL prefix (a word like LANJUT must not be a code)
        "lanjut",
        "7F3K-9QXM-2AB",  # 11 symbols
        "7F3K-9QXM-2ABCD",  # 13
        "7F3K-9QXM-2AB0",  # 0 is not in the alphabet
        "7F3K-9QXM-2ABO",
        "KWL-7F3K-9QXM-2AB1",
        "\u202eKWL-7F3K-9QXM-2ABC",
        "ＫＷＬ-7F3K-9QXM-2ABC",
        "KWL-7F3K-9QXM-2ABC; DROP TABLE",
    ],
)
def test_anything_else_is_not_a_code(typed: str) -> None:
    assert normalize_code(typed) is None


def _text(text: str) -> Inbound:
    return Inbound(Channel.TELEGRAM, "1", "u1", InboundKind.TEXT, text=text)


def test_a_registered_persons_plain_text_is_an_attempt_only_with_the_prefix() -> None:
    assert is_invite_attempt(_text("KWL-7F3K-9QXM-2ABC"))
    assert is_invite_attempt(_text("kwl 7f3k 9qxm 2abc"))
    assert is_invite_attempt(_text("DAFTAR apa saja"))  # counted as a wrong code
    # A bare code could be an answer to a question: a stranger's is taken (see handle).
    assert not is_invite_attempt(_text("7F3K9QXM2ABC"))
    assert not is_invite_attempt(_text("lanjut"))
    start = Inbound(Channel.TELEGRAM, "1", "u2", InboundKind.COMMAND, command="start", args="x")
    assert is_invite_attempt(start)
    bare = Inbound(Channel.TELEGRAM, "1", "u3", InboundKind.COMMAND, command="start")
    assert not is_invite_attempt(bare)


def test_deep_link() -> None:
    code = new_invite_code()
    assert deep_link("@kawal_lambar_bot", code) == f"https://t.me/kawal_lambar_bot?start={code}"
