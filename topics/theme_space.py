"""Where named themes are matched: sentence embeddings when they can be had, the model's own features else.

A theme is a name, a description and seed terms: a few words. Read by sentence embeddings (MiniLM), "sport,
football, tennis, athletics and matches" lands near match reports whatever words they use; read by a
TF-IDF model, only through the words it knows. BBC sections as one-line descriptions: 0.81-0.83 of the
articles right in the TF-IDF space, 0.940 in MiniLM; AI-conference area names: 0.229 against 0.486
(`benchmarks/labels.py`, docs/benchmarks.md "Labels"). So `space="auto"`
embeds the papers with `defaults.EMBEDDING_MODEL` (once: the embedding cache keeps them) whenever the
embeddings extra is installed, whatever the model's own features, and says in the notes which space it
used; without the extra it falls back to the model's features and says so.

Scores in this space are plain cosines, not centred on the corpus's mean (`topics.named_themes`): with the
papers' votes deciding, centring cost accuracy (BBC 0.943 centred, 0.940 plain; AI-conference areas 0.418
centred, 0.490 plain; `benchmarks/labels.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from topics import defaults
from topics.errors import ModelError

SPACES = ("auto", "embeddings", "model")


@dataclass
class ThemeSpace:
    """Document vectors and a way to put theme texts beside them."""

    documents: np.ndarray  # one row per document of the model's corpus
    embed: Callable[[list[str]], np.ndarray]  # theme texts (and decoy words) -> vectors; zero rows: unknown
    centred: bool  # scores are cosines after removing the documents' mean vector
    description: str  # for notes and run.json: "sentence embeddings (all-MiniLM-L6-v2)", ...
    kind: str  # "embeddings" or "model"


def embeddings_available() -> bool:
    """Whether the default sentence-embedding model can run here (the embeddings extra), without importing."""
    from topics.encoders import require

    try:
        require(defaults.EMBEDDING_MODEL)
    except ModelError:
        return False
    return True


def theme_space(model, space: str = "auto") -> tuple[ThemeSpace, list[str]]:
    """The space to match `model`'s topics and papers to named themes in, and a note saying which it is."""
    if space not in SPACES:
        raise ModelError(f"space must be one of {', '.join(map(repr, SPACES))}, not {space!r}")
    encoder_model = getattr(model, "embedding_model", defaults.EMBEDDING_MODEL)
    if space == "model":
        return _model_space(model), []
    if space == "auto" and not embeddings_available():
        return _model_space(model), [
            "named themes were matched in the model's own TF-IDF features: install the embeddings extra "
            "(pip install 'topics[embeddings]') to match them with sentence embeddings, which read a "
            "theme's description far better"]
    from topics.embeddings import embed
    from topics.encoders import require

    require(defaults.EMBEDDING_MODEL)
    name = defaults.EMBEDDING_MODEL
    cache_dir = getattr(model, "cache_dir", None) if encoder_model == name else None
    texts = model.corpus_["text"].fillna("").astype(str).tolist()
    progress = bool(getattr(model, "progress", False))
    documents = embed(texts, name, cache_dir=cache_dir, progress=progress, tally=[])

    def embed_texts(items: list[str]) -> np.ndarray:
        return embed(items, name, cache_dir=cache_dir, progress=False, tally=[])

    note = f"named themes were matched with sentence embeddings ({name}) of the papers and themes"
    return ThemeSpace(np.asarray(documents, dtype=np.float64), embed_texts, False,
                      f"sentence embeddings ({name})", "embeddings"), [note]


def _model_space(model) -> ThemeSpace:
    centred = getattr(model, "lsa_", None) is None  # sentence embeddings (or the caller's vectors)
    source = model._vector_source()
    description = {"tfidf": "the model's TF-IDF features", "encoder": f"the model's sentence embeddings "
                   f"({getattr(model, 'embedding_model', '')})"}.get(source, "the model's own vectors")
    return ThemeSpace(np.asarray(model.vectors_, dtype=np.float64), model._vectors_for, centred, description,
                      "model")
