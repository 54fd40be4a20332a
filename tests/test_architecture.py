"""Who may import whom (docs/architecture.md), as an allow-list enforced on the source tree.

Every source file belongs to a *unit*: a top-level package, or inside ``handlers/`` the contract
(``messages.py``, ``ports.py``), the kit, the router (``app.py``) or one feature package, or inside
``bot/`` the channels and the settings. A unit may import its own modules, the first-party units
listed for it in ``allowed_units`` and, for third-party code, the standard library plus the modules
listed in ``THIRD_PARTY``; anything else fails with the file and the import.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "flows", "handlers", "storage", "reminders", "locales", "bench")
FIRST_PARTY = frozenset((*PACKAGES, "tests"))

CONTRACT = "handlers.contract"  # handlers/messages.py and handlers/ports.py
KIT = "handlers.kit"
FORMS = "handlers.forms"  # the form runner and the savers registry
ROUTER = "handlers.app"  # handlers/app.py (and the package's __init__)
CHANNELS = "bot.channels"
SETTINGS = "bot.settings"


def features() -> tuple[str, ...]:
    """``handlers.<feature>`` for every feature package of the tree (all but the kit)."""
    return tuple(
        f"handlers.{path.name}"
        for path in sorted((ROOT / "handlers").iterdir())
        if (path / "__init__.py").is_file() and path.name != "kit"
    )


def allowed_units() -> dict[str, frozenset[str]]:
    """unit -> the other first-party units it may import (its own modules always)."""
    core = {"flows", "storage", "locales"}
    handlers_all = {CONTRACT, KIT, ROUTER, *features()}
    allowed = {
        "locales": set(),  # the catalogs: everyone reads them, they read no one
        "flows": {"locales"},  # the pure engine: values and catalogs only
        "storage": {"flows"},  # models, repositories: flows' value types and pure helpers
        CONTRACT: set(),  # neutral messages and ports: nothing first-party
        KIT: {CONTRACT, *core},
        ROUTER: {CONTRACT, KIT, *features(), *core},
        # everything Kawal sends by itself: the features' texts and repositories, never the router
        "reminders": {CONTRACT, KIT, *features(), *core},
        # the channels are thin: neutral messages in and out, the typed settings, a dedupe table
        CHANNELS: {CONTRACT, KIT, SETTINGS, "storage", "locales", "flows"},  # flows: masking
        SETTINGS: {KIT, *features()},  # the settings' value types (quiet hours, digest schedule)
        "bot": {CHANNELS, SETTINGS, "reminders", *handlers_all, *core},  # the composition root
        "bench": {CHANNELS, SETTINGS, "bot", "reminders", *handlers_all, *core},  # never tests
    }
    for feature in features():
        allowed[feature] = {CONTRACT, KIT, *core}
        if feature != FORMS:
            # every form runs in handlers.forms: a feature registers its forms' savers there
            # and opens its forms through the runner (never the other way round)
            allowed[feature].add(FORMS)
    return {unit: frozenset(units) for unit, units in allowed.items()}


# Imports that break the intended layering today, one line per file, reported in issue 16 for
# the lead to fix; the test fails on any other (and on an entry that is no longer needed).
LAYERING_BREACHES: dict[str, frozenset[str]] = {
    # the main menu (kit) counts the open problem reports of one feature
    "handlers/kit/menu.py": frozenset({"handlers.reports"}),
    # a turn carries the savers registry (handlers.forms.savers), read by the form runner
    "handlers/kit/context.py": frozenset({"handlers.forms"}),
    # quality borrows progress's region label and the registers' option labels
    "handlers/quality/view.py": frozenset({"handlers.progress", "handlers.registers"}),
    # the importer and exporter write SQL themselves instead of through a repository
    "handlers/registers/exporter.py": frozenset({"sqlalchemy"}),
    "handlers/registers/importer.py": frozenset({"sqlalchemy"}),
    "handlers/registers/history.py": frozenset({"sqlalchemy"}),
}

# Third-party modules (beside the standard library) a unit may import.
_HANDLERS_LIBS = frozenset({"openpyxl", "matplotlib", "PIL"})  # workbooks and charts
THIRD_PARTY: dict[str, frozenset[str]] = {
    "locales": frozenset({"babel"}),
    "flows": frozenset({"pydantic", "yaml", "lokal", "phonenumbers", "babel"}),
    "storage": frozenset({"sqlalchemy", "alembic"}),
    CONTRACT: frozenset(),
    KIT: _HANDLERS_LIBS,
    ROUTER: _HANDLERS_LIBS,
    "reminders": frozenset({"apscheduler"}),
    # only the channels speak to Telegram (aiogram) and Meta (HTTP clients)
    CHANNELS: frozenset({"aiogram", "aiohttp", "httpx", "h11", "pydantic"}),
    # sqlalchemy: make_url, to read (and redact) the database URL
    SETTINGS: frozenset({"pydantic", "pydantic_settings", "sqlalchemy"}),
    # jinja2 (with markupsafe) and multidict: the web console's templates and forms;
    # segno: the QR code of an invite, drawn as inline SVG
    "bot": frozenset(
        {
            "aiohttp",
            "typer",
            "pydantic",
            "pydantic_settings",
            "lokal",
            "jinja2",
            "markupsafe",
            "multidict",
            "segno",
        }
    ),
    "bench": frozenset({"aiohttp", "aiogram", "httpx", "telegram", "sqlalchemy", "openpyxl"}),
}
STDLIB = frozenset(sys.stdlib_module_names)


def unit_of_file(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    return unit_of_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


def unit_of_module(module: str) -> str:
    parts = module.split(".")
    top = parts[0]
    if top == "handlers":
        if len(parts) == 1 or parts[1] == "app":
            return ROUTER
        if parts[1] in ("messages", "ports"):
            return CONTRACT
        return f"handlers.{parts[1]}"
    if top == "bot" and len(parts) > 1 and parts[1] in ("channels", "settings"):
        return f"bot.{parts[1]}"
    return top


def third_party_allowed(unit: str) -> frozenset[str]:
    if unit in THIRD_PARTY:
        return THIRD_PARTY[unit]
    return _HANDLERS_LIBS if unit.startswith("handlers.") else frozenset()


def _is_package(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return (path / "__init__.py").is_file() or path.with_suffix(".py").is_file()


def imported_modules(relative: str, source: str) -> list[tuple[int, str]]:
    """(line, dotted module) of every import of a source file, relative ones resolved;
    ``from a import b`` gives ``a.b`` when ``b`` is a module of the tree, else ``a``."""
    parts = relative.removesuffix(".py").split("/")
    package = parts[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.append((node.lineno, sub if _is_package(sub) else module))
    return found


def violations(relative: str, source: str) -> list[str]:
    unit = unit_of_file(relative)
    units = allowed_units().get(unit, frozenset())
    breaches = LAYERING_BREACHES.get(relative, frozenset())
    libs = third_party_allowed(unit)
    found = []
    for line, module in imported_modules(relative, source):
        top = module.split(".")[0]
        if top in FIRST_PARTY:
            target = unit_of_module(module)
            if target == unit or target in units or target in breaches:
                continue
            found.append(f"{relative}:{line} imports {module} ({unit} may not import {target})")
        elif top not in STDLIB and top != "__future__" and top not in libs and top not in breaches:
            found.append(f"{relative}:{line} imports {module} (third-party, not allowed in {unit})")
    return found


def source_files() -> list[str]:
    return [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def test_the_tree_has_the_packages_of_the_layout() -> None:
    for package in (*PACKAGES, "tests"):
        assert (ROOT / package).is_dir(), package
    assert len(source_files()) > 20
    assert {"handlers.forms", "handlers.deadlines", "handlers.reports"} <= set(features())


def test_every_unit_has_rules() -> None:
    units = {unit_of_file(relative) for relative in source_files()}
    assert units <= set(allowed_units()), units - set(allowed_units())


@pytest.mark.parametrize("relative", source_files())
def test_import_rules(relative: str) -> None:
    assert violations(relative, (ROOT / relative).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("relative", sorted(LAYERING_BREACHES))
def test_every_listed_breach_is_still_needed(relative: str) -> None:
    """An exception nobody needs any more must go (so the list only ever shrinks)."""
    source = (ROOT / relative).read_text(encoding="utf-8")
    imported = {unit_of_module(m) for _, m in imported_modules(relative, source)}
    imported |= {m.split(".")[0] for _, m in imported_modules(relative, source)}
    assert LAYERING_BREACHES[relative] <= imported


@pytest.mark.parametrize(
    ("relative", "source", "expected"),
    [
        ("flows/x.py", "import storage.db", "flows/x.py:1 imports storage.db (flows may not"),
        ("flows/x.py", "from sqlalchemy import select", "flows/x.py:1 imports sqlalchemy (third"),
        ("flows/x.py", "import httpx", "flows/x.py:1 imports httpx (third-party"),
        ("flows/x.py", "\nimport aiohttp.web", "flows/x.py:2 imports aiohttp.web (third-party"),
        ("storage/x.py", "from handlers import app", "storage/x.py:1 imports handlers.app"),
        ("storage/x.py", "from locales import t", "(storage may not import locales)"),
        ("locales/x.py", "from flows import dates", "(locales may not import flows)"),
        ("handlers/ports.py", "from flows import dates", "(handlers.contract may not import"),
        ("handlers/kit/x.py", "from handlers.forms import runner", "(handlers.kit may not"),
        ("handlers/kit/x.py", "from handlers import app", "(handlers.kit may not import handlers."),
        (
            "handlers/deadlines/x.py",
            "from handlers.announcements.view import x",
            "(handlers.deadlines may not import handlers.announcements)",
        ),
        ("handlers/progress/x.py", "from bot.settings import S", "may not import bot.settings)"),
        ("handlers/x.py", "from bot.settings import Settings", "handlers/x.py:1 imports bot.set"),
        ("handlers/people/x.py", "from sqlalchemy import select", "not allowed in handlers.people"),
        ("handlers/people/x.py", "import aiogram", "(third-party, not allowed in handlers.people)"),
        ("handlers/quality/x.py", "from handlers.progress import view", "may not import handlers"),
        ("handlers/forms/x.py", "from ..deadlines import view", "(handlers.forms may not import"),
        ("reminders/x.py", "from handlers.app import Kawal", "(reminders may not import handlers."),
        ("reminders/x.py", "from bot.runtime import x", "(reminders may not import bot)"),
        ("bot/cli/chat.py", "import aiogram", "bot/cli/chat.py:1 imports aiogram (third-party"),
        ("bot/cli/chat.py", "from aiogram.types import Message", "imports aiogram.types (third"),
        ("bot/run.py", "import httpx", "bot/run.py:1 imports httpx (third-party, not allowed in"),
        ("bot/channels/x.py", "from handlers.app import Kawal", "(bot.channels may not import"),
        ("bot/channels/x.py", "from bot.runtime import x", "(bot.channels may not import bot)"),
        ("bench/x.py", "from tests.fakes import channel", "(bench may not import tests)"),
    ],
)
def test_the_checker_catches_violations(relative: str, source: str, expected: str) -> None:
    found = violations(relative, source)
    assert any(expected in line for line in found), found


@pytest.mark.parametrize(
    ("relative", "source"),
    [
        ("bot/channels/telegram/x.py", "from aiogram import Bot"),
        ("bot/channels/whatsapp/x.py", "import httpx\nfrom handlers.messages import Inbound"),
        ("bot/channels/x.py", "from bot.settings import Settings\nfrom storage.db import Database"),
        ("flows/x.py", "from locales import t\nimport yaml\nfrom pydantic import BaseModel"),
        ("handlers/deadlines/x.py", "from handlers.deadlines.view import y\nfrom . import form"),
        ("handlers/forms/x.py", "from handlers.kit.context import Turn\nfrom storage.db import U"),
        ("handlers/app.py", "from handlers.forms import runner\nfrom handlers.ports import C"),
        ("reminders/x.py", "from handlers.deadlines import view\nimport apscheduler"),
        ("bot/cli/x.py", "import typer\nfrom bot.channels import console\nfrom handlers import a"),
        ("storage/migrations/versions/0001_x.py", "from alembic import op\nfrom storage import m"),
    ],
)
def test_the_checker_lets_allowed_imports_pass(relative: str, source: str) -> None:
    assert violations(relative, source) == []


def test_a_breach_is_allowed_only_in_its_file() -> None:
    source = "from handlers.reports import view"
    assert violations("handlers/kit/menu.py", source) == []
    assert violations("handlers/kit/other.py", source) != []
