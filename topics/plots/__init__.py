"""Plots of a fitted TopicModel: each function returns a matplotlib Figure (never shown, nothing global).

Colours come from `topics.plots.palette`: one colour-blind-safe hue per theme, its topics as shades.
Save with `topics.plots.save_png(figure, path)` (150 dpi, no dates in the file).
"""

from __future__ import annotations

from topics.plots._figure import DPI, png_bytes, save_png
from topics.plots.labels import Label, place_labels
from topics.plots.map import plot_map
from topics.plots.palette import document_colors, theme_colors, topic_colors
from topics.plots.sweep import has_sweep, plot_cluster_sweep, sweep_table
from topics.plots.topics_plots import (
    has_dates,
    has_labels,
    plot_hierarchy,
    plot_theme_composition,
    plot_topic_keywords,
    plot_topic_similarity,
    plot_topic_sizes,
    plot_topics_over_time,
)

__all__ = [
    "DPI",
    "Label",
    "available_plots",
    "document_colors",
    "has_dates",
    "has_labels",
    "has_sweep",
    "map_method",
    "place_labels",
    "plot_cluster_sweep",
    "plot_hierarchy",
    "plot_map",
    "plot_theme_composition",
    "plot_topic_keywords",
    "plot_topic_similarity",
    "plot_topic_sizes",
    "plot_topics_over_time",
    "png_bytes",
    "save_png",
    "sweep_table",
    "theme_colors",
    "topic_colors",
]


def map_method(model) -> str:
    """What drew the 2-D map: "PCA" for a corpus too small for UMAP and HDBSCAN, else "UMAP"."""
    return "PCA" if getattr(model, "clustering_method_", None) == "agglomerative" else "UMAP"


def available_plots(model) -> dict:
    """name -> (plot function, caption) for every plot that applies to this model's corpus."""
    plots = {
        "map": (plot_map, f"The papers on a 2-D map ({map_method(model)}): colour is the theme, shades the "
                          "topics; grey points are outliers."),
        "topic-sizes": (plot_topic_sizes, "Papers per topic, coloured by theme."),
        "topic-keywords": (plot_topic_keywords, "Top keywords of each topic with their c-TF-IDF scores."),
        "topic-similarity": (plot_topic_similarity, "Cosine similarity between topic centroids."),
        "hierarchy": (plot_hierarchy, "How topics merge into themes (size-weighted Ward linkage)."),
    }
    if has_sweep(model):
        plots["topic-size-sweep"] = (plot_cluster_sweep,
                                     "How min_cluster_size was chosen: the objective, clusters found and "
                                     "noise for each setting tried on the same UMAP output.")
    if has_dates(model):
        plots["topics-over-time"] = (plot_topics_over_time, "Papers per period for the largest topics.")
    if has_labels(model):
        plots["theme-composition"] = (plot_theme_composition,
                                      "For each label of the input, the share of its papers in each theme.")
    return plots
