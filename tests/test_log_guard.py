"""The session-wide guard against unmasked NIK/KK in logs can fail, and masked text passes."""

from __future__ import annotations

import logging

from flows.ids import mask_ids_in_text
from tests.log_guard import IdLeakHandler


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("kawal.test", logging.INFO, __file__, 1, msg, args, None)


def test_an_unmasked_nik_is_caught_without_being_repeated() -> None:
    guard = IdLeakHandler()
    guard.handle(_record("saved member %s", "1804072704900258"))
    guard.handle(_record("no. kk 1804191611200001 imported"))
    assert len(guard.leaks) == 2
    assert all("1804072704900258" not in leak for leak in guard.leaks)


def test_masked_numbers_and_other_digits_pass() -> None:
    guard = IdLeakHandler()
    guard.handle(_record(mask_ids_in_text("saved member 1804072704900258")))
    guard.handle(_record("update 12345678901234567 and phone +6281234567890"))
    assert guard.leaks == []
