"""Issue 15: a form goes on only while its person may fill it in. Every step and the save check
the roles read afresh with the update (a revoke written straight to the database counts): a role
revoked or moved, or a household moved to another village, closes the form as ``interrupted``,
saves nothing and says so; then the menu."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import text

import flows
from bot.regions import load_regions
from flows import Completed, Input, Session
from handlers.deadlines import model as deadlines
from handlers.deadlines.model import Draft
from handlers.forms.saving import AccessEnded, LostAccess, save_completed
from handlers.kit.context import Turn
from handlers.kit.timing import local_instant
from handlers.messages import Channel, Inbound, InboundKind, Question, Text
from storage.records import FormSessionRecord, HouseholdRecord
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

ENDED = "Akses Anda untuk Pekon Sri Menanti sudah berakhir, formulir ditutup tanpa disimpan."
CALL = "Hubungi Dinsos bila ini keliru."
MENU = "Menu utama."


async def _user(world: World, key: str, role: str, region: str, name: str = "Budi") -> Chat:
    code = await world.invite(role, region, f"KWL-{key}")
    chat = world.user(key)
    await chat.register(code, name)
    return chat


async def _person_id(world: World, chat: Chat) -> int:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity(chat.channel.value, chat.external_id)
    assert person is not None
    return person.person_id


async def _revoke(world: World, chat: Chat, role: str, region: str) -> None:
    person_id = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        assert await uow.people.revoke_role(person_id, role, region, world.clock.now())


async def _assign(world: World, chat: Chat, role: str, region: str) -> None:
    person_id = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        await uow.people.assign_role(person_id, role, region, world.clock.now())


async def _sessions(world: World, chat: Chat) -> list[FormSessionRecord]:
    person_id = await _person_id(world, chat)
    async with world.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            text("SELECT id FROM form_sessions WHERE person_id = :p ORDER BY id"), {"p": person_id}
        )
        found = [await uow.sessions.get(row[0]) for row in rows]
    return [s for s in found if s is not None]


async def _agus(world: World) -> HouseholdRecord:
    async with world.db.unit_of_work() as uow:
        [agus] = [h for h in await uow.households.search(SRI_MENANTI, "Agus Hidayat")]
    return agus


async def _verification_to_review(chat: Chat) -> None:
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.press("ditemukan")
    await chat.press("__keep__")
    await chat.text("7")  # RT changed from 006
    for answer in ("tetap", "ya", "0812-3456-7890", "lewati"):
        await chat.text(answer)
    assert "Periksa jawaban" in chat.texts() and "006 → 007" in chat.texts()


async def _nothing_saved(world: World, before: HouseholdRecord) -> None:
    async with world.db.unit_of_work() as uow:
        after = await uow.households.get(before.id)
        submissions = await uow.submissions.list_for_region("18.04")
        audit = await uow.audit.list(entity="household", entity_id=str(before.id))
    assert after is not None
    assert (after.status, after.rt, after.updated_at) == (
        before.status,
        before.rt,
        before.updated_at,
    )
    assert submissions == [] and audit == []


NO_ROLE = "Anda belum punya peran aktif di Kawal."


def _ended_then_menu(chat: Chat, line: str = ENDED) -> None:
    """The access line, then the menu: the menu question while a role is left, else the line
    that says only a new invite helps (a person with no role has no menu)."""
    assert line in chat.texts() and CALL in chat.texts()
    last = chat.last.messages[-1]
    if isinstance(last, Question):
        assert last.text.startswith(MENU)
    else:
        assert isinstance(last, Text) and last.text.startswith(NO_ROLE)
    assert "Tersimpan" not in chat.texts()


async def test_a_revoked_operator_cannot_save_the_open_verification(world: World) -> None:
    operator = await _user(world, "OPAC01", "operator", SRI_MENANTI)
    before = await _agus(world)
    await _verification_to_review(operator)
    await _revoke(world, operator, "operator", SRI_MENANTI)  # straight to the database

    await operator.text("simpan")
    _ended_then_menu(operator)
    await _nothing_saved(world, before)
    [session] = await _sessions(world, operator)
    assert session.status == "interrupted"
    assert session.state["engine"]["answers"]["rt"] == "007"  # kept, not applied
    await operator.text("simpan")  # again: no form is open any more, nothing happens
    await _nothing_saved(world, before)
    await operator.text("lanjut")  # no role is left: only a new invite helps
    assert operator.texts().startswith(NO_ROLE)


async def test_a_revoked_operator_cannot_answer_mid_form_either(world: World) -> None:
    operator = await _user(world, "OPAC02", "operator", SRI_MENANTI)
    before = await _agus(world)
    await operator.press("m:verify")
    await operator.text("Agus Hidayat")
    await operator.press(operator.option("Agus Hidayat"))
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await operator.press("ditemukan")
    _ended_then_menu(operator)
    assert "Alamat" not in operator.texts()  # the next question is not asked
    await _nothing_saved(world, before)
    assert [s.status for s in await _sessions(world, operator)] == ["interrupted"]


async def test_an_operator_moved_to_another_village_cannot_save(world: World) -> None:
    operator = await _user(world, "OPAC03", "operator", SRI_MENANTI)
    before = await _agus(world)
    await _verification_to_review(operator)
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await _assign(world, operator, "operator", SUKANANTI)

    await operator.text("simpan")
    _ended_then_menu(operator)
    await _nothing_saved(world, before)
    # the new village works as usual
    await operator.press("m:verify")
    assert "Cari keluarga di Sukananti" in operator.texts()


async def test_a_household_moved_to_another_village_cannot_be_saved(world: World) -> None:
    operator = await _user(world, "OPAC04", "operator", SRI_MENANTI)
    before = await _agus(world)
    await _verification_to_review(operator)
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            text("UPDATE households SET region_code = :r WHERE id = :id"),
            {"r": SUKANANTI, "id": before.id},
        )

    await operator.text("simpan")
    moved = "Keluarga Agus Hidayat tidak lagi tercatat di wilayah tugas Anda, formulir ditutup"
    _ended_then_menu(operator, moved)
    assert "Sukananti" not in operator.texts()  # where it went is not told
    await _nothing_saved(world, replace(before, region_code=SUKANANTI))
    assert [s.status for s in await _sessions(world, operator)] == ["interrupted"]


async def test_lanjut_after_a_revoke_closes_the_form(world: World) -> None:
    operator = await _user(world, "OPAC05", "operator", SRI_MENANTI)
    await _verification_to_review(operator)
    await operator.command("menu")
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await operator.text("lanjut")
    assert ENDED in operator.texts() and "Periksa jawaban" not in operator.texts()
    assert [s.status for s in await _sessions(world, operator)] == ["interrupted"]


async def test_the_household_search_closes_when_the_village_is_gone(world: World) -> None:
    operator = await _user(world, "OPAC06", "operator", SRI_MENANTI)
    await operator.press("m:verify")
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await _assign(world, operator, "operator", SUKANANTI)
    await operator.text("Agus Hidayat")
    _ended_then_menu(operator)
    assert "Agus Hidayat" not in operator.texts()
    assert [s.status for s in await _sessions(world, operator)] == ["interrupted"]


async def test_a_revoked_operator_cannot_send_a_proposal_or_a_report(world: World) -> None:
    operator = await _user(world, "OPAC07", "operator", SRI_MENANTI)
    await operator.press("m:propose")
    for answer in ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]:
        await operator.text(answer)
    for answer in ["Dusun I", "2", "1", "tidak", "lewati", "lewati", "lewati"]:
        await operator.text(answer)
    assert "Periksa jawaban" in operator.texts()
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await _assign(world, operator, "operator", SUKANANTI)  # moved: the proposal was for Sri Menanti
    await operator.text("simpan")
    _ended_then_menu(operator)

    await operator.press("m:report")
    await operator.text("1")
    await _revoke(world, operator, "operator", SUKANANTI)
    await operator.text("Aplikasi error")
    assert "Akses Anda untuk Pekon Sukananti sudah berakhir" in operator.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.households.find_by_kk("1804190101250009") == []
        assert await uow.problem_reports.count_open("18.04") == 0
        assert await uow.submissions.list_for_region("18.04") == []
    assert [s.status for s in await _sessions(world, operator)] == ["interrupted"] * 2


async def test_dinsos_whose_role_ended_cannot_answer_a_report(world: World) -> None:
    operator = await _user(world, "OPAC08", "operator", SRI_MENANTI, "Budi Santoso")
    await operator.press("m:report")
    for answer in ("4", "Sinyal hilang sejak pagi", "lewati", "simpan"):
        await operator.text(answer)
    assert "Laporan kendala #1 terkirim" in operator.texts()
    dinsos = await _user(world, "DSAC08", "dinsos", "18.04", "Bu Rina")
    await dinsos.press("report:reply:1")
    await dinsos.text("Silakan coba lagi.")
    assert "Periksa jawaban" in dinsos.texts()
    await _revoke(world, dinsos, "dinsos", "18.04")

    await dinsos.text("simpan")
    assert "Akses Anda untuk Pekon Sri Menanti sudah berakhir" in dinsos.texts()
    assert "terkirim ke Budi Santoso" not in dinsos.texts()
    operator_id = await _person_id(world, operator)
    async with world.db.unit_of_work() as uow:
        report = await uow.problem_reports.get(1)
        answers = await uow.outbox.for_person(operator_id, "report:1:answer")
    assert report is not None and report.status == "open" and report.answer in (None, "")
    assert answers == []
    assert [s.status for s in await _sessions(world, dinsos)] == ["interrupted"]


async def test_the_deadline_composer_closes_when_the_role_ends(world: World) -> None:
    dinsos = await _user(world, "DSAC09", "dinsos", "18.04")
    await dinsos.press("dl:new")
    for answer in ("Ekspor DTKS", "27-01-2026 16.00", "1", "air hitam"):
        await dinsos.text(answer)
    assert "Siapa yang diingatkan?" in dinsos.texts()
    await _revoke(world, dinsos, "dinsos", "18.04")
    await dinsos.text("1,2")
    _ended_then_menu(dinsos, "Akses Anda untuk Kec. Air Hitam sudah berakhir")
    async with world.db.unit_of_work() as uow:
        assert await uow.deadlines.all(cancelled=True) == []
    assert [s.status for s in await _sessions(world, dinsos)] == ["interrupted"]


async def test_editing_a_deadline_closes_when_its_kabupaten_leaves_the_scope(
    world: World,
) -> None:
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "18.72.01")
    dinsos = await _user(world, "DSAC10", "dinsos", "18.04")
    await _assign(world, dinsos, "dinsos", "18.72")
    due = local_instant(dt.date(2026, 1, 27), dt.time(16, 0), "Asia/Jakarta")
    draft = Draft("Ekspor DTKS", due, "18.04", ("operator", "peratin"))
    async with world.db.unit_of_work() as uow:
        deadline_id = await deadlines.create(
            uow, draft, by=None, channel="cli", now=world.clock.now()
        )
    await dinsos.press(f"dl:edit:{deadline_id}")
    assert "4. Wilayah: Kab. Lampung Barat" in dinsos.texts()
    await _revoke(world, dinsos, "dinsos", "18.04")  # still Dinsos of Kota Metro

    await dinsos.text("4")  # change the region, to move it into Metro
    _ended_then_menu(dinsos, "Akses Anda untuk Kab. Lampung Barat sudah berakhir")
    async with world.db.unit_of_work() as uow:
        kept = await uow.deadlines.get(deadline_id)
    assert kept is not None and (kept.region_code, kept.revision) == ("18.04", 1)
    assert [s.status for s in await _sessions(world, dinsos)] == ["interrupted"]


async def test_the_announcement_composer_closes_when_the_role_ends(world: World) -> None:
    dinsos = await _user(world, "DSAC11", "dinsos", "18.04")
    await _user(world, "OPAC11", "operator", SRI_MENANTI)
    await dinsos.press("ann:new")
    for answer in ("Mulai besok menu Usulan pindah.", "air hitam", "1,2"):
        await dinsos.text(answer)
    await dinsos.press(dinsos.option("Sekarang"))
    assert "Pratinjau" in dinsos.texts()
    await _revoke(world, dinsos, "dinsos", "18.04")
    await dinsos.text("kirim")
    _ended_then_menu(dinsos, "Akses Anda untuk Kec. Air Hitam sudah berakhir")
    async with world.db.unit_of_work() as uow:
        assert await uow.announcements.recent() == []
    assert [s.status for s in await _sessions(world, dinsos)] == ["interrupted"]


async def test_lanjut_checks_the_composers_too(world: World) -> None:
    dinsos = await _user(world, "DSAC12", "dinsos", "18.04")
    await dinsos.press("dl:new")
    await dinsos.text("Ekspor DTKS")
    await _revoke(world, dinsos, "dinsos", "18.04")
    await dinsos.text("lanjut")
    assert "Akses Anda untuk formulir ini sudah berakhir" in dinsos.texts()
    assert "Kapan batasnya?" not in dinsos.texts()
    assert [s.status for s in await _sessions(world, dinsos)] == ["interrupted"]


async def test_english_speakers_are_told_in_english(world: World) -> None:
    operator = await _user(world, "OPAC13", "operator", SRI_MENANTI)
    await operator.command("bahasa")
    await operator.press("m:verify")
    await operator.text("Agus Hidayat")
    await _revoke(world, operator, "operator", SRI_MENANTI)
    await operator.press(operator.option("Agus Hidayat"))
    assert "Your access for Pekon Sri Menanti has ended" in operator.texts()
    assert "Contact Dinsos if this is a mistake." in operator.texts()


async def test_saving_checks_again_right_before_writing(world: World) -> None:
    """The step check and the save run in one unit of work; the save looks once more itself,
    so a caller that skipped the step check still writes nothing."""
    operator = await _user(world, "OPAC14", "operator", SRI_MENANTI)
    before = await _agus(world)
    await _verification_to_review(operator)
    await _revoke(world, operator, "operator", SRI_MENANTI)
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", operator.external_id)
        assert person is not None and person.roles == ()
        record = await uow.sessions.get_open(person.person_id)
        assert record is not None
        form = world.kawal.forms.get(record.form_id, record.form_version)
        assert form is not None
        session = Session.model_validate(record.state["engine"])
        _, events = flows.resume(form, session, Input(text="simpan"))
        [completed] = [e for e in events if isinstance(e, Completed)]
        inbound = Inbound(Channel.TELEGRAM, operator.external_id, "x1", InboundKind.TEXT)
        turn = Turn(uow, inbound, person, world.clock.now(), world.kawal.forms, "id", "2026-11")
        with pytest.raises(AccessEnded) as ended:
            await save_completed(turn, record, form, completed)
    assert ended.value.lost == LostAccess(SRI_MENANTI)
    await _nothing_saved(world, before)
