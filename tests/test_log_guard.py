"""The session-wide guard against unmasked NIK/KK in logs can fail, and masked text passes."""

from __future__ import annotations

import logging

import pytest

from flows.ids import mask_ids_in_text
from tests.log_guard import IdLeakHandler

NIK = "1804072704900258"
KK = "1804191611200001"


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("kawal.test", logging.INFO, __file__, 1, msg, args, None)


def test_an_unmasked_nik_is_caught_without_being_repeated() -> None:
    guard = IdLeakHandler()
    guard.handle(_record("saved member %s", NIK))
    guard.handle(_record(f"no. kk {KK} imported"))
    assert len(guard.leaks) == 2
    assert all(NIK not in leak and NIK[:4] not in leak for leak in guard.leaks)


@pytest.mark.parametrize(
    "spelled", ["1804 0727 0490 0258", "1804-0727-0490-0258", "1804.0727.0490.0258"]
)
def test_a_grouped_nik_is_caught(spelled: str) -> None:
    guard = IdLeakHandler()
    guard.handle(_record("search for %s found nothing", spelled))
    assert len(guard.leaks) == 1


@pytest.mark.parametrize("partly", ["1804********0258", "180407270490****", "****072704900258"])
def test_a_number_masked_only_in_part_is_caught(partly: str) -> None:
    guard = IdLeakHandler()
    guard.handle(_record("duplicate NIK %s", partly))
    assert guard.leaks


def test_eight_digits_of_a_known_number_are_caught_however_grouped() -> None:
    guard = IdLeakHandler(known=(NIK,))
    guard.handle(_record("born 2704 9002 in the NIK"))  # 8 digits of the NIK, regrouped
    guard.handle(_record("last digits 0258 only"))  # the suffix a mask shows: fine
    assert len(guard.leaks) == 1
    unknown = IdLeakHandler()
    unknown.handle(_record("born 2704 9002 in the NIK"))
    assert unknown.leaks == []


def test_masked_numbers_and_other_digits_pass() -> None:
    guard = IdLeakHandler(known=(NIK, KK))
    guard.handle(_record(mask_ids_in_text(f"saved member {NIK}, kk {KK[:4]} {KK[4:8]} {KK[8:]}")))
    guard.handle(_record("update 12345678901234567 and phone +6281234567890"))
    guard.handle(_record("2026-11-23 10:00:00 UTC, 36.5 m2, RT 003"))
    guard.handle(_record("wrote exports/ekspor-18.04-20260115-033000.xlsx"))
    assert guard.leaks == []
