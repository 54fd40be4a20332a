"""Issue 15: a form nobody answered for KAWAL_SESSION_IDLE_DAYS (7) closes when its person next
writes: ``expired``, nothing saved, a message naming the form (and the family); the rest of the
turn goes on as if no form were open. The clock is injected."""

from __future__ import annotations

import datetime as dt

from bot.runtime import build_kawal
from bot.settings import Settings
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.messages import InboundKind, Question, Text
from storage.records import FormSessionRecord
from tests.handlers.conftest import SRI_MENANTI, Chat, World

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
CLOSED = (
    "Formulir Verifikasi keluarga untuk keluarga Agus Hidayat ditutup karena 7 hari tanpa "
    "jawaban; tidak ada yang disimpan. Ketik MENU untuk mulai lagi."
)


async def _operator(world: World, key: str) -> Chat:
    code = await world.invite("operator", SRI_MENANTI, f"KWL-{key}")
    chat = world.user(key)
    await chat.register(code)
    return chat


async def _open_verification(chat: Chat) -> None:
    await chat.press("m:verify")
    await chat.text("Agus Hidayat")
    await chat.press(chat.option("Agus Hidayat"))
    await chat.press("ditemukan")
    assert "Alamat" in chat.texts()


async def _sessions(world: World, chat: Chat) -> list[FormSessionRecord]:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity(chat.channel.value, chat.external_id)
        assert person is not None
        found = [await uow.sessions.get(n) for n in range(1, 20)]
    return [s for s in found if s is not None and s.person_id == person.person_id]


async def _saved_nothing(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        assert await uow.submissions.list_for_region("18.04") == []
        counts = await uow.households.count_by_status(SRI_MENANTI)
    assert counts["pending"] == 30


def _menu_last(chat: Chat) -> None:
    last = chat.last.messages[-1]
    assert isinstance(last, Question) and last.text.startswith("Menu utama.")


async def test_six_days_and_23_hours_keep_the_form(world: World) -> None:
    chat = await _operator(world, "OPID01")
    await _open_verification(chat)
    world.clock.advance(7 * DAY - HOUR)
    await chat.press("__keep__")  # the address kept: the next question comes
    assert "RT" in chat.texts() and "ditutup" not in chat.texts()
    world.clock.advance(7 * DAY - HOUR)  # each answer starts the count again
    await chat.text("7")
    assert "ditutup" not in chat.texts()
    [session] = await _sessions(world, chat)
    assert session.status == "active"


async def test_seven_days_close_the_form_with_a_message_and_save_nothing(world: World) -> None:
    chat = await _operator(world, "OPID02")
    await _open_verification(chat)
    world.clock.advance(7 * DAY)
    await chat.press("__keep__")  # an answer to the form that just closed
    first = chat.last.messages[0]
    assert isinstance(first, Text) and first.text == CLOSED
    assert "RT" not in chat.texts()  # no next question
    _menu_last(chat)
    [session] = await _sessions(world, chat)
    assert session.status == "expired"
    assert session.state["engine"]["answers"]["family_status"] == "ditemukan"  # kept, unused
    await _saved_nothing(world)

    await chat.text("lanjut")
    assert "Tidak ada isian yang tertunda" in chat.texts()
    await chat.command("menu")
    assert "Lanjutkan" not in [o.label for o in chat.question().options]


async def test_a_menu_word_after_the_idle_days_shows_the_menu(world: World) -> None:
    chat = await _operator(world, "OPID03")
    await _open_verification(chat)
    world.clock.advance(30 * DAY)
    await chat.text("menu")
    texts = chat.texts()
    assert texts.startswith("Formulir Verifikasi keluarga untuk keluarga Agus Hidayat ditutup")
    assert "karena 30 hari tanpa jawaban" in texts
    _menu_last(chat)
    assert "Lanjutkan" not in [o.label for o in chat.question().options]


async def test_a_typed_number_after_the_idle_days_is_not_a_menu_choice(world: World) -> None:
    """ "2" meant for the closed form does not start the menu's second item."""
    chat = await _operator(world, "OPID04")
    await chat.press("m:propose")
    await chat.text("1804190101250009")
    world.clock.advance(8 * DAY)
    await chat.text("2")
    assert chat.texts().startswith("Formulir Usulan keluarga baru ditutup karena 8 hari")
    _menu_last(chat)
    assert [s.status for s in await _sessions(world, chat)] == ["expired"]
    async with world.db.unit_of_work() as uow:
        assert await uow.households.find_by_kk("1804190101250009") == []


async def test_a_menu_button_after_the_idle_days_is_acted_on(world: World) -> None:
    chat = await _operator(world, "OPID05")
    await chat.press("m:verify")  # the search, no family chosen yet
    world.clock.advance(7 * DAY)
    await chat.press("m:pending")
    texts = chat.texts()
    assert texts.startswith("Formulir Verifikasi keluarga ditutup karena 7 hari tanpa jawaban")
    assert "Belum didata di Sri Menanti: 30 keluarga" in texts
    assert [s.status for s in await _sessions(world, chat)] == ["expired", "waiting"]


async def test_the_composers_close_too_in_english(world: World) -> None:
    code = await world.invite("dinsos", "18.04", "KWL-DSID06")
    dinsos = world.user("DSID06")
    await dinsos.register(code)
    await dinsos.command("bahasa")
    await dinsos.press("dl:new")
    world.clock.advance(9 * DAY)
    await dinsos.text("Ekspor DTKS")
    assert dinsos.texts().startswith(
        "The form deadline was closed after 9 days without an answer; nothing was saved."
    )
    async with world.db.unit_of_work() as uow:
        assert await uow.deadlines.all(cancelled=True) == []


async def test_the_idle_days_come_from_the_settings(world: World) -> None:
    kawal = build_kawal(Settings(session_idle_days=2), world.db, world.clock)
    assert kawal.options.session_idle_days == 2
    assert Options().session_idle_days == Settings().session_idle_days == 7
    world.kawal = kawal
    chat = await _operator(world, "OPID07")
    await _open_verification(chat)
    world.clock.advance(2 * DAY)
    await chat.press("__keep__")
    assert "ditutup karena 2 hari tanpa jawaban" in chat.texts()


async def test_a_photo_for_an_idle_form_is_not_downloaded(world: World) -> None:
    world.kawal = Kawal(world.db, builtin_forms(), world.clock)
    chat = await _operator(world, "OPID08")
    await chat.press("m:propose")
    for answer in ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]:
        await chat.text(answer)
    for answer in ["Dusun I", "2", "1", "tidak"]:
        await chat.text(answer)
    photo = chat._inbound(InboundKind.PHOTO)
    assert await world.kawal.accepts_file(photo)  # the house photo is asked for
    world.clock.advance(7 * DAY)
    assert not await world.kawal.accepts_file(photo)
    await chat.send(photo)  # handed on without the file
    assert chat.texts().startswith("Formulir Usulan keluarga baru ditutup karena 7 hari")
