"""The import rules of ARCHITECTURE.md, enforced on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "handlers", "storage", "reminders", "locales")
PLATFORM_SDKS = ("aiogram", "pywa", "telegram", "whatsapp", "heyoo")

# package -> first-party packages and third-party modules it must not import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "flows": ("storage", "handlers", "reminders", "bot", "sqlalchemy", "alembic"),
    "storage": ("handlers", "reminders", "bot"),  # flows: its pure value types and helpers
    "handlers": ("reminders", "bot"),
    "reminders": ("bot",),
    "bot": (),
    # the catalogs: every layer may import them; they import nothing first-party
    "locales": ("flows", "storage", "handlers", "reminders", "bot"),
}


def imported_modules(source: str) -> set[str]:
    """Top-level names of every module a source file imports (absolute imports)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def violations(package: str, relative: str, source: str) -> list[str]:
    found = []
    modules = imported_modules(source)
    for name in sorted(modules & set(FORBIDDEN[package])):
        found.append(f"{relative} imports {name}")
    in_channels = relative.startswith("bot/channels/")
    for name in sorted(modules & set(PLATFORM_SDKS)):
        if not in_channels:
            found.append(f"{relative} imports platform SDK {name} outside bot/channels")
    return found


def source_files() -> list[tuple[str, str]]:
    files = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            files.append((package, str(path.relative_to(ROOT))))
    return files


def test_the_tree_has_the_packages_of_the_layout() -> None:
    for package in (*PACKAGES, "tests", "bench"):
        assert (ROOT / package).is_dir(), package
    assert len(source_files()) > 20


@pytest.mark.parametrize(("package", "relative"), source_files())
def test_import_rules(package: str, relative: str) -> None:
    assert violations(package, relative, (ROOT / relative).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("package", "relative", "source", "expected"),
    [
        ("flows", "flows/x.py", "import storage.db", "flows/x.py imports storage"),
        ("flows", "flows/x.py", "from sqlalchemy import select", "flows/x.py imports sqlalchemy"),
        (
            "handlers",
            "handlers/x.py",
            "from bot.settings import Settings",
            "handlers/x.py imports bot",
        ),
        ("storage", "storage/x.py", "from handlers import app", "storage/x.py imports handlers"),
        (
            "handlers",
            "handlers/x.py",
            "from aiogram import Bot",
            "handlers/x.py imports platform SDK aiogram outside bot/channels",
        ),
        (
            "bot",
            "bot/cli/chat.py",
            "import aiogram",
            "bot/cli/chat.py imports platform SDK aiogram outside bot/channels",
        ),
    ],
)
def test_the_checker_catches_violations(package, relative, source, expected) -> None:
    assert expected in violations(package, relative, source)


def test_channels_may_import_sdks() -> None:
    assert violations("bot", "bot/channels/telegram.py", "from aiogram import Bot") == []
