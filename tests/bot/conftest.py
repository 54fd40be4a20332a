"""The terminal demo in a test: its own folder, data folder and database file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner


@dataclass(frozen=True)
class Demo:
    runner: CliRunner
    db: Path  # the demo's SQLite file (not created yet)

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.db}"


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Demo:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAWAL_DATA_DIR", str(tmp_path / "data"))
    return Demo(CliRunner(), tmp_path / "demo.db")
