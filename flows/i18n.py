"""Message catalog of the form engine: every user-facing engine text lives here.

Bahasa Indonesia ("id") first, English ("en") second. Messages are short (phone screens) and every
error says what is expected, with an example.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANG = "id"

MESSAGES: dict[str, dict[str, str]] = {
    # --- answer errors (each says what is expected, with an example) ---
    "err_empty": {
        "id": "Jawaban kosong. Ketik jawaban Anda.",
        "en": "Empty answer. Please type your answer.",
    },
    "err_text_long": {
        "id": "Terlalu panjang: paling banyak {max} huruf. Contoh: Jl. Merdeka No. 5",
        "en": "Too long: at most {max} characters. Example: Jl. Merdeka No. 5",
    },
    "err_text_short": {
        "id": "Terlalu pendek: paling sedikit {min} huruf. Contoh: Jl. Merdeka No. 5",
        "en": "Too short: at least {min} characters. Example: Jl. Merdeka No. 5",
    },
    "err_integer": {
        "id": "Harus angka bulat. Contoh: {example}",
        "en": "Must be a whole number. Example: {example}",
    },
    "err_decimal": {
        "id": "Harus angka. Contoh: {example}",
        "en": "Must be a number. Example: {example}",
    },
    "err_range": {
        "id": "Angka harus antara {min} dan {max}. Contoh: {example}",
        "en": "The number must be between {min} and {max}. Example: {example}",
    },
    "err_min": {
        "id": "Angka paling kecil {min}. Contoh: {example}",
        "en": "The number must be at least {min}. Example: {example}",
    },
    "err_max": {
        "id": "Angka paling besar {max}. Contoh: {example}",
        "en": "The number must be at most {max}. Example: {example}",
    },
    "err_choice": {
        "id": "Pilih salah satu: ketik nomor atau nama pilihan. Contoh: 1 atau {example}",
        "en": "Pick one option: type its number or name. Example: 1 or {example}",
    },
    "err_multi": {
        "id": "Pilih satu atau lebih: ketik nomor dipisah koma. Contoh: 1,3",
        "en": "Pick one or more: type the numbers separated by commas. Example: 1,3",
    },
    "err_yes_no": {
        "id": "Jawab ya atau tidak. Contoh: ya",
        "en": "Answer yes or no. Example: yes",
    },
    "err_date": {
        "id": "Tanggal tidak dikenali. Contoh: 17-08-1990 atau 17 Agustus 1990",
        "en": "Date not recognised. Example: 17-08-1990 or 17 August 1990",
    },
    "err_nik_digits": {
        "id": "NIK harus 16 angka. Contoh: 1804072704900258",
        "en": "NIK must be 16 digits. Example: 1804072704900258",
    },
    "err_nik_province": {
        "id": "Kode provinsi {code} di NIK tidak dikenal. Contoh: 1804072704900258",
        "en": "Province code {code} in the NIK is unknown. Example: 1804072704900258",
    },
    "err_nik_date": {
        "id": "Tanggal lahir di NIK (angka 7-12) tidak valid. Contoh: 1804072704900258",
        "en": "The birth date in the NIK (digits 7-12) is invalid. Example: 1804072704900258",
    },
    "warn_nik_regency": {
        "id": "Kode kabupaten/kota {code} di NIK tidak dikenal.",
        "en": "Regency/city code {code} in the NIK is unknown.",
    },
    "warn_nik_district": {
        "id": "Kode kecamatan {code} di NIK tidak dikenal.",
        "en": "District code {code} in the NIK is unknown.",
    },
    "warn_nik_serial": {
        "id": "Nomor urut NIK 0000 tidak lazim.",
        "en": "NIK serial 0000 is unusual.",
    },
    "warn_nik_future": {
        "id": "Tanggal lahir di NIK ada di masa depan.",
        "en": "The birth date in the NIK is in the future.",
    },
    "err_kk_digits": {
        "id": "No. KK harus 16 angka. Contoh: 1804071203150004",
        "en": "Family card number must be 16 digits. Example: 1804071203150004",
    },
    "err_kk_province": {
        "id": "Kode provinsi {code} di No. KK tidak dikenal. Contoh: 1804071203150004",
        "en": "Province code {code} in the family card number is unknown. "
        "Example: 1804071203150004",
    },
    "err_kk_date": {
        "id": "Tanggal di No. KK (angka 7-12) tidak valid. Contoh: 1804071203150004",
        "en": "The date in the family card number (digits 7-12) is invalid. "
        "Example: 1804071203150004",
    },
    "warn_kk_regency": {
        "id": "Kode kabupaten/kota {code} di No. KK tidak dikenal.",
        "en": "Regency/city code {code} in the family card number is unknown.",
    },
    "err_phone": {
        "id": "Nomor HP tidak valid. Contoh: 081234567890",
        "en": "Invalid phone number. Example: 081234567890",
    },
    "err_location": {
        "id": "Kirim lokasi (tombol lampiran > Lokasi) atau ketik koordinat. Contoh: -5.05, 104.15",
        "en": "Send a location (attach > Location) or type coordinates. Example: -5.05, 104.15",
    },
    "err_photo": {
        "id": "Kirim sebuah foto. Contoh: foto rumah dari depan",
        "en": "Send a photo. Example: a photo of the house from the front",
    },
    "err_wrong_kind": {
        "id": "Jawaban ini tidak cocok. {expected}",
        "en": "This answer does not fit. {expected}",
    },
    "expect_text": {
        "id": "Ketik jawaban berupa teks. Contoh: Jl. Merdeka No. 5",
        "en": "Type your answer as text. Example: Jl. Merdeka No. 5",
    },
    "expect_number": {"id": "Ketik angka. Contoh: 5", "en": "Type a number. Example: 5"},
    "expect_choice": {
        "id": "Pilih tombol atau ketik nomornya. Contoh: 1",
        "en": "Tap a button or type its number. Example: 1",
    },
    "expect_date": {
        "id": "Ketik tanggal. Contoh: 17-08-1990",
        "en": "Type a date. Example: 17-08-1990",
    },
    "expect_nik": {
        "id": "Ketik NIK 16 angka. Contoh: 1804072704900258",
        "en": "Type the 16-digit NIK. Example: 1804072704900258",
    },
    "expect_kk": {
        "id": "Ketik No. KK 16 angka. Contoh: 1804071203150004",
        "en": "Type the 16-digit family card number. Example: 1804071203150004",
    },
    "expect_phone": {
        "id": "Ketik nomor HP. Contoh: 081234567890",
        "en": "Type a phone number. Example: 081234567890",
    },
    "err_required": {
        "id": "Pertanyaan ini wajib diisi, tidak bisa dilewati.",
        "en": "This question is required and cannot be skipped.",
    },
    "err_constraint": {
        "id": "Jawaban tidak sesuai syarat. Periksa lagi.",
        "en": "The answer does not meet the condition. Please check.",
    },
    "err_no_back": {
        "id": "Ini pertanyaan pertama, tidak bisa kembali.",
        "en": "This is the first question; there is nothing to go back to.",
    },
    "err_review": {
        "id": "Ketik nomor 1-{count} untuk mengubah, atau ketik simpan. Contoh: 2",
        "en": "Type a number 1-{count} to change an answer, or type save. Example: 2",
    },
    "err_confirm": {
        "id": "Jawab ya atau tidak. Contoh: ya",
        "en": "Answer yes or no. Example: yes",
    },
    "err_internal": {
        "id": "Maaf, ada kesalahan. Coba jawab lagi.",
        "en": "Sorry, something went wrong. Please answer again.",
    },
    # --- prompts ---
    "keep_option": {"id": "Tetap: {value}", "en": "Keep: {value}"},
    "current_value": {"id": "Sekarang: {value}", "en": "Current: {value}"},
    "hint_keep": {
        "id": "Ketik tetap untuk memakai data sekarang.",
        "en": "Type keep to use the current value.",
    },
    "hint_skip": {"id": "(boleh dilewati: ketik lewati)", "en": "(optional: type skip)"},
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Tidak", "en": "No"},
    "add_another": {"id": "Tambah lagi?", "en": "Add another?"},
    "item_default": {"id": "Data {n}", "en": "Item {n}"},
    "confirm_warning": {
        "id": "Tetap pakai jawaban ini? (ya/tidak)",
        "en": "Keep this answer anyway? (yes/no)",
    },
    "confirm_cancel": {
        "id": "Batalkan isian ini? Jawaban tidak disimpan. (ya/tidak)",
        "en": "Cancel this form? Answers will not be saved. (yes/no)",
    },
    "cancelled": {
        "id": "Isian dibatalkan. Ketik /mulai untuk mulai lagi.",
        "en": "Form cancelled. Type /start to begin again.",
    },
    "review_title": {"id": "Periksa jawaban:", "en": "Check your answers:"},
    "review_ask": {
        "id": "Ketik nomor untuk mengubah, mis. 2. Atau pilih Simpan.",
        "en": "Type a number to change it, e.g. 2. Or choose Save.",
    },
    "save": {"id": "Simpan", "en": "Save"},
    "cancel": {"id": "Batal", "en": "Cancel"},
    "summary_title": {"id": "Ringkasan: {title}", "en": "Summary: {title}"},
    "summary_empty": {"id": "(belum ada jawaban)", "en": "(no answers yet)"},
    "finished": {
        "id": "Isian ini sudah selesai. Ketik /mulai untuk isian baru.",
        "en": "This form is finished. Type /start for a new one.",
    },
    "expired": {
        "id": "Isian ini terlalu panjang dan dihentikan. Silakan mulai lagi dengan /mulai.",
        "en": "This form took too many steps and was stopped. Please start again with /start.",
    },
    "empty_value": {"id": "-", "en": "-"},
    "location_value": {"id": "{lat}, {lon}", "en": "{lat}, {lon}"},
    "photo_value": {"id": "(foto)", "en": "(photo)"},
}


def t(key: str, lang: str = DEFAULT_LANG, **kw: Any) -> str:
    """The message ``key`` in ``lang`` (falls back to Indonesian), formatted with ``kw``."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry[DEFAULT_LANG]
    try:
        return template.format(**kw)
    except (KeyError, IndexError, ValueError):
        return template
