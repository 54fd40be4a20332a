"""Everything Kawal writes is private (issue 18): folders 0700, files 0600, even when the
process runs with a lenient umask (the composition root sets 077 as well)."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from handlers.kit.deferred import write_atomically
from handlers.registers.exporter import export_region
from storage.db import Database
from storage.files import private_dir, private_file, restrict_umask
from storage.migrate import upgrade
from tests.bot.test_console_chat import kawal


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lenient_umask() -> Iterator[None]:
    """umask 022, as a shell gives: only the code's own modes keep files private."""
    old = os.umask(0o022)
    yield
    os.umask(old)


async def test_sqlite_database_wal_and_shm_are_0600(tmp_path: Path, lenient_umask: None) -> None:
    path = tmp_path / "data" / "sub" / "kawal.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    db = Database(url)
    await db.connect()
    try:
        async with db.unit_of_work() as uow:
            await uow.people.create("Budi Santoso", "id", dt.datetime.now(dt.UTC))
        files = [path, path.with_name("kawal.db-wal"), path.with_name("kawal.db-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    finally:
        await db.dispose()


async def test_an_older_world_readable_database_is_tightened(
    tmp_path: Path, lenient_umask: None
) -> None:
    path = tmp_path / "kawal.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade(url)
    os.chmod(path, 0o644)
    db = Database(url)
    await db.connect()
    await db.dispose()
    assert mode(path) == 0o600


def test_atomic_files_and_their_folders(tmp_path: Path, lenient_umask: None) -> None:
    target = tmp_path / "kawal-data" / "exports" / "kualitas.xlsx"
    write_atomically(target, lambda tmp: tmp.write_bytes(b"x"))
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700 and mode(target.parent.parent) == 0o700


async def test_a_siks_ng_export_is_0600(database: Database, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for fmt, name in (("xlsx", "ekspor.xlsx"), ("csv", "ekspor.zip")):
            out = tmp_path / "exports" / name
            async with database.unit_of_work() as uow:
                await export_region(uow, "18.04", out, fmt)  # type: ignore[arg-type]
            assert mode(out) == 0o600 and mode(out.parent) == 0o700
    finally:
        os.umask(old)


def test_helpers_keep_existing_folders_and_files(tmp_path: Path, lenient_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # noqa: S103 - a folder shared on purpose, left as it is
    private_dir(shared / "a" / "b")
    assert mode(shared) == 0o755  # a folder that was there is not ours to change
    assert mode(shared / "a") == 0o700 and mode(shared / "a" / "b") == 0o700
    file = private_file(shared / "a" / "log.txt")
    file.write_text("x")
    assert mode(file) == 0o600


def test_restrict_umask_makes_new_files_private(tmp_path: Path) -> None:
    old = restrict_umask()
    try:
        (tmp_path / "plain.txt").write_text("x")
        (tmp_path / "folder").mkdir()
    finally:
        os.umask(old)
    assert mode(tmp_path / "plain.txt") == 0o600 and mode(tmp_path / "folder") == 0o700


def test_the_cli_demo_database_log_and_console_files_are_private(tmp_path: Path) -> None:
    """``kawal demo`` run from a shell with umask 022: the composition root sets 077."""
    old = os.umask(0o022)
    try:
        kawal("demo", "--db", str(tmp_path / "demo" / "kawal.db"), "--no-chat", cwd=tmp_path)
    finally:
        os.umask(old)
    made = [p for p in tmp_path.rglob("*") if p.name != "__pycache__"]
    assert made
    loose = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in made if mode(p) & 0o077}
    assert loose == {}
