"""One typed settings tree, read once from the environment and ``.env`` in the composition root."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers.kit.timing import QuietHours
from handlers.progress.digest import DigestSchedule
from handlers.registers.reading import ImportLimits

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///kawal.db"
# Telegram allows 1-256 characters A-Z a-z 0-9 _ -; we ask for at least 16.
_WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{16,256}")


MIN_SECRET_LENGTH = 16


def strong_secret(value: str) -> bool:
    """At least 16 characters, none of them blank (a pasted secret with a space or a line
    break in it is a copying mistake, and a run of spaces is no secret)."""
    return len(value) >= MIN_SECRET_LENGTH and not any(c.isspace() for c in value)


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
    # "Kualitas data": households not changed for this many days are listed as untouched.
    quality_untouched_days: int = Field(default=30, ge=1, le=3660)
    # Charts and exports in data_dir are deleted this many days after they were last made.
    files_keep_days: int = Field(default=7, ge=1, le=3660)

    # Personal data (issue 18, UU PDP). Who answers questions about personal data (the DPO,
    # Ps. 53): shown in the data notice, e.g. "PPDP Dinsos Lampung Barat, 0812-0000-0000".
    dpo_contact: str = Field(default="", max_length=200)
    # Received files (house photos, registers, attachments) in data_dir/media are deleted
    # this many days after they arrived; an imported register right after its import.
    media_keep_days: int = Field(default=30, ge=1, le=3660)
    # Raw webhook bodies done with (processed or failed) are deleted after this many days.
    webhook_bodies_keep_days: int = Field(default=7, ge=1, le=365)
    # Ids of handled updates are kept this long: Meta retries a WhatsApp webhook for up to
    # 7 days, so fewer than 8 would answer a late retry twice.
    inbound_ids_keep_days: int = Field(default=8, ge=8, le=365)

    # Register imports (issue 18): the file as sent; an XLSX's members uncompressed together
    # and their ratio to the file (a "zip bomb" is refused before it is opened); people per
    # file; row errors kept to show (the rest are counted).
    import_max_file_mb: int = Field(default=20, ge=1, le=1024)
    import_max_unpacked_mb: int = Field(default=400, ge=1, le=8192)
    import_max_ratio: int = Field(default=100, ge=2, le=10000)
    import_max_rows: int = Field(default=500_000, ge=1, le=10_000_000)
    import_max_errors: int = Field(default=200, ge=1, le=100_000)

    # Access (issue 15). A form nobody answered for this many days closes, nothing saved.
    session_idle_days: int = Field(default=7, ge=1, le=365)
    # An invite code works for this many days after it was made (kawal invite create --days).
    invite_days: int = Field(default=14, ge=1, le=365)
    # Wrong invite codes: a sender gets this many per lockout period, then waits it out; when
    # everyone together gets invite_global_failures wrong in an hour, codes are refused for
    # the lockout period (a guessing run from many accounts). Each lockout is logged.
    invite_max_failures: int = Field(default=5, ge=1, le=100)
    invite_lockout_minutes: int = Field(default=60, ge=1, le=10080)
    invite_global_failures: int = Field(default=100, ge=1, le=100000)
    # Photos and documents one person may send in 24 hours (each is downloaded and kept).
    media_daily_quota: int = Field(default=30, ge=1, le=10000)
    # Duplicate No. KK / NIK look-ups one person may cause in an hour (a form answer each).
    duplicate_checks_per_hour: int = Field(default=60, ge=1, le=10000)

    # Proactive messages (the outbox): reminders, announcements, digests, problem reports.
    outbox_batch: int = Field(default=100, ge=1, le=1000)
    outbox_concurrency: int = Field(default=8, ge=1, le=64)
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)
    outbox_poll_interval: float = Field(default=2.0, gt=0, le=60)
    # Seconds between two rounds of the scheduled jobs (deadline reminders, announcements, ...).
    scheduler_interval: float = Field(default=60.0, ge=1, le=3600)
    # Local hours in which no deadline reminder is sent (it waits for their end); "off": none.
    quiet_hours: str = "21:00-07:00"
    # Weekly digest for peratin and camat: weekday and local time (in each recipient's zone).
    digest_day: str = "senin"
    digest_time: str = "07:30"
    # Announcements: hours before people who have not pressed "Sudah dibaca & dipahami" get
    # one nudge (0 = none); Dinsos may choose another value per announcement.
    announcement_nudge_hours: int = Field(default=24, ge=0, le=336)

    # HTTP server of `kawal run` (health check, webhooks).
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)

    # The web console (issue 19), served on the HTTP port above (and by `kawal web`).
    # Its public address, used in the one-time KONSOL links ("" = http://http_host:http_port).
    web_base_url: str = ""
    # Hours a console session lasts after the link was opened.
    web_session_hours: int = Field(default=8, ge=1, le=24 * 7)
    # Mark the session cookie Secure (HTTPS only): on when web_base_url is https://.
    web_secure_cookie: bool | None = None

    # Telegram (issue 3). Unprefixed names, as BotFather and the Bot API docs call them.
    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org", validation_alias="TELEGRAM_API_URL"
    )
    telegram_webhook_url: str | None = Field(default=None, validation_alias="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_WEBHOOK_SECRET"
    )
    telegram_global_rate: float = Field(default=25.0, gt=0, validation_alias="TELEGRAM_GLOBAL_RATE")
    telegram_chat_interval: float = Field(
        default=1.0, ge=0, validation_alias="TELEGRAM_CHAT_INTERVAL"
    )

    # WhatsApp Cloud API (issue 4). Unprefixed names, as Meta's docs call them. The channel runs
    # when token, phone number id, app secret and verify token are all set.
    whatsapp_token: SecretStr | None = Field(default=None, validation_alias="WHATSAPP_TOKEN")
    whatsapp_phone_number_id: str | None = Field(
        default=None, validation_alias="WHATSAPP_PHONE_NUMBER_ID"
    )
    whatsapp_app_secret: SecretStr | None = Field(
        default=None, validation_alias="WHATSAPP_APP_SECRET"
    )
    whatsapp_verify_token: SecretStr | None = Field(
        default=None, validation_alias="WHATSAPP_VERIFY_TOKEN"
    )
    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v21.0", validation_alias="WHATSAPP_API_URL"
    )
    whatsapp_webhook_path: str = Field(
        default="/whatsapp/webhook", validation_alias="WHATSAPP_WEBHOOK_PATH"
    )
    whatsapp_rate: float = Field(default=80.0, gt=0, validation_alias="WHATSAPP_RATE")
    whatsapp_chat_interval: float = Field(
        default=6.0, ge=0, validation_alias="WHATSAPP_CHAT_INTERVAL"
    )
    whatsapp_template_reminder: str = Field(
        default="kawal_reminder", validation_alias="WHATSAPP_TEMPLATE_REMINDER"
    )
    whatsapp_template_announcement: str = Field(
        default="kawal_announcement", validation_alias="WHATSAPP_TEMPLATE_ANNOUNCEMENT"
    )
    whatsapp_template_nudge: str = Field(
        default="kawal_nudge", validation_alias="WHATSAPP_TEMPLATE_NUDGE"
    )
    whatsapp_template_digest: str = Field(
        default="kawal_digest", validation_alias="WHATSAPP_TEMPLATE_DIGEST"
    )
    whatsapp_template_report: str = Field(
        default="kawal_report", validation_alias="WHATSAPP_TEMPLATE_REPORT"
    )
    whatsapp_template_report_answer: str = Field(
        default="kawal_report_answer", validation_alias="WHATSAPP_TEMPLATE_REPORT_ANSWER"
    )
    whatsapp_template_lang: str = Field(default="id", validation_alias="WHATSAPP_TEMPLATE_LANG")

    @property
    def import_limits(self) -> ImportLimits:
        return ImportLimits(
            max_file_mb=self.import_max_file_mb,
            max_unpacked_mb=self.import_max_unpacked_mb,
            max_ratio=self.import_max_ratio,
            max_rows=self.import_max_rows,
            max_errors=self.import_max_errors,
        )

    @property
    def quiet(self) -> QuietHours:
        return QuietHours.parse(self.quiet_hours)

    @property
    def digest(self) -> DigestSchedule:
        return DigestSchedule.parse(self.digest_day, self.digest_time)

    @model_validator(mode="after")
    def _digest_parse(self) -> Settings:
        try:
            self.digest  # noqa: B018 - parsed once here so a typo stops start-up
        except ValueError as error:
            raise ValueError(f"KAWAL_DIGEST_DAY / KAWAL_DIGEST_TIME: {error}") from None
        return self

    @model_validator(mode="after")
    def _quiet_hours_parse(self) -> Settings:
        try:
            self.quiet  # noqa: B018 - parsed once here so a typo stops start-up
        except ValueError as error:
            raise ValueError(f"KAWAL_QUIET_HOURS: {error} (or off)") from None
        return self

    @model_validator(mode="after")
    def _secrets_long_enough(self) -> Settings:
        for name, secret in (
            ("WHATSAPP_APP_SECRET", self.whatsapp_app_secret),
            ("WHATSAPP_VERIFY_TOKEN", self.whatsapp_verify_token),
            ("TELEGRAM_WEBHOOK_SECRET", self.telegram_webhook_secret),
        ):
            if secret is not None and not strong_secret(secret.get_secret_value()):
                raise ValueError(
                    f"{name} must have at least {MIN_SECRET_LENGTH} characters and no spaces "
                    "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                )
        return self

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret, for the log filter that redacts them
        (:class:`bot.logs.PrivacyFilter`); a database password too."""
        secrets = [
            secret.get_secret_value()
            for secret in (
                self.telegram_bot_token,
                self.telegram_webhook_secret,
                self.whatsapp_token,
                self.whatsapp_app_secret,
                self.whatsapp_verify_token,
            )
            if secret is not None
        ]
        try:
            password = make_url(self.database_url).password
        except ArgumentError:  # not a URL: no password in it
            password = None
        if password:
            secrets.append(str(password))
        return tuple(s for s in secrets if len(s) >= 6)  # a 1-character "secret" is no pattern

    @property
    def console_url(self) -> str:
        """Where the console is reached, for the links (no trailing slash)."""
        if self.web_base_url:
            return self.web_base_url.rstrip("/")
        host = f"[{self.http_host}]" if ":" in self.http_host else self.http_host
        return f"http://{host}:{self.http_port}"

    @property
    def console_cookie_secure(self) -> bool:
        if self.web_secure_cookie is not None:
            return self.web_secure_cookie
        return self.console_url.startswith("https://")

    @model_validator(mode="after")
    def _web_base_url_scheme(self) -> Settings:
        if self.web_base_url and not self.web_base_url.startswith(("https://", "http://")):
            raise ValueError(
                "KAWAL_WEB_BASE_URL must be an http(s):// URL, e.g. https://kawal.example.go.id"
            )
        return self

    @property
    def whatsapp_enabled(self) -> bool:
        """All four WhatsApp credentials are set (a partial set is refused at start-up)."""
        return all(self._whatsapp_credentials())

    def _whatsapp_credentials(self) -> tuple[bool, bool, bool, bool]:
        return (
            self.whatsapp_token is not None,
            bool(self.whatsapp_phone_number_id),
            self.whatsapp_app_secret is not None,
            self.whatsapp_verify_token is not None,
        )

    @model_validator(mode="after")
    def _whatsapp_all_or_nothing(self) -> Settings:
        present = self._whatsapp_credentials()
        if any(present) and not all(present):
            raise ValueError(
                "WhatsApp needs all of WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, "
                "WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN (or none of them)"
            )
        if not self.whatsapp_api_url.startswith(("https://", "http://")):
            raise ValueError("WHATSAPP_API_URL must be an http(s):// URL")
        if not self.whatsapp_webhook_path.startswith("/"):
            raise ValueError("WHATSAPP_WEBHOOK_PATH must start with /")
        return self

    @model_validator(mode="after")
    def _telegram_webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url:
            if not self.telegram_webhook_url.startswith("https://"):
                raise ValueError("TELEGRAM_WEBHOOK_URL must be an https:// URL")
            secret = (
                self.telegram_webhook_secret.get_secret_value()
                if self.telegram_webhook_secret
                else ""
            )
            if not _WEBHOOK_SECRET_RE.fullmatch(secret):
                raise ValueError(
                    "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL: 16-256 "
                    "characters A-Z, a-z, 0-9, _ or - (e.g. python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))')"
                )
        return self
