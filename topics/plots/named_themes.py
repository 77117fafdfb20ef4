"""Plots of named themes (`topics.named_themes.map_topics`): each theme's share of the papers over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from topics.plots import palette
from topics.plots._figure import (
    BASE_FONT,
    new_figure,
    short,
    stacked_period_bars,
    style,
    theme_legend,
)
from topics.plots.topics_plots import dated_periods
from topics.wording import plural


def named_theme_colors(names: list[str]) -> dict[str, str]:
    """One colour per named theme in the order given; "Other" light grey."""
    from topics.named_themes import OTHER

    colors = {name: palette.theme_color(i) for i, name in enumerate(n for n in names if n != OTHER)}
    colors[OTHER] = palette.OUTLIER
    return colors


def plot_named_themes_over_time(model, named) -> Figure:
    """Share of each named theme among the papers of each period (stacked bars, papers per period on top)."""
    known, periods, unit = dated_periods(model, "named themes over time")
    themes = named.papers["theme"].to_numpy()[known]
    table = pd.crosstab(pd.Series(periods.to_numpy(), name="period"), pd.Series(themes, name="theme"))
    table = table.sort_index()
    names = [n for n in named.names if n in table.columns]
    table = table[names]
    totals = table.sum(axis=1).to_numpy(dtype=float)
    shares = table.div(np.where(totals > 0, totals, 1.0), axis=0)
    colors = named_theme_colors(named.names)
    figure = new_figure(11.0, 5.0)
    ax = figure.add_subplot()
    x = stacked_period_bars(ax, shares, colors, label=lambda name: short(name, 36))
    for xi, total in zip(x, totals, strict=True):
        ax.text(xi, 1.01, str(int(total)), ha="center", va="bottom", fontsize=BASE_FONT - 2.5,
                color=palette.MUTED_TEXT)
    ax.set_ylim(0, 1.08)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.set_ylabel(f"share of the {unit}'s papers", fontsize=BASE_FONT)
    ax.yaxis.grid(True, color="#e6e6e6")
    style(ax)
    theme_legend(ax)
    missing = int((~known).sum())
    note = f" ({plural(missing, 'paper')} without a date left out)" if missing else ""
    ax.set_title(f"Named themes over time{note}; papers per {unit} above the bars", fontsize=BASE_FONT + 1,
                 loc="left")
    figure.tight_layout()
    return figure
