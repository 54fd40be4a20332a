"""Baseline 2: the verification form written the usual way with python-telegram-bot.

What a developer would otherwise write: a ``ConversationHandler`` with one state per question,
answers kept in ``user_data``, the register and the saved forms in ``bot_data``, all of it in a
``PicklePersistence`` file (PTB's defaults: the file is written every 60 s and at shutdown, not
per update, and updates are handled one at a time). Same words, same buttons and the same number
of messages per step as Kawal's ``verifikasi_keluarga`` form on Telegram (where texts before a
question join it in one message), so the load benchmark can drive both with one script.

    python -m bench.bots.ptb_form --api http://127.0.0.1:8081 --token T --mode polling \
        --data /tmp/ptb --households 200
"""

from __future__ import annotations

import argparse
import logging
import re
import warnings
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)
from telegram.warnings import PTBUserWarning

from bench.register import VILLAGE_NAME, household

WEBHOOK_PATH = "telegram/webhook"
MENU, SEARCH, PICK, STATUS, ADDRESS, RT, RW, HEAD, PHONE, NOTES, REVIEW = range(11)
STATUSES = {
    "ditemukan": "Ditemukan",
    "tidak_ditemukan": "Tidak Ditemukan",
    "meninggal": "Meninggal",
    "tidak_eligible": "Tidak Eligible",
    "tidak_dapat_ditemui": "Tidak dapat ditemui sampai akhir pendataan",
}
LABELS = {
    "family_status": "Status keluarga",
    "address": "Alamat",
    "rt": "RT",
    "rw": "RW",
    "head_lives_here": "Apakah kepala keluarga masih tinggal di sini?",
    "phone": "Nomor HP keluarga",
    "notes": "Catatan",
}
ORDER = list(LABELS)
_RT = re.compile(r"^[0-9]{1,3}$")
_PHONE = re.compile(r"^(\+62|62|0)8[0-9]{7,11}$")
# Typed loosely on purpose: mypy checks this file also where the optional `bench` extra (PTB)
# is not installed, and then every PTB name is Any.
Context = Any
App = Any


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data)] for text, data in buttons]
    )


def menu_markup() -> InlineKeyboardMarkup:
    return keyboard(
        ("1. Verifikasi keluarga", "m:verify"),
        ("2. Daftar belum diperbarui", "m:pending"),
        ("3. Progres desa", "m:progress"),
    )


async def send(
    update: Update, context: Context, text: str, markup: Any = None, prefix: str = ""
) -> None:
    """One message; ``prefix`` (texts said before it) goes above it, a blank line between."""
    assert update.effective_chat is not None
    body = f"{prefix}\n\n{text}" if prefix else text
    await context.bot.send_message(update.effective_chat.id, body, reply_markup=markup)


async def typed_or_pressed(update: Update) -> str:
    """The text typed, or the data of the button pressed (the keyboard then shows the choice)."""
    query = update.callback_query
    if query is None:
        return (update.message.text or "").strip() if update.message else ""
    await query.answer()
    shown = query.message
    if isinstance(shown, Message) and shown.text:
        markup = shown.reply_markup
        buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
        label = next((b.text for b in buttons if b.callback_data == query.data), query.data)
        await query.edit_message_text(f"{shown.text}\n\n➡️ {label}")
    return str(query.data or "")


async def start(update: Update, context: Context, prefix: str = "") -> int:
    await send(update, context, "Menu utama. Pilih nomor, mis. 1:", menu_markup(), prefix)
    return MENU


async def menu(update: Update, context: Context) -> int:
    choice = await typed_or_pressed(update)
    if choice in {"1", "m:verify", "verifikasi keluarga"}:
        prompt = (
            f"Cari keluarga di {VILLAGE_NAME}: ketik nama, NIK, atau No. KK.\nContoh: Agus Hidayat"
        )
        await send(update, context, prompt)
        return SEARCH
    return await start(update, context, "⚠️ Pilihan tidak dikenal. Ketik nomor dari menu, mis. 1.")


async def search(update: Update, context: Context) -> int:
    assert context.user_data is not None
    query = " ".join((await typed_or_pressed(update)).split())
    register: list[dict[str, Any]] = context.bot_data["register"]
    needle = query.lower()
    found = [h for h in register if needle in h["head_name"].lower() or h["no_kk"] == query][:10]
    if len(query) < 3 or not found:
        await send(update, context, f"⚠️ Tidak ada keluarga '{query[:40]}' di {VILLAGE_NAME}.")
        return SEARCH
    context.user_data["offered"] = [h["index"] for h in found]
    buttons = [(f"{h['head_name']} · RT {h['rt']}/RW {h['rw']}", f"hh:{h['index']}") for h in found]
    await send(update, context, f"Ditemukan {len(found)} keluarga. Pilih satu:", keyboard(*buttons))
    return PICK


