"""Plots of the topics themselves: sizes, keywords, similarity, hierarchy; over time and per label."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from topics.corpus.dates import date_periods, paper_dates
from topics.documents import capped
from topics.errors import ModelError
from topics.plots import palette
from topics.plots._figure import (
    BASE_FONT,
    new_figure,
    short,
    short_keeping,
    stacked_period_bars,
    style,
    theme_legend,
    topic_name,
    wrap_label,
)
from topics.wording import plural

MAX_KEYWORD_PANELS = 30


def _theme_handles(model) -> list[Patch]:
    return [Patch(color=palette.theme_color(h), label=short(model.theme_labels_[h], 40))
            for h in range(model.n_themes_)]


def plot_topic_sizes(model) -> Figure:
    """Horizontal bars, one per topic (largest on top), coloured by theme; papers per topic."""
    n = model.n_topics_
    figure = new_figure(9.0, max(2.6, 0.8 + 0.3 * n))
    ax = figure.add_subplot()
    sizes = np.asarray(model.topic_sizes_)
    colors = palette.topic_colors(model)
    positions = np.arange(n)[::-1]
    ax.barh(positions, sizes, color=colors, height=0.72)
    ax.set_yticks(positions, [topic_name(model, t, 48) for t in range(n)], fontsize=BASE_FONT - 0.5)
    for y, size in zip(positions, sizes, strict=False):
        ax.text(size, y, f" {int(size)}", va="center", fontsize=BASE_FONT - 1.5, color=palette.MUTED_TEXT)
    ax.set_xlim(0, sizes.max() * 1.12 if n else 1)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel("papers", fontsize=BASE_FONT)
    ax.xaxis.grid(True, color="#e6e6e6")
    style(ax)
    theme_legend(ax, _theme_handles(model), loc="lower right")
    ax.set_title("Papers per topic", fontsize=BASE_FONT + 2, loc="left")
    figure.tight_layout()
    return figure


def plot_topic_keywords(model, *, n_words: int = 8, max_topics: int = MAX_KEYWORD_PANELS) -> Figure:
    """Small multiples: each topic's top keywords with their c-TF-IDF scores, coloured by theme."""
    shown = list(range(min(model.n_topics_, max_topics)))
    columns = min(4, max(1, len(shown)))
    rows = max(1, math.ceil(len(shown) / columns))
    # constrained layout keeps the figure title above the panels' titles however tall the figure is
    figure = new_figure(3.4 * columns + 0.4, 0.5 + 2.3 * rows, layout="constrained")
    colors = palette.topic_colors(model)
    axes = figure.subplots(rows, columns, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(shown):
            ax.set_visible(False)
            continue
        t = shown[index]
        words = list(model.topic_keywords_[t])[:n_words]
        scores = np.asarray(model.topic_keyword_scores_[t], dtype=float)[: len(words)]
        positions = np.arange(len(words))[::-1]
        ax.barh(positions, scores, color=colors[t], height=0.7)
        ax.set_yticks(positions, [short(w, 20) for w in keyword_forms(model, t, words)],
                      fontsize=BASE_FONT - 1)
        ax.set_xticks([])
        top = float(scores.max()) if len(scores) else 0.0
        # each score at the end of its bar, to three significant digits of the largest ("0.0430", "0.160")
        decimals = int(np.clip(2 - math.floor(math.log10(top)), 1, 6)) if top > 0 else 2
        for y, score in zip(positions, scores, strict=True):
            ax.text(score, y, f" {score:.{decimals}f}", va="center", ha="left", fontsize=BASE_FONT - 2.5,
                    color=palette.MUTED_TEXT)
        ax.set_xlim(0, top * 1.32 if top > 0 else 1)
        style(ax)
        ax.spines["bottom"].set_visible(False)
        size = plural(int(model.topic_sizes_[t]), "paper")
        heading = f"{wrap_label(f'{t}: {model.topic_labels_[t]}', 30)}\n{size}"
        ax.set_title(heading, fontsize=BASE_FONT - 0.5, loc="left", color=palette.shade(colors[t], 0.1))
    note = "" if len(shown) == model.n_topics_ else f" (first {len(shown)} of {model.n_topics_} topics)"
    figure.suptitle(f"Top keywords per topic{note} (c-TF-IDF score at each bar)", fontsize=BASE_FONT + 2,
                    x=0.01, ha="left")
    return figure


def keyword_forms(model, topic: int, words: list[str], max_papers: int = 500) -> list[str]:
    """`words` (keywords, lower case as in the vocabulary) spelled as the labels spell them ("RL", "GNNs").

    The topic and theme labels carry the papers' own spelling of their words
    (`topics.representation`); a word in none of them is looked up the same way in the topic's papers
    (the first `max_papers` of them), and stays as it is without a corpus."""
    from topics.representation import _display_forms

    def key(term: str) -> str:
        return re.sub(r"[\s-]+", " ", term.lower())

    forms = {}
    for label in [*model.topic_labels_, *model.theme_labels_]:
        for part in str(label).split(" · "):
            forms.setdefault(key(part), part)
    missing = [w for w in words if key(w) not in forms]
    corpus = getattr(model, "corpus_", None)
    if missing and corpus is not None and "text" in corpus.columns:
        members = np.flatnonzero(np.asarray(model.document_topics_) == topic)[:max_papers]
        texts = capped(corpus["text"].iloc[members].fillna("").astype(str).tolist())
        forms.update({key(w): form for w, form in _display_forms(missing, texts).items()})
    return [forms.get(key(w), w) for w in words]


def leaf_order(model) -> list[int]:
    """Topics in the order of the hierarchy's leaves (neighbours in the tree sit together)."""
    if model.n_topics_ < 2:
        return list(range(model.n_topics_))
    from scipy.cluster.hierarchy import leaves_list

    return [int(i) for i in leaves_list(np.asarray(model.linkage_, dtype=float))]


def topic_similarity(model) -> np.ndarray:
    """Cosine similarity between topic centroids."""
    vectors = np.asarray(model.topic_vectors_, dtype=float)
    return np.clip(vectors @ vectors.T, -1.0, 1.0)


def plot_topic_similarity(model) -> Figure:
    """Heatmap of cosine similarity between topics, in hierarchy order, theme colours along the edge."""
    n = model.n_topics_
    order = leaf_order(model)
    matrix = topic_similarity(model)[np.ix_(order, order)]
    side = min(13.0, max(5.0, 2.8 + 0.38 * n))
    # constrained layout fits the margins to the labels (it cannot with a fixed aspect, so the aspect is
    # free and the figure's width is set below to make the cells square)
    figure = new_figure(side + 2.6, side, layout="constrained")
    ax = figure.add_subplot()
    off_diagonal = ~np.eye(n, dtype=bool)
    high = float(matrix[off_diagonal].max()) if n > 1 else 1.0
    low = float(matrix[off_diagonal].min()) if n > 1 else 0.0
    cmap = colormaps["viridis"].with_extremes(bad="#e8e8e8")
    # the diagonal (1.0) is greyed out so that the colour scale spans the similarities between topics
    image = ax.imshow(np.ma.masked_array(matrix, mask=~off_diagonal), cmap=cmap, vmin=low,
                      vmax=max(high, low + 1e-6), interpolation="nearest", aspect="auto")
    names = [topic_name(model, t, 40) for t in order]
    font = BASE_FONT - 1 if n <= 25 else BASE_FONT - 2.5
    style(ax)
    ax.set_xticks(range(n), [str(t) for t in order], fontsize=font)
    ax.set_yticks(range(n), names, fontsize=font)
    for tick, t in zip(ax.get_yticklabels(), order, strict=False):
        tick.set_color(palette.shade(palette.theme_color(int(model.topic_themes_[t])), 0.2))
    if n <= 16:
        for i in range(n):
            for j in range(n):
                value = matrix[i, j]
                bright = i == j or value > low + 0.6 * (high - low)
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=BASE_FONT - 2.5,
                        color="black" if bright else "white")
    ax.set_xlabel("topic", fontsize=BASE_FONT)
    colorbar = figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    colorbar.set_label("cosine similarity", fontsize=BASE_FONT - 1)
    colorbar.ax.tick_params(labelsize=BASE_FONT - 2)
    ax.set_title("Topic similarity (ordered by the hierarchy)", fontsize=BASE_FONT + 2, loc="left")
    _square_cells(figure, ax)
    return figure


