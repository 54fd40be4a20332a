"""``kawal web``: the console alone on its own port (a demo, an office PC), with no chat
channel; and the one-time login links ``kawal web link`` prints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass

from bot.runtime import build_kawal, open_database, settle_heap
from bot.server import WebServer, build_web_app
from bot.settings import Settings
from bot.web.app import Console, ConsoleConfig
from handlers.people.console_link import CONSOLE_ROLES, make_link
from handlers.ports import Clock, SystemClock
from storage.db import Database, UnitOfWork

__all__ = [
    "ConsoleService",
    "LinkProblem",
    "config_from",
    "login_link",
    "run_console",
    "start_console",
]

log = logging.getLogger(__name__)


def config_from(settings: Settings) -> ConsoleConfig:
    return ConsoleConfig(
        session_hours=settings.web_session_hours, secure_cookie=settings.console_cookie_secure
    )


@dataclass
class ConsoleService:
    db: Database
    server: WebServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    async def stop(self) -> None:
        try:
            await self.server.stop()
        finally:
            await self.db.dispose()


async def start_console(settings: Settings, *, clock: Clock | None = None) -> ConsoleService:
    db = await open_database(settings)
    try:
        kawal = build_kawal(settings, db, clock or SystemClock())
        console = Console(kawal, config_from(settings))
        server = WebServer(build_web_app([console.install]), settings.http_host, settings.http_port)
        await server.start()
    except BaseException:
        await db.dispose()
        raise
    log.info("web console on %s/konsol/", server.base_url)
    return ConsoleService(db, server)


async def run_console(settings: Settings, started: asyncio.Event | None = None) -> str:
    """Serve the console until SIGTERM / SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    service = await start_console(settings)
    settle_heap()
    try:
        if started is not None:
            started.set()
        await stop.wait()
    finally:
        await service.stop()
    return service.base_url


class LinkProblem(Exception):
    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields


async def login_link(db: Database, person: str, base_url: str, clock: Clock) -> tuple[str, str]:
    """(name, link) for ``person``: a person id, or a terminal-chat user (``demo-dinsos``)."""
    now = clock.now()

    async def work(uow: UnitOfWork) -> tuple[str, str]:
        person_id = int(person) if person.isdecimal() and len(person) < 10 else None
        if person_id is None:
            person_id = await uow.people.find_person_id("console", person)
        known = await uow.people.name_and_lang(person_id) if person_id is not None else None
        if person_id is None or known is None:
            raise LinkProblem("cli_no_person", person=person)
        roles = [r for r in await uow.people.active_roles(person_id) if r.role in CONSOLE_ROLES]
        if not roles:
            raise LinkProblem("cli_no_role", name=known[0] or person)
        return known[0] or person, await make_link(uow, person_id, now, base_url)

    return await db.run(work)
