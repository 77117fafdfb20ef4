"""The arXiv metadata snapshot (Kaggle "arxiv-metadata-oai-snapshot.json"): one JSON object a line.

``id`` stays the arXiv id, ``label`` is the primary (first) category, ``date`` is the first version's
date (``versions[0]["created"]``, else ``update_date``); ``categories``, ``authors``, ``update_date``
and the other short fields stay as metadata.
"""

from __future__ import annotations

from pathlib import Path

from topics.corpus.normalize import normalize_text
from topics.corpus.table import CorpusBuilder, primary_label, records_in_chunks
from topics.corpus.tabular import iter_json_lines

__all__ = ["read_arxiv"]

# bulky lists that nobody needs beside the flat `authors` string
_DROPPED = {"versions", "authors_parsed"}
COLUMNS = {  # the read report's record of where each column comes from
    "id": "id", "title": "title", "abstract": "abstract", "date": "versions[0].created (else update_date)",
    "label": "categories",
}  # fmt: skip


def _first_version_date(record: dict) -> str | None:
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        created = versions[0].get("created")
        return created if isinstance(created, str) else None
    return None


def _row(record: dict) -> dict:
    row = {
        "id": record.get("id"),
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "date": _first_version_date(record) or record.get("update_date"),
        "label": primary_label(record.get("categories")),
    }
    for key, value in record.items():
        if key not in row and key not in _DROPPED:
            row[key.replace("-", "_")] = value
    if isinstance(row.get("authors"), str):
        row["authors"] = normalize_text(row["authors"])  # "Bal\\'azs" -> "Balázs"
    return row


def read_arxiv(path: Path, builder: CorpusBuilder, encoding: str, chunksize: int) -> None:
    builder.columns = dict(COLUMNS)
    rows = (_row(record) for _, record in iter_json_lines(path, encoding, builder))
    for batch in records_in_chunks(rows, max(1, int(chunksize))):
        builder.add_records(batch)
