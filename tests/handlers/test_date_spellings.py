"""One date parser everywhere: the spellings of tests/flows/date_spellings.py are accepted (and
the refused ones refused) by the deadline and announcement composers in the chat and by the
register importer, as by the form question type (tests/flows/test_dates.py) and the CLI
(tests/bot/test_cli_date_spellings.py)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from handlers.kit.dates import date_text
from handlers.registers.importer import read_register
from tests.flows.date_spellings import accepted, refused
from tests.handlers.conftest import SRI_MENANTI, Chat, World

YEAR = 2027  # after the world's clock (15 January 2026)
MONTH = dt.timedelta(days=30)


async def _dinsos(world: World) -> Chat:
    code = await world.invite("dinsos", "18.04", "KWL-DSNSPL")
    dinsos = world.user("DSNSPL")
    await dinsos.register(code, "Bu Rina")
    return dinsos


async def test_the_deadline_composer_reads_every_spelling(world: World) -> None:
    dinsos = await _dinsos(world)
    await dinsos.command("tenggat")
    await dinsos.press(dinsos.option("Tambah tenggat"))
    await dinsos.text("Ekspor DTKS")
    for text in refused(YEAR):
        await dinsos.text(f"{text} 16.00")
        assert "berulang" not in dinsos.texts(), text
        assert "tidak dikenali" in dinsos.texts() or "tidak ada" in dinsos.texts(), text
    for text, day in accepted(YEAR):
        await dinsos.text(f"{text} 16.00")
        assert "berulang" in dinsos.texts(), text
        labels = [o.label for o in dinsos.question().options]
        assert f"Tiap bulan tgl. {day.day}" in labels, text
        await dinsos.text("kembali")
        assert "Kapan batasnya?" in dinsos.texts(), text
    await dinsos.text(f"{accepted(YEAR)[0][0]} 16.00")
    await dinsos.text("2")  # monthly: the last date is read by the same parser
    for text in refused(YEAR):
        await dinsos.text(text)
        assert "Untuk wilayah mana?" not in dinsos.texts(), text
    for text, _ in accepted(YEAR + 1):
        await dinsos.text(text)
        assert "Untuk wilayah mana?" in dinsos.texts(), text
        await dinsos.text("kembali")


async def test_the_announcement_composer_reads_every_spelling(world: World) -> None:
    # A send time is at most 180 days ahead: the clock is set 30 days before each date, latest
    # first (moving back in time never makes the open composer look idle).
    spellings = sorted(accepted(YEAR), key=lambda item: item[1], reverse=True)
    world.clock.set(dt.datetime.combine(spellings[0][1] - MONTH, dt.time(3), dt.UTC))
    dinsos = await _dinsos(world)
    await dinsos.press("ann:new")
    await dinsos.text("Mulai 1 Desember, menu Usulan Baru pindah.")
    await dinsos.text("air hitam")
    await dinsos.text("1")
    assert "Kapan dikirim?" in dinsos.texts()
    for text in refused(YEAR):
        await dinsos.text(f"{text} 08.00")
        # A day its month does not have (31-02) is said as such, as in the deadline form.
        assert "Waktu tidak dikenali" in dinsos.texts() or "tidak ada" in dinsos.texts(), text
    for text, day in spellings:
        world.clock.set(dt.datetime.combine(day - MONTH, dt.time(3), dt.UTC))
        await dinsos.text(f"{text} 08.00")
        # the whole review first, then only the line changed from it
        assert f"Dikirim: {date_text(day, 'id')} pukul 08.00 WIB" in dinsos.texts(), text
        await dinsos.text("4")  # change the send time from the review
        assert "Kapan dikirim?" in dinsos.texts(), text


def test_the_importer_reads_every_spelling(tmp_path: Path) -> None:
    rows = accepted(1990)
    bad = refused(1990)
    path = tmp_path / "tanggal.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["NOKK", "NIK", "NAMA", "TANGGAL_LAHIR", "KODE_WILAYAH"])
        for n, text in enumerate([*(text for text, _ in rows), *bad], start=1):
            writer.writerow(["1804191611200001", f"180407270490{n:04d}", "Agus", text, SRI_MENANTI])
    found, errors = read_register(path, SRI_MENANTI)
    assert [r.birth_date for r in found] == [day for _, day in rows]
    assert [(e.row, e.column) for e in errors] == [
        (len(rows) + 2 + n, "TANGGAL_LAHIR") for n in range(len(bad))
    ]
