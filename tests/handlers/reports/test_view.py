"""Problem reports reach Dinsos as a message with a reply button; the answer goes back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.regions import load_regions
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from tests.fakes.channel import FakeChannel
from tests.handlers.conftest import SRI_MENANTI, Chat, World

NIK = "1804072704900258"


@pytest.fixture
def fake() -> FakeChannel:
    return FakeChannel()


@pytest.fixture
def outbox(world: World, fake: FakeChannel, tmp_path: Path) -> OutboxSender:
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    return OutboxSender(world.db, {"telegram": fake}, world.clock, journal)


async def _person(world: World, role: str, region: str, chat_id: str, name: str) -> Chat:
    code = "KWL-" + "".join("ABCDEFGHJK"[int(d)] for d in chat_id).ljust(6, "Z")
    await world.invite(role, region, code)
    chat = world.user(chat_id)
    await chat.register(code, name)
    return chat


async def _report(operator: Chat) -> None:
    await operator.press("m:report")
    await operator.text("4")  # Jaringan internet
    await operator.text(f"Sinyal hilang, data NIK {NIK} tidak terkirim sejak pagi")
    await operator.text("lewati")
    await operator.text("simpan")
    assert "Laporan kendala #1 terkirim ke Dinsos" in operator.texts()


async def test_a_report_reaches_dinsos_and_the_answer_comes_back(
    world: World, fake: FakeChannel, outbox: OutboxSender
) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "401", "Bu Rina")
    await _person(world, "camat", "18.04.19", "402", "Pak Camat")
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    await _person(world, "dinsos", "35.28", "403", "Dinsos Pamekasan")
    operator = await _person(world, "operator", SRI_MENANTI, "404", "Budi Santoso")

    await _report(operator)
    await outbox.run_once()

    [push] = fake.to("401")
    assert "Laporan kendala #1 dari Sri Menanti" in push and "Operator: Budi Santoso" in push
    assert "Jaringan internet" in push and NIK not in push and "************0258" in push
    assert fake.to("402") == fake.to("403") == fake.to("404") == []

    await dinsos.press("report:reply:1")
    assert "Balas laporan #1 · Sri Menanti · Budi Santoso" in dinsos.texts()
    assert "Tulis jawaban untuk operator" in dinsos.texts()
    await dinsos.text("Silakan coba lagi, server SIKS-NG sudah pulih.")
    await dinsos.text("simpan")
    assert "Jawaban untuk laporan #1 terkirim ke Budi Santoso" in dinsos.texts()
    await outbox.run_once()

    [answer] = fake.to("404")
    assert answer.startswith("💬 Jawaban Dinsos untuk laporan kendala #1 (Jaringan internet)")
    assert "server SIKS-NG sudah pulih" in answer and answer.endswith("— Bu Rina")
    async with world.db.unit_of_work() as uow:
        report = await uow.problem_reports.get(1)
        assert await uow.problem_reports.count_open("18.04") == 0
    assert report is not None and report.status == "answered"

    await dinsos.text("BALAS 1")  # a second answer is a new message, not a duplicate
    assert "Jawaban sebelumnya: Silakan coba lagi" in dinsos.texts()
    await dinsos.text("Sudah kami cek: aman.")
    await dinsos.text("simpan")
    await outbox.run_once()
    assert len(fake.to("404")) == 2


async def test_only_dinsos_over_the_village_can_answer(world: World) -> None:
    operator = await _person(world, "operator", SRI_MENANTI, "411", "Budi Santoso")
    await _report(operator)
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    far = await _person(world, "dinsos", "35.28", "412", "Dinsos Pamekasan")
    camat = await _person(world, "camat", "18.04.19", "413", "Pak Camat")

    for payload in ("report:reply:1", "report:reply:99"):
        await far.press(payload)
        assert "tidak ada di wilayah Anda" in far.texts()
    await far.text("BALAS 1")
    assert "tidak ada di wilayah Anda" in far.texts()
    await camat.press("report:reply:1")
    assert "Pilihan tidak dikenal" in camat.texts()
    await operator.text("balas 1")  # not a command for an operator: the menu answers
    assert "Balas laporan" not in operator.texts()
    async with world.db.unit_of_work() as uow:
        for chat in (far, camat, operator):
            person = await uow.people.find_by_identity("telegram", chat.external_id)
            assert person is not None
            assert await uow.sessions.get_open(person.person_id) is None


async def test_dinsos_finishes_an_open_form_first(world: World) -> None:
    operator = await _person(world, "operator", SRI_MENANTI, "421", "Budi Santoso")
    await _report(operator)
    dinsos = await _person(world, "dinsos", "18.04", "422", "Bu Rina")
    await dinsos.press("m:reports")
    assert [o.value for o in dinsos.question().options] == ["report:reply:1"]
    await dinsos.press("report:reply:1")
    await dinsos.press("report:reply:1")  # again, while the answer form is open
    assert "masih punya isian yang belum selesai" in dinsos.texts()


async def _open_reports(world: World, region: str, count: int, minutes: int = 0) -> None:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.create("Operator", "id", world.clock.now())
        for n in range(count):
            at = world.clock.now() + dt.timedelta(minutes=minutes + n)
            await uow.problem_reports.add(person, "telegram", region, "aplikasi", f"No {n}", at)


async def test_the_list_counts_every_open_report_not_only_those_shown(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "431", "Bu Rina")
    await _open_reports(world, SRI_MENANTI, 25)
    await dinsos.press("m:reports")
    text = dinsos.question().text
    assert text.startswith("Laporan kendala terbuka di Lampung Barat (25):")
    assert "Ditampilkan 10 terbaru dari 25" in text
    assert len(dinsos.question().options) == 10
    assert "No 24" in text and "No 14" not in text  # the newest first
    await dinsos.text("menu")
    assert "Laporan kendala (25)" in [o.label for o in dinsos.question().options]


async def test_an_officer_over_two_kabupaten_sees_the_reports_of_both(world: World) -> None:
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    dinsos = await _person(world, "dinsos", "18.04", "441", "Bu Rina")
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "441")
        assert person is not None
        await uow.people.assign_role(person.person_id, "dinsos", "35.28", world.clock.now())
        await uow.people.assign_role(person.person_id, "dinsos", "18.04.19", world.clock.now())
    await _open_reports(world, SRI_MENANTI, 2)
    await _open_reports(world, "35.28.11.2001", 1, minutes=10)

    await dinsos.press("m:reports")
    text = dinsos.question().text
    assert text.startswith("Laporan kendala terbuka di Lampung Barat, Pamekasan (3):")
    assert "Bujur Barat" in text and "Sri Menanti" in text
    assert "Ditampilkan" not in text
    assert [o.value for o in dinsos.question().options] == [
        "report:reply:3",
        "report:reply:2",
        "report:reply:1",
    ]
    await dinsos.press("report:reply:3")  # the second kabupaten's report can be answered
    assert "Balas laporan #3 · Bujur Barat" in dinsos.texts()
