from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, MetaData, Text, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.migrate import current, upgrade, upgrade_sync
from storage.models import Base

HEAD = "0003"  # the newest revision in storage/migrations/versions

TABLES = {
    "announcements",
    "deadlines",
    "inbound_events",
    "outbox",
    "problem_reports",
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
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
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
