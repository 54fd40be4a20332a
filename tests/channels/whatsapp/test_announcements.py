"""An announcement to WhatsApp recipients over HTTP: free-form with the acknowledgement button
inside the 24-hour window, the announcement template outside it; receipts and PAHAM reach the
Dinsos report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from handlers.announcements import model as announcements
from handlers.announcements import report as reports
from handlers.announcements.model import Draft
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from tests.channels.whatsapp import payloads
from tests.channels.whatsapp.conftest import SRI_MENANTI, Harness

NOTICE = "SIKS-NG versi 2.4 aktif mulai Senin.\nMenu Usulan Baru pindah ke Pemutakhiran."


async def test_inside_and_outside_the_window_then_receipts_and_paham(
    wa: Harness, tmp_path: Path
) -> None:
    for wa_id, code in (("6281322230001", "KWL-ANNWA1"), ("6281322230002", "KWL-ANNWA2")):
        await wa.invite("operator", SRI_MENANTI, code)
        if wa_id.endswith("2"):
            wa.clock.advance(timedelta(hours=25))  # the first one wrote more than 24 h ago
        await wa.user(wa_id).register(code)
    async with wa.db.unit_of_work() as uow:
        draft = Draft(NOTICE, (SRI_MENANTI,), ("operator",))
        number = await announcements.create(uow, draft, by=None, channel="cli", now=wa.clock.now())
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    outbox = OutboxSender(wa.db, {"whatsapp": wa.channel.sender}, wa.clock, journal)
    before = len(wa.graph.sent)

    assert await outbox.run_once() == 2

    sent = {s.to: s for s in wa.graph.sent[before:]}
    template = sent["6281322230001"].body["template"]
    assert template["name"] == "kawal_announcement"
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == [str(number), " ".join(NOTICE.split())]
    fresh = sent["6281322230002"]
    assert fresh.interactive_type == "button"
    assert fresh.text().startswith(f"📢 Pengumuman Dinsos #{number}\n\n{NOTICE}")
    [button] = fresh.choices()
    assert (button["id"], button["title"]) == (f"ann:ack:{number}", "Sudah dibaca & paham")

    now = wa.clock.now()
    await wa.deliver(payloads.status(sent["6281322230001"].wamid, "delivered", now))
    await wa.deliver(payloads.status(fresh.wamid, "read", now))
    late = wa.user("6281322230001")
    await late.text("paham")  # the template has no button: the word works
    assert f"memahami pengumuman #{number}" in late.texts()
    prompt = wa.user("6281322230002")
    prompt.last = [fresh]
    await prompt.press(f"ann:ack:{number}")
    assert f"memahami pengumuman #{number}" in prompt.texts()

    async with wa.db.unit_of_work() as uow:
        found = await reports.report(uow, number)
    assert found is not None
    overall = found.overall
    assert (overall.total, overall.sent, overall.delivered, overall.acknowledged) == (2, 2, 2, 2)
    text = reports.report_text(found, "id")
    assert "Penerima 2 · terkirim 2 · sampai 2 · gagal 0" in text
    assert "✅ Paham: 2 dari 2 (100%)" in text and "Belum paham" not in text


async def test_a_failed_receipt_shows_metas_reason_in_the_report(
    wa: Harness, tmp_path: Path
) -> None:
    await wa.invite("dinsos", "18.04", "KWL-ANNWA3")
    dinsos = wa.user("6281322230003")
    await dinsos.register("KWL-ANNWA3", "Bu Rina")
    for wa_id, code, name in (
        ("6281322230004", "KWL-ANNWA4", "Budi Santoso"),
        ("6281322230005", "KWL-ANNWA5", "Siti Aminah"),
    ):
        await wa.invite("operator", SRI_MENANTI, code)
        await wa.user(wa_id).register(code, name)
    async with wa.db.unit_of_work() as uow:
        draft = Draft(NOTICE, (SRI_MENANTI,), ("operator",))
        number = await announcements.create(uow, draft, by=None, channel="cli", now=wa.clock.now())
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    outbox = OutboxSender(wa.db, {"whatsapp": wa.channel.sender}, wa.clock, journal)
    assert await outbox.run_once() == 2
    [lost] = [s for s in wa.graph.sent if s.to == "6281322230005" and "Pengumuman" in s.text()]
    failed = payloads.status(lost.wamid, "failed", wa.clock.now(), lost.to)
    assert await wa.deliver(failed) == []

    await dinsos.text("menu")
    await dinsos.press("m:announce")
    await dinsos.press(f"ann:rep:{number}")
    report = dinsos.texts()
    assert "Penerima 2 · terkirim 1 · sampai 0 · gagal 1" in report
    assert "• Siti Aminah · operator · Sri Menanti · gagal: 131026 Message undeliverable" in report
    assert "• Budi Santoso · operator · Sri Menanti · terkirim" in report
    # Who failed comes first in the list of those who have not confirmed.
    assert report.index("Siti Aminah") < report.index("Budi Santoso")
    async with wa.db.unit_of_work() as uow:
        found = await reports.report(uow, number)
    assert found is not None
    [_, (_, _, people)] = reports.report_sheets(found, "en")
    statuses = {row[0]: row[5] for row in people}
    assert statuses == {
        "Siti Aminah": "failed: 131026 Message undeliverable",
        "Budi Santoso": "sent",
    }
