"""Progress of the household updates per village, for a whole region in a few GROUP BY queries.

    report = await uow.progress.region("18.04")        # None when the region is unknown
    report.total.done_pct                               # the kabupaten as a whole
    for village in report.villages: ...                 # every desa/kelurahan, also empty ones
    report.groups(3)                                    # per kecamatan

Three queries whatever the size of the region (households by village, source and status; open
problem reports by village; the region names), so a kabupaten of a hundred villages and 100,000
households costs the same round trips as one village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

from sqlalchemy import func, select

from flows.regions import is_region_code
from storage.models import Household, ProblemReport, ProgressSnapshot, Region
from storage.repos._base import Repository, in_region, require_aware

__all__ = [
    "DONE_STATUSES",
    "GroupProgress",
    "ProgressCounts",
    "ProgressRepository",
    "RegionProgress",
    "UpcomingDeadline",
    "VillageProgress",
    "WeekSnapshot",
    "region_chain",
]

DONE_STATUSES = ("verified", "updated", "not_found")
"""A household of the register counts as done once looked at: verified, updated or found gone."""

VILLAGE_LEVEL = 4


@dataclass(frozen=True, slots=True)
class ProgressCounts:
    """Counts of one village or a sum of villages. ``register`` is the imported households."""

    register: int = 0
    verified: int = 0
    updated: int = 0
    not_found: int = 0
    proposals: int = 0  # new households proposed in the field (not part of the register)
    reports_open: int = 0  # "Lapor kendala" not answered yet

    @property
    def done(self) -> int:
        return self.verified + self.updated + self.not_found

    @property
    def pending(self) -> int:
        """Households of the register still to visit."""
        return max(self.register - self.done, 0)

    @property
    def done_ratio(self) -> float:
        return self.done / self.register if self.register else 0.0

    @property
    def done_pct(self) -> int:
        """Whole percent, rounded down: 100 only when every household is done."""
        return self.done * 100 // self.register if self.register else 0

    def __add__(self, other: ProgressCounts) -> ProgressCounts:
        return ProgressCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(ProgressCounts))
        )


@dataclass(frozen=True, slots=True)
class VillageProgress:
    code: str
    name: str
    counts: ProgressCounts


@dataclass(frozen=True, slots=True)
class GroupProgress:
    """Villages summed up under one region (a kecamatan, a kabupaten)."""

    code: str
    name: str
    counts: ProgressCounts
    villages: int


@dataclass(frozen=True, slots=True)
class RegionProgress:
    code: str
    name: str
    kind: str
    level: int
    timezone: str
    villages: tuple[VillageProgress, ...]
    names: dict[str, str] = field(default_factory=dict)  # every region code in scope -> name

    @property
    def total(self) -> ProgressCounts:
        total = ProgressCounts()
        for village in self.villages:
            total += village.counts
        return total

    def groups(self, level: int) -> list[GroupProgress]:
        """The villages summed per enclosing region of ``level`` (3: kecamatan), by code."""
        sums: dict[str, ProgressCounts] = defaultdict(ProgressCounts)
        sizes: dict[str, int] = defaultdict(int)
        for village in self.villages:
            code = ".".join(village.code.split(".")[:level])
            sums[code] += village.counts
            sizes[code] += 1
        return [
            GroupProgress(code, self.names.get(code, code), sums[code], sizes[code])
            for code in sorted(sums)
        ]


@dataclass(frozen=True, slots=True)
class WeekSnapshot:
    """The villages' counts as stored for one ISO week (``2027-W03``)."""

    week: str
    taken_at: dt.datetime  # when the first of them was taken
    counts: dict[str, ProgressCounts]


@dataclass(frozen=True, slots=True)
class UpcomingDeadline:
    id: int
    title: str
    region_code: str
    due_at: dt.datetime


