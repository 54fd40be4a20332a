"""Data quality for Dinsos ("Kualitas data"): what to fix in the register of its kabupaten.

Three kinds of findings, each a line of the summary and sheets of the XLSX file:

- **NIK ganda**: a NIK recorded for more than one member, in any household or village (also
  outside the kabupaten: that row shows only the village, with the NIK masked); the placeholder
  NIKs of people without one (``9999999999999995`` ...) never count.
- **NIK tidak cocok**: the birth date or sex encoded in the NIK (DDMMYY, women with 40 added to
  the day) disagrees with the member's recorded birth date or sex.
- **Belum disentuh**: households nobody changed since a date (default: ``untouched_days`` ago):
  counted per village, and listed, the longest untouched first (the bot lists at most
  ``UNTOUCHED_LIST_LIMIT`` so the file stays quick to make and to open on a phone).

NIK and No. KK are shown in full only to the Dinsos user whose area holds the record; everyone
else (admins, rows outside the area) gets them masked. Findings are read inside the update's
unit of work; the workbook is written after the commit, in a worker thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flows.dates import parse_date
from flows.ids import NIK_PLACEHOLDERS, check_nik, mask_nik
from flows.regions import timezone_for
from handlers.kit.context import ROLE_LEVEL, Turn
from handlers.kit.deferred import Deferred, write_atomically
from handlers.kit.i18n import t
from handlers.kit.workbooks import write_sheets
from handlers.messages import Document, Inbound, InboundKind, Reply, Text, Tone
from handlers.progress.view import region_label
from handlers.registers.exports import form_labels
from storage.db import UnitOfWork
from storage.repos.quality import MemberFinding, UntouchedHousehold, UntouchedVillage

__all__ = [
    "QUALITY_ROLES",
    "Mismatch",
    "QualityReport",
    "QualityRequest",
    "gather",
    "parse_request",
    "show",
    "summary",
    "untouched_since",
    "write_quality_xlsx",
]

QUALITY_ROLES = ("dinsos", "admin")
FULL_NIK_ROLES = ("dinsos",)  # an admin runs the system, and sees identifiers masked
WORDS = frozenset({"kualitas", "quality"})
DEFAULT_UNTOUCHED_DAYS = 30
UNTOUCHED_LIST_LIMIT = 10_000  # households listed in the bot's file (counts per village: all)
Labels = Callable[[str, Any], str]


@dataclass(frozen=True, slots=True)
class QualityRequest:
    since: str | None = None  # a date as typed, e.g. "01-10-2026"; None: the default


def parse_request(inbound: Inbound) -> QualityRequest | None:
    """``/kualitas [date]`` or ``kualitas [date]`` typed."""
    if inbound.kind is InboundKind.COMMAND and inbound.command in WORDS:
        return QualityRequest(inbound.args.strip() or None)
    if inbound.kind is InboundKind.TEXT:
        # "kualitas" alone or with a date: not a sentence typed as an answer ("kualitas baik").
        first, _, rest = inbound.text.strip().partition(" ")
        rest = rest.strip()
        if first.lower() in WORDS and (not rest or (rest[0].isdigit() and len(rest) <= 30)):
            return QualityRequest(rest or None)
    return None


@dataclass(frozen=True, slots=True)
class Mismatch:
    finding: MemberFinding
    nik_sex: str | None  # L / P as the NIK encodes it; None when the NIK cannot be read
    nik_birth_date: dt.date | None
    sex_differs: bool
    date_differs: bool
    unreadable: str = ""  # why the NIK cannot be read (its date is not a date, ...)


@dataclass(frozen=True, slots=True)
class QualityReport:
    code: str
    name: str  # e.g. "Kab. Lampung Barat"
    timezone: str
    since: dt.datetime
    duplicates: list[MemberFinding]
    mismatches: list[Mismatch]
    untouched: list[UntouchedHousehold]  # the longest untouched first, maybe not all
    untouched_villages: list[UntouchedVillage]  # every village with untouched households
    names: dict[str, str] = field(default_factory=dict)  # region code -> name, also outside

    @property
    def untouched_total(self) -> int:
        return sum(v.households for v in self.untouched_villages)

    @property
    def duplicate_niks(self) -> int:
        return len({f.nik for f in self.duplicates})

    @property
    def duplicates_across_villages(self) -> int:
        villages: dict[str, set[str]] = {}
        for f in self.duplicates:
            villages.setdefault(f.nik, set()).add(f.region_code)
        return sum(1 for places in villages.values() if len(places) > 1)

    @property
    def sex_mismatches(self) -> int:
        return sum(1 for m in self.mismatches if m.sex_differs)

    @property
    def date_mismatches(self) -> int:
        return sum(1 for m in self.mismatches if m.date_differs or m.unreadable)

    @property
    def empty(self) -> bool:
        return not (self.duplicates or self.mismatches or self.untouched_villages)


def _same_day(a: dt.date, b: dt.date) -> bool:
    """Day, month and two-digit year: the NIK does not say the century."""
    return (a.day, a.month, a.year % 100) == (b.day, b.month, b.year % 100)


def confirm(candidates: Sequence[MemberFinding], lang: str = "id") -> list[Mismatch]:
    """Check each suspect member with the NIK parser; keep the real disagreements."""
    found = []
    for f in candidates:
        check = check_nik(f.nik, lang)
        if check.placeholder:
            continue
        if not check.ok:
            found.append(Mismatch(f, None, None, False, False, check.error or ""))
            continue
        sex_differs = f.sex in ("L", "P") and check.sex is not None and check.sex != f.sex
        date_differs = (
            f.birth_date is not None
            and check.birth_date is not None
            and not _same_day(f.birth_date, check.birth_date)
        )
        if sex_differs or date_differs:
            found.append(Mismatch(f, check.sex, check.birth_date, sex_differs, date_differs))
    return found


async def gather(
    uow: UnitOfWork,
    code: str,
    since: dt.datetime,
    lang: str = "id",
    *,
    untouched_limit: int | None = UNTOUCHED_LIST_LIMIT,
) -> QualityReport | None:
    """Every finding of the region ``code`` (untouched households: the ``untouched_limit``
    longest untouched, all counted per village); None when the region is unknown."""
    region = await uow.regions.get(code)
    if region is None:
        return None
    placeholders = tuple(NIK_PLACEHOLDERS)
    duplicates = await uow.quality.duplicate_niks(code, placeholders)
    candidates = await uow.quality.nik_mismatch_candidates(code, placeholders)
    untouched = await uow.quality.untouched(code, since, untouched_limit)
    untouched_villages = await uow.quality.untouched_per_village(code, since)
    codes = {f.region_code for f in duplicates} | {f.region_code for f in candidates}
    codes |= {v.region_code for v in untouched_villages}
    names = await uow.quality.region_names(codes | {code})
    return QualityReport(
        code=code,
        name=region_label(region.kind, region.name, lang),
        timezone=region.timezone,
        since=since,
        duplicates=duplicates,
        mismatches=confirm(candidates, lang),
        untouched=untouched,
        untouched_villages=untouched_villages,
        names=names,
    )


def _local_date(at: dt.datetime | dt.date, timezone: str) -> dt.date:
    """The calendar day of ``at`` in the region's zone (a date cell in the workbook)."""
    if isinstance(at, dt.datetime):
        return at.astimezone(ZoneInfo(timezone)).date()
    return at