def _square_cells(figure: Figure, ax) -> None:
    """Widen or narrow `figure` (laid out by constrained layout) until `ax` is as wide as it is tall."""
    for _ in range(2):
        figure.draw_without_rendering()
        box = ax.get_position()
        width, height = figure.get_size_inches()
        excess = box.width * width - box.height * height  # inches the axes is wider than tall
        if abs(excess) < 0.02:
            break
        figure.set_size_inches(round(width - excess, 2), height)


def plot_hierarchy(model) -> Figure:
    """Dendrogram of the topics merging into themes; branches and leaf labels coloured by theme."""
    from scipy.cluster.hierarchy import dendrogram

    n = model.n_topics_
    figure = new_figure(10.0, max(3.0, 1.0 + 0.34 * n))
    ax = figure.add_subplot()
    themes = np.asarray(model.topic_themes_)
    if n < 2:
        ax.text(0.5, 0.5, "one topic: nothing to merge", ha="center", va="center", transform=ax.transAxes,
                fontsize=BASE_FONT + 1)
        ax.set_axis_off()
        return figure
    linkage = np.asarray(model.linkage_, dtype=float)
    members = {i: {int(themes[i])} for i in range(n)}
    for step, row in enumerate(linkage):
        members[n + step] = members[int(row[0])] | members[int(row[1])]

    def link_color(node: int) -> str:
        found = members[node]
        return palette.theme_color(next(iter(found))) if len(found) == 1 else "#888888"

    names = [topic_name(model, t, 46) + f"  ({int(model.topic_sizes_[t])})" for t in range(n)]
    tree = dendrogram(linkage, orientation="left", labels=names, ax=ax, link_color_func=link_color,
                      leaf_font_size=BASE_FONT - 0.5)
    style(ax)
    for tick, leaf in zip(ax.get_yticklabels(), tree["leaves"], strict=False):
        tick.set_color(palette.shade(palette.theme_color(int(themes[leaf])), 0.2))
    cut = _theme_cut_height(linkage, model.n_themes_)
    if cut is not None:
        ax.axvline(cut, color="#999999", linestyle="--", linewidth=0.8)
        ax.text(cut, 0.01, f" cut: {plural(model.n_themes_, 'theme')}", transform=ax.get_xaxis_transform(),
                fontsize=BASE_FONT - 1.5, color=palette.MUTED_TEXT, va="bottom", ha="right")
    ax.set_xlabel("merge distance (size-weighted Ward)", fontsize=BASE_FONT)
    ax.spines["left"].set_visible(False)
    # below the axis label: anywhere inside the axes it would cover the tree's branches
    from matplotlib.transforms import offset_copy

    below = offset_copy(ax.transAxes, fig=figure, y=-3.6 * BASE_FONT, units="points")  # under the x label
    theme_legend(ax, _theme_handles(model), loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below,
                 ncol=min(3, model.n_themes_))
    ax.set_title("Hierarchy of topics into themes", fontsize=BASE_FONT + 2, loc="left")
    figure.tight_layout()
    return figure


