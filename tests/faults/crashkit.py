"""Parts of the crash test: the operators' scripts, the bot as a ``kawal run`` subprocess, a
fake Telegram that delivers every update until it is acknowledged (polling or webhook), and a
comparable view of everything the bot stored.

Telegram's side, as the test plays it: an update the bot has not acknowledged is kept and
delivered again (polling: it stays in ``getUpdates`` until the offset passes it; webhook: it is
POSTed again until the bot answers 200), also to the next process after a crash, and also when
that process uses the other mode. A long poll of a killed process ends when the next one starts
(Telegram ends it with a conflict), so no update is handed to a dead connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select, text

from bot.channels.telegram.webhook import SECRET_HEADER
from bot.demo import load_register_csv
from bot.regions import load_regions
from storage.db import Database
from storage.models import (
    AuditEntry,
    FormSession,
    Household,
    Identity,
    Member,
    Person,
    ProblemReport,
    ProcessedInbound,
    RoleAssignment,
    Submission,
)
from tests.fakes.telegram_api import FakeTelegram

KAWAL = str(Path(sys.executable).with_name("kawal"))
DEMO_DIR = Path(__file__).resolve().parents[2] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"
WEBHOOK_URL = "https://kawal.example/telegram/webhook"
WEBHOOK_SECRET = "crash-test-webhook-secret-0123456789"
_SERVING = re.compile(r"HTTP server on (http://\S+)")


# ---- the operators and what they type ------------------------------------------------------


@dataclass(frozen=True)
class Operator:
    chat: int
    name: str
    code: str
    script: list[str]  # the scripted answers, sent while the bot is killed and restarted
    finish: list[str]  # typed after the last restart: resume the open form and save it


def operators(count: int = 5) -> list[Operator]:
    """``count`` operators of Sri Menanti, 40 answers each: registration, a household
    verification, a housing survey, and a new-family proposal left open half-way."""
    kks = [
        "1804191611200001",
        "1804190106200002",
        "1804191510180003",
        "1804191505180004",
        "1804192106200005",
        "1804190103180006",
        "1804191608150007",
        "1804191310150008",
        "1804191703180009",
        "1804191108120010",
    ]
    out = []
    for i in range(1, count + 1):
        verify_kk, housing_kk = kks[2 * i - 2], kks[2 * i - 1]
        script = [
            f"/start KWL-CRASH{i}",
            "setuju",
            # Verifikasi keluarga (11)
            *["1", verify_kk, "1", "ditemukan", f"Dusun Crash {i}", f"{10 + i}", "tetap"],
            *["ya", f"0812-3456-78{i:02d}", "lewati", "simpan"],
            # Kondisi rumah (17)
            *["3", housing_kk, "1", "milik sendiri", f"{30 + i}", "keramik", "tembok", "seng"],
            *["sumur bor", "Listrik PLN dengan meteran", "900 VA", "elpiji 3 kg", "1"],
            *["sepeda motor", "tetap", "lewati", "simpan"],
            # Usulan keluarga baru, up to the photo question (10)
            *["4", f"180419010125{i:04d}", f"Keluarga Baru {i}", "L", "27-04-1990"],
            *[f"180407270490{i:04d}", f"Dusun Baru {i}, Pekon Sri Menanti", f"{i}", "1"],
            "tidak",  # no other members; the photo question comes next
        ]
        assert len(script) == 40, len(script)
        finish = ["LANJUT", "lewati", "lewati", "lewati", "simpan"]
        out.append(Operator(9100 + i, f"Operator {chr(64 + i)}", f"KWL-CRASH{i}", script, finish))
    return out


async def seed(db: Database, now: Any, people: list[Operator]) -> None:
    async with db.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_register_csv(uow, DEMO_DIR / "households_sri_menanti.csv", now)
        for operator in people:
            await uow.invites.create(operator.code, "operator", SRI_MENANTI, None, now)


# ---- waiting without polling -----------------------------------------------------------------


class Progress:
    """Something changed (a request reached the fake, an update was acknowledged...)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def poke(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def until(self, condition: Callable[[], bool], within: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not condition():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"not reached within {within} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), remaining)


# ---- Telegram's side -----------------------------------------------------------------------


@dataclass
class RecordingTelegram(FakeTelegram):
    """The fake Bot API, plus: when each update was first handed to a live bot, when each
    chat was last sent a message, and long polls that end when a new bot process starts."""

    progress: Progress = field(default_factory=Progress)
    poll_generation: int = 0
    first_fetch: dict[int, int] = field(default_factory=dict)
    last_sent: dict[int, int] = field(default_factory=dict)
    held: asyncio.Event = field(default_factory=asyncio.Event)
    # Called with the method name when a request arrives, before it is handled; True drops
    # the request (as if the connection broke before Telegram had it).
    tripwire: Callable[[str], bool] | None = None
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _hold_chat: int | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def end_long_polls(self) -> None:
        self.poll_generation += 1
        self._notify()

    @property
    def confirmed_offset(self) -> int:
        return max((o for o in self.offsets if o is not None), default=0)

    async def _dispatch(self, request: Any) -> Any:
        if self.tripwire is not None and self.tripwire(request.match_info["method"]):
            self.progress.poke()
            raise web.HTTPServiceUnavailable()  # dropped: it never reached "Telegram"
        try:
            return await super()._dispatch(request)
        finally:
            self.progress.poke()

    def hold_next_message(self, chat: int) -> None:
        """Keep the next message to ``chat`` waiting until :meth:`release` (``held`` is set
        once it arrived)."""
        self._hold_chat = chat
        self.held.clear()
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        if self._hold_chat is not None and int(params["chat_id"]) == self._hold_chat:
            self._hold_chat = None
            self.held.set()
            self.progress.poke()
            await self._release.wait()
        return await super()._api_sendMessage(params)

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        self.progress.poke()  # a bot polls (the request is recorded already)
        generation = self.poll_generation
        offset = params.get("offset")
        self.offsets.append(offset)
        if offset is not None:
            self.queue = [u for u in self.queue if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            if generation != self.poll_generation:
                return []  # a new process polls now: this connection is gone
            ready = [u for u in self.queue if offset is None or u["update_id"] >= offset]
            remaining = deadline - loop.time()
            if ready or remaining <= 0 or self._closing:
                for update in ready[:limit]:
                    self.first_fetch.setdefault(int(update["update_id"]), next(self._seq))
                return ready[:limit]
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _new_message(self, method: str, params: dict[str, Any], **extra: Any) -> Any:
        body = super()._new_message(method, params, **extra)
        self.last_sent[int(params["chat_id"])] = next(self._seq)
        return body

    def replied_after_fetch(self, update_id: int, chat: int) -> bool:
        fetched = self.first_fetch.get(update_id)
        return fetched is not None and self.last_sent.get(chat, 0) > fetched


# ---- the bot process -------------------------------------------------------------------------


@dataclass
class BotProcess:
    """``kawal run`` in a subprocess, in polling or webhook mode, on a SQLite file."""

    workdir: Path
    db_url: str
    fake: RecordingTelegram
    progress: Progress
    generation: int = 0
    mode: str = ""
    base_url: str = ""
    up: bool = False
    log: list[str] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)  # settings of a test's own
    _process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task[None] | None = None

    def _env(self, mode: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("KAWAL_", "TELEGRAM_", "WHATSAPP_"))
        }
        env.update(
            KAWAL_DATABASE_URL=self.db_url,
            KAWAL_DATA_DIR=str(self.workdir / "data"),
            KAWAL_HTTP_HOST="127.0.0.1",
            KAWAL_HTTP_PORT="0",
            KAWAL_LOG_LEVEL="INFO",
            TELEGRAM_BOT_TOKEN=self.fake.token,
            TELEGRAM_API_URL=self.fake.base_url,
            TELEGRAM_CHAT_INTERVAL="0",
            TELEGRAM_GLOBAL_RATE="1000",
        )
        if mode == "webhook":
            env.update(TELEGRAM_WEBHOOK_URL=WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET)
        env.update(self.extra_env)
        return env

    async def start(self, mode: str, within: float = 60) -> None:
        assert self._process is None
        self.mode, self.base_url = mode, ""
        self.fake.end_long_polls()
        requests = len(self.fake.requests)
        self._process = await asyncio.create_subprocess_exec(
            KAWAL,
            "run",
            cwd=self.workdir,  # no .env of the checkout is read
            env=self._env(mode),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read_log(self._process))
        ready = "setWebhook" if mode == "webhook" else "getUpdates"

        def started() -> bool:
            assert self._process is not None
            if self._process.returncode is not None:
                raise AssertionError(f"kawal run exited: {self.log[-20:]}")
            return bool(self.base_url) and any(
                r.method == ready for r in self.fake.requests[requests:]
            )

        await self.progress.until(started, within)
        self.generation += 1
        self.up = True
        self.progress.poke()

    async def _read_log(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            self.log.append(line)
            if found := _SERVING.search(line):
                self.base_url = found.group(1)
            self.progress.poke()

    def kill_now(self) -> None:
        """Send SIGKILL at once (from inside a fake request: the bot never gets the answer)."""
        assert self._process is not None
        self.up = False
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        process = self._process
        assert process is not None
        self.kill_now()
        self._process = None
        await process.wait()
        await self._finish_reader()
        self.fake.end_long_polls()
        self.progress.poke()

    def terminate(self) -> None:
        """SIGTERM: the bot finishes what it handles, acknowledges it and exits."""
        assert self._process is not None
        self.up = False
        self._process.terminate()
        self.progress.poke()

    async def wait(self, within: float = 30) -> int:
        """The exit code (killed after ``within`` seconds)."""
        process, self._process = self._process, None
        if process is None:
            return 0
        try:
            code = await asyncio.wait_for(process.wait(), within)
        except TimeoutError:
            process.kill()
            code = await process.wait()
        await self._finish_reader()
        self.up = False
        self.progress.poke()
        return code

    async def stop(self, within: float = 30) -> int:
        if self._process is not None:
            self.terminate()
        return await self.wait(within)

    async def _finish_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            await reader


async def kill_at_request(
    fake: RecordingTelegram,
    bot: BotProcess,
    count: int,
    *,
    method: str | None = None,
    drop: bool = False,
    within: float = 60,
) -> None:
    """SIGKILL the bot when its ``count``-th next Bot API request (of ``method``, else any)
    arrives, before it is answered; with ``drop`` that request is lost too (the connection
    broke mid-way), else the fake serves it, to a dead process."""
    fired = asyncio.Event()

    def trip(name: str) -> bool:
        nonlocal count
        if fired.is_set() or (method is not None and name != method):
            return False
        count -= 1
        if count != 0:
            return False
        bot.kill_now()
        fake.tripwire = None
        fired.set()
        return drop

    fake.tripwire = trip
    try:
        await asyncio.wait_for(fired.wait(), within)
    finally:
        fake.tripwire = None


@dataclass
class Telegram:
    """Delivers updates like Telegram: again and again until the bot acknowledges them."""

    fake: RecordingTelegram
    bot: BotProcess
    progress: Progress
    acknowledged: set[int] = field(default_factory=set)  # what the senders know of
    within: float = 60
    _chats: dict[int, int] = field(default_factory=dict)  # update id -> chat, all delivered
    _answered_200: set[int] = field(default_factory=set)

    def acknowledged_now(self) -> set[int]:
        """Every update Telegram counts as acknowledged at this moment (an offset past it, a
        reply after it was fetched, or a webhook 200), noticed by its sender or not yet."""
        return self._answered_200 | {
            update_id
            for update_id, chat in self._chats.items()
            if self._acked_polling(update_id, chat)
        }

    def _acked_polling(self, update_id: int, chat: int) -> bool:
        return self.fake.confirmed_offset > update_id or self.fake.replied_after_fetch(
            update_id, chat
        )

    async def deliver(self, update: dict[str, Any]) -> None:
        update_id, chat = int(update["update_id"]), int(update["message"]["chat"]["id"])
        self._chats[update_id] = chat
        while True:
            await self.progress.until(lambda: self.bot.up, self.within)
            if await self._try(update, update_id, chat, self.bot.generation):
                return self._ack(update_id)

    async def _try(
        self, update: dict[str, Any], update_id: int, chat: int, generation: int
    ) -> bool:
        """One delivery to the running process; False when it died first (try the next)."""

        def gone() -> bool:
            return self.bot.generation != generation or not self.bot.up

        if self.bot.mode == "polling":
            if self._acked_polling(update_id, chat):
                return True
            if not any(u["update_id"] == update_id for u in self.fake.queue):
                self.fake.push(update)
            await self.progress.until(
                lambda: self._acked_polling(update_id, chat) or gone(), self.within
            )
            if self._acked_polling(update_id, chat):
                return True
        else:
            # A webhook gets what getUpdates had not handed out yet.
            self.fake.queue = [u for u in self.fake.queue if u["update_id"] != update_id]
            if await self._post(update) == 200:
                self._answered_200.add(update_id)
                return True
        await self.progress.until(gone, self.within)
        return False

    def _ack(self, update_id: int) -> None:
        self.acknowledged.add(update_id)
        self.progress.poke()

    async def _post(self, update: dict[str, Any]) -> int | None:
        url = self.bot.base_url + "/telegram/webhook"
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
                session.post(url, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}) as answer,
            ):
                return answer.status
        except (aiohttp.ClientError, TimeoutError):
            return None  # the process died under the request