async def pick(update: Update, context: Context) -> int:
    assert context.user_data is not None
    choice = await typed_or_pressed(update)
    offered: list[int] = context.user_data.get("offered", [])
    if choice.startswith("hh:") and choice[3:].isdigit() and int(choice[3:]) in offered:
        index = int(choice[3:])
    elif choice.isdigit() and 1 <= int(choice) <= len(offered):
        index = offered[int(choice) - 1]
    else:
        await send(update, context, "⚠️ Pilih salah satu keluarga dari daftar.")
        return PICK
    head = context.bot_data["register"][index]
    context.user_data["form"] = {"household": index, "answers": {}}
    intro = (
        f"Verifikasi keluarga: keluarga {head['head_name']}\n\n"
        "Verifikasi keluarga: cek apakah keluarga ini masih ada dan datanya benar. "
        "Ketik batal kapan saja."
    )
    return await ask(update, context, STATUS, intro)


def _current(context: Context, name: str) -> str:
    assert context.user_data is not None
    index = context.user_data["form"]["household"]
    return str(context.bot_data["register"][index].get(name, ""))


async def ask(update: Update, context: Context, state: int, prefix: str = "") -> int:
    if state == STATUS:
        choices = enumerate(STATUSES.items(), 1)
        buttons = [(f"{i}. {label}", value) for i, (value, label) in choices]
        await send(update, context, LABELS["family_status"], keyboard(*buttons), prefix)
    elif state in (ADDRESS, RT, RW):
        name = {ADDRESS: "address", RT: "rt", RW: "rw"}[state]
        text = (
            f"{LABELS[name]}\nSekarang: {_current(context, name)}\n"
            "Ketik tetap untuk memakai data sekarang."
        )
        await send(update, context, text, keyboard(("Tetap", "tetap")))
    elif state == HEAD:
        yes_no = keyboard(("Ya", "ya"), ("Tidak", "tidak"))
        await send(update, context, LABELS["head_lives_here"], yes_no)
    elif state == PHONE:
        hint = "Contoh: 081234567890\n(boleh dilewati: ketik lewati)"
        await send(update, context, f"{LABELS['phone']}\n{hint}")
    elif state == NOTES:
        await send(update, context, f"{LABELS['notes']}\n(boleh dilewati: ketik lewati)")
    else:
        return await review(update, context)
    return state


def _answers(context: Context) -> dict[str, Any]:
    assert context.user_data is not None
    answers: dict[str, Any] = context.user_data["form"]["answers"]
    return answers


async def status(update: Update, context: Context) -> int:
    value = (await typed_or_pressed(update)).lower()
    if value.isdigit() and 1 <= int(value) <= len(STATUSES):
        value = list(STATUSES)[int(value) - 1]
    if value not in STATUSES:
        await send(update, context, "⚠️ Pilih salah satu status, mis. 1.")
        return STATUS
    _answers(context)["family_status"] = value
    return await ask(update, context, ADDRESS if value == "ditemukan" else REVIEW)


async def text_question(update: Update, context: Context, name: str, state: int) -> int:
    value = await typed_or_pressed(update)
    if value.lower() in {"tetap", "sama"}:
        value = _current(context, name)
    valid = 5 <= len(value) <= 200 if name == "address" else bool(_RT.match(value))
    if not valid:
        await send(update, context, f"⚠️ {LABELS[name]} tidak sesuai. Contoh: 003")
        return state
    _answers(context)[name] = value
    return await ask(update, context, state + 1)


async def address(update: Update, context: Context) -> int:
    return await text_question(update, context, "address", ADDRESS)


async def rt(update: Update, context: Context) -> int:
    return await text_question(update, context, "rt", RT)


async def rw(update: Update, context: Context) -> int:
    return await text_question(update, context, "rw", RW)


async def head(update: Update, context: Context) -> int:
    value = (await typed_or_pressed(update)).lower()
    if value not in {"ya", "tidak"}:
        await send(update, context, "⚠️ Jawab ya atau tidak.")
        return HEAD
    _answers(context)["head_lives_here"] = value == "ya"
    return await ask(update, context, PHONE)


