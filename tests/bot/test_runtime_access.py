"""The access settings reach the handlers: build_kawal wires them into Options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.runtime import build_kawal
from bot.settings import Settings
from handlers.ports import FixedClock
from storage.db import Database


def test_invite_settings_are_wired(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "KAWAL_INVITE_DAYS": "9",
        "KAWAL_INVITE_MAX_FAILURES": "3",
        "KAWAL_INVITE_LOCKOUT_MINUTES": "15",
        "KAWAL_INVITE_GLOBAL_FAILURES": "40",
    }.items():
        monkeypatch.setenv(name, value)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'kawal.db'}")  # never connected here
    clock = FixedClock(dt.datetime(2026, 1, 15, tzinfo=dt.UTC))
    kawal = build_kawal(Settings(_env_file=None), db, clock)
    options = kawal.options
    assert (
        options.invite_days,
        options.invite_max_failures,
        options.invite_lockout_minutes,
        options.invite_global_failures,
        options.telegram_bot_username,
    ) == (9, 3, 15, 40, "")
    kawal.set_telegram_bot("@kawal_lambar_bot")  # what the Telegram channel learns from getMe
    assert kawal.options.telegram_bot_username == "kawal_lambar_bot"
    assert kawal.options.invite_days == 9
