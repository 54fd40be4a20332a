"""The one place where aiogram's exceptions become the ports' typed delivery errors."""

from __future__ import annotations

from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)

from handlers.ports import (
    Blocked,
    DeliveryError,
    NetworkError,
    PermanentError,
    RetryAfter,
    TransientError,
)

_NOT_MODIFIED = "message is not modified"


def translate(error: AiogramError) -> DeliveryError:
    """What a failed Bot API call means for the sender (the original is kept as the cause)."""
    result: DeliveryError
    match error:
        case TelegramRetryAfter(retry_after=seconds):
            result = RetryAfter(float(seconds))
        case TelegramForbiddenError():
            result = Blocked(str(error))
        case TelegramNetworkError():
            result = NetworkError(str(error))
        case TelegramServerError():
            result = TransientError(str(error))
        case TelegramBadRequest() | TelegramNotFound() | TelegramMigrateToChat():
            result = PermanentError(str(error))
        case TelegramUnauthorizedError():
            result = PermanentError(f"the bot token was refused: {error}")
        case _:
            result = TransientError(str(error))
    result.__cause__ = error
    return result


def is_not_modified(error: DeliveryError) -> bool:
    """An edit that changed nothing (e.g. the keyboard was already removed)."""
    return isinstance(error, PermanentError) and _NOT_MODIFIED in str(error).lower()
