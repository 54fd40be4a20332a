"""A seeded database and a Kawal instance with a fixed clock, plus a tiny chat driver."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from bot.demo import load_register_csv
from bot.regions import load_regions
from flows import builtin_forms
from handlers.app import Kawal
from handlers.messages import (
    Channel,
    Inbound,
    InboundKind,
    Location,
    Outbound,
    Question,
    Reply,
    Text,
)
from handlers.ports import FixedClock
from storage.db import Database

DEMO_DIR = Path(__file__).resolve().parents[2] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"
SUKANANTI = "18.04.07.2006"


@dataclass
class World:
    db: Database
    kawal: Kawal
    clock: FixedClock
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def invite(self, role: str, region: str, code: str, max_uses: int = 1) -> str:
        async with self.db.unit_of_work() as uow:
            await uow.invites.create(code, role, region, None, self.clock.now(), max_uses=max_uses)
        return code

    def user(self, external_id: str, channel: Channel = Channel.TELEGRAM) -> Chat:
        return Chat(self, channel, external_id)


@dataclass
class Chat:
    world: World
    channel: Channel
    external_id: str
    last: Reply = field(default_factory=Reply)

    def _inbound(self, kind: InboundKind, platform_id: str | None = None, **kw: object) -> Inbound:
        pid = platform_id or f"u{next(self.world.ids)}"
        return Inbound(self.channel, self.external_id, pid, kind, **kw)  # type: ignore[arg-type]

    async def send(self, inbound: Inbound) -> Reply:
        self.last = await self.world.kawal.handle(inbound)
        return self.last

    async def text(self, text: str, platform_id: str | None = None) -> Reply:
        return await self.send(self._inbound(InboundKind.TEXT, platform_id, text=text))

    async def press(self, payload: str) -> Reply:
        return await self.send(self._inbound(InboundKind.CHOICE, payload=payload))

    async def command(self, command: str, args: str = "") -> Reply:
        return await self.send(
            self._inbound(
                InboundKind.COMMAND, command=command, args=args, text=f"/{command} {args}"
            )
        )

    async def location(self, lat: float, lon: float) -> Reply:
        return await self.send(self._inbound(InboundKind.LOCATION, location=Location(lat, lon)))

    async def photo(self, ref: str = "file-1") -> Reply:
        return await self.send(self._inbound(InboundKind.PHOTO, media_ref=ref))

    async def register(self, code: str, name: str = "Budi Santoso") -> Reply:
        await self.command("start", code)
        await self.press("consent:yes")
        return await self.text(name)

    def texts(self) -> str:
        return "\n".join(_text_of(m) for m in self.last.messages)

    def question(self) -> Question:
        questions = [m for m in self.last.messages if isinstance(m, Question)]
        assert questions, f"no question in {self.last.messages}"
        return questions[-1]

    def option(self, label_part: str) -> str:
        """The payload of the last question's option or button (``extra``: keep, save) whose
        label contains ``label_part``."""
        question = self.question()
        for option in (*question.options, *question.extra):
            if label_part.lower() in option.label.lower():
                return option.value
        raise AssertionError(f"no option {label_part!r} in {self.question().options}")


def _text_of(message: Outbound) -> str:
    if isinstance(message, Text | Question):
        return message.text
    return getattr(message, "text", "") or getattr(message, "caption", "")


@pytest.fixture
async def world(database: Database, now: datetime) -> World:
    async with database.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_regions(uow, "18.04.07")
        await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)
        await load_register_csv(uow, DEMO_DIR / "households_sukananti.csv", now)
    clock = FixedClock(now)
    return World(database, Kawal(database, builtin_forms(), clock), clock)
