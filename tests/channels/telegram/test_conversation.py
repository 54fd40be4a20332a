"""Registration and a whole household verification through the real bot and the fake API."""

from __future__ import annotations

from tests.channels.telegram.conftest import SRI_MENANTI, Bot

CHAT = 5001


async def test_deep_link_registration_reaches_the_menu(bot: Bot) -> None:
    await bot.start()
    fake = bot.fake
    commands = [c["command"] for c in fake.commands[""]]
    assert commands == ["start", "menu", "lanjut", "batal", "bantuan", "tenggat"]
    assert "en" in fake.commands
    if bot.webhook:
        assert fake.webhook is not None
        assert fake.webhook["url"] == "https://kawal.example/telegram/webhook"
        secret = bot.settings.telegram_webhook_secret
        assert secret is not None
        assert fake.webhook["secret_token"] == secret.get_secret_value()
    else:
        assert fake.calls("deleteWebhook")

    await bot.say(CHAT, "/start KWL-TGAAAA")
    consent = fake.last_keyboard(CHAT)
    assert "UU PDP" in consent.text
    labels = [b["text"] for b in consent.buttons()]
    assert labels[0].startswith("1. Setuju")
    assert all(len(b["callback_data"].encode()) <= 64 for b in consent.buttons())

    await bot.press(CHAT, "Setuju")
    # The pressed keyboard is gone and shows the choice; the spinner was stopped.
    assert consent.buttons() == []
    assert consent.text.endswith("➡️ 1. Setuju")
    assert fake.calls("answerCallbackQuery")
    # The name comes from the Telegram profile (first_name "Budi"): straight to the menu.
    assert "Terima kasih, Budi" in bot.text()
    menu = fake.last_keyboard(CHAT)
    assert "Menu utama" in menu.text
    assert menu.buttons()[0]["text"] == "1. Verifikasi keluarga"
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", str(CHAT))
    assert person is not None and person.name == "Budi"
    assert person.consent_at is not None
    assert [(r.role, r.region_code) for r in person.roles] == [("operator", SRI_MENANTI)]


async def _household_id(bot: Bot, name: str) -> int:
    async with bot.db.unit_of_work() as uow:
        found = await uow.households.search(SRI_MENANTI, name)
    return next(h.id for h in found if h.head_name == name)


async def test_household_verification_with_buttons_and_typed_answers(bot: Bot) -> None:
    await bot.start()
    await bot.register(CHAT, "KWL-TGBBBB")
    await bot.press(CHAT, "Verifikasi keluarga")
    assert "Cari keluarga di Sri Menanti" in bot.text()
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    assert "Status keluarga" in bot.text()
    await bot.press(CHAT, "Ditemukan")
    assert "Alamat" in bot.text()
    await bot.press_value(CHAT, "__keep__")
    await bot.say(CHAT, "7")  # RT typed, changed from 006
    await bot.say(CHAT, "tetap")  # RW kept
    await bot.say(CHAT, "ya")
    await bot.say(CHAT, "0812-3456-7890")
    await bot.say(CHAT, "lewati")
    assert "Periksa jawaban" in bot.text()
    assert "006 → 007" in bot.text()
    review = bot.fake.last_keyboard(CHAT)
    # The review screen's text is sent unchanged and its options are unnumbered buttons.
    assert not any(b["text"][0].isdigit() for b in review.buttons())
    await bot.say(CHAT, "simpan")
    assert "Tersimpan" in bot.text()

    household_id = await _household_id(bot, "Agus Hidayat")
    async with bot.db.unit_of_work() as uow:
        household = await uow.households.get(household_id)
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
    assert household is not None and household.status == "updated" and household.rt == "007"
    assert submission.household_id == household_id
    assert submission.answers["family_status"] == "ditemukan"
    assert submission.answers["phone"] == "+6281234567890"
    assert [c["path"] for c in submission.changes] == ["rt"]


async def test_resume_after_restart_in_the_middle_of_a_form(bot: Bot) -> None:
    await bot.start()
    await bot.register(CHAT, "KWL-TGCCCC")
    await bot.press(CHAT, "Verifikasi keluarga")
    await bot.say(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Agus Hidayat")
    await bot.press(CHAT, "Ditemukan")
    assert "Alamat" in bot.text()
    await bot.say(CHAT, "Dusun IV")
    assert "RT" in bot.text()

    await bot.stop()  # the process ends in the middle of the form
    await bot.start()

    await bot.say(CHAT, "/lanjut")
    assert "Melanjutkan" in bot.text() and "RT" in bot.text()
    await bot.say(CHAT, "7")
    await bot.say(CHAT, "tetap")
    await bot.say(CHAT, "ya")
    await bot.say(CHAT, "0812-3456-7890")
    await bot.say(CHAT, "lewati")
    assert "Dusun III → Dusun IV" in bot.text()
    await bot.say(CHAT, "simpan")
    assert "Tersimpan" in bot.text()
    async with bot.db.unit_of_work() as uow:
        [submission] = await uow.submissions.list_for_region(SRI_MENANTI)
    assert sorted(c["path"] for c in submission.changes) == ["address", "rt"]
