"""Files built once from the local MiniLM (the ONNX graphs, the static table), checked against the SHA-256
in a manifest beside them on every use; a missing, corrupt or stale one is rebuilt, with a warning unless it
was simply missing. Building needs torch and transformers (the ``embeddings`` extra); nothing is
downloaded."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

from topics.encoders.base import ARTIFACT_VERSION, minilm_path, offline_import, quiet_loading
from topics.errors import TopicsWarning


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_key(path: Path) -> tuple[str, int, int]:
    """A file's path, modification time and size: a rebuilt artifact is a new key, so it is loaded anew."""
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def source_fingerprint() -> str:
    """Which local model the artifacts come from: the size and modification time of its weights."""
    weights = minilm_path() / "model.safetensors"
    stat = weights.stat()
    return f"all-MiniLM-L6-v2:{stat.st_size}:{int(stat.st_mtime)}"


def load_transformer(attention: str | None = None):
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
        model = transformers.AutoModel.from_pretrained(str(minilm_path()), local_files_only=True, **options)
    return torch, model.eval()


class Artifact:
    """A file built once from the local MiniLM, checked against the SHA-256 in its manifest on use; its
    `label` and the `seconds` a build takes are said when it is built for the first time."""

    def __init__(self, path: Path, build: Callable[[Path], None], source: str, label: str, seconds: int):
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
        if not self.path.exists() or sha256(self.path) != manifest.get("sha256"):
            return "it is corrupt (checksum mismatch)"
        return None

    def ensure(self, progress: bool = False) -> Path:
        """The artifact's path, built first (written to a temporary file, then moved) if it is not usable."""
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
            digest = sha256(Path(temporary))
            os.chmod(temporary, 0o644)
            os.replace(temporary, self.path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        manifest = {"version": ARTIFACT_VERSION, "source": self.source, "sha256": digest}
        self.manifest.write_text(json.dumps(manifest), encoding="utf-8")
        return self.path