# ---- what the bot stored, comparable between two databases -----------------------------------


async def stored(db: Database) -> dict[str, Any]:
    """Everything the conversations stored, keyed by what both runs share (chat ids, No. KK),
    without ids, clocks and the form context (which holds today's date)."""
    async with db.unit_of_work() as uow:
        s = uow.session
        chat_of: dict[int, str] = {
            person: chat
            for person, chat in await s.execute(select(Identity.person_id, Identity.external_id))
        }
        kk_of: dict[int | None, str | None] = {
            household: kk
            for household, kk in await s.execute(select(Household.id, Household.no_kk))
        }
        people = {
            chat_of[row.id]: (row.name, row.lang, row.consent_at is not None)
            for row in (await s.execute(select(Person))).scalars()
            if row.id in chat_of
        }
        roles = sorted(
            (chat_of[r.person_id], r.role, r.region_code)
            for r in (await s.execute(select(RoleAssignment))).scalars()
        )
        households = {
            row.no_kk: (
                row.head_name,
                row.address,
                row.rt,
                row.rw,
                row.status,
                row.source,
                row.data,
            )
            for row in (await s.execute(select(Household))).scalars()
        }
        members = sorted(
            (kk_of[m.household_id], m.position, m.name, m.nik, m.relation, m.sex,
             str(m.birth_date), m.marital_status, m.presence, repr(sorted(m.data.items())))
            for m in (await s.execute(select(Member))).scalars()
        )  # fmt: skip
        submissions = sorted(
            (chat_of[r.person_id], r.form_id, kk_of.get(r.household_id), repr(r.answers),
             repr(r.changes))
            for r in (await s.execute(select(Submission))).scalars()
        )  # fmt: skip
        sessions = sorted(
            (chat_of[r.person_id], r.id, r.form_id, r.status, kk_of.get(r.household_id),
             repr(_without_context(r.state)))
            for r in (await s.execute(select(FormSession))).scalars()
        )  # fmt: skip
        audit = Counter(
            (r.action, r.entity)
            for r in await s.execute(select(AuditEntry.action, AuditEntry.entity))
        )
        reports = len((await s.execute(select(ProblemReport.id))).all())
        processed = len((await s.execute(select(ProcessedInbound.platform_id))).all())
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for chat, _id, *rest in sessions:  # in creation order, without the ids
        by_person.setdefault(chat, []).append(tuple(rest))
    return {
        "people": people,
        "roles": roles,
        "households": households,
        "members": members,
        "submissions": submissions,
        "sessions": by_person,
        "audit": dict(audit),
        "problem_reports": reports,
        "processed_updates": processed,
    }


def _without_context(state: dict[str, Any]) -> dict[str, Any]:
    engine = state.get("engine")
    if isinstance(engine, dict):
        return {**state, "engine": {k: v for k, v in engine.items() if k != "context"}}
    return state


async def processed_ids(db: Database) -> set[int]:
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(ProcessedInbound.platform_id).where(ProcessedInbound.channel == "telegram")
        )
        return {int(value) for value in rows.scalars()}


async def integrity(db: Database) -> str:
    async with db.unit_of_work() as uow:
        return str((await uow.session.execute(text("PRAGMA integrity_check"))).scalar_one())


def unmatched(expected: list[str], actual: list[str]) -> tuple[list[str], list[str]]:
    """(messages of ``expected`` that ``actual`` lacks, messages of ``actual`` that are not an
    in-order part of ``expected``): a chat's transcript against the uninterrupted one."""
    missing: list[str] = []
    position = 0
    for index, message in enumerate(actual):
        found = next((i for i in range(position, len(expected)) if expected[i] == message), None)
        if found is None:
            return missing, actual[index:]
        missing.extend(expected[position:found])
        position = found + 1
    return missing + expected[position:], []
