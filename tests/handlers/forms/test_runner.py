from __future__ import annotations

from handlers.messages import Question
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, World


async def _operator(world: World, external_id: str = "200", region: str = SRI_MENANTI):
    code = f"KWL-OP{external_id[-4:]:0>4}"
    await world.invite("operator", region, code)
    chat = world.user(external_id)
    await chat.register(code)
    return chat


async def _household_id(world: World, name: str) -> int:
    async with world.db.unit_of_work() as uow:
        found = await uow.households.search(SRI_MENANTI, name)
    return next(h.id for h in found if h.head_name == name)


async def test_verification_with_buttons_and_typed_answers_is_saved(world: World) -> None:
    chat = await _operator(world)
    await chat.press("m:verify")
    assert "Cari keluarga di Sri Menanti" in chat.texts()
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    assert "Status keluarga" in chat.texts()
    await chat.press("ditemukan")
    assert "Alamat" in chat.texts()
    await chat.press("__keep__")
    await chat.text("7")  # RT typed, changed from 006
    await chat.text("tetap")  # RW kept
    await chat.text("ya")
    await chat.text("0812-3456-7890")
    await chat.text("lewati")
    assert "Periksa jawaban" in chat.texts()
    assert "006 → 007" in chat.texts()
    await chat.text("simpan")
    assert "Tersimpan" in chat.texts() and "diperbarui" in chat.texts()

    household_id = await _household_id(world, "Agus Hidayat")
    async with world.db.unit_of_work() as uow:
        household = await uow.households.get(household_id)
        submissions = await uow.submissions.list_for_region(SRI_MENANTI)
        audit = await uow.audit.list(entity="household", entity_id=str(household_id))
    assert household is not None
    assert household.status == "updated"
    assert household.rt == "007"
    assert household.address == "Dusun III"
    [submission] = submissions
    assert submission.household_id == household_id
    assert submission.form_id == "verifikasi_keluarga"
    assert submission.answers["family_status"] == "ditemukan"
    assert submission.answers["phone"] == "+6281234567890"
    assert [c["path"] for c in submission.changes] == ["rt"]
    assert audit[-1].action == "submission.saved"
    assert audit[-1].before["rt"] == "006" and audit[-1].after["rt"] == "007"


async def test_not_found_household_gets_reason_and_status(world: World) -> None:
    chat = await _operator(world, "201")
    await chat.press("m:pending")
    assert "Belum didata di Sri Menanti: 30 keluarga" in chat.texts()
    first = chat.question().options[0]
    await chat.press(first.value)
    await chat.text("2")  # Tidak Ditemukan
    assert "Alasan" in chat.texts()
    await chat.text("pindah domisili")
    await chat.text("lewati")
    await chat.text("simpan")
    assert "tidak ditemukan" in chat.texts()
    async with world.db.unit_of_work() as uow:
        household = await uow.households.get(int(first.value.removeprefix("hh:")))
        counts = await uow.households.count_by_status(SRI_MENANTI)
    assert household is not None and household.status == "not_found"
    assert counts["pending"] == 29 and counts["not_found"] == 1
    assert sum(counts.values()) == 30


async def test_stop_and_resume_keeps_answers(world: World) -> None:
    chat = await _operator(world, "202")
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.press("ditemukan")
    await chat.text("Dusun IV")
    await chat.text("menu")
    labels = [o.label for o in chat.question().options]
    assert "Lanjutkan isian" in labels
    await chat.press("m:verify")  # a second form while one is open is refused, nothing lost
    assert "belum selesai" in chat.texts()
    await chat.command("lanjut")
    assert "Melanjutkan" in chat.texts() and "RT" in chat.texts()
    await chat.text("ringkasan")
    assert "Dusun III → Dusun IV" in chat.texts()


async def test_cancel_asks_for_confirmation_and_saves_nothing(world: World) -> None:
    chat = await _operator(world, "203")
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.press("ditemukan")
    await chat.command("batal")
    assert isinstance(chat.last.messages[-1], Question)
    await chat.text("tidak")
    assert "Alamat" in chat.texts()
    await chat.text("batal")
    await chat.text("ya")
    # Said once, with the Menu button (not the engine's words and then the host's again).
    assert chat.texts().count("dibatalkan") == 1 and "Tidak ada yang diubah" in chat.texts()
    assert chat.question().extra[0].value == "menu"
    async with world.db.unit_of_work() as uow:
        assert await uow.submissions.list_for_region(SRI_MENANTI) == []
        person = await uow.people.find_by_identity("telegram", "203")
        assert person is not None
        assert await uow.sessions.get_open(person.person_id) is None
    await chat.command("lanjut")
    assert "Tidak ada isian" in chat.texts()


async def test_a_family_found_by_a_members_name_says_which_member(world: World) -> None:
    chat = await _operator(world, "206")
    await chat.press("m:verify")
    await chat.text("lestari HIDAYAT")  # Agus Hidayat's wife: any case, extra spaces
    labels = [option.label for option in chat.question().options]
    assert "Agus Hidayat · RT 006/RW 003 · Lestari Hidayat" in labels
    await chat.text("Agus Hidayat")  # the head's own name: nothing more to say
    assert "Agus Hidayat · RT 006/RW 003" in [o.label for o in chat.question().options]


async def test_household_outside_the_village_cannot_be_opened(world: World) -> None:
    chat = await _operator(world, "204")
    async with world.db.unit_of_work() as uow:
        [other] = await uow.households.search(SUKANANTI, "Marni")
    await chat.press("m:verify")
    await chat.press(f"hh:{other.id}")  # forged button payload
    assert "tidak ada di wilayah tugas" in chat.texts()
    await chat.text("Marni")  # searching never crosses the village either
    assert "Tidak ada keluarga" in chat.texts()
    await chat.press("hh:999999")
    assert "tidak ada di wilayah tugas" in chat.texts()


async def test_wrong_answers_get_an_example_and_the_same_question(world: World) -> None:
    chat = await _operator(world, "205")
    await chat.press("m:verify")
    await chat.text("ag")
    assert "minimal 3 huruf" in chat.texts()
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.text("9")
    assert "Contoh" in chat.texts() and "Status keluarga" in chat.texts()
    await chat.photo()
    assert "Status keluarga" in chat.texts()
    await chat.location(-5.0, 104.0)
    assert "Status keluarga" in chat.texts()


async def test_peratin_sees_progress_of_own_village(world: World) -> None:
    chat = await _operator(world, "206")
    await chat.press("m:pending")
    await chat.press(chat.question().options[0].value)
    await chat.text("2")
    await chat.text("5")  # Lainnya
    await chat.text("lewati")
    await chat.text("simpan")
    await world.invite("peratin", SRI_MENANTI, "KWL-PERAT1")
    head = world.user("207")
    await head.register("KWL-PERAT1", "Pak Peratin")
    await head.press("m:progress")
    assert "Sri Menanti: 1 dari 30 keluarga sudah didata (3%)" in head.texts()
    assert "Sukananti" not in head.texts()
