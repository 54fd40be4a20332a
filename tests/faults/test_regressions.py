"""Bugs the fault tests found, one test each (both database backends where storage is involved).

- "¹" (and other digits str.isdigit() accepts but int() refuses) at the menu, at the search
  results, in a WhatsApp numbered menu and in the terminal chat raised ValueError.
- A button payload ``hh:<number too big for an integer column>`` or ``hh:²`` raised.
- NUL in a message: PostgreSQL refuses it (the handler failed), SQLite cut the LIKE pattern at
  it (``\\x00abc`` matched every household of the village).
- A lone surrogate (possible in hand-made JSON) cannot be encoded: the handler failed.
- A search for thousands of digits echoed them all back in the "nothing found" message.
"""

from __future__ import annotations

from handlers import messages
from handlers.kit.i18n import t
from handlers.messages import Channel, Inbound, InboundKind, Question
from tests.faults.hostile import SUKANANTI
from tests.handlers.conftest import SRI_MENANTI, Chat, World

NOT_ALLOWED = t("household_not_allowed", "id")
INTERNAL = t("internal_error", "id")


async def _operator(world: World, external_id: str = "8101") -> Chat:
    code = f"KWL-RG{external_id[-4:]}"
    await world.invite("operator", SRI_MENANTI, code)
    chat = world.user(external_id)
    await chat.register(code)
    return chat


async def _open_state(world: World, chat: Chat) -> dict[str, object]:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", chat.external_id)
        assert person is not None
        record = await uow.sessions.get_open(person.person_id)
    assert record is not None
    return dict(record.state)


async def test_digits_int_cannot_read_are_refused_at_the_menu(world: World) -> None:
    chat = await _operator(world)
    for text in ("¹", "²³", "9" * 4096):
        await chat.text(text)
        assert INTERNAL not in chat.texts()
        assert "Pilihan tidak dikenal" in chat.texts() and "Menu utama" in chat.texts()
    await chat.text("٣")  # an Arabic-Indic 3 is a 3: Kondisi rumah
    assert "Cari keluarga di Sri Menanti" in chat.texts()


async def test_digits_int_cannot_read_are_refused_at_the_search_results(world: World) -> None:
    chat = await _operator(world)
    await chat.text("1")
    await chat.text("Agus")
    offered = (await _open_state(world, chat))["offered"]
    await chat.text("²")
    assert INTERNAL not in chat.texts()
    assert "Ketik minimal 3 huruf" in chat.texts()
    assert (await _open_state(world, chat))["offered"] == offered


async def test_garbled_and_forged_household_buttons_get_one_answer(world: World) -> None:
    chat = await _operator(world)
    async with world.db.unit_of_work() as uow:
        [elsewhere, *_] = await uow.households.pending(SUKANANTI, 0, 1)
    await chat.text("1")
    await chat.text("Agus")
    state = await _open_state(world, chat)
    payloads = ("hh:99999999999999999999", "hh:²", "hh:0", "hh:", f"hh:{elsewhere.id}")
    for payload in payloads:
        await chat.press(payload)
        # The same words for a household that does not exist and one of another village.
        assert chat.texts() == NOT_ALLOWED, (payload, chat.texts())
        assert await _open_state(world, chat) == state
    await chat.press("pg:²")
    await chat.press("pg:99999999999999999999")
    assert INTERNAL not in chat.texts()


async def test_nul_is_dropped_from_what_people_type(world: World) -> None:
    chat = await _operator(world)
    await chat.text("1")
    await chat.text("\x00abc")
    assert "Tidak ada keluarga yang cocok" in chat.texts()  # SQLite matched every household
    await chat.text("Agus\x00 Hidayat")
    assert "Ditemukan 1 keluarga" in chat.texts()
    await chat.text("1")
    await chat.text("ditemukan")
    await chat.text("Dusun\x00 III, Sri\x00 Menanti")
    assert INTERNAL not in chat.texts()
    engine = (await _open_state(world, chat))["engine"]
    assert isinstance(engine, dict) and engine["answers"]["address"] == "Dusun III, Sri Menanti"


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(world: World) -> None:
    chat = await _operator(world)
    await chat.text("1")
    await chat.text("Agus Hidayat")
    await chat.text("1")
    await chat.text("ditemukan")
    await chat.text("Dusun \ud800 III")
    assert INTERNAL not in chat.texts()
    engine = (await _open_state(world, chat))["engine"]
    assert isinstance(engine, dict) and engine["answers"]["address"] == "Dusun \ufffd III"


async def test_a_long_number_is_not_echoed_back_whole(world: World) -> None:
    chat = await _operator(world)
    await chat.text("1")
    await chat.text("9" * 4000)
    [none, _prompt] = [m for m in chat.last.messages]
    assert "Tidak ada keluarga yang cocok" in none.text  # type: ignore[union-attr]
    assert len(none.text) < 300  # type: ignore[union-attr]


def test_storable_keeps_ordinary_text_and_mends_the_rest() -> None:
    same = "Dusun III, RT 006 · Sri Menanti 👍"
    assert messages.storable(same) is same
    assert messages.storable("a\x00b") == "ab"
    assert messages.storable("é\x00\ud800\udfff") == "é\ufffd\ufffd"
    inbound = Inbound(Channel.TELEGRAM, "1\x00", "2", InboundKind.TEXT, text="x\ud800")
    assert (inbound.external_id, inbound.text) == ("1", "x\ufffd")


async def test_console_chat_reads_superscripts_as_text() -> None:
    from bot.channels.console import ConsoleChat
    from handlers.messages import Option, Reply

    seen: list[Inbound] = []

    async def handle(inbound: Inbound) -> Reply:
        seen.append(inbound)
        return Reply([Question("Pilih", (Option("a", "Alfa"), Option("b", "Beta")))])

    chat = ConsoleChat(handle, "terminal")
    await chat.send("menu")
    await chat.send("¹")
    await chat.send("2")
    assert [(i.kind, i.text, i.payload) for i in seen[1:]] == [
        (InboundKind.TEXT, "¹", ""),
        (InboundKind.CHOICE, "Beta", "b"),
    ]
