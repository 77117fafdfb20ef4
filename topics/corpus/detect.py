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


def detect_format(
    path: Path, fmt: str | None, *, column_options: bool = False, encoding: str = "utf-8"
) -> str:
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
    if detected not in ("text", "json", "jsonl"):
        return detected
    head = _head(path, encoding)
    if detected == "text":
        if _looks_like_tsv(head):
            return "tsv"
        return "listing" if _looks_like_listing(head) else "text"
    if detected == "json" and not _looks_like_json_lines(head):
        return "json"
    return "arxiv" if not column_options and _looks_like_arxiv(head) else "jsonl"


def _head(path: Path, encoding: str) -> str:
    """The first whole lines of the (decompressed) file as text, or "" if they cannot be read."""
    try:
        with open_binary(path) as handle:
            data = handle.read(_SNIFF_BYTES)
        if len(data) == _SNIFF_BYTES and b"\n" in data:
            data = data[: data.rindex(b"\n") + 1]  # leave out a line cut short
        return data.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="replace")
    except (OSError, EOFError, ValueError, LookupError, zlib.error):
        return ""


def _lines(head: str) -> list[str]:
    return [line for line in head.splitlines() if line.strip()]


def _looks_like_json_lines(head: str) -> bool:
    """True when the first line is a whole JSON object and another line follows it."""
    lines = _lines(head)
    if len(lines) < 2 or not lines[1].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except ValueError:
        return False


def _looks_like_tsv(head: str) -> bool:
    """True for a tab-separated table: a header of short, distinct names and rows of as many fields."""
    lines = _lines(head)
    if len(lines) < 2:
        return False
    names = [name.strip() for name in lines[0].rstrip("\t").split("\t")]
    if len(names) < 2 or not all(0 < len(name) <= 40 for name in names) or len(set(names)) < len(names):
        return False
    # a row may end with one tab more than the header (Web of Science writes one)
    return all(len(names) - 1 <= line.count("\t") <= len(names) for line in lines[1:20])


def _looks_like_listing(head: str) -> bool:
    from topics.corpus.listing import looks_like_listing

    return looks_like_listing(head)


def _looks_like_arxiv(head: str) -> bool:
    for line in head.splitlines():
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
