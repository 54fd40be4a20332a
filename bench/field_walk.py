"""Field economy: six operator tasks typed into the terminal chat on the demo data.

Each task starts at the main menu and ends when the bot says the form was saved. Counted per
task: the operator's messages (from the menu choice to the save, both included), the bot's
messages and the characters the bot sent (as the terminal renders them: what a 2G phone has to
download, give or take the buttons). Budgets from issue 17.

The operator types what a person in the field would type, including the spellings that an
older version refused (``48 m2``, ``sumur``, ``900``): when the bot answers with an error the
script types the plainer answer next, and that costs a message, as it would in the field. A
shortcut the bot offers (``Semua data tetap``, ``Tambah anggota``, ``simpan`` before the end) is
taken when it is there.

    python -m bench.field_walk                 # the table
    python -m bench.field_walk --show verify   # and the transcript of one task
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot import demo
from bot.channels.console import ConsoleChat, render_one
from flows import builtin_forms
from handlers.app import Kawal
from handlers.messages import Option, Question, Reply, Text, Tone
from handlers.ports import FixedClock
from storage.db import Database
from storage.migrate import upgrade

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 WIB on a Monday
CONSENT = "2026-11"


@dataclass
class Walk:
    """One task's conversation and its counts."""

    chat: ConsoleChat
    sent: int = 0
    bot_messages: int = 0
    bot_chars: int = 0
    saved: bool = False
    last: Reply = field(default_factory=Reply)
    transcript: list[str] = field(default_factory=list)
    opening: str = ""  # the form's first message

    async def send(self, line: str) -> Reply:
        if self.saved:
            raise RuntimeError(f"already saved, not sending {line!r}")
        self.last = await self.chat.exchange(line)
        self.sent += 1
        shown = [render_one(m) for m in self.last.messages]
        self.bot_messages += len(shown)
        self.bot_chars += sum(len(s) for s in shown)
        self.transcript.append(f"> {line}")
        self.transcript.extend(shown)
        self.saved = any(
            (isinstance(m, Text) and m.tone is Tone.SUCCESS)
            or (isinstance(m, Question) and m.text.startswith("✅"))  # saved, with Menu
            for m in self.last.messages
        )
        return self.last

    def question(self) -> Question | None:
        questions = [m for m in self.last.messages if isinstance(m, Question)]
        return questions[-1] if questions else None

    def failed(self) -> bool:
        return any(isinstance(m, Text) and m.tone is Tone.ERROR for m in self.last.messages)

    def has(self, label: str) -> bool:
        return self._number(label) is not None

    def _number(self, label: str) -> str | None:
        q = self.question()
        if q is None:
            return None
        for i, option in enumerate(q.options, 1):
            if label.lower() in option.label.lower():
                return str(i) if q.numbered else option.label
        extra: tuple[Option, ...] = getattr(q, "extra", ())  # never numbered: typed as words
        for option in extra:
            if label.lower() in option.label.lower():
                return option.label
        return None

    async def pick(self, label: str) -> None:
        number = self._number(label)
        if number is None:
            raise RuntimeError(f"no option {label!r} in {self.question()}")
        await self.send(number)

    async def answer(self, text: str, *fallbacks: str) -> None:
        """Type ``text``; on an error type the next fallback (each costs a message)."""
        await self.send(text)
        for again in fallbacks:
            if not self.failed():
                return
            await self.send(again)

    async def keep(self) -> None:
        await self.send("tetap")

    async def finish(self) -> None:
        """Save from the review (or say nothing more when the last answer saved)."""
        if not self.saved:
            await self.send("simpan")


def asks(walk: Walk, label: str) -> bool:
    q = walk.question()
    return q is not None and label.lower() in q.text.lower()


async def open_household(walk: Walk, item: str, no_kk: str) -> None:
    await walk.pick(item)
    await walk.send(no_kk)
    await walk.send("1")  # the one household found
    walk.opening = "\n".join(render_one(m) for m in walk.last.messages)


async def verify_unchanged(walk: Walk) -> None:
    await open_household(walk, "Verifikasi keluarga", "1804190106200002")
    if walk.has("Semua data tetap"):
        await walk.pick("Semua data tetap")
        return
    await walk.pick("Ditemukan")
    for _ in range(3):  # address, RT, RW
        await walk.keep()
    await walk.send("ya")
    await walk.send("lewati")  # phone
    await walk.send("lewati")  # notes
    await walk.finish()


async def verify_two_changes(walk: Walk) -> None:
    await open_household(walk, "Verifikasi keluarga", "1804191310150008")
    fast = walk.has("Semua data tetap")  # this version saves from any question ("simpan")
    await walk.pick("Ditemukan")
    await walk.send("Dusun II, dekat masjid")
    await walk.send("1")  # RT 1
    if fast:
        await walk.send("simpan")
        await walk.finish()
        return
    await walk.keep()  # RW
    await walk.send("ya")
    await walk.send("lewati")
    await walk.send("lewati")
    await walk.finish()


NEW_CHILD = [
    ("Nama", "Putri Harahap"),
    ("Jenis kelamin", "P"),
    ("Tanggal lahir", "12-03-2024"),
    ("NIK", "9999999999999995"),
    ("Hubungan", "anak"),
    ("perkawinan", "belum kawin"),
    ("Pendidikan", "1"),
    ("Pekerjaan", "lewati"),
    ("Disabilitas", "tidak ada"),
]
EXISTING_MEMBER = {  # what the register lacks and an operator fills in
    "perkawinan": "kawin",
    "Pendidikan": "SD",
    "Pekerjaan": "lewati",
    "Disabilitas": "tidak ada",
}


