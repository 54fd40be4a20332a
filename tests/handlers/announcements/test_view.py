"""Announcements: targeting by region and role, delivery through the outbox (rate, retry_after,
blocked), acknowledgement by button and by PAHAM, the Dinsos report, the nudge once, scope."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.channels.ratelimit import RateLimiter
from bot.regions import load_regions
from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.model import Draft
from handlers.kit.timing import QuietHours
from handlers.messages import Channel, Document
from handlers.ports import Blocked, RetryAfter
from reminders.announcements import deliver_announcements, nudge_announcements
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from tests.fakes.channel import FakeChannel
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

AIR_HITAM = "18.04.19"  # the kecamatan of Sri Menanti
PAMEKASAN = "35.28"
NOTICE = "Mulai 1 Desember, menu Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran."


class VirtualTime:
    """The rate limiter's clock: a sleep moves time forward to its end, never back."""

    def __init__(self) -> None:
        self.t = 0.0

    def clock(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        target = self.t + seconds
        await asyncio.sleep(0)
        self.t = max(self.t, target)


@pytest.fixture
def fake() -> FakeChannel:
    return FakeChannel()


def _outbox(
    world: World, tmp_path: Path, *channels: FakeChannel, concurrency: int = 8
) -> OutboxSender:
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    senders = {c.channel.value: c for c in channels}
    return OutboxSender(
        world.db, senders, world.clock, journal, OutboxPolicy(concurrency=concurrency)
    )


async def _person(
    world: World,
    role: str,
    region: str,
    chat_id: str,
    name: str,
    channel: Channel = Channel.TELEGRAM,
) -> Chat:
    code = "KWL-" + "".join("ABCDEFGHJK"[int(d)] for d in chat_id[-6:]).ljust(6, "Z")
    await world.invite(role, region, code)
    chat = world.user(chat_id, channel)
    await chat.register(code, name)
    return chat


async def _people(world: World) -> dict[str, Chat]:
    """Dinsos, two villages' operators and heads, two camat, and a far kabupaten's operator."""
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    return {
        "dinsos": await _person(world, "dinsos", "18.04", "100", "Bu Rina"),
        "op_sri": await _person(world, "operator", SRI_MENANTI, "101", "Budi Santoso"),
        "op_sri2": await _person(world, "operator", SRI_MENANTI, "102", "Siti Aminah"),
        "peratin_sri": await _person(world, "peratin", SRI_MENANTI, "103", "Pak Peratin"),
        "op_suka": await _person(world, "operator", SUKANANTI, "104", "Dewi Lestari"),
        "camat_air": await _person(world, "camat", AIR_HITAM, "105", "Pak Camat"),
        "camat_7": await _person(world, "camat", "18.04.07", "106", "Bu Camat"),
        "op_far": await _person(world, "operator", "35.28.11.2001", "107", "Operator Jauh"),
    }


async def _create(world: World, draft: Draft) -> int:
    async with world.db.unit_of_work() as uow:
        assert await announcements.problems(uow, draft, ("18.04",), world.clock.now(), "id") == []
        return await announcements.create(
            uow, draft, by=None, channel="test", now=world.clock.now()
        )


async def _rows(world: World, announcement_id: int) -> dict[str, str]:
    """Recipient name -> outbox status."""
    async with world.db.unit_of_work() as uow:
        rows = await uow.announcements.deliveries(announcements.campaign(announcement_id))
    return {row.name: row.status for row in rows}


@pytest.mark.parametrize(
    ("regions", "roles", "expected"),
    [
        (("18.04",), ("operator",), {"Budi Santoso", "Siti Aminah", "Dewi Lestari"}),
        ((AIR_HITAM,), ("operator", "camat"), {"Budi Santoso", "Siti Aminah", "Pak Camat"}),
        ((SRI_MENANTI,), ("peratin", "camat"), {"Pak Peratin", "Pak Camat"}),
        ((SRI_MENANTI, SUKANANTI), ("camat",), {"Pak Camat", "Bu Camat"}),
        ((SUKANANTI,), ("peratin",), set()),
    ],
)
async def test_the_audience_is_the_roles_in_and_over_the_regions(
    world: World, regions: tuple[str, ...], roles: tuple[str, ...], expected: set[str]
) -> None:
    await _people(world)
    announcement_id = await _create(world, Draft(NOTICE, regions, roles))
    assert set(await _rows(world, announcement_id)) == expected
    assert set((await _rows(world, announcement_id)).values()) <= {"pending"}


async def test_delivery_ack_report_and_a_single_nudge(
    world: World, fake: FakeChannel, tmp_path: Path
) -> None:
    people = await _people(world)
    dinsos = people["dinsos"]
    fake.fail("104", Blocked("403 bot was blocked by the user"))
    announcement_id = await _create(world, Draft(NOTICE, ("18.04",), ("operator", "peratin")))
    outbox = _outbox(world, tmp_path, fake)
    assert await outbox.run_once() == 4

    [message] = fake.to("101")
    assert message.startswith(f"📢 Pengumuman Dinsos #{announcement_id}\n\n{NOTICE}")
    assert "balas PAHAM" in message
    assert fake.to("104") == [] and fake.to("107") == [] and fake.to("100") == []
    assert (await _rows(world, announcement_id))["Dewi Lestari"] == "blocked"

    await people["op_sri"].press(f"ann:ack:{announcement_id}")
    assert f"sudah membaca dan memahami pengumuman #{announcement_id}" in people["op_sri"].texts()
    await people["op_sri"].press(f"ann:ack:{announcement_id}")  # pressed twice
    assert "sudah Anda konfirmasi sebelumnya" in people["op_sri"].texts()
    await people["peratin_sri"].text("Paham")
    assert "✅ Terima kasih" in people["peratin_sri"].texts()

    await dinsos.press("m:announce")
    assert f"#{announcement_id}" in dinsos.texts() and "paham 2/4" in dinsos.texts()
    await dinsos.press(f"ann:rep:{announcement_id}")
    report = dinsos.texts()
    assert "Penerima 4 · terkirim 3 · sampai 0 · gagal 1" in report
    assert "✅ Paham: 2 dari 4 (50%)" in report
    assert "• Sri Menanti · operator: 1/2" in report
    assert "• Sri Menanti · peratin/kades: 1/1" in report
    assert "• Sukananti · operator: 0/1 (gagal 1)" in report
    assert "Belum paham (2):" in report
    assert "• Siti Aminah · operator · Sri Menanti · terkirim" in report
    assert "• Dewi Lestari · operator · Sukananti · gagal" in report

    quiet = QuietHours()
    world.clock.advance(dt.timedelta(hours=23, minutes=59))
    assert await nudge_announcements(world.db, world.clock, quiet) == 0
    world.clock.advance(dt.timedelta(minutes=1))
    assert await nudge_announcements(world.db, world.clock, quiet) == 1  # Siti only
    assert await nudge_announcements(world.db, world.clock, quiet) == 0
    world.clock.advance(dt.timedelta(days=3))
    assert await nudge_announcements(world.db, world.clock, quiet) == 0
    await outbox.run_once()
    [_, nudge] = fake.to("102")
    assert nudge.startswith(f"🔔 Pengumuman Dinsos #{announcement_id} belum Anda konfirmasi")
    assert len(fake.to("101")) == len(fake.to("103")) == 1

    await dinsos.press(dinsos.option("Unduh daftar"))
    [document] = dinsos.last.messages
    assert isinstance(document, Document) and document.file_name.endswith(".xlsx")
    workbook = load_workbook(document.path, read_only=True)
    groups, recipients = (list(sheet.values) for sheet in workbook.worksheets)
    assert workbook.sheetnames == ["Per wilayah", "Penerima"] and len(groups) == 4
    assert [row[0] for row in recipients[1:3]] == ["Dewi Lestari", "Siti Aminah"]  # not yet
    assert recipients[4][5:8] == ("terkirim", None, "15-01-2026 10.30 WIB")
    await people["op_sri2"].text(f"PAHAM {announcement_id}")
    assert "✅ Terima kasih" in people["op_sri2"].texts()
    await dinsos.press(f"ann:rep:{announcement_id}")
    assert "✅ Paham: 3 dari 4 (75%)" in dinsos.texts()
    assert "Pengingat ulang dikirim ke 1 orang." in dinsos.texts()


async def test_the_rate_is_never_exceeded_and_retry_after_is_honoured(
    world: World, tmp_path: Path
) -> None:
    time = VirtualTime()
    fake = FakeChannel(limiter=RateLimiter(4.0, 1.0, clock=time.clock, sleep=time.sleep))
    for n in range(12):
        await _person(world, "operator", SRI_MENANTI, f"2{n:02d}", f"Operator {n:02d}")
    fake.fail("205", RetryAfter(30))
    announcement_id = await _create(world, Draft(NOTICE, (SRI_MENANTI,), ("operator",)))
    outbox = _outbox(world, tmp_path, fake, concurrency=1)

    await outbox.run_once()
    moments = sorted(part.at for part in fake.parts)
    assert len(moments) == 11
    assert all(b - a >= 0.25 - 1e-9 for a, b in itertools.pairwise(moments))
    assert moments[-1] - moments[0] == pytest.approx(11 * 0.25)  # 12 slots: one was refused
    rows = await _rows(world, announcement_id)
    assert rows["Operator 05"] == "pending" and list(rows.values()).count("sent") == 11

    world.clock.advance(dt.timedelta(seconds=29))
    assert await outbox.run_once() == 0
    world.clock.advance(dt.timedelta(seconds=1))
    assert await outbox.run_once() == 1
    assert len(fake.to("205")) == 1
    assert set((await _rows(world, announcement_id)).values()) == {"sent"}


async def test_a_scheduled_announcement_waits_and_can_be_cancelled(world: World) -> None:
    people = await _people(world)
    now = world.clock.now()
    later = Draft(NOTICE, (SRI_MENANTI,), ("operator",), scheduled_at=now + dt.timedelta(hours=2))
    first = await _create(world, later)
    second = await _create(world, later)
    quiet = QuietHours()
    assert await deliver_announcements(world.db, world.clock, quiet) == 0
    assert await _rows(world, first) == {}

    dinsos = people["dinsos"]
    await dinsos.press(f"ann:rep:{second}")
    assert "terjadwal" in dinsos.texts()
    await dinsos.press(dinsos.option("Batalkan"))
    await dinsos.press(dinsos.option("Ya, batalkan"))
    assert f"Pengumuman #{second} dibatalkan" in dinsos.texts()

    world.clock.advance(dt.timedelta(hours=2))
    assert await deliver_announcements(world.db, world.clock, quiet) == 2
    assert await deliver_announcements(world.db, world.clock, quiet) == 0
    assert set(await _rows(world, first)) == {"Budi Santoso", "Siti Aminah"}
    assert await _rows(world, second) == {}
    await dinsos.press(f"ann:cancel-yes:{first}")  # too late: it went out
    assert "sudah dikirim" in dinsos.texts()


async def test_quiet_hours_hold_an_announcement_until_morning(world: World) -> None:
    await _person(world, "operator", SRI_MENANTI, "301", "Budi Santoso")
    world.clock.set(dt.datetime(2026, 1, 15, 15, 0, tzinfo=dt.UTC))  # 22.00 WIB
    announcement_id = await _create(world, Draft(NOTICE, (SRI_MENANTI,), ("operator",)))
    async with world.db.unit_of_work() as uow:
        [row] = await uow.outbox.of_campaign(announcements.campaign(announcement_id))
    assert row.next_attempt_at == dt.datetime(2026, 1, 16, 0, 0, tzinfo=dt.UTC)  # 07.00 WIB


async def test_whatsapp_outside_the_window_gets_the_template(world: World, tmp_path: Path) -> None:
    whatsapp = FakeChannel(Channel.WHATSAPP, use_template=lambda _: True)
    await _person(world, "operator", SRI_MENANTI, "6281200000301", "Budi", Channel.WHATSAPP)
    announcement_id = await _create(world, Draft(NOTICE, (SRI_MENANTI,), ("operator",)))
    await _outbox(world, tmp_path, whatsapp).run_once()
    [part] = whatsapp.parts
    assert part.template is not None and part.template.kind == "announcement"
    assert part.template.params == (str(announcement_id), NOTICE)


async def test_the_report_gives_the_platforms_reason_for_each_failure(
    world: World, tmp_path: Path
) -> None:
    whatsapp = FakeChannel(Channel.WHATSAPP)
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    for n, name in enumerate(("Ani", "Budi", "Citra")):
        await _person(world, "operator", SRI_MENANTI, f"62812000003{n}", name, Channel.WHATSAPP)
    announcement_id = await _create(world, Draft(NOTICE, (SRI_MENANTI,), ("operator",)))
    await _outbox(world, tmp_path, whatsapp).run_once()
    campaign = announcements.campaign(announcement_id)
    async with world.db.unit_of_work() as uow:
        rows = {r.person_id: r for r in await uow.outbox.of_campaign(campaign)}
        names = {r.person_id: r.name for r in await uow.announcements.deliveries(campaign)}
        by_name = {names[p]: rows[p].platform_message_id or "" for p in rows}
        now = world.clock.now()
        await uow.outbox.record_status(
            by_name["Budi"], "failed", now, error_code="131026", error_title="Message undeliverable"
        )
        await uow.outbox.record_status(by_name["Citra"], "failed", now)  # no reason given

    await dinsos.press(f"ann:rep:{announcement_id}")
    report = dinsos.texts()
    assert "• Budi · operator · Sri Menanti · gagal: 131026 Message undeliverable" in report
    assert "• Citra · operator · Sri Menanti · gagal\n" in report
    assert report.index("Budi") < report.index("Ani") and report.index("Citra") < report.index(
        "Ani"
    )
    await dinsos.press(dinsos.option("Unduh daftar"))
    [document] = dinsos.last.messages
    assert isinstance(document, Document)
    _, recipients = (list(sheet.values) for sheet in load_workbook(document.path).worksheets)
    assert {row[0]: row[5] for row in recipients[1:]} == {
        "Ani": "terkirim",
        "Budi": "gagal: 131026 Message undeliverable",
        "Citra": "gagal",
    }


async def test_only_dinsos_announces_and_only_in_its_own_region(world: World) -> None:
    people = await _people(world)
    async with world.db.unit_of_work() as uow:
        far = Draft(NOTICE, ("35.28",), ("operator",))
        errors = await announcements.problems(uow, far, ("18.04",), world.clock.now(), "id")
        assert errors == [
            "Wilayah 35.28 di luar wilayah tugas Anda. Pilih wilayah di kabupaten Anda."
        ]
    announcement_id = await _create(world, Draft(NOTICE, (SRI_MENANTI,), ("operator",)))

    for key in ("op_sri", "peratin_sri", "camat_air"):
        chat = people[key]
        await chat.text("pengumuman")
        assert "Hanya petugas Dinsos" in chat.texts()
        await chat.press(f"ann:rep:{announcement_id}")
        assert "Hanya petugas Dinsos" in chat.texts()
    far_dinsos = await _person(world, "dinsos", PAMEKASAN, "108", "Dinsos Pamekasan")
    await far_dinsos.press(f"ann:rep:{announcement_id}")
    assert "tidak ada di wilayah Anda" in far_dinsos.texts()
    await far_dinsos.press("m:announce")
    assert f"#{announcement_id}" not in far_dinsos.texts()

    # A forged or foreign acknowledgement records nothing.
    await people["op_suka"].press(f"ann:ack:{announcement_id}")
    assert "tidak ditujukan kepada Anda" in people["op_suka"].texts()
    await people["op_suka"].press("ann:ack:99999999999999")
    assert "tidak ditujukan kepada Anda" in people["op_suka"].texts()
    await people["op_suka"].text("paham")
    assert "Tidak ada pengumuman yang menunggu" in people["op_suka"].texts()
    async with world.db.unit_of_work() as uow:
        found = await reports.report(uow, announcement_id)
    assert found is not None and found.overall.acknowledged == 0
