"""An announcement's photo or document, attached in the console (SQLite and PostgreSQL): kept
private under a random name, shown in the preview, sent with the announcement; bad files
said beside the field; file names and stored names from the browser never trusted."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, FormData

from bot.web.uploads import MAX_PHOTO_BYTES, MAX_UPLOAD_BYTES, attachment_kind
from tests.web.conftest import Site

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
FIELDS = {
    "text": "Jadwal verval Desember terlampir.",
    "regions": "18.04",
    "roles": "operator",
    "nudge": "24",
    "at": "",
}


def _folder(site: Site, person_id: int) -> Path:
    """The officer's folder (the site keeps media beside its exports)."""
    media = site.kawal.options.exports_dir.parent / "media"
    return media / "announcements" / f"web-{person_id}"


async def _post(
    site: Site,
    csrf: str | None,
    *,
    file: tuple[str, bytes] | None = None,
    file_first: bool = False,
    path: str = "/konsol/pengumuman/baru",
    **extra: str,
) -> ClientResponse:
    form = FormData()
    if file is not None and file_first:
        form.add_field("file", io.BytesIO(file[1]), filename=file[0])
    if csrf is not None:
        form.add_field("csrf", csrf)
    form.add_field("key", extra.pop("key", "k-1"))
    for name, value in {**FIELDS, **extra}.items():
        form.add_field(name, value)
    if file is not None and not file_first:
        form.add_field("file", io.BytesIO(file[1]), filename=file[0])
    return await site.client.post(path, data=form, allow_redirects=False)


def _hidden(text: str, name: str) -> str:
    marker = f'name="{name}" value="'
    assert marker in text, f"no {name} on the page"
    return text.split(marker)[1].split('"')[0]


