"""The console in a real browser: Debian's Chromium driven by Playwright (never a downloaded
browser). Skipped, with the reason, where /usr/bin/chromium or playwright is missing; .ci/run
installs both. Explicit waits only. ``KAWAL_WEB_SCREENSHOTS=docs/web`` also saves a
screenshot of each page there."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.web.browser.conftest import log_in
from tests.web.browser.conftest import shot as _shot
from tests.web.conftest import Site


async def test_dinsos_walks_the_console(site: Site, browser_page: tuple[Any, list[str]]) -> None:
    page, errors = browser_page
    await page.goto(await site.link("demo-dinsos"))
    await _shot(page, "login")
    await page.click("#login")
    await page.wait_for_url("**/konsol/progres/18.04")

    # The kabupaten's numbers are the chat's.
    async with site.db.unit_of_work() as uow:
        found = await uow.progress.region("18.04")
    assert found is not None
    total = page.locator("#progress-total")
    assert await total.get_attribute("data-done") == str(found.total.done)
    assert await total.get_attribute("data-total") == str(found.total.register)
    await page.wait_for_function("document.querySelector('figure.chart img').complete")
    assert await page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 100
    await _shot(page, "progres-kabupaten")

    # Kecamatan -> village -> its households -> one household.
    await page.click("#groups a >> nth=0")
    await page.wait_for_url("**/konsol/progres/18.04.*")
    await _shot(page, "progres-kecamatan")
    await page.click("#villages a >> nth=0")  # furthest behind: most pending
    await page.wait_for_url("**/konsol/keluarga?wilayah=*")
    await _shot(page, "keluarga")
    await page.click("#households a >> nth=0")
    await page.wait_for_selector("#history", state="attached")
    await _shot(page, "keluarga-riwayat")

    # An announcement: preview with the recipients, then send; its report.
    await page.goto("/konsol/pengumuman/baru")
    await page.fill("#text", "Menu Data Final dibuka Senin.")
    await page.check("input[name=regions][value='18.04']")
    await page.click("#preview-button")
    await page.wait_for_selector("#preview")
    await _shot(page, "pengumuman-pratinjau")
    await page.click("#send-button")
    await page.wait_for_url("**/konsol/pengumuman/*")
    totals = page.locator("#report-totals")
    assert int(await totals.get_attribute("data-total") or 0) >= 1
    await _shot(page, "pengumuman-laporan")

    # A download.
    async with page.expect_download() as info:
        await page.click("#report-xlsx")
    download = await info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = await download.path()
    head = await asyncio.to_thread(lambda: Path(saved).read_bytes()[:2])
    assert head == b"PK"  # a zip: an XLSX workbook

    await page.goto("/konsol/ekspor")
    await _shot(page, "ekspor")

    # Logout: the pages are closed again.
    await page.click("#logout")
    await page.wait_for_selector("#logged-out")
    await page.goto("/konsol/progres/18.04")
    assert "KONSOL" in await page.inner_text("#error-message")
    assert [e for e in errors if "401" not in e] == []


async def test_a_camat_cannot_open_another_kecamatan(
    site: Site, browser_page: tuple[Any, list[str]]
) -> None:
    page, errors = browser_page
    await log_in(page, await site.link("demo-camat"), "**/konsol/progres/18.04.19")
    response = await page.goto("/konsol/progres/18.04.07")
    assert response is not None and response.status == 403
    assert "18.04.07" in await page.inner_text("#error-message")
    await _shot(page, "camat-ditolak")
    assert [e for e in errors if "403" not in e] == []
