"""Map positions for documents that were not fitted: near the fitted documents they resemble.

UMAP places only the documents it was fitted on. A new document goes to the similarity-weighted mean of
the 2-D map positions of its `k` most similar fitted documents (cosine similarity in the model's feature
space), weights ``similarity ** power``, so the closest neighbours dominate and a document that resembles
one fitted document much more than the others lands next to it.

The numbers: leaving each fitted document out and placing it from the others (k=10), the median distance
from its own UMAP position is 1.0 % of the map's diagonal on 800 AI-conference papers and 1.8 % on 300
BBC News articles with power 8, against 2.5 % and 3.0 % with plain similarity weights (power 1).
"""

from __future__ import annotations

import numpy as np

from topics.features import unit_rows

K_NEIGHBORS = 10
POWER = 8.0
_BLOCK = 8_000_000  # similarity entries computed at once (~32 MB of float32)


def place(vectors: np.ndarray, fitted_vectors: np.ndarray, fitted_map: np.ndarray, *,
          k: int = K_NEIGHBORS, power: float = POWER, fallback: np.ndarray | None = None) -> np.ndarray:
    """2-D positions (n, 2) for documents with feature `vectors` (n, d) on the map of fitted documents.

    `fitted_vectors` (m, d) and `fitted_map` (m, 2) are a fitted model's `vectors_` and `map_`. Each
    document lands at the mean of the positions of its `k` most similar fitted documents weighted by
    ``max(cosine, 0) ** power``. A document similar to none of them (e.g. no word the model knows) goes to
    its row of `fallback` (n, 2), by default the centre of the fitted documents.
    """
    vectors = unit_rows(np.atleast_2d(vectors))
    fitted = unit_rows(fitted_vectors)
    positions = np.asarray(fitted_map, dtype=np.float64)
    if fitted.ndim != 2 or positions.shape != (len(fitted), 2):
        raise ValueError(f"fitted_map must have shape ({len(fitted)}, 2), not {positions.shape}")
    if vectors.shape[1] != fitted.shape[1]:
        raise ValueError(f"vectors have {vectors.shape[1]} dimensions, the fitted ones {fitted.shape[1]}")
    if k < 1 or len(fitted) == 0:
        raise ValueError("place needs k >= 1 and at least one fitted document")
    if fallback is None:
        fallback = np.broadcast_to(positions.mean(axis=0), (len(vectors), 2))
    fallback = np.asarray(fallback, dtype=np.float64)
    if fallback.shape != (len(vectors), 2):
        raise ValueError(f"fallback must have shape ({len(vectors)}, 2), not {fallback.shape}")
    k = min(k, len(fitted))
    out = np.empty((len(vectors), 2), dtype=np.float64)
    step = max(1, _BLOCK // len(fitted))
    for start in range(0, len(vectors), step):
        block = vectors[start : start + step] @ fitted.T
        if k < len(fitted):
            nearest = np.argpartition(-block, k - 1, axis=1)[:, :k]
        else:
            nearest = np.broadcast_to(np.arange(len(fitted)), block.shape)
        weights = np.clip(np.take_along_axis(block, nearest, axis=1).astype(np.float64), 0.0, None) ** power
        total = weights.sum(axis=1)
        placed = np.einsum("nk,nkd->nd", weights, positions[nearest])
        placed /= np.where(total > 0, total, 1.0)[:, None]
        out[start : start + step] = np.where((total > 0)[:, None], placed, fallback[start : start + step])
    return out
