"""``minilm-hybrid``: int8 MiniLM on the start of each document plus the static table over all of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from topics.encoders.base import (
    HYBRID_MAX_TOKENS,
    HYBRID_STATIC_WEIGHT,
    STATIC_MAX_TOKENS,
    Encoder,
    Window,
    unit,
)
from topics.encoders.onnx import onnx_session, run_transformer
from topics.encoders.static import static_sum, static_table


def hybrid_window(name: str, limit: int | None) -> Window:
    """The transformer's window (128 word pieces, or `limit`); the message adds what the static part read."""
    rest = f"; its static part read up to {STATIC_MAX_TOKENS} word pieces of each"
    return Window(name, limit or HYBRID_MAX_TOKENS, special=2, rest=rest)


class HybridEncoder(Encoder):
    """int8 MiniLM reads the start of each document (its first `max_tokens` word pieces, 128 by default),
    the static table the whole of it (512): unit(transformer) + 0.35 * unit(static), made unit length.

    The transformer part carries MiniLM's reading of the title and first sentences, the static part the
    words of the rest that a truncated transformer never sees. One tokenisation serves both."""

    name = "minilm-hybrid"

    def __init__(
        self,
        directory: Path,
        max_tokens: int | None = None,
        weight: float = HYBRID_STATIC_WEIGHT,
        progress: bool = False,
    ):
        self.window = hybrid_window(self.name if max_tokens is None else f"{self.name}:{max_tokens}",
                                    max_tokens)
        self.weight = weight
        self.session = onnx_session(directory, quantized=True, progress=progress)
        self.table = static_table(directory, progress)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """unit(transformer) + weight * unit(static), made unit length."""
        pieces = self.window.pieces(texts, STATIC_MAX_TOKENS)
        self._count(pieces)
        transformer = run_transformer(self.session, pieces, self.window.limit)
        return unit(transformer + self.weight * unit(static_sum(self.table, pieces)))
