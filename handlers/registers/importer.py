"""Importing a village's DTKS/DTSEN register (CSV or XLSX, one row per person) into households.

    report = await import_file(db, Path("dtks.xlsx"), "18.04.19.2006", now, person_id=1)
    if not report.ok:
        print(report.text())          # every bad row: row number, column, what is wrong, example

The file is read and checked completely first (:mod:`handlers.registers.reading`, in a worker
thread, outside any unit of work); when any row is bad nothing is written. Then it is written in
batches of :data:`BATCH_FAMILIES` households, each batch its own short transaction, so the chat
keeps answering while 300,000 rows go in (``bench/import_load.py``). A crash between batches
leaves the batches before it written: importing the same file again completes it, because a
re-import updates instead of duplicating: households match on No. KK within the region, members
on NIK (placeholders excluded) or IDSEMESTA.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from flows.ids import is_placeholder
from handlers.kit.i18n import t, tn
from handlers.registers.reading import (
    ImportLimits,
    RegisterFile,
    RegisterRow,
    RowError,
    _both,
    read_register,
)
from storage.db import Database, UnitOfWork
from storage.models import Household, Member
from storage.records import HouseholdRecord, MemberRecord
from storage.repos._base import in_region

__all__ = [
    "BATCH_FAMILIES",
    "ImportLimits",
    "ImportReport",
    "RegisterRow",
    "RowError",
    "import_file",
    "import_register",
    "read_register",
]

MAX_ERRORS_SHOWN = 50
BATCH_FAMILIES = 100  # households per transaction: each holds SQLite's writer for ~0.1 s


@dataclass(slots=True)
class ImportReport:
    file: str
    region: str
    rows: int = 0
    households_added: int = 0
    households_updated: int = 0
    members_added: int = 0
    members_updated: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ones (see ImportLimits)
    error_count: int = 0  # every error found, kept or not
    bad_rows: int = 0  # rows with at least one error

    @property
    def ok(self) -> bool:
        return not self.errors

    def refuse(self, error: RowError) -> None:
        """A file-level error (the whole file is refused)."""
        self.errors.append(error)
        self.error_count += 1

    def text(self, lang: str = "id") -> str:
        """A summary for the person who imported (Bahasa Indonesia, or English)."""
        if self.ok:
            return t(
                "imp_done",
                lang,
                file=self.file,
                region=self.region,
                rows=tn("imp_rows", self.rows, lang),
                households_added=tn("imp_households_added", self.households_added, lang),
                households_updated=tn("imp_households_updated", self.households_updated, lang),
                members_added=tn("imp_members_added", self.members_added, lang),
                members_updated=tn("imp_members_updated", self.members_updated, lang),
            )
        bad_rows = max(self.bad_rows, len({e.row for e in self.errors}))
        head = tn("imp_cancelled", bad_rows, lang, file=self.file)
        shown = self.errors[:MAX_ERRORS_SHOWN]
        lines = [head, *("• " + e.text(lang) for e in shown)]
        more = max(self.error_count, len(self.errors)) - len(shown)
        if more > 0:
            lines.append(tn("imp_more_errors", more, lang))
        return "\n".join(lines)


# ---- checking --------------------------------------------------------------------------------


def _group(rows: Sequence[RegisterRow]) -> dict[tuple[str, str], list[RegisterRow]]:
    families: dict[tuple[str, str], list[RegisterRow]] = {}
    for row in rows:
        families.setdefault((row.region_code, row.no_kk), []).append(row)
    return families


def _match(existing: Sequence[MemberRecord], row: RegisterRow) -> MemberRecord | None:
    for member in existing:
        if not is_placeholder(row.nik) and member.nik == row.nik:
            return member
        if row.idsemesta and member.idsemesta == row.idsemesta:
            return member
    return None


def _take(report: ImportReport, found: RegisterFile) -> None:
    report.rows = found.data_rows
    report.errors.extend(found.errors)
    report.error_count += found.error_count
    report.bad_rows += found.bad_rows


async def _check_regions(
    uow: UnitOfWork, report: ImportReport, rows: Sequence[RegisterRow]
) -> None:
    """Every village code of the file is known to Kawal (one error per unknown code)."""
    for code in sorted({row.region_code for row in rows}):
        if await uow.regions.get(code) is None:
            first = next(row.row for row in rows if row.region_code == code)
            report.refuse(RowError(first, "KODE_WILAYAH", *_both("imp_village_unknown", code=code)))
    if not rows and not report.errors:
        report.refuse(RowError(0, "", *_both("imp_no_rows")))
    report.errors.sort(key=lambda e: e.row)


async def _region_known(uow: UnitOfWork, report: ImportReport) -> bool:
    if await uow.regions.get(report.region) is None:
        report.refuse(RowError(0, "", *_both("imp_region_missing", region=report.region)))
        return False
    return True


# ---- the two ways in -----------------------------------------------------------------------


async def import_file(
    db: Database,
    path: Path,
    region: str,
    now: dt.datetime,
    *,
    limits: ImportLimits | None = None,
    person_id: int | None = None,
    channel: str | None = None,
    apply: bool = True,
    file_name: str | None = None,
) -> ImportReport:
    """Check the whole file in a worker thread, then (only when every row is good, and
    ``apply``) write it in short transactions of :data:`BATCH_FAMILIES` households.

    ``file_name`` is the name the sender gave the file (a received file is stored under a name
    of the channel's choosing); the report and the audit use it."""
    report = ImportReport(file_name or path.name, region)
    if not await db.run(lambda uow: _region_known(uow, report)):
        return report
    found = await asyncio.to_thread(read_register, path, region, limits)
    _take(report, found)
    rows = found.rows
    await db.run(lambda uow: _check_regions(uow, report, rows))
    if report.errors or not apply:
        return report
    families = list(_group(rows).items())
    for start in range(0, len(families), BATCH_FAMILIES):
        batch = families[start : start + BATCH_FAMILIES]
        last = start + BATCH_FAMILIES >= len(families)

        async def write(uow: UnitOfWork, batch: Any = batch, last: bool = last) -> None:
            await _apply_batch(uow, report, batch, now, person_id)
            if last:
                await _audit(uow, report, path, now, person_id, channel)

        # On SQLite a batch runs on the database thread: the event loop keeps serving.
        await db.run(write, offload=True)
    return report


async def import_register(
    uow: UnitOfWork,
    path: Path,
    region: str,
    now: dt.datetime,
    *,
    limits: ImportLimits | None = None,
    person_id: int | None = None,
    channel: str | None = None,
    apply: bool = True,
    file_name: str | None = None,
) -> ImportReport:
    """:func:`import_file` inside the caller's unit of work (one transaction; the file is read
    in it): for small files and callers that hold a transaction already (the demo seed)."""
    report = ImportReport(file_name or path.name, region)
    if not await _region_known(uow, report):
        return report
    found = read_register(path, region, limits)
    _take(report, found)
    await _check_regions(uow, report, found.rows)
    if report.errors or not apply:
        return report
    await _apply_batch(uow, report, list(_group(found.rows).items()), now, person_id)
    await _audit(uow, report, path, now, person_id, channel)
    return report


# ---- applying ------------------------------------------------------------------------------


async def _apply_batch(
    uow: UnitOfWork,
    report: ImportReport,
    families: Sequence[tuple[tuple[str, str], list[RegisterRow]]],
    now: dt.datetime,
    person_id: int | None,
) -> None:
    """Write ``families``; one query finds which of their No. KK the region holds already."""
    numbers = [no_kk for (_, no_kk), _ in families]
    known: dict[tuple[str, str], int] = {}
    for chunk in range(0, len(numbers), 500):
        found = await uow.session.execute(
            select(Household.id, Household.region_code, Household.no_kk).where(
                in_region(Household.region_code, report.region),
                Household.no_kk.in_(numbers[chunk : chunk + 500]),
            )
        )
        known.update({(code, no_kk): household_id for household_id, code, no_kk in found})
    for (code, no_kk), family in families:
        household_id = known.get((code, no_kk))
        record = await uow.households.get(household_id) if household_id is not None else None
        existing = [record] if record is not None else []
        await _apply_family(uow, report, code, no_kk, family, existing, now, person_id)


async def _audit(
    uow: UnitOfWork,
    report: ImportReport,
    path: Path,
    now: dt.datetime,
    person_id: int | None,
    channel: str | None,
) -> None:
    await uow.audit.add(
        "register.imported",
        "region",
        report.region,
        now,
        person_id=person_id,
        channel=channel,
        region_code=report.region,
        after={
            "file": report.file,
            "stored_as": str(path),
            "rows": report.rows,
            "households_added": report.households_added,
            "households_updated": report.households_updated,
            "members_added": report.members_added,
            "members_updated": report.members_updated,
        },
    )


async def _apply_family(
    uow: UnitOfWork,
    report: ImportReport,
    code: str,
    no_kk: str,
    family: list[RegisterRow],
    existing: list[HouseholdRecord],
    now: dt.datetime,
    person_id: int | None,
) -> None:
    head = next((r for r in family if r.relation == "kepala_keluarga"), family[0])
    id_dtks = head.id_dtks or head.idsemesta
    programmes = head.programmes
    data: dict[str, Any] = dict(existing[0].data or {}) if existing else {}
    if programmes is not None:
        data["programmes"] = list(programmes) or ["tidak_ada"]
    if existing:
        household = existing[0]
        values: dict[str, Any] = {
            "head_name": head.name,
            "address": head.address or household.address,
            "rt": head.rt or household.rt,
            "rw": head.rw or household.rw,
            "data": data,
        }
        if any(getattr(household, k) != v for k, v in values.items()):
            await uow.households.update_fields(household.id, values, person_id, now)
        report.households_updated += 1
        household_id, members = household.id, list(household.members)
    else:
        household_id = await uow.households.add(
            code,
            head.name,
            no_kk,
            id_dtks,
            head.address,
            head.rt,
            head.rw,
            data=data,
            now=now,
        )
        report.households_added += 1
        members = []
    position = max((m.position for m in members), default=0)
    new_members: list[dict[str, Any]] = []
    for row in family:
        fields: dict[str, Any] = {
            "name": row.name,
            "nik": row.nik,
            "relation": row.relation,
            "sex": row.sex,
            "birth_date": row.birth_date,
            "idsemesta": row.idsemesta,
        }
        if row.marital_status:
            fields["marital_status"] = row.marital_status
        match = _match(members, row)
        if match is not None:
            if any(getattr(match, k) != v for k, v in fields.items()):
                await uow.households.update_member(match.id, fields)
            report.members_updated += 1  # matched: updated where anything differed
            continue
        position += 1
        fields.setdefault("marital_status", None)
        new_members.append(
            {"household_id": household_id, "position": position, "data": {}, **fields}
        )
        report.members_added += 1
    if new_members:  # one multi-row INSERT per family instead of one statement per person
        await uow.session.execute(insert(Member), new_members)
