"""Message catalog of the handlers: Bahasa Indonesia first, English second.

Keep messages short (a phone screen) and make every error say what to do next, with an example.
"""

from __future__ import annotations

from typing import Any

LANGS = ("id", "en")

_CATALOG: dict[str, dict[str, str]] = {
    # registration
    "welcome_unregistered": {
        "id": "Halo! Saya Kawal, pendamping pemutakhiran data DTKS/DTSEN.\n"
        "Untuk mendaftar, kirim kode undangan dari Dinsos.\nContoh: DAFTAR KWL-7F3K9Q",
        "en": "Hello! I am Kawal, your guide for DTKS/DTSEN data updates.\n"
        "To register, send the invite code from Dinsos.\nExample: DAFTAR KWL-7F3K9Q",
    },
    "invite_invalid": {
        "id": "Kode undangan {code} tidak berlaku (salah ketik, kedaluwarsa, atau sudah dipakai).\n"
        "Periksa lagi atau minta kode baru ke Dinsos. Contoh: DAFTAR KWL-7F3K9Q",
        "en": "Invite code {code} is not valid (typo, expired or already used).\n"
        "Check it or ask Dinsos for a new one. Example: DAFTAR KWL-7F3K9Q",
    },
    "already_registered": {
        "id": "Anda sudah terdaftar. Ketik MENU untuk mulai.",
        "en": "You are already registered. Type MENU to start.",
    },
    "role_added": {
        "id": "Peran baru ditambahkan: {role} {region}.",
        "en": "New role added: {role} {region}.",
    },
    "consent_notice": {
        "id": "Pemberitahuan data pribadi (UU PDP No. 27/2022)\n"
        "Kawal mencatat jawaban Anda tentang keluarga di wilayah tugas Anda, hanya untuk "
        "pemutakhiran DTKS/DTSEN oleh Dinas Sosial. NIK dan No. KK disamarkan di luar wilayah "
        "tugas. Kawal tidak pernah meminta foto KTP atau KK: jangan kirimkan.\n"
        "Apakah Anda setuju?",
        "en": "Personal data notice (Law 27/2022)\n"
        "Kawal records your answers about families in your area only to update DTKS/DTSEN for "
        "the social affairs office. NIK and KK numbers are masked outside your area. Kawal never "
        "asks for photos of ID or family cards: do not send them.\nDo you agree?",
    },
    "consent_yes": {"id": "Setuju", "en": "I agree"},
    "consent_no": {"id": "Tidak setuju", "en": "I do not agree"},
    "consent_declined": {
        "id": "Baik. Tanpa persetujuan, Kawal tidak mencatat data apa pun.\n"
        "Jika berubah pikiran, ketik SETUJU.",
        "en": "Understood. Without consent Kawal records nothing.\n"
        "If you change your mind, type AGREE.",
    },
    "consent_again": {
        "id": "Mohon jawab dulu pemberitahuan data pribadi: pilih Setuju atau Tidak setuju.",
        "en": "Please answer the data notice first: choose I agree or I do not agree.",
    },
    "ask_name": {
        "id": "Siapa nama Anda? Contoh: Siti Aminah",
        "en": "What is your name? Example: Siti Aminah",
    },
    "name_invalid": {
        "id": "Nama harus 2–80 huruf. Contoh: Siti Aminah",
        "en": "A name must be 2–80 letters. Example: Siti Aminah",
    },
    "registered": {
        "id": "Terima kasih, {name}. Anda terdaftar sebagai {role} {region}.",
        "en": "Thank you, {name}. You are registered as {role} {region}.",
    },
    # roles
    "role_operator": {"id": "operator SIKS-NG", "en": "SIKS-NG operator"},
    "role_peratin": {"id": "kepala desa/peratin", "en": "village head"},
    "role_camat": {"id": "camat", "en": "sub-district head"},
    "role_dinsos": {"id": "petugas Dinsos", "en": "Dinsos officer"},
    "role_admin": {"id": "admin", "en": "admin"},
    # menu
    "menu_title": {
        "id": "Menu utama. Pilih nomor, mis. 1:",
        "en": "Main menu. Choose a number, e.g. 1:",
    },
    "menu_verify": {"id": "Verifikasi keluarga", "en": "Verify a family"},
    "menu_pending": {"id": "Keluarga belum diperbarui", "en": "Families not yet updated"},
    "menu_resume": {"id": "Lanjutkan isian", "en": "Continue the form"},
    "menu_progress": {"id": "Progres wilayah", "en": "Area progress"},
    "menu_language": {"id": "English", "en": "Bahasa Indonesia"},
    "menu_help": {"id": "Bantuan", "en": "Help"},
    "menu_members": {"id": "Anggota keluarga", "en": "Family members"},
    "menu_housing": {"id": "Kondisi rumah", "en": "Housing conditions"},
    "menu_propose": {"id": "Usulan keluarga baru", "en": "Propose a new family"},
    "menu_report": {"id": "Lapor kendala", "en": "Report a problem"},
    "menu_reports": {"id": "Laporan kendala", "en": "Problem reports"},
    "menu_export": {"id": "Ekspor data", "en": "Export data"},
    "menu_unknown": {
        "id": "Pilihan tidak dikenal. Ketik nomor dari menu, mis. 1, atau ketik MENU.",
        "en": "Unknown choice. Type a number from the menu, e.g. 1, or type MENU.",
    },
    "help": {
        "id": "Bantuan Kawal\n"
        "• MENU: menu utama\n• LANJUT: lanjutkan isian yang tertunda\n"
        "• BATAL: batalkan isian\n• KEMBALI: pertanyaan sebelumnya\n"
        "• LEWATI: lewati pertanyaan yang tidak wajib\n• RINGKASAN: jawaban sejauh ini\n"
        "• TENGGAT: tenggat dan progresnya\n"
        "Jawaban tersimpan setiap langkah; Anda bisa berhenti dan lanjut kapan saja.",
        "en": "Kawal help\n"
        "• MENU: main menu\n• LANJUT: continue an unfinished form\n"
        "• BATAL: cancel the form\n• KEMBALI: previous question\n"
        "• LEWATI: skip an optional question\n• RINGKASAN: answers so far\n"
        "• TENGGAT: deadlines and their progress\n"
        "Every answer is saved as you go; stop and continue at any time.",
    },
    "language_set": {
        "id": "Bahasa diganti ke Bahasa Indonesia.",
        "en": "Language changed to English.",
    },
    # households
    "search_prompt": {
        "id": "Cari keluarga di {village}: ketik nama, NIK, atau No. KK.\n"
        "Contoh: Agus Hidayat\nAtau pilih daftar yang belum diperbarui.",
        "en": "Find a family in {village}: type a name, NIK or KK number.\n"
        "Example: Agus Hidayat\nOr pick from the list not yet updated.",
    },
    "search_pending_button": {"id": "Daftar belum diperbarui", "en": "List not yet updated"},
    "search_results": {
        "id": "Ditemukan {n} keluarga. Pilih satu:",
        "en": "Found {n} families. Choose one:",
    },
    "search_none": {
        "id": 'Tidak ada keluarga yang cocok dengan "{query}" di {village}.\n'
        "Coba nama lain, atau 16 angka NIK/No. KK. Contoh: 1804191611200001",
        "en": 'No family matches "{query}" in {village}.\n'
        "Try another name or the 16-digit NIK/KK. Example: 1804191611200001",
    },
    "search_too_short": {
        "id": "Ketik minimal 3 huruf nama, atau 16 angka NIK/No. KK. Contoh: Agus",
        "en": "Type at least 3 letters of a name, or the 16-digit NIK/KK. Example: Agus",
    },
    "pending_title": {
        "id": "Belum diperbarui di {village}: {total} keluarga (hal. {page}/{pages}). Pilih:",
        "en": "Not yet updated in {village}: {total} families (page {page}/{pages}). Choose:",
    },
    "pending_none": {
        "id": "Semua keluarga di {village} sudah diperbarui. Terima kasih!",
        "en": "Every family in {village} is up to date. Thank you!",
    },
    "page_next": {"id": "Berikutnya ›", "en": "Next ›"},
    "page_prev": {"id": "‹ Sebelumnya", "en": "‹ Previous"},
    "household_not_allowed": {
        "id": "Keluarga itu tidak ada di wilayah tugas Anda. Cari lagi dengan nama atau No. KK.",
        "en": "That family is not in your area. Search again by name or KK number.",
    },
    "no_village": {
        "id": "Akun Anda belum terhubung ke desa mana pun. Hubungi Dinsos untuk kode undangan.",
        "en": "Your account is not linked to any village. Ask Dinsos for an invite code.",
    },
    # forms
    "form_open_elsewhere": {
        "id": "Anda masih punya isian yang belum selesai: {form}.\n"
        "Ketik LANJUT untuk melanjutkan, atau BATAL untuk membatalkannya.",
        "en": "You still have an unfinished form: {form}.\n"
        "Type LANJUT to continue it, or BATAL to cancel it.",
    },
    "form_resume": {"id": "Melanjutkan isian: {form}", "en": "Continuing: {form}"},
    "no_open_form": {
        "id": "Tidak ada isian yang tertunda. Ketik MENU untuk memulai.",
        "en": "There is no unfinished form. Type MENU to start.",
    },
    "form_changed": {
        "id": "Formulir {form} sudah diperbarui sejak Anda mulai. Mohon mulai lagi dari MENU.",
        "en": "The form {form} has changed since you started. Please start again from MENU.",
    },
    "form_for": {"id": "{form}: keluarga {head}", "en": "{form}: family of {head}"},
    "form_saved": {
        "id": "✅ Tersimpan. Keluarga {head}: {status}.",
        "en": "✅ Saved. Family of {head}: {status}.",
    },
    "form_cancelled": {
        "id": "Isian dibatalkan. Tidak ada yang diubah.",
        "en": "Form cancelled. Nothing was changed.",
    },
    "cancel_nothing": {
        "id": "Tidak ada isian yang sedang berjalan. Ketik MENU.",
        "en": "No form is running. Type MENU.",
    },
    "status_pending": {"id": "belum diperbarui", "en": "not yet updated"},
    "status_verified": {"id": "terverifikasi", "en": "verified"},
    "status_updated": {"id": "diperbarui", "en": "updated"},
    "status_proposed": {"id": "usulan baru", "en": "new proposal"},
    "status_not_found": {"id": "tidak ditemukan", "en": "not found"},
    "form_in_village": {"id": "{form}: {village}", "en": "{form}: {village}"},
    "proposal_saved": {
        "id": "✅ Tersimpan. Usulan keluarga baru {head} tercatat (status: usulan baru).",
        "en": "✅ Saved. New family proposal {head} recorded (status: new proposal).",
    },
    "report_saved": {
        "id": "✅ Laporan kendala #{id} terkirim ke Dinsos. "
        "Jawaban Dinsos akan datang lewat chat ini.",
        "en": "✅ Problem report #{id} sent to Dinsos. Their answer will come through this chat.",
    },
    "dup_nik_here": {
        "id": "⚠️ NIK {nik} sudah tercatat untuk {name} di keluarga lain di {village}. "
        "Periksa lagi: ketik nomor jawaban untuk mengubah, atau SIMPAN bila memang benar.",
        "en": "⚠️ NIK {nik} is already recorded for {name} in another family in {village}. "
        "Check it: type the answer's number to change it, or SAVE if it is right.",
    },
    "dup_kk": {
        "id": "⚠️ No. KK {kk} sudah terdaftar untuk keluarga lain di {village}. "
        "Periksa lagi: ketik nomor jawaban untuk mengubah, atau SIMPAN bila memang benar.",
        "en": "⚠️ KK number {kk} is already registered for another family in {village}. "
        "Check it: type the answer's number to change it, or SAVE if it is right.",
    },
    "dup_nik_elsewhere": {
        "id": "⚠️ NIK {nik} sudah tercatat di keluarga lain di {village} (di luar wilayah Anda). "
        "Periksa lagi: ketik nomor jawaban untuk mengubah, atau SIMPAN bila memang benar.",
        "en": "⚠️ NIK {nik} is already recorded in another family in {village} (outside your "
        "area). Check it: type the answer's number to change it, or SAVE if it is right.",
    },
    # import and export
    "import_not_allowed": {
        "id": "Hanya petugas Dinsos yang bisa mengimpor daftar DTKS. Ketik MENU.",
        "en": "Only Dinsos officers can import DTKS lists. Type MENU.",
    },
    "import_bad_file": {
        "id": "Kirim daftar DTKS sebagai berkas .csv atau .xlsx (satu baris per orang). "
        "Contoh nama berkas: dtks_sri_menanti.xlsx",
        "en": "Send the DTKS list as a .csv or .xlsx file (one row per person). "
        "Example file name: dtks_sri_menanti.xlsx",
    },
    "import_outside": {
        "id": "Wilayah {region} di luar wilayah tugas Anda.",
        "en": "Region {region} is outside your area.",
    },
    "export_ready": {
        "id": "Ekspor {region}: {households} keluarga, {members} anggota, {proposals} usulan baru.",
        "en": "Export {region}: {households} families, {members} members, {proposals} proposals.",
    },
    "export_not_allowed": {
        "id": "Ekspor data hanya untuk Dinsos, camat dan kepala desa/peratin.",
        "en": "Data export is only for Dinsos, sub-district and village heads.",
    },
    # problem reports
    "reports_none": {
        "id": "Tidak ada laporan kendala yang terbuka di {region}.",
        "en": "No open problem reports in {region}.",
    },
    "reports_title": {
        "id": "Laporan kendala terbuka di {region} ({n}):",
        "en": "Open problem reports in {region} ({n}):",
    },
    "report_line": {
        "id": "#{id} · {when} · {village} · {category}\n{text}",
        "en": "#{id} · {when} · {village} · {category}\n{text}",
    },
    # progress
    "progress_line": {
        "id": "{name}: {done} dari {total} keluarga sudah diperbarui ({pct}%)",
        "en": "{name}: {done} of {total} families updated ({pct}%)",
    },
    "progress_detail": {
        "id": "Terverifikasi {verified} · diperbarui {updated} · tidak ditemukan {not_found} · "
        "belum {pending} · usulan baru {proposed}",
        "en": "Verified {verified} · updated {updated} · not found {not_found} · "
        "pending {pending} · new proposals {proposed}",
    },
    "progress_empty": {
        "id": "Belum ada data keluarga untuk {name}. Dinsos perlu mengimpor daftar DTKS dulu.",
        "en": "No family data for {name} yet. Dinsos must import the DTKS list first.",
    },
    # deadlines (issue 6): dates, the /tenggat view, reminders, the Dinsos form
    "menu_deadlines": {"id": "Tenggat", "en": "Deadlines"},
    "weekdays": {
        "id": "Senin,Selasa,Rabu,Kamis,Jumat,Sabtu,Minggu",
        "en": "Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday",
    },
    "months": {
        "id": "Januari,Februari,Maret,April,Mei,Juni,Juli,Agustus,September,Oktober,November,"
        "Desember",
        "en": "January,February,March,April,May,June,July,August,September,October,November,"
        "December",
    },
    "date_format": {
        "id": "{weekday}, {day} {month} {year}",
        "en": "{weekday}, {day} {month} {year}",
    },
    "when_format": {
        "id": "{date} pukul {hour}.{minute} {zone}",
        "en": "{date} at {hour}:{minute} {zone}",
    },
    "days_today": {"id": "hari ini", "en": "today"},
    "days_tomorrow": {"id": "besok", "en": "tomorrow"},
    "days_left": {"id": "{n} hari lagi", "en": "in {n} days"},
    "days_passed": {"id": "sudah lewat", "en": "passed"},
    "offset_day": {"id": "H-{n}", "en": "{n} days before"},
    "offset_zero": {"id": "hari H", "en": "on the day"},
    "repeat_once": {"id": "tidak (sekali saja)", "en": "no (once)"},
    "repeat_monthly": {"id": "setiap bulan tanggal {day}", "en": "monthly on day {day}"},
    "repeat_monthly_until": {
        "id": "setiap bulan tanggal {day} sampai {until}",
        "en": "monthly on day {day} until {until}",
    },
    "villages_word": {"id": "desa/kelurahan", "en": "villages"},
    "village_no_data": {
        "id": "{village}: belum ada data keluarga di Kawal",
        "en": "{village}: no family data in Kawal yet",
    },
    "area_summary": {
        "id": "{area}: {finished} dari {villages} {word} selesai · {done} dari {total} keluarga "
        "sudah diperbarui ({pct}%)",
        "en": "{area}: {finished} of {villages} {word} finished · {done} of {total} families "
        "updated ({pct}%)",
    },
    "area_no_data": {
        "id": "{n} {word} belum ada data keluarga",
        "en": "{n} {word} without family data yet",
    },
    "laggards_title": {"id": "Belum selesai:", "en": "Not finished yet:"},
    "laggard_line": {
        "id": "• {village}: {done} dari {total} ({pct}%)",
        "en": "• {village}: {done} of {total} ({pct}%)",
    },
    "more_villages": {"id": "… dan {n} lainnya", "en": "… and {n} more"},
    "remaining": {"id": "Tinggal {n} keluarga lagi.", "en": "{n} families to go."},
    "reminder_title": {
        "id": "⏰ Pengingat tenggat: {title}",
        "en": "⏰ Deadline reminder: {title}",
    },
    "reminder_changed_title": {
        "id": "⚠️ Tenggat diubah: {title}",
        "en": "⚠️ Deadline changed: {title}",
    },
    "deadline_due": {"id": "Batas: {when} ({relative})", "en": "Due: {when} ({relative})"},
    "deadline_passed": {"id": "Batas: {when} (sudah lewat)", "en": "Due: {when} (passed)"},
    "deadline_note": {"id": "Catatan: {note}", "en": "Note: {note}"},
    "thanks_text": {
        "id": "🎉 Terima kasih! {area} sudah selesai untuk tenggat {title} (batas {when}).",
        "en": "🎉 Thank you! {area} has finished for the deadline {title} (due {when}).",
    },
    "escalation_title": {
        "id": "⚠️ Tenggat lewat: {title} ({when})",
        "en": "⚠️ Deadline passed: {title} ({when})",
    },
    "escalation_area": {
        "id": "{area}: {n} dari {villages} {word} belum selesai",
        "en": "{area}: {n} of {villages} {word} not finished",
    },
    "escalation_ask": {
        "id": "Mohon tindak lanjuti bersama operator dan kepala desa/peratin.",
        "en": "Please follow up with the operators and village heads.",
    },
    "deadline_cancelled_notice": {
        "id": "Tenggat {title} (batas {when}) dibatalkan oleh Dinsos. "
        "Tidak ada pengingat lagi untuk tenggat ini.",
        "en": "The deadline {title} (due {when}) was cancelled by Dinsos. "
        "No more reminders for it.",
    },
    "deadlines_title": {"id": "📅 Tenggat", "en": "📅 Deadlines"},
    "deadlines_none": {
        "id": "Belum ada tenggat untuk wilayah Anda.",
        "en": "There are no deadlines for your area.",
    },
    "deadline_add": {"id": "➕ Tambah tenggat", "en": "➕ New deadline"},
    "deadline_manage": {"id": "Kelola: {title}", "en": "Manage: {title}"},
    "deadline_edit": {"id": "Ubah", "en": "Edit"},
    "deadline_cancel": {"id": "Batalkan tenggat", "en": "Cancel the deadline"},
    "deadline_back": {"id": "Kembali", "en": "Back"},
    "deadline_cancel_confirm": {
        "id": "Batalkan tenggat {title}? Pengingat yang belum terkirim tidak dikirim, dan yang "
        "sudah menerima pengingat diberi tahu.",
        "en": "Cancel the deadline {title}? Reminders not yet sent are dropped, and whoever "
        "got a reminder is told.",
    },
    "deadline_cancel_yes": {"id": "Ya, batalkan", "en": "Yes, cancel it"},
    "deadline_cancel_no": {"id": "Tidak", "en": "No"},
    "deadline_cancelled": {
        "id": "Tenggat {title} dibatalkan.",
        "en": "Deadline {title} cancelled.",
    },
    "deadline_not_found": {
        "id": "Tenggat itu tidak ada di wilayah Anda atau sudah dibatalkan. "
        "Ketik /tenggat untuk melihat daftarnya.",
        "en": "That deadline is not in your area or was cancelled. Type /tenggat for the list.",
    },
    "field_title": {"id": "Nama", "en": "Title"},
    "field_due": {"id": "Batas", "en": "Due"},
    "field_repeat": {"id": "Berulang", "en": "Repeats"},
    "field_region": {"id": "Wilayah", "en": "Region"},
    "field_roles": {"id": "Untuk", "en": "For"},
    "field_offsets": {"id": "Pengingat", "en": "Reminders"},
    "field_time": {"id": "Jam pengingat", "en": "Reminder time"},
    "field_note": {"id": "Catatan", "en": "Note"},
    "dlf_form_name": {"id": "tenggat", "en": "deadline"},
    "dlf_not_allowed": {
        "id": "Hanya petugas Dinsos yang bisa mengatur tenggat. Ketik /tenggat untuk melihatnya.",
        "en": "Only Dinsos officers can set deadlines. Type /tenggat to see them.",
    },
    "dlf_intro_new": {
        "id": "Tenggat baru. Ketik BATAL untuk berhenti, KEMBALI untuk pertanyaan sebelumnya.",
        "en": "New deadline. Type BATAL to stop, KEMBALI for the previous question.",
    },
    "dlf_intro_edit": {
        "id": "Ubah tenggat #{id} {title}.",
        "en": "Edit deadline #{id} {title}.",
    },
    "dlf_required": {
        "id": "Pertanyaan ini wajib dijawab.",
        "en": "This question needs an answer.",
    },
    "dlf_title": {
        "id": "Nama tenggat? Contoh: Ekspor DTKS",
        "en": "Deadline title? Example: DTKS export",
    },
    "dlf_title_invalid": {
        "id": "Nama tenggat 3–80 huruf. Contoh: Ekspor DTKS",
        "en": "A deadline title has 3–80 characters. Example: DTKS export",
    },
    "dlf_due": {
        "id": "Kapan batasnya? Tulis tanggal dan jam ({zone}). Contoh: 27-01-2027 16.00",
        "en": "When is it due? Type the date and time ({zone}). Example: 27-01-2027 16.00",
    },
    "dlf_due_invalid": {
        "id": "Tanggal dan jam tidak dikenali. Tulis seperti ini: 27-01-2027 16.00",
        "en": "Date and time not understood. Type it like this: 27-01-2027 16.00",
    },
    "dlf_due_no_time": {
        "id": "Tulis juga jamnya. Contoh: {date} 16.00",
        "en": "Add the time too. Example: {date} 16.00",
    },
    "dlf_due_past": {
        "id": "Batas harus setelah sekarang ({now}). Contoh: 27-01-2027 16.00",
        "en": "The deadline must be after now ({now}). Example: 27-01-2027 16.00",
    },
    "dlf_repeat": {"id": "Apakah tenggat ini berulang?", "en": "Does this deadline repeat?"},
    "dlf_repeat_once": {"id": "Sekali saja", "en": "Once only"},
    "dlf_repeat_monthly": {"id": "Tiap bulan tgl. {day}", "en": "Monthly on day {day}"},
    "dlf_repeat_invalid": {
        "id": "Pilih 1 (sekali saja) atau 2 (setiap bulan). Contoh: 1",
        "en": "Choose 1 (once only) or 2 (monthly). Example: 1",
    },
    "dlf_until": {
        "id": "Berulang sampai kapan? Contoh: 31-12-2027. Atau pilih Tanpa batas akhir.",
        "en": "Repeat until when? Example: 31-12-2027. Or choose No end date.",
    },
    "dlf_until_none": {"id": "Tanpa batas akhir", "en": "No end date"},
    "dlf_until_invalid": {
        "id": "Tanggal tidak dikenali. Contoh: 31-12-2027, atau ketik LEWATI (tanpa batas akhir).",
        "en": "Date not understood. Example: 31-12-2027, or type LEWATI (no end date).",
    },
    "dlf_until_before": {
        "id": "Tanggal akhir harus sesudah batas pertama ({date}). Contoh: 31-12-2027",
        "en": "The end date must be after the first due date ({date}). Example: 31-12-2027",
    },
    "dlf_region": {
        "id": "Untuk wilayah mana? Pilih, atau ketik kode atau nama wilayah. Contoh: 18.04.19",
        "en": "For which region? Choose, or type a region code or name. Example: 18.04.19",
    },
    "dlf_region_all": {"id": "Seluruh {region}", "en": "All of {region}"},
    "dlf_region_invalid": {
        "id": 'Wilayah "{text}" tidak ditemukan di wilayah tugas Anda. Pilih dari daftar, '
        "atau ketik kodenya. Contoh: {example}",
        "en": 'Region "{text}" is not in your area. Choose from the list or type its code. '
        "Example: {example}",
    },
    "dlf_roles": {
        "id": "Siapa yang diingatkan? Boleh lebih dari satu.",
        "en": "Who should be reminded? You may choose several.",
    },
    "dlf_roles_invalid": {
        "id": "Pilih nomor peran dari daftar, boleh lebih dari satu. Contoh: 1,2",
        "en": "Choose role numbers from the list, several allowed. Example: 1,2",
    },
    "dlf_offsets": {
        "id": "Kapan pengingat dikirim? Tulis jumlah hari sebelum batas, 0 = hari H. "
        "Contoh: 7,3,1,0",
        "en": "When should reminders go out? Type days before the deadline, 0 = on the day. "
        "Example: 7,3,1,0",
    },
    "dlf_offsets_invalid": {
        "id": "Tulis 1–8 angka hari antara 0 dan 60, dipisah koma. Contoh: 7,3,1,0",
        "en": "Type 1–8 numbers of days from 0 to 60, separated by commas. Example: 7,3,1,0",
    },
    "dlf_keep": {"id": "Tetap", "en": "Keep"},
    "dlf_now": {"id": "Sekarang: {value}", "en": "Now: {value}"},
    "reminder_pending_button": {"id": "Daftar keluarga", "en": "Family list"},
    "reminder_progress_button": {"id": "Lihat progres", "en": "See progress"},
    "dlf_time": {
        "id": "Jam berapa pengingat dikirim (waktu setempat)? Contoh: 08.00",
        "en": "At what time should reminders go out (local time)? Example: 08.00",
    },
    "dlf_time_invalid": {
        "id": "Jam tidak dikenali. Contoh: 08.00",
        "en": "Time not understood. Example: 08.00",
    },
    "dlf_time_quiet": {
        "id": "Jam {time} termasuk jam tenang ({quiet}): pengingat tidak dikirim pada jam itu. "
        "Pilih jam lain. Contoh: 08.00",
        "en": "{time} is within the quiet hours ({quiet}): no reminders go out then. "
        "Choose another time. Example: 08.00",
    },
    "dlf_note": {
        "id": "Catatan untuk penerima? Contoh: Ekspor lewat menu Data Final di SIKS-NG.",
        "en": "A note for the recipients? Example: Export through the Final Data menu.",
    },
    "dlf_note_none": {"id": "Tanpa catatan", "en": "No note"},
    "dlf_note_invalid": {
        "id": "Catatan paling banyak 300 huruf. Persingkat, atau pilih Tanpa catatan.",
        "en": "A note has at most 300 characters. Shorten it, or choose No note.",
    },
    "dlf_review": {
        "id": "Periksa tenggat:\n{lines}\n\nKetik nomor baris untuk mengubah (mis. 2), "
        "atau pilih Simpan.",
        "en": "Check the deadline:\n{lines}\n\nType a line number to change it (e.g. 2), "
        "or choose Save.",
    },
    "dlf_review_invalid": {
        "id": "Ketik SIMPAN, nomor baris 1–{n} untuk mengubah, atau BATAL.",
        "en": "Type SIMPAN, a line number 1–{n} to change it, or BATAL.",
    },
    "dlf_save": {"id": "Simpan", "en": "Save"},
    "dlf_cancel": {"id": "Batal", "en": "Cancel"},
    "dlf_cancelled": {
        "id": "Pengisian tenggat dibatalkan. Tidak ada yang diubah.",
        "en": "Deadline form cancelled. Nothing was changed.",
    },
    "dlf_saved_new": {
        "id": "✅ Tenggat #{id} {title} tersimpan. Pengingat dikirim {offsets}, pukul {time} "
        "waktu setempat.",
        "en": "✅ Deadline #{id} {title} saved. Reminders go out {offsets}, at {time} local time.",
    },
    "dlf_saved_edit": {
        "id": "✅ Tenggat {title} diperbarui. Pengingat yang belum terkirim dijadwalkan ulang.",
        "en": "✅ Deadline {title} updated. Reminders not yet sent are planned again.",
    },
    # general
    "unsupported": {
        "id": "Maaf, jenis pesan ini belum bisa dibaca. Kirim jawaban berupa teks, mis. 1",
        "en": "Sorry, I cannot read this kind of message. Send the answer as text, e.g. 1",
    },
    "unknown_command": {
        "id": "Perintah /{command} tidak dikenal. Coba /menu atau /bantuan.",
        "en": "Unknown command /{command}. Try /menu or /bantuan.",
    },
    "internal_error": {
        "id": "Maaf, terjadi gangguan. Jawaban Anda sebelumnya aman.\n"
        "Kirim lagi jawaban terakhir, atau ketik MENU.",
        "en": "Sorry, something went wrong. Your earlier answers are safe.\n"
        "Send your last answer again, or type MENU.",
    },
    "not_allowed": {
        "id": "Menu ini hanya untuk {role}. Ketik MENU untuk pilihan Anda.",
        "en": "This menu is only for {role}. Type MENU for your options.",
    },
}


def t(key: str, lang: str = "id", /, **values: Any) -> str:
    """The message ``key`` in ``lang`` (falling back to Indonesian), formatted with ``values``."""
    entry = _CATALOG[key]
    text = entry.get(lang) or entry["id"]
    return text.format(**values) if values else text


def keys() -> frozenset[str]:
    return frozenset(_CATALOG)


def catalog_languages(key: str) -> frozenset[str]:
    return frozenset(_CATALOG[key])
