"""Hostile input for the fault tests: hypothesis strategies, a snapshot of what one person can
change, and the checks every reply to hostile input must pass.

The property (``HostileProbe.send``): whatever arrives, the handler answers (no internal error),
with at least one message; a refused input (an error-toned message) changes nothing stored;
no input saves, imports or registers anything; nothing of another village shows up in a reply
unless the sender typed it. After each probe the person's state is put back, so a walk through
a form can try hostile input at every step and still finish with the same valid answers.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import func, select

from handlers.app import Kawal
from handlers.kit.i18n import t
from handlers.messages import (
    Channel,
    Inbound,
    InboundKind,
    Location,
    Question,
    Reply,
    RequestLocation,
    RequestPhoto,
    Text,
    Tone,
)
from storage.db import Database
from storage.models import (
    AuditEntry,
    FormSession,
    Household,
    Identity,
    InviteCode,
    Member,
    Person,
    ProblemReport,
    RoleAssignment,
    Submission,
)

SUKANANTI = "18.04.07.2006"
DEMO_DIR = Path(__file__).resolve().parents[2] / "bot" / "demo"


def foreign_secrets() -> tuple[str, ...]:
    """Names and numbers of Sukananti's households (another village than the operators')."""
    with (DEMO_DIR / "households_sukananti.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = {row[key] for row in rows for key in ("NOKK", "NIK", "NAMA", "IDSEMESTA")}
    return tuple(sorted(found))


# Strings that break naive code: SQL, LIKE wildcards, markup, format strings, text direction
# marks, digits that str.isdigit() accepts but int() does not, numbers too big for a database
# integer, NUL and lone surrogates (which no database stores), emoji, blank look-alikes.
NASTY: tuple[str, ...] = (
    "'; DROP TABLE households; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "Robert'); DELETE FROM members;--",
    "%",
    "%%%",
    "_",
    "\\",
    "\\%",
    "<b>tebal</b>",
    "<script>alert(1)</script>",
    "*tebal* _miring_ `kode` [tautan](http://contoh.invalid)",
    "&lt;&amp;&gt;",
    "{name}",
    "{0}{1}",
    "%s %d %(name)s",
    "${family_status}",
    "{{7*7}}",
    "\u202eKWL-ABCDEF",
    "\u200f\u200e\u200b\u200c\u200d",
    "\u2066Agus\u2069",
    "\ufeff1",
    "a" + "\u0301" * 60,
    "¹",
    "²³",
    "٣",
    "１",
    "Ⅷ",
    "½",
    "0" * 20,
    "-0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "9" * 25,
    "99999999999999999999",
    "👍",
    "👨\u200d👩\u200d👧\u200d👦",
    "🇮🇩",
    "",
    " ",
    "\n\n",
    "\t",
    "\u3000",
    "\u00a0",
    "\x00",
    "Agus\x00Hidayat",
    "\x00" * 10,
    "\x1b[31mmerah\x1b[0m",
    "Agus\nHidayat",
    "\r\n",
    "\ud800",
    "abc\udfff",
    "1804070302150001",  # the No. KK of a Sukananti household (another village)
    "1804071203780011",  # a NIK in Sukananti
    "1804 0703 0215 0001",
)

# Button payloads a stale, replayed or forged press could carry. ``hh:<id>`` of a household of
# another village is added by the tests (its id is only known once the data is loaded).
PAYLOADS: tuple[str, ...] = (
    "",
    "hh:",
    "hh:0",
    "hh:-1",
    "hh:999999",
    "hh:99999999999999999999",
    "hh:²",
    "hh:1.5",
    "hh: 1",
    "pg:",
    "pg:-1",
    "pg:99999999999999999999",
    "pg:²",
    "m:",
    "m:export",
    "m:reports",
    "m:progress",
    "m:../verify",
    "consent:yes",
    "consent:no",
    "__keep__",
    "__cancel__",
    "__add__",
    "yes",
    "no",
    "ditemukan",
    "\x00",
    "\ud800",
)

COMMANDS: tuple[str, ...] = (
    "start",
    "menu",
    "lanjut",
    "bantuan",
    "help",
    "batal",
    "foo",
    "admin",
    "export",
    "sql",
    "a" * 64,
)

SAVE_WORDS = frozenset({"simpan", "save", "__save__"})


def hostile_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Arbitrary unicode (controls, marks, symbols, digits of every script), nasty samples,
    huge numbers and messages at Telegram's 4096-character limit."""
    odd = st.characters(
        categories=("Cc", "Cf", "Co", "Mn", "Nd", "Nl", "No", "Sm", "So", "Sk", "Zs", "Zl", "Zp")
    )
    return st.one_of(
        st.text(max_size=max_size),
        st.text(odd, max_size=20),
        st.sampled_from(NASTY),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.builds(
            lambda c, n: c * n,
            st.sampled_from(["A", "9", "é", "👍", "\u200f"]),
            st.integers(4000, 4096),
        ),
    )


