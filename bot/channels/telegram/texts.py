"""The Telegram channel's own words (buttons, hints, callback answers), Indonesian first."""

from __future__ import annotations

_TEXTS: dict[str, dict[str, str]] = {
    "id": {
        "send_location": "📍 Kirim lokasi saat ini",
        "location_hint": "Tekan tombol di bawah untuk mengirim lokasi.",
        "photo_hint": "Kirim foto lewat tombol 📎 (lampiran).",
        "multi_hint": "Boleh lebih dari satu: ketik nomornya, mis. 1,3",
        "choose_hint": "Ketik nomor pilihan Anda.",
        "page_prev": "‹ Sebelumnya",
        "page_next": "Berikutnya ›",
        "chosen": "Dipilih",
        "forged": "Tombol ini tidak dikenali. Silakan ketik jawaban Anda.",
        "stale": "Pertanyaan ini sudah dijawab atau sudah lewat. Ketik /lanjut untuk "
        "pertanyaan saat ini.",
        "page_expired": "Daftar ini sudah kedaluwarsa. Ketik nomor atau nama pilihan Anda.",
        "document_too_big": "Berkas ini lebih dari 20 MB, terlalu besar untuk bot. Pecah "
        "daftarnya menjadi beberapa berkas (mis. per desa), atau simpan sebagai .csv, lalu "
        "kirim lagi.",
        "photo_too_big": "Foto ini lebih dari 20 MB, terlalu besar untuk bot. Kirim foto yang "
        "lebih kecil.",
        "document_failed": "Berkas Anda belum berhasil diterima (gangguan saat mengunduh). "
        "Coba kirim lagi berkasnya.",
        "photo_failed": "Foto Anda belum berhasil diterima (gangguan saat mengunduh). Coba "
        "kirim lagi fotonya.",
        "private_only": "Kawal hanya melayani chat pribadi. Buka @{bot} lalu tekan MULAI.",
        "private_only_unnamed": "Kawal hanya melayani chat pribadi. Ketuk nama bot ini, kirim "
        "pesan, lalu tekan MULAI.",
        "cmd_start": "Mulai / daftar dengan kode undangan",
        "cmd_menu": "Menu utama",
        "cmd_lanjut": "Lanjutkan formulir yang terbuka",
        "cmd_batal": "Batalkan formulir yang terbuka",
        "cmd_bantuan": "Bantuan",
        "cmd_tenggat": "Tenggat dan progresnya",
    },
    "en": {
        "send_location": "📍 Send current location",
        "location_hint": "Press the button below to send your location.",
        "photo_hint": "Send a photo with the 📎 (attach) button.",
        "multi_hint": "Several allowed: type the numbers, e.g. 1,3",
        "choose_hint": "Type the number of your choice.",
        "page_prev": "‹ Previous",
        "page_next": "Next ›",
        "chosen": "Chosen",
        "forged": "This button is not recognised. Please type your answer.",
        "stale": "This question was already answered or has passed. Type /lanjut for the "
        "current question.",
        "page_expired": "This list has expired. Type the number or name of your choice.",
        "document_too_big": "This file is over 20 MB, too big for the bot. Split the list into "
        "several files (e.g. one per village), or save it as .csv, then send it again.",
        "photo_too_big": "This photo is over 20 MB, too big for the bot. Send a smaller photo.",
        "document_failed": "Your file did not come through (a download problem). Please send "
        "it again.",
        "photo_failed": "Your photo did not come through (a download problem). Please send it "
        "again.",
        "private_only": "Kawal only serves private chats. Open @{bot} and press START.",
        "private_only_unnamed": "Kawal only serves private chats. Tap this bot's name, send it "
        "a message, then press START.",
        "cmd_start": "Start / register with an invite code",
        "cmd_menu": "Main menu",
        "cmd_lanjut": "Resume the open form",
        "cmd_batal": "Cancel the open form",
        "cmd_bantuan": "Help",
        "cmd_tenggat": "Deadlines and their progress",
    },
}

COMMANDS = ("start", "menu", "lanjut", "batal", "bantuan", "tenggat")


def tg(key: str, lang: str = "id") -> str:
    return _TEXTS.get(lang, _TEXTS["id"]).get(key) or _TEXTS["id"][key]


def private_only(lang: str, bot_username: str) -> str:
    """The one line said in a group or channel (and on a button pressed there)."""
    if not bot_username:
        return tg("private_only_unnamed", lang)
    return tg("private_only", lang).format(bot=bot_username)
