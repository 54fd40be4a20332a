"""*Laporan kendala* over HTTP: Dinsos only (as in the chat), the inbox of its area (open
first), the answer through the chat's use case (outbox to the operator, report "dijawab"),
bad input beside the field, a double submit queued once, CSRF (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.web.conftest import Site

VILLAGE = "18.04.19.2006"
ANSWER = "Silakan keluar lalu masuk lagi ke SIKS-NG."


async def _report(site: Site, text: str, region: str = VILLAGE, minutes: int = 0) -> int:
    operator = await site.person("demo-operator")
    at = site.clock.now().replace(minute=minutes)
    async with site.db.unit_of_work() as uow:
        if not await uow.regions.get(region):
            await uow.regions.upsert("18.05", "Tanggamus", 2, "kabupaten", "18", "Asia/Jakarta")
            await uow.regions.upsert(region, "Kota Agung", 3, "kecamatan", "18.05", "Asia/Jakarta")
        return await uow.problem_reports.add(operator, "telegram", region, "aplikasi", text, at)


async def _answers(site: Site, report_id: int) -> int:
    operator = await site.person("demo-operator")
    async with site.db.unit_of_work() as uow:
        return len(await uow.outbox.for_person(operator, f"report:{report_id}:answer:"))


async def test_the_inbox_lists_open_reports_first_with_niks_masked(site: Site) -> None:
    answered = await _report(site, "Menu verifikasi hilang", minutes=1)
    opened = await _report(site, "NIK 1804194107900002 ditolak", minutes=0)
    outside = await _report(site, "Laporan kabupaten lain", region="18.05.01")
    async with site.db.unit_of_work() as uow:
        await uow.problem_reports.answer(answered, "Sudah", 1, site.clock.now())
    await site.login("demo-dinsos")
    response = await site.client.get("/konsol/laporan")
    assert response.status == 200
    text = await response.text()
    assert text.index(f"/konsol/laporan/{opened}") < text.index(f"/konsol/laporan/{answered}")
    assert "1804194107900002" not in text and "ditolak" in text
    assert f"/konsol/laporan/{outside}" not in text
    assert (await site.client.get(f"/konsol/laporan/{outside}")).status == 404
    detail = await site.client.get(f"/konsol/laporan/{opened}")
    assert detail.status == 200 and 'id="answer-form"' in await detail.text()


@pytest.mark.parametrize("user", ["demo-camat", "demo-peratin"])
async def test_camat_and_peratin_do_not_read_reports_as_in_the_chat(site: Site, user: str) -> None:
    """The chat shows report texts only to Dinsos (camat and peratin see how many are open,
    on Progres); the console follows it: no menu entry, 403 on the inbox and on a report of
    their own area."""
    report = await _report(site, "Menu verifikasi hilang di Sri Menanti")
    await site.login(user)
    home = await (await site.client.get("/konsol/progres")).text()
    assert "/konsol/laporan" not in home
    for path in ("/konsol/laporan", f"/konsol/laporan/{report}"):
        response = await site.client.get(path)
        assert response.status == 403
        assert "Sri Menanti" not in await response.text()


async def test_dinsos_answers_to_the_operators_chat_once(site: Site) -> None:
    report = await _report(site, "Menu verifikasi hilang")
    csrf = await site.login("demo-dinsos")
    page = await site.client.get(f"/konsol/laporan/{report}")
    assert 'id="answer-form"' in await page.text()
    for _ in range(2):  # a double submit
        response = await site.client.post(
            f"/konsol/laporan/{report}",
            data={"csrf": csrf, "answer": ANSWER},
            allow_redirects=False,
        )
        assert response.status == 303
    assert await _answers(site, report) == 1
    async with site.db.unit_of_work() as uow:
        found = await uow.problem_reports.get(report)
    assert found is not None and found.status == "answered" and found.answer == ANSWER
    inbox = await (await site.client.get("/konsol/laporan?selesai=1")).text()
    assert 'id="notice"' in inbox and 'data-status="answered"' in inbox


@pytest.mark.parametrize(("answer", "example"), [("ok", "SIKS-NG"), ("x" * 1001, "Menu")])
async def test_a_bad_answer_is_explained_beside_the_field(
    site: Site, answer: str, example: str
) -> None:
    report = await _report(site, "Menu verifikasi hilang")
    csrf = await site.login("demo-dinsos")
    response = await site.client.post(
        f"/konsol/laporan/{report}", data={"csrf": csrf, "answer": answer}
    )
    assert response.status == 400
    text = await response.text()
    assert 'id="answer-error"' in text and example in text.split('id="answer-error"')[1]
    assert answer[:200] in text  # what was typed stays
    assert await _answers(site, report) == 0


async def test_only_dinsos_answers_and_only_with_the_csrf_token(site: Site) -> None:
    report = await _report(site, "Menu verifikasi hilang")
    csrf = await site.login("demo-camat")
    refused = await site.client.post(
        f"/konsol/laporan/{report}", data={"csrf": csrf, "answer": ANSWER}
    )
    assert refused.status == 403
    await site.login("demo-dinsos")
    no_token = await site.client.post(f"/konsol/laporan/{report}", data={"answer": ANSWER})
    assert no_token.status == 403
    assert await _answers(site, report) == 0
    for bad in ("0", "99999"):
        assert (await site.client.get(f"/konsol/laporan/{bad}")).status == 404