async def phone(update: Update, context: Context) -> int:
    value = await typed_or_pressed(update)
    if value.lower() != "lewati":
        if not _PHONE.match(value.replace(" ", "")):
            await send(update, context, "⚠️ Nomor HP tidak sesuai. Contoh: 081234567890")
            return PHONE
        _answers(context)["phone"] = value.replace(" ", "")
    return await ask(update, context, NOTES)


async def notes(update: Update, context: Context) -> int:
    value = await typed_or_pressed(update)
    if value.lower() != "lewati":
        _answers(context)["notes"] = value[:500]
    return await review(update, context)


async def review(update: Update, context: Context) -> int:
    answers = _answers(context)
    lines = [
        f"{i}. {LABELS[name]}: {answers[name]}"
        for i, name in enumerate(ORDER, 1)
        if name in answers
    ]
    await send(
        update,
        context,
        "Ketik nomor untuk mengubah, mis. 2. Atau pilih Simpan.",
        keyboard(("Simpan", "simpan")),
        "Periksa jawaban:\n" + "\n".join(lines),
    )
    return REVIEW


async def confirm(update: Update, context: Context) -> int:
    assert context.user_data is not None and update.effective_chat is not None
    value = (await typed_or_pressed(update)).lower()
    if value.isdigit() and 1 <= int(value) <= len(ORDER):
        return await ask(update, context, STATUS + int(value) - 1)
    if value != "simpan":
        await send(update, context, "⚠️ Ketik nomor untuk mengubah, atau simpan.")
        return REVIEW
    form = context.user_data.pop("form")
    index = form["household"]
    context.bot_data["submissions"].append(
        {"household": index, "by": update.effective_chat.id, "answers": form["answers"]}
    )
    context.bot_data["register"][index]["status"] = "verified"
    head_name = context.bot_data["register"][index]["head_name"]
    return await start(update, context, f"Tersimpan: keluarga {head_name}, status Terverifikasi.")


async def cancel(update: Update, context: Context) -> int:
    assert context.user_data is not None
    context.user_data.pop("form", None)
    return await start(update, context, "Isian dibatalkan. Tidak ada yang diubah.")


async def load_register(application: App) -> None:
    data = application.bot_data
    if "register" not in data:
        count = application.bot_data.get("households_wanted", 0)
        data["register"] = [_as_dict(household(i)) for i in range(count)]
        data["submissions"] = []


def _as_dict(h: Any) -> dict[str, Any]:
    return {
        "index": h.index,
        "head_name": h.head_name,
        "no_kk": h.no_kk,
        "address": h.address,
        "rt": h.rt,
        "rw": h.rw,
        "status": "pending",
    }


def build(args: argparse.Namespace) -> App:
    persistence = PicklePersistence(filepath=Path(args.data) / "ptb.pickle")

    async def post_init(application: App) -> None:
        application.bot_data.setdefault("households_wanted", args.households)
        await load_register(application)

    application = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(f"{args.api}/bot")
        .base_file_url(f"{args.api}/file/bot")
        .persistence(persistence)
        .post_init(post_init)
        .build()
    )
    text = filters.TEXT & ~filters.COMMAND

    def either(callback: Any) -> list[Any]:
        return [MessageHandler(text, callback), CallbackQueryHandler(callback)]

    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            MENU: either(menu),
            SEARCH: either(search),
            PICK: either(pick),
            STATUS: either(status),
            ADDRESS: either(address),
            RT: either(rt),
            RW: either(rw),
            HEAD: either(head),
            PHONE: either(phone),
            NOTES: either(notes),
            REVIEW: either(confirm),
        },
        fallbacks=[
            CommandHandler("start", start),
            CommandHandler("batal", cancel),
            MessageHandler(filters.Regex(r"(?i)^\s*batal\s*$"), cancel),
        ],
        name="verifikasi_keluarga",
        persistent=True,
    )
    application.add_handler(conversation)
    return application


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", required=True, help="Bot API base URL")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", choices=["webhook", "polling"], default="polling")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--secret", default="")
    parser.add_argument("--webhook-url", default="https://bench.invalid/" + WEBHOOK_PATH)
    parser.add_argument("--data", required=True, help="folder for the pickle file")
    parser.add_argument("--households", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    # CallbackQueryHandler in a per-chat conversation: the usual set-up, and PTB warns about it.
    warnings.filterwarnings("ignore", category=PTBUserWarning)
    application = build(args)
    if args.mode == "polling":
        application.run_polling(timeout=25, poll_interval=0.0)
        return
    application.run_webhook(
        listen=args.host,
        port=args.port,
        url_path=WEBHOOK_PATH,
        secret_token=args.secret,
        webhook_url=args.webhook_url,
    )


if __name__ == "__main__":
    main()
