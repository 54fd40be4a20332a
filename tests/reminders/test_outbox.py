"""The outbox sender with a fake channel and an injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from handlers.kit.timing import QuietHours
from handlers.messages import Channel, Text, to_data
from handlers.ports import (
    Blocked,
    FixedClock,
    NetworkError,
    OutsideWindow,
    PermanentError,
    RetryAfter,
    TransientError,
    Unconfirmed,
)
from reminders.journal import SendJournal
from reminders.outbox import OutboxPolicy, OutboxSender
from storage.db import Database
from storage.repos.outbox import NewMessage, OutboxRecord
from tests.conftest import peers
from tests.fakes.channel import FakeChannel
from tests.reminders.interleave import HeldClaims, LockWatch

POLICY = OutboxPolicy(batch=20, concurrency=4, max_attempts=3)


async def _person(db: Database, now: dt.datetime, *identities: tuple[str, str]) -> int:
    async with db.unit_of_work() as uow:
        person_id = await uow.people.create("Pak Peratin", now=now)
        for channel, external_id in identities:
            await uow.people.add_identity(person_id, channel, external_id, "", now)
    return person_id


async def _enqueue(
    db: Database, now: dt.datetime, person_id: int, campaign: str, *texts: str
) -> None:
    payload = to_data([Text(t) for t in texts or ("Pengingat",)])
    async with db.unit_of_work() as uow:
        await uow.outbox.enqueue([NewMessage(campaign, "reminder", person_id, payload)], now)


async def _row(db: Database, campaign: str) -> OutboxRecord:
    async with db.unit_of_work() as uow:
        [row] = await uow.outbox.of_campaign(campaign)
    return row


def _sender(
    db: Database, clock: FixedClock, tmp_path: Path, *channels: FakeChannel, slot_dir: str = "j"
) -> OutboxSender:
    journal = SendJournal(tmp_path / slot_dir, host="host-a")
    journal.open()
    senders = {c.channel.value: c for c in channels}
    return OutboxSender(db, senders, clock, journal, POLICY)


@pytest.fixture
def clock(now: dt.datetime) -> FixedClock:
    return FixedClock(now)


async def test_due_rows_are_sent_once_and_recorded(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "501"))
    await _enqueue(database, clock.now(), person, "deadline:1:T-7", "Tenggat 27 Januari", "Detail")
    sender = _sender(database, clock, tmp_path, fake)

    assert await sender.run_once() == 1
    assert await sender.run_once() == 0

    assert fake.to("501") == ["Tenggat 27 Januari", "Detail"]
    row = await _row(database, "deadline:1:T-7")
    assert (row.status, row.channel, row.progress) == ("sent", "telegram", 2)
    assert row.platform_message_id == fake.parts[-1].platform_id
    assert row.sent_at == clock.now() and row.claimed_by is None


async def test_the_most_recently_active_unblocked_identity_is_used(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    telegram, whatsapp = FakeChannel(), FakeChannel(Channel.WHATSAPP)
    now = clock.now()
    person = await _person(database, now, ("telegram", "502"), ("whatsapp", "62812"))
    async with database.unit_of_work() as uow:
        identities = await uow.people.identities_of(person)
        await uow.people.touch_inbound(identities[1].id, now)  # wrote on WhatsApp last
    await _enqueue(database, now, person, "a")
    sender = _sender(database, clock, tmp_path, telegram, whatsapp)
    await sender.run_once()
    assert (telegram.to("502"), whatsapp.to("62812")) == ([], ["Pengingat"])

    async with database.unit_of_work() as uow:
        await uow.people.mark_blocked("whatsapp", "62812", now)
    await _enqueue(database, now, person, "b")
    await sender.run_once()
    assert telegram.to("502") == ["Pengingat"]  # the blocked one is skipped

    async with database.unit_of_work() as uow:
        await uow.people.mark_blocked("telegram", "502", now)
    await _enqueue(database, now, person, "c")
    await sender.run_once()
    assert (await _row(database, "c")).status == "blocked"

    nobody = await _person(database, now, ("console", "demo"))  # no console sender here
    await _enqueue(database, now, nobody, "d")
    await sender.run_once()
    row = await _row(database, "d")
    assert (row.status, row.last_error) == ("failed", "no_identity")


async def test_retry_after_waits_exactly_that_long(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "503"))
    await _enqueue(database, clock.now(), person, "r")
    fake.fail("503", RetryAfter(42))
    sender = _sender(database, clock, tmp_path, fake)

    await sender.run_once()
    row = await _row(database, "r")
    assert (row.status, row.next_attempt_at) == ("pending", clock.now() + dt.timedelta(seconds=42))
    clock.advance(dt.timedelta(seconds=41))
    assert await sender.run_once() == 0
    clock.advance(dt.timedelta(seconds=1))
    assert await sender.run_once() == 1
    assert fake.to("503") == ["Pengingat"]
    assert (await _row(database, "r")).status == "sent"


async def test_transient_errors_back_off_then_give_up(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "504"))
    await _enqueue(database, clock.now(), person, "t")
    fake.fail("504", NetworkError("refused"), TransientError("502"), TransientError("502"))
    sender = _sender(database, clock, tmp_path, fake)
    start = clock.now()

    await sender.run_once()
    first = await _row(database, "t")
    clock.set(first.next_attempt_at)
    await sender.run_once()
    second = await _row(database, "t")
    assert first.next_attempt_at - start >= POLICY.backoff
    assert second.next_attempt_at - first.next_attempt_at >= 2 * POLICY.backoff
    clock.set(second.next_attempt_at)
    await sender.run_once()
    row = await _row(database, "t")
    assert (row.status, row.attempts) == ("failed", 2)
    assert "gave up after 3 attempts" in (row.last_error or "")
    assert fake.to("504") == []


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Blocked("403"), "blocked"),
        (PermanentError("400 chat not found"), "failed"),
        (OutsideWindow("131047"), "failed"),
        (Unconfirmed("timeout after the request went out"), "uncertain"),
    ],
)
async def test_final_outcomes_are_recorded_and_never_retried(
    database: Database, clock: FixedClock, tmp_path: Path, error: Exception, status: str
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "505"))
    await _enqueue(database, clock.now(), person, "f")
    fake.fail("505", error)  # type: ignore[arg-type]
    sender = _sender(database, clock, tmp_path, fake)
    await sender.run_once()
    clock.advance(dt.timedelta(days=1))
    assert await sender.run_once() == 0
    row = await _row(database, "f")
    assert row.status == status
    async with database.unit_of_work() as uow:
        person_now = await uow.people.find_by_identity("telegram", "505")
    assert person_now is not None
    assert (person_now.blocked_at is not None) is (status == "blocked")


async def test_a_retry_continues_after_the_parts_already_sent(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "506"))
    await _enqueue(database, clock.now(), person, "m", "satu", "dua", "tiga")
    fake.fail("506", None, RetryAfter(5))  # "satu" goes, "dua" is refused once
    sender = _sender(database, clock, tmp_path, fake)

    await sender.run_once()
    row = await _row(database, "m")
    assert (row.status, row.progress) == ("pending", 1)
    clock.advance(dt.timedelta(seconds=5))
    await sender.run_once()

    assert fake.to("506") == ["satu", "dua", "tiga"]
    row = await _row(database, "m")
    assert (row.status, row.progress) == ("sent", 3)


async def test_expired_rows_are_dropped_with_a_log_line(
    database: Database, clock: FixedClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeChannel()
    person = await _person(database, clock.now(), ("telegram", "507"))
    payload = to_data([Text("T-1")])
    async with database.unit_of_work() as uow:
        message = NewMessage("deadline:9:T-1", "reminder", person, payload, expires_at=clock.now())
        await uow.outbox.enqueue([message], clock.now())
    sender = _sender(database, clock, tmp_path, fake)
    with caplog.at_level("INFO"):
        await sender.run_once()
    assert fake.parts == []
    assert (await _row(database, "deadline:9:T-1")).status == "expired"
    assert "expired before it could be sent" in caplog.text


async def _until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Let the sender run until ``condition`` holds (it is driven by the fake, not by time)."""
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.001)


