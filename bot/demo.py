"""The demo database: Kab. Lampung Barat, two kecamatan, households and ready-made people."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from bot.regions import load_regions
from storage.db import Database, UnitOfWork

DEMO_REGIONS = ("18.04.19", "18.04.07")  # Kec. Air Hitam and Kec. Way Tenong
SRI_MENANTI = "18.04.19.2006"
DEMO_FILES = ("households_sri_menanti.csv", "households_sukananti.csv")


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

_SEX = {"laki-laki": "L", "perempuan": "P", "l": "L", "p": "P"}
_RELATION = {
    "kepala keluarga": "kepala_keluarga",
    "istri/suami": "istri_suami",
    "anak": "anak",
    "menantu": "menantu",
    "cucu": "cucu",
    "orang tua/mertua": "orang_tua",
}


def _birth_date(text: str) -> date | None:
    try:
        day, month, year = (int(part) for part in text.strip().split("-"))
        return date(year, month, day)
    except ValueError:
        return None


async def load_register_csv(uow: UnitOfWork, path: Path, now: datetime) -> int:
    """Load a well-formed register file (one row per person, grouped by No. KK).

    Only for the demo's own files; registers from the field go through the household importer.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    families: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        families.setdefault(row["NOKK"], []).append(row)
    for no_kk, members in families.items():
        head = next(
            (m for m in members if m["HUBUNGAN_KELUARGA"].lower() == "kepala keluarga"), members[0]
        )
        programmes = {key.lower(): head[key] == "Ya" for key in ("PKH", "BPNT", "PBI")}
        household_id = await uow.households.add(
            head["KODE_WILAYAH"],
            head["NAMA"],
            no_kk,
            head["IDSEMESTA"],
            head["ALAMAT"],
            head["RT"],
            head["RW"],
            data={"programmes": programmes},
            now=now,
        )
        for position, member in enumerate(members, 1):
            await uow.households.add_member(
                household_id,
                position,
                member["NAMA"],
                member["NIK"],
                _RELATION.get(member["HUBUNGAN_KELUARGA"].lower(), "lainnya"),
                _SEX.get(member["JENIS_KELAMIN"].lower()),
                _birth_date(member["TANGGAL_LAHIR"]),
                idsemesta=member["IDSEMESTA"],
            )
    return len(families)


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
    return {"regions": regions, "households": households, "people": len(DEMO_PEOPLE)}
