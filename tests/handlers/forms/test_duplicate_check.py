"""Issues 15 and 17: a No. KK / NIK already registered for another family is said at the
question where it was typed, and only when that family lives in the same village: nothing is
said about other villages or kabupaten (no place, no person, no digits). A new number typed
costs one look-up, at most KAWAL_DUPLICATE_CHECKS_PER_HOUR an hour per person; past it the
check is skipped, said, and logged with the person id only."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest

from bot.regions import load_regions
from bot.runtime import build_kawal
from bot.settings import Settings
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.forms.duplicates import DUPLICATE_BUCKET
from handlers.messages import Question, Text
from tests.handlers.conftest import SRI_MENANTI, Chat, World

KEDATON = "18.71.01.1003"  # Kota Bandar Lampung: another kabupaten/kota
FAR_KK = "1871010101100007"
FAR_NIK = "1871015203850004"
FAR_NAME = "Ratna Sari"
SUKA_KK = "1804070302150001"  # a household of Sukananti (same kabupaten, other village)
NEW_KK = "1804190101250009"
NEW_NIK = "1804072704900999"
AGUS_NIK = "1804072704900258"


@pytest.fixture
async def far(world: World) -> int:
    """A family in Kedaton (Bandar Lampung), outside Lampung Barat."""
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "18.71.01")
        household = await uow.households.add(
            KEDATON, FAR_NAME, FAR_KK, None, "Jl. Teuku Umar", "001", "002", now=world.clock.now()
        )
        await uow.households.add_member(
            household, 1, FAR_NAME, FAR_NIK, "kepala_keluarga", "P", None
        )
    return household


async def _operator(world: World, key: str) -> Chat:
    code = await world.invite("operator", SRI_MENANTI, f"KWL-{key}")
    chat = world.user(key)
    await chat.register(code)
    return chat


def _warnings(chat: Chat) -> list[str]:
    texts = [m.text for m in chat.last.messages if isinstance(m, Text | Question)]
    return [text for text in texts if text.startswith("⚠️")]


async def _answer(chat: Chat, text: str) -> list[str]:
    """Type ``text``; a sex / birth-date warning of a NIK is confirmed; the duplicate
    warnings said on the way."""
    await chat.text(text)
    said = _warnings(chat)
    if "berbeda" in chat.texts():
        await chat.text("ya")
        said += _warnings(chat)
    return said


async def _propose(chat: Chat, no_kk: str, head_nik: str) -> list[str]:
    """A new proposal up to the review, with one head of family; every warning said."""
    await chat.press("m:propose")
    said = await _answer(chat, no_kk)
    if said:
        await chat.text("ya")  # keep the number: the operator checked it
    for answer in ["Joko Susilo", "L", "27-04-1990"]:
        await chat.text(answer)
    found = await _answer(chat, head_nik)
    if any("sudah" in w for w in found):
        await chat.text("ya")
    for answer in ["Dusun I", "2", "1", "tidak", "lewati", "lewati", "lewati"]:
        await chat.text(answer)
    assert "Periksa jawaban" in chat.texts()
    return said + found


async def _change_head_nik(chat: Chat, nik: str) -> list[str]:
    await chat.text("5")  # the head's NIK, by its number on the review
    said = await _answer(chat, nik)
    if any("sudah" in w for w in said):
        await chat.text("ya")
    return said


def _person_id_of_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_number_of_another_kabupaten_is_never_named(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC01")
    said = await _propose(chat, FAR_KK, FAR_NIK)
    assert said == []
    everything = chat.texts()
    for secret in ("Kedaton", "Bandar Lampung", FAR_NAME, "Teuku Umar"):
        assert secret not in everything
    shown = set(re.findall(r"\d[\d*]{15}", everything))
    assert shown <= {FAR_KK, FAR_NIK}  # only what the operator typed
    await chat.text("simpan")
    assert "Usulan keluarga baru Joko Susilo tercatat" in chat.texts()


async def test_a_number_of_another_village_says_nothing(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC02")
    async with world.db.unit_of_work() as uow:
        [suka] = await uow.households.find_by_kk(SUKA_KK)
    other_nik = suka.members[0].nik
    assert other_nik is not None
    said = await _propose(chat, SUKA_KK, other_nik)
    assert said == []
    assert "Sukananti" not in chat.texts() and suka.members[0].name not in chat.texts()


async def test_a_number_of_this_village_is_said_at_its_question(world: World) -> None:
    chat = await _operator(world, "OPDC06")
    said = await _propose(chat, "1804191611200001", AGUS_NIK)
    assert said == [
        "⚠️ No. KK 1804191611200001 sudah terdaftar untuk keluarga Agus Hidayat di desa ini.",
        "⚠️ NIK 1804072704900258 sudah tercatat untuk Agus Hidayat di desa ini.",
    ]


async def test_an_unknown_number_gets_no_warning(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC03")
    assert await _propose(chat, NEW_KK, NEW_NIK) == []


async def test_the_check_stops_at_the_limit_and_saving_still_works(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.kawal = Kawal(
        world.db, builtin_forms(), world.clock, Options(duplicate_checks_per_hour=3)
    )
    chat = await _operator(world, "OPDC04")
    said = await _propose(chat, NEW_KK, AGUS_NIK)  # 2 look-ups: Agus Hidayat's NIK
    assert any("sudah tercatat untuk Agus Hidayat" in w for w in said)
    await _change_head_nik(chat, AGUS_NIK)  # the same number again: not counted, not said
    assert await _change_head_nik(chat, NEW_NIK) == []  # the 3rd look-up
    person = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        since = world.clock.now() - dt.timedelta(hours=1)
        assert await uow.throttle.count(DUPLICATE_BUCKET, str(person), since) == 3

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="handlers.forms.duplicates"):
        [skipped] = await _change_head_nik(chat, "1804074101900001")  # the 4th: over
    assert skipped.startswith("⚠️ Pemeriksaan NIK/No. KK ganda dilewati untuk sementara")
    assert "batas 3 nomor per jam" in skipped
    assert _person_id_of_log(caplog) == [
        f"duplicate check skipped for person {person}: 3 look-ups in the last hour"
    ]
    world.clock.advance(dt.timedelta(hours=1, seconds=1))  # an hour later: room again
    assert await _change_head_nik(chat, "1804074101900002") == []
    await chat.text("simpan")
    assert "Usulan keluarga baru Joko Susilo tercatat" in chat.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.throttle.count(DUPLICATE_BUCKET, str(person), since) == 4


async def test_the_household_s_own_numbers_cost_nothing(world: World) -> None:
    """The members form starts with the household's NIKs: kept, never counted."""
    world.kawal = Kawal(
        world.db, builtin_forms(), world.clock, Options(duplicate_checks_per_hour=1)
    )
    chat = await _operator(world, "OPDC05")
    await chat.press("m:members")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.text("1")
    for answer in ["tetap"] * 6 + ["kawin", "sma", "Petani kopi", "tidak ada"]:
        await chat.text(answer)
    await chat.text("simpan")
    assert "Tersimpan" in chat.texts() and "dilewati" not in chat.texts()
    person = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        since = world.clock.now() - dt.timedelta(hours=1)
        assert await uow.throttle.count(DUPLICATE_BUCKET, str(person), since) == 0


async def test_the_limit_comes_from_the_settings(world: World) -> None:
    kawal = build_kawal(Settings(duplicate_checks_per_hour=5), world.db, world.clock)
    assert kawal.options.duplicate_checks_per_hour == 5
    assert Options().duplicate_checks_per_hour == Settings().duplicate_checks_per_hour == 60


async def _person_id(world: World, chat: Chat) -> int:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity(chat.channel.value, chat.external_id)
    assert person is not None
    return person.person_id
