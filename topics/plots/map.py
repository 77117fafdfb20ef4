"""The map of papers: one point per paper at its 2-D position (UMAP; PCA for a tiny corpus), coloured by
theme (topics as shades)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from topics.plots import palette
from topics.plots._figure import BASE_FONT, DPI, new_figure, short_keeping, wrap_label, wrap_to_width
from topics.plots.labels import Label, place_labels
from topics.wording import plural

MAP_LABEL_PHRASES = 2  # a map shows each topic's first phrases; the full label is beside it in the report


def map_label(label: str, n_phrases: int = MAP_LABEL_PHRASES) -> str:
    """A topic's label as the map shows it: its first `n_phrases` phrases (a crowded map shows one)."""
    return " · ".join(str(label).split(" · ")[:n_phrases])


def topic_anchors(model) -> np.ndarray:
    """Where each topic's label points to: the medoid-ish centre (median) of its confident papers."""
    topics = model.document_topics_
    keep = ~model.is_outlier_
    anchors = np.zeros((model.n_topics_, 2))
    for t in range(model.n_topics_):
        members = (topics == t) & keep
        if not members.any():
            members = topics == t
        anchors[t] = np.median(model.map_[members], axis=0)
    return anchors


def plot_map(model, *, title: str | None = None, label_topics: bool = True, width: float = 10.0,
             height: float = 7.5) -> Figure:
    """Scatter the papers on the 2-D map; topic labels placed without overlap; outliers in light grey.

    Fonts shrink with a figure smaller than the default 10 x 7.5 inches (to 70% of their size); the title
    is wrapped to the figure's width, the legend gets as many columns as fit, and the map takes the
    space between them, so that the labels, kept inside the map, cover neither."""
    figure = new_figure(width, height)
    scale = float(np.clip(min(width / 10.0, height / 7.5), 0.7, 1.0))
    pixels_w, pixels_h = figure.bbox.width, figure.bbox.height
    edge = 0.02 * pixels_w  # left and right margin
    gap = 0.06 * DPI  # between the title, the map and the legend
    renderer = figure.canvas.get_renderer()

    xy = np.asarray(model.map_, dtype=float)
    n = len(xy)
    outlier = model.is_outlier_ | (model.document_topics_ < 0)
    text = title or (f"Map of {plural(n, 'paper')}: {plural(model.n_topics_, 'topic')} in "
                     f"{plural(model.n_themes_, 'theme')}")
    title_size = (BASE_FONT + 3) * scale
    wrapped = wrap_to_width(figure, text, title_size, pixels_w - 2 * edge)
    heading = figure.suptitle(wrapped, fontsize=title_size, x=edge / pixels_w, ha="left",
                              y=1 - gap / pixels_h, va="top")
    title_bottom = heading.get_window_extent(renderer).y0

    legend = _theme_legend(figure, model, outlier, scale, pixels_w - 2 * edge)
    legend_top = legend.get_window_extent(renderer).y1 if legend is not None else 0.0

    bottom, top = (legend_top + gap) / pixels_h, (title_bottom - gap) / pixels_h
    ax = figure.add_axes((0.02, bottom, 0.96, max(top - bottom, 0.1)))
    colors = np.array(palette.document_colors(model))
    size = float(np.clip(3000.0 / max(n, 1), 3.0, 36.0)) * scale ** 2
    ax.scatter(xy[outlier, 0], xy[outlier, 1], s=size * 0.8, c=palette.OUTLIER, linewidths=0, zorder=1)
    ax.scatter(xy[~outlier, 0], xy[~outlier, 1], s=size, c=colors[~outlier], linewidths=0.3 if n < 500 else 0,
               edgecolors="white", alpha=0.9 if n < 2000 else 0.7, zorder=2)
    span = xy.max(axis=0) - xy.min(axis=0) if n else np.ones(2)
    span = np.where(span > 0, span, 1.0)
    low, high = xy.min(axis=0) - 0.08 * span, xy.max(axis=0) + 0.08 * span
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if label_topics and model.n_topics_:
        anchors = topic_anchors(model)
        topic_colors = palette.topic_colors(model)
        order = np.argsort(-np.asarray(model.topic_sizes_), kind="stable")
        many = model.n_topics_ > 30
        for n_phrases in range(MAP_LABEL_PHRASES, 0, -1):  # fewer phrases when even the smallest overlap
            labels = [
                Label(anchors[t, 0], anchors[t, 1],
                      wrap_label(map_label(model.topic_labels_[t], n_phrases), 22),
                      palette.shade(topic_colors[t], 0.1), (7.5 if many else 8.5) * scale)
                for t in order
            ]
            n_lines = len(ax.lines)
            artists = place_labels(ax, labels, xy)
            if n_phrases == 1 or not _overlapping(artists):
                break
            for drawn in [*artists, *ax.lines[n_lines:]]:  # the labels and their leader lines
                drawn.remove()
    return figure


def _overlapping(artists) -> bool:
    """Whether any two of the drawn labels `artists` overlap."""
    renderer = artists[0].figure.canvas.get_renderer() if artists else None
    boxes = [artist.get_window_extent(renderer) for artist in artists]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _theme_legend(figure: Figure, model, outlier: np.ndarray, scale: float, room: float):
    """The themes legend at the bottom centre of `figure`, in as many columns (up to 3) as fit in `room`
    pixels, its labels shortened further when even one column does not fit; None without themes."""
    renderer = figure.canvas.get_renderer()
    legend = None
    for ncol, width in [(3, 42), (2, 42), (1, 42), (1, 30), (1, 20)]:
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=7 * scale, markeredgecolor="none",
                   markerfacecolor=palette.theme_color(h),
                   label=short_keeping(model.theme_labels_[h], f" ({size_of(model, h)})", width))
            for h in range(model.n_themes_)
        ]
        if outlier.any():
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=7 * scale,
                                  markerfacecolor=palette.OUTLIER, markeredgecolor="none",
                                  label=f"outliers ({int(outlier.sum())})"))
        if not handles:
            return None
        if legend is not None:
            legend.remove()
        legend = figure.legend(handles=handles, loc="lower center", ncol=min(ncol, len(handles)),
                               frameon=False, fontsize=(BASE_FONT - 0.5) * scale, bbox_to_anchor=(0.5, 0.0),
                               title="themes", title_fontsize=BASE_FONT * scale, columnspacing=1.5 * scale)
        if legend.get_window_extent(renderer).width <= room:
            break
    return legend


def size_of(model, theme: int) -> int:
    members = np.flatnonzero(np.asarray(model.topic_themes_) == theme)
    return int(np.asarray(model.topic_sizes_)[members].sum())
