from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    Text,
    column,
    insert,
    inspect,
    table,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.migrate import alembic_config, current, upgrade, upgrade_sync
from storage.models import Base

HEAD = "0009"  # the newest revision in storage/migrations/versions

_SNAPSHOTS_0003 = table(
    "progress_snapshots",
    column("id", Integer),
    column("region_code", Text),
    column("taken_at", DateTime(timezone=True)),
    column("counts", JSON),
)

TABLES = {
    "access_throttle",
    "announcements",
    "deadlines",
    "inbound_events",
    "outbox",
    "problem_reports",
    "processing_log",
    "progress_snapshots",
    "regions",
    "people",
    "identities",
    "role_assignments",
    "invite_codes",
    "households",
    "members",
    "form_sessions",
    "submissions",
    "audit_log",
    "processed_inbound",
    "web_login_tokens",  # 0008: the web console
    "web_sessions",
    "web_submits",
}


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            # SQLite reflects a '' default as a quoted literal that autogenerate cannot match.
            "compare_server_default": connection.dialect.name == "postgresql",
        },
    )
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migration_creates_exactly_the_models(db_url: str) -> None:
    assert await current(db_url) is None
    await upgrade(db_url)
    assert await current(db_url) == HEAD
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES | {"alembic_version"}
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()
    assert set(Base.metadata.tables) == TABLES


async def test_upgrade_twice_is_a_no_op(db_url: str) -> None:
    await upgrade(db_url)
    await upgrade(db_url)
    assert await current(db_url) == HEAD


async def test_upgrade_creates_the_sqlite_directory(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'kawal.db'}"
    await upgrade(url)
    assert (tmp_path / "a" / "b" / "kawal.db").exists()
    assert await current(url) == HEAD


def _diff_against_extra_column(connection: Connection) -> list[Any]:
    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for model_table in Base.metadata.tables.values():
        model_table.to_metadata(metadata)
    metadata.tables["households"].append_column(Column("kecamatan_note", Text, nullable=True))
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


async def test_the_comparison_notices_a_difference(db_url: str) -> None:
    """Guard for the test above: a column missing from the migration is reported."""
    await upgrade(db_url)
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_diff_against_extra_column)
    finally:
        await engine.dispose()
    assert [(d[0], d[2], d[3].name) for d in diff] == [
        ("add_column", "households", "kecamatan_note")
    ]


def test_upgrade_sync(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'sync.db'}"
    upgrade_sync(url)
    assert asyncio.run(current(url)) == HEAD


