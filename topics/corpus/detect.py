"""Which reader to use for a path: forced by `format=`, else by extension, then by a look inside."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path

from topics.corpus.source import open_binary
from topics.errors import InputError, InputFileNotFoundError

__all__ = ["FORMATS", "detect_format", "resolve_path"]

FORMATS = ("listing", "csv", "tsv", "parquet", "json", "jsonl", "arxiv", "bibtex", "text")

_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
}
ARXIV_KEYS = {"id", "title", "abstract", "categories"}
_SNIFF_BYTES = 1 << 16


def _supported() -> str:
    extensions = ", ".join(sorted(_EXTENSIONS))
    return f"supported formats: {', '.join(FORMATS)} (extensions {extensions}, each optionally + .gz)"


def resolve_path(path: str | os.PathLike) -> Path:
    """The path with ``~`` expanded; InputFileNotFoundError / InputError when it is not a file."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path must be a file path (str or Path), not {type(path).__name__}")
    resolved = Path(path).expanduser()
    if not resolved.exists():
        raise InputFileNotFoundError(f"No such file: {resolved}")
    if resolved.is_dir():
        raise InputError(
            f"{resolved} is a directory; give one file. {_supported()}; "
            "pass format=... (or --format on the command line) when the extension does not say"
        )
    return resolved


def _extension_format(path: Path) -> str | None:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return _EXTENSIONS.get(suffixes[-1]) if suffixes else None


def detect_format(path: Path, fmt: str | None, *, column_options: bool = False) -> str:
    """The reader name for `path`. `column_options` (title_column=... given) keeps JSONL generic."""
    if fmt is not None:
        name = str(fmt).strip().lower()
        aliases = {"bib": "bibtex", "txt": "text", "plaintext": "text", "ndjson": "jsonl", "tab": "tsv"}
        name = aliases.get(name, name)
        if name not in FORMATS:
            raise InputError(f"unknown format {fmt!r}; {_supported()}")
        return name
    detected = _extension_format(path)
    if detected is None:
        raise InputError(
            f"{path}: cannot tell the format from the file name; {_supported()}; "
            "pass format=... (or --format on the command line)"
        )
    if detected == "text" and _looks_like_listing(path):
        return "listing"
    if detected == "jsonl" and not column_options and _looks_like_arxiv(path):
        return "arxiv"
    return detected


def _head(path: Path) -> str:
    """The first bytes of the (decompressed) file as text, or "" if they cannot be read."""
    try:
        with open_binary(path) as handle:
            data = handle.read(_SNIFF_BYTES)
    except (OSError, EOFError, ValueError, zlib.error):
        return ""
    return data.decode("utf-8", errors="replace")


def _looks_like_listing(path: Path) -> bool:
    from topics.corpus.listing import looks_like_listing

    return looks_like_listing(_head(path))


def _looks_like_arxiv(path: Path) -> bool:
    for line in _head(path).splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            return False
        return isinstance(record, dict) and looks_like_arxiv_record(record)
    return False


def looks_like_arxiv_record(record: dict) -> bool:
    return record.keys() >= ARXIV_KEYS and ("versions" in record or "update_date" in record)
