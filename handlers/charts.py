"""The progress chart: one horizontal bar per village (or kecamatan), laggards on top.

    render_progress_chart(chart, Path("kawal-data/charts/progres-18.04.19.png"))

Pure and synchronous: callers run it in a worker thread after the database work is done
(``handlers.deferred``). matplotlib's object API with the Agg canvas only (no pyplot, no global
state), so several charts may render in parallel threads. The picture is made for a phone on a
weak connection: 720 px wide, large type, few colours, a palette PNG (about 30-60 KB for 20
bars), and at most ``MAX_BARS`` bars so Telegram and WhatsApp do not shrink it unreadable.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MAX_BARS", "Bar", "ProgressChart", "render_progress_chart"]

MAX_BARS = 30
WIDTH_IN = 7.2
DPI = 100
ROW_IN = 0.36
HEAD_IN = 1.05
FOOT_IN = 0.55
NAME_CHARS = 20
_RED, _AMBER, _GREEN = "#d64541", "#f0a030", "#2e9e5b"
# matplotlib's text machinery keeps shared caches: one chart at a time, whatever the thread.
_RENDERING = threading.Lock()
_TRACK, _EMPTY, _INK, _MUTED = "#e8e8e8", "#f4f4f4", "#222222", "#666666"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # the village or kecamatan name
    pct: int  # done, whole percent
    note: str  # printed after the bar, e.g. "3% · 1/30" or "belum ada data"
    empty: bool = False  # no household in the register yet: drawn muted


@dataclass(frozen=True, slots=True)
class ProgressChart:
    title: str  # e.g. "Progres Kec. Air Hitam: 3% (1/30 keluarga)"
    subtitle: str  # the next deadline, e.g. "Tenggat: Senin, 27 Januari 2027 16.00 WIB, ..."
    footer: str  # e.g. "Data per 15-01-2026 10.30 WIB · paling tertinggal di atas"
    bars: tuple[Bar, ...]  # in display order, top first


def _colour(pct: int) -> str:
    if pct >= 100:
        return _GREEN
    return _AMBER if pct >= 50 else _RED


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_progress_chart(chart: ProgressChart, path: Path) -> Path:
    """Write ``chart`` as a PNG to ``path`` (any suffix: the format is always PNG)."""
    with _RENDERING:
        return _render(chart, path)


def _render(chart: ProgressChart, path: Path) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    bars = chart.bars[:MAX_BARS]
    rows = max(len(bars), 1)
    height = HEAD_IN + FOOT_IN + ROW_IN * rows
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI)
    FigureCanvasAgg(figure)
    top = 1 - HEAD_IN / height
    bottom = FOOT_IN / height
    axes = figure.add_axes((0.29, bottom, 0.49, top - bottom))
    positions = list(range(rows))
    tracks = [_EMPTY if bar.empty else _TRACK for bar in bars] or [_EMPTY]
    axes.barh(positions, [100] * rows, color=tracks, height=0.72)
    axes.barh(
        positions[: len(bars)],
        [bar.pct for bar in bars],
        color=[_colour(bar.pct) for bar in bars],
        height=0.72,
    )
    axes.set_xlim(0, 100)
    axes.set_ylim(rows - 0.5, -0.5)  # the first bar on top
    axes.set_yticks(positions[: len(bars)], [_short(bar.label, NAME_CHARS) for bar in bars])
    axes.tick_params(axis="y", length=0, labelsize=12, labelcolor=_INK)
    axes.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    axes.tick_params(axis="x", labelsize=10, colors=_MUTED)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(_TRACK)
    for position, bar in zip(positions, bars, strict=False):
        axes.text(
            101.5,
            position,
            bar.note,
            va="center",
            ha="left",
            fontsize=11,
            color=_MUTED if bar.empty else _INK,
            clip_on=False,
        )
    figure.text(0.03, 1 - 0.32 / height, chart.title, fontsize=14, weight="bold", color=_INK)
    figure.text(0.03, 1 - 0.72 / height, chart.subtitle, fontsize=12, color=_INK)
    figure.text(0.03, 0.16 / height, chart.footer, fontsize=9.5, color=_MUTED)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    # A 64-colour palette keeps the antialiased text smooth and the file a third of the size.
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=64)
        palette.save(path, format="PNG", optimize=True)
    return path
