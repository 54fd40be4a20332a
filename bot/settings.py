"""One typed settings tree, read once from the environment and ``.env`` in the composition root."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///kawal.db"


class Settings(BaseSettings):
    """Every setting is documented in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="KAWAL_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
    )

    database_url: str = DEFAULT_DATABASE_URL
    lang: Literal["id", "en"] = "id"
    log_level: str = "INFO"
    log_file: Path | None = None
    forms_dir: Path | None = Field(
        default=None, description="Extra YAML forms; a form here overrides a built-in one"
    )
    consent_version: str = "2026-11"
    auto_migrate: bool = True
    data_dir: Path = Path("kawal-data")
