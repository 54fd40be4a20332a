"""The demo database: Kab. Lampung Barat, two kecamatan, households and ready-made people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.regions import load_regions
from handlers.deadlines import model as deadlines
from handlers.kit.timing import local_instant
from handlers.registers.importer import import_register
from storage.db import Database, UnitOfWork

DEMO_REGIONS = ("18.04.19", "18.04.07")  # Kec. Air Hitam and Kec. Way Tenong
SRI_MENANTI = "18.04.19.2006"
DEMO_FILES = ("households_sri_menanti.csv", "households_sukananti.csv")
DEMO_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True, slots=True)
class DemoPerson:
    external_id: str
    name: str
    role: str
    region: str


DEMO_PEOPLE = (
    DemoPerson("demo-operator", "Operator Demo", "operator", SRI_MENANTI),
    DemoPerson("demo-peratin", "Peratin Demo", "peratin", SRI_MENANTI),
    DemoPerson("demo-camat", "Camat Demo", "camat", "18.04.19"),
    DemoPerson("demo-dinsos", "Dinsos Demo", "dinsos", "18.04"),
)


async def load_register_csv(
    uow: UnitOfWork, path: Path, now: datetime, region: str = "18.04"
) -> int:
    """Load a register file through the household importer; the number of households added."""
    report = await import_register(uow, path, region, now)
    if not report.ok:
        raise ValueError(report.text())
    return report.households_added


async def seed(db: Database, now: datetime, consent_version: str) -> dict[str, int]:
    """Fill an empty, migrated database with the demo data. Returns what was created."""
    async with db.unit_of_work() as uow:
        if await uow.regions.count() > 0:
            raise RuntimeError("the demo database is not empty; use --reset to start over")
        regions = 0
        for prefix in DEMO_REGIONS:
            regions += await load_regions(uow, prefix)
        households = 0
        demo_dir = resources.files("bot") / "demo"
        for name in DEMO_FILES:
            with resources.as_file(demo_dir / name) as path:
                households += await load_register_csv(uow, path, now)
        for person in DEMO_PEOPLE:
            person_id = await uow.people.create(person.name, "id", now)
            await uow.people.add_identity(
                person_id, "console", person.external_id, person.name, now
            )
            await uow.people.assign_role(person_id, person.role, person.region, now)
            await uow.people.set_consent(person_id, consent_version, now)
        # A deadline ten days ahead at 16:00 WIB, so /tenggat has something to show.
        due_date = (now + timedelta(days=10)).astimezone(DEMO_ZONE).date()
        draft = deadlines.Draft(
            "Ekspor DTKS",
            local_instant(due_date, time(16, 0), "Asia/Jakarta"),
            "18.04",
            ("operator", "peratin"),
            note="Ekspor lewat menu Data Final di SIKS-NG.",
        )
        await deadlines.create(uow, draft, by=None, channel="cli", now=now)
    return {"regions": regions, "households": households, "people": len(DEMO_PEOPLE)}
