"""What else arrives on the webhook, over real HTTP: messages for another number of the same app,
a changed number, reactions and notices, documents, and files nobody asked for."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.model import Draft
from handlers.messages import Inbound, InboundKind, Reply
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from storage.db import Database
from storage.models import ProcessedInbound
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import SRI_MENANTI, Harness, WaUser
from tests.fakes.graph_api import Sent

REGISTER = Path(__file__).resolve().parents[2] / "data" / "dtks_register_sri_menanti.csv"
UNREADABLE = "belum bisa dibaca"


def _spy(h: Harness) -> list[Inbound]:
    """Every inbound the processor hands to the handlers, from now on."""
    seen: list[Inbound] = []
    handle = h.channel.processor.handle

    async def spy(inbound: Inbound) -> Reply:
        seen.append(inbound)
        return await handle(inbound)

    h.channel.processor.handle = spy
    return seen


async def _events(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return await uow.inbound_events.count("whatsapp")


async def _claims(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(ProcessedInbound)))


async def _registered(h: Harness, wa_id: str, role: str, region: str, code: str) -> WaUser:
    await h.invite(role, region, code)
    user = h.user(wa_id)
    await user.register(code)
    return user


# ---- our own number only ---------------------------------------------------------------------


async def test_messages_and_receipts_for_another_number_are_ignored(
    wa: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.whatsapp")
    other = payloads.OTHER_PHONE_NUMBER_ID
    stranger = "6281355550001"
    for payload in (
        payloads.text(stranger, "halo", phone_number_id=other),
        payloads.status("wamid.X1", "failed", wa.clock.now(), stranger, phone_number_id=other),
    ):
        response = await wa.post(payload)
        assert response.status_code == 200  # answered, so Meta does not retry it
    assert await _events(wa.db) == 0  # nothing stored
    assert await wa.channel.processor.drain() == 0
    assert wa.graph.sent == []
    assert "nothing for our number" in caplog.text

    # One body for two numbers of the app (two entries): only ours is answered.
    ours = payloads.text(stranger, "halo")
    theirs = payloads.text("6281355550002", "halo", phone_number_id=other)
    ours["entry"].append(theirs["entry"][0])
    sent = await wa.deliver(ours)
    assert [s.to for s in sent] == [stranger] and "DAFTAR" in sent[0].text()
    assert "1 change(s) for another number ignored" in caplog.text
    assert await _claims(wa.db) == 1  # only our message was handled


# ---- a changed number ------------------------------------------------------------------------


async def _at_numbered_menu(user: WaUser) -> Sent:
    """The housing form up to its 12-option question: a numbered text menu, 10 a page."""
    await user.press("m:housing")
    await user.text("Agus Hidayat")
    await user.choose("Agus Hidayat")
    for answer in ("milik sendiri", "36", "keramik", "tembok", "seng", "sumur bor"):
        await user.text(answer)
    await user.text("Listrik PLN dengan meteran")
    await user.text("900 VA")
    [menu] = [s for s in user.last if "1. " in s.text()]
    assert "10. " in menu.text() and "11. " not in menu.text()
    return menu


async def test_a_changed_number_keeps_the_registration_the_form_and_the_menu(
    wa: Harness,
) -> None:
    old = await _registered(wa, "6281366660001", "operator", SRI_MENANTI, "KWL-NUMCH1")
    menu = await _at_numbered_menu(old)
    async with wa.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("whatsapp", old.wa_id)
        assert person is not None
        form = await uow.sessions.get_open(person.person_id)
    assert form is not None

    new_id = "6281366669999"
    assert await wa.deliver(payloads.number_changed(old.wa_id, new_id)) == []  # no answer

    new = wa.user(new_id)
    await new.text("lagi")  # the menu's next page: the channel's menu moved along
    assert "11. " in new.texts() and "DAFTAR" not in new.texts()
    await new.text("2")  # and the form goes on where it was
    assert "buang air besar" in new.texts()
    async with wa.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("whatsapp", old.wa_id) is None
        moved = await uow.people.find_by_identity("whatsapp", new_id)
        assert moved is not None and moved.person_id == person.person_id
        assert [r.role for r in moved.roles] == ["operator"]
        still = await uow.sessions.get_open(person.person_id)
    assert still is not None and still.id == form.id
    assert wa.graph.to(old.wa_id)[-1].text() == menu.text()  # nothing more went to the old one


async def test_a_change_to_a_number_in_use_or_by_a_stranger_moves_nothing(
    wa_sqlite: Harness,
) -> None:
    h = wa_sqlite
    assert await h.deliver(payloads.number_changed("6281366660002", "6281366660003")) == []
    async with h.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("whatsapp", "6281366660003") is None
    first = await _registered(h, "6281366660004", "operator", SRI_MENANTI, "KWL-NUMCH2")
    second = await _registered(h, "6281366660005", "operator", SRI_MENANTI, "KWL-NUMCH3")
    await _at_numbered_menu(first)
    assert await h.deliver(payloads.number_changed(first.wa_id, second.wa_id)) == []
    await second.text("lagi")  # not the first one's menu: the handlers read the word
    assert "11. " not in second.texts()
    await first.text("lagi")  # the first one still has it
    assert "11. " in first.texts()
    async with h.db.unit_of_work() as uow:
        one = await uow.people.find_by_identity("whatsapp", first.wa_id)
        two = await uow.people.find_by_identity("whatsapp", second.wa_id)
    assert one is not None and two is not None and one.person_id != two.person_id


# ---- reactions and notices -------------------------------------------------------------------


async def test_a_reaction_acknowledges_an_announcement_and_is_not_answered(
    wa: Harness, tmp_path: Path
) -> None:
    operator = await _registered(wa, "6281377770001", "operator", SRI_MENANTI, "KWL-REACT1")
    async with wa.db.unit_of_work() as uow:
        draft = Draft("Rapat verval hari Senin pukul 09.00.", (SRI_MENANTI,), ("operator",))
        number = await announcements.create(uow, draft, by=None, channel="cli", now=wa.clock.now())
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    outbox = OutboxSender(wa.db, {"whatsapp": wa.channel.sender}, wa.clock, journal)
    assert await outbox.run_once() == 1
    announcement = wa.graph.to(operator.wa_id)[-1]
    greeting = wa.graph.to(operator.wa_id)[0]
    campaign = announcements.campaign(number)

    async def acknowledged() -> bool:
        async with wa.db.unit_of_work() as uow:
            [row] = await uow.outbox.of_campaign(campaign)
        return row.acknowledged_at is not None

    sent = len(wa.graph.sent)
    for payload in (
        payloads.reaction(operator.wa_id, greeting.wamid),  # not an announcement
        payloads.reaction(operator.wa_id, announcement.wamid, emoji=None),  # taken back
        payloads.reaction(operator.wa_id, announcement.wamid, emoji=""),
    ):
        assert await wa.deliver(payload) == []
    assert not await acknowledged()
    assert await wa.deliver(payloads.reaction(operator.wa_id, announcement.wamid, "🙏")) == []
    assert await acknowledged()
    assert len(wa.graph.sent) == sent  # no answer to any reaction
    async with wa.db.unit_of_work() as uow:
        found = await reports.report(uow, number)
    assert found is not None and found.overall.acknowledged == 1


async def test_notices_get_no_answer_and_unreadable_messages_a_polite_one(
    wa: Harness,
) -> None:
    user = await _registered(wa, "6281377770002", "operator", SRI_MENANTI, "KWL-NOTIC1")
    seen = _spy(wa)
    last = user.last[-1].wamid
    for notice in (
        payloads.revoke(user.wa_id, last),
        payloads.ephemeral(user.wa_id),
        payloads.identity_changed(user.wa_id),
        payloads.unsupported(user.wa_id),  # what a deleted message used to arrive as
        payloads.unsupported(user.wa_id, "reaction"),
        payloads.unsupported(user.wa_id, "pin"),
        payloads.unsupported(user.wa_id, "keep_in_chat"),
    ):
        assert await wa.deliver(notice) == [], notice
    assert seen == []  # not even handed to the handlers
    for message in (
        payloads.sticker(user.wa_id),
        payloads.audio(user.wa_id),
        payloads.video(user.wa_id),
        payloads.contacts(user.wa_id),
        payloads.unsupported(user.wa_id, "poll_creation"),
    ):
        [answer] = await user._deliver(message)
        assert UNREADABLE in answer.text()
    assert [i.kind for i in seen] == [InboundKind.UNSUPPORTED] * 5
    assert wa.graph.media_requests == []  # a voice note or a video is never fetched


# ---- documents -------------------------------------------------------------------------------


async def test_a_dinsos_register_sent_as_a_document_is_imported(wa: Harness) -> None:
    dinsos = await _registered(wa, "6281388880001", "dinsos", "18.04", "KWL-WADOC1")
    content = REGISTER.read_bytes()
    wa.graph.add_media("2209876543", content, "text/csv")
    payload = payloads.document(dinsos.wa_id, "2209876543", "DTKS Sri Menanti.CSV")
    await dinsos._deliver(payload)
    assert (
        "Impor DTKS Sri Menanti.CSV ke 18.04 berhasil: 84 baris, 0 keluarga baru, "
        "30 keluarga diperbarui"
    ) in dinsos.texts()
    stored = wa.channel.media.directory / "wa-2209876543.csv"
    assert stored.read_bytes() == content
    async with wa.db.unit_of_work() as uow:
        audit = await uow.audit.list(entity="region")
    assert audit[-1].action == "register.imported"
    assert audit[-1].after["file"] == "DTKS Sri Menanti.CSV"
    assert audit[-1].after["stored_as"] == str(stored)
    assert wa.graph.media_requests == wa.graph.downloads == ["2209876543"]

    assert await wa.deliver(payload) == []  # Meta delivers it again: no download, no import
    assert wa.graph.downloads == ["2209876543"]
    async with wa.db.unit_of_work() as uow:
        assert len(await uow.audit.list(entity="region")) == len(audit)


async def test_a_document_is_the_announcement_attachment(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    dinsos = await _registered(h, "6281388880002", "dinsos", "18.04", "KWL-WADOC2")
    await dinsos.press("m:announce")
    await dinsos.press("ann:new")
    h.graph.add_media("2209876544", b"%PDF-1.4 juknis", "application/pdf")
    await dinsos._deliver(
        payloads.document(dinsos.wa_id, "2209876544", "juknis.pdf", "application/pdf")
    )
    assert "Lampiran diterima. Sekarang tulis isi pengumumannya" in dinsos.texts()
    assert h.graph.downloads == ["2209876544"]
    assert (h.channel.media.directory / "wa-2209876544.pdf").read_bytes() == b"%PDF-1.4 juknis"


async def test_an_operator_document_is_not_downloaded(wa: Harness) -> None:
    operator = await _registered(wa, "6281388880003", "operator", SRI_MENANTI, "KWL-WADOC3")
    stranger = wa.user("6281388880004")
    wa.graph.add_media("2209876545", REGISTER.read_bytes(), "text/csv")
    seen = _spy(wa)
    for user in (operator, stranger):
        await user._deliver(payloads.document(user.wa_id, "2209876545", "daftar.csv"))
    assert "tidak meminta file" in operator.last[0].text()
    assert "DAFTAR" in stranger.texts()
    assert wa.graph.media_requests == [] and wa.graph.downloads == []
    assert [(i.kind, i.file_name, i.media_ref) for i in seen] == [
        (InboundKind.DOCUMENT, "daftar.csv", "")
    ] * 2
    assert not wa.channel.media.directory.exists()


async def test_a_file_too_big_is_refused_with_a_word_on_what_to_do(wa_sqlite: Harness) -> None:
    h = wa_sqlite
    dinsos = await _registered(h, "6281388880005", "dinsos", "18.04", "KWL-WADOC4")
    h.channel.media.max_bytes = 1024
    seen = _spy(h)
    h.graph.add_media("2209876546", b"x" * 2048, "text/csv")  # says so up front
    h.graph.add_media("2209876547", b"x" * 2048, "text/csv", claimed_size=10)  # only later
    for media_id in ("2209876546", "2209876547"):
        [answer] = await dinsos._deliver(payloads.document(dinsos.wa_id, media_id, "besar.csv"))
        assert "lebih dari 1 KB, terlalu besar" in answer.text()
        assert "simpan sebagai .csv, lalu kirim lagi" in answer.text()
    assert h.graph.downloads == ["2209876547"]  # the first one was never fetched
    assert seen == [] and not list(h.channel.media.directory.glob("*"))
