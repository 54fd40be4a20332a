"""Repository queries of issue 15's form checks: idle sessions closed in bulk, where a household
lies now, and whether a No. KK or NIK exists outside a region (yes or no, nothing more)."""

from __future__ import annotations

import datetime as dt

from storage.db import Database
from tests.storage.conftest import BUJUR_BARAT, SRI_MENANTI, SUMBER_ALAM

DAY = dt.timedelta(days=1)
KK = "1804191611200001"
NIK = "1804072704900258"


async def test_idle_open_sessions_expire_the_rest_stay(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        person = await uow.people.create("Operator", "id", now)
        other = await uow.people.create("Operator 2", "id", now)
        old = await uow.sessions.create(person, "usulan_baru", 1, None, {"n": 1}, "telegram", now)
        done = await uow.sessions.create(other, "usulan_baru", 1, None, {}, "telegram", now)
        await uow.sessions.save(done, "completed", {}, "telegram", now)
        waiting = await uow.sessions.create(
            other, "tenggat", 1, None, {}, "telegram", now + DAY, status="waiting"
        )
        fresh = await uow.sessions.create(
            person, "lapor_kendala", 1, None, {}, "whatsapp", now + 2 * DAY
        )

    later = now + 8 * DAY
    async with seeded.unit_of_work() as uow:
        # idle since (at or before) now + 1 day: the first two open ones; the closed one stays
        assert await uow.sessions.expire_idle(now + DAY, later) == 2
        assert await uow.sessions.expire_idle(now + DAY, later) == 0
        found = {s: await uow.sessions.get(s) for s in (old, done, waiting, fresh)}
    statuses = {s: r.status for s, r in found.items() if r is not None}
    assert statuses == {old: "expired", done: "completed", waiting: "expired", fresh: "active"}
    expired = found[old]
    assert expired is not None
    assert (expired.state, expired.channel, expired.updated_at) == ({"n": 1}, "telegram", later)


async def test_region_of_a_household_follows_a_move(seeded: Database, now: dt.datetime) -> None:
    async with seeded.unit_of_work() as uow:
        household = await uow.households.add(SRI_MENANTI, "Agus", KK, None, "", "", "", now=now)
        assert await uow.households.region_of(household) == SRI_MENANTI
        assert await uow.households.region_of(household + 1000) is None


async def test_kk_and_nik_outside_a_region_answer_yes_or_no(
    seeded: Database, now: dt.datetime
) -> None:
    async with seeded.unit_of_work() as uow:
        here = await uow.households.add(SRI_MENANTI, "Agus", KK, None, "", "", "", now=now)
        await uow.households.add_member(here, 1, "Agus", NIK, "kepala_keluarga", "L", None)
        near = await uow.households.add(
            SUMBER_ALAM, "Budi", "1804190000000002", None, "", "", "", now=now
        )
        await uow.households.add_member(
            near, 1, "Budi", "1804190000000012", "kepala_keluarga", "L", None
        )
        far = await uow.households.add(
            BUJUR_BARAT, "Marni", "3528110000000003", None, "", "", "", now=now
        )
        await uow.households.add_member(
            far, 1, "Marni", "3528114101800013", "kepala_keluarga", "P", None
        )

        households = uow.households
        # inside the kabupaten: not "outside", whichever village
        assert not await households.kk_outside(KK, "18.04")
        assert not await households.nik_outside(NIK, "18.04")
        assert not await households.kk_outside("1804190000000002", "18.04")
        # another kabupaten
        assert await households.kk_outside("3528110000000003", "18.04")
        assert await households.nik_outside("3528114101800013", "18.04")
        assert not await households.kk_outside("3528110000000003", "35.28")
        # outside a village, the household itself left out
        assert await households.nik_outside("1804190000000012", SRI_MENANTI)
        assert not await households.nik_outside("1804190000000012", SRI_MENANTI, near)
        assert not await households.kk_outside("1804190000000002", SRI_MENANTI, near)
        assert not await households.nik_outside("1804190000000012", "18.04.19")
        # unknown numbers
        assert not await households.kk_outside("9999999999999999", "18.04")
        assert not await households.nik_outside("9999999999999999", "18.04")

        # the named look-ups of the duplicate check stay inside the region asked for
        assert [h.id for h in await households.find_by_kk("3528110000000003", "18.04")] == []
        assert await households.find_members_by_nik("3528114101800013", "18.04") == []
        [hit] = await households.find_members_by_nik("1804190000000012", "18.04")
        assert (hit.household_id, hit.region_code) == (near, SUMBER_ALAM)
