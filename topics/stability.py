"""Stability: refit the clustering with other seeds on the same features and see which topics come back.

Features are reused (`model.vectors_`), so only UMAP, HDBSCAN and the assignment run again. Topics are
matched across runs by the Jaccard overlap of their documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from topics.errors import ModelError
from topics.params import RANDOM_STATE_LIMIT

if TYPE_CHECKING:
    from topics.model import TopicModel

REAPPEAR_JACCARD = 0.5  # a topic "reappears" in a run when some topic there shares this much of its documents
UNSTABLE_BELOW = 0.6  # ... and is marked unstable when it reappears in fewer than this share of the runs


def _best_jaccard(base: np.ndarray, other: np.ndarray, n_topics: int) -> np.ndarray:
    """For each topic of `base`, the best Jaccard overlap with any topic of `other` (-1 is no topic)."""
    kept = (base >= 0) & (other >= 0)
    n_other = int(other.max()) + 1 if (other >= 0).any() else 1
    shared = np.zeros((n_topics, n_other))
    np.add.at(shared, (base[kept], other[kept]), 1)
    base_sizes = np.bincount(base[base >= 0], minlength=n_topics)[:, None]
    other_sizes = np.bincount(other[other >= 0], minlength=n_other)[None, :]
    union = base_sizes + other_sizes - shared
    return (shared / np.maximum(union, 1)).max(axis=1)


def stability(model: TopicModel, k: int = 5) -> tuple[dict[str, float], pd.DataFrame]:
    """Refit with `k` other seeds; return a summary (ARI between runs) and a per-topic table."""
    from sklearn.base import clone
    from sklearn.metrics import adjusted_rand_score

    model._check_fitted()
    if k < 1:
        raise ModelError(f"k must be at least 1, not {k}")
    from topics.progress import progress

    runs = [model.document_topics_]
    # the same features for every rerun; a guided TF-IDF model scores its themes' words with its LSA, which
    # a fit on given vectors does not have, so it recomputes its features instead
    guided_tfidf = model.guided_themes is not None and model.lsa_ is not None
    vectors = None if guided_tfidf else model.vectors_
    for offset in progress(range(1, k + 1), "stability reruns", total=k, enabled=model.progress, unit="run"):
        seed = (model.random_state + offset) % RANDOM_STATE_LIMIT  # the largest seed wraps to 0, 1, ...
        other = clone(model).set_params(random_state=seed, progress=False)
        other.fit(model.corpus_, embeddings=vectors)
        runs.append(other.document_topics_)
    base = runs[0]
    jaccard = np.vstack([_best_jaccard(base, run, model.n_topics_) for run in runs[1:]])
    pairwise = [
        adjusted_rand_score(runs[i], runs[j]) for i in range(len(runs)) for j in range(i + 1, len(runs))
    ]
    per_topic = pd.DataFrame({
        "topic": np.arange(model.n_topics_),
        "label": model.topic_labels_,
        "size": model.topic_sizes_,
        "reappearance": (jaccard >= REAPPEAR_JACCARD).mean(axis=0),
        "mean_jaccard": np.round(jaccard.mean(axis=0), 4),
    })
    per_topic["stable"] = per_topic["reappearance"] >= UNSTABLE_BELOW
    summary = {
        "runs": float(k + 1),
        "ari_with_fit_mean": float(np.mean([adjusted_rand_score(base, r) for r in runs[1:]])),
        "ari_between_runs_mean": float(np.mean(pairwise)),
        "ari_between_runs_min": float(np.min(pairwise)),
        "stable_topic_share": float(per_topic["stable"].mean()),
        "stable_document_share": float(per_topic.loc[per_topic["stable"], "size"].sum() / model.n_documents_),
    }
    return summary, per_topic