def _theme_cut_height(linkage: np.ndarray, n_themes: int) -> float | None:
    n = len(linkage) + 1
    if not 1 < n_themes <= n:
        return None
    heights = np.sort(linkage[:, 2])
    index = n - n_themes  # merges done to reach n_themes clusters
    low = heights[index - 1] if index >= 1 else 0.0
    high = heights[index] if index < len(heights) else heights[-1]
    return float((low + high) / 2)


def has_dates(model) -> bool:
    """Whether the papers bear at least two different dates: a plot over time has something to show."""
    dates = paper_dates(getattr(model, "corpus_", None))
    return dates is not None and dates.dropna().nunique() >= 2


def has_labels(model) -> bool:
    corpus = getattr(model, "corpus_", None)
    return corpus is not None and "label" in corpus.columns and corpus["label"].notna().any()


def dated_periods(model, plot: str) -> tuple[np.ndarray, pd.Series, str]:
    """Which papers have a date (a mask), the period of each dated paper, and the periods' unit ("year",
    "month" or "day"); ModelError naming `plot` when the corpus has no dates."""
    dates = paper_dates(getattr(model, "corpus_", None))
    if dates is None or dates.dropna().nunique() < 2:
        raise ModelError(f"the corpus has no dates: {plot} needs a date column")
    known = dates.notna().to_numpy()
    periods, unit = date_periods(dates[known])  # the emerging topics count in the same periods
    return known, periods, unit


