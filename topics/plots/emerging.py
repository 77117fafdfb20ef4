"""The emerging topics' plot (`topics.emerging`): the share of each period's papers in every topic that
emerged, grew or faded, the last period (as compared) shaded."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from topics.plots import palette
from topics.plots._figure import BASE_FONT, new_figure, style, topic_name
from topics.plots.topics_plots import dated_periods

MAX_LINES = 8  # topics drawn, in the table's order (emerging first)
_LINES = {"emerging": ("-", 2.4), "growing": ("-", 1.5), "fading": ("--", 1.5), "steady": (":", 1.0)}


def plot_emerging_shares(model, table: pd.DataFrame) -> Figure:
    """Share of each period's dated papers in each topic of `table` (`topics.emerging.emerging_topics`) that
    emerged, grew or faded: one line per topic, the last period as compared shaded."""
    known, periods, unit = dated_periods(model, "the emerging topics' plot")
    topics = np.asarray(model.document_topics_)[known]
    order = sorted(set(periods))
    totals = periods.value_counts().reindex(order).to_numpy(dtype=float)
    shown = [int(t) for t in table.loc[table["status"] != "steady", "topic"]][:MAX_LINES]
    status = dict(zip(table["topic"].astype(int), table["status"], strict=True))
    figure = new_figure(11.0, 4.6)
    ax = figure.add_subplot()
    x = np.arange(len(order))
    for i, topic in enumerate(shown):
        counts = pd.Series(periods.to_numpy()[topics == topic]).value_counts().reindex(order, fill_value=0)
        linestyle, width = _LINES[status[topic]]
        ax.plot(x, 100 * counts.to_numpy() / totals, linestyle=linestyle, linewidth=width, marker="o",
                markersize=3.5, color=palette.theme_color(i),
                label=f"{topic_name(model, topic, 44)} ({status[topic]})")
    info = table.attrs["emerging"]
    first_last = info["last"].split(" to ")[0]
    start = order.index(first_last) if first_last in order else len(order) - 1
    ax.axvspan(start - 0.5, len(order) - 0.5, color="#f1f1f4", zorder=0)
    ax.text(len(order) - 0.5, 1.0, f"last {unit}", transform=ax.get_xaxis_transform(), ha="right",
            va="bottom", fontsize=BASE_FONT - 1.5, color=palette.MUTED_TEXT)
    step = max(1, math.ceil(len(x) / 16))
    ax.set_xticks(x[::step], order[::step], rotation=45 if len(x) > 8 else 0,
                  ha="right" if len(x) > 8 else "center", fontsize=BASE_FONT - 1)
    ax.set_xlim(-0.5, len(order) - 0.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"share of the {unit}'s papers (%)", fontsize=BASE_FONT)
    ax.yaxis.grid(True, color="#e6e6e6")
    style(ax)
    ax.legend(fontsize=BASE_FONT - 2, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title("Topics that emerged, grew or faded", fontsize=BASE_FONT + 2, loc="left")
    figure.tight_layout()
    return figure
