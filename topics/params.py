"""Rules for TopicModel's parameters, shared by `fit`, `load` and the command line: each names the parameter
in a ModelError, before any work is done (instead of a library's traceback partway through a fit)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from topics.errors import ModelError

RANDOM_STATE_LIMIT = 2**32  # NumPy's and scikit-learn's seeds run from 0 to 2**32 - 1
VECTOR_SOURCES = ("tfidf", "given", "callable", "encoder")  # a saved model's `vectors_from_`
CLUSTERING_PARAMS = ("min_cluster_size", "min_samples", "n_neighbors", "n_components",
                     "cluster_selection_method")


def is_whole(value: Any) -> bool:
    """An integer (Python or NumPy), and not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value: Any) -> bool:
    """A finite real number (Python or NumPy), and not a bool."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float (10**400): no finite number to use
        return False


def check_range(name: str, value: Any, low: float, high: float) -> float:
    """A number from `low` to `high` (inclusive), as a float; else a ModelError naming the parameter."""
    if not (is_number(value) and low <= value <= high):
        raise ModelError(f"{name} must be a number between {low:g} and {high:g}, not {value!r}")
    return float(value)


def check_random_state(value: Any) -> None:
    if not is_whole(value) or not 0 <= value < RANDOM_STATE_LIMIT:
        raise ModelError(
            f"random_state must be a whole number from 0 to {RANDOM_STATE_LIMIT - 1}, not {value!r}")


def check_n_keywords(value: Any) -> None:
    if not is_whole(value) or value < 1:
        raise ModelError(f"n_keywords must be a positive whole number, not {value!r}")


def check_n_themes(value: Any) -> None:
    if not (value == "auto" or (is_whole(value) and value >= 1)):
        raise ModelError(f"n_themes must be 'auto' or a positive integer, not {value!r}")


def check_outlier_threshold(value: Any) -> None:
    if not (is_number(value) and 0 <= value < 1):
        raise ModelError(f"outlier_threshold must lie in [0, 1), not {value!r}")


def check_saved_params(params: Any, known: list[str]) -> None:
    """The parameters read from a saved model.json: the values `fit` accepts, as JSON holds them (a callable
    `features` saved as "callable", no namer). `known`: TopicModel's parameter names."""
    from topics.clustering import check_overrides

    if not isinstance(params, dict):
        raise ModelError(f"params must be a mapping, not {type(params).__name__}")
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ModelError(f"unknown parameter {unknown[0]!r}")

    def require(name: str, ok: bool, expected: str) -> None:
        if name in params and not ok:
            raise ModelError(f"{name} must be {expected}, not {params[name]!r}")

    get = params.get
    require("features", get("features") in ("tfidf", "embeddings", "callable"),
            "'tfidf', 'embeddings' or 'callable'")
    require("embedding_model", isinstance(get("embedding_model"), str), "a string")
    for name in ("keep_outliers", "progress"):
        require(name, isinstance(get(name), bool), "true or false")
    require("cache_dir", get("cache_dir") is None or isinstance(get("cache_dir"), str), "null or a path")
    require("guided_themes", get("guided_themes") is None or isinstance(get("guided_themes"), (str, dict)),
            "null, a path or a mapping of themes")
    require("guide_strength", is_number(get("guide_strength")) and 0 <= get("guide_strength") <= 1,
            "a number from 0 to 1")
    require("namer", get("namer") is None, "null (a namer is never saved)")
    checks = {"n_themes": check_n_themes, "outlier_threshold": check_outlier_threshold,
              "n_keywords": check_n_keywords, "random_state": check_random_state}
    for name, check in checks.items():
        if name in params:
            check(params[name])
    # the number of documents bounds n_neighbors and n_components from above; the fit checked that
    check_overrides({name: get(name) for name in CLUSTERING_PARAMS}, 2**62)