def _local_day(at: dt.datetime | dt.date, timezone: str) -> str:
    return _local_date(at, timezone).strftime("%d-%m-%Y")


def summary(report: QualityReport, lang: str) -> str:
    since = _local_day(report.since, report.timezone)
    if report.empty:
        return t("quality_clean", lang, region=report.name, since=since)
    text = t(
        "quality_summary",
        lang,
        region=report.name,
        niks=report.duplicate_niks,
        rows=len(report.duplicates),
        across=report.duplicates_across_villages,
        sex=report.sex_mismatches,
        born=report.date_mismatches,
        since=since,
        untouched=report.untouched_total,
        villages=len(report.untouched_villages),
    )
    if len(report.untouched) < report.untouched_total:
        text += "\n" + t("quality_untouched_capped", lang, shown=len(report.untouched))
    return text


def _inside(code: str, areas: Sequence[str]) -> bool:
    return any(code == a or code.startswith(a + ".") for a in areas)


def write_quality_xlsx(
    path: Path,
    report: QualityReport,
    lang: str,
    *,
    full_areas: Sequence[str],
    labels: Labels,
) -> Path:
    """Three sheets (duplicates, mismatches, untouched). NIK and No. KK are in full only for
    records inside ``full_areas``; a duplicate outside them shows its village and nothing else."""

    def ident(value: str | None, region_code: str) -> str:
        if not value:
            return ""
        return value if _inside(region_code, full_areas) else mask_nik(value)

    def where(region_code: str) -> list[str]:
        kecamatan = ".".join(region_code.split(".")[:3])
        return [region_code, report.names.get(kecamatan, ""), report.names.get(region_code, "")]

    def status(value: str) -> str:
        return t(f"status_{value}", lang)

    def source(value: str) -> str:
        return t(f"quality_source_{value}", lang)

    def sex(value: str | None) -> str:
        return t(f"quality_sex_{value}", lang) if value in ("L", "P") else ""

    counts: dict[str, int] = {}
    for f in report.duplicates:
        counts[f.nik] = counts.get(f.nik, 0) + 1
    outside = t("quality_outside", lang)
    duplicates = []
    for f in report.duplicates:
        mine = _inside(f.region_code, [report.code])
        duplicates.append(
            [
                ident(f.nik, f.region_code),
                counts[f.nik],
                *where(f.region_code),
                (f.id_dtks or "") if mine else "",
                ident(f.no_kk, f.region_code),
                f.head_name if mine else outside,
                f.name if mine else outside,
                labels("anggota_keluarga.relation", f.relation) if mine else "",
                labels("anggota_keluarga.presence", f.presence) if mine else "",
                status(f.status),
                source(f.source),
            ]
        )
    mismatches = []
    for m in report.mismatches:
        f = m.finding
        found = [t("quality_found_sex", lang)] if m.sex_differs else []
        if m.date_differs:
            found.append(t("quality_found_birth", lang))
        if m.unreadable:
            found.append(m.unreadable)
        mismatches.append(
            [
                *where(f.region_code),
                f.id_dtks or "",
                ident(f.no_kk, f.region_code),
                f.head_name,
                f.name,
                ident(f.nik, f.region_code),
                sex(f.sex),
                sex(m.nik_sex),
                f.birth_date or "",
                m.nik_birth_date or "",
                "; ".join(found),
            ]
        )
    untouched = [
        [
            *where(h.region_code),
            h.id_dtks or "",
            ident(h.no_kk, h.region_code),
            h.head_name,
            h.rt,
            h.rw,
            status(h.status),
            source(h.source),
            _local_date(h.updated_at, report.timezone),
        ]
        for h in report.untouched
    ]
    per_village = [
        [*where(v.region_code), v.households, _local_date(v.oldest, report.timezone)]
        for v in report.untouched_villages
    ]
    titles = t("quality_sheets", lang).split("|")
    headers = [
        t(key, lang).split("|")
        for key in ("quality_dup_cols", "quality_mis_cols", "quality_village_cols")
    ]
    headers.append(t("quality_untouched_cols", lang).split("|"))
    place = t("quality_place_cols", lang).split("|")
    return write_sheets(
        path,
        [
            (titles[0], headers[0][:2] + place + headers[0][2:], duplicates),
            (titles[1], place + headers[1], mismatches),
            (titles[2], place + headers[2], per_village),
            (titles[3], place + headers[3], untouched),
        ],
    )


