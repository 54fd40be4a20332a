"""The traps a nervous operator fell into (issue 17), typed into the terminal chat on the demo
data; each test asserts what is stored."""

from __future__ import annotations

import pytest

from bot.channels.console import ConsoleChat
from handlers.messages import Question, Reply, Text, Tone
from storage.records import HouseholdRecord
from tests.handlers.conftest import SRI_MENANTI, World

AGUS_KK = "1804191611200001"  # Agus Hidayat, RT 006 / RW 003, Dusun III, four members


OTHER_KK = "1804070302150001"  # Yusuf Saputra, Pekon Sukananti (another kecamatan)


class Console:
    """The terminal chat of one operator, with the last reply kept for assertions."""

    def __init__(self, chat: ConsoleChat) -> None:
        self.chat = chat
        self.last = Reply()
        self.seen: list[str] = []

    async def __call__(self, *lines: str) -> str:
        for line in lines:
            self.last = await self.chat.exchange(line)
            self.seen.append(self.out)
        return self.out

    @property
    def out(self) -> str:
        return self.chat_text(self.last)

    @staticmethod
    def chat_text(reply: Reply) -> str:
        from bot.channels.console import render

        return render(reply)

    def errored(self) -> bool:
        return any(isinstance(m, Text) and m.tone is Tone.ERROR for m in self.last.messages)

    def question(self) -> Question:
        return [m for m in self.last.messages if isinstance(m, Question)][-1]


@pytest.fixture
async def console(world: World) -> Console:
    code = await world.invite("operator", SRI_MENANTI, "KWL-OP0900")
    console = Console(ConsoleChat(world.kawal.handle, "hp-operator"))
    await console(f"/start {code}", "1", "Budi Santoso", "/menu")
    assert "Menu utama" in console.out
    return console


async def _household(world: World, kk: str) -> HouseholdRecord:
    async with world.db.unit_of_work() as uow:
        [household] = await uow.households.find_by_kk(kk)
    return household


async def _open(console: Console, item: str, kk: str = AGUS_KK) -> None:
    await console("/menu")
    number = next(str(i) for i, o in enumerate(console.question().options, 1) if o.label == item)
    await console(number, kk, "1")


async def test_a_typed_rt_is_the_rt_padded(console: Console, world: World) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan", "tetap")
    assert "Sekarang: 006" in console.out
    await console("1")  # RT 1, not "option 1"
    await console("simpan")
    assert "Tersimpan" in console.out
    assert (await _household(world, AGUS_KK)).rt == "001"


async def test_an_rt_edited_from_the_summary_keeps_the_typed_value(
    console: Console, world: World
) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan", "tetap", "4", "tetap", "ya", "lewati", "lewati")
    assert "006 → 004" in console.out
    line = next(x for x in console.out.splitlines() if "RT:" in x)
    await console(line.split(".")[0].strip(), "001")
    assert "006 → 001" in console.out
    await console("simpan")
    assert (await _household(world, AGUS_KK)).rt == "001"


async def test_typing_1_at_a_members_questions_changes_nothing_it_should_not(
    console: Console, world: World
) -> None:
    await _open(console, "Anggota keluarga")
    await console("2")  # Lestari Hidayat, the wife
    assert "Lestari Hidayat" in console.out
    for _ in range(40):
        if "Status perkawinan" in console.question().text:
            break
        await console("1")
        if console.errored() or "⚠️" in console.out:
            await console("tetap")
    await console("1")  # "Belum kawin" for a wife: asked, not taken
    assert "⚠️" in console.out
    await console("1")  # a number is not a yes
    assert console.errored()
    await console("tidak", "kawin")
    for _ in range(10):
        if "Simpan" in console.out and "Tambah anggota" in console.out:
            break
        if "Pendidikan" in console.out:
            await console("SD")
        else:
            await console("lewati" if "lewati" in console.out else "tidak ada")
    await console("simpan")
    assert "Tersimpan" in console.out
    household = await _household(world, AGUS_KK)
    wife = household.members[1]
    assert (wife.name, wife.sex, wife.relation, wife.marital_status) == (
        "Lestari Hidayat",
        "P",
        "istri_suami",
        "kawin",
    )
    assert household.head_name == "Agus Hidayat"
    heads = [m for m in household.members if m.relation == "kepala_keluarga"]
    assert [m.name for m in heads] == ["Agus Hidayat"]


