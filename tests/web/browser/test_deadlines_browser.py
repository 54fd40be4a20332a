"""*Tenggat* in a real browser: Dinsos adds a deadline, sees the reminder plan, saves it, finds
it in the list and cancels it after the confirm page; no errors in the browser's console.
Explicit waits only. ``KAWAL_WEB_SCREENSHOTS=docs/web`` saves ``tenggat-rencana.png`` (the
plan) and ``tenggat.png`` (the list)."""

from __future__ import annotations

from typing import Any

from tests.web.browser.conftest import log_in, shot
from tests.web.conftest import Site


async def test_dinsos_adds_a_deadline_sees_its_plan_and_cancels_it(
    site: Site, browser_page: tuple[Any, list[str]]
) -> None:
    page, errors = browser_page
    await log_in(page, await site.link("demo-dinsos"), "**/konsol/progres/18.04")
    await page.click("nav >> text=Tenggat")
    await page.wait_for_url("**/konsol/tenggat")
    await page.click("#new-deadline")
    await page.wait_for_url("**/konsol/tenggat/baru")

    await page.fill("#title", "Musdes Februari")
    await page.fill("#due", "20-02-2026 16.00")
    await page.select_option("#region", "18.04.19")
    await page.check("input[name=roles][value=camat]")
    await page.fill("#note", "Bawa berita acara musdes.")
    await page.click("#preview-button")
    await page.wait_for_selector("#plan")
    steps = page.locator("#plan-steps tbody tr")
    assert await steps.count() == 4
    assert "08.00 WIB" in await steps.first.inner_text()
    assert "Camat: 1 orang" in await page.inner_text("#plan-recipients")
    await shot(page, "tenggat-rencana")

    await page.click("#save-button")
    await page.wait_for_url("**/konsol/tenggat?selesai=created*")
    card = page.locator("section.deadline", has_text="Musdes Februari")
    await card.wait_for()
    assert "Bawa berita acara musdes." in await card.inner_text()
    await shot(page, "tenggat")
    async with site.db.unit_of_work() as uow:
        [saved] = [d for d in await uow.deadlines.all() if d.title == "Musdes Februari"]
    assert saved.roles == ("operator", "peratin", "camat") and saved.active

    await card.locator("[data-cancel]").click()
    await page.wait_for_selector("#question")
    assert "Musdes Februari" in await page.inner_text("#question")
    await page.click("#confirm-button")
    await page.wait_for_url("**/konsol/tenggat?selesai=cancelled")
    await page.wait_for_selector("#notice")
    assert await page.locator("section.deadline", has_text="Musdes Februari").count() == 0
    async with site.db.unit_of_work() as uow:
        found = await uow.deadlines.get(saved.id)
    assert found is not None and not found.active
    assert errors == []
