"""Reading a corpus: one call, `read_corpus`, for every supported file format.

The result is a table with ``id``, ``title``, ``abstract`` and ``text`` (what the model reads), then
``date`` and ``label`` when the source has them, then the source's other columns. How it was read
(records seen, duplicates, empty and malformed entries, unreadable dates, and the source column of
each corpus column under ``"columns"``) is in ``df.attrs["topics_read"]``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from topics.corpus.columns import ColumnOptions
from topics.corpus.detect import FORMATS, detect_format, resolve_path
from topics.corpus.source import check_encoding, detect_encoding, is_blank
from topics.corpus.table import CorpusBuilder
from topics.errors import InputError, NoDocumentsError

__all__ = ["FORMATS", "read_corpus"]

_TABLES = ("csv", "tsv", "parquet", "json", "jsonl")


def read_corpus(
    path: str | os.PathLike,
    *,
    format: str | None = None,  # noqa: A002 - the public name of the option
    text_columns: Sequence[str] | None = None,
    title_column: str | None = None,
    abstract_column: str | None = None,
    id_column: str | None = None,
    date_column: str | None = None,
    label_column: str | None = None,
    encoding: str = "utf-8",
    chunksize: int = 50_000,
    keep_every_record: bool = False,
    strict: bool = False,
) -> pd.DataFrame:
    """Read a collection of papers into the corpus table.

    Parameters
    ----------
    path
        The file (``~`` is expanded). Its format comes from the extension (.csv, .tsv, .parquet,
        .json, .jsonl/.ndjson, .bib, .txt/.md, each optionally + .gz), and a look inside for .txt
        (a tab-separated table such as a Web of Science export, a papers listing, or plain paragraphs),
        .json (JSON Lines content is read as .jsonl) and .jsonl (arXiv metadata snapshot or generic
        records).
    format
        Force a reader: one of "listing", "csv", "tsv", "parquet", "json", "jsonl", "arxiv",
        "bibtex", "text".
    text_columns, title_column, abstract_column, id_column, date_column, label_column
        Tables only: the columns to use instead of the detected ones. ``text_columns`` are joined
        into the text the model reads.
    encoding
        Text encoding of the file; a UTF-8 request reads a file that starts with a UTF-16
        byte-order mark as UTF-16.
    chunksize
        Rows per chunk when streaming CSV/TSV/JSON Lines/Parquet.
    keep_every_record
        Keep exact duplicates and empty documents as rows (text ``""``) instead of dropping them; they
        are counted all the same. `topics assign` reads this way to give every record a row.
    strict
        Make a malformed entry an error instead of skipping it: a CSV/TSV line with too many fields, a JSON
        Lines line that is not a JSON object, a .json record that is neither an object nor a string, a
        broken BibTeX entry, a listing paragraph outside any paper. By default such entries are skipped,
        counted (``n_skipped``) and the first few shown with their line (``skipped``, and the warning).

    Returns
    -------
    pandas.DataFrame
        Columns ``id``, ``title``, ``abstract``, ``text`` [, ``date``] [, ``label``], metadata...

    Raises
    ------
    InputFileNotFoundError
        The file does not exist.
    InputError
        The file cannot be read as a corpus; the message says why and what to pass instead. With
        ``strict=True`` also the first malformed entry, named by file and line.
    """
    resolved = resolve_path(path)
    check_encoding(encoding)
    encoding = detect_encoding(resolved, encoding)
    options = ColumnOptions(text_columns, title_column, abstract_column, id_column, date_column, label_column)
    fmt = detect_format(resolved, format, column_options=bool(options.given()), encoding=encoding)
    if options.given() and fmt not in _TABLES:
        names = ", ".join(f"{k}=..." for k in options.given())
        raise InputError(
            f"{names} only applies to tables ({', '.join(_TABLES)}); {resolved} is read as {fmt}"
        )
    if (fmt != "parquet" and is_blank(resolved)) or (fmt == "parquet" and resolved.stat().st_size == 0):
        raise NoDocumentsError(f"{resolved} contains no documents (the file is empty)")
    builder = CorpusBuilder(resolved, fmt, keep_every_record=keep_every_record, strict=strict)
    _read(resolved, fmt, builder, options, encoding, chunksize)
    return builder.finish()


def _read(
    path, fmt: str, builder: CorpusBuilder, options: ColumnOptions, encoding: str, chunksize: int
) -> None:
    # readers import lazily so that `import topics.corpus` stays light
    if fmt in ("csv", "tsv"):
        from topics.corpus.tabular import read_csv

        read_csv(path, builder, options, encoding, chunksize, sep="\t" if fmt == "tsv" else ",")
    elif fmt == "parquet":
        from topics.corpus.tabular import read_parquet

        read_parquet(path, builder, options, chunksize)
    elif fmt == "json":
        from topics.corpus.tabular import read_json

        read_json(path, builder, options, encoding, chunksize)
    elif fmt == "jsonl":
        from topics.corpus.tabular import read_jsonl

        read_jsonl(path, builder, options, encoding, chunksize)
    elif fmt == "arxiv":
        from topics.corpus.arxiv import read_arxiv

        read_arxiv(path, builder, encoding, chunksize)
    elif fmt == "bibtex":
        from topics.corpus.bibtex import read_bibtex

        read_bibtex(path, builder, encoding, chunksize)
    elif fmt == "listing":
        from topics.corpus.listing import read_listing

        read_listing(path, builder, encoding, chunksize)
    else:
        from topics.corpus.plaintext import read_plaintext

        read_plaintext(path, builder, encoding, chunksize)
