"""The few words the WhatsApp channel adds around the handlers' texts (Bahasa Indonesia first)."""

from __future__ import annotations

# Handler labels longer than a WhatsApp button title (20 characters), said shorter here rather
# than cut mid-phrase ("Sudah dibaca &…").
SHORT_LABELS: dict[str, str] = {
    "Sudah dibaca & dipahami": "Sudah dibaca & paham",
}

_TEXTS: dict[str, dict[str, str]] = {
    "list_button": {"id": "Pilih", "en": "Choose"},
    "choose": {"id": "Pilih salah satu:", "en": "Choose one:"},
    "menu_type_number": {
        "id": "Ketik nomornya, mis. {example}.",
        "en": "Type the number, e.g. {example}.",
    },
    "menu_more": {
        "id": "Halaman {page} dari {pages}. Ketik *lagi* untuk pilihan berikutnya.",
        "en": "Page {page} of {pages}. Type *next* for more choices.",
    },
    "multi_hint": {
        "id": "Boleh lebih dari satu: ketik nomornya dipisah koma, mis. 1,3",
        "en": "You may choose several: type the numbers separated by commas, e.g. 1,3",
    },
    "location_skip": {
        "id": "Atau ketik *{skip}* untuk melewati.",
        "en": "Or type *{skip}* to skip.",
    },
    "photo_hint": {
        "id": "Kirim fotonya lewat tombol kamera atau lampiran 📎.",
        "en": "Send the photo with the camera or attachment 📎 button.",
    },
    "photo_skip": {
        "id": "Ketik *{skip}* untuk melewati.",
        "en": "Type *{skip}* to skip.",
    },
    # A received file the channel could not take (the handlers never saw it).
    "document_too_big": {
        "id": "Berkas ini lebih dari {size}, terlalu besar. Pecah daftarnya menjadi beberapa "
        "berkas (mis. per desa), atau simpan sebagai .csv, lalu kirim lagi.",
        "en": "This file is over {size}, too big. Split the list into several files (e.g. "
        "one per village), or save it as .csv, then send it again.",
    },
    "photo_too_big": {
        "id": "Foto ini lebih dari {size}, terlalu besar. Kirim foto yang lebih kecil.",
        "en": "This photo is over {size}, too big. Send a smaller photo.",
    },
    "document_failed": {
        "id": "Berkas Anda belum berhasil diterima (gangguan saat mengunduh). Coba kirim lagi "
        "berkasnya.",
        "en": "Your file did not come through (a download problem). Please send it again.",
    },
    "photo_failed": {
        "id": "Foto Anda belum berhasil diterima (gangguan saat mengunduh). Coba kirim lagi "
        "fotonya.",
        "en": "Your photo did not come through (a download problem). Please send it again.",
    },
}

NEXT_PAGE_WORDS = frozenset({"lagi", "next", "berikutnya", "selanjutnya"})


def size_text(size: int) -> str:
    """A byte count as people say it: "20 MB", "512 KB"."""
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{max(size // 1024, 1)} KB"


def wa_text(key: str, lang: str = "id", **params: object) -> str:
    entry = _TEXTS[key]
    return entry.get(lang, entry["id"]).format(**params)
