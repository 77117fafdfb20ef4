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
=======================  ===========================================================================

Any name may end in ``:N`` to truncate documents to their first N word pieces (title first, then the
start of the abstract, since our documents are "title. abstract"), e.g. ``minilm-onnx-int8:128``.
Without it the transformer encoders read 256 word pieces (MiniLM's own limit) and the static one 512.

The ONNX and static artifacts are built once from the local offline MiniLM (building needs
sentence-transformers/torch from the ``embeddings`` extra; running them needs only the ``fast`` extra)
and kept under ``$TOPICS_CACHE_DIR/encoders`` (default ``~/.cache/topics/encoders``) with a manifest
holding their SHA-256; a missing, corrupt or stale artifact is rebuilt with a warning. Nothing is
downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import warnings
from pathlib import Path

import numpy as np

from topics import defaults
from topics.errors import ModelError, TopicsWarning

ARTIFACT_VERSION = 1
ONNX_OPSET = 17
TRANSFORMER_MAX_TOKENS = 256
STATIC_MAX_TOKENS = 512
FAST_ENCODERS = ("minilm-onnx", "minilm-onnx-int8", "minilm-static")


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
        return match.group(1), limit
    return name, None


def cache_name(name: str) -> str:
    """What the embedding cache is keyed by: the encoder, its truncation and its artifact version."""
    base, limit = parse_name(name)
    if base.lower() in FAST_ENCODERS:
        default = STATIC_MAX_TOKENS if base.lower() == "minilm-static" else TRANSFORMER_MAX_TOKENS
        return f"{base.lower()}:{limit or default}:v{ARTIFACT_VERSION}"
    return name if limit is None else f"{base}:{limit}"


def get_encoder(name: str, directory: Path | str | None = None) -> Encoder:
    """The encoder called `name`, with its artifacts built (once) under `directory`."""
    base, limit = parse_name(name)
    key = base.lower()
    directory = Path(directory) if directory is not None else default_encoder_dir()
    if key in ("minilm-onnx", "minilm-onnx-int8"):
        return OnnxEncoder(directory, quantized=key.endswith("int8"), max_tokens=limit)
    if key == "minilm-static":
        return StaticEncoder(directory, max_tokens=limit)
    return SentenceTransformerEncoder(base, max_tokens=limit)


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class Encoder:
    """`encode(texts, batch_size)` gives one unit-length float32 row per text."""

    name = "encoder"

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


# ------------------------------------------------------------------------------- sentence-transformers
class SentenceTransformerEncoder(Encoder):
    def __init__(self, model: str, max_tokens: int | None = None):
        from topics.embeddings import load_encoder

        self.name = model
        self.model = load_encoder(model)
        if max_tokens is not None:
            self.model.max_seq_length = max_tokens

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
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
    try:
        from tokenizers import Tokenizer
    except ImportError as error:
        raise ModelError("the fast encoders need the 'fast' extra: pip install 'topics[fast]'") from error
    tokenizer = Tokenizer.from_file(str(_minilm_path() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_tokens)
    return tokenizer


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Artifact:
    """A file built once from the local MiniLM, checked against the SHA-256 in its manifest on use."""

    def __init__(self, path: Path, build, source: str):
        self.path = path
        self.manifest = path.with_name(path.name + ".json")
        self.build = build
        self.source = source

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

    def ensure(self) -> Path:
        problem = self._valid()
        if problem is None:
            return self.path
        if problem != "missing":
            warnings.warn(
                f"encoder artifact {self.path} is rebuilt: {problem}", TopicsWarning, stacklevel=4
            )
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


def _load_transformer():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModel
    except ImportError as error:
        raise ModelError(
            "building a fast encoder (once) needs torch and transformers from the 'embeddings' extra: "
            "pip install 'topics[embeddings,fast]'"
        ) from error
    return torch, AutoModel.from_pretrained(str(_minilm_path()), local_files_only=True).eval()


def _export_onnx(target: Path) -> None:
    """MiniLM with mean pooling and normalisation, exported to ONNX with dynamic batch and length."""
    torch, model = _load_transformer()

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


def _quantize_onnx(source: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))  # its advice to preprocess
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)


def onnx_artifact(directory: Path, quantized: bool) -> Artifact:
    fp32 = Artifact(directory / "minilm.onnx", _export_onnx, _source_fingerprint())
    if not quantized:
        return fp32
    return Artifact(
        directory / "minilm-int8.onnx",
        lambda target: _quantize_onnx(fp32.ensure(), target),
        _source_fingerprint(),
    )


# ------------------------------------------------------------------------------------------ ONNX
class OnnxEncoder(Encoder):
    def __init__(self, directory: Path, quantized: bool = False, max_tokens: int | None = None):
        try:
            import onnxruntime
        except ImportError as error:
            raise ModelError("the ONNX encoders need the 'fast' extra: pip install 'topics[fast]'") from error
        self.name = "minilm-onnx-int8" if quantized else "minilm-onnx"
        self.max_tokens = max_tokens or TRANSFORMER_MAX_TOKENS
        artifact = onnx_artifact(directory, quantized)
        path = artifact.ensure()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        providers = ["CPUExecutionProvider"]
        try:
            self.session = onnxruntime.InferenceSession(str(path), options, providers=providers)
        except Exception as error:  # noqa: BLE001 - an unloadable file passed its checksum: rebuild it
            warnings.warn(f"encoder artifact {path} is rebuilt: {error}", TopicsWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            path = artifact.ensure()
            self.session = onnxruntime.InferenceSession(str(path), options, providers=providers)
        self.tokenizer = _tokenizer(self.max_tokens)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        lengths = np.array([len(e.ids) for e in encoded])
        order = np.argsort(-lengths, kind="stable")  # similar lengths together: little padding
        result = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = order[start : start + batch_size]
            width = int(lengths[batch].max())
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, index in enumerate(batch):
                ids[row, : lengths[index]] = encoded[index].ids
                mask[row, : lengths[index]] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            result[batch] = self.session.run(None, feeds)[0]
        return _unit(result)


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
    vectors = np.zeros((size, 384), dtype=np.float32)
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


class StaticEncoder(Encoder):
    name = "minilm-static"

    def __init__(self, directory: Path, max_tokens: int | None = None):
        self.max_tokens = max_tokens or STATIC_MAX_TOKENS
        artifact = Artifact(directory / "minilm-static.npy", _distill_static, _source_fingerprint())
        path = artifact.ensure()
        try:
            table = np.load(path)
            if table.ndim != 2 or table.shape[1] != 384:
                raise ValueError(f"shape {table.shape}")
        except (OSError, ValueError) as error:
            warnings.warn(f"encoder artifact {path} is rebuilt: {error}", TopicsWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            table = np.load(artifact.ensure())
        self.table = table.astype(np.float32)
        self.tokenizer = _tokenizer(self.max_tokens)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        result = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        for row, item in enumerate(encoded):
            if item.ids:
                result[row] = self.table[item.ids].sum(0)
        empty = ~result.any(axis=1)  # nothing but stop words and punctuation: one shared direction
        result[empty, 0] = 1.0
        return _unit(result)
