"""The Telegram channel (aiogram 3 as the Bot API client; polling or webhook)."""

from bot.channels.telegram.callbacks import CallbackSigner
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.service import TelegramService

__all__ = ["CallbackSigner", "TelegramChannel", "TelegramSender", "TelegramService"]
