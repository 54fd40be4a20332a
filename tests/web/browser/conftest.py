"""The browser for the console's walks: Debian's Chromium driven by Playwright (never a
downloaded browser). Every test here is skipped, with the reason, where /usr/bin/chromium or
playwright is missing; .ci/run installs both. ``KAWAL_WEB_SCREENSHOTS=docs/web`` also saves a
screenshot of each page there."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Site

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).resolve().parent
try:
    import playwright.async_api as playwright_api
except ImportError:  # pragma: no cover - .ci/run installs it
    playwright_api = None  # type: ignore[assignment]
if not CHROMIUM.is_file():
    MISSING = "browser tests need Debian's chromium at /usr/bin/chromium"
elif playwright_api is None:
    MISSING = "browser tests need playwright (pip install playwright)"
else:
    MISSING = ""
SHOTS = os.environ.get("KAWAL_WEB_SCREENSHOTS", "")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MISSING and HERE in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(params=["sqlite"])
def migrated_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """The browser walks on SQLite only (the HTTP tests cover PostgreSQL)."""
    from tests.conftest import copy_sqlite_template

    return copy_sqlite_template(sqlite_template, tmp_path)


Opener = Callable[[str], Awaitable[tuple[Any, list[str]]]]


@pytest.fixture
async def open_browser() -> AsyncIterator[Opener]:
    """Opens a page on a base URL; the errors of the browser's console, collected."""
    assert playwright_api is not None
    async with playwright_api.async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )

        async def open_page(base_url: str) -> tuple[Any, list[str]]:
            context = await browser.new_context(accept_downloads=True, base_url=base_url)
            page = await context.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            return page, errors

        try:
            yield open_page
        finally:
            await browser.close()


@pytest.fixture
async def browser_page(site: Site, open_browser: Opener) -> tuple[Any, list[str]]:
    return await open_browser(site.base)


async def shot(page: Any, name: str) -> None:
    if SHOTS:
        # Playwright makes the folder.
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


async def log_in(page: Any, link: str, landing: str) -> None:
    """Open a login link's page, press *Masuk*, wait for the landing page (a glob)."""
    await page.goto(link)
    await page.click("#login")
    await page.wait_for_url(landing)
