"""The weekly digest: schedule maths (tables), and the job with an injected clock and a fake
channel on SQLite and PostgreSQL: sent once a week per recipient, with the change since last
week, inside each person's area only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from bot.demo import load_register_csv
from bot.regions import load_regions
from handlers.kit.timing import QuietHours
from handlers.messages import Question
from handlers.ports import FixedClock
from handlers.progress.digest import DigestSchedule, compose
from reminders.digest import plan_digests
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from storage.db import Database
from storage.models import Household
from storage.repos.progress import ProgressCounts, VillageProgress
from tests.fakes.channel import FakeChannel

DEMO = Path(__file__).resolve().parents[2] / "bot" / "demo"
SRI_MENANTI = "18.04.19.2006"
WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
QUIET = QuietHours()
MONDAY = DigestSchedule()


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


# ---- schedule maths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "now", "zone", "week", "due"),
    [
        # Monday 27 Jan 2027 07:30 local, seen from any day of that week.
        (MONDAY, local(WIB, 2027, 1, 27, 12), WIB, "2027-W04", local(WIB, 2027, 1, 25, 7, 30)),
        (MONDAY, local(WIB, 2027, 1, 31, 23), WIB, "2027-W04", local(WIB, 2027, 1, 25, 7, 30)),
        (MONDAY, local(WIB, 2027, 1, 25, 0), WIB, "2027-W04", local(WIB, 2027, 1, 25, 7, 30)),
        # The same UTC instant is another local day in WIT: its week is the new one.
        (MONDAY, local(WIB, 2027, 1, 31, 23), WIT, "2027-W05", local(WIT, 2027, 2, 1, 7, 30)),
        (MONDAY, local(WITA, 2027, 1, 27, 12), WITA, "2027-W04", local(WITA, 2027, 1, 25, 7, 30)),
        # Friday 16:00; and a time inside the quiet hours moves to their end.
        (
            DigestSchedule.parse("jumat", "16.00"),
            local(WIB, 2027, 1, 25, 9),
            WIB,
            "2027-W04",
            local(WIB, 2027, 1, 29, 16),
        ),
        (
            DigestSchedule.parse("sunday", "22:00"),
            local(WIB, 2027, 1, 25, 9),
            WIB,
            "2027-W04",
            local(WIB, 2027, 2, 1, 7),
        ),
        # A year boundary: ISO week 53 of 2026.
        (MONDAY, local(WIB, 2027, 1, 1, 9), WIB, "2026-W53", local(WIB, 2026, 12, 28, 7, 30)),
    ],
)
def test_this_weeks_digest_instant(
    schedule: DigestSchedule, now: dt.datetime, zone: str, week: str, due: dt.datetime
) -> None:
    assert schedule.due(now, zone, QUIET) == (week, due)


SUNDAY_LATE = DigestSchedule.parse("minggu", "22:00")  # quiet hours move it to Monday 07:00


@pytest.mark.parametrize(
    ("schedule", "now", "week", "due"),
    [
        # Sunday 22:00 is Monday 07:00 of the next ISO week: that week's is still last week's.
        (SUNDAY_LATE, local(WIB, 2027, 2, 1, 6, 59), "2027-W03", local(WIB, 2027, 1, 25, 7)),
        (SUNDAY_LATE, local(WIB, 2027, 2, 1, 7), "2027-W04", local(WIB, 2027, 2, 1, 7)),
        (SUNDAY_LATE, local(WIB, 2027, 2, 7, 23, 59), "2027-W04", local(WIB, 2027, 2, 1, 7)),
        # Monday 07:30: before it, last week's; a year boundary on the way.
        (MONDAY, local(WIB, 2027, 1, 25, 7, 29), "2027-W03", local(WIB, 2027, 1, 18, 7, 30)),
        (MONDAY, local(WIB, 2027, 1, 25, 7, 30), "2027-W04", local(WIB, 2027, 1, 25, 7, 30)),
        (MONDAY, local(WIB, 2027, 1, 4, 7), "2026-W53", local(WIB, 2026, 12, 28, 7, 30)),
    ],
)
def test_the_latest_digest_due(
    schedule: DigestSchedule, now: dt.datetime, week: str, due: dt.datetime
) -> None:
    assert schedule.latest_due(now, WIB, QUIET) == (week, due)


@pytest.mark.parametrize(("day", "time"), [("senen", "07:30"), ("senin", "7.75"), ("", "07:30")])
def test_a_wrong_digest_setting_is_refused_with_an_example(day: str, time: str) -> None:
    with pytest.raises(ValueError, match=r"senin|07:30"):
        DigestSchedule.parse(day, time)


# ---- the job -------------------------------------------------------------------------------


@pytest.fixture
async def seeded(database: Database) -> Database:
    now = local(WIB, 2027, 1, 1)
    async with database.unit_of_work() as uow:
        await load_regions(uow, "18.04.19")
        await load_register_csv(uow, DEMO / "households_sri_menanti.csv", now)
        people = [
            ("Peratin Sri Menanti", "peratin", SRI_MENANTI, "31"),
            ("Peratin Sumber Alam", "peratin", "18.04.19.2007", "32"),
            ("Camat Air Hitam", "camat", "18.04.19", "33"),
            ("Operator", "operator", SRI_MENANTI, "34"),
        ]
        for name, role, region, chat in people:
            person = await uow.people.create(name, "id", now)
            await uow.people.add_identity(person, "telegram", chat, name, now)
            await uow.people.assign_role(person, role, region, now)
            await uow.people.set_consent(person, "test", now)
    return database


async def _verify(db: Database, count: int) -> None:
    async with db.unit_of_work() as uow:
        pending = await uow.households.pending(SRI_MENANTI, 0, count)
        await uow.session.execute(
            update(Household)
            .where(Household.id.in_([h.id for h in pending]))
            .values(status="verified"),
            execution_options={"synchronize_session": False},
        )


async def test_the_digest_goes_once_a_week_with_the_change(
    seeded: Database, tmp_path: Path
) -> None:
    clock = FixedClock(local(WIB, 2027, 1, 25, 7, 29))  # a minute before Monday 07:30 WIB
    fake = FakeChannel()
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    outbox = OutboxSender(seeded, {"telegram": fake}, clock, journal)

    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 0
    clock.advance(dt.timedelta(minutes=1))
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3  # 2 peratin and the camat
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 0
    await outbox.run_once()

    [peratin] = fake.to("31")
    assert peratin.splitlines()[:3] == [
        "📅 Ringkasan mingguan · Pekon Sri Menanti",
        "0 dari 30 keluarga sudah didata (0%)",
        "pembanding minggu lalu belum ada · belum 30 · kendala terbuka 0",
    ]
    [camat] = fake.to("33")
    assert camat.startswith("📅 Ringkasan mingguan · Kec. Air Hitam")
    assert "Paling tertinggal: Sri Menanti 0%, Gunungterang (belum ada data)" in camat
    [other] = fake.to("32")
    assert other.splitlines()[:2] == [
        "📅 Ringkasan mingguan · Pekon Sinar Jaya",  # only its own village: not yet imported
        "Belum ada data keluarga: Dinsos perlu mengimpor daftar DTKS dulu.",
    ]
    assert fake.to("34") == []  # operators get reminders, not digests

    await _verify(seeded, 5)
    clock.advance(dt.timedelta(days=3))  # later the same week: nothing new
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 0
    clock.set(local(WIB, 2027, 2, 1, 7, 30))
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3
    await outbox.run_once()
    assert fake.to("31")[1].splitlines()[1:3] == [
        "5 dari 30 keluarga sudah didata (16%)",
        "+5 keluarga minggu ini · belum 25 · kendala terbuka 0",
    ]
    assert "+5 keluarga minggu ini" in fake.to("33")[1]
    assert "Sri Menanti" not in fake.to("32")[1]


async def test_a_week_missed_while_stopped_is_sent_once_until_the_next(
    seeded: Database, tmp_path: Path
) -> None:
    clock = FixedClock(local(WIB, 2027, 1, 28, 15))  # Thursday: Monday's digest never went
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3
    async with seeded.unit_of_work() as uow:
        rows = await uow.outbox.of_campaign("digest:2027-W04")
    assert {r.expires_at for r in rows} == {local(WIB, 2027, 2, 1, 7, 30)}
    assert all(r.payload[0]["options"][0]["value"] == "m:progress" for r in rows)
    assert {r.template["kind"] for r in rows} == {"digest"}


def _sender(db: Database, clock: FixedClock, tmp_path: Path) -> tuple[FakeChannel, OutboxSender]:
    fake = FakeChannel()
    journal = SendJournal(tmp_path / "journal")
    journal.open()
    return fake, OutboxSender(db, {"telegram": fake}, clock, journal)


async def test_a_sunday_night_digest_goes_out_every_week_on_monday_morning(
    seeded: Database, tmp_path: Path
) -> None:
    """Minggu 22:00 falls in the quiet hours, so each week's digest goes on the Monday after,
    07:00: already the next ISO week. An hourly clock over five weeks: one per week each."""
    clock = FixedClock(local(WIB, 2027, 1, 4))  # Monday of 2027-W01, midnight
    fake, outbox = _sender(seeded, clock, tmp_path)
    while clock.now() < local(WIB, 2027, 2, 8, 12):
        await plan_digests(seeded, clock, SUNDAY_LATE, QUIET)
        await outbox.run_once()
        clock.advance(dt.timedelta(hours=1))

    # Sunday 3 January 2027 closes 2026-W53; its digest goes on Monday 4 January.
    mondays = {
        "2026-W53": (1, 4),
        "2027-W01": (1, 11),
        "2027-W02": (1, 18),
        "2027-W03": (1, 25),
        "2027-W04": (2, 1),
        "2027-W05": (2, 8),
    }
    async with seeded.unit_of_work() as uow:
        rows = {week: await uow.outbox.of_campaign(f"digest:{week}") for week in mondays}
        assert await uow.outbox.of_campaign("digest:2027-W06") == []  # due 15 February
        assert await uow.outbox.of_campaign("digest:2026-W52") == []  # before the clock began
    for week, (month, day) in mondays.items():
        assert len(rows[week]) == 3, week  # the two peratin and the camat, once each
        assert {r.sent_at for r in rows[week]} == {local(WIB, 2027, month, day, 7)}, week
    for chat in ("31", "32", "33"):
        assert len(fake.to(chat)) == len(mondays)


async def test_a_catch_up_waits_for_the_end_of_the_quiet_hours_in_each_zone(
    seeded: Database, tmp_path: Path
) -> None:
    """Kawal starts again on Thursday 23:00 WIB (Friday 01:00 WIT): Monday's digests wait for
    07:00 in each recipient's own zone."""
    async with seeded.unit_of_work() as uow:
        await load_regions(uow, "91.71.01")
        person = await uow.people.create("Lurah Gurabesi", "id", local(WIB, 2027, 1, 1))
        await uow.people.add_identity(person, "telegram", "41", "Lurah", local(WIB, 2027, 1, 1))
        await uow.people.assign_role(person, "peratin", "91.71.01.1001", local(WIB, 2027, 1, 1))
        await uow.people.set_consent(person, "test", local(WIB, 2027, 1, 1))
    clock = FixedClock(local(WIB, 2027, 1, 28, 23))
    fake, outbox = _sender(seeded, clock, tmp_path)
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 4
    async with seeded.unit_of_work() as uow:
        rows = {r.person_id: r for r in await uow.outbox.of_campaign("digest:2027-W04")}
    by_region = {r.region_code: r.next_attempt_at for r in rows.values()}
    assert by_region[SRI_MENANTI] == local(WIB, 2027, 1, 29, 7)
    assert by_region["91.71.01.1001"] == local(WIT, 2027, 1, 29, 7)  # 22:00 UTC on Thursday

    await outbox.run_once()
    assert fake.parts == []  # 23:00 WIB: nobody gets it at night
    clock.set(local(WIT, 2027, 1, 29, 7))
    await outbox.run_once()
    assert [p.to for p in fake.parts] == ["41"]
    clock.set(local(WIB, 2027, 1, 29, 7))
    await outbox.run_once()
    assert sorted(p.to for p in fake.parts) == ["31", "32", "33", "41"]


