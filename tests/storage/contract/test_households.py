"""Households and members: add, get, scoped search, status and fields, on every path."""

from __future__ import annotations

import datetime as dt

import pytest

from storage.db import Database, UnitOfWork
from storage.records import HouseholdRecord, MemberHit
from tests.storage.conftest import BUJUR_BARAT, MUTAR_ALAM, SRI_MENANTI, SUMBER_ALAM
from tests.storage.contract.conftest import Unit

KK_BUDI = "1804190101100001"
NIK_BUDI = "1804190101800001"
NIK_SARI = "1804195506850002"


async def _populate(unit: Unit, now: dt.datetime) -> dict[str, int]:
    async def add(uow: UnitOfWork) -> dict[str, int]:
        budi = await uow.households.add(
            SRI_MENANTI,
            "Budi Santoso",
            KK_BUDI,
            "DTKS-001",
            "Dusun I",
            "001",
            "002",
            data={"housing": {"floor": "Semen/bata merah"}, "programmes": ["PKH"]},
            now=now,
        )
        await uow.households.add_member(
            budi, 2, "Sari Wulandari", NIK_SARI, "Istri/suami", "P", dt.date(1985, 6, 15)
        )
        await uow.households.add_member(
            budi,
            1,
            "Budi Santoso",
            NIK_BUDI,
            "Kepala keluarga",
            "L",
            dt.date(1980, 1, 1),
            idsemesta="SEM-1",
            marital_status="Kawin",
            data={"job": "Petani"},
        )
        ani = await uow.households.add(
            SRI_MENANTI, "Ani Lestari", None, None, "Dusun II", "003", "001", now=now
        )
        await uow.households.add_member(ani, 1, "Ani Lestari", None, "Kepala keluarga", "P", None)
        await uow.households.add_member(
            ani, 2, "Joko 100%_Santoso", None, "Anak", "L", None, presence="pindah"
        )
        other_desa = await uow.households.add(
            SUMBER_ALAM, "Budiman", None, None, "", "", "", status="verified", now=now
        )
        other_kec = await uow.households.add(
            MUTAR_ALAM, "Santoso Budi", "1804070101100009", None, "", "", "", now=now
        )
        madura = await uow.households.add(
            BUJUR_BARAT, "Budi Madura", KK_BUDI, None, "", "", "", source="proposal", now=now
        )
        return {
            "budi": budi,
            "ani": ani,
            "other_desa": other_desa,
            "other_kec": other_kec,
            "madura": madura,
        }

    return await unit(add)


