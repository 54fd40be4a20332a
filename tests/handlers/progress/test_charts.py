"""The progress chart as a file (size, format, dimensions), its text, and the date phrases."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest

from handlers.kit.dates import local_datetime, relative_day, short_datetime
from handlers.progress.charts import (
    MAX_BARS,
    MAX_HEIGHT_PX,
    Bar,
    ProgressChart,
    draw,
    fit_name,
    fit_text,
    render_progress_chart,
)
from handlers.progress.view import chart_for, laggards_first
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
    assert chart.title == "Progres Kec. Air Hitam: 55% didata (1.140/2.040 keluarga)"
    assert chart.subtitle == (
        "Tenggat Verifikasi DTSEN: Rabu, 27 Januari 2027 16.00 WIB (377 hari lagi)"
        " · perlu 3 keluarga/hari"  # 900 pending in 377 days, rounded up
    )
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
    assert width == 720 and 1100 <= height <= MAX_HEIGHT_PX


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


# ---- text that fits -----------------------------------------------------------------------


def _chars(text: str, size: float) -> float:
    """A stand-in for the font: every character is as wide as its point size."""
    return len(text) * size


def test_a_long_title_shrinks_then_wraps_after_its_colon() -> None:
    title = "Progres Kab. Penukal Abab Lematang Ilir: 52% didata (34.281/64.689 keluarga)"
    assert fit_text("Progres Kec. Air Hitam", 400, (14, 11), _chars) == (
        ["Progres Kec. Air Hitam"],
        14,
    )
    assert fit_text("Progres Kec. Air Hitam", 290, (14, 11), _chars) == (
        ["Progres Kec. Air Hitam"],
        13,  # a little smaller before wrapping
    )
    assert fit_text(title, 600, (14, 11), _chars) == (
        ["Progres Kab. Penukal Abab Lematang Ilir:", "52% didata (34.281/64.689 keluarga)"],
        14,
    )
    lines, size = fit_text(title + " " + title, 600, (14, 11), _chars)
    assert size == 11 and len(lines) == 2 and lines[1].endswith("…")
    assert all(_chars(line, size) <= 600 for line in lines)


def test_long_names_wrap_and_keep_their_end() -> None:
    west, east = "Pekon Balak Kenali Sebelah Barat", "Pekon Balak Kenali Sebelah Timur"
    assert fit_name("Sri Menanti", 200, 10, _chars) == ["Sri Menanti"]
    assert fit_name(west, 200, 10, _chars) == ["Pekon Balak Kenali", "Sebelah Barat"]
    tight = [fit_name(name, 140, 10, _chars) for name in (west, east)]
    assert tight == [["Pekon Balak K…", "Sebelah Barat"], ["Pekon Balak K…", "Sebelah Timur"]]
    assert fit_name("Supercalifragilistikdesa", 120, 10, _chars) == ["…ilistikdesa"]
    for lines in tight:
        assert all(_chars(line, 10) <= 140 for line in lines)


def _extents_inside(chart: ProgressChart) -> list[str]:
    """Every text of the drawn chart that is not wholly inside the picture."""
    figure = draw(chart)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]  # the Agg canvas
    width, height = figure.bbox.width, figure.bbox.height
    texts = list(figure.texts)
    for axes in figure.axes:
        texts += [*axes.texts, *axes.get_yticklabels(), *axes.get_xticklabels()]
    outside = []
    for text in texts:
        if not text.get_text():
            continue
        box = text.get_window_extent(renderer)
        if box.x0 < 0 or box.y0 < 0 or box.x1 > width or box.y1 > height:
            outside.append(text.get_text())
    return outside


def _big_kabupaten() -> RegionProgress:
    names = [
        "Pekon Balak Kenali Sebelah Barat",
        "Pekon Balak Kenali Sebelah Timur",
        "Sukarame Ujung Pematang Sawah",
        "Karang Anyar Baru Kecamatan",
        *[f"{NAMES[i % len(NAMES)]} {i}" for i in range(26)],
    ]
    rows = tuple(
        VillageProgress(
            f"16.12.01.{2001 + i:04d}",
            name,
            ProgressCounts(register=21_563 + i, verified=11_427 + 7 * i, updated=i),
        )
        for i, name in enumerate(names)
    )
    return RegionProgress(
        "16.12.01", "Penukal Abab Lematang Ilir", "kecamatan", 3, "Asia/Jakarta", rows
    )


@pytest.mark.parametrize("lang", ["id", "en"])
def test_nothing_is_cut_off_for_a_large_area(lang: str, tmp_path: Path) -> None:
    region = _big_kabupaten()
    chart = chart_for(region, DEADLINE, NOW, lang)
    assert chart is not None and len(chart.bars) == 30
    assert chart.bars[0].note == (
        "52% · 11.427/21.563" if lang == "id" else "52% · 11,427/21,563"
    )  # thousands as each language writes them
    longer = ProgressChart(
        "Progres Kab. Penukal Abab Lematang Ilir: 52% didata (342.813/646.890 keluarga)",
        chart.subtitle,
        chart.footer,
        chart.bars,
    )
    assert _extents_inside(longer) == []
    labels = [t.get_text() for t in draw(longer).axes[0].get_yticklabels()]
    west = next(label for label in labels if label.endswith("Barat"))
    east = next(label for label in labels if label.endswith("Timur"))
    assert west != east and "\n" in west  # wrapped, not cut to look the same
    width, height = _png_size(render_progress_chart(longer, tmp_path / "besar.png"))
    assert width == 720 and height <= MAX_HEIGHT_PX


def test_the_old_fixed_layout_would_cut_text_off() -> None:
    """Guard for the test above: a text placed past the edge is reported."""
    figure = draw(ProgressChart("x", "y", "z", (Bar("Sri Menanti", 10, "10% · 1/10"),)))
    figure.texts[0].set_position((0.9, 0.5))
    figure.texts[0].set_text("Progres Kab. Penukal Abab Lematang Ilir: 52%")
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    assert figure.texts[0].get_window_extent(renderer).x1 > figure.bbox.width
