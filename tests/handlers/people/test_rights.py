"""Issue 18 in the chat: the notice names the DPO, a new notice version is asked before
anything else, DATA SAYA shows what Kawal holds, HAPUS DATA SAYA erases it (records kept
under a pseudonym)."""

from __future__ import annotations

from dataclasses import replace

from handlers.messages import Question, Text
from storage.models import Identity
from tests.handlers.conftest import SRI_MENANTI, World


async def _operator(world: World, chat_id: str = "300", name: str = "Siti Aminah") -> int:
    await world.invite("operator", SRI_MENANTI, f"KWL-R{chat_id}AA")
    chat = world.user(chat_id)
    await chat.register(f"KWL-R{chat_id}AA", name)
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", chat_id)
    assert person is not None
    return person.person_id


async def test_the_notice_names_who_answers_about_personal_data(world: World) -> None:
    world.kawal.options = replace(world.kawal.options, dpo_contact="PPDP Dinsos, 0812-1111")
    await world.invite("operator", SRI_MENANTI, "KWL-DPO001")
    chat = world.user("301")
    await chat.command("start", "KWL-DPO001")
    assert "PPDP Dinsos, 0812-1111" in chat.question().text
    world.kawal.options = replace(world.kawal.options, dpo_contact="")
    await chat.text("apa?")
    assert "hubungi Dinas Sosial" in chat.question().text


async def test_a_new_notice_version_comes_before_anything_else(world: World) -> None:
    person_id = await _operator(world)
    chat = world.user("300")
    world.kawal.options = replace(world.kawal.options, consent_version="2027-02")
    await chat.text("menu")
    assert "diperbarui" in chat.question().text  # the notice, not the menu
    await chat.press("m:verify")
    assert "diperbarui" in chat.question().text
    await chat.press("consent:yes")
    assert "pemberitahuan baru sudah dicatat" in chat.texts()
    async with world.db.unit_of_work() as uow:
        detail = await uow.people.detail(person_id)
    assert detail is not None and detail.consent_version == "2027-02"
    await chat.text("menu")
    assert "Verifikasi keluarga" in [o.label for o in chat.question().options]


async def test_declining_a_new_version_offers_erasure_and_keeps_asking(world: World) -> None:
    await _operator(world)
    chat = world.user("300")
    world.kawal.options = replace(world.kawal.options, consent_version="2027-02")
    await chat.text("menu")
    await chat.press("consent:no")
    assert "tidak bisa Anda pakai lagi" in chat.texts()
    assert chat.option("Ya, hapus")
    await chat.press(chat.option("Jangan hapus"))
    await chat.text("menu")
    assert "diperbarui" in chat.question().text


async def test_data_saya_shows_what_kawal_holds(world: World) -> None:
    person_id = await _operator(world)
    chat = world.user("300")
    await chat.text("DATA SAYA")
    text = chat.texts()
    assert "Nama: Siti Aminah" in text
    assert "operator Sri Menanti" in text
    assert "versi 2026-11" in text
    assert "0 isian tentang 0 keluarga" in text
    assert "Yang dilakukan Kawal" in text
    assert len(chat.last.messages) == 2
    assert all(isinstance(m, Text | Question) and len(m.text) < 1000 for m in chat.last.messages)
    assert chat.option("Hapus data saya") == "me:erase"
    async with world.db.unit_of_work() as uow:
        assert await uow.people.detail(person_id) is not None


async def test_hapus_data_saya_erases_the_person_and_keeps_the_records(world: World) -> None:
    person_id = await _operator(world)
    chat = world.user("300")
    await chat.text("menu")
    await chat.press("m:verify")
    await chat.text("Sulastri")  # a household search: a form is open
    async with world.db.unit_of_work() as uow:
        household = await uow.households.add(
            SRI_MENANTI, "X", None, None, "", "", "", now=world.clock.now()
        )
        await uow.submissions.add(
            None, person_id, "telegram", "f", 1, household, SRI_MENANTI, {}, [], world.clock.now()
        )
    await chat.text("hapus data saya")
    assert "tidak bisa dibatalkan" in chat.question().text
    await chat.press("me:erase-yes")
    assert f"Pengguna #{person_id}" in chat.texts()
    async with world.db.unit_of_work() as uow:
        detail = await uow.people.detail(person_id)
        assert detail is not None
        assert detail.name == f"Pengguna #{person_id}"
        assert (detail.consent_at, detail.active_roles, detail.identities) == (None, (), ())
        assert await uow.sessions.get_open(person_id) is None
        [change] = await uow.subjects.changes_of([household])
        assert change.person_name == f"Pengguna #{person_id}"
        identities = (await uow.session.execute(Identity.__table__.select())).all()
        assert all(row.external_id != "300" for row in identities)
        [entry] = [e for e in await uow.audit.list("person") if e.action == "person.erased"]
        assert "Siti" not in str(entry.after)
    await chat.text("menu")
    assert "DAFTAR" in chat.texts()  # a stranger now


async def test_erasing_before_consent_deletes_the_registration(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-R302AA")
    chat = world.user("302")
    await chat.command("start", "KWL-R302AA")
    await chat.text("hapus data saya")
    await chat.press("me:erase-yes")
    assert "tidak mencatat data apa pun" in chat.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.people.find_person_id("telegram", "302") is None
