"""Settings that guard access: webhook secrets must be real secrets; access limits parse."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.settings import Settings

_WHATSAPP = {
    "WHATSAPP_TOKEN": "token",
    "WHATSAPP_PHONE_NUMBER_ID": "1234567890",
    "WHATSAPP_APP_SECRET": "0123456789abcdef0123456789abcdef",
    "WHATSAPP_VERIFY_TOKEN": "verify-token-for-tests",
}


@pytest.mark.parametrize("name", ["WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"])
@pytest.mark.parametrize(
    "weak", [" " * 20, "\t" * 16, "short-secret", "sixteen chars ok", "abcdefghijklmno\n"]
)
def test_whatsapp_secrets_need_16_characters_and_no_blanks(name: str, weak: str) -> None:
    values: dict[str, Any] = {**_WHATSAPP, name: weak}
    with pytest.raises(ValidationError, match=f"{name} must have at least 16 characters"):
        Settings(_env_file=None, **values)


def test_good_secrets_and_the_access_defaults() -> None:
    settings = Settings(_env_file=None, **_WHATSAPP)  # type: ignore[arg-type]
    assert settings.whatsapp_enabled
    assert settings.session_idle_days == 7 and settings.invite_days == 14
    assert settings.media_daily_quota == 30


def test_a_blank_telegram_webhook_secret_is_refused() -> None:
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        Settings(
            _env_file=None,
            TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/webhook",
            TELEGRAM_WEBHOOK_SECRET=" " * 32,
        )
