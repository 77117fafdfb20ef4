"""Shared figure plumbing: a pyplot-free Figure with an Agg canvas, PNG bytes without dates, text helpers."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 150
# PNG metadata that would differ between runs or machines is left out, so the same input gives the same file
PNG_METADATA = {"Software": None}
BASE_FONT = 9.5


class TopicsFigure(Figure):
    """A matplotlib Figure that draws itself in Jupyter, with or without `%matplotlib inline`."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def new_figure(width: float, height: float, **kwargs) -> Figure:
    """A Figure drawn by Agg, not registered with pyplot (nothing global to leak or close)."""
    figure = TopicsFigure(figsize=(width, height), dpi=DPI, **kwargs)
    FigureCanvasAgg(figure)
    return figure


def style(ax) -> None:
    """Quiet axes: no top/right spines, light grid lines behind the data."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=BASE_FONT - 1, colors="#333333")
    ax.set_axisbelow(True)


def theme_legend(ax, handles: list | None = None, **placement) -> None:
    """The theme legend: titled "theme", no frame. `handles`: None for the axes' own labelled artists;
    `placement`: matplotlib's loc (and bbox_to_anchor), by default just outside the axes, top right."""
    outside = {} if "loc" in placement else {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
    placement = {**outside, **placement}
    own = {} if handles is None else {"handles": handles}
    ax.legend(**own, title="theme", fontsize=BASE_FONT - 1.5, frameon=False, title_fontsize=BASE_FONT - 1,
              **placement)


def stacked_period_bars(ax, table: pd.DataFrame, colors: Mapping[str, str],
                        label: Callable[[str], str] = str) -> np.ndarray:
    """Stack `table`'s columns (in order, coloured by `colors`) as one bar per row, a period, and write
    the periods below (at most about 16 of them, slanted when there are more than 8); the bars' x."""
    x = np.arange(len(table))
    bottom = np.zeros(len(table))
    for column in table.columns:
        values = table[column].to_numpy(dtype=float)
        ax.bar(x, values, bottom=bottom, color=colors[column], label=label(column), width=0.8, linewidth=0)
        bottom += values
    step = max(1, math.ceil(len(x) / 16))
    ax.set_xticks(x[::step], table.index[::step], rotation=45 if len(x) > 8 else 0,
                  ha="right" if len(x) > 8 else "center", fontsize=BASE_FONT - 1)
    return x


def png_bytes(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata=PNG_METADATA, facecolor="white")
    return buffer.getvalue()


def save_png(figure: Figure, path: str | Path) -> Path:
    """Write `figure` as a 150 dpi PNG without creation dates or software versions."""
    path = Path(path)
    path.write_bytes(png_bytes(figure))
    return path


def wrap_label(label: str, width: int = 24) -> str:
    """A topic label on at most two or three short lines, broken at its ' · ' separators when possible."""
    if len(label) <= width:
        return label
    parts = label.split(" · ")
    lines, current = [], ""
    for part in parts:
        candidate = f"{current} · {part}" if current else part
        if current and len(candidate) > width:
            lines.append(current)
            current = part
        else:
            current = candidate
    lines.append(current)
    return "\n".join(textwrap.shorten(line, width + 8, placeholder="…") for line in lines)


def short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"


def short_keeping(label: str, suffix: str, width: int = 40) -> str:
    """`label` + `suffix` in `width` characters, only the label shortened: "Knowledge Repr… (22)"."""
    return short(label, max(width - len(suffix), 4)) + suffix


def text_width(figure: Figure, text: str, fontsize: float) -> float:
    """Width in pixels of one line of `text` drawn at `fontsize` points on `figure`."""
    from matplotlib.font_manager import FontProperties

    renderer = figure.canvas.get_renderer()
    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(size=fontsize), ismath=False)
    return float(width)


def wrap_to_width(figure: Figure, text: str, fontsize: float, width: float) -> str:
    """`text` broken between words into lines no wider than `width` pixels (a longer word on its own line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if current and text_width(figure, candidate, fontsize) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return "\n".join(lines)


def topic_name(model, topic: int, width: int = 40) -> str:
    """'3 · keyword · keyword · keyword' shortened to `width` characters."""
    return short(f"{topic}: {model.topic_labels_[topic]}", width)
