"""/progres over the WhatsApp webhook and the fake Graph API: the chart is uploaded as an image,
the village list as a document, and the kecamatan come as a list to pick from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from bot.channels.whatsapp.channel import WhatsAppChannel
from flows import builtin_forms
from handlers.app import Kawal, Options
from handlers.ports import FixedClock
from storage.db import Database
from tests.channels.whatsapp.conftest import Harness, seed, serve, wa_settings
from tests.fakes.graph_api import FakeGraphApi


@pytest.fixture
async def wa_files(
    sqlite_database: Database, now: datetime, graph: FakeGraphApi, tmp_path: Path
) -> AsyncIterator[Harness]:
    """The channel as in conftest, with charts and exports written under ``tmp_path``."""
    await seed(sqlite_database, now)
    clock = FixedClock(now)
    options = Options(exports_dir=tmp_path / "exports", charts_dir=tmp_path / "charts")
    kawal = Kawal(sqlite_database, builtin_forms(), clock, options)
    settings = wa_settings(graph.api_url, tmp_path / "data")
    channel = WhatsAppChannel(
        settings, sqlite_database, kawal.handle, clock, accepts_file=kawal.accepts_file
    )
    runner, url = await serve(channel)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield Harness(sqlite_database, kawal, clock, graph, channel, http, url)
    finally:
        await runner.cleanup()
        await channel.stop()


async def test_camat_gets_the_chart_as_an_uploaded_image(wa_files: Harness, tmp_path: Path) -> None:
    h = wa_files
    await h.invite("camat", "18.04.19", "KWL-WACAM1")
    camat = h.user("6281399990001")
    await camat.register("KWL-WACAM1", "Pak Camat")
    await camat.text("progres")
    text, image = camat.last
    assert text.type == "text" and "📊 Progres Kec. Air Hitam" in text.text()
    assert image.type == "image"
    [upload] = h.graph.uploads
    [png] = (tmp_path / "charts").glob("*.png")
    assert upload["type"] == "image/png" and upload["content"] == png.read_bytes()
    assert image.body["image"] == {"id": upload["id"], "caption": "Progres Kec. Air Hitam per desa"}


async def test_dinsos_gets_the_workbook_and_a_list_of_kecamatan(wa_files: Harness) -> None:
    h = wa_files
    await h.invite("dinsos", "18.04", "KWL-WADIN1")
    dinsos = h.user("6281399990002")
    await dinsos.register("KWL-WADIN1", "Bu Dinsos")
    await dinsos.choose("Progres wilayah")
    types = [s.type for s in dinsos.last]
    assert types == ["text", "document", "interactive"]  # one kecamatan loaded: no chart
    [upload] = h.graph.uploads
    assert upload["filename"].startswith("progres-18.04-") and upload["filename"].endswith(".xlsx")
    assert upload["content"].startswith(b"PK")  # a zip: an XLSX file
    assert "Air Hitam (0%)" in [c["title"] for c in dinsos.interactive().choices()]
    await dinsos.choose("Air Hitam")
    assert "📊 Progres Kec. Air Hitam" in dinsos.texts()
