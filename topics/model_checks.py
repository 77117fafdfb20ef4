"""What a saved model's files must hold before a TopicModel is built from them: the learned state in
model.json, and each array's dtype and shape against the others. A damaged or tampered folder is then a
ModelError naming the field, not a crash later in `transform` (a classifier of the wrong width) or `info`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from topics.errors import ModelError
from topics.params import VECTOR_SOURCES, is_number, is_whole
from topics.wording import plural

FLOAT, INT = "f", "iu"  # dtype kinds
# name -> (dtype kinds, shape); a shape names its sizes: n documents, d dimensions, c classes, v terms...
ARRAYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "vectors_": (FLOAT, ("n", "d")),
    "map_": (FLOAT, ("n", "2")),
    "reduced_": (FLOAT, ("n", "r")),
    "document_topics_": (INT, ("n",)),
    "document_confidence_": (FLOAT, ("n",)),
    "raw_labels_": (INT, ("n",)),
    "class_to_topic_": (INT, ("c",)),
    "idf": (FLOAT, ("v",)),
    "assigner_weights": (FLOAT, ("c", "d")),
    "assigner_bias": (FLOAT, ("c",)),
}
OPTIONAL_ARRAYS = {
    "lsa_components": (FLOAT, ("k", "v")),
    "context_terms": (INT, ("w",)),
    "context_vectors": (FLOAT, ("w", "x")),
}


def check_state(state: Any, vocabulary: Any) -> None:
    """The JSON part of the learned state, and the vocabulary."""
    if not isinstance(state, dict):
        raise ModelError(f"state must be a mapping, not {type(state).__name__}")

    def require(name: str, ok: bool, expected: str, optional: bool = False) -> None:
        if name not in state:
            if optional:
                return
            raise ModelError(f"state has no {name!r}")
        if not ok:
            raise ModelError(f"state: {name} must be {expected}, not {_short(state[name])}")

    get = state.get
    n_documents = get("n_documents_")
    require("n_documents_", is_whole(n_documents) and n_documents >= 1, "a positive whole number")
    require("clustering_method_", isinstance(get("clustering_method_"), str), "a string")
    require("clustering_settings_", isinstance(get("clustering_settings_"), dict), "a mapping")
    require("relative_validity_", get("relative_validity_") is None or is_number(get("relative_validity_")),
            "null or a number")
    require("notes_", _strings(get("notes_")), "a list of strings")
    require("timings_", isinstance(get("timings_"), dict), "a mapping")
    n_input = get("n_input_documents_")
    require("n_input_documents_", n_input is None or (is_whole(n_input) and n_input >= get("n_documents_")),
            "null or a whole number of at least n_documents_", optional=True)
    require("sample_indices_", _sample_ok(get("sample_indices_"), get("n_documents_"), n_input),
            "null or n_documents_ distinct rows of the input, in order", optional=True)
    require("guided_", get("guided_") is None or isinstance(get("guided_"), dict), "null or a mapping",
            optional=True)
    require("vectors_from_", get("vectors_from_") in (None, *VECTOR_SOURCES),
            f"null or one of {', '.join(VECTOR_SOURCES)}", optional=True)
    require("previous_", get("previous_") is None or isinstance(get("previous_"), dict), "null or a mapping",
            optional=True)
    numbers = (get("previous_") or {}).get("theme_numbers")
    require("previous_", numbers is None or (isinstance(numbers, list) and all(is_whole(n) for n in numbers)
            and sorted(numbers) == list(range(len(numbers)))), "a mapping whose theme_numbers are a "
            "permutation", optional=True)
    changes = get("changes_")
    require("changes_", changes is None or (isinstance(changes, list) and all(
        isinstance(row, dict) for row in changes)), "null or a list of rows", optional=True)
    names = get("topic_names_")
    require("topic_names_", names is None or (isinstance(names, list) and all(
        n is None or isinstance(n, str) for n in names)), "null or a list of names", optional=True)
    require("naming_notes_", _strings(get("naming_notes_")), "a list of strings", optional=True)
    if not (isinstance(vocabulary, list) and vocabulary and _strings(vocabulary)):
        raise ModelError(f"vocabulary must be a non-empty list of strings, not {_short(vocabulary)}")


def check_arrays(arrays: dict[str, np.ndarray], n_documents: int, n_terms: int) -> None:
    """Every array of arrays.npz: present, of its dtype, finite, and of sizes that agree with each other,
    with the number of documents and with the vocabulary."""
    sizes: dict[str, int] = {"n": n_documents, "v": n_terms, "2": 2}
    for name, (kinds, shape) in {**ARRAYS, **OPTIONAL_ARRAYS}.items():
        if name not in arrays:
            if name in OPTIONAL_ARRAYS:
                continue
            raise ModelError(f"arrays.npz has no {name!r}")
        _check_array(name, arrays[name], kinds, shape, sizes)
    if ("context_terms" in arrays) != ("context_vectors" in arrays) or (
            "context_terms" in arrays and "lsa_components" not in arrays):
        raise ModelError("arrays.npz: context_terms and context_vectors go together, with lsa_components")
    if "lsa_components" in arrays and sizes["d"] != sizes["k"] + sizes.get("x", 0):
        raise ModelError(f"arrays.npz: vectors_ has {sizes['d']} dimensions; the LSA and word-context "
                         f"vectors make {sizes['k'] + sizes.get('x', 0)}")
    _check_values(arrays, n_terms)


def _check_array(name: str, array: np.ndarray, kinds: str, shape: tuple[str, ...], sizes: dict) -> None:
    kind = "floats" if kinds == FLOAT else "integers"
    if array.dtype.kind not in kinds:
        raise ModelError(f"arrays.npz: {name} must hold {kind}, not {array.dtype}")
    if array.ndim != len(shape):
        raise ModelError(
            f"arrays.npz: {name} must have {plural(len(shape), 'dimension')}, not shape {array.shape}")
    for axis, (letter, size) in enumerate(zip(shape, array.shape, strict=True)):
        expected = sizes.setdefault(letter, size)
        if size != expected or size < 1:
            raise ModelError(f"arrays.npz: {name} has shape {array.shape}; axis {axis} should be {expected} "
                             f"({_SIZE_NAMES.get(letter, 'as the other arrays')})")
    if kinds == FLOAT and not np.isfinite(array).all():
        raise ModelError(f"arrays.npz: {name} holds NaN or infinite values")


_SIZE_NAMES = {"n": "the documents in model.json", "v": "the terms of the vocabulary", "2": "a 2-D map",
               "d": "the dimensions of vectors_", "c": "the classifier's classes"}


def _check_values(arrays: dict[str, np.ndarray], n_terms: int) -> None:
    classes = arrays["class_to_topic_"]
    if classes.min() < 0 or classes.max() >= len(classes):
        raise ModelError("arrays.npz: class_to_topic_ must map each class to a topic from 0 to the classes")
    n_topics = int(classes.max()) + 1
    topics = arrays["document_topics_"]
    if topics.min() < -1 or topics.max() >= n_topics:
        raise ModelError(f"arrays.npz: document_topics_ must lie from -1 to {n_topics - 1}")
    if arrays["raw_labels_"].min() < -1:
        raise ModelError("arrays.npz: raw_labels_ must be -1 or more")
    confidence = arrays["document_confidence_"]
    if confidence.min() < 0 or confidence.max() > 1 + 1e-5:  # float32 sums of probabilities
        raise ModelError("arrays.npz: document_confidence_ must lie from 0 to 1")
    terms = arrays.get("context_terms")
    if terms is not None and (terms.min() < 0 or terms.max() >= n_terms):
        raise ModelError(f"arrays.npz: context_terms must be terms of the vocabulary (0 to {n_terms - 1})")


def check_corpus(corpus: pd.DataFrame, n_documents: int) -> None:
    """corpus.jsonl.gz: a row for each document of model.json, with an id, a title and the text."""
    if len(corpus) != n_documents:
        raise ModelError(f"corpus.jsonl.gz holds {len(corpus):,} documents; model.json says {n_documents:,}")
    for column in ("id", "title", "text"):
        if column not in corpus.columns:
            raise ModelError(f"corpus.jsonl.gz has no {column!r} column")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _sample_ok(indices: Any, n_documents: Any, n_input: Any) -> bool:
    if indices is None:
        return True
    if not (isinstance(indices, list) and all(is_whole(i) for i in indices) and is_whole(n_input)):
        return False
    rows = np.asarray(indices, dtype=np.int64)
    return len(rows) == n_documents and (len(rows) == 0 or (
        rows[0] >= 0 and rows[-1] < n_input and bool((np.diff(rows) > 0).all())))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."
