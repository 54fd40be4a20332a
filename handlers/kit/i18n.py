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
        "Untuk mendaftar, kirim kode undangan dari Dinsos.\nContoh: DAFTAR KWL-7F3K-9QXM-2ABC",
        "en": "Hello! I am Kawal, your guide for DTKS/DTSEN data updates.\n"
        "To register, send the invite code from Dinsos.\nExample: DAFTAR KWL-7F3K-9QXM-2ABC",
    },
    "invite_invalid": {
        "id": "Kode undangan {code} tidak berlaku (salah ketik, kedaluwarsa, atau sudah dipakai).\n"
        "Periksa lagi atau minta kode baru ke Dinsos. Contoh: DAFTAR KWL-7F3K-9QXM-2ABC",
        "en": "Invite code {code} is not valid (typo, expired or already used).\n"
        "Check it or ask Dinsos for a new one. Example: DAFTAR KWL-7F3K-9QXM-2ABC",
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
    # access lifecycle (issue 15): invite lockout, people and invites for Dinsos
    "invite_locked": {
        "id": "Terlalu banyak percobaan kode yang salah. Coba lagi setelah pukul {time}.",
        "en": "Too many wrong codes. Try again after {time}.",
    },
    "menu_no_roles": {
        "id": "Anda belum punya peran aktif di Kawal. Minta kode undangan ke Dinsos, lalu "
        "kirim, mis. DAFTAR KWL-7F3K-9QXM-2ABC",
        "en": "You have no active role in Kawal. Ask Dinsos for an invite code, then send "
        "it, e.g. DAFTAR KWL-7F3K-9QXM-2ABC",
    },
    "menu_people": {"id": "Orang & undangan", "en": "People & invites"},
    "ppl_not_allowed": {
        "id": "Orang & undangan hanya untuk Dinsos. Ketik MENU.",
        "en": "People & invites is for Dinsos only. Type MENU.",
    },
    "ppl_title": {
        "id": "Orang di {area}: {total} (hal. {page}/{pages})",
        "en": "People in {area}: {total} (page {page}/{pages})",
    },
    "ppl_hint": {
        "id": "Pilih orang untuk melihat atau mencabut perannya.",
        "en": "Choose a person to see or revoke their roles.",
    },
    "ppl_none": {
        "id": "Belum ada orang dengan peran di {area}. Pilih Undangan baru.",
        "en": "Nobody holds a role in {area} yet. Choose New invite.",
    },
    "ppl_next": {"id": "Berikutnya ›", "en": "Next ›"},
    "ppl_prev": {"id": "‹ Sebelumnya", "en": "‹ Previous"},
    "ppl_invites": {"id": "Undangan ({n})", "en": "Invites ({n})"},
    "ppl_new_invite": {"id": "Undangan baru", "en": "New invite"},
    "ppl_back": {"id": "Kembali", "en": "Back"},
    "ppl_since": {"id": "sejak {date}", "en": "since {date}"},
    "ppl_last_seen": {
        "id": "{channel}, terakhir menulis {when}",
        "en": "{channel}, last wrote {when}",
    },
    "ppl_never_seen": {
        "id": "{channel}, belum pernah menulis",
        "en": "{channel}, has not written yet",
    },
    "ppl_blocked": {"id": "memblokir Kawal", "en": "blocked Kawal"},
    "ppl_you": {
        "id": "Ini Anda: peran Anda sendiri tidak dicabut di sini.",
        "en": "This is you: your own roles are not revoked here.",
    },
    "ppl_revoke_button": {"id": "Cabut {role} {region}", "en": "Revoke {role} {region}"},
    "ppl_remove_button": {"id": "Hapus orang ini", "en": "Remove this person"},
    "ppl_revoke_yes": {"id": "Ya", "en": "Yes"},
    "ppl_remove_yes": {"id": "Ya, hapus", "en": "Yes, remove"},
    "ppl_cancel": {"id": "Batal", "en": "Cancel"},
    "ppl_revoke_confirm": {
        "id": "Cabut peran {role} {name} di {region}?",
        "en": "Revoke the {role} role of {name} in {region}?",
    },
    "ppl_revoked": {
        "id": "✅ Peran {role} {name} di {region} dicabut.",
        "en": "✅ The {role} role of {name} in {region} is revoked.",
    },
    "ppl_sessions_closed": {
        "id": "Isian terbuka yang ditutup: {n}.",
        "en": "Open forms closed: {n}.",
    },
    "ppl_remove_confirm": {
        "id": "Hapus {name}? Semua perannya dicabut dan Kawal berhenti melayaninya. Data "
        "keluarga yang ia simpan tetap ada.",
        "en": "Remove {name}? All their roles are revoked and Kawal stops serving them. The "
        "family records they saved stay.",
    },
    "ppl_removed": {
        "id": "✅ {name} dihapus: semua peran dicabut, akses ditutup.",
        "en": "✅ {name} removed: every role revoked, access closed.",
    },
    "ppl_not_found": {
        "id": "Orang atau peran itu tidak ada di wilayah Anda (atau sudah berubah). Ketik "
        "ORANG untuk daftar terbaru.",
        "en": "That person or role is not in your area (or has changed). Type ORANG for "
        "the current list.",
    },
    "ppl_invites_title": {
        "id": "Undangan aktif di {area}: {total} (hal. {page}/{pages})",
        "en": "Open invites in {area}: {total} (page {page}/{pages})",
    },
    "ppl_invites_none": {
        "id": "Tidak ada undangan aktif di {area}. Pilih Undangan baru.",
        "en": "No open invites in {area}. Choose New invite.",
    },
    "ppl_invite_line": {
        "id": "{code} · {role} {region} · s.d. {until}",
        "en": "{code} · {role} {region} · until {until}",
    },
    "ppl_invite_revoke_button": {"id": "Cabut {code}", "en": "Revoke {code}"},
    "ppl_invite_revoke_confirm": {
        "id": "Cabut undangan {code} ({role} {region})? Kodenya tidak bisa dipakai lagi.",
        "en": "Revoke invite {code} ({role} {region})? The code stops working.",
    },
    "ppl_invite_revoked": {
        "id": "✅ Undangan {code} dicabut.",
        "en": "✅ Invite {code} revoked.",
    },
    "ppl_invite_not_found": {
        "id": "Undangan itu tidak ada di wilayah Anda atau sudah tidak berlaku. Ketik "
        "UNDANGAN untuk daftar terbaru.",
        "en": "That invite is not in your area or no longer valid. Type UNDANGAN for the "
        "current list.",
    },
    "ppl_invite_role": {
        "id": "Undangan baru: untuk peran apa?",
        "en": "New invite: for which role?",
    },
    "ppl_invite_area": {
        "id": "Undangan {role}: pilih wilayah.",
        "en": "Invite for {role}: choose the region.",
    },
    "ppl_invite_region": {
        "id": "Undangan {role}: pilih wilayah di {region}.",
        "en": "Invite for {role}: choose the region in {region}.",
    },
    "ppl_invite_created": {
        "id": "✅ Undangan {role} {region}:\n{code}\nBerlaku s.d. {until}, untuk 1 orang.",
        "en": "✅ Invite for {role} {region}:\n{code}\nValid until {until}, for 1 person.",
    },
    "ppl_invite_link": {
        "id": "Teruskan tautan ini ke orangnya: {link}",
        "en": "Forward this link to the person: {link}",
    },
    "ppl_invite_daftar": {
        "id": "Minta orangnya mengirim ke Kawal: DAFTAR {code}",
        "en": "Ask the person to send Kawal: DAFTAR {code}",
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
    "menu_pending": {"id": "Keluarga belum didata", "en": "Families not done yet"},
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
        "• PROGRES: progres desa/wilayah Anda\n"
        "• TENGGAT: tenggat dan progresnya\n"
        "Jawaban tersimpan setiap langkah; Anda bisa berhenti dan lanjut kapan saja.",
        "en": "Kawal help\n"
        "• MENU: main menu\n• LANJUT: continue an unfinished form\n"
        "• BATAL: cancel the form\n• KEMBALI: previous question\n"
        "• LEWATI: skip an optional question\n• RINGKASAN: answers so far\n"
        "• PROGRES: progress of your village/area\n"
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
        "Contoh: Agus Hidayat\nAtau pilih daftar yang belum didata.",
        "en": "Find a family in {village}: type a name, NIK or KK number.\n"
        "Example: Agus Hidayat\nOr pick from the list not done yet.",
    },
    "search_pending_button": {"id": "Daftar belum didata", "en": "List not done yet"},
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
        "id": "Belum didata di {village}: {total} keluarga (hal. {page}/{pages}). Pilih:",
        "en": "Not done yet in {village}: {total} families (page {page}/{pages}). Choose:",
    },
    "pending_none": {
        "id": "Semua keluarga di {village} sudah didata. Terima kasih!",
        "en": "Every family in {village} is done. Thank you!",
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
    "status_pending": {"id": "belum didata", "en": "not done yet"},
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
    # forms: ended access, idle forms, the duplicate check's limits (issue 15)
    "form_access_ended": {
        "id": "Akses Anda untuk {region} sudah berakhir, formulir ditutup tanpa disimpan. "
        "Hubungi Dinsos bila ini keliru.",
        "en": "Your access for {region} has ended; the form was closed without saving. "
        "Contact Dinsos if this is a mistake.",
    },
    "form_access_ended_any": {
        "id": "Akses Anda untuk formulir ini sudah berakhir, formulir ditutup tanpa disimpan. "
        "Hubungi Dinsos bila ini keliru.",
        "en": "Your access for this form has ended; it was closed without saving. "
        "Contact Dinsos if this is a mistake.",
    },
    "form_household_moved": {
        "id": "Keluarga {head} tidak lagi tercatat di wilayah tugas Anda, formulir ditutup tanpa "
        "disimpan. Hubungi Dinsos bila ini keliru.",
        "en": "The family of {head} is no longer recorded in your area; the form was closed "
        "without saving. Contact Dinsos if this is a mistake.",
    },
    "form_idle_closed_family": {
        "id": "Formulir {form} untuk keluarga {head} ditutup karena {days} hari tanpa jawaban; "
        "tidak ada yang disimpan. Ketik MENU untuk mulai lagi.",
        "en": "The form {form} for the family of {head} was closed after {days} days without "
        "an answer; nothing was saved. Type MENU to start again.",
    },
    "form_idle_closed": {
        "id": "Formulir {form} ditutup karena {days} hari tanpa jawaban; tidak ada yang "
        "disimpan. Ketik MENU untuk mulai lagi.",
        "en": "The form {form} was closed after {days} days without an answer; nothing was "
        "saved. Type MENU to start again.",
    },
    "dup_kk_outside": {
        "id": "⚠️ No. KK {kk} mungkin sudah tercatat di wilayah lain. Hubungi Dinsos untuk "
        "memeriksanya. Ketik nomor jawaban untuk mengubah, atau SIMPAN bila memang benar.",
        "en": "⚠️ KK number {kk} may already be registered in another area. Contact Dinsos to "
        "check it. Type the answer's number to change it, or SAVE if it is right.",
    },
    "dup_nik_outside": {
        "id": "⚠️ NIK {nik} mungkin sudah tercatat di wilayah lain. Hubungi Dinsos untuk "
        "memeriksanya. Ketik nomor jawaban untuk mengubah, atau SIMPAN bila memang benar.",
        "en": "⚠️ NIK {nik} may already be registered in another area. Contact Dinsos to "
        "check it. Type the answer's number to change it, or SAVE if it is right.",
    },
    "dup_check_skipped": {
        "id": "⚠️ Pemeriksaan NIK/No. KK ganda dilewati untuk sementara (batas {limit} nomor "
        "per jam). Periksa sendiri jawaban di bawah, lalu ketik SIMPAN.",
        "en": "⚠️ The duplicate NIK/KK check was skipped for now (limit: {limit} numbers an "
        "hour). Check the answers below yourself, then type SAVE.",
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
    "export_failed": {
        "id": "Berkas ekspor belum bisa dibuat. Coba lagi nanti: ketik MENU, lalu Ekspor data.",
        "en": "The export file could not be made. Try again later: type MENU, then Export data.",
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
    "report_push": {
        "id": "🆘 Laporan kendala #{id} dari {village}\nOperator: {operator}\nJenis: {category}\n"
        "{text}",
        "en": "🆘 Problem report #{id} from {village}\nOperator: {operator}\nKind: {category}\n"
        "{text}",
    },
    "report_reply_button": {"id": "Balas laporan", "en": "Answer the report"},
    "report_reply_option": {"id": "Balas #{id}", "en": "Answer #{id}"},
    "reports_more": {
        "id": "Ditampilkan {shown} terbaru dari {n}; yang lebih lama muncul setelah ini dibalas.",
        "en": "Showing the newest {shown} of {n}; older ones appear once these are answered.",
    },
    "reports_reply_hint": {
        "id": "Pilih laporan untuk dibalas, atau ketik BALAS dan nomornya. Contoh: BALAS 12",
        "en": "Choose a report to answer, or type BALAS and its number. Example: BALAS 12",
    },
    "report_not_found": {
        "id": "Laporan #{id} tidak ada di wilayah Anda. Ketik MENU, lalu pilih Laporan kendala.",
        "en": "Report #{id} is not in your area. Type MENU, then choose Problem reports.",
    },
    "report_reply_title": {
        "id": "Balas laporan #{id} · {village} · {operator}\nJenis: {category}\n{text}",
        "en": "Answer report #{id} · {village} · {operator}\nKind: {category}\n{text}",
    },
    "report_reply_previous": {
        "id": "Jawaban sebelumnya: {answer}",
        "en": "Earlier answer: {answer}",
    },
    "report_answer_push": {
        "id": "💬 Jawaban Dinsos untuk laporan kendala #{id} ({category}):\n{answer}\n— {officer}",
        "en": "💬 Dinsos answered problem report #{id} ({category}):\n{answer}\n— {officer}",
    },
    "report_answer_sent": {
        "id": "✅ Jawaban untuk laporan #{id} terkirim ke {operator}.",
        "en": "✅ Your answer to report #{id} was sent to {operator}.",
    },
    "report_line": {
        "id": "#{id} · {when} · {village} · {category}\n{text}",
        "en": "#{id} · {when} · {village} · {category}\n{text}",
    },
    # progress
    "progress_line": {
        "id": "{name}: {done} dari {total} keluarga sudah didata ({pct}%)",
        "en": "{name}: {done} of {total} families done ({pct}%)",
    },
    "progress_detail": {
        "id": "Terverifikasi {verified} · diperbarui {updated} · tidak ditemukan {not_found} · "
        "belum {pending} · usulan baru {proposed} · kendala terbuka {reports}",
        "en": "Verified {verified} · updated {updated} · not found {not_found} · "
        "pending {pending} · new proposals {proposed} · open problem reports {reports}",
    },
    "progress_empty": {
        "id": "Belum ada data keluarga untuk {name}. Dinsos perlu mengimpor daftar DTKS dulu.",
        "en": "No family data for {name} yet. Dinsos must import the DTKS list first.",
    },
    "progress_title": {"id": "📊 Progres {region}", "en": "📊 Progress of {region}"},
    "progress_deadline": {
        "id": "⏰ Tenggat {title}: {when}, {left}",
        "en": "⏰ Deadline {title}: {when}, {left}",
    },
    "progress_no_deadline": {
        "id": "⏰ Belum ada tenggat terjadwal.",
        "en": "⏰ No deadline scheduled.",
    },
    "progress_groups": {
        "id": "Per {unit}, paling tertinggal dulu:",
        "en": "Per {unit}, furthest behind first:",
    },
    "progress_villages": {
        "id": "Desa paling tertinggal dulu:",
        "en": "Villages furthest behind first:",
    },
    "progress_row": {
        "id": "{n}. {name}: {pct}% ({done}/{total}), belum {pending}",
        "en": "{n}. {name}: {pct}% ({done}/{total}), {pending} pending",
    },
    "progress_row_reports": {"id": " · kendala {n}", "en": " · {n} problem reports"},
    "progress_row_empty": {
        "id": "{n}. {name}: belum ada data keluarga",
        "en": "{n}. {name}: no family data yet",
    },
    "progress_more": {
        "id": "…dan {n} {unit} lain ({where}).",
        "en": "…and {n} more {unit} ({where}).",
    },
    "progress_more_chart": {"id": "lengkap di grafik", "en": "all in the chart"},
    "progress_more_xlsx": {"id": "lengkap di berkas XLSX", "en": "all in the XLSX file"},
    "progress_more_here": {"id": "pilih di bawah", "en": "choose below"},
    "progress_pick": {
        "id": "Rincian per {unit}: pilih satu.",
        "en": "Details per {unit}: choose one.",
    },
    "progress_not_allowed": {
        "id": "Wilayah {region} di luar wilayah tugas Anda. Ketik PROGRES untuk wilayah Anda.",
        "en": "Region {region} is outside your area. Type PROGRES for your own area.",
    },
    "progress_usage": {
        "id": 'PROGRES tidak mengenal "{text}". Ketik PROGRES saja untuk wilayah Anda, '
        "atau dengan kode wilayah. Contoh: PROGRES 18.04.19",
        "en": 'PROGRES does not know "{text}". Type PROGRES alone for your own area, or '
        "with a region code. Example: PROGRES 18.04.19",
    },
    "progress_unknown_region": {
        "id": "Kode wilayah {region} tidak dikenal. Contoh: PROGRES 18.04.19",
        "en": "Unknown region code {region}. Example: PROGRES 18.04.19",
    },
    "progress_no_area": {
        "id": "Akun Anda belum punya wilayah tugas. Hubungi Dinsos untuk kode undangan.",
        "en": "Your account has no area yet. Ask Dinsos for an invite code.",
    },
    "progress_chart_title": {
        "id": "Progres {region}: {pct}% didata ({done}/{total} keluarga)",
        "en": "Progress of {region}: {pct}% done ({done}/{total} families)",
    },
    "progress_chart_deadline": {
        "id": "Tenggat {title}: {when} ({left})",
        "en": "Deadline {title}: {when} ({left})",
    },
    "progress_chart_pace": {
        "id": " · perlu {n} keluarga/hari",
        "en": " · {n} families a day needed",
    },
    "progress_chart_no_deadline": {
        "id": "Belum ada tenggat terjadwal",
        "en": "No deadline scheduled",
    },
    "progress_chart_footer": {
        "id": "Data per {when} · paling tertinggal di atas · Kawal",
        "en": "Data as of {when} · furthest behind on top · Kawal",
    },
    "progress_chart_partial": {
        "id": "Data per {when} · {shown} terendah dari {total} {unit}; lengkap di XLSX",
        "en": "Data as of {when} · lowest {shown} of {total} {unit}; all in the XLSX",
    },
    "progress_chart_bar": {"id": "{pct}% · {done}/{total}", "en": "{pct}% · {done}/{total}"},
    "progress_chart_empty": {"id": "belum ada data", "en": "no data yet"},
    "progress_chart_caption": {
        "id": "Progres {region} per {unit}",
        "en": "Progress of {region} per {unit}",
    },
    "progress_chart_failed": {
        "id": "Grafik belum bisa dibuat; angka di atas tetap benar. Coba lagi: ketik PROGRES.",
        "en": "The chart could not be made; the numbers above are right. Retry: type PROGRES.",
    },
    "progress_xlsx_caption": {
        "id": "Progres {region}: semua desa ({n})",
        "en": "Progress of {region}: every village ({n})",
    },
    "progress_xlsx_failed": {
        "id": "Berkas XLSX belum bisa dibuat; angka di atas tetap benar. Coba lagi nanti.",
        "en": "The XLSX file could not be made; the numbers above are right. Try again later.",
    },
    "progress_xlsx_counts": {
        "id": "Keluarga DTKS|Terverifikasi|Diperbarui|Tidak ditemukan|Sudah didata|Belum|"
        "Sudah didata (%)|Usulan baru|Kendala terbuka",
        "en": "DTKS families|Verified|Updated|Not found|Done|Pending|Done (%)|New proposals|"
        "Open problem reports",
    },
    "progress_table_counts": {
        "id": "KK|Verif|Diperb|TdkDitemukan|Didata|Belum|%|Usulan|Kendala",
        "en": "Families|Verified|Updated|NotFound|Done|Pending|%|Proposals|Reports",
    },
    "progress_xlsx_village_columns": {
        "id": "Kode|Kecamatan|Desa/Kelurahan",
        "en": "Code|Sub-district|Village",
    },
    "progress_xlsx_group_columns": {
        "id": "Kode|Wilayah|Jumlah desa",
        "en": "Code|Region|Villages",
    },
    "progress_xlsx_sheets": {"id": "Desa|Rekap", "en": "Villages|Summary"},
    "progress_xlsx_total": {"id": "Jumlah", "en": "Total"},
    "unit_village": {"id": "desa", "en": "villages"},
    "unit_kecamatan": {"id": "kecamatan", "en": "sub-districts"},
    "unit_kabupaten": {"id": "kabupaten/kota", "en": "districts"},
    "region_provinsi": {"id": "Prov. {name}", "en": "{name} Province"},
    "region_kabupaten": {"id": "Kab. {name}", "en": "{name} Regency"},
    "region_kota": {"id": "Kota {name}", "en": "{name} City"},
    "region_kecamatan": {"id": "Kec. {name}", "en": "{name} Sub-district"},
    "region_desa": {"id": "{name}", "en": "{name}"},
    "region_kelurahan": {"id": "Kel. {name}", "en": "{name} (kelurahan)"},
    # data quality
    "menu_quality": {"id": "Kualitas data", "en": "Data quality"},
    "quality_summary": {
        "id": "🔎 Kualitas data {region}\n"
        "• NIK ganda: {niks} NIK pada {rows} anggota ({across} NIK antar desa)\n"
        "• NIK tidak cocok dengan jawaban: jenis kelamin {sex}, tanggal lahir {born}\n"
        "• Keluarga belum disentuh sejak {since}: {untouched} di {villages} desa\n"
        "Rincian di berkas XLSX, satu lembar per jenis. Tanggal lain: KUALITAS 01-10-2026",
        "en": "🔎 Data quality of {region}\n"
        "• Duplicate NIKs: {niks} NIKs on {rows} members ({across} across villages)\n"
        "• NIK disagrees with the answers: sex {sex}, birth date {born}\n"
        "• Families not touched since {since}: {untouched} in {villages} villages\n"
        "Details in the XLSX file, one sheet per kind. Another date: KUALITAS 01-10-2026",
    },
    "quality_untouched_capped": {
        "id": "Daftar keluarga belum disentuh di XLSX: {shown} yang paling lama (jumlah per desa "
        "lengkap).",
        "en": "Untouched families in the XLSX: the {shown} oldest (counts per village complete).",
    },
    "quality_clean": {
        "id": "✅ Kualitas data {region}: tidak ada NIK ganda, tidak ada NIK yang tidak cocok, "
        "dan semua keluarga sudah disentuh sejak {since}.",
        "en": "✅ Data quality of {region}: no duplicate NIK, no NIK that disagrees, and every "
        "family was touched since {since}.",
    },
    "quality_caption": {"id": "Kualitas data {region}", "en": "Data quality of {region}"},
    "quality_failed": {
        "id": "Berkas XLSX belum bisa dibuat; ringkasan di atas tetap benar. Coba lagi nanti.",
        "en": "The XLSX file could not be made; the summary above is right. Try again later.",
    },
    "quality_bad_date": {
        "id": "Tanggal {value} tidak dikenali. Contoh: KUALITAS 01-10-2026",
        "en": "Date {value} not recognised. Example: KUALITAS 01-10-2026",
    },
    "quality_future_date": {
        "id": "Tanggal itu belum lewat. Pilih tanggal sebelum hari ini, mis. KUALITAS 01-10-2026",
        "en": "That date is still to come. Pick one before today, e.g. KUALITAS 01-10-2026",
    },
    "quality_outside": {"id": "(di luar wilayah Anda)", "en": "(outside your area)"},
    "quality_found_sex": {"id": "jenis kelamin", "en": "sex"},
    "quality_found_birth": {"id": "tanggal lahir", "en": "birth date"},
    "quality_sex_L": {"id": "Laki-laki", "en": "Male"},
    "quality_sex_P": {"id": "Perempuan", "en": "Female"},
    "quality_source_import": {"id": "DTKS", "en": "DTKS"},
    "quality_source_proposal": {"id": "Usulan baru", "en": "New proposal"},
    "quality_sheets": {
        "id": "NIK ganda|NIK tidak cocok|Belum disentuh per desa|Belum disentuh",
        "en": "Duplicate NIK|NIK disagrees|Not touched per village|Not touched",
    },
    "quality_place_cols": {
        "id": "Kode wilayah|Kecamatan|Desa/Kelurahan",
        "en": "Region code|Sub-district|Village",
    },
    "quality_dup_cols": {
        "id": "NIK|Jumlah|ID DTKS|No. KK|Kepala keluarga|Nama anggota|Hubungan|Keberadaan|"
        "Status keluarga|Sumber",
        "en": "NIK|Count|DTKS id|KK number|Head of family|Member|Relation|Presence|"
        "Family status|Source",
    },
    "quality_mis_cols": {
        "id": "ID DTKS|No. KK|Kepala keluarga|Nama anggota|NIK|Jenis kelamin (jawaban)|"
        "Jenis kelamin (NIK)|Tanggal lahir (jawaban)|Tanggal lahir (NIK)|Temuan",
        "en": "DTKS id|KK number|Head of family|Member|NIK|Sex (answer)|Sex (NIK)|"
        "Birth date (answer)|Birth date (NIK)|Finding",
    },
    "quality_village_cols": {
        "id": "Jumlah keluarga|Paling lama sejak",
        "en": "Families|Oldest since",
    },
    "quality_untouched_cols": {
        "id": "ID DTKS|No. KK|Kepala keluarga|RT|RW|Status|Sumber|Terakhir diubah",
        "en": "DTKS id|KK number|Head of family|RT|RW|Status|Source|Last changed",
    },
    # dates
    "days_left": {"id": "{n} hari lagi", "en": "in {n} days"},
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
    "days_passed": {"id": "sudah lewat", "en": "passed"},
    "offset_day": {"id": "H-{n}", "en": "{n} days before"},
    "offset_zero": {"id": "hari H", "en": "on the day"},
    "offset_zero_late": {
        "id": "(hari H tidak: batas pukul {due}, sebelum jam pengingat {time})",
        "en": "(none on the day: due at {due}, before the reminder time {time})",
    },
    "offsets_none": {"id": "tidak ada", "en": "none"},
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
        "sudah didata ({pct}%)",
        "en": "{area}: {finished} of {villages} {word} finished · {done} of {total} families "
        "done ({pct}%)",
    },
    "area_no_data": {
        "id": "{n} {word} belum ada data keluarga: {names}",
        "en": "{n} {word} without family data yet: {names}",
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
    "dlf_date_missing": {
        "id": "Tanggal {day} {month} {year} tidak ada: {month} {year} hanya sampai tanggal "
        "{last}. Contoh: {example}",
        "en": "There is no {day} {month} {year}: {month} {year} has {last} days. "
        "Example: {example}",
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
    "dlf_day_mismatch": {
        "id": "Batas pertama ({date}) tidak jatuh pada tanggal {day}, padahal berulang tiap "
        "tanggal {day}. Samakan tanggalnya. Contoh: {example}",
        "en": "The first due date ({date}) is not on day {day}, yet it repeats on day {day}. "
        "Make them match. Example: {example}",
    },
    "dlf_until_before": {
        "id": "Tanggal akhir harus sesudah batas pertama ({date}). Contoh: 31-12-2027",
        "en": "The end date must be after the first due date ({date}). Example: 31-12-2027",
    },
    "dlf_region": {
        "id": "Untuk wilayah mana? Pilih, atau ketik kode atau nama wilayah. Contoh: {example}",
        "en": "For which region? Choose, or type a region code or name. Example: {example}",
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
    # weekly digest (peratin, camat)
    "digest_title": {"id": "📅 Ringkasan mingguan · {area}", "en": "📅 Weekly summary · {area}"},
    "digest_done": {
        "id": "{done} dari {total} keluarga sudah didata ({pct}%)",
        "en": "{done} of {total} families done ({pct}%)",
    },
    "digest_empty": {
        "id": "Belum ada data keluarga: Dinsos perlu mengimpor daftar DTKS dulu.",
        "en": "No family data yet: Dinsos must import the DTKS list first.",
    },
    "digest_change": {"id": "{n} keluarga minggu ini", "en": "{n} families this week"},
    "digest_change_since": {
        "id": "{n} keluarga sejak {date}",
        "en": "{n} families since {date}",
    },
    "digest_first_week": {
        "id": "pembanding minggu lalu belum ada",
        "en": "no figures from last week to compare yet",
    },
    "digest_detail": {
        "id": "{change} · belum {pending} · kendala terbuka {reports}",
        "en": "{change} · {pending} pending · {reports} open problem reports",
    },
    "digest_laggard": {"id": "{name} {pct}%", "en": "{name} {pct}%"},
    "digest_laggard_empty": {"id": "{name} (belum ada data)", "en": "{name} (no data yet)"},
    "digest_laggards": {"id": "Paling tertinggal: {names}", "en": "Furthest behind: {names}"},
    "digest_deadline": {
        "id": "⏰ Tenggat {title}: {when} ({left})",
        "en": "⏰ Deadline {title}: {when} ({left})",
    },
    "digest_button": {"id": "Lihat progres", "en": "See progress"},
    # general
    "file_not_expected": {
        "id": "File ini tidak disimpan: pertanyaan saat ini tidak meminta file. "
        "Ketik LANJUT untuk melihat pertanyaan Anda, atau MENU.",
        "en": "This file was not kept: the current question does not ask for a file. "
        "Type LANJUT to see your question, or MENU.",
    },
    "file_quota": {
        "id": "File ini tidak disimpan: batas {limit} file per hari sudah tercapai. "
        "Lewati pertanyaan ini (ketik LEWATI) dan kirim fotonya besok.",
        "en": "This file was not kept: the limit of {limit} files a day is reached. "
        "Skip this question (type LEWATI) and send the photo tomorrow.",
    },
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
    # announcements (handlers/announcements.py, handlers/announcement_form.py)
    "channel_telegram": {"id": "Telegram", "en": "Telegram"},
    "channel_whatsapp": {"id": "WhatsApp", "en": "WhatsApp"},
    "channel_console": {"id": "terminal", "en": "terminal"},
    "ann_role_operator": {"id": "operator", "en": "operator"},
    "ann_role_peratin": {"id": "peratin/kades", "en": "village head"},
    "ann_role_camat": {"id": "camat", "en": "camat"},
    "ann_recipients": {
        "id": "Penerima: {count} orang ({channels})",
        "en": "Recipients: {count} people ({channels})",
    },
    "ann_unreachable": {
        "id": "⚠️ {count} orang belum punya akun Telegram/WhatsApp aktif: tidak akan menerima.",
        "en": "⚠️ {count} people have no active Telegram/WhatsApp account: they will not get it.",
    },
    "ann_text_empty": {
        "id": "Isi pengumuman masih kosong. Tulis pesannya. Contoh: Mulai 1 Desember, menu "
        "Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran.",
        "en": "The announcement is empty. Write the message. Example: From 1 December the "
        "New Proposal menu in SIKS-NG moves to Updates.",
    },
    "ann_text_long": {
        "id": "Pengumuman terlalu panjang ({count} huruf, paling banyak {limit}). "
        "Persingkat, atau kirim rinciannya sebagai dokumen.",
        "en": "The announcement is too long ({count} characters, at most {limit}). "
        "Shorten it, or send the details as a document.",
    },
    "ann_region_missing": {
        "id": "Pilih wilayah tujuan. Contoh: 18.04 (kabupaten) atau 18.04.10 (kecamatan).",
        "en": "Choose the target region. Example: 18.04 (district) or 18.04.10 (sub-district).",
    },
    "ann_region_outside": {
        "id": "Wilayah {code} di luar wilayah tugas Anda. Pilih wilayah di kabupaten Anda.",
        "en": "Region {code} is outside your area. Choose a region in your district.",
    },
    "ann_region_unknown": {
        "id": "Wilayah {code} tidak ditemukan. Periksa kodenya. Contoh: 18.04.10",
        "en": "Region {code} was not found. Check the code. Example: 18.04.10",
    },
    "ann_roles_invalid": {
        "id": "Pilih penerima dari: {roles}. Contoh: operator,peratin",
        "en": "Choose recipients from: {roles}. Example: operator,peratin",
    },
    "ann_at_past": {
        "id": "Waktu kirim sudah lewat. Tulis waktu yang akan datang. Contoh: 01-12-2026 08.00",
        "en": "That time has passed. Write a future time. Example: 01-12-2026 08.00",
    },
    "ann_at_far": {
        "id": "Waktu kirim paling lambat 180 hari lagi. Contoh: 01-12-2026 08.00",
        "en": "The send time must be within 180 days. Example: 01-12-2026 08.00",
    },
    "ann_nudge_invalid": {
        "id": "Pengingat ulang: 0 sampai {limit} jam (0 = tidak ada). Contoh: 24",
        "en": "Nudge: 0 to {limit} hours (0 = none). Example: 24",
    },
    "ann_media_invalid": {
        "id": "Lampiran harus foto atau dokumen. Kirim ulang lampirannya.",
        "en": "The attachment must be a photo or a document. Send it again.",
    },
    "ann_media_missing": {
        "id": "Lampiran tidak ditemukan lagi. Kirim ulang foto atau dokumennya.",
        "en": "The attachment is gone. Send the photo or document again.",
    },
    "ann_message": {
        "id": "📢 Pengumuman Dinsos #{id}\n\n{text}\n\n"
        "Setelah membaca, tekan tombol di bawah atau balas PAHAM.",
        "en": "📢 Dinsos announcement #{id}\n\n{text}\n\n"
        "After reading, press the button below or reply PAHAM.",
    },
    "ann_ack_button": {"id": "Sudah dibaca & dipahami", "en": "Read & understood"},
    "ann_nudge": {
        "id": "🔔 Pengumuman Dinsos #{id} belum Anda konfirmasi:\n“{excerpt}”\n"
        "Jika sudah membaca, tekan tombol di bawah atau balas PAHAM {id}.",
        "en": "🔔 You have not confirmed Dinsos announcement #{id}:\n“{excerpt}”\n"
        "If you have read it, press the button below or reply PAHAM {id}.",
    },
    "ann_ack_done": {
        "id": "✅ Terima kasih. Tercatat: Anda sudah membaca dan memahami pengumuman #{id}.",
        "en": "✅ Thank you. Recorded: you have read and understood announcement #{id}.",
    },
    "ann_ack_again": {
        "id": "Pengumuman #{id} sudah Anda konfirmasi sebelumnya. Ketik MENU untuk lanjut.",
        "en": "You already confirmed announcement #{id}. Type MENU to go on.",
    },
    "ann_ack_nothing": {
        "id": "Tidak ada pengumuman yang menunggu konfirmasi Anda. Ketik MENU untuk lanjut.",
        "en": "No announcement is waiting for your confirmation. Type MENU to go on.",
    },
    "ann_ack_unknown": {
        "id": "Pengumuman itu tidak ditujukan kepada Anda. Ketik PAHAM saja untuk "
        "pengumuman terbaru Anda, atau MENU.",
        "en": "That announcement was not sent to you. Type just PAHAM for your newest "
        "announcement, or MENU.",
    },
    "ann_status_scheduled": {"id": "terjadwal", "en": "scheduled"},
    "ann_status_sent": {"id": "dikirim", "en": "sent"},
    "ann_status_cancelled": {"id": "dibatalkan", "en": "cancelled"},
    "ann_report_head": {
        "id": "📢 Laporan pengumuman #{id}\n“{excerpt}”",
        "en": "📢 Report of announcement #{id}\n“{excerpt}”",
    },
    "ann_report_when": {"id": "{when} · {status}", "en": "{when} · {status}"},
    "ann_report_totals": {
        "id": "Penerima {total} · terkirim {sent} · sampai {delivered} · gagal {failed}\n"
        "✅ Paham: {ack} dari {total} ({pct}%)",
        "en": "Recipients {total} · sent {sent} · delivered {delivered} · failed {failed}\n"
        "✅ Understood: {ack} of {total} ({pct}%)",
    },
    "ann_report_pending": {
        "id": "⏳ Antre {pending} · belum pasti {unsure}",
        "en": "⏳ Queued {pending} · unsure {unsure}",
    },
    "ann_report_nudged": {
        "id": "🔔 Pengingat ulang dikirim ke {count} orang.",
        "en": "🔔 Nudge sent to {count} people.",
    },
    "ann_report_groups": {
        "id": "Per wilayah dan peran (paham/penerima):",
        "en": "Per area and role (understood/recipients):",
    },
    "ann_report_group": {
        "id": "• {village} · {role}: {ack}/{total}{failed}",
        "en": "• {village} · {role}: {ack}/{total}{failed}",
    },
    "ann_report_failed": {"id": " (gagal {count})", "en": " (failed {count})"},
    "ann_report_waiting": {"id": "Belum paham ({count}):", "en": "Not confirmed yet ({count}):"},
    "ann_report_person": {
        "id": "• {name} · {role} · {village} · {status}",
        "en": "• {name} · {role} · {village} · {status}",
    },
    "ann_report_more": {
        "id": "… dan {count} orang lagi: tekan Unduh daftar untuk semuanya.",
        "en": "… and {count} more: press Download list for all of them.",
    },
    "ann_report_delivered_note": {
        "id": "“Sampai” hanya dilaporkan WhatsApp; Telegram tidak memberi tanda terima.",
        "en": "“Delivered” comes from WhatsApp only; Telegram sends no receipts.",
    },
    "ann_row_sent": {"id": "terkirim", "en": "sent"},
    "ann_row_failed": {"id": "gagal", "en": "failed"},
    "ann_row_failed_reason": {"id": "gagal: {reason}", "en": "failed: {reason}"},
    "ann_row_uncertain": {"id": "belum pasti", "en": "unsure"},
    "ann_row_pending": {"id": "antre", "en": "queued"},
    "ann_row_other": {"id": "tidak dikirim", "en": "not sent"},
    "menu_announce": {"id": "Pengumuman", "en": "Announcements"},
    "ann_not_allowed": {
        "id": "Hanya petugas Dinsos yang bisa mengirim dan melihat pengumuman. Ketik MENU.",
        "en": "Only Dinsos officers can send and see announcements. Type MENU.",
    },
    "ann_not_found": {
        "id": "Pengumuman itu tidak ada di wilayah Anda. Ketik /pengumuman untuk daftarnya.",
        "en": "That announcement is not in your area. Type /pengumuman for the list.",
    },
    "ann_list_title": {"id": "📢 Pengumuman Dinsos", "en": "📢 Dinsos announcements"},
    "ann_list_none": {
        "id": "Belum ada pengumuman. Tekan Buat pengumuman untuk mulai.",
        "en": "No announcements yet. Press New announcement to start.",
    },
    "ann_list_item": {
        "id": "#{id} · {when} · {status}\n“{excerpt}” · paham {ack}/{total}",
        "en": "#{id} · {when} · {status}\n“{excerpt}” · understood {ack}/{total}",
    },
    "ann_new_button": {"id": "Buat pengumuman", "en": "New announcement"},
    "ann_list_button": {"id": "Daftar pengumuman", "en": "All announcements"},
    "ann_report_button": {"id": "Laporan #{id}", "en": "Report #{id}"},
    "ann_refresh_button": {"id": "Perbarui laporan", "en": "Refresh report"},
    "ann_cancel_button": {"id": "Batalkan kiriman", "en": "Cancel sending"},
    "ann_cancel_confirm": {
        "id": "Batalkan pengumuman #{id} yang terjadwal?\n“{excerpt}”",
        "en": "Cancel scheduled announcement #{id}?\n“{excerpt}”",
    },
    "ann_cancel_yes": {"id": "Ya, batalkan", "en": "Yes, cancel"},
    "ann_cancel_no": {"id": "Tidak", "en": "No"},
    "ann_cancelled": {
        "id": "Pengumuman #{id} dibatalkan; tidak ada yang dikirim.",
        "en": "Announcement #{id} cancelled; nothing was sent.",
    },
    "ann_cancel_too_late": {
        "id": "Pengumuman ini sudah dikirim atau tidak ditemukan, jadi tidak bisa dibatalkan. "
        "Ketik /pengumuman untuk daftarnya.",
        "en": "This announcement was already sent or was not found, so it cannot be cancelled. "
        "Type /pengumuman for the list.",
    },
    "ann_xlsx_button": {"id": "Unduh daftar (XLSX)", "en": "Download list (XLSX)"},
    "ann_xlsx_caption": {
        "id": "Laporan pengumuman #{id}: per wilayah dan seluruh penerima.",
        "en": "Report of announcement #{id}: per area and every recipient.",
    },
    "ann_xlsx_failed": {
        "id": "Maaf, file laporan gagal dibuat. Coba tekan Unduh daftar lagi sebentar lagi.",
        "en": "Sorry, the report file could not be made. Press Download list again shortly.",
    },
    "ann_xlsx_groups_sheet": {"id": "Per wilayah", "en": "Per area"},
    "ann_xlsx_groups_columns": {
        "id": "Kode wilayah|Wilayah|Peran|Penerima|Terkirim|Sampai|Gagal|Paham|% paham",
        "en": "Region code|Area|Role|Recipients|Sent|Delivered|Failed|Understood|% understood",
    },
    "ann_xlsx_people_sheet": {"id": "Penerima", "en": "Recipients"},
    "ann_xlsx_people_columns": {
        "id": "Nama|Peran|Kode wilayah|Wilayah|Kanal|Status|Sampai|Paham|Keterangan",
        "en": "Name|Role|Region code|Area|Channel|Status|Delivered|Understood|Note",
    },
    # the announcement composer (handlers/announcement_form.py)
    "anf_form_name": {"id": "pengumuman", "en": "announcement"},
    "anf_intro": {
        "id": "Pengumuman baru. Ketik BATAL untuk berhenti, KEMBALI untuk pertanyaan sebelumnya.",
        "en": "New announcement. Type BATAL to stop, KEMBALI for the previous question.",
    },
    "anf_gone": {
        "id": "Isian pengumuman ini sudah selesai atau dibatalkan. Ketik /pengumuman untuk "
        "daftarnya.",
        "en": "This announcement form is already finished or cancelled. Type /pengumuman for "
        "the list.",
    },
    "anf_cancelled": {
        "id": "Pengumuman dibatalkan. Tidak ada yang dikirim.",
        "en": "Announcement cancelled. Nothing was sent.",
    },
    "anf_text": {
        "id": "Tulis isi pengumuman, atau kirim foto/dokumen dengan keterangan. Contoh: Mulai "
        "1 Desember, menu Usulan Baru di SIKS-NG pindah ke menu Pemutakhiran.",
        "en": "Write the announcement, or send a photo/document with a caption. Example: From "
        "1 December the New Proposal menu in SIKS-NG moves to Updates.",
    },
    "anf_text_for_media": {
        "id": "Lampiran diterima. Sekarang tulis isi pengumumannya (paling banyak {limit} huruf). "
        "Contoh: Jadwal verval bulan Desember terlampir.",
        "en": "Attachment received. Now write the announcement (at most {limit} characters). "
        "Example: The December verification schedule is attached.",
    },
    "anf_keep": {"id": "Tetap", "en": "Keep"},
    "anf_media_not_now": {
        "id": "Foto atau dokumen hanya bisa dikirim pada pertanyaan isi pengumuman. Jawab "
        "pertanyaan ini dulu; di pratinjau ketik 1 untuk mengganti isi dan lampiran.",
        "en": "A photo or document can only be sent at the announcement text question. Answer "
        "this question first; on the preview type 1 to change the text and attachment.",
    },
    "anf_region": {
        "id": "Untuk wilayah mana? Pilih, atau ketik nama atau kode kecamatan/desa, boleh lebih "
        "dari satu dipisah koma. LEWATI = tetap. Contoh: {example}",
        "en": "For which regions? Choose, or type names or codes of sub-districts/villages, "
        "several separated by commas. LEWATI = keep. Example: {example}",
    },
    "anf_region_all": {"id": "Seluruh {region}", "en": "All of {region}"},
    "anf_now": {"id": "Sekarang: {value}", "en": "Now: {value}"},
    "anf_region_invalid": {
        "id": 'Wilayah "{text}" tidak ditemukan di kabupaten Anda. Ketik nama atau kode '
        "kecamatan/desa, dipisah koma. Contoh: {example}",
        "en": 'Region "{text}" was not found in your district. Type names or codes of '
        "sub-districts/villages, separated by commas. Example: {example}",
    },
    "anf_region_outside": {
        "id": "Wilayah {text} di luar wilayah tugas Anda. Pilih wilayah di kabupaten Anda. "
        "Contoh: {example}",
        "en": "Region {text} is outside your area. Choose a region in your district. "
        "Example: {example}",
    },
    "anf_roles": {
        "id": "Untuk siapa? Boleh lebih dari satu.",
        "en": "For whom? You may choose several.",
    },
    "anf_roles_invalid": {
        "id": "Pilih nomor penerima dari daftar, boleh lebih dari satu. Contoh: 1,2",
        "en": "Choose recipient numbers from the list, several allowed. Example: 1,2",
    },
    "anf_when": {
        "id": "Kapan dikirim? Pilih Sekarang, atau tulis tanggal dan jam ({zone}). "
        "Contoh: {example}",
        "en": "When should it go out? Choose Now, or type the date and time ({zone}). "
        "Example: {example}",
    },
    "anf_when_now": {"id": "Sekarang", "en": "Now"},
    "anf_when_invalid": {
        "id": "Waktu tidak dikenali. Ketik SEKARANG, atau tulis seperti ini: {example}",
        "en": "Time not understood. Type SEKARANG, or write it like this: {example}",
    },
    "anf_when_no_time": {
        "id": "Tulis juga jamnya. Contoh: {date} 08.00",
        "en": "Add the time too. Example: {date} 08.00",
    },
    "anf_when_past": {
        "id": "Waktu kirim harus setelah sekarang ({now}). Contoh: {example}",
        "en": "The send time must be after now ({now}). Example: {example}",
    },
    "anf_preview_head": {
        "id": "Pratinjau: beginilah pesan yang akan diterima.",
        "en": "Preview: this is the message recipients will get.",
    },
    "anf_line_text": {"id": "Isi: “{text}”", "en": "Text: “{text}”"},
    "anf_attachment_photo": {"id": " + foto {name}", "en": " + photo {name}"},
    "anf_attachment_document": {"id": " + dokumen {name}", "en": " + document {name}"},
    "anf_line_region": {"id": "Wilayah: {regions}", "en": "Regions: {regions}"},
    "anf_line_roles": {"id": "Untuk: {roles}", "en": "For: {roles}"},
    "anf_line_when": {"id": "Dikirim: {when}", "en": "Sent: {when}"},
    "anf_when_now_line": {"id": "sekarang", "en": "now"},
    "anf_quiet_note": {
        "id": "🌙 Pukul {time} termasuk jam tenang ({quiet}): pesan sampai ke penerima mulai "
        "pukul {end}.",
        "en": "🌙 {time} is within the quiet hours ({quiet}): recipients get it from {end}.",
    },
    "anf_nudge_note": {
        "id": "Yang belum menjawab PAHAM diingatkan sekali setelah {hours} jam.",
        "en": "Those who have not replied PAHAM are reminded once after {hours} hours.",
    },
    "anf_review": {
        "id": "Periksa pengumuman:\n{lines}\n\n{audience}\n\nKetik nomor baris untuk mengubah "
        "(mis. 3), KIRIM untuk mengirim, atau BATAL.",
        "en": "Check the announcement:\n{lines}\n\n{audience}\n\nType a line number to change "
        "it (e.g. 3), KIRIM to send, or BATAL.",
    },
    "anf_review_nobody": {
        "id": "Periksa pengumuman:\n{lines}\n\n⚠️ Tidak ada penerima: belum ada yang terdaftar "
        "dengan peran itu di wilayah itu. Ketik 2 untuk memilih wilayah lain atau 3 untuk "
        "penerima lain, mis. 2.",
        "en": "Check the announcement:\n{lines}\n\n⚠️ No recipients: nobody with those roles "
        "is registered in those regions. Type 2 for other regions or 3 for other recipients, "
        "e.g. 2.",
    },
    "anf_nobody": {
        "id": "Tidak ada penerima, jadi pengumuman tidak dikirim. Pilih wilayah atau penerima "
        "lain. Contoh: 2",
        "en": "There are no recipients, so nothing was sent. Choose other regions or "
        "recipients. Example: 2",
    },
    "anf_review_invalid": {
        "id": "Ketik KIRIM, nomor baris 1–{n} untuk mengubah, atau BATAL. Contoh: 3",
        "en": "Type KIRIM, a line number 1–{n} to change it, or BATAL. Example: 3",
    },
    "anf_send": {"id": "Kirim", "en": "Send"},
    "anf_cancel": {"id": "Batal", "en": "Cancel"},
    "anf_edit_region": {"id": "Ubah wilayah", "en": "Change regions"},
    "anf_edit_roles": {"id": "Ubah penerima", "en": "Change recipients"},
    "anf_sent_now": {
        "id": "✅ Pengumuman #{id}: {count} penerima, dikirim sekarang.",
        "en": "✅ Announcement #{id}: {count} recipients, sent now.",
    },
    "anf_sent_later": {
        "id": "✅ Pengumuman #{id}: {count} penerima, dijadwalkan {when}.",
        "en": "✅ Announcement #{id}: {count} recipients, scheduled for {when}.",
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