async def test_a_document_is_previewed_then_sent_with_the_announcement(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    me = await site.person("demo-dinsos")
    response = await _post(site, csrf, file=("../../Surat Edaran.PDF", PDF), action="preview")
    assert response.status == 200, await response.text()
    text = await response.text()
    assert 'id="preview"' in text and 'id="preview-document"' in text
    assert "Surat Edaran.PDF" in text and "../" not in text.split('id="preview-document"')[1][:60]
    stored = _hidden(text, "attachment")
    [kept] = list(_folder(site, me).iterdir())
    assert kept.name == stored and stored.startswith("lampiran-") and stored.endswith(".pdf")
    assert "Surat" not in stored  # the browser's name is never part of a path
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert kept.read_bytes() == PDF

    sent = await _post(
        site,
        csrf,
        attachment=stored,
        attachment_name=_hidden(text, "attachment_name"),
        action="send",
    )
    assert sent.status == 303, await sent.text()
    new_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    async with site.db.unit_of_work() as uow:
        record = await uow.announcements.get(new_id)
        rows = await uow.outbox.of_campaign(f"announcement:{new_id}")
    assert record is not None and record.media_kind == "document"
    assert record.media_path == str(kept.resolve())
    assert rows and rows[0].payload[0]["kind"] == "document"
    assert rows[0].payload[0]["path"] == str(kept.resolve())


async def test_a_photo_shows_in_the_preview_and_only_to_its_sender(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    response = await _post(site, csrf, file=("foto.png", PNG), action="preview")
    text = await response.text()
    assert response.status == 200, text
    stored = _hidden(text, "attachment")
    assert stored.endswith(".png") and 'id="preview-photo"' in text
    photo = await site.client.get(f"/konsol/pengumuman/lampiran/{stored}")
    assert photo.status == 200 and photo.content_type == "image/png"
    assert await photo.read() == PNG
    assert (
        await site.client.get("/konsol/pengumuman/lampiran/lampiran-AAAAAAAAAAAAAAAA.png")
    ).status == 404

    other = await _post(site, csrf, attachment=stored, action="send", key="k-2")
    assert other.status == 303
    async with site.db.unit_of_work() as uow:
        [record] = await uow.announcements.recent()
    assert record.media_kind == "photo"


@pytest.mark.parametrize(
    ("name", "content", "example"),
    [
        ("kosong.pdf", b"", "0 byte"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "surat-edaran.pdf"),
        ("palsu.pdf", b"<html><script>alert(1)</script></html>", "surat-edaran.pdf"),
        ("besar.pdf", PDF + b"\x00" * MAX_UPLOAD_BYTES, "20 MB"),
        ("foto-besar.png", PNG + b"\x00" * MAX_PHOTO_BYTES, "1600"),
    ],
)
async def test_a_bad_file_is_said_beside_the_field_and_not_kept(
    site: Site, name: str, content: bytes, example: str
) -> None:
    csrf = await site.login("demo-dinsos")
    me = await site.person("demo-dinsos")
    response = await _post(site, csrf, file=(name, content), action="send")
    assert response.status == 400
    text = await response.text()
    error = text.split('id="attachment-error"')[1].split("</p>")[0]
    assert name in error and example in error
    assert FIELDS["text"] in text  # what was typed stays
    folder = _folder(site, me)
    assert not folder.exists() or list(folder.iterdir()) == []
    async with site.db.unit_of_work() as uow:
        assert await uow.announcements.recent() == []


@pytest.mark.parametrize(
    "forged",
    ["../../../etc/passwd", "lampiran-AAAAAAAAAAAAAAAA.pdf", "/etc/x.pdf", "lampiran-../a.pdf"],
)
async def test_a_forged_attachment_name_sends_nothing(site: Site, forged: str) -> None:
    csrf = await site.login("demo-dinsos")
    response = await _post(site, csrf, attachment=forged, action="send")
    assert response.status == 400
    assert 'id="attachment-error"' in await response.text()
    async with site.db.unit_of_work() as uow:
        assert await uow.announcements.recent() == []


async def test_a_file_before_the_csrf_token_is_refused_unwritten(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    me = await site.person("demo-dinsos")
    response = await _post(site, csrf, file=("a.pdf", PDF), file_first=True, action="preview")
    assert response.status == 403
    assert not _folder(site, me).exists() or list(_folder(site, me).iterdir()) == []
    response = await _post(site, "wrong", file=("a.pdf", PDF), action="preview")
    assert response.status == 403
    assert not _folder(site, me).exists() or list(_folder(site, me).iterdir()) == []


async def test_a_file_to_a_page_that_takes_none_is_refused(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("answer", "Sudah kami perbaiki, silakan coba lagi.")
    form.add_field("file", PDF, filename="a.pdf")
    response = await site.client.post("/konsol/laporan/1", data=form, allow_redirects=False)
    assert response.status == 400
    assert "Traceback" not in await response.text()


async def test_a_caption_longer_than_a_photo_takes_is_refused(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    response = await _post(site, csrf, file=("a.pdf", PDF), action="send", text="x" * 901)
    assert response.status == 400
    text = await response.text()
    assert 'id="problems"' in text and "900" in text.split('id="problems"')[1]
    assert _hidden(text, "attachment").endswith(".pdf")  # kept for the next try


async def test_a_text_only_announcement_still_posts_as_a_plain_form(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    form: dict[str, Any] = {**FIELDS, "csrf": csrf, "key": "plain", "action": "send"}
    response = await site.client.post("/konsol/pengumuman/baru", data=form, allow_redirects=False)
    assert response.status == 303
    async with site.db.unit_of_work() as uow:
        [record] = await uow.announcements.recent()
    assert record.media_path is None


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\xff\xd8\xff\xe0", "x.jpeg", ("photo", ".jpg")),
        (PNG, "x", ("photo", ".png")),
        (PNG, "x.pdf", ("photo", ".png")),
        (PDF, "x.exe", ("document", ".pdf")),
        (b"PK\x03\x04", "Rekap.XLSX", ("document", ".xlsx")),
        (b"PK\x03\x04", "arsip.zip", None),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "lama.doc", ("document", ".doc")),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "lama.msi", None),
        (b"Jadwal verval\n", "jadwal.txt", ("document", ".txt")),
        ("Jadwal é".encode()[:-1], "jadwal.txt", ("document", ".txt")),
        (b"MZ\x00\x01", "jadwal.txt", None),
        (b"<svg onload=alert(1)>", "x.svg", None),
    ],
)
def test_the_kind_comes_from_the_bytes(
    head: bytes, name: str, expected: tuple[str, str] | None
) -> None:
    found = attachment_kind(head, name)
    assert (found and (found.kind, found.suffix)) == expected


async def test_a_replaced_or_removed_attachment_is_deleted_unless_sent(site: Site) -> None:
    csrf = await site.login("demo-dinsos")
    folder = _folder(site, await site.person("demo-dinsos"))
    first = _hidden(await (await _post(site, csrf, file=("a.pdf", PDF))).text(), "attachment")
    page = await _post(site, csrf, file=("b.png", PNG), attachment=first, attachment_name="a.pdf")
    second = _hidden(await page.text(), "attachment")
    assert [p.name for p in folder.iterdir()] == [second]  # a.pdf replaced: gone
    removed = await _post(site, csrf, attachment=second, remove_attachment="1")
    assert 'name="attachment"' not in await removed.text()
    assert list(folder.iterdir()) == []

    text = await (await _post(site, csrf, file=("c.pdf", PDF))).text()
    sent = _hidden(text, "attachment")
    assert (await _post(site, csrf, attachment=sent, action="send", key="k-9")).status == 303
    # A stale page of the sent announcement, its attachment removed: the file stays (sent).
    await _post(site, csrf, attachment=sent, remove_attachment="1", key="k-10")
    assert [p.name for p in folder.iterdir()] == [sent]
