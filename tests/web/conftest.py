"""The web console over real HTTP on loopback (aiohttp's test server), on the demo data, on
SQLite and PostgreSQL, with a fixed clock."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot import demo
from bot.server import build_web_app
from bot.web import Console, ConsoleConfig
from bot.web.serve import login_link
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.ports import FixedClock
from storage.db import Database

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    db: Database
    kawal: Kawal
    clock: FixedClock
    client: TestClient[web.Request, web.Application]

    @property
    def base(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def link(self, user: str) -> str:
        """A login link's path for a demo person (``demo-dinsos``...)."""
        _, url = await login_link(self.db, user, self.base, self.clock)
        return url.removeprefix(self.base)

    async def login(self, user: str) -> str:
        """Log in as ``user``; the session's CSRF token."""
        response = await self.client.post(await self.link(user), allow_redirects=False)
        assert response.status == 303, await response.text()
        return await self.csrf()

    async def csrf(self) -> str:
        page = await self.client.get("/konsol/ekspor")
        found = CSRF_RE.search(await page.text())
        assert found, "no CSRF token on the page"
        return found.group(1)

    async def person(self, user: str) -> int:
        async with self.db.unit_of_work() as uow:
            person_id = await uow.people.find_person_id("console", user)
        assert person_id is not None
        return person_id


@pytest.fixture
async def site(database: Database, now: datetime, tmp_path: Path) -> AsyncIterator[Site]:
    await demo.seed(database, now, "2026-11")
    clock = FixedClock(now)
    options = Options(exports_dir=tmp_path / "exports", charts_dir=tmp_path / "charts")
    kawal = Kawal(database, builtin_forms(), clock, options)
    console = Console(kawal, ConsoleConfig(session_hours=8))
    client = TestClient(TestServer(build_web_app([console.install]), host="127.0.0.1"))
    await client.start_server()
    kawal.options = replace(options, web_base_url=str(client.make_url("")).rstrip("/"))
    try:
        yield Site(database, kawal, clock, client)
    finally:
        await client.close()


async def other_dinsos(site: Site) -> int:
    """A Dinsos officer of another kabupaten (18.05), logged in as ``other-dinsos``."""
    now = site.clock.now()
    async with site.db.unit_of_work() as uow:
        await uow.regions.upsert("18.05", "Tanggamus", 2, "kabupaten", "18", "Asia/Jakarta")
        await uow.regions.upsert("18.05.01", "Kota Agung", 3, "kecamatan", "18.05", "Asia/Jakarta")
        other = await uow.people.create("Dinsos Lain", "id", now)
        await uow.people.add_identity(other, "console", "other-dinsos", "Dinsos Lain", now)
        await uow.people.assign_role(other, "dinsos", "18.05", now)
    return other