@pytest.mark.parametrize(
    "word",
    ["salah", "ulang", "benar", "masih sama", "tidak berubah", "kembali ke awal", "apa maksudnya?"],
)
async def test_nervous_words_at_a_prefilled_address_are_not_saved(
    console: Console, world: World, word: str
) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan")
    assert "Sekarang: Dusun III" in console.out
    await console(word)
    for _ in range(6):  # whatever the bot understood, the operator then keeps the address
        if "Alamat" in console.question().text:
            break
        await console("tetap")
    await console("simpan")
    if "Tersimpan" not in console.out:
        await console("simpan")
    assert "Tersimpan" in console.out
    household = await _household(world, AGUS_KK)
    assert household.address == "Dusun III"


async def test_nervous_words_get_a_question_back(console: Console) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan", "benar")
    assert "Maksud Anda tetap 'Dusun III'?" in console.out
    await console("apa maksudnya?")
    assert "Maksud Anda tetap 'Dusun III'?" in console.out
    await console("salah")
    assert "Alamat" in console.out and "Contoh" in console.out
    await console("kembali ke awal")
    assert "Status keluarga" in console.out


async def test_house_answers_with_units_prefixes_and_partial_words(
    console: Console, world: World
) -> None:
    await _open(console, "Kondisi rumah")
    await console("milik sendiri", "6x8")
    assert console.errored() and "48" in console.out
    await console("48 m2", "keramik", "tembok", "seng", "sumur")
    assert "Sumur bor/pompa" in console.out and "Sumur terlindung" in console.out
    listed = next(x for x in console.out.splitlines() if "Sumur terlindung" in x)
    await console(listed.strip().split(".")[0])
    await console("1", "900")  # PLN with a meter, then its power
    assert not console.errored()
    await console("elpiji 3 kg", "sendiri", "sepeda motor", "PKH", "simpan")
    if "Tersimpan" not in console.out:
        await console("simpan")
    household = await _household(world, AGUS_KK)
    housing = household.data["housing"]
    assert (housing["floor_area"], housing["water"], housing["power"]) == (
        48,
        "sumur_terlindung",
        "900",
    )


async def test_a_duplicate_kk_is_caught_at_its_question(console: Console) -> None:
    await console("/menu", "4")  # Usulan keluarga baru
    await console(AGUS_KK)
    assert "No. KK 1804191611200001 sudah terdaftar" in console.out
    assert "Agus Hidayat" in console.out
    assert "Nama kepala keluarga" not in console.out  # not asked before the KK is settled


async def test_a_number_from_another_area_says_nothing(console: Console) -> None:
    await console("/menu", "4", OTHER_KK)
    assert "Nama kepala keluarga" in console.out  # the next question, no warning
    assert "⚠️" not in console.out and "Sukananti" not in console.out
    await console("Joko Susilo", "L", "27-04-1990", "1804072704900258")  # Agus Hidayat's NIK
    assert "NIK 1804072704900258 sudah tercatat untuk Agus Hidayat" in console.out


async def test_a_kept_nik_is_checked_against_sex_and_birth_date(
    console: Console, world: World
) -> None:
    household = await _household(world, AGUS_KK)
    wife = household.members[1]  # NIK 1804195405640159: a woman born 14-05-1964
    async with world.db.unit_of_work() as uow:
        await uow.households.update_member(wife.id, {"sex": "L"})
    await _open(console, "Anggota keluarga")
    await console("2")
    for _ in range(10):
        if "NIK" in console.question().text:
            break
        await console("tetap")
    await console("tetap")
    assert "⚠️" in console.out
    assert "Jenis kelamin" in console.out and "Perempuan" in console.out
    assert "Laki-laki" in console.out
    assert "Tanggal lahir" not in console.out.split("⚠️")[1].split("\n")[0]


