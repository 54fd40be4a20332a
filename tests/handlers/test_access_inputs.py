"""What the channels hand over besides text: reactions (an announcement's acknowledgement),
a changed number (the identity moves), and files (downloaded only when asked for)."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.model import Draft
from handlers.app import Options
from handlers.messages import Channel, Inbound, InboundKind
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from tests.fakes.channel import FakeChannel
from tests.handlers.conftest import SRI_MENANTI, World

NOTICE = "Mulai 1 Desember, menu Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran."


def _kind(chat_id: str, kind: InboundKind, **fields: object) -> Inbound:
    return Inbound(Channel.TELEGRAM, chat_id, f"{kind}-{chat_id}-{fields}", kind, **fields)  # type: ignore[arg-type]


async def _announce(world: World, tmp_path: Path, fake: FakeChannel) -> int:
    async with world.db.unit_of_work() as uow:
        announcement_id = await announcements.create(
            uow,
            Draft(NOTICE, (SRI_MENANTI,), ("operator",)),
            by=None,
            channel="test",
            now=world.clock.now(),
        )
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    outbox = OutboxSender(
        world.db, {fake.channel.value: fake}, world.clock, journal, OutboxPolicy()
    )
    assert await outbox.run_once() == 1
    return announcement_id


async def _acknowledged(world: World, announcement_id: int) -> int:
    async with world.db.unit_of_work() as uow:
        found = await reports.report(uow, announcement_id)
    assert found is not None
    return found.overall.acknowledged


async def test_a_reaction_to_an_announcement_acknowledges_it_silently(
    world: World, tmp_path: Path
) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-REACT1")
    operator = world.user("301")
    await operator.register("KWL-REACT1")
    fake = FakeChannel()
    announcement_id = await _announce(world, tmp_path, fake)
    [sent] = [p for p in fake.parts if p.to == "301"]

    # A reaction to another message, or a reaction taken back, records nothing.
    assert (
        await operator.send(_kind("301", InboundKind.REACTION, payload="999", text="👍"))
    ).messages == []
    assert (
        await operator.send(_kind("301", InboundKind.REACTION, payload=sent.platform_id))
    ).messages == []
    assert await _acknowledged(world, announcement_id) == 0

    reply = await operator.send(
        _kind("301", InboundKind.REACTION, payload=sent.platform_id, text="👍")
    )
    assert reply.messages == []
    assert await _acknowledged(world, announcement_id) == 1

    # A stranger's reaction gets no welcome text and stores nothing.
    stranger = world.user("302")
    assert (
        await stranger.send(_kind("302", InboundKind.REACTION, payload=sent.platform_id, text="👍"))
    ).messages == []
    async with world.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", "302") is None


async def test_a_changed_number_keeps_the_person_roles_and_open_form(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-MOVE01")
    old = world.user("6281200000001", Channel.WHATSAPP)
    await old.register("KWL-MOVE01", "Rina Wati")
    await old.text("1")  # Verifikasi keluarga: the household search is open
    change = Inbound(
        Channel.WHATSAPP,
        "6281200000001",
        "wamid.change",
        InboundKind.NUMBER_CHANGED,
        args="6281299999999",
    )
    assert (await old.send(change)).messages == []

    new = world.user("6281299999999", Channel.WHATSAPP)
    await new.text("lanjut")
    assert "Cari keluarga" in new.texts()  # the same open form, no registration asked
    async with world.db.unit_of_work() as uow:
        moved = await uow.people.find_by_identity("whatsapp", "6281299999999")
        assert moved is not None and moved.name == "Rina Wati"
        assert [r.role for r in moved.roles] == ["operator"]
        assert await uow.people.find_by_identity("whatsapp", "6281200000001") is None

    # The new number already belongs to a served person: nobody is taken over.
    await world.invite("operator", SRI_MENANTI, "KWL-MOVE02")
    other = world.user("6281200000002", Channel.WHATSAPP)
    await other.register("KWL-MOVE02", "Dedi Kurnia")
    steal = Inbound(
        Channel.WHATSAPP,
        "6281200000002",
        "wamid.steal",
        InboundKind.NUMBER_CHANGED,
        args="6281299999999",
    )
    assert (await other.send(steal)).messages == []
    async with world.db.unit_of_work() as uow:
        kept = await uow.people.find_by_identity("whatsapp", "6281299999999")
        assert kept is not None and kept.name == "Rina Wati"


async def _open_house_photo(world: World, chat_id: str, code: str) -> None:
    """An operator at the house photo question of a new proposal (Usulan baru)."""
    await world.invite("operator", SRI_MENANTI, code)
    operator = world.user(chat_id)
    await operator.register(code)
    await operator.press("m:propose")
    for answer in ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]:
        await operator.text(answer)
    for answer in ["Dusun I, Pekon Sri Menanti", "2", "1", "tidak"]:
        await operator.text(answer)
    assert "foto" in operator.texts().lower()


async def test_files_are_wanted_only_from_people_whose_question_asks_for_them(
    world: World,
) -> None:
    photo = _kind("401", InboundKind.PHOTO)
    document = _kind("401", InboundKind.DOCUMENT, file_name="daftar.csv")
    assert not await world.kawal.accepts_file(photo)  # a stranger
    await world.invite("operator", SRI_MENANTI, "KWL-FILE01")
    operator = world.user("401")
    await operator.command("start", "KWL-FILE01")
    assert not await world.kawal.accepts_file(photo)  # not past the data notice yet
    await operator.press("consent:yes")
    await operator.text("Budi Santoso")
    assert not await world.kawal.accepts_file(photo)  # in the menu: no question asks
    assert not await world.kawal.accepts_file(document)  # an operator imports nothing

    reply = await operator.send(photo)  # the channel hands it over without the file
    assert "tidak meminta file" in operator.texts() and reply.messages

    await world.invite("dinsos", "18.04", "KWL-FILE02")
    dinsos = world.user("402")
    await dinsos.register("KWL-FILE02", "Bu Rina")
    assert await world.kawal.accepts_file(_kind("402", InboundKind.DOCUMENT, file_name="x.csv"))
    assert not await world.kawal.accepts_file(_kind("402", InboundKind.PHOTO))


@pytest.mark.parametrize("quota", [2])
async def test_the_daily_file_quota(world: World, quota: int) -> None:
    world.kawal.options = Options(media_daily_quota=quota)
    await _open_house_photo(world, "501", "KWL-QUOTA1")
    operator = world.user("501")
    photo = _kind("501", InboundKind.PHOTO)
    assert await world.kawal.accepts_file(photo)
    for n in range(quota):  # files stored and handed over (each counted), then refused
        await operator.send(_kind("501", InboundKind.PHOTO, media_ref=f"media/p{n}.jpg"))
        await operator.text("kembali")
    assert not await world.kawal.accepts_file(photo)
    await operator.send(photo)
    assert "batas 2 file per hari" in operator.texts()
