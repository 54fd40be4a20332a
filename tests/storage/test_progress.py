"""Progress numbers per village and the next deadline, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert, update

from handlers.progress.view import next_deadline
from storage.db import Database, UnitOfWork
from storage.models import Deadline, ProblemReport
from storage.repos.progress import ProgressCounts, region_chain
from tests.storage.conftest import BUJUR_BARAT, MUTAR_ALAM, SRI_MENANTI, SUMBER_ALAM

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)


async def _households(
    uow: UnitOfWork, region: str, status: str, n: int, source: str = "import"
) -> None:
    for i in range(n):
        await uow.households.add(
            region, f"{status} {i}", None, None, "", "", "", status, source, now=NOW
        )


async def seed_progress(db: Database) -> None:
    """Sri Menanti: 10 in the register (3 verified, 2 updated, 1 not found, 4 pending), 2 new
    proposals, 1 open and 1 answered report. Sumber Alam: nothing. Mutar Alam (another
    kecamatan): 4 verified. Bujur Barat (another province): 5 pending, 1 open report."""
    async with db.unit_of_work() as uow:
        person = await uow.people.create("Operator", "id", NOW)
        for status, n in (("verified", 3), ("updated", 2), ("not_found", 1), ("pending", 4)):
            await _households(uow, SRI_MENANTI, status, n)
        await _households(uow, SRI_MENANTI, "proposed", 2, source="proposal")
        await _households(uow, MUTAR_ALAM, "verified", 4)
        await _households(uow, BUJUR_BARAT, "pending", 5)
        for region in (SRI_MENANTI, SRI_MENANTI, BUJUR_BARAT):
            await uow.problem_reports.add(person, "telegram", region, "aplikasi", "Gagal", NOW)
        answered = await uow.problem_reports.add(
            person, "telegram", SRI_MENANTI, "aplikasi", "x", NOW
        )
        await uow.session.execute(
            update(ProblemReport).where(ProblemReport.id == answered).values(status="answered")
        )


@pytest.fixture
async def progress_db(seeded: Database) -> Database:
    await seed_progress(seeded)
    return seeded


def test_counts_add_up_and_round_down() -> None:
    counts = ProgressCounts(register=3, verified=1, updated=0, not_found=1, proposals=2)
    assert (counts.done, counts.pending, counts.done_pct) == (2, 1, 66)
    assert ProgressCounts(register=200, verified=199).done_pct == 99  # never 100 too early
    assert ProgressCounts().done_pct == 0 and ProgressCounts().done_ratio == 0.0
    total = counts + ProgressCounts(register=1, verified=1, reports_open=4)
    assert total == ProgressCounts(4, 2, 0, 1, 2, 4)
    assert region_chain("18.04.19.2006") == ["18", "18.04", "18.04.19", "18.04.19.2006"]


async def test_a_kecamatan_lists_every_village_also_the_empty_ones(progress_db: Database) -> None:
    async with progress_db.unit_of_work() as uow:
        report = await uow.progress.region("18.04.19")
    assert report is not None
    assert (report.name, report.kind, report.level) == ("Air Hitam", "kecamatan", 3)
    assert report.timezone == "Asia/Jakarta"
    by_code = {v.code: v for v in report.villages}
    assert list(by_code) == [SRI_MENANTI, SUMBER_ALAM]
    sri = by_code[SRI_MENANTI]
    assert sri.name == "Sri Menanti"
    assert sri.counts == ProgressCounts(
        register=10, verified=3, updated=2, not_found=1, proposals=2, reports_open=2
    )
    assert (sri.counts.done, sri.counts.pending, sri.counts.done_pct) == (6, 4, 60)
    assert by_code[SUMBER_ALAM].counts == ProgressCounts()
    assert report.total == sri.counts
    # Nothing of another kecamatan or province leaks in.
    assert MUTAR_ALAM not in by_code and BUJUR_BARAT not in by_code


async def test_a_kabupaten_sums_per_kecamatan(progress_db: Database) -> None:
    async with progress_db.unit_of_work() as uow:
        report = await uow.progress.region("18.04")
    assert report is not None
    assert [v.code for v in report.villages] == [MUTAR_ALAM, SRI_MENANTI, SUMBER_ALAM]
    groups = report.groups(3)
    assert [(g.code, g.name, g.villages) for g in groups] == [
        ("18.04.07", "Way Tenong", 1),
        ("18.04.19", "Air Hitam", 2),
    ]
    assert groups[0].counts == ProgressCounts(register=4, verified=4)
    assert groups[1].counts.register == 10
    assert report.total.register == 14 and report.total.done == 10
    assert report.total.reports_open == 2  # Bujur Barat's report is another province's


async def test_a_village_alone_and_unknown_regions(progress_db: Database) -> None:
    async with progress_db.unit_of_work() as uow:
        village = await uow.progress.region(SRI_MENANTI)
        empty = await uow.progress.region(SUMBER_ALAM)
        assert await uow.progress.region("18.99") is None
        assert await uow.progress.region("18.04.19.2006'; --") is None
    assert village is not None and [v.code for v in village.villages] == [SRI_MENANTI]
    assert village.total.register == 10
    assert empty is not None and empty.total == ProgressCounts()
    assert [v.code for v in empty.villages] == [SUMBER_ALAM]


async def test_a_whole_kabupaten_costs_three_queries(progress_db: Database) -> None:
    """Not one query per village: the round trips do not grow with the region."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        if str(args[2]).lstrip().upper().startswith("SELECT"):  # not BEGIN
            statements.append(str(args[2]))

    engine = progress_db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with progress_db.unit_of_work() as uow:
            before = len(statements)
            await uow.progress.region("18")
            used = len(statements) - before
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert used == 3, statements[before:]


