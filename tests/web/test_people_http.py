"""*Orang & undangan* over HTTP: Dinsos only, inside its kabupaten; invites with code, deep
link and QR; revoking a role or an invite asks first, needs POST and the CSRF token
(SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.web.conftest import Site, other_dinsos

CODE_RE = re.compile(r"/konsol/undangan/(KWL-[A-Z0-9-]+)$")


async def _invite(site: Site, csrf: str, role: str, region: str) -> str:
    response = await site.client.post(
        "/konsol/undangan/baru",
        data={"csrf": csrf, "role": role, "region": region},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    found = CODE_RE.search(response.headers["Location"])
    assert found
    return found.group(1)


async def test_dinsos_sees_the_people_of_its_kabupaten(site: Site) -> None:
    await site.login("demo-dinsos")
    response = await site.client.get("/konsol/orang")
    assert response.status == 200
    text = await response.text()
    for name in ("Operator Demo", "Peratin Demo", "Camat Demo"):
        assert name in text
    dinsos = await site.person("demo-dinsos")
    async with site.db.unit_of_work() as uow:
        counts = await uow.processing.count_by(dinsos)
    assert counts.get("view") == 1


@pytest.mark.parametrize("user", ["demo-camat", "demo-peratin"])
@pytest.mark.parametrize(
    "path", ["/konsol/orang", "/konsol/orang/1", "/konsol/undangan/baru", "/konsol/orang/1/cabut"]
)
async def test_only_dinsos_opens_people(site: Site, user: str, path: str) -> None:
    await site.login(user)
    response = await site.client.get(path)
    assert response.status == 403


async def test_a_person_outside_the_area_is_not_found(site: Site) -> None:
    operator = await site.person("demo-operator")
    await other_dinsos(site)
    await site.login("other-dinsos")
    response = await site.client.get(f"/konsol/orang/{operator}")
    assert response.status == 404
    assert "Operator Demo" not in await response.text()
    assert "Operator Demo" not in await (await site.client.get("/konsol/orang")).text()


async def test_an_invite_shows_its_code_link_and_qr(site: Site) -> None:
    site.kawal.options = replace(site.kawal.options, telegram_bot_username="kawal_demo_bot")
    csrf = await site.login("demo-dinsos")
    code = await _invite(site, csrf, "operator", "18.04.19.2006")
    response = await site.client.get(f"/konsol/undangan/{code}")
    assert response.status == 200
    text = await response.text()
    assert f"https://t.me/kawal_demo_bot?start={code}" in text
    assert "<svg" in text and 'class="qr"' in text
    async with site.db.unit_of_work() as uow:
        invite = await uow.invites.get(code)
    assert invite is not None and (invite.role, invite.region_code) == ("operator", "18.04.19.2006")
    assert code in await (await site.client.get("/konsol/orang")).text()


@pytest.mark.parametrize(
    ("role", "region", "field", "example"),
    [
        ("operator", "18.04.19", "region", "18.04.19.2006"),  # a village is needed
        ("camat", "18.05.01", "region", "18.04.19.2006"),  # outside the kabupaten
        ("operator", "bukan kode", "region", "18.04.19.2006"),
        ("admin", "18.04", "role", "Operator"),  # Dinsos cannot invite an admin
    ],
)
async def test_a_bad_invite_is_explained_beside_the_field(
    site: Site, role: str, region: str, field: str, example: str
) -> None:
    await other_dinsos(site)
    csrf = await site.login("demo-dinsos")
    response = await site.client.post(
        "/konsol/undangan/baru", data={"csrf": csrf, "role": role, "region": region}
    )
    assert response.status == 400
    text = await response.text()
    error = re.search(rf'id="{field}-error">([^<]+)<', text)
    assert error and example in error.group(1)
    async with site.db.unit_of_work() as uow:
        assert await uow.invites.list(site.clock.now()) == []


async def test_revoking_a_role_asks_first_then_needs_post_and_csrf(site: Site) -> None:
    operator = await site.person("demo-operator")
    csrf = await site.login("demo-dinsos")
    query = "?peran=operator&wilayah=18.04.19.2006"
    card = await site.client.get(f"/konsol/orang/{operator}")
    assert card.status == 200 and 'data-role="operator"' in await card.text()
    confirm = await site.client.get(f"/konsol/orang/{operator}/cabut{query}")
    assert confirm.status == 200 and "Operator Demo" in await confirm.text()
    form = {"peran": "operator", "wilayah": "18.04.19.2006"}
    refused = await site.client.post(f"/konsol/orang/{operator}/cabut", data=form)
    assert refused.status == 403
    async with site.db.unit_of_work() as uow:
        assert len(await uow.people.active_roles(operator)) == 1
    done = await site.client.post(
        f"/konsol/orang/{operator}/cabut", data={**form, "csrf": csrf}, allow_redirects=False
    )
    assert done.status == 303 and "selesai=role_revoked" in done.headers["Location"]
    async with site.db.unit_of_work() as uow:
        assert await uow.people.active_roles(operator) == []
        entries = await uow.audit.list("person", str(operator))
        viewed = await uow.processing.about_person(operator)
    assert [(e.action, e.channel) for e in entries] == [("person.role_revoked", "web")]
    assert [(e.action, e.channel) for e in viewed] == [("view", "web")]
    again = await site.client.post(f"/konsol/orang/{operator}/cabut", data={**form, "csrf": csrf})
    assert again.status == 404


async def test_another_kabupaten_cannot_revoke(site: Site) -> None:
    operator = await site.person("demo-operator")
    await other_dinsos(site)
    csrf = await site.login("other-dinsos")
    form = {"csrf": csrf, "peran": "operator", "wilayah": "18.04.19.2006"}
    response = await site.client.post(f"/konsol/orang/{operator}/cabut", data=form)
    assert response.status == 404
    async with site.db.unit_of_work() as uow:
        assert len(await uow.people.active_roles(operator)) == 1


async def test_revoking_an_invite_asks_first(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    code = await _invite(site, csrf, "peratin", "18.04.19.2006")
    confirm = await site.client.get(f"/konsol/undangan/{code}/cabut")
    assert confirm.status == 200 and code in await confirm.text()
    assert (await site.client.post(f"/konsol/undangan/{code}/cabut")).status == 403
    done = await site.client.post(
        f"/konsol/undangan/{code}/cabut", data={"csrf": csrf}, allow_redirects=False
    )
    assert done.status == 303
    async with site.db.unit_of_work() as uow:
        invite = await uow.invites.get(code)
    assert invite is not None and invite.revoked_at is not None
    assert (await site.client.get(f"/konsol/undangan/{code}")).status == 404
    for bad in ("nope", "KWL-0000-0000-0000", "x" * 300):
        assert (await site.client.get(f"/konsol/undangan/{bad}")).status == 404


async def test_a_double_submit_makes_one_invite_and_revokes_once(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    form = {"csrf": csrf, "role": "operator", "region": "18.04.19", "key": "inv-1"}
    wrong = await site.client.post("/konsol/undangan/baru", data=form)
    assert wrong.status == 400 and 'value="inv-1"' in await wrong.text()  # the key is kept
    form["region"] = "18.04.19.2006"
    first = await site.client.post("/konsol/undangan/baru", data=form, allow_redirects=False)
    second = await site.client.post("/konsol/undangan/baru", data=form, allow_redirects=False)
    assert first.headers["Location"] == second.headers["Location"]
    async with site.db.unit_of_work() as uow:
        assert len(await uow.invites.list(site.clock.now())) == 1
    operator = await site.person("demo-operator")
    revoke = {"csrf": csrf, "peran": "operator", "wilayah": "18.04.19.2006", "key": "rev-1"}
    for _ in range(2):
        done = await site.client.post(
            f"/konsol/orang/{operator}/cabut", data=revoke, allow_redirects=False
        )
        assert done.status == 303 and "selesai=role_revoked" in done.headers["Location"]