async def _die(sender: OutboxSender, task: asyncio.Task[int]) -> None:
    """What SIGKILL leaves: no outcome recorded, no rows given back, the journal's lock gone."""
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    sender.journal.close()


async def test_a_crash_mid_send_is_settled_from_the_journal(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    now = clock.now()
    x = await _person(database, now, ("telegram", "601"))
    y = await _person(database, now, ("telegram", "602"))
    await _enqueue(database, now, x, "announcement:1", "satu", "dua")
    await _enqueue(database, now, y, "announcement:1", "satu", "dua")
    fake.hang["601"] = 1  # "dua" to 601 goes out, then the process dies
    fake.hang["602"] = 0  # "satu" to 602 goes out, then the process dies
    first = _sender(database, clock, tmp_path, fake)
    task = asyncio.create_task(first.run_once())
    await _until(lambda: len(fake.parts) == 3)
    await _die(first, task)

    fake.hang.clear()
    second = _sender(database, clock, tmp_path, fake)
    assert await second.recover() == 2
    await second.run_once()

    assert fake.to("601") == ["satu", "dua"]
    assert fake.to("602") == ["satu", "dua"]
    async with database.unit_of_work() as uow:
        rows = await uow.outbox.of_campaign("announcement:1")
    assert [(r.status, r.progress) for r in rows] == [("sent", 2), ("sent", 2)]


async def test_a_row_claimed_but_never_written_is_sent_after_a_crash(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    now = clock.now()
    people = [await _person(database, now, ("telegram", str(700 + i))) for i in range(6)]
    for person in people:
        await _enqueue(database, now, person, "announcement:2")
    fake.hang["700"] = 0
    first = _sender(database, clock, tmp_path, fake)
    first.policy = OutboxPolicy(batch=10, concurrency=1)  # the others wait behind 700
    task = asyncio.create_task(first.run_once())
    await _until(lambda: len(fake.parts) == 1)
    await _die(first, task)

    fake.hang.clear()
    second = _sender(database, clock, tmp_path, fake)
    await second.recover()
    await second.run_once()
    assert Counter(p.to for p in fake.parts) == {str(700 + i): 1 for i in range(6)}


async def test_a_dead_local_worker_is_adopted_by_a_live_one(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    now = clock.now()
    for i in range(3):
        await _enqueue(database, now, await _person(database, now, ("telegram", str(800 + i))), "c")
    fake.hang["800"] = 0
    dead = _sender(database, clock, tmp_path, fake)
    alive = _sender(database, clock, tmp_path, fake)  # the next slot of the same directory
    assert (dead.worker_id, alive.worker_id) == ("host-a/0", "host-a/1")
    dead.policy = OutboxPolicy(batch=10, concurrency=1)
    task = asyncio.create_task(dead.run_once())
    await _until(lambda: len(fake.parts) == 1)
    await _die(dead, task)
    fake.hang.clear()

    await alive.run_once()  # the dead worker's lease has not run out: its rows wait
    assert len(fake.parts) == 1
    clock.advance(POLICY.lease + dt.timedelta(seconds=1))
    await alive.run_once()  # adopts host-a/0's journal and releases its rows
    await alive.run_once()
    assert Counter(p.to for p in fake.parts) == {"800": 1, "801": 1, "802": 1}


async def test_rows_of_a_worker_on_another_host_become_uncertain(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    now = clock.now()
    await _enqueue(database, now, await _person(database, now, ("telegram", "901")), "far")
    async with database.unit_of_work() as uow:
        await uow.outbox.claim("host-b/0", now, 10, POLICY.lease)
    sender = _sender(database, clock, tmp_path, fake)
    clock.advance(2 * POLICY.lease)  # stale, but host-b may still come back and recover
    await sender.run_once()
    assert (await _row(database, "far")).status == "sending"
    clock.advance(2 * POLICY.lease)
    await sender.run_once()
    row = await _row(database, "far")
    assert (row.status, fake.parts) == ("uncertain", [])
    assert "host-b/0" in (row.last_error or "")


async def test_stop_gives_unsent_rows_back_and_nothing_is_sent_twice(
    database: Database, clock: FixedClock, tmp_path: Path
) -> None:
    fake = FakeChannel()
    now = clock.now()
    for i in range(4):
        await _enqueue(database, now, await _person(database, now, ("telegram", str(950 + i))), "s")
    fake.hang["950"] = 0
    sender = _sender(database, clock, tmp_path, fake)
    sender.policy = OutboxPolicy(batch=10, concurrency=1, poll_interval=0.01)
    await sender.start()
    await _until(lambda: len(fake.parts) == 1)
    await sender.stop(grace=0.05)
    async with database.unit_of_work() as uow:
        assert await uow.outbox.count_by_status("s") == {"pending": 4}

    fake.hang.clear()
    again = _sender(database, clock, tmp_path, fake)
    await again.recover()
    await again.run_once()
    assert Counter(p.to for p in fake.parts) == {str(950 + i): 1 for i in range(4)}


async def test_two_senders_on_one_database_send_each_message_once(
    database: Database, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL each claim keeps its transaction open until the other sender has claimed
    too, so the second claim runs while the first one's rows are locked and not committed: it
    must skip them (FOR UPDATE SKIP LOCKED), not wait for them and take them again. (SQLite
    has one writer: its claims never overlap.)"""
    fake = FakeChannel()
    now = clock.now()
    people = [await _person(database, now, ("telegram", str(2000 + i))) for i in range(40)]
    async with database.unit_of_work() as uow:
        payload = to_data([Text("Pengumuman")])
        await uow.outbox.enqueue(
            [NewMessage(f"a:{n}", "announcement", p, payload) for n in range(5) for p in people],
            now,
        )
    async with peers(database, 2) as (one, two), contextlib.AsyncExitStack() as stack:
        holds: HeldClaims | None = None
        if database.dialect == "postgresql":
            holds = HeldClaims(await stack.enter_async_context(LockWatch(database)), monkeypatch)
        senders = [
            _sender(one, clock, tmp_path, fake, slot_dir="j1"),
            _sender(two, clock, tmp_path, fake, slot_dir="j2"),
        ]

        async def drain(sender: OutboxSender) -> None:
            while await sender.run_once():
                pass
            if holds is not None:
                holds.poke()  # this sender will not claim again: let the other one go on

        await asyncio.gather(*(drain(s) for s in senders))
    assert Counter(p.to for p in fake.parts) == {str(2000 + i): 5 for i in range(40)}
    async with database.unit_of_work() as uow:
        assert await uow.outbox.count_by_status("a:") == {"sent": 200}
    assert holds is None or holds.overlapped >= 1  # claims really ran side by side


async def test_proactive_rows_wait_out_the_recipients_quiet_hours(
    database: Database, tmp_path: Path
) -> None:
    """20.30 WIB is 22.30 WIT: the Papua operator's announcement waits for 07.00 WIT (no
    attempt counted), the Lampung one goes; a problem-report answer goes at any hour."""
    clock = FixedClock(dt.datetime(2026, 1, 15, 13, 30, tzinfo=dt.UTC))
    now = clock.now()
    lampung = await _person(database, now, ("telegram", "701"))
    papua = await _person(database, now, ("telegram", "702"))
    rows = [
        NewMessage("announcement:1", "announcement", lampung, to_data([Text("A")]),
                   region_code="18.04.19.2006"),
        NewMessage("announcement:1", "announcement", papua, to_data([Text("A")]),
                   region_code="91.03.01.2001"),
        NewMessage("report:1:answer:1", "report_answer", papua, to_data([Text("B")]),
                   region_code="91.03.01.2001"),
    ]  # fmt: skip
    async with database.unit_of_work() as uow:
        await uow.outbox.enqueue(rows, now)
    fake = FakeChannel()
    policy = OutboxPolicy(batch=20, concurrency=4, max_attempts=3, quiet=QuietHours())
    journal = SendJournal(tmp_path / "q", host="host-a")
    journal.open()
    sender = OutboxSender(database, {"telegram": fake}, clock, journal, policy)

    await sender.run_once()
    assert (fake.to("701"), fake.to("702")) == (["A"], ["B"])
    async with database.unit_of_work() as uow:
        [waiting] = [
            r for r in await uow.outbox.of_campaign("announcement:1") if r.status != "sent"
        ]
    morning = dt.datetime(2026, 1, 15, 22, 0, tzinfo=dt.UTC)  # 07.00 WIT
    assert (waiting.status, waiting.next_attempt_at, waiting.attempts) == ("pending", morning, 0)

    clock.advance(morning - now - dt.timedelta(minutes=1))
    assert await sender.run_once() == 0  # not due yet
    clock.advance(dt.timedelta(minutes=1))
    await sender.run_once()
    assert fake.to("702") == ["B", "A"]
