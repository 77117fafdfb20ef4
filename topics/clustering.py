"""Reduction and clustering: UMAP to a few dimensions, HDBSCAN for topics, and a 2-D map for plots.

Below `defaults.MIN_DOCUMENTS_FOR_UMAP` documents, UMAP and HDBSCAN are bypassed: agglomerative clustering
on the features groups the documents and PCA draws the map. The result says which path ran.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from topics import defaults
from topics._umap_loader import import_umap


@dataclass
class Clustering:
    """What clustering found: raw labels (-1 is HDBSCAN's noise), the reduced space and the 2-D map."""

    labels: np.ndarray
    reduced: np.ndarray
    map_2d: np.ndarray
    method: str
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    relative_validity: float | None = None
    hdbscan_model: Any = None
    knn: tuple[np.ndarray, np.ndarray] | None = None


def resolved_settings(n_documents: int, overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults sized to the corpus, then the caller's overrides (None means 'use the default')."""
    settings = {
        "n_neighbors": defaults.umap_neighbors(n_documents),
        "n_components": defaults.umap_components(n_documents),
        "min_dist": 0.0,
        "metric": "cosine",
        "min_cluster_size": defaults.min_cluster_size(n_documents),
        "min_samples": None,
        "cluster_selection_method": defaults.cluster_selection_method(n_documents),
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    if settings["min_samples"] is None:
        settings["min_samples"] = defaults.min_samples(settings["min_cluster_size"])
    return settings


def reduce(
    vectors: np.ndarray,
    settings: dict[str, Any],
    random_state: int,
    notify: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """UMAP to `n_components` for clustering, and to 2-D for the map (reusing the neighbour graph)."""
    umap = import_umap(notify)
    common = dict(
        n_neighbors=settings["n_neighbors"],
        metric=settings["metric"],
        random_state=random_state,
        n_epochs=defaults.UMAP_EPOCHS,
        n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba caching notes, n_jobs notes, tiny-graph notes
        # one neighbour graph serves both layouts
        indices, distances = neighbours(
            vectors, settings["n_neighbors"], settings["metric"], random_state, umap
        )
        knn = (indices, distances)
        reduced, map_2d = (
            umap.UMAP(
                n_components=n_components,
                min_dist=min_dist,
                precomputed_knn=(indices, distances, None),
                **common,
            ).fit_transform(vectors)
            for n_components, min_dist in ((settings["n_components"], settings["min_dist"]), (2, 0.1))
        )
    return reduced.astype(np.float32), map_2d.astype(np.float32), knn


def neighbours(
    vectors: np.ndarray, k: int, metric: str, random_state: int, umap
) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest neighbours of each document (itself first).

    Exact search up to `defaults.MAX_DOCUMENTS_EXACT_NEIGHBOURS` documents: pynndescent's approximate search
    compiles about 40 s of numba code in every new process that numba cannot cache, which only pays off
    on large corpora.
    """
    if len(vectors) <= defaults.MAX_DOCUMENTS_EXACT_NEIGHBOURS:
        from sklearn.neighbors import NearestNeighbors

        search = NearestNeighbors(n_neighbors=k, metric=metric, algorithm="brute", n_jobs=1).fit(vectors)
        distances, indices = search.kneighbors(vectors)
        return indices.astype(np.int32), distances.astype(np.float32)
    indices, distances, _ = umap.umap_.nearest_neighbors(
        vectors, k, metric, {}, False, np.random.RandomState(random_state), n_jobs=1
    )
    return indices, distances


def run_hdbscan(reduced: np.ndarray, settings: dict[str, Any]):
    import hdbscan

    model = hdbscan.HDBSCAN(
        min_cluster_size=int(settings["min_cluster_size"]),
        min_samples=int(settings["min_samples"]),
        cluster_selection_method=settings["cluster_selection_method"],
        gen_min_span_tree=True,
        core_dist_n_jobs=1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        labels = model.fit_predict(reduced)
    return model, labels


def agglomerative(vectors: np.ndarray, n_clusters: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering

    if n_clusters <= 1 or len(vectors) < 3:
        return np.zeros(len(vectors), dtype=int)
    return AgglomerativeClustering(n_clusters=n_clusters, metric="cosine", linkage="average").fit_predict(
        vectors
    )


def pca_map(vectors: np.ndarray, random_state: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    if len(vectors) < 3:
        return np.column_stack([np.arange(len(vectors), dtype=np.float32), np.zeros(len(vectors))])
    return PCA(n_components=2, random_state=random_state).fit_transform(vectors).astype(np.float32)


def cluster(
    vectors: np.ndarray,
    overrides: dict[str, Any],
    random_state: int,
    notify: Callable[[str], None] | None = None,
) -> Clustering:
    """Group the documents: UMAP + HDBSCAN, or agglomerative clustering for tiny corpora."""
    n = len(vectors)
    if n < defaults.MIN_DOCUMENTS_FOR_UMAP:
        k = max(1, round(math.sqrt(n / 2)))
        labels = agglomerative(vectors, k)
        return Clustering(
            labels=labels,
            reduced=vectors,
            map_2d=pca_map(vectors, random_state),
            method="agglomerative",
            settings={"n_clusters": k, "linkage": "average", "metric": "cosine"},
            notes=[
                f"{n} documents are too few for UMAP and HDBSCAN (fewer than "
                f"{defaults.MIN_DOCUMENTS_FOR_UMAP}); grouped by agglomerative clustering into {k} "
                "topic(s) and mapped with PCA instead"
            ],
        )
    settings = resolved_settings(n, overrides)
    reduced, map_2d, knn = reduce(vectors, settings, random_state, notify)
    model, labels = run_hdbscan(reduced, settings)
    notes: list[str] = []
    method = "umap+hdbscan"
    if len(set(labels) - {-1}) < 2:
        k = max(2, round(math.sqrt(n) / 2))
        labels = agglomerative(reduced, k)
        notes.append(
            f"HDBSCAN found fewer than 2 topics with min_cluster_size={settings['min_cluster_size']}; "
            f"grouped the UMAP space by agglomerative clustering into {k} topics instead"
        )
        method = "umap+agglomerative"
    validity = None
    if method == "umap+hdbscan":
        try:
            validity = float(model.relative_validity_)
        except Exception:  # noqa: BLE001 - a diagnostic only; HDBSCAN cannot always compute it
            validity = None
    return Clustering(
        labels=np.asarray(labels),
        reduced=reduced,
        map_2d=map_2d,
        method=method,
        settings=settings,
        notes=notes,
        relative_validity=validity,
        hdbscan_model=model,
        knn=knn,
    )