def hostile_inbounds(payloads: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Fields of an :class:`Inbound` of any kind, hostile in content."""
    text = hostile_text()
    floats = st.floats(allow_nan=True, allow_infinity=True)
    return st.one_of(
        text.map(lambda s: {"kind": InboundKind.TEXT, "text": s}),
        text.map(lambda s: {"kind": InboundKind.TEXT, "text": s}),
        st.builds(
            lambda c, a: {
                "kind": InboundKind.COMMAND,
                "command": c,
                "args": a,
                "text": f"/{c} {a}",
            },
            st.sampled_from(COMMANDS) | st.from_regex(r"[a-z0-9_]{1,32}", fullmatch=True),
            st.sampled_from(["", "KWL-XXXXXX", "KWL-AAAAAA", *NASTY[:20]]),
        ),
        payloads.map(lambda p: {"kind": InboundKind.CHOICE, "payload": p, "text": p[:20]}),
        st.builds(
            lambda lat, lon: {"kind": InboundKind.LOCATION, "location": Location(lat, lon)},
            floats,
            floats,
        ),
        st.builds(
            lambda ref, caption: {"kind": InboundKind.PHOTO, "media_ref": ref, "text": caption},
            st.sampled_from(["AgACAgUAAxkBAAIB", "", "../../etc/passwd", "\x00"]),
            text,
        ),
        st.builds(
            lambda name, caption: {
                "kind": InboundKind.DOCUMENT,
                "media_ref": "BQACAgIAAxkBAAIC",
                "file_name": name,
                "text": caption,
            },
            st.sampled_from(["dtks.csv", "data.xlsx", "../../kawal.db", "x.exe", ""]),
            text,
        ),
        st.sampled_from(["sticker", "voice", "video", "contact", "audio", "poll"]).map(
            lambda k: {"kind": InboundKind.UNSUPPORTED, "text": k}
        ),
    )


def saves(fields: dict[str, Any]) -> bool:
    """True for input that legitimately saves a form at its review screen."""
    word = str(fields.get("payload") or fields.get("text") or "").strip().lower()
    return fields["kind"] in (InboundKind.TEXT, InboundKind.CHOICE) and word in SAVE_WORDS


# ---- what one person can change ------------------------------------------------------------

# Rows that no hostile input may ever add: registering, saving, importing, reporting.
_GUARDED = (
    Person,
    Identity,
    RoleAssignment,
    Submission,
    Household,
    Member,
    ProblemReport,
)


@dataclass(frozen=True)
class Snapshot:
    guarded: tuple[int, ...]  # row counts of _GUARDED
    invite_uses: int
    audit: int
    person: tuple[Any, ...] | None  # (id, name, lang, consented)
    sessions: dict[int, tuple[Any, ...]]  # id -> (status, household_id, state without "steps")
    raw: dict[int, tuple[Any, ...]] = field(compare=False, default_factory=dict)  # with "steps"

    def same_state(self, other: Snapshot) -> bool:
        return (
            self.guarded == other.guarded
            and self.invite_uses == other.invite_uses
            and self.audit == other.audit
            and self.person == other.person
            and self.sessions == other.sessions
        )


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    engine = state.get("engine")
    if isinstance(engine, dict):
        return {**state, "engine": {k: v for k, v in engine.items() if k != "steps"}}
    return state


async def snapshot(db: Database, channel: Channel, external_id: str) -> Snapshot:
    counts = [select(func.count()).select_from(model).scalar_subquery() for model in _GUARDED]
    uses = select(func.coalesce(func.sum(InviteCode.uses), 0)).scalar_subquery()
    audit = select(func.count()).select_from(AuditEntry).scalar_subquery()
    async with db.unit_of_work() as uow:
        row = (await uow.session.execute(select(*counts, uses, audit))).one()
        person = await uow.people.find_by_identity(channel.value, external_id)
        raw: dict[int, tuple[Any, ...]] = {}
        if person is not None:
            rows = await uow.session.execute(
                select(
                    FormSession.id, FormSession.status, FormSession.household_id, FormSession.state
                ).where(FormSession.person_id == person.person_id)
            )
            raw = {r[0]: (r[1], r[2], r[3]) for r in rows}
    return Snapshot(
        guarded=tuple(row[: len(_GUARDED)]),
        invite_uses=int(row[len(_GUARDED)]),
        audit=int(row[len(_GUARDED) + 1]),
        person=(
            (person.person_id, person.name, person.lang, person.consent_at is not None)
            if person
            else None
        ),
        sessions={k: (v[0], v[1], _comparable(v[2])) for k, v in raw.items()},
        raw=raw,
    )


# ---- the probe ---------------------------------------------------------------------------------


def texts_of(reply: Reply) -> list[str]:
    out: list[str] = []
    for message in reply.messages:
        out.append(getattr(message, "text", "") or getattr(message, "caption", ""))
        if isinstance(message, Question):
            out.extend(option.label for option in message.options)
    return out


_PLATFORM_IDS = itertools.count(1)
_GUIDANCE = ("Contoh", "Ketik", "Pilih", "Kirim", "Coba", "Mohon", "Jawab", "Periksa", "Hubungi")
_PROMPTS = (Question, RequestLocation, RequestPhoto)


@dataclass
class HostileProbe:
    """Sends hostile input as one person and checks the reply and what was stored."""

    db: Database
    kawal: Kawal
    channel: Channel
    external_id: str
    foreign: tuple[str, ...]  # names and numbers of another village's households
    now: dt.datetime
    sent: int = 0
    refused: int = 0

    async def send(self, fields: dict[str, Any], *, allow_save: bool = False) -> Reply:
        self.sent += 1
        inbound = Inbound(
            self.channel,
            self.external_id,
            f"hostile-{next(_PLATFORM_IDS)}",
            display_name=fields.pop("display_name", ""),
            **fields,
        )
        before = await snapshot(self.db, self.channel, self.external_id)
        reply = await self.kawal.handle(inbound)
        after = await snapshot(self.db, self.channel, self.external_id)
        self.check_reply(inbound, reply)
        refused = any(isinstance(m, Text) and m.tone is Tone.ERROR for m in reply.messages)
        if refused:
            self.refused += 1
            assert after.same_state(before), (
                f"a refused {inbound.kind} changed what is stored: {before} -> {after}"
            )
        if not allow_save:
            assert after.guarded == before.guarded, (
                f"{inbound.kind} {inbound.text[:40]!r} {inbound.payload!r} stored rows: "
                f"{before.guarded} -> {after.guarded}"
            )
        await self.restore(before, after)
        return reply

    def check_reply(self, inbound: Inbound, reply: Reply) -> None:
        shown = texts_of(reply)
        assert reply.messages, f"no answer to {inbound.kind} {inbound.text[:40]!r}"
        bodies = [getattr(m, "text", "") or getattr(m, "caption", "") for m in reply.messages]
        assert all(body.strip() for body in bodies), f"an empty message: {reply.messages}"
        internal = t("internal_error", "id")
        assert internal not in shown, (
            f"the handler failed on {inbound.kind} text={inbound.text[:60]!r} "
            f"payload={inbound.payload[:60]!r} command={inbound.command!r}"
        )
        typed = " ".join((inbound.text, inbound.payload, inbound.args, inbound.file_name))
        for secret in self.foreign:
            if secret in typed:
                continue
            assert not any(secret in text for text in shown), f"{secret!r} of another village shown"
        errors = [m for m in reply.messages if isinstance(m, Text) and m.tone is Tone.ERROR]
        if errors and not any(isinstance(m, _PROMPTS) for m in reply.messages):
            # An error without a question after it must say itself what to do next.
            assert any(word in m.text for m in errors for word in _GUIDANCE), (
                f"an error that does not say what to do next: {errors}"
            )

    async def restore(self, before: Snapshot, after: Snapshot) -> None:
        """Put the person's state back (an accepted answer moved the form on)."""
        if before.person == after.person and before.sessions == after.sessions:
            return
        assert before.person is not None and after.person is not None
        person_id, name, lang, consented = before.person
        async with self.db.unit_of_work() as uow:
            if after.person[1] != name:
                await uow.people.set_name(person_id, name)
            if after.person[2] != lang:
                await uow.people.set_lang(person_id, lang)
            if after.person[3] != consented:
                if consented:
                    await uow.people.set_consent(person_id, "test", self.now)
                else:
                    await uow.people.withdraw_consent(person_id)
        async with self.db.unit_of_work() as uow:
            for session_id in after.sessions:
                if session_id not in before.raw:
                    await uow.sessions.save(
                        session_id, "cancelled", {}, self.channel.value, self.now
                    )
            for session_id, (status, household_id, state) in before.raw.items():
                if after.sessions.get(session_id) != before.sessions.get(session_id):
                    await uow.sessions.save(session_id, status, state, self.channel.value, self.now)
                    await uow.sessions.set_household(session_id, household_id)