async def test_a_catch_up_in_the_day_goes_at_once_and_none_right_before_the_next_week(
    seeded: Database,
) -> None:
    clock = FixedClock(local(WIB, 2027, 1, 28, 15))
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3
    async with seeded.unit_of_work() as uow:
        rows = await uow.outbox.of_campaign("digest:2027-W04")
    assert {r.next_attempt_at for r in rows} == {clock.now()}
    # Back on Sunday 23:00: last Monday's could only go at 07:00, half an hour before the next.
    clock.set(local(WIB, 2027, 2, 7, 23))
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 0
    clock.set(local(WIB, 2027, 2, 8, 7, 30))
    assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3  # the new week's, on time


def _change_line(text: str) -> str:
    return text.splitlines()[2].split(" · ")[0]


async def test_the_change_counts_from_last_weeks_snapshot_also_after_a_late_week(
    seeded: Database, tmp_path: Path
) -> None:
    """W02 went out late (Wednesday): W03 still compares with W02 and W04 with W03, not with
    whatever snapshot is old enough. A week without any digest: the change says since when."""
    clock = FixedClock(local(WIB, 2027, 1, 4, 7, 30))  # Monday of 2027-W01
    fake, outbox = _sender(seeded, clock, tmp_path)

    async def digest_at(at: dt.datetime) -> str:
        clock.set(at)
        assert await plan_digests(seeded, clock, MONDAY, QUIET) == 3
        await outbox.run_once()
        return fake.to("31")[-1]

    assert _change_line(await digest_at(clock.now())) == "pembanding minggu lalu belum ada"
    await _verify(seeded, 2)
    # Kawal was down from Sunday to Wednesday: W02's digest goes on Wednesday noon.
    assert _change_line(await digest_at(local(WIB, 2027, 1, 13, 12))) == "+2 keluarga minggu ini"
    await _verify(seeded, 3)
    assert _change_line(await digest_at(local(WIB, 2027, 1, 18, 7, 30))) == (
        "+3 keluarga minggu ini"  # since Wednesday's W02 snapshot, not +5 since W01
    )
    await _verify(seeded, 4)
    assert _change_line(await digest_at(local(WIB, 2027, 1, 25, 7, 30))) == (
        "+4 keluarga minggu ini"  # since W03's, not +7 since Wednesday
    )
    await _verify(seeded, 1)
    # Down the whole of W05: W06 has no W05 snapshot to compare with, and says so.
    assert _change_line(await digest_at(local(WIB, 2027, 2, 8, 7, 30))) == (
        "+1 keluarga sejak 25-01-2027"
    )
    assert "10 dari 30 keluarga" in fake.to("31")[-1]
    assert "+1 keluarga sejak 25-01-2027" in fake.to("33")[-1]
    async with seeded.unit_of_work() as uow:
        latest = await uow.progress.snapshot_before("18.04", "2027-W07")
        assert await uow.progress.take_snapshot("2027-W06", {}, clock.now()) == 0
    assert latest is not None and latest.week == "2027-W06"
    assert latest.counts[SRI_MENANTI].done == 10


def test_large_numbers_are_written_with_thousands_separators() -> None:
    villages = [
        VillageProgress(
            f"16.12.01.{2001 + i}", f"Desa {i}", ProgressCounts(register=21_563, verified=11_427)
        )
        for i in range(3)
    ]
    previous = {v.code: ProgressCounts(register=21_563, verified=11_000) for v in villages}
    digest = compose(
        area_code="16.12.01",
        area_name="Penukal",
        villages=villages,
        previous=previous,
        deadline=None,
        now=local(WIB, 2027, 1, 25, 7, 30),
        zone=WIB,
        lang="id",
    )
    [question] = digest.messages
    assert isinstance(question, Question)
    text = question.text
    assert "34.281 dari 64.689 keluarga sudah didata (52%)" in text
    assert "+1.281 keluarga minggu ini · belum 30.408" in text