async def test_add_and_get(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    ids = await _populate(unit, now)

    async def get(uow: UnitOfWork) -> HouseholdRecord | None:
        household = await uow.households.get(ids["budi"])
        assert await uow.households.get(99999) is None
        return household

    household = await unit(get)
    assert household is not None
    assert household.region_code == SRI_MENANTI
    assert (household.no_kk, household.id_dtks) == (KK_BUDI, "DTKS-001")
    assert (household.address, household.rt, household.rw) == ("Dusun I", "001", "002")
    assert (household.status, household.source) == ("pending", "import")
    assert household.data == {"housing": {"floor": "Semen/bata merah"}, "programmes": ["PKH"]}
    assert household.created_at == household.updated_at == now
    assert household.updated_by is None
    assert [m.name for m in household.members] == ["Budi Santoso", "Sari Wulandari"]
    head = household.members[0]
    assert (head.position, head.nik, head.sex, head.birth_date) == (
        1,
        NIK_BUDI,
        "L",
        dt.date(1980, 1, 1),
    )
    assert (head.idsemesta, head.marital_status, head.presence) == ("SEM-1", "Kawin", "tinggal")
    assert head.data == {"job": "Petani"}
    assert household.members[1].data == {}
    assert household.members[1].idsemesta is None


@pytest.mark.parametrize(
    ("prefix", "query", "expected"),
    [
        (SRI_MENANTI, "budi", ["budi"]),
        (SRI_MENANTI, "  SANTOSO ", ["budi", "ani"]),  # head name, and a member's name
        (SRI_MENANTI, "wulan", ["budi"]),  # member name only
        (SRI_MENANTI, NIK_SARI, ["budi"]),  # exact NIK of a member
        (SRI_MENANTI, NIK_SARI[:10], []),  # NIK matches only exactly
        (SRI_MENANTI, KK_BUDI, ["budi"]),  # No. KK, and never the Madura household
        (SRI_MENANTI, "100%_", ["ani"]),  # LIKE wildcards are literal
        (SRI_MENANTI, "%", ["ani"]),  # a literal "%" in a member's name
        (SRI_MENANTI, "b_di", []),  # "_" is no wildcard
        (SRI_MENANTI, "bu%so", []),  # "%" is no wildcard
        (SRI_MENANTI, "10/0", []),  # nor the escape character ("100%_" is no match)
        (SRI_MENANTI, "   ", []),
        ("18.04.19", "budi", ["budi", "other_desa"]),
        ("18.04", "budi", ["budi", "other_desa", "other_kec"]),
        ("18", KK_BUDI, ["budi"]),
        ("35", "budi", ["madura"]),
        (BUJUR_BARAT, "sari", []),
    ],
)
async def test_search_is_scoped(
    seeded: Database,
    unit: Unit,
    now: dt.datetime,
    prefix: str,
    query: str,
    expected: list[str],
) -> None:
    ids = await _populate(unit, now)
    names = {v: k for k, v in ids.items()}
    found = await unit(lambda uow: uow.households.search(prefix, query))
    assert sorted(names[h.id] for h in found) == sorted(expected)
    assert all(h.region_code == prefix or h.region_code.startswith(prefix + ".") for h in found)


async def test_search_limit_order_and_members(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    ids = await _populate(unit, now)

    async def search(uow: UnitOfWork) -> None:
        found = await uow.households.search("18", "s", limit=2)
        assert [h.head_name for h in found] == ["Ani Lestari", "Budi Santoso"]
        assert [len(h.members) for h in found] == [2, 2]
        assert found[1].id == ids["budi"]
        with pytest.raises(ValueError, match="region code"):
            await uow.households.search("", "budi")
        with pytest.raises(ValueError, match="region code"):
            await uow.households.search("18.04%", "budi")

    await unit(search)


async def test_pending_and_counts(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    ids = await _populate(unit, now)

    async def work(uow: UnitOfWork) -> None:
        pending = await uow.households.pending(SRI_MENANTI, 0, 10)
        assert [h.id for h in pending] == [ids["ani"], ids["budi"]]
        assert [h.id for h in await uow.households.pending(SRI_MENANTI, 1, 10)] == [ids["budi"]]
        assert [h.id for h in await uow.households.pending(SRI_MENANTI, 0, 1)] == [ids["ani"]]
        assert await uow.households.pending(SUMBER_ALAM, 0, 10) == []
        assert await uow.households.count_by_status(SRI_MENANTI) == {
            "pending": 2,
            "verified": 0,
            "updated": 0,
            "proposed": 0,
            "not_found": 0,
        }
        counts = await uow.households.count_by_status("18.04")
        assert (counts["pending"], counts["verified"]) == (3, 1)
        assert (await uow.households.count_by_status("35"))["pending"] == 1

    await unit(work)


async def test_set_status_and_update_fields(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    ids = await _populate(unit, now)
    later = now + dt.timedelta(hours=1)

    async def work(uow: UnitOfWork) -> tuple[int, HouseholdRecord | None]:
        operator = await uow.people.create("Operator", "id", now)
        before = await uow.households.get(ids["budi"])
        assert before is not None
        assert await uow.households.set_status(ids["budi"], "verified", operator, later)
        assert not await uow.households.set_status(99999, "verified", operator, later)
        with pytest.raises(ValueError, match="status"):
            await uow.households.set_status(ids["budi"], "done", operator, later)
        assert await uow.households.update_fields(
            ids["budi"],
            {"rt": "004", "address": "Dusun III", "data": {"housing": {"floor": "Keramik"}}},
            operator,
            later,
        )
        with pytest.raises(ValueError, match="region_code"):
            await uow.households.update_fields(ids["budi"], {"region_code": "35"}, operator, later)
        return operator, await uow.households.get(ids["budi"])

    operator, after = await unit(work)
    assert after is not None
    assert (after.status, after.rt, after.rw, after.address) == (
        "verified",
        "004",
        "002",
        "Dusun III",
    )
    assert after.data == {"housing": {"floor": "Keramik"}}
    assert (after.updated_at, after.updated_by, after.created_at) == (later, operator, now)
    counts = await unit(lambda uow: uow.households.count_by_status(SRI_MENANTI))
    assert (counts["pending"], counts["verified"]) == (1, 1)


async def test_update_member(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    ids = await _populate(unit, now)

    async def work(uow: UnitOfWork) -> HouseholdRecord | None:
        household = await uow.households.get(ids["ani"])
        assert household is not None
        child = household.members[1]
        assert await uow.households.update_member(child.id, {"presence": "tinggal", "nik": "x"})
        assert await uow.households.update_member(child.id, {})
        assert not await uow.households.update_member(99999, {"presence": "meninggal"})
        with pytest.raises(ValueError, match="household_id"):
            await uow.households.update_member(child.id, {"household_id": ids["budi"]})
        return await uow.households.get(ids["ani"])

    household = await unit(work)
    assert household is not None
    assert (household.members[1].presence, household.members[1].nik) == ("tinggal", "x")


async def test_find_by_kk_and_nik(seeded: Database, unit: Unit, now: dt.datetime) -> None:
    ids = await _populate(unit, now)

    async def work(uow: UnitOfWork) -> list[MemberHit]:
        assert [h.id for h in await uow.households.find_by_kk(KK_BUDI)] == [
            ids["budi"],
            ids["madura"],
        ]
        assert [h.id for h in await uow.households.find_by_kk(KK_BUDI, "35")] == [ids["madura"]]
        assert await uow.households.find_by_kk("0000") == []
        hits = await uow.households.find_members_by_nik(NIK_SARI)
        assert await uow.households.find_members_by_nik(NIK_SARI, "35") == []
        assert await uow.households.find_members_by_nik("1") == []
        return hits

    hits = await unit(work)
    assert len(hits) == 1
    hit = hits[0]
    assert isinstance(hit, MemberHit)
    member, household_id, region_code = hit
    assert (member.name, household_id, region_code) == ("Sari Wulandari", ids["budi"], SRI_MENANTI)
    assert member.birth_date == dt.date(1985, 6, 15)


async def test_unknown_status_or_source_refused(
    seeded: Database, unit: Unit, now: dt.datetime
) -> None:
    async def work(uow: UnitOfWork) -> None:
        with pytest.raises(ValueError, match="status"):
            await uow.households.add(SRI_MENANTI, "X", None, None, "", "", "", "done", now=now)
        with pytest.raises(ValueError, match="source"):
            await uow.households.add(SRI_MENANTI, "X", None, None, "", "", "", source="x", now=now)

    await unit(work)
