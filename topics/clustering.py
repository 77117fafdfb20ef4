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
from topics.errors import ModelError


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


def check_overrides(overrides: dict[str, Any], n_documents: int) -> None:
    """A clear ModelError for a clustering setting UMAP or HDBSCAN would refuse, before any work is done."""
    def whole(name: str, low: int, high: int | None = None, extra: tuple = ()) -> None:
        value = overrides.get(name)
        if value is None or value in extra:
            return
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or (
            high is not None and value > high
        ):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            hint = f" for {n_documents:,} documents" if high is not None else ""
            raise ModelError(f"{name} must be a whole number {span}{hint}, not {value!r}")

    whole("min_cluster_size", 2, extra=("auto",))
    whole("min_samples", 1)
    if n_documents >= defaults.MIN_DOCUMENTS_FOR_UMAP:  # smaller corpora do not run UMAP
        whole("n_neighbors", 2, n_documents - 1)
        whole("n_components", 1, n_documents - 2)
    else:
        whole("n_neighbors", 2)
        whole("n_components", 1)
    method = overrides.get("cluster_selection_method")
    if method not in (None, "auto", "eom", "leaf"):
        raise ModelError(f"cluster_selection_method must be 'eom' or 'leaf', not {method!r}")


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
    settings.update({k: v for k, v in overrides.items() if v is not None and v != "auto"})
    if settings["min_samples"] is None:
        settings["min_samples"] = defaults.min_samples(settings["min_cluster_size"])
    return settings


def sweep_min_cluster_size(
    reduced: np.ndarray, settings: dict[str, Any], fixed_min_samples: int | None = None,
    vectors: np.ndarray | None = None,
) -> tuple[list[dict[str, Any]], int, Any, np.ndarray]:
    """HDBSCAN at multiples of the rule-of-thumb `min_cluster_size` on the same UMAP output.

    Each setting is scored by relative DBCV (HDBSCAN's density-based validity: dense topics, sparse gaps)
    times the share of documents HDBSCAN puts in a topic, so a setting cannot win by calling most of the
    corpus noise. Fewer than 2 topics scores nothing. Ties go to the setting nearest the rule of thumb.
    With `vectors` (the features), each row also records `themes_level` and `themes_jump`: where the tree of
    its clusters' centroids jumps the most (`topics.themes.clearest_level`), and `clear_theme_levels`: every
    level where it jumps clearly (`topics.themes.clear_levels`), which the choice of themes votes on.
    Returns the table of settings, the index of the chosen one, its HDBSCAN model and its labels.
    """
    rule = int(settings["min_cluster_size"])
    sizes = sorted({max(3, round(rule * factor)) for factor in defaults.MIN_CLUSTER_SIZE_SWEEP} | {rule})
    trust_objective = len(reduced) >= defaults.MIN_DOCUMENTS_FOR_SWEEP_CHOICE
    rows: list[dict[str, Any]] = []
    best: tuple[float, float] | None = None
    chosen, chosen_model, chosen_labels = 0, None, None
    for size in sizes:
        trial = dict(settings, min_cluster_size=size)
        trial["min_samples"] = fixed_min_samples or defaults.min_samples(size)
        model, labels = run_hdbscan(reduced, trial)
        n_topics = int(labels.max()) + 1
        noise = float((labels < 0).mean())
        validity = _relative_validity(model) if n_topics >= 2 else None
        objective = validity * (1.0 - noise) if validity is not None else None
        rows.append({
            "min_cluster_size": size, "min_samples": int(trial["min_samples"]), "topics": n_topics,
            "noise_share": round(noise, 4), "dbcv": None if validity is None else round(validity, 4),
            "objective": None if objective is None else round(objective, 4),
        })
        if vectors is not None:
            level, jump, clear = _themes_levels(vectors, labels, n_topics)
            rows[-1].update(themes_level=level, themes_jump=None if jump is None else round(jump, 4),
                            clear_theme_levels=clear)
        score = objective if objective is not None and trust_objective else -np.inf
        key = (round(score, 4), -abs(math.log(size / rule)))
        if best is None or key > best:
            best, chosen, chosen_model, chosen_labels = key, len(rows) - 1, model, labels
    return rows, chosen, chosen_model, chosen_labels


def _themes_levels(
    vectors: np.ndarray, labels: np.ndarray, n_topics: int
) -> tuple[int | None, float | None, list[int]]:
    from topics import themes
    from topics.features import unit_rows

    if n_topics < 4:
        return None, None, []
    centroids = unit_rows(np.vstack([vectors[labels == t].mean(axis=0) for t in range(n_topics)]))
    sizes = np.bincount(labels[labels >= 0], minlength=n_topics)
    linkage = themes.ward_linkage(centroids, sizes)
    return (*themes.clearest_level(linkage, n_topics), themes.clear_levels(linkage, n_topics))


def _relative_validity(model) -> float | None:
    try:
        value = float(model.relative_validity_)
    except Exception:  # noqa: BLE001 - a diagnostic; HDBSCAN cannot always compute it
        return None
    return value if math.isfinite(value) else None


