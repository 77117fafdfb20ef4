"""Colours: one colour-blind-safe hue per theme, its topics as shades of that hue, outliers light grey.

Every plot and the HTML map take their colours from here, so a theme looks the same everywhere.
Hues: Okabe & Ito (2008) without black and yellow, then Paul Tol's "muted" scheme.
"""

from __future__ import annotations

import colorsys

from matplotlib.colors import to_hex, to_rgb

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
TOL_MUTED = (
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
)
THEME_HUES = OKABE_ITO + TOL_MUTED
OUTLIER = "#C8C8C8"
TEXT = "#222222"
MUTED_TEXT = "#555555"


def theme_color(theme: int) -> str:
    """The colour of a theme (-1, outliers, is light grey); hues repeat after 15 themes."""
    if theme < 0:
        return OUTLIER
    return THEME_HUES[theme % len(THEME_HUES)]


def shade(color: str, position: float) -> str:
    """`color` made darker (position < 0.5) or lighter (position > 0.5) in HLS; 0.5 keeps it."""
    h, lightness, s = colorsys.rgb_to_hls(*to_rgb(color))
    low, high = max(0.2, lightness - 0.18), min(0.78, lightness + 0.18)
    new = low + (high - low) * position
    return to_hex(colorsys.hls_to_rgb(h, new, s * (1 - 0.35 * max(0.0, position - 0.5))))


def theme_colors(model) -> list[str]:
    """One colour per theme of a fitted model."""
    return [theme_color(h) for h in range(model.n_themes_)]


def topic_colors(model) -> list[str]:
    """One colour per topic: its theme's hue, shaded from dark (largest topic) to light within the theme."""
    themes = [int(h) for h in model.topic_themes_]
    colors = []
    for t, h in enumerate(themes):
        members = [u for u, g in enumerate(themes) if g == h]
        if len(members) == 1:
            colors.append(theme_color(h))
            continue
        rank = members.index(t)
        colors.append(shade(theme_color(h), 0.15 + 0.7 * rank / (len(members) - 1)))
    return colors


def document_colors(model) -> list[str]:
    """Each paper's colour on the map: its topic's shade, light grey for outliers."""
    topics = model.document_topics_
    outlier = model.is_outlier_
    palette = topic_colors(model)
    return [OUTLIER if (o or t < 0) else palette[t] for t, o in zip(topics, outlier, strict=False)]


def text_color_on(color: str) -> str:
    """Black or white, whichever reads better on `color`."""
    r, g, b = to_rgb(color)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.5 else "#FFFFFF"
