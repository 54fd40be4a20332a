"""The progress chart: one horizontal bar per village (or kecamatan), laggards on top.

    render_progress_chart(chart, Path("kawal-data/charts/progres-18.04.19.png"))

Pure and synchronous: callers run it in a worker thread after the database work is done
(``handlers.kit.deferred``). matplotlib's object API with the Agg canvas only (no pyplot, no global
state), so several charts may render in parallel threads. The picture is made for a phone on a
weak connection: 720 px wide, large type, few colours, a palette PNG (about 30-60 KB for 20
bars), at most ``MAX_BARS`` bars and ``MAX_HEIGHT_PX`` high, so Telegram and WhatsApp do not
shrink it unreadable.

Every text is measured before it is placed, so nothing runs off the picture: the title,
subtitle and footer shrink a little and then wrap to two lines; the name column is as wide as
the longest name (up to ``NAME_SHARE`` of the width; longer names wrap to two lines, and a
name that still does not fit loses letters from its start, never its end, so "... Sebelah
Barat" and "... Sebelah Timur" stay apart); the note column after the bars is as wide as the
longest note.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["MAX_BARS", "MAX_HEIGHT_PX", "Bar", "ProgressChart", "render_progress_chart"]

MAX_BARS = 30
MAX_HEIGHT_PX = 1280  # Telegram and WhatsApp keep a picture sharp up to this height
WIDTH_IN = 7.2
DPI = 100
ROW_PX = 36  # one bar; less when many bars would pass MAX_HEIGHT_PX
MIN_ROW_PX = 30
MARGIN_PX = 22  # left and right
GAP_PX = 8  # between the names, the bars and the notes
NAME_SHARE = 0.34  # of the width, at most, for the names
TITLE_SIZES = (14.0, 11.0)  # largest and smallest point size
SUBTITLE_SIZES = (12.0, 10.0)
FOOTER_SIZES = (9.5, 8.0)
NAME_SIZE, NAME_SIZE_WRAPPED = 12.0, 11.0
NOTE_SIZE = 11.0
LINE = 1.25  # line height in multiples of the point size
_RED, _AMBER, _GREEN = "#d64541", "#f0a030", "#2e9e5b"
# matplotlib's text machinery keeps shared caches: one chart at a time, whatever the thread.
_RENDERING = threading.Lock()
_TRACK, _EMPTY, _INK, _MUTED = "#e8e8e8", "#f4f4f4", "#222222", "#666666"
_ELLIPSIS = "…"

Measure = Callable[[str, float], float]  # text, point size -> width in pixels


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


def _px(points: float) -> float:
    return points * DPI / 72


def _cut_end(text: str, width: float, size: float, measure: Measure) -> str:
    """``text`` with letters taken off its end (and an ellipsis) until it fits."""
    if measure(text, size) <= width:
        return text
    while len(text) > 1 and measure(text + _ELLIPSIS, size) > width:
        text = text[:-1]
    return text.rstrip() + _ELLIPSIS


def _cut_start(text: str, width: float, size: float, measure: Measure) -> str:
    """``text`` with letters taken off its start (an ellipsis first) until it fits."""
    if measure(text, size) <= width:
        return text
    while len(text) > 1 and measure(_ELLIPSIS + text, size) > width:
        text = text[1:]
    return _ELLIPSIS + text.lstrip()


def _two_lines(text: str, width: float, size: float, measure: Measure) -> list[str] | None:
    """``text`` in two lines that both fit, split at a space, if it can be: after a colon
    ("Progres Kab. X:" / "52% ..."), else before a "·", else where the lines are most even."""
    words = text.split()
    best: tuple[int, float, list[str]] | None = None
    for cut in range(1, len(words)):
        lines = [" ".join(words[:cut]), " ".join(words[cut:])]
        widest = max(measure(line, size) for line in lines)
        if widest > width:
            continue
        rank = 0 if words[cut - 1].endswith(":") else 1 if words[cut] == "·" else 2
        if best is None or (rank, widest) < best[:2]:
            best = (rank, widest, lines)
    return best[2] if best else None


def fit_text(
    text: str, width: float, sizes: tuple[float, float], measure: Measure
) -> tuple[list[str], float]:
    """Lines and point size for ``text`` in ``width`` pixels: one line at the largest size
    that fits (down to halfway between the sizes), else two lines (down to the smallest size),
    else two lines at the smallest size with the end of the second cut off."""
    largest, smallest = sizes
    steps = [largest - 0.5 * n for n in range(int((largest - smallest) / 0.5) + 1)]
    for size in steps:
        if size < (largest + smallest) / 2:
            break
        if measure(text, size) <= width:
            return [text], size
    for size in steps:
        lines = _two_lines(text, width, size, measure)
        if lines is not None:
            return lines, size
    words = text.split()
    first: list[str] = []
    for word in words:  # as many words as fit on the first line, the rest on the second
        if first and measure(" ".join([*first, word]), smallest) > width:
            break
        first.append(word)
    rest = " ".join(words[len(first) :])
    lines = [_cut_end(" ".join(first), width, smallest, measure)]
    if rest:
        lines.append(_cut_end(rest, width, smallest, measure))
    return lines, smallest


def fit_name(name: str, width: float, size: float, measure: Measure) -> list[str]:
    """A village name in one or two lines of ``width`` pixels. A name too long even for two
    lines keeps its end whole on the second line (that is where "Barat" and "Timur" differ)
    and loses the end of its first line."""
    if measure(name, size) <= width:
        return [name]
    lines = _two_lines(name, width, size, measure)
    if lines is not None:
        return lines
    words = name.split()
    if len(words) == 1:
        return [_cut_start(name, width, size, measure)]
    cut = len(words) - 1  # the longest run of last words that fits
    while cut > 1 and measure(" ".join(words[cut - 1 :]), size) <= width:
        cut -= 1
    last = _cut_start(" ".join(words[cut:]), width, size, measure)
    return [_cut_end(" ".join(words[:cut]), width, size, measure), last]


def render_progress_chart(chart: ProgressChart, path: Path) -> Path:
    """Write ``chart`` as a PNG to ``path`` (any suffix: the format is always PNG)."""
    with _RENDERING:
        return _render(chart, path)


@dataclass(frozen=True, slots=True)
class _Layout:
    title: tuple[list[str], float]
    subtitle: tuple[list[str], float]
    footer: tuple[list[str], float]
    names: list[list[str]]
    name_size: float
    name_px: float  # the width of the name column
    note_px: float  # the width of the note column
    row_px: float
    head_px: float
    foot_px: float

    @property
    def height_px(self) -> float:
        return self.head_px + self.foot_px + self.row_px * max(len(self.names), 1)


def _block_px(lines: tuple[list[str], float]) -> float:
    return len(lines[0]) * _px(lines[1]) * LINE


def _layout(
    chart: ProgressChart, bars: tuple[Bar, ...], measure: Measure, measure_bold: Measure
) -> _Layout:
    inner = WIDTH_IN * DPI - 2 * MARGIN_PX
    title = fit_text(chart.title, inner, TITLE_SIZES, measure_bold)
    subtitle = fit_text(chart.subtitle, inner, SUBTITLE_SIZES, measure)
    footer = fit_text(chart.footer, inner, FOOTER_SIZES, measure)
    note_px = max((measure(bar.note, NOTE_SIZE) for bar in bars), default=0.0)
    name_room = min(NAME_SHARE * WIDTH_IN * DPI, inner - note_px - 2 * GAP_PX - 120)
    name_size = NAME_SIZE
    if any(measure(bar.label, NAME_SIZE) > name_room for bar in bars):
        name_size = NAME_SIZE_WRAPPED  # one size for every name, so none looks louder
    names = [fit_name(bar.label, name_room, name_size, measure) for bar in bars]
    name_px = max((measure(line, name_size) for lines in names for line in lines), default=0.0)
    head_px = 14 + _block_px(title) + 6 + _block_px(subtitle) + 16
    foot_px = 28 + _block_px(footer) + 10  # the 0-50-100% ticks, then the footer
    rows = max(len(bars), 1)
    room = (MAX_HEIGHT_PX - head_px - foot_px) / rows
    row_px = max(min(ROW_PX, room), MIN_ROW_PX)
    return _Layout(
        title, subtitle, footer, names, name_size, name_px, note_px, row_px, head_px, foot_px
    )


def _render(chart: ProgressChart, path: Path) -> Path:
    from PIL import Image

    buffer = io.BytesIO()
    draw(chart).savefig(buffer, format="png", dpi=DPI, facecolor="white")
    # A 64-colour palette keeps the antialiased text smooth and the file a third of the size.
    with Image.open(buffer) as image:
        palette = image.convert("RGB").quantize(colors=64)
        palette.save(path, format="PNG", optimize=True)
    return path


def draw(chart: ProgressChart) -> Figure:
    """The chart as a matplotlib figure on an Agg canvas (for tests: every text is placed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    bars = chart.bars[:MAX_BARS]
    figure = Figure(figsize=(WIDTH_IN, 4), dpi=DPI)
    # matplotlib leaves get_renderer unannotated; it returns the Agg renderer.
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    fonts: dict[tuple[float, str], Any] = {}

    def measure(text: str, size: float, weight: str = "normal") -> float:
        prop = fonts.get((size, weight))
        if prop is None:
            prop = fonts[(size, weight)] = FontProperties(size=size, weight=weight)
        width, _, _ = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return float(width)

    def measure_bold(text: str, size: float) -> float:
        return measure(text, size, "bold")

    layout = _layout(chart, bars, measure, measure_bold)
    width_px, height_px = WIDTH_IN * DPI, round(layout.height_px)
    figure.set_size_inches(WIDTH_IN, height_px / DPI)

    left = MARGIN_PX + layout.name_px + GAP_PX
    right = width_px - MARGIN_PX - layout.note_px - GAP_PX
    top = height_px - layout.head_px
    axes = figure.add_axes(
        (
            left / width_px,
            layout.foot_px / height_px,
            (right - left) / width_px,
            (top - layout.foot_px) / height_px,
        )
    )
    rows = max(len(bars), 1)
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
    axes.set_yticks(positions[: len(bars)], ["\n".join(lines) for lines in layout.names])
    axes.tick_params(axis="y", length=0, pad=GAP_PX * 72 / DPI, labelsize=layout.name_size)
    for label in axes.get_yticklabels():
        label.set_color(_INK)
        label.set_linespacing(1.0)
    axes.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
    axes.tick_params(axis="x", labelsize=10, colors=_MUTED)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(_TRACK)
    for position, bar in zip(positions, bars, strict=False):
        axes.annotate(
            bar.note,
            (100, position),
            xytext=(GAP_PX * 72 / DPI, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=NOTE_SIZE,
            color=_MUTED if bar.empty else _INK,
            annotation_clip=False,
        )

    def block(lines: tuple[list[str], float], y_px: float, **style: Any) -> None:
        figure.text(
            MARGIN_PX / width_px,
            1 - y_px / height_px,
            "\n".join(lines[0]),
            fontsize=lines[1],
            va="top",
            linespacing=LINE / 1.2,  # matplotlib's line height is 1.2 times this
            **({"color": _INK} | style),
        )

    block(layout.title, 14, weight="bold")
    block(layout.subtitle, 14 + _block_px(layout.title) + 6)
    block(layout.footer, height_px - 10 - _block_px(layout.footer), color=_MUTED)
    return figure