def _areas(turn: Turn) -> list[str]:
    """The person's Dinsos / admin regions, widest first, without those inside another."""
    roles = sorted(turn.roles(*QUALITY_ROLES), key=lambda r: (ROLE_LEVEL[r.role], r.region_code))
    kept: list[str] = []
    for code in sorted({r.region_code for r in roles}, key=lambda c: (c.count("."), c)):
        if not _inside(code, kept):
            kept.append(code)
    return kept


def untouched_since(
    typed: str | None, now: dt.datetime, days: int, timezone: str, lang: str
) -> dt.datetime | str:
    """The instant "not touched since" means: ``days`` before ``now`` when nothing was typed,
    else the start of the typed day in the region's zone; or an error message to show."""
    if typed is None:
        return now - dt.timedelta(days=days)
    day = parse_date(typed)
    if day is None:
        return t("quality_bad_date", lang, value=typed[:30])
    zone = ZoneInfo(timezone)
    if day > now.astimezone(zone).date():
        return t("quality_future_date", lang)
    return dt.datetime.combine(day, dt.time(), zone)


async def show(
    turn: Turn,
    request: QualityRequest | None = None,
    *,
    exports_dir: Path,
    untouched_days: int = DEFAULT_UNTOUCHED_DAYS,
) -> Reply:
    areas = _areas(turn)
    if not areas:
        return Reply([Text(t("not_allowed", turn.lang, role=t("role_dinsos", turn.lang)))])
    typed = request.since if request else None
    since = untouched_since(typed, turn.now, untouched_days, timezone_for(areas[0]), turn.lang)
    if isinstance(since, str):
        return Reply([Text(since, Tone.ERROR)])
    full_areas = [r.region_code for r in turn.roles(*FULL_NIK_ROLES)]
    labels = form_labels(turn.forms)
    lang = turn.lang
    reply = Reply()
    for code in areas:
        report = await gather(turn.uow, code, since, lang, untouched_limit=UNTOUCHED_LIST_LIMIT)
        if report is None:
            continue
        reply.add(Text(summary(report, lang), Tone.INFO if not report.empty else Tone.SUCCESS))
        if report.empty:
            continue
        stamp = turn.now.astimezone(ZoneInfo(report.timezone)).strftime("%Y%m%d-%H%M%S")
        name = f"kualitas-{code}-{stamp}.xlsx"
        path = exports_dir / f"kualitas-{code}-{stamp}-{turn.me.person_id}.xlsx"
        document = Document(str(path), t("quality_caption", lang, region=report.name), name)
        reply.add(document)
        await turn.uow.processing.add(  # the workbook lists NIKs: a record of processing
            "export",
            turn.now,
            by=turn.me.person_id,
            channel=turn.inbound.channel.value,
            region_code=code,
            detail="kualitas",
        )
        turn.defer(
            Deferred(
                make=_writer(path, report, lang, full_areas, labels),
                message=document,
                fallback=Text(t("quality_failed", lang), Tone.WARNING),
            )
        )
    return reply


def _writer(
    path: Path, report: QualityReport, lang: str, full_areas: list[str], labels: Labels
) -> Callable[[], Path]:
    def make() -> Path:
        return write_atomically(
            path,
            lambda tmp: write_quality_xlsx(tmp, report, lang, full_areas=full_areas, labels=labels),
        )

    return make
