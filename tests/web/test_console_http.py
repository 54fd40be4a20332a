"""Every console route over HTTP: login by link, session, CSRF, scope, double submits,
errors (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers.messages import Channel, Inbound, InboundKind
from storage.models import WebLoginToken
from storage.repos.progress import ProgressRepository
from tests.web.conftest import Site

GET_ROUTES = [
    "/konsol/",
    "/konsol/progres",
    "/konsol/progres/18.04",
    "/konsol/progres/18.04/grafik.png",
    "/konsol/keluarga",
    "/konsol/keluarga/1",
    "/konsol/pengumuman",
    "/konsol/pengumuman/baru",
    "/konsol/pengumuman/1",
    "/konsol/pengumuman/1.xlsx",
    "/konsol/ekspor",
    "/konsol/ekspor/progres-18.04.xlsx",
    "/konsol/ekspor/siks-ng.xlsx",
    "/konsol/ekspor/kualitas.xlsx",
    "/konsol/orang",
    "/konsol/orang/1",
    "/konsol/orang/1/cabut?peran=operator&wilayah=18.04.19.2006",
    "/konsol/undangan/baru",
    "/konsol/undangan/KWL-AAAA-BBBB-CCCC",
    "/konsol/laporan",
    "/konsol/laporan/1",
    "/konsol/kualitas",
    "/konsol/tenggat",
    "/konsol/tenggat/baru",
    "/konsol/tenggat/1/ubah",
    "/konsol/tenggat/1/batal",
]
POST_ROUTES = [
    "/konsol/keluar",
    "/konsol/pengumuman/baru",
    "/konsol/pengumuman/1/ingatkan",
    "/konsol/orang/1/cabut",
    "/konsol/undangan/baru",
    "/konsol/undangan/KWL-AAAA-BBBB-CCCC/cabut",
    "/konsol/laporan/1",
    "/konsol/tenggat/baru",
    "/konsol/tenggat/1/ubah",
    "/konsol/tenggat/1/batal",
]
ANNOUNCEMENT = {
    "text": "Menu Data Final dibuka Senin.",
    "regions": "18.04",
    "roles": "operator",
    "nudge": "24",
    "at": "",
}


async def _announce(site: Site, csrf: str, key: str) -> int:
    form = {**ANNOUNCEMENT, "csrf": csrf, "key": key, "action": "send"}
    response = await site.client.post("/konsol/pengumuman/baru", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    return int(response.headers["Location"].rsplit("/", 1)[1])


# ---- login ----------------------------------------------------------------------------------


async def test_konsol_in_the_chat_answers_a_link_that_opens_a_session(site: Site) -> None:
    reply = await site.kawal.handle(
        Inbound(Channel.CONSOLE, "demo-camat", "u1", InboundKind.TEXT, text="KONSOL")
    )
    text = reply.messages[0].text  # type: ignore[union-attr]
    path = "/konsol/masuk/" + text.split("/konsol/masuk/")[1].split()[0]
    page = await site.client.get(path)  # a link preview only GETs: nothing is spent
    assert page.status == 200
    opened = await site.client.post(path, allow_redirects=False)
    assert opened.status == 303
    cookie = opened.cookies["kawal_konsol"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/konsol"
    progress = await site.client.get("/konsol/progres/18.04.19")
    assert progress.status == 200
    again = await site.client.post(path, allow_redirects=False)  # single use
    assert again.status == 403
    assert "tidak berlaku" in await again.text()


async def test_an_operator_gets_no_link(site: Site) -> None:
    reply = await site.kawal.handle(
        Inbound(Channel.CONSOLE, "demo-operator", "u1", InboundKind.TEXT, text="konsol")
    )
    assert "/konsol/masuk/" not in reply.messages[0].text  # type: ignore[union-attr]


async def test_a_link_expires_after_ten_minutes(site: Site) -> None:
    path = await site.link("demo-dinsos")
    site.clock.advance(timedelta(minutes=10, seconds=1))
    response = await site.client.post(path, allow_redirects=False)
    assert response.status == 403


async def test_only_the_hash_of_a_link_is_stored(site: Site) -> None:
    path = await site.link("demo-dinsos")
    token = path.rsplit("/", 1)[1]
    async with site.db.unit_of_work() as uow:
        rows = (await uow.session.execute(select(WebLoginToken.token_hash))).all()
        assert await uow.web.use_login(token, site.clock.now()) is not None  # by its hash
    assert rows and all(token not in row[0] for row in rows)


@pytest.mark.parametrize("path", GET_ROUTES)
async def test_every_page_needs_a_session(site: Site, path: str) -> None:
    response = await site.client.get(path, allow_redirects=False)
    assert response.status == 401
    assert "KONSOL" in await response.text()


async def test_logout_ends_the_session(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    response = await site.client.post("/konsol/keluar", data={"csrf": csrf})
    assert response.status == 200 and "keluar" in (await response.text()).lower()
    assert (await site.client.get("/konsol/progres/18.04")).status == 401


async def test_a_revoked_role_ends_the_session(site: Site) -> None:
    await site.login("demo-camat")
    assert (await site.client.get("/konsol/progres/18.04.19")).status == 200
    person = await site.person("demo-camat")
    async with site.db.unit_of_work() as uow:
        await uow.people.revoke_role(person, "camat", "18.04.19", site.clock.now())
    assert (await site.client.get("/konsol/progres/18.04.19")).status == 401


async def test_the_session_expires(site: Site) -> None:
    await site.login("demo-dinsos")
    site.clock.advance(timedelta(hours=8, seconds=1))
    assert (await site.client.get("/konsol/progres/18.04")).status == 401


# ---- CSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", POST_ROUTES)
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
async def test_every_post_needs_the_csrf_token(site: Site, path: str, token: str | None) -> None:
    await site.login("demo-dinsos")
    data = {**ANNOUNCEMENT, "action": "send", "key": "k"}
    if token is not None:
        data["csrf"] = token
    response = await site.client.post(path, data=data, allow_redirects=False)
    assert response.status == 403
    async with site.db.unit_of_work() as uow:
        assert await uow.announcements.recent() == []
    assert (await site.client.get("/konsol/progres/18.04")).status == 200  # still logged in


async def test_a_post_from_another_session_is_refused(site: Site) -> None:
    other = await site.login("demo-camat")
    await site.login("demo-dinsos")  # the client's cookie is now Dinsos'
    response = await site.client.post(
        "/konsol/pengumuman/baru", data={**ANNOUNCEMENT, "csrf": other, "action": "send"}
    )
    assert response.status == 403


# ---- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("demo-dinsos", "/konsol/progres/18.04", 200),
        ("demo-dinsos", "/konsol/progres/18.04.07", 200),
        ("demo-dinsos", "/konsol/progres/18.05", 403),
        ("demo-dinsos", "/konsol/progres/18.04/grafik.png", 200),
        ("demo-dinsos", "/konsol/progres/not-a-code", 404),
        ("demo-dinsos", "/konsol/pengumuman", 200),
        ("demo-dinsos", "/konsol/ekspor/progres-18.04.xlsx", 200),
        ("demo-dinsos", "/konsol/ekspor/siks-ng.xlsx", 200),
        ("demo-camat", "/konsol/progres/18.04.19", 200),
        ("demo-camat", "/konsol/progres/18.04.07", 403),
        ("demo-camat", "/konsol/progres/18.04", 403),
        ("demo-camat", "/konsol/progres/18.04.07/grafik.png", 403),
        ("demo-camat", "/konsol/keluarga?wilayah=18.04.07.2006", 403),
        ("demo-camat", "/konsol/keluarga?wilayah=18.04.19.2006", 200),
        ("demo-camat", "/konsol/ekspor/progres-18.04.xlsx", 403),
        ("demo-camat", "/konsol/pengumuman", 403),
        ("demo-camat", "/konsol/pengumuman/baru", 403),
        ("demo-camat", "/konsol/ekspor/kualitas.xlsx", 403),
        ("demo-peratin", "/konsol/progres/18.04.19.2006", 200),
        ("demo-peratin", "/konsol/progres/18.04.19", 403),
        ("demo-peratin", "/konsol/keluarga?wilayah=18.04.19", 403),
        ("demo-peratin", "/konsol/pengumuman/1", 403),
        ("demo-dinsos", "/konsol/laporan", 200),
        ("demo-camat", "/konsol/laporan", 403),
        ("demo-peratin", "/konsol/laporan", 403),
    ],
)
async def test_pages_are_scoped_like_the_chat(
    site: Site, user: str, path: str, status: int
) -> None:
    await site.login(user)
    response = await site.client.get(path)
    assert response.status == status, (await response.text())[:500]


async def test_a_household_outside_the_area_is_not_found(site: Site) -> None:
    async with site.db.unit_of_work() as uow:
        inside, _ = await uow.households.page("18.04.19", None, 0, 1)
        outside, _ = await uow.households.page("18.04.07", None, 0, 1)
    await site.login("demo-camat")
    assert (await site.client.get(f"/konsol/keluarga/{inside[0].id}")).status == 200
    hidden = await site.client.get(f"/konsol/keluarga/{outside[0].id}")
    assert hidden.status == 404
    assert outside[0].head_name not in await hidden.text()
    for bad in ("0", "-1", "abc", "99999999999"):
        assert (await site.client.get(f"/konsol/keluarga/{bad}")).status == 404


async def test_a_household_shows_full_niks_and_is_logged(site: Site) -> None:
    async with site.db.unit_of_work() as uow:
        [household], _ = await uow.households.page("18.04.19.2006", None, 0, 1)
        full = await uow.households.get(household.id)
    assert full is not None and full.members[0].nik
    await site.login("demo-peratin")
    page = await site.client.get(f"/konsol/keluarga/{household.id}")
    assert full.members[0].nik in await page.text()
    async with site.db.unit_of_work() as uow:
        entries = await uow.audit.list("household", str(household.id))
    assert [e.action for e in entries] == ["personal_data.view"]


async def test_another_dinsos_cannot_see_an_announcement(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    announcement = await _announce(site, csrf, "key-1")
    async with site.db.unit_of_work() as uow:
        other = await uow.people.create("Dinsos Lain", "id", site.clock.now())
        await uow.people.add_identity(
            other, "console", "other-dinsos", "Dinsos Lain", site.clock.now()
        )
        await uow.regions.upsert("18.05", "Tanggamus", 2, "kabupaten", "18", "Asia/Jakarta")
        await uow.people.assign_role(other, "dinsos", "18.05", site.clock.now())
    await site.login("other-dinsos")
    assert (await site.client.get(f"/konsol/pengumuman/{announcement}")).status == 404
    assert (await site.client.get(f"/konsol/pengumuman/{announcement}.xlsx")).status == 404


# ---- pages ------------------------------------------------------------------------------------


async def test_progress_shows_the_chats_numbers(site: Site) -> None:
    async with site.db.unit_of_work() as uow:
        found = await uow.progress.region("18.04")
    assert found is not None and found.total.register > 0
    await site.login("demo-dinsos")
    text = await (await site.client.get("/konsol/progres/18.04")).text()
    total = found.total
    assert f'data-done="{total.done}" data-total="{total.register}"' in text
    assert "Kec. Air Hitam" in text or "Air Hitam" in text


async def test_a_double_submit_sends_once(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    first = await _announce(site, csrf, "same-key")
    second = await _announce(site, csrf, "same-key")
    assert first == second
    async with site.db.unit_of_work() as uow:
        assert len(await uow.announcements.recent()) == 1
        counts = await uow.outbox.count_by_status(f"announcement:{first}")
    assert sum(counts.values()) == 1  # the one operator of the demo


async def test_bad_input_is_kept_beside_the_field(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    form = {**ANNOUNCEMENT, "csrf": csrf, "key": "k", "action": "send", "at": "besok pagi"}
    response = await site.client.post("/konsol/pengumuman/baru", data=form)
    assert response.status == 400
    text = await response.text()
    assert 'id="at-error"' in text and "2027-01-20 08:00" in text
    assert ANNOUNCEMENT["text"] in text  # what was typed stays


async def test_english_from_the_catalog(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    await site.client.post(
        "/konsol/bahasa", data={"csrf": csrf, "lang": "en", "back": "/konsol/ekspor"}
    )
    text = await (await site.client.get("/konsol/progres/18.04")).text()
    assert "households done" in text and 'lang="en"' in text


async def test_a_failure_is_an_error_page_without_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    await site.login("demo-dinsos")

    async def broken(self: ProgressRepository, code: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(ProgressRepository, "region", broken)
    response = await site.client.get("/konsol/progres/18.04")
    assert response.status == 500
    text = await response.text()
    assert "Traceback" not in text and "boom" not in text and "kesalahan di server" in text
