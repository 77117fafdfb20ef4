"""The tables a user reads of a fitted model (`TopicModel.topic_info`, `theme_info`, `hierarchy`,
`document_info`) and the topic columns that documents.csv, `assign` and the report share."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from topics.model import TopicModel


def topic_table(model: TopicModel) -> pd.DataFrame:
    """One row per topic: theme, size, label, keywords with scores, representative documents."""
    titles = model.corpus_["title"].tolist()
    rows = []
    for t in range(model.n_topics_):
        rows.append({
            "topic": t,
            "theme": int(model.topic_themes_[t]),
            "theme_label": model.theme_labels_[model.topic_themes_[t]],
            "size": int(model.topic_sizes_[t]),
            "share": float(model.topic_sizes_[t] / model.n_documents_),
            "label": model.topic_labels_[t],
            **({"name": model.topic_names_[t]} if getattr(model, "topic_names_", None) else {}),
            "keywords": list(model.topic_keywords_[t]),
            "keyword_scores": list(model.topic_keyword_scores_[t]),
            "representative_documents": [titles[i] for i in model.representative_documents_[t]],
        })
    return pd.DataFrame(rows)


def theme_table(model: TopicModel) -> pd.DataFrame:
    """One row per theme: size, label, keywords, and its topics."""
    rows = []
    for h in range(model.n_themes_):
        members = np.flatnonzero(model.topic_themes_ == h)
        rows.append({
            "theme": h,
            "size": int(model.topic_sizes_[members].sum()),
            "label": model.theme_labels_[h],
            "keywords": list(model.theme_keywords_[h]),
            "keyword_scores": list(model.theme_keyword_scores_[h]),
            "topics": members.tolist(),
        })
    return pd.DataFrame(rows)


def hierarchy_table(model: TopicModel) -> pd.DataFrame:
    """The merge tree of topics into themes: one row per merge (SciPy linkage order)."""
    n = model.n_topics_
    members = {i: [i] for i in range(n)}
    rows = []
    for step, (left, right, height, _) in enumerate(model.linkage_):
        node = n + step
        members[node] = members[int(left)] + members[int(right)]
        rows.append({
            "node": node, "left": int(left), "right": int(right), "distance": float(height),
            "topics": sorted(members[node]), "size": int(model.topic_sizes_[members[node]].sum()),
        })
    return pd.DataFrame(rows, columns=["node", "left", "right", "distance", "topics", "size"])


def themes_of(model: TopicModel, topics: np.ndarray) -> np.ndarray:
    """The theme of each topic id in `topics` (-1, an outlier, stays -1)."""
    return np.where(topics >= 0, np.asarray(model.topic_themes_)[np.maximum(topics, 0)], -1)


def topic_columns(model: TopicModel, topics: np.ndarray) -> dict[str, np.ndarray]:
    """topic, topic_label, theme and theme_label of each topic id in `topics` (-1: "outlier")."""
    topic_labels = np.array([*model.topic_labels_, "outlier"], dtype=object)
    theme_labels = np.array([*model.theme_labels_, "outlier"], dtype=object)
    themes = themes_of(model, topics)
    return {"topic": topics, "topic_label": topic_labels[topics], "theme": themes,
            "theme_label": theme_labels[themes]}


def document_table(
    model: TopicModel, corpus: pd.DataFrame, topics: np.ndarray, confidence: np.ndarray,
    is_outlier: np.ndarray, map_2d: np.ndarray,
) -> pd.DataFrame:
    """The columns of `TopicModel.document_info` for `corpus`'s documents (topic -1: "outlier")."""
    return pd.DataFrame({
        "id": corpus["id"].to_numpy(),
        "title": corpus["title"].to_numpy(),
        **topic_columns(model, topics),
        "confidence": np.round(np.asarray(confidence, dtype=float), 4),
        "is_outlier": is_outlier,
        "x": map_2d[:, 0].astype(float),
        "y": map_2d[:, 1].astype(float),
    })
