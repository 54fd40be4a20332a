"""/progres through the handlers, on both backends: numbers, scope per role, laggards first, the
chart and workbook made after the commit."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert

from handlers.app import Kawal, Options
from handlers.messages import Chart, Document, Question, Text, Tone
from handlers.progress import view as progress
from handlers.progress.charts import ProgressChart, render_progress_chart
from storage.models import Deadline
from tests.handlers.conftest import SRI_MENANTI, SUKANANTI, Chat, World

SUMBER_ALAM = "18.04.19.2003"
SIDODADI = "18.04.19.2001"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def oversight(world: World, tmp_path: Path) -> World:
    """The world with its charts and exports written under ``tmp_path``."""
    options = Options(exports_dir=tmp_path / "exports", charts_dir=tmp_path / "charts")
    world.kawal = Kawal(world.db, world.kawal.forms, world.clock, options)
    return world


async def _user(world: World, role: str, region: str, external_id: str) -> Chat:
    code = f"KWL-{role[:2].upper()}{external_id[-4:]:0>4}"
    await world.invite(role, region, code)
    chat = world.user(external_id)
    await chat.register(code, f"Pak {role.title()}")
    return chat


async def _mark(world: World, region: str, status: str, count: int) -> None:
    async with world.db.unit_of_work() as uow:
        pending = await uow.households.pending(region, 0, count)
        for household in pending:
            await uow.households.set_status(household.id, status, None, world.clock.now())


def _charts(chat: Chat) -> list[Chart]:
    return [m for m in chat.last.messages if isinstance(m, Chart)]


def _png_bytes(path: str) -> int:
    """The size of the PNG file at ``path`` (it must be one)."""
    data = Path(path).read_bytes()
    assert data.startswith(PNG), path
    return len(data)


def _documents(chat: Chat) -> list[Document]:
    return [m for m in chat.last.messages if isinstance(m, Document)]


async def test_peratin_sees_only_own_village(oversight: World) -> None:
    await _mark(oversight, SRI_MENANTI, "verified", 2)
    await _mark(oversight, SRI_MENANTI, "not_found", 1)
    head = await _user(oversight, "peratin", SRI_MENANTI, "301")
    await head.press("m:progress")
    text = head.texts()
    assert "📊 Progres Sri Menanti" in text
    assert "Sri Menanti: 3 dari 30 keluarga sudah didata (10%)" in text
    assert "Terverifikasi 2 · diperbarui 0 · tidak ditemukan 1 · belum 27" in text
    assert "Belum ada tenggat terjadwal" in text
    assert "Sukananti" not in text and "Way Tenong" not in text
    assert _charts(head) == []  # one village: the numbers say it all
    # The same with the command and the typed word, with or without the own code.
    for ask in ("/progres", "progres", "PROGRESS", f"progres {SRI_MENANTI}"):
        if ask.startswith("/"):
            await head.command(ask[1:])
        else:
            await head.text(ask)
        assert "Sri Menanti: 3 dari 30" in head.texts(), ask


async def test_nobody_widens_their_scope_with_a_code_or_a_forged_button(oversight: World) -> None:
    head = await _user(oversight, "peratin", SRI_MENANTI, "302")
    camat = await _user(oversight, "camat", "18.04.19", "303")
    for chat, region in (
        (head, "18.04.19"),
        (head, SUMBER_ALAM),
        (head, SUKANANTI),
        (camat, "18.04.07"),
        (camat, SUKANANTI),
        (camat, "18.04"),
        (camat, "18"),
    ):
        await chat.press(progress.PAYLOAD_PREFIX + region)
        [message] = chat.last.messages
        assert isinstance(message, Text) and message.tone is Tone.ERROR
        assert f"Wilayah {region} di luar wilayah tugas Anda" in message.text
        await chat.text(f"progres {region}")
        assert "di luar wilayah tugas" in chat.texts()
        assert "Sukananti" not in chat.texts() and "Sri Menanti:" not in chat.texts()
    await head.press(progress.PAYLOAD_PREFIX + "18.04.19.2006'; DROP TABLE households; --")
    assert "tidak dikenal" in head.texts()
    await head.command("progres", "18.4")
    assert "Kode wilayah 18.4 tidak dikenal. Contoh: PROGRES 18.04.19" in head.texts()
    # A camat may open one of its own villages.
    await camat.press(progress.PAYLOAD_PREFIX + SRI_MENANTI)
    assert "📊 Progres Sri Menanti" in camat.texts() and "Sukananti" not in camat.texts()


async def test_camat_sees_its_villages_laggards_first_with_a_chart(oversight: World) -> None:
    now = oversight.clock.now()
    async with oversight.db.unit_of_work() as uow:
        for region, statuses in (
            (SUMBER_ALAM, ("verified", "pending")),
            (SIDODADI, ("updated", "updated", "not_found", "pending")),
        ):
            for n, status in enumerate(statuses):
                await uow.households.add(region, f"KK {n}", None, None, "", "", "", status, now=now)
        reporter = await uow.people.create("Operator", "id", now)
        await uow.problem_reports.add(reporter, "telegram", SRI_MENANTI, "aplikasi", "Galat", now)
    camat = await _user(oversight, "camat", "18.04.19", "304")
    await camat.press("m:progress")
    text, chart = camat.last.messages
    assert isinstance(text, Text) and isinstance(chart, Chart)
    lines = text.text.splitlines()
    assert lines[:2] == [
        "📊 Progres Kec. Air Hitam",
        "Air Hitam: 4 dari 36 keluarga sudah didata (11%)",
    ]
    assert lines[2].endswith("belum 32 · usulan baru 0 · kendala terbuka 1")
    # Lowest share done first (the empty villages are 0% too), then most pending, then name.
    assert lines[5:] == [
        "Desa paling tertinggal dulu:",
        "1. Sri Menanti: 0% (0/30), belum 30 · kendala 1",
        "2. Gunungterang: belum ada data keluarga",
        "3. Manggarai: belum ada data keluarga",
        "4. Rigis Jaya: belum ada data keluarga",
        "5. Semarang Jaya: belum ada data keluarga",
        "6. Sinar Jaya: belum ada data keluarga",
        "7. Suka Damai: belum ada data keluarga",
        "8. Suka Jadi: belum ada data keluarga",
        "9. Sumber Alam: 50% (1/2), belum 1",
        "10. Sidodadi: 75% (3/4), belum 1",
    ]
    assert "Sukananti" not in text.text and "Way Tenong" not in text.text
    assert chart.caption == "Progres Kec. Air Hitam per desa"
    assert _png_bytes(chart.path) < 100_000
    assert Path(chart.path).parent == oversight.kawal.options.charts_dir
    assert _documents(camat) == []  # the chart holds every village
    # Asking again with nothing changed reuses the same file.
    await camat.command("progres")
    assert _charts(camat)[0].path == chart.path


async def test_dinsos_sees_kecamatan_villages_a_chart_a_workbook_and_buttons(
    oversight: World,
) -> None:
    await _mark(oversight, SUKANANTI, "verified", 3)
    dinsos = await _user(oversight, "dinsos", "18.04", "305")
    await dinsos.press("m:progress")
    text, chart, document, question = dinsos.last.messages
    assert isinstance(text, Text) and isinstance(chart, Chart)
    assert isinstance(document, Document) and isinstance(question, Question)
    assert "📊 Progres Kab. Lampung Barat" in text.text
    assert "Lampung Barat: 3 dari 33 keluarga sudah didata (9%)" in text.text
    assert "Per kecamatan, paling tertinggal dulu:\n1. Air Hitam: 0% (0/30), belum 30\n" in (
        text.text
    )
    assert "2. Way Tenong: 100% (3/3), belum 0" in text.text
    assert "Desa paling tertinggal dulu:\n1. Sri Menanti: 0% (0/30), belum 30" in text.text
    assert "…dan 14 desa lain (lengkap di berkas XLSX)." in text.text
    assert len(text.text) < 1200  # fits a phone screen or two
    assert chart.caption == "Progres Kab. Lampung Barat per kecamatan"
    assert _png_bytes(chart.path) < 100_000
    assert [o.value for o in question.options] == [
        progress.PAYLOAD_PREFIX + "18.04.19",
        progress.PAYLOAD_PREFIX + "18.04.07",
    ]
    assert question.options[1].label == "Way Tenong (100%)"

    assert document.file_name == "progres-18.04-20260115-1030.xlsx"  # local time (WIB)
    workbook = load_workbook(document.path, read_only=True)
    villages, summary = (list(sheet.values) for sheet in workbook.worksheets)
    assert workbook.sheetnames == ["Desa", "Rekap"]
    assert villages[0][:4] == ("Kode", "Kecamatan", "Desa/Kelurahan", "Keluarga DTKS")
    assert villages[1][:4] == (SRI_MENANTI, "Air Hitam", "Sri Menanti", 30)
    assert len(villages) == 1 + 19 + 1  # header, every village, total
    assert villages[-1][2:4] == ("Jumlah", 33)
    assert villages[-2][:3] == (SUKANANTI, "Way Tenong", "Sukananti")  # 100%: last
    assert [row[:4] for row in summary[1:]] == [
        ("18.04.19", "Air Hitam", 10, 30),
        ("18.04.07", "Way Tenong", 9, 3),
    ]
    workbook.close()

    await dinsos.press(question.options[1].value)  # open Way Tenong
    assert "📊 Progres Kec. Way Tenong" in dinsos.texts()
    assert "9. Sukananti: 100% (3/3), belum 0" in dinsos.texts()  # done: listed last
    assert "Sri Menanti" not in dinsos.texts()
    await dinsos.press(progress.PAYLOAD_PREFIX + "35.28")
    assert "di luar wilayah tugas" in dinsos.texts()


async def test_operator_gets_own_village_numbers_but_no_menu_item(oversight: World) -> None:
    operator = await _user(oversight, "operator", SUKANANTI, "306")
    labels = [o.label for o in operator.question().options]
    assert "Progres wilayah" not in labels
    await operator.text("progres")
    assert "📊 Progres Sukananti" in operator.texts()
    assert "Sukananti: 0 dari 3 keluarga" in operator.texts()
    await operator.press("m:progress")  # a forged menu button: refused like a stale one
    assert "Pilihan tidak dikenal" in operator.texts()
    await operator.text(f"progres {SRI_MENANTI}")
    assert "di luar wilayah tugas" in operator.texts()


async def test_progres_with_words_it_does_not_take_says_what_it_takes(oversight: World) -> None:
    peratin = await _user(oversight, "peratin", SRI_MENANTI, "307")
    for typed in ("progres abc", "PROGRES Air Hitam", f"progres {SRI_MENANTI} lagi"):
        await peratin.text(typed)
        [reply] = peratin.last.messages
        assert isinstance(reply, Text) and reply.tone is Tone.ERROR
        assert reply.text.startswith(f'PROGRES tidak mengenal "{typed.split(maxsplit=1)[1]}".')
        assert reply.text.endswith("Contoh: PROGRES 18.04.19")
    await peratin.text("bahasa")
    await peratin.text("progress abc")
    assert "Example: PROGRES 18.04.19" in peratin.texts()
    # Inside a form the words are an answer, whatever they start with.
    operator = await _user(oversight, "operator", SRI_MENANTI, "308")
    await operator.press("m:report")
    await operator.text("4")
    await operator.text("progres lambat, sinyal hilang sejak pagi")
    assert "PROGRES" not in operator.texts() and "Pilihan tidak dikenal" not in operator.texts()


async def test_the_next_deadline_in_the_text_and_in_english(oversight: World) -> None:
    async with oversight.db.unit_of_work() as uow:
        await uow.session.execute(
            insert(Deadline).values(
                title="Verifikasi DTSEN",
                region_code="18.04",
                roles=["operator", "peratin"],
                due_at=dt.datetime(2026, 1, 27, 9, 0, tzinfo=dt.UTC),
                offsets=[7, 1],
                created_at=oversight.clock.now(),
                updated_at=oversight.clock.now(),
            )
        )
    head = await _user(oversight, "peratin", SRI_MENANTI, "307")
    await head.text("progres")
    assert (
        "⏰ Tenggat Verifikasi DTSEN: Selasa, 27 Januari 2026 16.00 WIB, 12 hari lagi"
        in head.texts()
    )
    await head.text("bahasa")
    await head.text("progress")
    assert "📊 Progress of Sri Menanti" in head.texts()
    assert "Deadline Verifikasi DTSEN: Tuesday, 27 January 2026 16:00 WIB, in 12 days" in (
        head.texts()
    )
    oversight.clock.set(dt.datetime(2026, 1, 26, 17, 30, tzinfo=dt.UTC))  # 00.30 WIB on the 27th
    await head.text("progress")
    assert "16:00 WIB, today" in head.texts()


async def test_nothing_to_show_yet(oversight: World) -> None:
    camat = await _user(oversight, "camat", "18.04.19", "308")
    await camat.press(progress.PAYLOAD_PREFIX + SUMBER_ALAM)
    assert "Belum ada data keluarga untuk Sumber Alam" in camat.texts()


async def test_the_chart_is_made_after_the_commit_off_the_event_loop(
    oversight: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, bool]] = []
    real = render_progress_chart
    writer = oversight.db._sqlite_writer
    loop_thread = threading.get_ident()

    def spy(chart: ProgressChart, path: Path) -> Path:
        held = writer.locked() if writer is not None else False
        seen.append((held, threading.get_ident() == loop_thread))
        return real(chart, path)

    monkeypatch.setattr(progress, "render_progress_chart", spy)
    camat = await _user(oversight, "camat", "18.04.19", "309")
    await camat.press("m:progress")
    assert seen == [(False, False)]  # no transaction held, not on the event loop's thread
    assert _png_bytes(_charts(camat)[0].path) > 0


async def test_a_failed_chart_leaves_the_numbers_and_a_note(
    oversight: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(chart: ProgressChart, path: Path) -> Path:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(progress, "render_progress_chart", broken)
    camat = await _user(oversight, "camat", "18.04.19", "310")
    await camat.press("m:progress")
    text, note = camat.last.messages
    assert isinstance(text, Text) and "Air Hitam: 0 dari 30" in text.text
    assert isinstance(note, Text) and note.tone is Tone.WARNING
    assert "Grafik belum bisa dibuat" in note.text
    assert not list(oversight.kawal.options.charts_dir.glob("*"))  # no half-written file
