"""Taking access back also stops what Kawal sends by itself: a removed person's waiting
messages are cancelled, and nothing goes to a switched-off identity."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from handlers.announcements import model as announcements
from handlers.announcements.model import Draft
from handlers.people import lifecycle as people
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from tests.fakes.channel import FakeChannel
from tests.handlers.conftest import SRI_MENANTI, World

NOTICE = "Mulai 1 Desember, menu Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran."


def _outbox(world: World, tmp_path: Path, fake: FakeChannel) -> OutboxSender:
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    return OutboxSender(world.db, {fake.channel.value: fake}, world.clock, journal, OutboxPolicy())


async def _announce(world: World) -> int:
    async with world.db.unit_of_work() as uow:
        return await announcements.create(
            uow,
            Draft(NOTICE, (SRI_MENANTI,), ("operator",)),
            by=None,
            channel="test",
            now=world.clock.now(),
        )


async def test_a_removed_person_gets_nothing_more(world: World, tmp_path: Path) -> None:
    for chat, code in (("601", "KWL-RMVA01"), ("602", "KWL-RMVA02")):
        await world.invite("operator", SRI_MENANTI, code)
        await world.user(chat).register(code)
    announcement_id = await _announce(world)
    async with world.db.unit_of_work() as uow:
        removed = await uow.people.find_by_identity("telegram", "602")
        assert removed is not None
        done = await people.remove_person(
            uow, removed.person_id, by=None, channel="cli", now=world.clock.now()
        )
        assert done is not None
    fake = FakeChannel()
    await _outbox(world, tmp_path, fake).run_once()
    assert fake.to("601") and fake.to("602") == []
    async with world.db.unit_of_work() as uow:
        rows = {
            r.person_id: r.status
            for r in await uow.outbox.of_campaign(announcements.campaign(announcement_id))
        }
    assert rows[removed.person_id] == "cancelled"


async def test_a_switched_off_identity_is_never_sent_to(world: World, tmp_path: Path) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-RMVB01")
    await world.user("603").register("KWL-RMVB01")
    async with world.db.unit_of_work() as uow:
        await uow.session.execute(
            text("UPDATE identities SET disabled_at = created_at WHERE external_id = '603'")
        )
    await _announce(world)
    fake = FakeChannel()
    await _outbox(world, tmp_path, fake).run_once()
    assert fake.to("603") == []
