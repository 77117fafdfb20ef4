"""What `fit`, `transform` and `assign` are given, in one shape and checked: the documents (a corpus
table, a Series or a list of strings) and the vectors that come with them (the caller's, or those of a
features function)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from topics import defaults
from topics.errors import ModelError, TopicsWarning
from topics.wording import plural

Documents = pd.DataFrame | pd.Series | Sequence[str]


def as_corpus(documents: Documents) -> pd.DataFrame:
    """A corpus table (id, title, text, ...) from a corpus table, a Series or a list of strings."""
    if isinstance(documents, pd.DataFrame):
        if "text" not in documents.columns:
            raise ModelError(
                "the table has no 'text' column; read files with topics.read_corpus, or pass a list of "
                f"strings (columns are: {', '.join(map(str, documents.columns))})"
            )
        table = documents.reset_index(drop=True).copy()
    elif isinstance(documents, str):
        raise ModelError("pass a list of documents, not a single string")
    else:
        texts = list(documents.tolist() if isinstance(documents, pd.Series) else documents)
        bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
        if bad:
            raise ModelError(f"document {bad[0]} is a {type(texts[bad[0]]).__name__}, not a string")
        table = pd.DataFrame({"text": texts})
    table["text"] = table["text"].fillna("").astype(str)
    if "id" not in table.columns:
        width = len(str(len(table)))
        table.insert(0, "id", [f"doc-{i + 1:0{width}d}" for i in range(len(table))])
    table["id"] = table["id"].astype(str)
    if "title" not in table.columns:
        table["title"] = ""
    titles = table["title"].fillna("").astype(str)
    untitled = titles.str.strip() == ""  # plain text, a list of strings: the text's start stands in
    table["title"] = titles.where(~untitled, table["text"].map(_opening))
    return table


def capped(texts: Sequence[str], limit: int = defaults.MAX_RECORD_CHARACTERS) -> list[str]:
    """`texts` with each cut to its first `limit` characters: what one record contributes to features,
    phrases and embeddings (`defaults.MAX_RECORD_CHARACTERS`)."""
    return [text if len(text) <= limit else text[:limit] for text in texts]


def count_capped(texts: Sequence[str], limit: int = defaults.MAX_RECORD_CHARACTERS) -> str | None:
    """A note on the documents longer than `limit` characters (only their start is read), or None."""
    long = [len(text) for text in texts if len(text) > limit]
    if not long:
        return None
    which = "document is" if len(long) == 1 else "documents are"
    return (f"{len(long):,} {which} longer than {limit:,} characters (the longest {max(long):,}): features, "
            f"label phrases and embeddings read the first {limit:,} of each; the documents are kept whole")


def _opening(text: str, limit: int = 90) -> str:
    """The start of a text, cut at a word and marked with an ellipsis, as a stand-in title."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return (cut if len(cut) > limit // 2 else text[:limit]).rstrip(",;:.") + "…"


def checked_vectors(vectors, n_documents: int, dimensions: int | None = None) -> np.ndarray:
    """Vectors given by the caller or returned by a features function, as a dense float32 array, or a
    ModelError saying what is wrong with them."""
    if hasattr(vectors, "toarray"):  # a scipy sparse matrix
        vectors = vectors.toarray()
    try:
        vectors = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ModelError(f"the embeddings are not a numeric array ({error})") from error
    expected = f"({n_documents}, {dimensions if dimensions is not None else 'dimensions'})"
    if vectors.ndim != 2 or len(vectors) != n_documents or (
        dimensions is not None and vectors.shape[1] != dimensions
    ):
        raise ModelError(f"embeddings have shape {vectors.shape}; expected {expected}: one row per document"
                         + (", as many dimensions as the model was fitted on" if dimensions else ""))
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        n_bad = int(bad.sum())
        verb = "holds" if n_bad == 1 else "hold"
        raise ModelError(f"{plural(n_bad, 'embedding row')} {verb} NaN or infinite values (the first: row "
                         f"{int(np.flatnonzero(bad)[0])})")
    return vectors


def blank_out(texts: list[str], vectors: np.ndarray) -> np.ndarray:
    """Zero the vectors of documents without text, so that they get no topic (an encoder gives even an
    empty string a vector)."""
    blank = [i for i, text in enumerate(texts) if not text.strip()]
    if blank:
        vectors = vectors.copy()
        vectors[blank] = 0.0
    return vectors


def say_blank_and_repeated(texts: list[str]) -> None:
    """Warn of empty and repeated documents in what `fit` was given: it fits them as given (one result row
    per input), but a user who passed a list rather than a file read by `read_corpus` should know."""
    blank = sum(not text.strip() for text in texts)
    repeated = len(texts) - blank - len({text for text in texts if text.strip()})
    what = []
    if blank:
        what.append(f"{blank:,} {'is' if blank == 1 else 'are'} empty and get no topic (-1)")
    if repeated:
        what.append(f"{repeated:,} {'repeats' if repeated == 1 else 'repeat'} an earlier document word for "
                    "word and weigh twice in the clustering")
    if what:
        warnings.warn(
            f"of the {len(texts):,} documents given, {' and '.join(what)}; topics.read_corpus drops both "
            "(and counts them), or drop them before fitting", TopicsWarning, stacklevel=3,
        )