def reduce(
    vectors: np.ndarray,
    settings: dict[str, Any],
    random_state: int,
    notify: Callable[[str], None] | None = None,
    step: Callable[[str], None] = lambda name: None,
    seeds: np.ndarray | None = None,
    seed_weight: float = defaults.GUIDE_STRENGTH,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """UMAP to `n_components` for clustering, and to 2-D for the map (reusing the neighbour graph).

    `seeds` (a theme per document, -1 for none) make UMAP semi-supervised with `seed_weight` as its
    target weight (guided fitting). `step(name)` is called as each stage starts (for a progress bar)."""
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
        step("nearest neighbours")
        indices, distances = neighbours(
            vectors, settings["n_neighbors"], settings["metric"], random_state, umap
        )
        knn = (indices, distances)
        layouts = []
        for name, n_components, min_dist in (
            (f"UMAP to {settings['n_components']}-D", settings["n_components"], settings["min_dist"]),
            ("UMAP map", 2, 0.1),
        ):
            step(name)
            layout = umap.UMAP(
                n_components=n_components,
                min_dist=min_dist,
                precomputed_knn=(indices, distances, None),
                target_weight=seed_weight,
                **common,
            )
            layouts.append(layout.fit_transform(vectors, y=seeds))
        reduced, map_2d = layouts
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
        return exact_neighbours(vectors, k, metric)
    indices, distances, _ = umap.umap_.nearest_neighbors(
        vectors, k, metric, {}, False, np.random.RandomState(random_state), n_jobs=1
    )
    return indices, distances


def exact_neighbours(vectors: np.ndarray, k: int, metric: str, block_bytes: int = 64 << 20
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest neighbours of each row by brute force, the same on every CPU.

    BLAS kernels, chosen by CPU, and the shape of the blocks change the last bits of a distance, which then
    decide between neighbours at (nearly) the same distance, and UMAP makes another map of one neighbour.
    So distances are computed in float64 and rounded to 10 decimals, and ties go to the lower row number;
    rows are taken in blocks of `block_bytes` of distances (all at once, 6,253 papers held 313 MB)."""
    from sklearn.metrics import pairwise_distances

    exact = np.asarray(vectors, dtype=np.float64)
    n = len(exact)
    k = min(k, n)
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    step = max(1, block_bytes // (8 * max(n, 1)))
    for start in range(0, n, step):
        block = np.round(pairwise_distances(exact[start : start + step], exact, metric=metric), 10)
        np.maximum(block, 0.0, out=block)
        block[np.arange(len(block)), np.arange(start, start + len(block))] = -1.0  # itself first
        nearest = np.argpartition(block, k - 1, axis=1)[:, :k]  # the k smallest, in no order
        values = np.take_along_axis(block, nearest, axis=1)
        order = np.lexsort((nearest, values))  # by distance, then row number
        nearest, values = np.take_along_axis(nearest, order, 1), np.take_along_axis(values, order, 1)
        # a row whose k-th distance is shared with rows left out: take the lowest row numbers among them
        for row in np.flatnonzero((block <= values[:, -1:]).sum(axis=1) > k):
            candidates = np.flatnonzero(block[row] <= values[row, -1])  # ascending row numbers
            nearest[row] = candidates[np.argsort(block[row, candidates], kind="stable")[:k]]
            values[row] = block[row, nearest[row]]
        indices[start : start + len(block)] = nearest
        distances[start : start + len(block)] = np.maximum(values, 0.0)
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
    step: Callable[[str], None] = lambda name: None,
    seeds: np.ndarray | None = None,
    seed_weight: float = defaults.GUIDE_STRENGTH,
) -> Clustering:
    """Group the documents: UMAP + HDBSCAN, or agglomerative clustering for tiny corpora.

    `seeds`/`seed_weight`: guided fitting (see `reduce`); `step(name)` is called as each stage starts."""
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
    reduced, map_2d, knn = reduce(vectors, settings, random_state, notify, step, seeds, seed_weight)
    step("HDBSCAN")
    notes: list[str] = []
    if overrides.get("min_cluster_size") in (None, "auto"):
        rows, chosen, model, labels = sweep_min_cluster_size(
            reduced, settings, overrides.get("min_samples"), vectors
        )
        settings.update(min_cluster_size=rows[chosen]["min_cluster_size"],
                        min_samples=rows[chosen]["min_samples"])
        settings["min_cluster_size_sweep"] = rows
        settings["min_cluster_size_choice"] = _explain_choice(rows, chosen, n)
        notes.append(settings["min_cluster_size_choice"])
    else:
        model, labels = run_hdbscan(reduced, settings)
    method = "umap+hdbscan"
    if len(set(labels) - {-1}) < 2:
        k = max(2, round(math.sqrt(n) / 2))
        labels = agglomerative(reduced, k)
        notes.append(
            f"HDBSCAN found fewer than 2 topics with min_cluster_size={settings['min_cluster_size']}; "
            f"grouped the UMAP space by agglomerative clustering into {k} topics instead"
        )
        method = "umap+agglomerative"
    validity = _relative_validity(model) if method == "umap+hdbscan" else None
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


def _explain_choice(rows: list[dict[str, Any]], chosen: int, n_documents: int) -> str:
    row = rows[chosen]
    low, high = rows[0]["min_cluster_size"], rows[-1]["min_cluster_size"]
    if n_documents < defaults.MIN_DOCUMENTS_FOR_SWEEP_CHOICE:
        return (f"min_cluster_size={row['min_cluster_size']}: the rule of thumb for {n_documents} documents; "
                f"settings {low} to {high} were tried, but below {defaults.MIN_DOCUMENTS_FOR_SWEEP_CHOICE} "
                "documents their DBCV scores are too noisy to choose by")
    if row["objective"] is None:
        return (f"min_cluster_size={row['min_cluster_size']}: no setting between {low} and {high} found "
                "2 or more dense topics")
    return (
        f"min_cluster_size={row['min_cluster_size']} chosen from {len(rows)} settings "
        f"({low} to {high}) for the best relative DBCV x share "
        f"of documents in a topic: {row['dbcv']:.3f} x {1 - row['noise_share']:.2f} = {row['objective']:.3f} "
        f"({row['topics']} clusters)"
    )
