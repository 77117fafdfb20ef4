"""MiniLM exported once to ONNX (``minilm-onnx``) and its int8 copy (``minilm-onnx-int8``), run by ONNX
Runtime one document at a time.

The export carries MiniLM's mean pooling and normalisation; ONNX Runtime's transformer optimiser then fuses
attention, embeddings and layer norms (fp32 1.3x PyTorch's speed, int8 1.1x the unfused int8 graph's), and
int8 quantises the weights per channel. Building needs torch (the ``embeddings`` extra), running only
``onnxruntime`` and ``tokenizers`` (the ``fast`` extra)."""

from __future__ import annotations

import logging
import os
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from topics.encoders.artifacts import Artifact, file_key, load_transformer, source_fingerprint
from topics.encoders.base import (
    DIMENSIONS,
    Encoder,
    offline_import,
    special_ids,
    transformer_window,
    unit,
)
from topics.errors import TopicsWarning

ONNX_OPSET = 17


def export_onnx(target: Path) -> None:
    """MiniLM with mean pooling and normalisation, exported to ONNX with dynamic batch and length, then
    fused by ONNX Runtime's transformer optimiser (attention, embeddings, layer norms, GELU)."""
    torch, model = load_transformer(attention="eager")

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
    fuse_onnx(target, model.config.num_attention_heads, model.config.hidden_size)


def fuse_onnx(path: Path, heads: int, hidden: int) -> None:
    """Rewrite `path` with BERT's operators fused (portable: no hardware-specific ONNX Runtime passes).
    If the optimiser is missing or fails, the unfused graph stays: slower, same vectors."""
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


def quantize_onnx(source: Path, target: Path) -> None:
    """`source` with its weights quantised to int8 per channel (dynamic quantisation of activations)."""
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
    """The fp32 graph, or the int8 graph built from it."""
    fp32 = Artifact(directory / "minilm.onnx", export_onnx, source_fingerprint(), "minilm-onnx", 8)
    if not quantized:
        return fp32
    return Artifact(
        directory / "minilm-int8.onnx",
        lambda target: quantize_onnx(fp32.ensure(), target),
        source_fingerprint(),
        "minilm-onnx-int8",
        10,
    )


def onnx_session(directory: Path, quantized: bool, progress: bool = False):
    """An ONNX Runtime session on the (built, checked) MiniLM graph, one thread per run."""
    offline_import("onnxruntime", "the ONNX encoders need the 'fast' extra: pip install 'topics[fast]'")
    artifact = onnx_artifact(directory, quantized)
    path = artifact.ensure(progress)
    try:
        return _loaded_session(*file_key(path))
    except Exception as error:  # noqa: BLE001 - an unloadable file passed its checksum: rebuild it
        warnings.warn(f"encoder artifact {path} is rebuilt: {error}", TopicsWarning, stacklevel=4)
        path.unlink(missing_ok=True)
        return _loaded_session(*file_key(artifact.ensure()))


# Loaded models are kept for the life of the process (tens of MB each), so that `transform`, `find_topics`
# or `assign` called again (in a notebook, or batch after batch) do not load the model again each time.
@lru_cache(maxsize=4)
def _loaded_session(path: str, modified: int, size: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # one thread per run; `run_transformer` runs one document per core side by side instead
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


def run_transformer(session, pieces: list[list[int]], limit: int) -> np.ndarray:
    """Mean-pooled unit vectors of each document's first `limit` - 2 word pieces between [CLS] and [SEP],
    one document per run, unpadded, one run per core at a time (each in one thread).

    A document's vector so depends on its text alone: int8's dynamic quantisation takes one activation
    scale per input tensor, so in a batch (and with padding) the other documents would change it; and since
    every run has one thread, not on the number of cores either. Runs side by side are faster than one run
    split over the cores (64 pieces, 2 cores: 246 against 191 documents/s), which waits on its slowest
    core after every operator; a run on one sequence wastes nothing on padding."""
    cls, sep = special_ids()
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
    return unit(result)


class OnnxEncoder(Encoder):
    """MiniLM in ONNX Runtime, fp32 or int8, reading each document's first 256 word pieces (or fewer)."""

    def __init__(
        self, directory: Path, quantized: bool = False, max_tokens: int | None = None, progress: bool = False
    ):
        self.name = "minilm-onnx-int8" if quantized else "minilm-onnx"
        self.window = transformer_window(
            self.name if max_tokens is None else f"{self.name}:{max_tokens}", max_tokens
        )
        self.session = onnx_session(directory, quantized, progress)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors of `texts`, one document per run."""
        pieces = self.window.pieces(texts, self.window.limit)
        self._count(pieces)
        return run_transformer(self.session, pieces, self.window.limit)
