from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.migrate import upgrade
from tests.storage.conftest import SRI_MENANTI, seed_regions


class Boom(Exception):
    pass


async def test_dialect_and_url(database: Database, migrated_url: str) -> None:
    assert database.url == migrated_url
    expected = "sqlite" if migrated_url.startswith("sqlite") else "postgresql"
    assert database.dialect == expected


async def test_sqlite_connection_pragmas(sqlite_database: Database) -> None:
    async with sqlite_database.engine.connect() as connection:
        journal = await connection.scalar(text("PRAGMA journal_mode"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
        synchronous = await connection.scalar(text("PRAGMA synchronous"))
        busy = await connection.scalar(text("PRAGMA busy_timeout"))
    assert (journal, foreign_keys, synchronous, busy) == ("wal", 1, 1, 5000)


async def test_sqlite_creates_parent_directory(tmp_path: Path) -> None:
    path = tmp_path / "data" / "nested" / "kawal.db"
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        assert db.dialect == "sqlite"
    assert path.exists()


def test_unsupported_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        Database("mysql+aiomysql://u@h/db")


async def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="SQLite file"):
        await Database("sqlite+aiosqlite:///:memory:").connect()


async def test_unit_of_work_needs_connect(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(RuntimeError, match="connect"):
        async with db.unit_of_work():
            pass
    with pytest.raises(RuntimeError, match="connect"):
        _ = db.engine


async def test_commit_on_clean_exit(database: Database, now: dt.datetime) -> None:
    async with database.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", now)
        assert await uow.inbound.claim("telegram", "1", now)
    async with database.unit_of_work() as uow:
        assert [p.id for p in await uow.people.list_people()] == [person_id]
        assert not await uow.inbound.claim("telegram", "1", now)


async def test_exception_rolls_everything_back(database: Database, now: dt.datetime) -> None:
    await seed_regions(database)
    with pytest.raises(Boom):
        async with database.unit_of_work() as uow:
            assert await uow.inbound.claim("telegram", "42", now)
            person_id = await uow.people.create("Siti", "id", now)
            await uow.people.add_identity(person_id, "telegram", "42", "Siti", now)
            await uow.households.add(SRI_MENANTI, "Budi", None, None, "", "001", "002", now=now)
            await uow.audit.add("x", "person", str(person_id), now)
            await uow.flush()
            raise Boom
    async with database.unit_of_work() as uow:
        assert await uow.people.list_people() == []
        assert await uow.people.find_by_identity("telegram", "42") is None
        assert await uow.households.count_by_status(SRI_MENANTI) == {
            "pending": 0,
            "verified": 0,
            "updated": 0,
            "proposed": 0,
            "not_found": 0,
        }
        assert await uow.audit.list() == []
        # The claim was rolled back too: the update can be processed again.
        assert await uow.inbound.claim("telegram", "42", now)


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.households.add_member(999, 1, "Budi", None, "Kepala keluarga", "L", None)


async def test_member_rows_follow_their_household_on_delete(
    sqlite_database: Database, now: dt.datetime
) -> None:
    await seed_regions(sqlite_database)
    async with sqlite_database.unit_of_work() as uow:
        household_id = await uow.households.add(
            SRI_MENANTI, "Budi", None, None, "", "", "", now=now
        )
        await uow.households.add_member(household_id, 1, "Budi", None, "Kepala keluarga", "L", None)
    async with sqlite_database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM households"))
        assert await connection.scalar(text("SELECT count(*) FROM members")) == 0


async def test_datetimes_round_trip_as_aware_utc(database: Database) -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    local = dt.datetime(2026, 1, 27, 23, 59, 30, 123456, tzinfo=wib)
    async with database.unit_of_work() as uow:
        person_id = await uow.people.create("Siti", "id", local)
        await uow.people.set_consent(person_id, "v1", local)
        identity_id = await uow.people.add_identity(person_id, "console", "me", "Siti", local)
    async with database.unit_of_work() as uow:
        context = await uow.people.find_by_identity("console", "me")
        identities = await uow.people.identities_of(person_id)
    assert context is not None
    assert context.identity_id == identity_id
    assert context.consent_at == local
    assert context.consent_at is not None
    assert context.consent_at.tzinfo is dt.UTC
    assert context.consent_at.hour == 16
    assert identities[0].created_at.utcoffset() == dt.timedelta(0)
    assert identities[0].created_at == local


async def test_naive_datetimes_are_refused(database: Database) -> None:
    naive = dt.datetime(2026, 1, 1, 12, 0)  # noqa: DTZ001  # the naive value under test
    with pytest.raises(ValueError, match="timezone-aware"):
        async with database.unit_of_work() as uow:
            await uow.people.create("Siti", "id", naive)


async def test_now_is_required(database: Database) -> None:
    with pytest.raises(TypeError, match="now is required"):
        async with database.unit_of_work() as uow:
            await uow.people.create("Siti")


async def test_database_reconnects_after_dispose(tmp_path: Path, now: dt.datetime) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'k.db'}"
    await upgrade(url)
    db = Database(url)
    await db.connect()
    async with db.unit_of_work() as uow:
        await uow.people.create("A", "id", now)
    await db.dispose()
    await db.dispose()
    await db.connect()
    async with db.unit_of_work() as uow:
        assert len(await uow.people.list_people()) == 1
    await db.dispose()
