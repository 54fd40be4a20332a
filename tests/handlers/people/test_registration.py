from __future__ import annotations

from datetime import timedelta

from handlers.messages import Channel, Question
from handlers.people import lifecycle as people
from handlers.people.registration import new_invite_code
from tests.handlers.conftest import SRI_MENANTI, World


async def test_unregistered_user_is_told_how_to_register(world: World) -> None:
    chat = world.user("100")
    await chat.text("halo")
    assert "DAFTAR" in chat.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", "100") is None


async def test_invite_consent_name_then_menu(world: World) -> None:
    code = await world.invite("operator", SRI_MENANTI, "KWL-ABCDEF")
    chat = world.user("101")
    await chat.command("start", code)
    assert "UU PDP" in chat.texts()
    assert [o.value for o in chat.question().options] == ["consent:yes", "consent:no"]
    await chat.press("consent:yes")
    assert "nama" in chat.texts().lower()
    await chat.text("Budi Santoso")
    assert "Budi Santoso" in chat.texts()
    assert "Sri Menanti" in chat.texts()
    labels = [o.label for o in chat.question().options]
    assert labels[0] == "Verifikasi keluarga"
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "101")
        entries = await uow.audit.list(entity="person")
    assert person is not None and person.consent_at is not None
    assert person.name == "Budi Santoso"
    assert [(r.role, r.region_code) for r in person.roles] == [("operator", SRI_MENANTI)]
    assert {e.action for e in entries} >= {"person.registered", "person.consent"}


async def test_daftar_word_and_lowercase_code_work(world: World) -> None:
    await world.invite("peratin", SRI_MENANTI, "KWL-PQRSTU")
    chat = world.user("102", Channel.WHATSAPP)
    await chat.text("daftar kwl pqrstu")
    assert isinstance(chat.last.messages[-1], Question)
    assert "UU PDP" in chat.texts()