async def test_the_head_moving_away_asks_who_is_the_new_head(
    console: Console, world: World
) -> None:
    await _open(console, "Anggota keluarga")
    await console("1", "Pindah (dalam negeri)")
    assert "kepala keluarga baru" in console.out.lower()
    number = next(
        str(i) for i, o in enumerate(console.question().options, 1) if "Lestari" in o.label
    )
    await console(number)
    await console("simpan")
    if "Tersimpan" not in console.out:
        await console("simpan")
    assert "Tersimpan" in console.out
    household = await _household(world, AGUS_KK)
    assert household.head_name == "Lestari Hidayat"
    assert household.members[1].relation == "kepala_keluarga"
    assert household.members[0].presence == "pindah"


async def test_the_household_is_shown_and_named_on_resume_and_in_the_guard(
    console: Console,
) -> None:
    await _open(console, "Verifikasi keluarga")
    opening = console.out
    assert "Verifikasi keluarga: keluarga Agus Hidayat" in opening
    assert "RT 006/RW 003" in opening and "KK …0001" in opening
    assert "Lestari Hidayat (P, 1964, NIK …0159) Istri/suami" in opening
    assert len(console.last.messages) == 1  # card, intro and first question: one message
    assert "[Semua data tetap]" in opening
    await console("Ditemukan", "/menu", "2")  # Anggota keluarga while this one is open
    assert "Verifikasi keluarga, keluarga Agus Hidayat" in console.out
    await console("LANJUT")
    assert "Melanjutkan isian: Verifikasi keluarga, keluarga Agus Hidayat" in console.out
    assert "Alamat" in console.out


async def test_a_save_is_one_line_and_an_edit_shows_only_its_line(console: Console) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan", "tetap", "tetap", "tetap", "ya", "lewati", "lewati")
    assert "Periksa jawaban" in console.out
    line = next(x for x in console.out.splitlines() if "RW:" in x)
    await console(line.split(".")[0].strip(), "5")
    assert "Periksa jawaban" not in console.out  # not the whole summary again
    assert "RW: 003 → 005" in console.out and "[Simpan]" in console.out
    await console("simpan")
    assert console.out == "✅ Tersimpan. Keluarga Agus Hidayat: diperbarui.\n[Menu]"
    await console("Menu")  # the button's word
    assert "Menu utama" in console.out


async def test_a_command_typed_with_a_slip_does_the_command(console: Console) -> None:
    await console("tengat")  # no form open: the deadlines
    assert "Belum ada tenggat" in console.out
    await _open(console, "Verifikasi keluarga")
    assert "Status keluarga" in console.out
    await console("mneu")  # at a choice, no answer is a word like this: the menu
    assert "Menu utama" in console.out and "Lanjutkan isian" in console.out
    await console("lanjt")
    assert "Melanjutkan isian" in console.out and "Status keluarga" in console.out
    await console("btal")
    assert "Batalkan isian ini?" in console.out
    await console("batal")  # said again at its confirmation: yes
    assert not console.errored() and "Isian dibatalkan" in console.out


async def test_a_slip_where_a_name_is_typed_is_read_as_the_name(console: Console) -> None:
    await console("/menu", "1")
    assert "Cari keluarga" in console.out
    await console("Mneu")  # the household search: a name, never the menu
    assert "Menu utama" not in console.out


