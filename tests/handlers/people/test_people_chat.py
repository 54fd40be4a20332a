"""People and invites in the chat for Dinsos: only its own kabupaten, every action behind a
confirmation, ids in buttons never trusted."""

from __future__ import annotations

import itertools
from datetime import timedelta

from bot.regions import load_regions
from handlers.app import Options
from handlers.messages import Question
from storage.records import InviteRecord
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

PAMEKASAN_VILLAGE = "35.28.11.2001"
_codes = itertools.count(1)


async def _person(world: World, role: str, region: str, chat_id: str, name: str) -> Chat:
    code = f"KWL-P{next(_codes):05d}"
    await world.invite(role, region, code)
    chat = world.user(chat_id)
    await chat.register(code, name)
    return chat


async def _person_id(world: World, chat_id: str) -> int:
    async with world.db.unit_of_work() as uow:
        person = await uow.people.find_by_identity("telegram", chat_id)
    assert person is not None
    return person.person_id


async def _pamekasan(world: World) -> Chat:
    async with world.db.unit_of_work() as uow:
        await load_regions(uow, "35.28.11")
    return await _person(world, "operator", PAMEKASAN_VILLAGE, "900", "Operator Jauh")


async def test_dinsos_sees_the_people_of_its_kabupaten_only(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    await _person(world, "operator", SRI_MENANTI, "101", "Budi Santoso")
    await _person(world, "peratin", SUKANANTI, "102", "Pak Harun")
    await _pamekasan(world)
    operator = world.user("101")
    await operator.text("menu")
    assert "Orang & undangan" not in [o.label for o in operator.question().options]
    await operator.text("orang")  # not a word of theirs: perhaps a form answer
    assert "Pilihan tidak dikenal" in operator.texts()
    await operator.press("ppl:l:0")
    assert "hanya untuk Dinsos" in operator.texts()

    await dinsos.text("menu")
    await dinsos.press(dinsos.option("Orang & undangan"))
    text = dinsos.question().text
    assert text.startswith("Orang di Lampung Barat: 3 (hal. 1/1)")
    assert "Budi Santoso · operator Sri Menanti" in text
    assert "Pak Harun · peratin Sukananti" in text
    assert "Operator Jauh" not in text and "Bujur Barat" not in text
    labels = [o.label for o in dinsos.question().options]
    assert labels == ["Bu Rina", "Budi Santoso", "Pak Harun", "Undangan (0)", "Undangan baru"]
    await dinsos.text("ORANG")
    assert dinsos.question().text == text


async def test_the_list_is_paged(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    async with world.db.unit_of_work() as uow:
        for n in range(13):
            person_id = await uow.people.create(f"Operator {n:02d}", "id", world.clock.now())
            await uow.people.assign_role(person_id, "operator", SRI_MENANTI, world.clock.now())
    await dinsos.text("orang")
    assert dinsos.question().text.startswith("Orang di Lampung Barat: 14 (hal. 1/3)")
    await dinsos.press(dinsos.option("Berikutnya"))
    page = dinsos.question()
    assert page.text.startswith("Orang di Lampung Barat: 14 (hal. 2/3)")
    assert "7. Operator 05" in page.text
    assert len(page.options) <= 10
    await dinsos.press("ppl:l:99")  # a stale page: the last one
    assert "(hal. 3/3)" in dinsos.question().text


async def test_revoking_a_role_asks_first_and_closes_the_open_form(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    operator = await _person(world, "operator", SRI_MENANTI, "101", "Budi Santoso")
    await operator.press("m:verify")
    await operator.text("agus")  # a household search is open
    budi = await _person_id(world, "101")

    await dinsos.text("orang")
    await dinsos.press(dinsos.option("Budi Santoso"))
    view = dinsos.question()
    assert view.text.splitlines()[:2] == [
        "Budi Santoso",
        "• operator Sri Menanti, sejak 15-01-2026",
    ]
    assert "Telegram, terakhir menulis 15-01-2026 10.30 WIB" in view.text
    await dinsos.press(dinsos.option("Cabut operator Sri Menanti"))
    confirm = dinsos.question()
    assert confirm.text == "Cabut peran operator Budi Santoso di Sri Menanti?"
    assert [o.label for o in confirm.options] == ["Ya", "Batal"]
    await dinsos.press(dinsos.option("Batal"))  # back to the person, nothing changed
    assert dinsos.question().text.startswith("Budi Santoso")
    async with world.db.unit_of_work() as uow:
        assert len(await uow.people.active_roles(budi)) == 1

    await dinsos.press(dinsos.option("Cabut operator Sri Menanti"))
    await dinsos.press(dinsos.option("Ya"))
    assert "✅ Peran operator Budi Santoso di Sri Menanti dicabut." in dinsos.texts()
    assert "Isian terbuka yang ditutup: 1." in dinsos.texts()
    assert dinsos.question().text.startswith("Orang di Lampung Barat: 1")  # Budi has none here

    async with world.db.unit_of_work() as uow:
        assert await uow.people.active_roles(budi) == []
        assert await uow.sessions.get_open(budi) is None
        [entry] = [e for e in await uow.audit.list("person", str(budi)) if "revoked" in e.action]
    assert entry.action == "person.role_revoked"
    assert entry.person_id == await _person_id(world, "100")
    assert entry.before == {"role": "operator", "region": SRI_MENANTI}
    assert entry.after == {"sessions_closed": 1, "roles_left": 0}

    await operator.text("menu")
    assert "belum punya peran aktif" in operator.texts()
    await operator.press("m:verify")  # an old button
    assert "belum punya peran aktif" in operator.texts()
    assert not [m for m in operator.last.messages if isinstance(m, Question)]


async def test_removing_a_person_switches_off_their_access_and_keeps_their_records(
    world: World,
) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    operator = await _person(world, "operator", SRI_MENANTI, "101", "Budi Santoso")
    budi = await _person_id(world, "101")
    async with world.db.unit_of_work() as uow:
        await uow.people.assign_role(budi, "peratin", SUKANANTI, world.clock.now())
        await uow.audit.add("household.updated", "household", "1", world.clock.now(), budi)

    await dinsos.text("orang")
    await dinsos.press(dinsos.option("Budi Santoso"))
    await dinsos.press(dinsos.option("Hapus orang ini"))
    assert dinsos.question().text.startswith("Hapus Budi Santoso? Semua perannya dicabut")
    await dinsos.press(dinsos.option("Ya, hapus"))
    assert "✅ Budi Santoso dihapus" in dinsos.texts()

    async with world.db.unit_of_work() as uow:
        detail = await uow.people.detail(budi)
        removed = [
            e for e in await uow.audit.list("person", str(budi)) if e.action == "person.removed"
        ]
        kept = await uow.audit.list("household", "1")
    assert detail is not None and detail.removed_at == world.clock.now()
    assert detail.active_roles == ()
    assert [i.disabled_at for i in detail.identities] == [world.clock.now()]
    assert removed[0].after == {
        "sessions_closed": 0,
        "messages_cancelled": 0,
        "identities_disabled": 1,
    }
    assert [e.person_id for e in kept] == [budi]  # what they did stays theirs

    await operator.text("menu")  # a stranger now
    assert "Untuk mendaftar, kirim kode undangan" in operator.texts()
    await dinsos.press(f"ppl:p:{budi}")
    assert "tidak ada di wilayah Anda" in dinsos.texts()


async def test_nothing_outside_the_kabupaten_can_be_seen_or_touched(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    await _pamekasan(world)
    far = await _person_id(world, "900")
    me = await _person_id(world, "100")
    other = await _person(world, "dinsos", "18.04", "101", "Pak Dinsos Dua")
    both = await _person(world, "operator", SRI_MENANTI, "102", "Dua Tempat")
    two = await _person_id(world, "102")
    async with world.db.unit_of_work() as uow:
        await uow.people.assign_role(two, "operator", PAMEKASAN_VILLAGE, world.clock.now())
        await uow.invites.create(
            "KWL-FARAWY", "operator", PAMEKASAN_VILLAGE, None, world.clock.now()
        )

    forged = [
        f"ppl:p:{far}",
        f"ppl:r:{far}:operator:{PAMEKASAN_VILLAGE}",
        f"ppl:ry:{far}:operator:{PAMEKASAN_VILLAGE}",
        f"ppl:x:{far}",
        f"ppl:xy:{far}",
        f"ppl:ry:{two}:operator:{PAMEKASAN_VILLAGE}",  # Dinsos' person, the far role
        f"ppl:xy:{two}",  # holds a role outside: only the roles here may go
        f"ppl:ry:{me}:dinsos:18.04",  # not oneself
        f"ppl:xy:{me}",
        "ppl:ry:abc:operator:18.04",
        f"ppl:ry:{two}:operator:18.04.19.2006'--",
        "ppl:ir:KWL-FARAWY",
        "ppl:iry:KWL-FARAWY",
        "ppl:n:operator:35.28.11.2001",
        "ppl:n:operator:18.04.19",  # a kecamatan for an operator: goes on to its villages
        "ppl:n:admin",
        "ppl:n:operator:18.04.19.2006.1",
        "ppl:zz:1",
        "ppl:",
    ]
    for payload in forged:
        await dinsos.press(payload)
        assert "Bujur Barat" not in dinsos.texts() and "Operator Jauh" not in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        assert [r.region_code for r in await uow.people.active_roles(far)] == [PAMEKASAN_VILLAGE]
        assert len(await uow.people.active_roles(two)) == 2
        assert len(await uow.people.active_roles(me)) == 1
        far_invite = await uow.invites.get("KWL-FARAWY")
        made = await uow.invites.list(world.clock.now())
        assert (await uow.people.detail(two)).removed_at is None  # type: ignore[union-attr]
    assert far_invite is not None and far_invite.revoked_at is None
    assert [i.code for i in made] == ["KWL-FARAWY"]

    # The person with two places: only the role here is offered, no removal.
    await dinsos.press(f"ppl:p:{two}")
    view = dinsos.question()
    assert "Bujur Barat" not in view.text
    assert [o.label for o in view.options] == ["Cabut operator Sri Menanti", "Kembali"]
    # Oneself: no buttons but back; a peer Dinsos can be revoked.
    await dinsos.press(f"ppl:p:{me}")
    assert "Ini Anda" in dinsos.texts()
    assert [o.label for o in dinsos.question().options] == ["Kembali"]
    await dinsos.press(f"ppl:p:{await _person_id(world, '101')}")
    assert "Cabut dinsos Lampung Barat" in [o.label for o in dinsos.question().options]
    assert other and both


async def test_a_new_invite_walks_down_to_a_village_and_shows_the_code(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    await dinsos.text("orang")
    await dinsos.press(dinsos.option("Undangan baru"))
    assert [o.label for o in dinsos.question().options] == [
        "operator",
        "peratin",
        "camat",
        "dinsos",
    ]
    await dinsos.press(dinsos.option("operator"))
    assert dinsos.question().text == "Undangan operator: pilih wilayah di Lampung Barat."
    await dinsos.press(dinsos.option("Air Hitam"))
    await dinsos.press(dinsos.option("Sri Menanti"))
    info, share = dinsos.texts().split("\n")[:4], dinsos.last.messages[-1]
    assert info[0] == "✅ Undangan operator Sri Menanti:"
    assert info[2] == "Berlaku s.d. 29-01-2026 10.30 WIB, untuk 1 orang."
    code = info[1]
    assert share.text == f"Minta orangnya mengirim ke Kawal: DAFTAR {code}"  # type: ignore[union-attr]
    async with world.db.unit_of_work() as uow:
        invite = await uow.invites.get(code)
        [entry] = await uow.audit.list("invite", code)
    assert invite == InviteRecord(
        code,
        "operator",
        SRI_MENANTI,
        await _person_id(world, "100"),
        world.clock.now(),
        world.clock.now() + timedelta(days=14),
        1,
        0,
        None,
    )
    assert (entry.action, entry.channel) == ("invite.created", "telegram")

    newcomer = world.user("555")
    await newcomer.text(f"daftar {code.lower()}")
    assert "UU PDP" in newcomer.texts()


async def test_the_invite_link_and_days_come_from_the_options(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    world.kawal.options = Options(invite_days=3)
    world.kawal.set_telegram_bot("@kawal_lambar_bot")
    await dinsos.press("ppl:n:camat")
    await dinsos.press(dinsos.option("Way Tenong"))
    code = dinsos.texts().split("\n")[1]
    assert "Berlaku s.d. 18-01-2026 10.30 WIB" in dinsos.texts()
    assert dinsos.last.messages[-1].text == (  # type: ignore[union-attr]
        f"Teruskan tautan ini ke orangnya: https://t.me/kawal_lambar_bot?start={code}"
    )
    await dinsos.press("ppl:n:dinsos")  # its own kabupaten: no region to pick
    assert "✅ Undangan dinsos Lampung Barat:" in dinsos.texts()


async def test_invites_are_listed_and_revoked_after_a_confirmation(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    now = world.clock.now()
    async with world.db.unit_of_work() as uow:
        await uow.invites.create("KWL-AAAA-BBBB-CCCC", "operator", SRI_MENANTI, None, now,
                                 now + timedelta(days=14))  # fmt: skip
        await uow.invites.create("KWL-USEDUP", "operator", SRI_MENANTI, None, now)
        await uow.invites.redeem("KWL-USEDUP", now)
        await uow.invites.create("KWL-OLDONE", "operator", SUKANANTI, None, now, now)  # expired
    await dinsos.text("undangan")
    view = dinsos.question()
    assert view.text.splitlines() == [
        "Undangan aktif di Lampung Barat: 1 (hal. 1/1)",
        "KWL-AAAA-BBBB-CCCC · operator Sri Menanti · s.d. 29-01-2026 10.30 WIB",
    ]
    assert [o.label for o in view.options] == [
        "Cabut KWL-AAAA-BBBB-CCCC",
        "Undangan baru",
        "Kembali",
    ]
    await dinsos.press(dinsos.option("Cabut KWL-AAAA"))
    assert dinsos.question().text.startswith(
        "Cabut undangan KWL-AAAA-BBBB-CCCC (operator Sri Menanti)?"
    )
    await dinsos.press(dinsos.option("Ya"))
    assert "✅ Undangan KWL-AAAA-BBBB-CCCC dicabut." in dinsos.texts()
    assert "Tidak ada undangan aktif di Lampung Barat" in dinsos.texts()
    await dinsos.press("ppl:iry:KWL-AAAA-BBBB-CCCC")  # again: nothing to revoke
    assert "sudah tidak berlaku" in dinsos.texts()
    async with world.db.unit_of_work() as uow:
        invite = await uow.invites.get("KWL-AAAA-BBBB-CCCC")
        entries = await uow.audit.list("invite", "KWL-AAAA-BBBB-CCCC")
    assert invite is not None and invite.revoked_at == now
    assert [e.action for e in entries] == ["invite.revoked"]
    newcomer = world.user("556")
    await newcomer.command("start", "KWL-AAAA-BBBB-CCCC")
    assert "tidak berlaku" in newcomer.texts()


async def test_english_labels(world: World) -> None:
    dinsos = await _person(world, "dinsos", "18.04", "100", "Bu Rina")
    await dinsos.text("bahasa")
    await dinsos.text("people")
    assert dinsos.question().text.startswith("People in Lampung Barat: 1 (page 1/1)")
    assert "New invite" in [o.label for o in dinsos.question().options]
