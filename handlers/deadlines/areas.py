"""Where a person meets a deadline's region (their *area*) and how far its villages are:
a village's count, or a wider area's summary with the villages furthest behind."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flows.regions import (
    level_of,
    region_label,
    village_word,
)
from handlers.kit.i18n import t, tn
from locales.formats import number
from storage.db import UnitOfWork
from storage.records import RegionRecord

LAGGARDS_SHOWN = 8


def percent(done: int, total: int) -> int:
    return (100 * done) // total if total else 0


# ---- areas and their progress -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Village:
    code: str
    label: str  # "Pekon Sri Menanti"
    word: str  # "pekon", "desa", "kelurahan"
    done: int
    total: int

    @property
    def has_data(self) -> bool:
        return self.total > 0

    @property
    def finished(self) -> bool:
        """Every imported household verified, updated or found gone."""
        return self.total > 0 and self.done >= self.total

    def lag_key(self) -> tuple[bool, int, int, str]:
        """Furthest behind first: lowest share done, then most households left."""
        return (
            not self.has_data,
            percent(self.done, self.total),
            self.done - self.total,
            self.label,
        )


@dataclass(frozen=True, slots=True)
class Area:
    """What one person oversees inside a deadline's region: a village or a wider region."""

    code: str
    label: str
    villages: tuple[Village, ...]

    @property
    def is_village(self) -> bool:
        return level_of(self.code) == 4

    @property
    def without_data(self) -> list[Village]:
        """Villages whose register was never loaded: not finished (nobody could start)."""
        return [v for v in self.villages if not v.has_data]

    @property
    def finished(self) -> bool:
        """Every village finished; one without data is not (Dinsos still has to load it)."""
        return bool(self.villages) and all(v.finished for v in self.villages)

    @property
    def unfinished(self) -> list[Village]:
        """Villages not finished, furthest behind first, those without data last."""
        return sorted((v for v in self.villages if not v.finished), key=Village.lag_key)

    @property
    def behind(self) -> list[Village]:
        """Villages with data that did not finish, furthest behind first."""
        return [v for v in self.unfinished if v.has_data]

    @property
    def done(self) -> int:
        return sum(v.done for v in self.villages)

    @property
    def total(self) -> int:
        return sum(v.total for v in self.villages)

    def village_word(self, lang: str) -> str:
        """The villages' word: "pekon", or "pekon/kelurahan" where both kinds are found."""
        words = sorted({v.word for v in self.villages}, key=lambda w: (w == "kelurahan", w))
        return "/".join(words) if words else t("villages_word", lang)


class RegionBook:
    """The regions and household progress of one deadline's region, loaded once."""

    def __init__(
        self,
        region_code: str,
        regions: Sequence[RegionRecord],
        progress: Mapping[str, tuple[int, int]],
    ) -> None:
        self.region_code = region_code
        self.regions = {r.code: r for r in regions}
        self.progress = progress

    @classmethod
    async def load(cls, uow: UnitOfWork, region_code: str) -> RegionBook:
        regions = await uow.regions.within(region_code)
        report = await uow.progress.region(region_code)
        progress = {
            v.code: (v.counts.done, v.counts.register) for v in (report.villages if report else ())
        }
        return cls(region_code, regions, progress)

    def label(self, code: str) -> str:
        region = self.regions.get(code)
        return region_label(code, region.name, region.kind) if region else code

    def area(self, role_region: str) -> Area:
        """Where ``role_region`` and the book's region meet (the deeper of the two)."""
        inside = role_region.startswith(self.region_code + ".")
        code = role_region if inside else self.region_code
        villages = []
        for region in self.regions.values():
            if region.level == 4 and (region.code == code or region.code.startswith(code + ".")):
                done, total = self.progress.get(region.code, (0, 0))
                label = region_label(region.code, region.name, region.kind)
                word = village_word(region.code, region.kind)
                villages.append(Village(region.code, label, word, done, total))
        villages.sort(key=lambda v: v.code)
        return Area(code, self.label(code), tuple(villages))


def areas_of(roles: Iterable[tuple[str, str]], book: RegionBook) -> list[Area]:
    """The distinct areas of a person's (role, region) pairs, widest first."""
    found: dict[str, Area] = {}
    for _role, region in roles:
        area = book.area(region)
        if not any(area.code == c or area.code.startswith(c + ".") for c in found):
            for code in [c for c in found if c.startswith(area.code + ".")]:
                del found[code]
            found[area.code] = area
    return sorted(found.values(), key=lambda a: (level_of(a.code), a.code))


def area_lines(area: Area, lang: str, *, laggards: int = LAGGARDS_SHOWN) -> list[str]:
    """A village's count, or a wider area's summary with its villages furthest behind."""
    if area.is_village:
        return [_village_line(area.villages[0] if area.villages else None, area.label, lang)]
    word = area.village_word(lang)
    lines = [
        t(
            "area_summary",
            lang,
            area=area.label,
            finished=sum(v.finished for v in area.villages),
            villages=len(area.villages),
            word=word,
            done=number(area.done, lang),
            total=number(area.total, lang),
            pct=percent(area.done, area.total),
        )
    ]
    behind = area.behind
    if behind and laggards:
        lines.append(t("laggards_title", lang))
        lines += [laggard_line(v, lang) for v in behind[:laggards]]
        if len(behind) > laggards:
            lines.append(t("more_villages", lang, n=len(behind) - laggards))
    if area.without_data:
        lines.append(no_data_line(area, lang, max(laggards, 3)))
    return lines


def no_data_line(area: Area, lang: str, shown: int) -> str:
    """``9 pekon belum ada data keluarga: Pekon Sidodadi, …, … dan 6 lainnya``."""
    missing = area.without_data
    names = ", ".join(v.label for v in missing[:shown])
    if len(missing) > shown:
        names += " " + t("more_villages", lang, n=len(missing) - shown)
    return t("area_no_data", lang, n=len(missing), word=area.village_word(lang), names=names)


def _village_line(village: Village | None, label: str, lang: str) -> str:
    if village is None or not village.has_data:
        return t("village_no_data", lang, village=label)
    return tn(
        "progress_line",
        village.total,
        lang,
        name=village.label,
        done=number(village.done, lang),
        total=number(village.total, lang),
        pct=percent(village.done, village.total),
    )


def laggard_line(village: Village, lang: str) -> str:
    return t(
        "laggard_line",
        lang,
        village=village.label,
        done=number(village.done, lang),
        total=number(village.total, lang),
        pct=percent(village.done, village.total),
    )
