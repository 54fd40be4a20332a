"""Issue 15: the duplicate No. KK / NIK check before the review answers only within the
operator's kabupaten. A number registered in another kabupaten is never named (no place, no
person, no digits beyond those typed); a new number typed costs one look-up, at most
KAWAL_DUPLICATE_CHECKS_PER_HOUR an hour per person; past it the check is skipped, said, and
logged with the person id only."""

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
from handlers.messages import Text
from tests.handlers.conftest import SRI_MENANTI, Chat, World

KEDATON = "18.71.01.1003"  # Kota Bandar Lampung: another kabupaten/kota
FAR_KK = "1871010101100007"
FAR_NIK = "1871015203850004"
FAR_NAME = "Ratna Sari"
SUKA_KK = "1804070302150001"  # a household of Sukananti (same kabupaten, other village)
NEW_KK = "1804190101250009"
NEW_NIK = "1804072704900999"
ELSEWHERE = "mungkin sudah tercatat di wilayah lain. Hubungi Dinsos untuk memeriksanya."


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


async def _propose(chat: Chat, no_kk: str, head_nik: str) -> None:
    """A new proposal up to the review, with one head of family."""
    await chat.press("m:propose")
    for answer in [no_kk, "Joko Susilo", "L", "27-04-1990", head_nik]:
        await chat.text(answer)
    if "Tetap pakai jawaban ini?" in chat.texts():
        await chat.text("ya")  # a sex / birth-date warning of the NIK, confirmed
    for answer in ["Dusun I", "2", "1", "tidak", "lewati", "lewati", "lewati"]:
        await chat.text(answer)
    assert "Periksa jawaban" in chat.texts()


async def _change_head_nik(chat: Chat, nik: str) -> None:
    await chat.text("5")  # the head's NIK, by its number on the review
    await chat.text(nik)
    if "Tetap pakai jawaban ini?" in chat.texts():
        await chat.text("ya")
    assert "Periksa jawaban" in chat.texts()


def _warnings(chat: Chat) -> list[str]:
    texts = [m.text for m in chat.last.messages if isinstance(m, Text)]
    return [text for text in texts if text.startswith("⚠️")]


def _person_id_of_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


async def test_a_number_of_another_kabupaten_is_never_named(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC01")
    await _propose(chat, FAR_KK, FAR_NIK)
    warnings = _warnings(chat)
    assert warnings == [
        f"⚠️ No. KK ************0007 {ELSEWHERE} Ketik nomor jawaban untuk mengubah, atau "
        "SIMPAN bila memang benar.",
        f"⚠️ NIK ************0004 {ELSEWHERE} Ketik nomor jawaban untuk mengubah, atau "
        "SIMPAN bila memang benar.",
    ]
    everything = chat.texts()
    for secret in ("Kedaton", "Bandar Lampung", FAR_NAME, "Teuku Umar"):
        assert secret not in everything
    # no digits but those typed, masked: the 16-digit runs shown are the operator's own answers
    shown = set(re.findall(r"\d[\d*]{15}", everything))
    assert shown <= {FAR_KK, FAR_NIK, "************0007", "************0004"}
    await chat.text("simpan")  # the review still saves, as a warning asks only to check
    assert "Usulan keluarga baru Joko Susilo tercatat" in chat.texts()


async def test_a_number_of_the_same_kabupaten_names_the_village(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC02")
    async with world.db.unit_of_work() as uow:
        [suka] = await uow.households.find_by_kk(SUKA_KK)
    other_nik = suka.members[0].nik
    assert other_nik is not None
    await _propose(chat, SUKA_KK, other_nik)
    texts = "\n".join(_warnings(chat))
    masked = f"************{other_nik[-4:]}"
    assert f"No. KK ************{SUKA_KK[-4:]} sudah terdaftar" in texts
    assert f"NIK {masked} sudah tercatat di keluarga lain di Sukananti" in texts
    assert suka.members[0].name not in texts and ELSEWHERE not in texts


async def test_an_unknown_number_gets_no_warning(world: World, far: int) -> None:
    chat = await _operator(world, "OPDC03")
    await _propose(chat, NEW_KK, NEW_NIK)
    assert _warnings(chat) == []


async def test_the_check_stops_at_the_limit_and_the_review_still_works(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.kawal = Kawal(
        world.db, builtin_forms(), world.clock, Options(duplicate_checks_per_hour=3)
    )
    chat = await _operator(world, "OPDC04")
    await _propose(chat, NEW_KK, "1804072704900258")  # 2 look-ups: Agus Hidayat's NIK
    assert "sudah tercatat untuk Agus Hidayat" in chat.texts()
    await chat.text("99")  # a wrong answer on the review shows it again: nothing new to count
    await _change_head_nik(chat, "1804072704900258")  # the same number again: not counted
    await _change_head_nik(chat, NEW_NIK)  # the 3rd look-up
    assert _warnings(chat) == []
    person = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        since = world.clock.now() - dt.timedelta(hours=1)
        assert await uow.throttle.count(DUPLICATE_BUCKET, str(person), since) == 3

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="handlers.forms.runner"):
        await _change_head_nik(chat, "1804074101900001")  # the 4th: over the limit
    [skipped] = _warnings(chat)
    assert skipped.startswith("⚠️ Pemeriksaan NIK/No. KK ganda dilewati untuk sementara")
    assert "batas 3 nomor per jam" in skipped
    assert _person_id_of_log(caplog) == [
        f"duplicate check skipped for person {person}: 3 look-ups in the last hour"
    ]
    await _change_head_nik(chat, "1804072704900258")  # looked up before: checked, free
    assert "sudah tercatat untuk Agus Hidayat" in chat.texts()
    assert "dilewati" not in chat.texts()  # no new number in the answers now

    world.clock.advance(dt.timedelta(hours=1, seconds=1))  # an hour later: room again
    await _change_head_nik(chat, "1804074101900001")
    assert _warnings(chat) == []
    await chat.text("simpan")
    assert "Usulan keluarga baru Joko Susilo tercatat" in chat.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.throttle.count(DUPLICATE_BUCKET, str(person), since) == 4


async def test_the_household_s_own_numbers_cost_nothing(world: World) -> None:
    """The members form starts with the household's NIKs: checked, never counted."""
    world.kawal = Kawal(
        world.db, builtin_forms(), world.clock, Options(duplicate_checks_per_hour=1)
    )
    chat = await _operator(world, "OPDC05")
    await chat.press("m:members")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    for answer in ["tetap"] * 6 + ["kawin", "sma", "Petani kopi", "tidak ada"]:
        await chat.text(answer)
    await chat.text("Meninggal")  # member 2
    for _ in range(2):
        for answer in ["tetap"] * 6 + ["belum kawin", "SD", "lewati", "tidak ada"]:
            await chat.text(answer)
    await chat.text("tidak")  # no new member
    await chat.text("lewati")
    assert "Periksa jawaban" in chat.texts() and "dilewati" not in chat.texts()
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