def region_chain(code: str) -> list[str]:
    """``18.04.19.2006`` -> ``18``, ``18.04``, ``18.04.19``, ``18.04.19.2006``."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


class ProgressRepository(Repository):
    async def region(self, code: str) -> RegionProgress | None:
        """Every village in ``code`` (or ``code`` itself when it is a village) with its counts.

        Villages come from ``regions`` (so those without households are listed with zeros) and
        from the households (a household filed directly under a kecamatan shows as its own row).
        """
        if not is_region_code(code):
            return None
        regions = (
            await self._session.execute(
                select(Region.code, Region.name, Region.level, Region.kind, Region.timezone).where(
                    in_region(Region.code, code)
                )
            )
        ).all()
        scope = next((r for r in regions if r.code == code), None)
        if scope is None:
            return None
        names = {r.code: r.name for r in regions}
        counts: dict[str, dict[str, int]] = {
            r.code: {} for r in regions if r.level == VILLAGE_LEVEL
        }
        households = await self._session.execute(
            select(Household.region_code, Household.source, Household.status, func.count())
            .where(in_region(Household.region_code, code), Household.restricted_at.is_(None))
            .group_by(Household.region_code, Household.source, Household.status)
        )
        for region_code, source, status, count in households:
            village = counts.setdefault(region_code, {})
            if source == "proposal":
                key = "proposals"
            else:
                village["register"] = village.get("register", 0) + int(count)
                if status not in DONE_STATUSES:
                    continue
                key = status
            village[key] = village.get(key, 0) + int(count)
        reports = await self._session.execute(
            select(ProblemReport.region_code, func.count())
            .where(in_region(ProblemReport.region_code, code), ProblemReport.status == "open")
            .group_by(ProblemReport.region_code)
        )
        for region_code, count in reports:
            counts.setdefault(region_code, {})["reports_open"] = int(count)
        villages = tuple(
            VillageProgress(village, names.get(village, village), ProgressCounts(**values))
            for village, values in sorted(counts.items())
        )
        return RegionProgress(
            code=scope.code,
            name=scope.name,
            kind=scope.kind,
            level=scope.level,
            timezone=scope.timezone,
            villages=villages,
            names=names,
        )

    # ---- weekly snapshots (the digest's "since last week") ---------------------------------------

    async def take_snapshot(
        self, week: str, counts: Mapping[str, ProgressCounts], now: dt.datetime
    ) -> int:
        """Store the counts of each village code as its snapshot of ISO ``week`` (``2027-W04``)
        taken at ``now``; a village that has one for that week keeps it. How many were new."""
        taken = require_aware(now)
        rows = [
            {"region_code": code, "week": week, "taken_at": taken, "counts": asdict(value)}
            for code, value in counts.items()
        ]
        if not rows:
            return 0
        stmt = (
            self._upsert_insert(ProgressSnapshot)
            .values(rows)
            .on_conflict_do_nothing(
                index_elements=[ProgressSnapshot.region_code, ProgressSnapshot.week]
            )
            .returning(ProgressSnapshot.id)
        )
        return len((await self._session.execute(stmt)).all())

    async def snapshot_before(self, region_code: str, week: str) -> WeekSnapshot | None:
        """The newest snapshot of the villages in ``region_code`` from a week before ``week``
        (normally the previous week; an older one when no digest was planned that week)."""
        inside = in_region(ProgressSnapshot.region_code, region_code)
        newest: str | None = await self._session.scalar(
            select(func.max(ProgressSnapshot.week)).where(inside, ProgressSnapshot.week < week)
        )
        if newest is None:
            return None
        rows = (
            await self._session.execute(
                select(
                    ProgressSnapshot.region_code, ProgressSnapshot.taken_at, ProgressSnapshot.counts
                ).where(inside, ProgressSnapshot.week == newest)
            )
        ).all()
        known = {f.name for f in fields(ProgressCounts)}
        return WeekSnapshot(
            week=newest,
            taken_at=min(row.taken_at for row in rows),
            counts={
                str(row.region_code): ProgressCounts(
                    **{k: int(v) for k, v in dict(row.counts).items() if k in known}
                )
                for row in rows
            },
        )