async def _fill(walk: Walk, answers: list[tuple[str, str]]) -> None:
    for label, value in answers:
        if not asks(walk, label):
            raise RuntimeError(f"expected {label!r}, got {walk.question()}")
        await walk.send(value)


async def add_member(walk: Walk) -> None:
    await open_household(walk, "Anggota keluarga", "1804191505180004")
    if walk.has("Tambah anggota"):
        await walk.pick("Tambah anggota")
        await _fill(walk, NEW_CHILD)
        if walk.has("Simpan"):
            await walk.pick("Simpan")
        await walk.finish()
        return
    while not asks(walk, "Tambah anggota"):  # every existing member, question by question
        q = walk.question()
        if q is not None and any(o.label.startswith("Tetap") for o in q.options):
            await walk.keep()
            continue
        label = next((k for k in EXISTING_MEMBER if q is not None and k in q.text), None)
        if label is None:
            raise RuntimeError(f"unexpected question {q}")
        await walk.send(EXISTING_MEMBER[label])
    await walk.send("ya")
    await walk.answer("baru")  # presence of the new member
    await _fill(walk, NEW_CHILD)
    await walk.send("tidak")  # no other member
    await walk.send("lewati")  # notes
    await walk.finish()


async def house_condition(walk: Walk) -> None:
    await open_household(walk, "Kondisi rumah", "1804192106200005")
    await walk.answer("milik sendiri")
    await walk.answer("48 m2", "48")
    await walk.answer("keramik")
    await walk.answer("tembok")
    await walk.answer("seng")
    await walk.answer("sumur", "sumur bor")
    if walk.has("Sumur bor"):  # the matching options were listed
        await walk.pick("Sumur bor")
    await walk.answer("1")  # lighting: PLN with a meter
    await walk.answer("900", "900 VA")
    await walk.answer("elpiji 3 kg")
    await walk.answer("sendiri")
    await walk.answer("sepeda motor, smartphone")
    await walk.answer("PKH")
    if "simpan bila" in walk.opening:  # the form says "simpan" saves, the rest unchanged
        await walk.send("simpan")
        return
    await walk.send("lewati")  # notes
    await walk.finish()


async def new_household(walk: Walk) -> None:
    await walk.pick("Usulan keluarga baru")
    head = ["1804190101250009", "Joko Susilo", "L", "27-04-1990", "1804072704900999"]
    for value in [*head, "Dusun I, Pekon Sri Menanti", "2", "1"]:
        await walk.answer(value)
    await walk.send("ya")  # one more member
    for value in ["Sri Wahyuni", "P", "15-08-1992", "1804075508920003", "istri", "kawin"]:
        await walk.answer(value)
    await walk.send("tidak")
    for _ in range(3):  # photo, location, notes
        await walk.send("lewati")
    await walk.finish()


async def problem_report(walk: Walk) -> None:
    await walk.pick("Lapor kendala")
    await walk.answer("jaringan")
    await walk.answer("Sinyal hilang sejak pagi, data tidak bisa dikirim.")
    await walk.send("lewati")  # screenshot
    await walk.finish()


@dataclass(frozen=True)
class Task:
    key: str
    name: str
    play: Callable[[Walk], Awaitable[None]]
    max_messages: int | None = None
    max_chars: int | None = None


TASKS = (
    Task("verify", "Verify, unchanged", verify_unchanged, 6, 900),
    Task("verify2", "Verify, two changes", verify_two_changes, 9),
    Task("member", "Add a member (household of 2)", add_member, 14),
    Task("house", "House condition", house_condition, 17),
    Task("propose", "New household (head + 1 member)", new_household),
    Task("report", "Problem report", problem_report),
)


async def play_all(db_dir: Path) -> list[tuple[Task, Walk]]:
    url = f"sqlite+aiosqlite:///{db_dir / 'field.db'}"
    await upgrade(url)
    db = Database(url)
    await db.connect()
    try:
        await demo.seed(db, NOW, CONSENT)
        kawal = Kawal(db, builtin_forms(), FixedClock(NOW))
        chat = ConsoleChat(kawal.handle, "demo-operator")
        results = []
        for task in TASKS:
            menu = await chat.exchange("/menu")  # the menu on screen: not counted
            walk = Walk(chat, last=menu)
            await task.play(walk)
            if not walk.saved:
                raise RuntimeError(f"{task.name}: not saved\n" + "\n".join(walk.transcript))
            results.append((task, walk))
        return results
    finally:
        await db.dispose()


def _budget(value: int, limit: int | None) -> str:
    if limit is None:
        return f"{value:,}"
    return f"{value:,} / {limit:,} {'ok' if value <= limit else 'OVER'}"


def table(results: list[tuple[Task, Walk]]) -> str:
    lines = [
        "| task | operator messages | bot messages | bot characters |",
        "|---|---:|---:|---:|",
    ]
    for task, walk in results:
        lines.append(
            f"| {task.name} | {_budget(walk.sent, task.max_messages)} | {walk.bot_messages} "
            f"| {_budget(walk.bot_chars, task.max_chars)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", choices=[t.key for t in TASKS], action="append", default=[])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(play_all(Path(tmp)))
    for task, walk in results:
        if task.key in args.show:
            print(f"## {task.name}\n")
            print("\n".join(walk.transcript), end="\n\n")
    print(table(results))


if __name__ == "__main__":
    main()