async def test_existing_snapshots_get_the_week_they_were_taken_in(db_url: str) -> None:
    """0004 keys snapshots by ISO week in the village's zone; two in one week keep the first."""
    await upgrade(db_url, "0003")
    engine = create_async_engine(db_url, poolclass=NullPool)
    regions = [
        ("18.04.19.2006", "Sri Menanti", "Asia/Jakarta"),
        ("91.71.01.1001", "Gurabesi", "Asia/Jayapura"),
    ]
    snapshots = [
        # 2027-01-24 17:30 UTC: Monday 25 January 00:30 WIB (W04), 02:30 WIT (W04)
        ("18.04.19.2006", dt.datetime(2027, 1, 24, 17, 30, tzinfo=dt.UTC), 1),
        ("18.04.19.2006", dt.datetime(2027, 1, 27, 5, 0, tzinfo=dt.UTC), 2),  # W04 again
        ("18.04.19.2006", dt.datetime(2027, 1, 18, 0, 30, tzinfo=dt.UTC), 3),  # W03
        # 2027-01-24 15:30 UTC: Sunday 22:30 WIB would be W03; in WIT it is Monday, W04
        ("91.71.01.1001", dt.datetime(2027, 1, 24, 15, 30, tzinfo=dt.UTC), 4),
    ]
    try:
        async with engine.begin() as connection:
            for code, name, zone in regions:
                await connection.execute(
                    text(
                        "INSERT INTO regions (code, name, level, kind, timezone) "
                        "VALUES (:code, :name, 4, 'desa', :zone)"
                    ),
                    {"code": code, "name": name, "zone": zone},
                )
            for code, taken_at, done in snapshots:
                await connection.execute(
                    insert(_SNAPSHOTS_0003).values(
                        region_code=code, taken_at=taken_at, counts={"verified": done}
                    )
                )
        await upgrade(db_url)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text(
                        "SELECT region_code, week, counts FROM progress_snapshots "
                        "ORDER BY region_code, week"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    found = [
        (code, week, counts if isinstance(counts, dict) else json.loads(counts))
        for code, week, counts in rows
    ]
    assert found == [
        ("18.04.19.2006", "2027-W03", {"verified": 3}),
        ("18.04.19.2006", "2027-W04", {"verified": 1}),
        ("91.71.01.1001", "2027-W04", {"verified": 4}),
    ]


async def test_telegram_group_identities_are_switched_off(db_url: str) -> None:
    """0005: a group or channel registered as a person is switched off, its open forms are
    interrupted and, with no private chat left, its roles are revoked; people stay served."""
    await upgrade(db_url, "0004")
    engine = create_async_engine(db_url, poolclass=NullPool)
    at = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    people = [
        # person, identity (channel, external id), open form
        (1, ("telegram", "-1001234567890"), True),  # a supergroup registered as operator
        (2, ("telegram", "555000111"), True),  # a person in a private chat
        (3, ("whatsapp", "6281234567890"), False),
        (4, ("telegram", "-42"), False),  # a person who also used a group
        (4, ("telegram", "777000222"), False),
    ]
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO regions (code, name, level, kind, timezone) "
                    "VALUES ('18.04', 'Lampung Barat', 2, 'kabupaten', 'Asia/Jakarta')"
                )
            )
            for person_id in sorted({p for p, _, _ in people}):
                await connection.execute(
                    text(
                        "INSERT INTO people (id, name, lang, created_at) "
                        "VALUES (:id, 'x', 'id', :at)"
                    ),
                    {"id": person_id, "at": at},
                )
                await connection.execute(
                    text(
                        "INSERT INTO role_assignments (person_id, role, region_code, created_at) "
                        "VALUES (:id, 'operator', '18.04', :at)"
                    ),
                    {"id": person_id, "at": at},
                )
            for person_id, (channel, external_id), open_form in people:
                await connection.execute(
                    text(
                        "INSERT INTO identities (person_id, channel, external_id, created_at) "
                        "VALUES (:p, :c, :e, :at)"
                    ),
                    {"p": person_id, "c": channel, "e": external_id, "at": at},
                )
                if open_form:
                    await connection.execute(
                        text(
                            "INSERT INTO form_sessions (person_id, form_id, form_version, "
                            "status, state, channel, created_at, updated_at) VALUES "
                            "(:p, 'verifikasi_keluarga', 1, 'active', '{}', :c, :at, :at)"
                        ),
                        {"p": person_id, "c": channel, "at": at},
                    )
        await upgrade(db_url)
        async with engine.connect() as connection:
            disabled = {
                row[0]
                for row in await connection.execute(
                    text("SELECT external_id FROM identities WHERE disabled_at IS NOT NULL")
                )
            }
            revoked = {
                row[0]
                for row in await connection.execute(
                    text("SELECT person_id FROM role_assignments WHERE revoked_at IS NOT NULL")
                )
            }
            sessions: dict[int, str] = {
                int(person_id): str(status)
                for person_id, status in await connection.execute(
                    text("SELECT person_id, status FROM form_sessions")
                )
            }
    finally:
        await engine.dispose()
    assert disabled == {"-1001234567890", "-42"}
    assert revoked == {1}
    assert sessions == {1: "interrupted", 2: "active"}


def _downgrade_on(connection: Connection, url: str, revision: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_sessions_may_end_errored(db_url: str) -> None:
    """0006: ``errored`` is a session status (the engine failed); the check still refuses an
    unknown status; a downgrade turns errored sessions into interrupted ones."""
    await upgrade(db_url)
    engine = create_async_engine(db_url, poolclass=NullPool)
    at = dt.datetime(2026, 12, 14, 3, 0, tzinfo=dt.UTC)
    session = text(
        "INSERT INTO form_sessions (person_id, form_id, form_version, status, state, channel, "
        "created_at, updated_at) VALUES (1, 'verifikasi_keluarga', 1, :status, '{}', "
        "'telegram', :at, :at)"
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO people (id, name, lang, created_at) VALUES (1, 'x', 'id', :at)"),
                {"at": at},
            )
            await connection.execute(session, {"status": "errored", "at": at})
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(session, {"status": "broken", "at": at})
        async with engine.begin() as connection:
            await connection.run_sync(_downgrade_on, db_url, "0005")
        async with engine.connect() as connection:
            statuses = (await connection.execute(text("SELECT status FROM form_sessions"))).all()
        assert [row[0] for row in statuses] == ["interrupted"]
        with pytest.raises(IntegrityError):
            async with engine.begin() as connection:
                await connection.execute(session, {"status": "errored", "at": at})
    finally:
        await engine.dispose()
    await upgrade(db_url)
    assert await current(db_url) == HEAD
