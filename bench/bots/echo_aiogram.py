"""Baseline 1: the bare aiogram 3 echo bot, the framework's floor.

Every text is sent back; a button press is answered and its data sent back. No database, no
state. Webhook mode uses aiogram's own aiohttp handler (which answers 200 at once and handles
the update in the background); polling mode uses ``Dispatcher.start_polling``.

    python -m bench.bots.echo_aiogram --api http://127.0.0.1:8081 --token T --mode polling
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

WEBHOOK_PATH = "/telegram/webhook"


def build(args: argparse.Namespace) -> tuple[Bot, Dispatcher]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(args.api))
    bot = Bot(args.token, session=session)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "…")

    @dispatcher.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        await query.answer()
        if query.message is not None:
            await bot.send_message(query.message.chat.id, query.data or "…")

    return bot, dispatcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", required=True, help="Bot API base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", choices=["webhook", "polling"], default="polling")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--secret", default="")
    parser.add_argument("--webhook-url", default="https://bench.invalid" + WEBHOOK_PATH)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bot, dispatcher = build(args)
    if args.mode == "polling":
        asyncio.run(dispatcher.start_polling(bot, polling_timeout=25, handle_signals=True))
        return

    async def on_startup(bot: Bot) -> None:
        await bot.set_webhook(args.webhook_url, secret_token=args.secret)

    dispatcher.startup.register(on_startup)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=args.secret).register(app, WEBHOOK_PATH)
    setup_application(app, dispatcher, bot=bot)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