def plot_topics_over_time(model, *, max_topics: int = 12) -> Figure:
    """Papers per period for the largest topics (stacked bars, topic shades of their theme colour)."""
    known, periods, unit = dated_periods(model, "topics over time")
    topics = np.asarray(model.document_topics_)[known]
    top = [int(t) for t in np.argsort(-np.asarray(model.topic_sizes_), kind="stable")[:max_topics]]
    names = {t: topic_name(model, t, 36) for t in top}
    frame = pd.DataFrame({"period": periods.to_numpy(),
                          "topic": [names.get(int(t), "other topics") for t in topics]})
    table = pd.crosstab(frame["period"], frame["topic"]).sort_index()
    columns = [names[t] for t in top if names[t] in table.columns]
    if "other topics" in table.columns:
        columns.append("other topics")
    table = table[columns]
    colors = palette.topic_colors(model)
    color_of = {names[t]: colors[t] for t in top}
    color_of["other topics"] = palette.OUTLIER
    figure = new_figure(11.0, 5.2)
    ax = figure.add_subplot()
    stacked_period_bars(ax, table, color_of)
    ax.set_ylabel(f"papers per {unit}", fontsize=BASE_FONT)
    ax.yaxis.grid(True, color="#e6e6e6")
    style(ax)
    ax.legend(fontsize=BASE_FONT - 2, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    missing = int((~known).sum())
    note = f" ({plural(missing, 'paper')} without a date left out)" if missing else ""
    ax.set_title(f"Topics over time{note}", fontsize=BASE_FONT + 2, loc="left")
    figure.tight_layout()
    return figure


def plot_theme_composition(model, *, max_labels: int = 25) -> Figure:
    """For each value of the corpus's label column: the share of its papers in each theme."""
    if not has_labels(model):
        raise ModelError("the corpus has no labels: theme composition needs a label column")
    labels = model.corpus_["label"].astype("string").fillna("(none)").reset_index(drop=True)
    counts = labels.value_counts()
    kept = list(counts.index[:max_labels])
    grouped = labels.where(labels.isin(kept), "(other labels)")
    themes = np.asarray(model.document_themes_)
    theme_names = [short(f"{h}: {model.theme_labels_[h]}", 40) for h in range(model.n_themes_)]
    frame = pd.DataFrame({"label": grouped.to_numpy(),
                          "theme": [theme_names[h] if h >= 0 else "outliers" for h in themes]})
    table = pd.crosstab(frame["label"], frame["theme"])
    order = kept + (["(other labels)"] if "(other labels)" in table.index else [])
    table = table.reindex(order).fillna(0)
    shares = table.div(table.sum(axis=1), axis=0)
    columns = [c for c in [*theme_names, "outliers"] if c in shares.columns]
    figure = new_figure(11.0, max(2.8, 1.4 + 0.32 * len(order)))
    ax = figure.add_subplot()
    y = np.arange(len(order))[::-1]
    left = np.zeros(len(order))
    for column in columns:
        values = shares[column].to_numpy(dtype=float)
        h = theme_names.index(column) if column in theme_names else -1
        ax.barh(y, values, left=left, color=palette.theme_color(h), label=column, height=0.75, linewidth=0)
        left += values
    # a long label is shortened, never its count
    ax.set_yticks(y, [short_keeping(name, f" ({int(counts.get(name, table.loc[name].sum()))})", 44)
                      for name in order], fontsize=BASE_FONT - 1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the label's papers", fontsize=BASE_FONT)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    style(ax)
    theme_legend(ax)
    ax.set_title("Theme composition per label", fontsize=BASE_FONT + 2, loc="left")
    figure.tight_layout()
    return figure
