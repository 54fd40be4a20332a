"""The progress chart as a file (size, format, dimensions), its text, and the date phrases."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest

from handlers.charts import MAX_BARS, Bar, ProgressChart, render_progress_chart
from handlers.dates import local_datetime, relative_day, short_datetime
from handlers.progress import chart_for, laggards_first
from storage.repos.progress import ProgressCounts, RegionProgress, UpcomingDeadline, VillageProgress

NOW = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)
NAMES = [
    "Sidodadi",
    "Semarang Jaya",
    "Sumber Alam",
    "Gunungterang",
    "Suka Jadi",
    "Sri Menanti",
    "Sinar Jaya",
    "Rigis Jaya",
    "Suka Damai",
    "Manggarai",
    "Bakhu",
    "Tugu Ratu",
    "Padang Cahya",
    "Bumi Hantatai",
    "Kenali",
    "Sukarame",
    "Pekon Balak Kenali Sebelah Barat",  # longer than a label may be
    "Mutar Alam",
    "Fajar Bulan",
    "Puralaksana",
]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert data[-8:-4] == b"IEND", "truncated PNG"
    return width, height


def _kecamatan(villages: int, register: int = 120) -> RegionProgress:
    rows = tuple(
        VillageProgress(
            f"18.04.19.{2001 + i:04d}",
            NAMES[i % len(NAMES)],
            ProgressCounts(
                register=register if i % 7 else 0,
                verified=(register * i // villages) // 2,
                updated=(register * i // villages) - (register * i // villages) // 2,
                reports_open=i % 3,
            ),
        )
        for i in range(villages)
    )
    return RegionProgress("18.04.19", "Air Hitam", "kecamatan", 3, "Asia/Jakarta", rows)


DEADLINE = UpcomingDeadline(
    1, "Verifikasi DTSEN", "18.04", dt.datetime(2027, 1, 27, 9, 0, tzinfo=dt.UTC)
)


def test_twenty_villages_make_a_small_readable_png(tmp_path: Path) -> None:
    chart = chart_for(_kecamatan(20), DEADLINE, NOW, "id")
    assert chart is not None and len(chart.bars) == 20
    total = sum((v.counts for v in _kecamatan(20).villages), ProgressCounts())
    assert (total.done, total.register) == (1140, 2040)  # 3 of 20 villages have no register
    assert chart.title == "Progres Kec. Air Hitam: 55% didata (1140/2040 keluarga)"
    assert chart.subtitle == "Tenggat: Rabu, 27 Januari 2027 16.00 WIB, 377 hari lagi"
    assert chart.footer == "Data per 15-01-2026 10.30 WIB · paling tertinggal di atas · Kawal"
    path = render_progress_chart(chart, tmp_path / "air-hitam.png")
    size = path.stat().st_size
    assert size < 100_000, f"{size} bytes"
    width, height = _png_size(path)
    assert width == 720  # a phone screen shows it whole, text large enough to read
    assert 600 <= height <= 1280  # Telegram and WhatsApp keep it sharp below 1280 px


def test_bars_are_laggards_first_with_counts(tmp_path: Path) -> None:
    region = _kecamatan(8)
    chart = chart_for(region, None, NOW, "en")
    assert chart is not None
    assert chart.subtitle == "No deadline scheduled"
    ordered = laggards_first(region.villages)
    assert [b.label for b in chart.bars] == [v.name for v in ordered]
    assert chart.bars[0].note == "no data yet" and chart.bars[0].empty  # village 0: no register
    ratios = [v.counts.done_ratio for v in ordered]
    assert ratios == sorted(ratios)
    last = ordered[-1].counts
    assert chart.bars[-1].note == f"{last.done_pct}% · {last.done}/{last.register}"
    _png_size(render_progress_chart(chart, tmp_path / "en.png"))


def test_many_villages_are_cut_to_the_laggards_and_say_so(tmp_path: Path) -> None:
    chart = chart_for(_kecamatan(45), DEADLINE, NOW, "id")
    assert chart is not None and len(chart.bars) == MAX_BARS
    assert "30 terendah dari 45 desa; lengkap di XLSX" in chart.footer
    width, height = _png_size(render_progress_chart(chart, tmp_path / "banyak.png"))
    assert (width, height) == (720, 1240)


def test_one_village_has_no_chart_unless_asked() -> None:
    village = RegionProgress(
        "18.04.19.2006",
        "Sri Menanti",
        "desa",
        4,
        "Asia/Jakarta",
        (VillageProgress("18.04.19.2006", "Sri Menanti", ProgressCounts(register=30)),),
    )
    assert chart_for(village, None, NOW, "id") is None
    single = chart_for(village, None, NOW, "id", min_bars=1)
    assert single is not None and single.bars == (Bar("Sri Menanti", 0, "0% · 0/30"),)


def test_an_empty_chart_still_renders(tmp_path: Path) -> None:
    chart = ProgressChart("Progres", "Belum ada tenggat terjadwal", "Data", ())
    _png_size(render_progress_chart(chart, tmp_path / "kosong.png"))


@pytest.mark.parametrize(
    ("due", "timezone", "lang", "when", "left"),
    [
        (
            dt.datetime(2027, 1, 27, 9, 0, tzinfo=dt.UTC),
            "Asia/Jakarta",
            "id",
            "Rabu, 27 Januari 2027 16.00 WIB",
            "377 hari lagi",
        ),
        (
            dt.datetime(2026, 1, 16, 2, 0, tzinfo=dt.UTC),
            "Asia/Makassar",
            "id",
            "Jumat, 16 Januari 2026 10.00 WITA",
            "besok",
        ),
        (
            dt.datetime(2026, 1, 15, 14, 59, tzinfo=dt.UTC),
            "Asia/Jayapura",
            "en",
            "Thursday, 15 January 2026 23:59 WIT",
            "today",
        ),
        (
            # 16 January 00.30 WIT is still the 15th in WIB: calendar days of the zone count.
            dt.datetime(2026, 1, 15, 15, 30, tzinfo=dt.UTC),
            "Asia/Jayapura",
            "id",
            "Jumat, 16 Januari 2026 00.30 WIT",
            "besok",
        ),
    ],
)
def test_deadline_phrases(due: dt.datetime, timezone: str, lang: str, when: str, left: str) -> None:
    assert local_datetime(due, timezone, lang) == when
    assert relative_day(NOW, due, timezone, lang) == left


def test_short_datetime_and_foreign_zones() -> None:
    assert short_datetime(NOW, "Asia/Pontianak", "id") == "15-01-2026 10.30 WIB"
    assert short_datetime(NOW, "Europe/Amsterdam", "en") == "15-01-2026 04:30 CET"
