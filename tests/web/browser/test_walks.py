"""Walks across the chat and the console in a real browser (issue 19): a verification typed in
the terminal chat shows in the household's history; an announcement composed in the browser
with a document attached reaches the fake Telegram server through the real bot's outbox
(sendDocument, then the text), and its report counts the acknowledgement. Explicit waits
only; no errors in the browser's console."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot import demo
from bot.channels.console import ConsoleChat, render
from bot.run import Service, start
from bot.settings import Settings
from bot.web.serve import login_link
from handlers.ports import FixedClock
from storage.db import Database
from tests.conftest import sqlite_url
from tests.fakes.telegram_api import FakeTelegram
from tests.web.browser.conftest import Opener, log_in, shot
from tests.web.conftest import Site

AGUS_KK = "1804191611200001"  # Agus Hidayat in the demo register of Sri Menanti, RT 006
SRI_MENANTI = "18.04.19.2006"
CHAT = 7101
TEXT = "Menu Data Final dibuka Senin pukul 08.00."
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


async def _say(chat: ConsoleChat, *lines: str) -> str:
    out = ""
    for line in lines:
        out = render(await chat.exchange(line))
    return out


async def test_a_verification_in_the_chat_shows_in_the_history(
    site: Site, browser_page: tuple[Any, list[str]]
) -> None:
    operator = ConsoleChat(site.kawal.handle, "demo-operator")
    menu = await _say(operator, "/menu")
    item = re.search(r"(\d+)\. Verifikasi keluarga", menu)
    assert item, menu
    await _say(operator, item.group(1), AGUS_KK, "1")
    summary = await _say(operator, "Ditemukan", "tetap", "4", "tetap", "ya", "lewati", "lewati")
    assert "006 → 004" in summary
    assert "Tersimpan" in await _say(operator, "simpan")
    async with site.db.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk(AGUS_KK)

    page, errors = browser_page
    await log_in(page, await site.link("demo-peratin"), f"**/konsol/progres/{SRI_MENANTI}")
    await page.goto(f"/konsol/keluarga/{household.id}")
    entry = page.locator("#history li").first
    await entry.wait_for()
    text = await entry.inner_text()
    assert "Operator Demo" in text and "Terminal" in text
    assert await page.locator("#history del", has_text="006").count() >= 1
    assert await page.locator("#history ins", has_text="004").count() >= 1
    await shot(page, "keluarga-riwayat-chat")
    assert errors == []


@pytest.fixture
async def service(tmp_path: Path, now: datetime, sqlite_template: Path) -> AsyncIterator[Any]:
    """``kawal run`` (the real bot: Telegram polling the fake Bot API, the outbox, the console
    under /konsol/) on the demo data, its clock fixed; an operator of Sri Menanti on Telegram."""
    from tests.conftest import copy_sqlite_template

    url = copy_sqlite_template(sqlite_template, tmp_path)
    assert url == sqlite_url(tmp_path)
    async with Database(url) as db:
        await demo.seed(db, now, "2026-11")
        async with db.unit_of_work() as uow:
            await uow.invites.create("KWL-WBAAAA", "operator", SRI_MENANTI, None, now)
    async with FakeTelegram() as fake:
        settings = Settings(
            _env_file=None,
            database_url=url,
            http_host="127.0.0.1",
            http_port=0,
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_URL=fake.base_url,
            TELEGRAM_CHAT_INTERVAL=0,
            TELEGRAM_GLOBAL_RATE=1000,
            data_dir=tmp_path / "data",
        )
        clock = FixedClock(now)
        running: Service = await start(settings, poll_timeout=5, clock=clock)
        try:
            update = fake.push(fake.text_update(CHAT, "/start KWL-WBAAAA"))
            await fake.wait_acknowledged(update)
            consent = fake.last_keyboard(CHAT)
            pressed = fake.push(
                fake.press_update(consent, consent.button("Setuju")["callback_data"])
            )
            await fake.wait_acknowledged(pressed)
            yield running, fake, clock
        finally:
            await running.stop()


async def test_an_announcement_reaches_telegram_and_its_report_counts_the_ack(
    service: Any, open_browser: Opener
) -> None:
    running, fake, clock = service
    base = running.base_url
    page, errors = await open_browser(base)
    _, link = await login_link(running.db, "demo-dinsos", base, clock)
    await log_in(page, link.removeprefix(base), "**/konsol/progres/18.04")

    await page.goto("/konsol/pengumuman/baru")
    await page.fill("#text", TEXT)
    await page.check("input[name=regions][value='18.04']")
    upload = {"name": "surat-edaran.pdf", "mimeType": "application/pdf", "buffer": PDF}
    await page.set_input_files("#attachment-file", files=[upload])
    await page.click("#preview-button")
    await page.wait_for_selector("#preview-document")
    assert "surat-edaran.pdf" in await page.inner_text("#attachment-current")
    await shot(page, "pengumuman-lampiran")
    await page.click("#send-button")
    await page.wait_for_url(re.compile(r".*/konsol/pengumuman/\d+$"))
    totals = page.locator("#report-totals")
    assert await totals.get_attribute("data-acked") == "0"

    assert running.outbox is not None
    await running.outbox.run_once()  # the sender's next tick, now
    [document] = [c for c in fake.calls("sendDocument") if c.params["chat_id"] == CHAT]
    assert document.params["document"]["size"] == len(PDF)
    assert document.params["document"]["file_name"].endswith(".pdf")
    [message] = [m for m in fake.sent_to(CHAT) if TEXT in m.text]
    acked = fake.push(fake.press_update(message, message.buttons()[0]["callback_data"]))
    await fake.wait_acknowledged(acked)

    await page.reload()
    await page.wait_for_selector("#report-totals[data-acked='1']")
    assert int(await totals.get_attribute("data-total") or 0) >= 1
    await shot(page, "pengumuman-laporan-dibaca")
    assert errors == []


async def test_dinsos_walks_people_reports_and_quality(
    site: Site, browser_page: tuple[Any, list[str]]
) -> None:
    operator = await site.person("demo-operator")
    async with site.db.unit_of_work() as uow:
        await uow.problem_reports.add(
            operator, "console", SRI_MENANTI, "aplikasi", "Menu verifikasi hilang", site.clock.now()
        )
    page, errors = browser_page
    await log_in(page, await site.link("demo-dinsos"), "**/konsol/progres/18.04")

    await page.goto("/konsol/orang")
    await page.wait_for_selector("#people")
    await shot(page, "orang")
    await page.click("#new-invite")
    await page.wait_for_selector("#invite-form")
    await page.select_option("#role", "operator")
    await page.select_option("#region", SRI_MENANTI)
    await page.click("#invite-button")
    await page.wait_for_selector("#invite-code")
    assert await page.locator("figure.qr svg").count() == 1
    await shot(page, "undangan")

    await page.goto("/konsol/laporan")
    await page.click("#reports tbody a >> nth=0")
    await page.wait_for_selector("#answer-form")
    await page.fill("#answer", "Silakan keluar lalu masuk lagi ke SIKS-NG.")
    await shot(page, "laporan-jawab")
    await page.click("#answer-button")
    await page.wait_for_selector("#notice")
    assert await page.locator("#reports tr[data-status='answered']").count() == 1
    await shot(page, "laporan")

    await page.goto("/konsol/kualitas")
    await page.wait_for_selector("#quality-18\\.04")
    await shot(page, "kualitas")
    assert errors == []
