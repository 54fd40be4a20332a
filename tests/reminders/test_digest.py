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
from handlers.digest import DigestSchedule
from handlers.ports import FixedClock
from handlers.timing import QuietHours
from reminders.digest import plan_digests
from reminders.journal import SendJournal
from reminders.outbox import OutboxSender
from storage.db import Database
from storage.models import Household
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
        "0 dari 30 keluarga sudah diperbarui (0%)",
        "pembanding minggu lalu belum ada · belum 30 · kendala terbuka 0",
    ]
    [camat] = fake.to("33")
    assert camat.startswith("📅 Ringkasan mingguan · Kec. Air Hitam")
    assert "Paling tertinggal:" in camat
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
        "5 dari 30 keluarga sudah diperbarui (16%)",
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