async def test_used_expired_and_unknown_codes_are_refused(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-AAAAAA")
    await world.user("103").register("KWL-AAAAAA")
    second = world.user("104")
    await second.command("start", "KWL-AAAAAA")
    assert "tidak berlaku" in second.texts()
    await second.command("start", "bukan-kode")
    assert "tidak berlaku" in second.texts()
    async with world.db.unit_of_work() as uow:
        await uow.invites.create(
            "KWL-BBBBBB",
            "operator",
            SRI_MENANTI,
            None,
            world.clock.now(),
            expires_at=world.clock.now() + timedelta(days=1),
        )
    world.clock.advance(timedelta(days=2))
    await second.command("start", "KWL-BBBBBB")
    assert "tidak berlaku" in second.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.people.find_by_identity("telegram", "104") is None


async def test_declining_consent_records_nothing_and_can_agree_later(world: World) -> None:
    """Issue 18: "Kawal tidak mencatat data apa pun" is true: the person, the name, the chat
    id and the role are deleted; the same code works again for a change of mind."""
    await world.invite("operator", SRI_MENANTI, "KWL-CCCCCC")
    chat = world.user("105")
    await chat.command("start", "KWL-CCCCCC")
    await chat.text("menu")  # anything but consent keeps asking
    assert "UU PDP" in chat.texts()
    await chat.press("consent:no")
    assert "tidak mencatat data apa pun" in chat.texts()
    async with world.db.unit_of_work() as uow:
        assert await uow.people.find_person_id("telegram", "105") is None
        assert (await uow.people.directory(include_removed=True))[0] == 0
        invite = await uow.invites.get("KWL-CCCCCC")
    assert invite is not None and invite.uses == 0
    await chat.text("menu")
    assert "DAFTAR" in chat.texts()  # a stranger again
    await chat.command("start", "KWL-CCCCCC")
    await chat.text("setuju")
    assert "nama" in chat.texts().lower()
    await chat.text("1")  # not a name
    assert "Contoh" in chat.texts()
    await chat.text("Siti Aminah")
    assert "Siti Aminah" in chat.texts()


async def test_a_second_code_adds_a_role(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-DDDDDD")
    await world.invite("peratin", SRI_MENANTI, "KWL-EEEEEE")
    chat = world.user("106")
    await chat.register("KWL-DDDDDD")
    await chat.command("start", "KWL-EEEEEE")
    assert "Peran baru" in chat.texts()
    await chat.text("menu")
    labels = [o.label for o in chat.question().options]
    assert "Verifikasi keluarga" in labels and "Progres wilayah" in labels


async def test_duplicate_update_changes_nothing(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-FFFFFF")
    chat = world.user("107")
    await chat.register("KWL-FFFFFF")
    first = await chat.text("bahasa", platform_id="same-update")
    assert "English" in chat.texts()
    again = await chat.text("bahasa", platform_id="same-update")
    assert first.messages and not again.messages
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "107")
    assert person is not None and person.lang == "en"


async def test_a_new_code_registers_however_it_is_typed(world: World) -> None:
    for n, typed in enumerate(
        (
            "/start {code}",
            "DAFTAR {lower}",
            "daftar {spaced}",
            "{bare}",  # a stranger's bare code, without KWL
        )
    ):
        code = await world.invite("operator", SRI_MENANTI, new_invite_code())
        body = code.removeprefix("KWL-")
        text = typed.format(
            code=code, lower=code.lower(), spaced=" ".join(code.lower().split("-")), bare=body
        )
        chat = world.user(f"20{n}", Channel.WHATSAPP)
        if text.startswith("/start "):
            await chat.command("start", text.removeprefix("/start "))
        else:
            await chat.text(text)
        assert "UU PDP" in chat.texts(), text
        async with world.db.unit_of_work() as uow:
            invite = await uow.invites.get(code)
        assert invite is not None and invite.uses == 1


async def test_a_removed_person_registers_again_as_a_new_person(world: World) -> None:
    await world.invite("operator", SRI_MENANTI, "KWL-OLDONE")
    chat = world.user("301")
    await chat.register("KWL-OLDONE", "Budi Santoso")
    async with world.db.unit_of_work() as uow:
        old = await uow.people.find_by_identity("telegram", "301")
        assert old is not None
        await uow.audit.add("household.updated", "household", "7", world.clock.now(), old.person_id)
        done = await people.remove_person(
            uow, old.person_id, by=None, channel="cli", now=world.clock.now()
        )
    assert done is not None
    await chat.text("menu")
    assert "DAFTAR" in chat.texts()  # a stranger again

    code = await world.invite("peratin", SRI_MENANTI, new_invite_code())
    await chat.register(code, "Budi Santoso")
    assert "Terima kasih, Budi Santoso" in chat.texts()
    async with world.db.unit_of_work() as uow:
        new = await uow.people.find_by_identity("telegram", "301")
        old_detail = await uow.people.detail(old.person_id)
        kept = await uow.audit.list("household", "7")
    assert new is not None and new.person_id != old.person_id
    assert new.identity_id == old.identity_id  # the same row, now the new person's
    assert [(r.role, r.region_code) for r in new.roles] == [("peratin", SRI_MENANTI)]
    assert old_detail is not None and old_detail.removed_at is not None
    assert old_detail.identities == () and old_detail.active_roles == ()
    assert [e.person_id for e in kept] == [old.person_id]


async def test_a_switched_off_group_identity_may_be_registered_again(world: World) -> None:
    """Migration 0005 switched off identities of Telegram groups: the id can register anew."""
    async with world.db.unit_of_work() as uow:
        group = await uow.people.create("Grup Desa", "id", world.clock.now())
        await uow.people.add_identity(group, "telegram", "-1001", "Grup", world.clock.now())
        await uow.people.remove(group, world.clock.now())
    await world.invite("operator", SRI_MENANTI, "KWL-GROUPS")
    chat = world.user("-1001")
    await chat.command("start", "KWL-GROUPS")
    assert "UU PDP" in chat.texts()
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", "-1001")
        assert person is not None and person.person_id != group
        assert await uow.people.identities_of(group) == []
