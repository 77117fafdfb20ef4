"""What changed since a previous model (`TopicModel.fit(corpus, previous=...)`): theme sizes before and
after, new themes marked."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from topics.plots import palette
from topics.plots._figure import BASE_FONT, new_figure, short, style


def plot_theme_changes(model) -> Figure:
    """Papers per theme in the previous model and now, one pair of bars per theme (faded ones too); a new
    theme has no "before" bar and is marked "new"."""
    changes = getattr(model, "changes_", None)
    if changes is None:
        from topics.errors import ModelError

        raise ModelError("the model was not fitted with previous=...: there is nothing to compare")
    themes = changes[changes["level"] == "theme"].reset_index(drop=True)
    n = len(themes)
    figure = new_figure(7.5, 1.0 + 0.42 * max(n, 1))
    ax = figure.subplots()
    rows = np.arange(n)[::-1]
    before = themes["papers_before"].to_numpy(dtype=float)
    after = themes["papers_after"].to_numpy(dtype=float)
    colors = [palette.theme_color(int(i)) if i == i and i is not None else palette.OUTLIER
              for i in themes["id"].astype("float").to_numpy()]
    ax.barh(rows + 0.2, before, height=0.38, color="#c9c9c9", label="before")
    ax.barh(rows - 0.2, after, height=0.38, color=colors, label="now")
    names = []
    for _, row in themes.iterrows():
        number = "—" if row["id"] is None or row["id"] != row["id"] else str(int(row["id"]))
        label = row["label"] if isinstance(row["label"], str) and row["label"] else row["previous_label"]
        names.append(f"{number}: {short(str(label), 34)}")
    ax.set_yticks(rows, names, fontsize=BASE_FONT - 1)
    right = max(float(np.nanmax(np.r_[before, after, 1])), 1.0)
    for y, b, a, status in zip(rows, before, after, themes["status"], strict=True):
        ax.text(max(a, b) + right * 0.01, y, status, va="center", fontsize=BASE_FONT - 1.5,
                fontweight="bold" if status in ("new", "faded", "split", "merged") else "normal")
    ax.set_xlim(0, right * 1.18)
    ax.set_xlabel("papers")
    ax.set_title("Themes before and now", loc="left", fontsize=BASE_FONT + 1)
    ax.legend(loc="lower right", fontsize=BASE_FONT - 1, frameon=False)
    style(ax)
    figure.subplots_adjust(left=0.36, right=0.97, bottom=0.6 / figure.get_figheight(),
                           top=1 - 0.45 / figure.get_figheight())
    return figure