async def _deadline(
    uow: UnitOfWork,
    title: str,
    region: str,
    due: dt.datetime,
    cancelled: bool = False,
    recurrence: dict[str, object] | None = None,
) -> None:
    await uow.session.execute(
        insert(Deadline).values(
            title=title,
            region_code=region,
            roles=["operator"],
            due_at=due,
            recurrence=recurrence,
            offsets=[7, 1],
            created_at=NOW,
            updated_at=NOW,
            cancelled_at=NOW if cancelled else None,
        )
    )


async def test_next_deadline_is_the_earliest_around_or_inside(progress_db: Database) -> None:
    day = dt.timedelta(days=1)
    async with progress_db.unit_of_work() as uow:
        await _deadline(uow, "Kabupaten", "18.04", NOW + 20 * day)
        await _deadline(uow, "Desa", SRI_MENANTI, NOW + 5 * day)
        await _deadline(uow, "Way Tenong", "18.04.07", NOW + 2 * day)
        await _deadline(uow, "Dibatalkan", "18.04.19", NOW + day, cancelled=True)
        await _deadline(uow, "Lewat", "18.04", NOW - day)
        await _deadline(uow, "Jawa Timur", "35", NOW + dt.timedelta(hours=1))
        await _deadline(uow, "Tepat sekarang", "18", NOW)  # due_at == now is not "after now"

    async def title(region: str) -> str | None:
        async with progress_db.unit_of_work() as uow:
            found = await next_deadline(uow, region, NOW)
        return found.title if found else None

    assert await title(SRI_MENANTI) == "Desa"
    assert await title("18.04.19") == "Desa"  # a village inside the kecamatan
    assert await title(SUMBER_ALAM) == "Kabupaten"  # not the sibling village's
    assert await title(MUTAR_ALAM) == "Way Tenong"  # its kecamatan's
    assert await title("18.04") == "Way Tenong"  # the earliest inside
    assert await title(BUJUR_BARAT) == "Jawa Timur"
    assert await title("35.28") == "Jawa Timur"
    async with progress_db.unit_of_work() as uow:
        found = await next_deadline(uow, SRI_MENANTI, NOW)
        assert found is not None and found.due_at == NOW + 5 * day
        assert found.due_at.tzinfo is not None
        assert await next_deadline(uow, SRI_MENANTI, NOW + 30 * day) is None
        # A monthly cut-off first due long ago counts with its next occurrence.
        first = NOW - 90 * day
        monthly = {"freq": "monthly", "day": first.astimezone(ZoneInfo("Asia/Jakarta")).day}
        await _deadline(uow, "Bulanan", "18.04.19", first, recurrence=monthly)
        found = await next_deadline(uow, SRI_MENANTI, NOW + 30 * day)
        assert found is not None and found.title == "Bulanan"
        assert NOW + 30 * day < found.due_at <= NOW + 62 * day
        assert found.due_at.astimezone(ZoneInfo("Asia/Jakarta")).time() == (
            first.astimezone(ZoneInfo("Asia/Jakarta")).time()
        )


async def test_one_snapshot_per_village_and_week(progress_db: Database) -> None:
    first, later = NOW, NOW + dt.timedelta(days=2)
    async with progress_db.unit_of_work() as uow:
        assert await uow.progress.snapshot_before("18.04", "2026-W03") is None
        counts = {SRI_MENANTI: ProgressCounts(register=10, verified=3)}
        assert await uow.progress.take_snapshot("2026-W03", counts, first) == 1
        # Planned again later that week (another process, a late recipient): the first stays.
        again = {SRI_MENANTI: ProgressCounts(register=10, verified=7), MUTAR_ALAM: ProgressCounts()}
        assert await uow.progress.take_snapshot("2026-W03", again, later) == 1  # Mutar Alam
        await uow.progress.take_snapshot("2025-W52", {SRI_MENANTI: ProgressCounts(1)}, first)
    async with progress_db.unit_of_work() as uow:
        week3 = await uow.progress.snapshot_before("18.04", "2026-W04")
        year_end = await uow.progress.snapshot_before("18.04.19", "2026-W03")
        elsewhere = await uow.progress.snapshot_before("35.28", "2026-W04")
    assert week3 is not None and week3.week == "2026-W03" and week3.taken_at == first
    assert week3.counts == {SRI_MENANTI: counts[SRI_MENANTI], MUTAR_ALAM: ProgressCounts()}
    assert year_end is not None and year_end.week == "2025-W52"  # across the year boundary
    assert elsewhere is None
