"""The min_cluster_size sweep: topics, outlier share and the objective for each setting tried."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from topics.errors import ModelError
from topics.plots import palette
from topics.plots._figure import BASE_FONT, new_figure, style

OBJECTIVE_COLOR = "#0072B2"
DBCV_COLOR = "#56B4E9"
NOISE_COLOR = "#D55E00"
CHOSEN_COLOR = "#009E73"


def sweep_table(model) -> pd.DataFrame:
    """One row per min_cluster_size tried by `min_cluster_size="auto"`, with `chosen` marking the winner."""
    rows = (getattr(model, "clustering_settings_", None) or {}).get("min_cluster_size_sweep")
    if not rows:
        raise ModelError("this model did not sweep min_cluster_size (it was set, or the corpus is too small "
                         "for HDBSCAN)")
    table = pd.DataFrame(rows)
    table["chosen"] = table["min_cluster_size"] == model.clustering_settings_["min_cluster_size"]
    return table


def has_sweep(model) -> bool:
    return bool((getattr(model, "clustering_settings_", None) or {}).get("min_cluster_size_sweep"))


def plot_cluster_sweep(model) -> Figure:
    """Top: the objective (relative DBCV x share in a topic) and DBCV per setting; bottom: clusters found and
    the share HDBSCAN calls noise. The chosen setting is marked."""
    table = sweep_table(model)
    positions = np.arange(len(table))
    figure = new_figure(7.5, 5.2)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.1, 1]})
    objective = table["objective"].astype(float)
    top.plot(positions, objective, marker="o", color=OBJECTIVE_COLOR,
             label="objective: DBCV x share in a topic")
    top.plot(positions, table["dbcv"].astype(float), marker=".", linestyle="--", color=DBCV_COLOR,
             label="relative DBCV")
    top.set_ylabel("score", fontsize=BASE_FONT)
    top.legend(fontsize=BASE_FONT - 1.5, frameon=False, loc="best")
    bottom.bar(positions, table["topics"], color=palette.MUTED_TEXT, alpha=0.45, width=0.6)
    for x, count in zip(positions, table["topics"], strict=True):
        bottom.text(x, 0, f"{int(count)}\n", ha="center", va="bottom", fontsize=BASE_FONT - 1,
                    color="#222222")
    bottom.set_ylabel("clusters found", fontsize=BASE_FONT)
    bottom.set_ylim(0, table["topics"].max() * 1.2 + 1)
    noise = bottom.twinx()
    noise.plot(positions, table["noise_share"] * 100, marker="s", markersize=4, color=NOISE_COLOR)
    noise.set_ylabel("HDBSCAN noise (%)", fontsize=BASE_FONT, color=NOISE_COLOR)
    noise.set_ylim(0, max(5.0, float(table["noise_share"].max()) * 130))
    noise.tick_params(labelsize=BASE_FONT - 1, colors=NOISE_COLOR)
    noise.spines["top"].set_visible(False)
    chosen = int(np.flatnonzero(table["chosen"].to_numpy())[0])
    for ax in (top, bottom):
        ax.axvspan(chosen - 0.4, chosen + 0.4, color=CHOSEN_COLOR, alpha=0.12, zorder=0, linewidth=0)
        style(ax)
    best = objective.idxmax() if objective.notna().any() else chosen
    kept = "kept" if best == chosen else "kept (rule of thumb: too few papers to choose by DBCV)"
    top.annotate(kept, (chosen, 1.0), xycoords=("data", "axes fraction"), ha="left" if chosen == 0 else
                 "center", va="bottom", fontsize=BASE_FONT - 1, color=CHOSEN_COLOR)
    bottom.set_xticks(positions, [str(v) for v in table["min_cluster_size"]])
    bottom.set_xlabel("min_cluster_size", fontsize=BASE_FONT)
    figure.suptitle("Choosing the topic size", fontsize=BASE_FONT + 2, x=0.02, ha="left")
    figure.tight_layout()
    return figure
