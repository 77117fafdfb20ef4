"""Guided fitting: themes a user names (description and/or seed terms) nudge the clustering towards them.

Documents that clearly match one theme, by the same scores `topics.named_themes` uses to name topics, are
*seeded* with it; UMAP then runs semi-supervised (its `y` with -1 for the unseeded documents), so seeded
documents of one theme are pulled together and apart from other themes' seeds, while the rest of the corpus
lays itself out as usual. `strength` is UMAP's `target_weight`: 0 ignores the seeds, 1 follows them
above all; 0.5 (the default) balances the seeds against the documents' own neighbourhoods.

A document is seeded when its best theme scores at least the naming threshold (0.20 raw cosine with
TF-IDF, 0.05 centred cosine with embeddings) and leads its second-best theme by `SEED_MARGIN`, so a paper
between two themes is left to its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEED_MARGIN = 0.05  # a seeded document's best theme leads its second best by at least this much


@dataclass
class Seeds:
    """Which documents were seeded with which theme (-1: not seeded), and what to tell the user."""

    labels: np.ndarray
    names: list[str]
    notes: list[str]

    def counts(self) -> dict[str, int]:
        return {name: int((self.labels == i).sum()) for i, name in enumerate(self.names)}

    def summary(self) -> str:
        seeded = int((self.labels >= 0).sum())
        parts = ", ".join(f"{name} {count:,}" for name, count in self.counts().items())
        return (f"guided by {len(self.names)} themes: {seeded:,} of {len(self.labels):,} documents clearly "
                f"match one and were seeded ({parts}); the rest found their place by their neighbours")


def seed_documents(model, vectors: np.ndarray, themes) -> Seeds:
    """Seed labels for `vectors` (the documents being fitted) from `themes` (path, mapping or list of
    NamedTheme), scored in `model`'s feature space as when naming themes."""
    from topics.named_themes import OTHER_THRESHOLD
    from topics.theme_files import as_themes
    from topics.theme_scores import best_two_themes, theme_vectors

    named = as_themes(themes)
    theme_matrix, notes = theme_vectors(model, named)
    centred = getattr(model, "lsa_", None) is None  # sentence embeddings: compare against the corpus mean
    documents = np.asarray(vectors, dtype=np.float64)
    match = best_two_themes(documents, theme_matrix, documents.mean(axis=0) if centred else None)
    threshold = OTHER_THRESHOLD["centred" if centred else "raw"]
    clear = (match.best_score >= threshold) & (match.lead >= SEED_MARGIN)
    labels = np.where(clear, match.best, -1).astype(np.int64)
    return Seeds(labels=labels, names=[t.name for t in named], notes=notes)