async def test_keep_on_the_empty_phone_moves_on_and_stores_none(
    console: Console, world: World
) -> None:
    await _open(console, "Verifikasi keluarga")
    await console("Ditemukan", "tetap", "tetap", "tetap", "ya")
    assert "Nomor HP keluarga" in console.out
    await console("tetap")  # nothing recorded, nothing changes
    assert not console.errored() and "Nomor HP keluarga" not in console.question().text
    await console("simpan")
    assert "Tersimpan" in console.out
    assert (await _household(world, AGUS_KK)).data.get("phone") is None


async def test_a_nik_or_a_reply_word_is_never_stored_as_a_name(console: Console) -> None:
    await console("/menu")
    item = "Usulan keluarga baru"
    number = next(str(i) for i, o in enumerate(console.question().options, 1) if o.label == item)
    await console(number, "1804071203900001")
    assert "Nama kepala keluarga" in console.out
    await console("1804 0712 0390 0001")  # the NIK typed one question too early
    assert console.errored() and "bukan NIK atau nomor" in console.out
    await console("ya")
    assert console.errored() and '"ya" belum menjawab pertanyaan ini' in console.out
    assert "Contoh: Agus Hidayat" in console.out
    await console("Budi Santoso")
    assert not console.errored() and "Jenis kelamin kepala keluarga" in console.out
    await console("ringkasan")
    assert "Nama kepala keluarga: Budi Santoso" in console.out


async def test_an_optional_screenshot_says_it_may_be_skipped_once(console: Console) -> None:
    await console("/menu")
    item = "Lapor kendala"
    number = next(str(i) for i, o in enumerate(console.question().options, 1) if o.label == item)
    await console(number, "1", "Aplikasi SIKS-NG tidak bisa login sejak pagi")
    assert "Tangkapan layar kendala" in console.out
    assert console.out.count("boleh dilewati") == 1 and console.out.count("ketik lewati") == 1
    assert "(ketik foto: NAMA-FILE)" in console.out
    await console("lewati")
    assert "Periksa jawaban" in console.out


async def test_two_families_that_read_alike_are_told_apart(console: Console) -> None:
    await console("/menu")
    item = "Keluarga belum didata"
    number = next(str(i) for i, o in enumerate(console.question().options, 1) if o.label == item)
    await console(number)
    labels = [o.label for o in console.question().options]
    ahmads = [x for x in labels if x.startswith("Ahmad Hidayat · RT 006/RW 003")]
    assert sorted(ahmads) == [
        "Ahmad Hidayat · RT 006/RW 003 · KK …0022",
        "Ahmad Hidayat · RT 006/RW 003 · KK …0030",
    ]
    assert "Agus Hidayat · RT 006/RW 003" in labels  # one alone keeps its short label
    await console("Ahmad Hidayat")  # found by name: told apart too
    assert len({o.label for o in console.question().options}) == len(console.question().options)


async def test_back_at_the_household_search_is_the_menu_not_a_name(
    console: Console, world: World
) -> None:
    await console("/menu", "1")
    assert "Cari keluarga" in console.out
    await console("kembali")
    assert "Menu utama" in console.out and "tidak cocok" not in console.out
    assert "Lanjutkan isian" not in console.out  # nothing left open


@pytest.mark.parametrize("word", ["batal", "BATAL", "cancel"])
async def test_cancel_with_nothing_open_says_so(console: Console, word: str) -> None:
    await console(word)
    assert "Tidak ada isian yang sedang berjalan. Ketik MENU." in console.out
    assert "Pilihan tidak dikenal" not in console.out


async def test_the_language_named_is_the_language_set(console: Console) -> None:
    await console("English")  # the menu's own item: to English
    assert "Language changed to English." in console.out
    await console("english")  # already English: stays English, not "unknown choice"
    assert "Language changed to English." in console.out and "Unknown choice" not in console.out
    await console("bahasa indonesia")
    assert "Bahasa diganti ke Bahasa Indonesia." in console.out
    await console("Bahasa Indonesia")
    assert "Bahasa diganti ke Bahasa Indonesia." in console.out and "Menu utama" in console.out
