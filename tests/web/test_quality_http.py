"""*Kualitas data* over HTTP: the chat's report as a page, Dinsos only, NIKs in full only
inside its area, the date field explained, each view logged (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from handlers.quality import view as quality
from tests.web.conftest import Site

DUPLICATE = "1804070101700099"
OUTSIDE = "18.05.01.2001"


@pytest.fixture
async def planted(site: Site) -> Site:
    """One NIK in a village of the kabupaten and in a village of another kabupaten."""
    now = site.clock.now()
    async with site.db.unit_of_work() as uow:
        await uow.regions.upsert("18.05", "Tanggamus", 2, "kabupaten", "18", "Asia/Jakarta")
        await uow.regions.upsert("18.05.01", "Kota Agung", 3, "kecamatan", "18.05", "Asia/Jakarta")
        await uow.regions.upsert(OUTSIDE, "Pasar Madang", 4, "desa", "18.05.01", "Asia/Jakarta")
        for region, name in (("18.04.19.2006", "Herman Dalam"), (OUTSIDE, "Herman Luar")):
            household = await uow.households.add(region, name, None, None, "", "", "", now=now)
            born = dt.date(1970, 1, 1)
            await uow.households.add_member(household, 1, name, DUPLICATE, "anak", "L", born)
    return site


async def test_the_page_shows_the_chats_report(planted: Site) -> None:
    site = planted
    await site.login("demo-dinsos")
    response = await site.client.get("/konsol/kualitas")
    assert response.status == 200
    text = await response.text()
    async with site.db.unit_of_work() as uow:
        since = site.clock.now() - dt.timedelta(days=site.kawal.options.untouched_days)
        report = await quality.gather(uow, "18.04", since)
    assert report is not None and report.duplicates
    first_line = quality.summary(report, "id").split("\n")[0]
    assert first_line in text
    rows = text.split('id="duplicates"')[1].split("</table>")[0]
    assert rows.count(DUPLICATE) == 1  # in full inside the kabupaten only
    assert "Herman Dalam" in rows and "Herman Luar" not in rows and "Pasar Madang" in rows
    assert 'href="/konsol/ekspor/kualitas.xlsx"' in text
    async with site.db.unit_of_work() as uow:
        entries = await uow.audit.list("quality", "18.04")
    assert [e.action for e in entries] == ["personal_data.view"]


@pytest.mark.parametrize(
    ("typed", "status", "error"),
    [("01-12-2025", 200, False), ("kemarin dulu", 400, True), ("01-01-2099", 400, True)],
)
async def test_the_date_is_explained_beside_the_field(
    site: Site, typed: str, status: int, error: bool
) -> None:
    await site.login("demo-dinsos")
    response = await site.client.get("/konsol/kualitas", params={"sejak": typed})
    assert response.status == status
    text = await response.text()
    assert ('id="sejak-error"' in text) is error
    if error:
        assert "01-10-2026" in text.split('id="sejak-error"')[1] and typed in text


@pytest.mark.parametrize("user", ["demo-camat", "demo-peratin"])
async def test_only_dinsos_opens_quality(site: Site, user: str) -> None:
    await site.login(user)
    assert (await site.client.get("/konsol/kualitas")).status == 403


async def _untouched_in_sri_menanti(site: Site, url: str) -> object:
    """The workbook's count of untouched households in Sri Menanti (its third sheet)."""
    response = await site.client.get(url)
    assert response.status == 200, await response.text()
    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()), read_only=True)
    untouched = workbook.worksheets[2]  # duplicates, mismatches, untouched per village
    [row] = [r for r in untouched.iter_rows(values_only=True) if r[0] == "18.04.19.2006"]
    return row[3]


async def test_the_download_uses_the_date_the_page_shows(site: Site) -> None:
    """A household last changed 400 days ago is untouched by default (90 days) and not when
    the page asks about 01-01-2020 (one changed in 2018 is, either way); the page's XLSX
    link asks the same."""
    now = site.clock.now()
    async with site.db.unit_of_work() as uow:
        for name, days in (("Sutan Lama", 400), ("Sutan Tua", 3000)):
            ago = now - dt.timedelta(days=days)
            await uow.households.add("18.04.19.2006", name, None, None, "", "", "", now=ago)
    await site.login("demo-dinsos")
    page = await (await site.client.get("/konsol/kualitas", params={"sejak": "01-01-2020"})).text()
    link = page.split('id="quality-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert link == "/konsol/ekspor/kualitas.xlsx?sejak=01-01-2020"
    assert await _untouched_in_sri_menanti(site, link) == 1  # Sutan Tua only
    assert await _untouched_in_sri_menanti(site, "/konsol/ekspor/kualitas.xlsx") == 2


@pytest.mark.parametrize("typed", ["kemarin dulu", "01-01-2099"])
async def test_a_bad_date_on_the_download_goes_back_to_the_field(site: Site, typed: str) -> None:
    await site.login("demo-dinsos")
    response = await site.client.get(
        "/konsol/ekspor/kualitas.xlsx", params={"sejak": typed}, allow_redirects=False
    )
    assert response.status == 303
    back = await site.client.get(response.headers["Location"])
    text = await back.text()
    assert back.status == 400 and 'id="sejak-error"' in text
    assert 'id="quality-download"' not in text  # no link for a date the report does not take
