"""The map of papers: one point per paper at its 2-D position (UMAP; PCA for a tiny corpus), coloured by
theme (topics as shades)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from topics.plots import palette
from topics.plots._figure import BASE_FONT, new_figure, short, wrap_label
from topics.plots.labels import Label, place_labels
from topics.wording import plural


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
    """Scatter the papers on the 2-D map; topic labels placed without overlap; outliers in light grey."""
    figure = new_figure(width, height)
    ax = figure.add_axes((0.02, 0.13, 0.96, 0.80))
    xy = np.asarray(model.map_, dtype=float)
    n = len(xy)
    colors = np.array(palette.document_colors(model))
    outlier = model.is_outlier_ | (model.document_topics_ < 0)
    size = float(np.clip(3000.0 / max(n, 1), 3.0, 36.0))
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
        labels = [
            Label(anchors[t, 0], anchors[t, 1], wrap_label(model.topic_labels_[t], 22),
                  palette.shade(topic_colors[t], 0.1), 7.5 if many else 8.5)
            for t in order
        ]
        place_labels(ax, labels, xy)
    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=palette.theme_color(h),
               markeredgecolor="none", label=short(f"{model.theme_labels_[h]} ({size_of(model, h)})", 42))
        for h in range(model.n_themes_)
    ]
    if outlier.any():
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=7, markerfacecolor=palette.OUTLIER,
                              markeredgecolor="none", label=f"outliers ({int(outlier.sum())})"))
    ncol = min(3, max(1, len(handles)))
    figure.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=BASE_FONT - 0.5,
                  bbox_to_anchor=(0.5, 0.0), title="themes", title_fontsize=BASE_FONT)
    figure.suptitle(title or f"Map of {plural(n, 'paper')}: {plural(model.n_topics_, 'topic')} in "
                             f"{plural(model.n_themes_, 'theme')}",
                    fontsize=BASE_FONT + 3, x=0.02, ha="left", y=0.985)
    return figure


def size_of(model, theme: int) -> int:
    members = np.flatnonzero(np.asarray(model.topic_themes_) == theme)
    return int(np.asarray(model.topic_sizes_)[members].sum())
