"""Tables: CSV, TSV, Parquet, JSON (records) and JSON Lines, each optionally gzipped.

CSV/TSV are read in chunks and JSON Lines line by line, so only the kept documents are held in
memory. Column roles come from `topics.corpus.columns`.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from topics.corpus.columns import ColumnOptions, ColumnPlan, long_text_column, plan_columns
from topics.corpus.normalize import shown_name
from topics.corpus.source import is_gzip, open_binary, open_text, read_text, reading
from topics.corpus.table import CorpusBuilder, records_in_chunks
from topics.errors import InputError, NoDocumentsError
from topics.wording import noun

__all__ = [
    "abstract_from_inverted_index", "iter_json_lines", "line_start", "read_csv", "read_json", "read_jsonl",
    "read_parquet",
]  # fmt: skip

_BAD_LINE = re.compile(r"Skipping line (\d+): (.*)")
_RENAMED_COPY = re.compile(r".*\.\d+$", re.DOTALL)  # pandas' name for a repeated column: title.1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INVERTED_INDEX = "abstract_inverted_index"  # OpenAlex: {word: [positions]}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


class _Table:
    """Feeds chunks of a table to the builder through one column plan (decided on the first chunk)."""

    def __init__(self, path: Path, builder: CorpusBuilder, options: ColumnOptions) -> None:
        self.path = path
        self.builder = builder
        self.options = options
        self.plan: ColumnPlan | None = None
        self.described = False

    def add(self, chunk: pd.DataFrame) -> None:
        chunk = chunk.rename(columns=str)
        if _INVERTED_INDEX in chunk.columns:
            chunk[_INVERTED_INDEX] = [abstract_from_inverted_index(v) for v in chunk[_INVERTED_INDEX]]
        if self.plan is None:
            self.plan = plan_columns(self.path, list(chunk.columns), self.options)
        if not self.described:
            self._describe(chunk, self.plan)
        frame, text_from = self.plan.apply(chunk)
        self.builder.add(frame, text_from=text_from)

    def _describe(self, chunk: pd.DataFrame, plan: ColumnPlan) -> None:
        """Tell the builder where its columns come from; note a long-text column left out of the text."""
        self.described = True
        self.builder.columns = plan.sources()
        self.builder.date_given = self.options.date_column is not None
        unused = long_text_column(chunk, plan) if plan.title_only() else None
        if unused is not None:
            title, unused = shown_name(plan.title), shown_name(unused)
            self.builder.notes.append(
                f"the text is the title column {title!r} alone, but column {unused!r} holds "
                f"longer text (an abstract?); pass abstract_column={unused!r} "
                f"(or --abstract-column {unused!r}) to use it"
            )


def abstract_from_inverted_index(value: object) -> object:
    """OpenAlex's ``{"word": [positions], ...}`` as the text it indexes; other values unchanged."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if not isinstance(value, dict):
        return value
    words: dict[int, str] = {}
    for word, positions in value.items():
        for position in positions if isinstance(positions, list) else ():
            if isinstance(position, int):
                words[position] = str(word)
    return " ".join(words[i] for i in sorted(words)) or None


# -- CSV / TSV --------------------------------------------------------------------------------


def read_csv(
    path: Path, builder: CorpusBuilder, options: ColumnOptions, encoding: str, chunksize: int, sep: str = ","
) -> None:
    table = _Table(path, builder, options)
    with _csv_errors(path, encoding, "TSV" if sep == "\t" else "CSV"):
        header = _header(path, encoding, sep)
        other = _other_delimiter(header, sep)
        if other is not None:
            builder.notes.append(f"the columns are separated by {_DELIMITERS[other]}s")
            sep, header = other, _header(path, encoding, other)
        columns = [str(c) for c in header.columns]
        builder.notes.extend(_repeated_columns(path, encoding, sep, columns))
        table.plan = plan_columns(path, columns, options)
        settings = dict(
            sep=sep, encoding=encoding, dtype={c: "str" for c in table.plan.string_columns()},
            on_bad_lines="warn", chunksize=max(1, int(chunksize)),
        )  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            with open_binary(path) as handle, pd.read_csv(handle, **settings) as reader:
                for number, chunk in enumerate(reader):
                    if number == 0 and not isinstance(chunk.index, pd.RangeIndex):
                        break  # pandas took the first column for an index: re-read below
                    table.add(chunk)
                    _report_bad_lines(caught, builder)
                else:
                    _report_bad_lines(caught, builder)
                    return
            # The first data line has one field more than the header. pandas then reads the first column of
            # every line as an index and shifts the others by one (ids become titles, titles abstracts).
            # Read again with a spare last column: a line that fills it has a field too many and is skipped
            # (an empty one is a trailing delimiter, kept); lines with still more fields pandas skips itself.
            caught.clear()
            spare = "\0spare"
            settings.update(names=[*header.columns, spare], header=0, index_col=False)
            with open_binary(path) as handle, pd.read_csv(handle, **settings) as reader:
                for chunk in reader:
                    extra = chunk.pop(spare)
                    long = extra.notna() & (extra.astype(str).str.strip() != "")
                    for start in chunk.loc[long].iloc[:, 0]:
                        builder.skip(f"the line starting {str(start)[:40]!r}: more fields than the header's "
                                     f"{len(columns)}")  # fmt: skip
                    table.add(chunk.loc[~long])
                    _report_bad_lines(caught, builder, fields=len(columns))
            _report_bad_lines(caught, builder, fields=len(columns))


def _header(path: Path, encoding: str, sep: str) -> pd.DataFrame:
    with open_binary(path) as handle:
        try:
            return pd.read_csv(handle, sep=sep, encoding=encoding, nrows=0)
        except pd.errors.EmptyDataError:
            raise NoDocumentsError(f"{path} contains no documents") from None


def _repeated_columns(path: Path, encoding: str, sep: str, columns: list[str]) -> list[str]:
    """A note for each name that the header repeats: pandas reads its copies as ``name.1``, ``name.2``..."""
    if not any(_RENAMED_COPY.match(c) for c in columns):
        return []
    with open_binary(path) as handle:
        raw = pd.read_csv(handle, sep=sep, encoding=encoding, header=None, nrows=1, dtype=str,
                          keep_default_na=False)  # fmt: skip
    names = [str(v) for v in raw.iloc[0]] if len(raw) else []
    if len(names) != len(columns):  # pragma: no cover - the same line read twice
        return []
    notes = []
    for name in dict.fromkeys(names):
        copies = [renamed for raw_name, renamed in zip(names, columns, strict=True) if raw_name == name][1:]
        if copies:
            shown = ", ".join(repr(shown_name(c)) for c in copies)
            notes.append(f"column {shown_name(name)!r} appears {len(copies) + 1} times in the header; the "
                         f"first is read as {shown_name(name)!r}, the {noun(len(copies), 'copy', 'copies')} "
                         f"as {shown}")  # fmt: skip
    return notes


def _other_delimiter(header: pd.DataFrame, sep: str) -> str | None:
    """The delimiter that splits a one-column header (``title;abstract;year``) into most names."""
    if len(header.columns) != 1:
        return None
    name = str(header.columns[0])
    counts = {d: name.count(d) for d in _DELIMITERS if d != sep}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else None


def _report_bad_lines(caught: list[warnings.WarningMessage], builder: CorpusBuilder, fields: int = 0) -> None:
    """Count pandas' skipped lines as malformed; `fields`: the header's true width when a spare column was
    added to it (pandas then expects one field more than the file's header has)."""
    for message in caught:
        if issubclass(message.category, pd.errors.ParserWarning):
            for line, reason in _BAD_LINE.findall(str(message.message)):
                if fields:
                    reason = re.sub(r"expected \d+ fields", f"expected {fields} fields", reason)
                builder.skip(f"line {line}: {reason.strip()}")
        else:  # not ours: pass it on
            warnings.warn_explicit(message.message, message.category, message.filename, message.lineno)
    caught.clear()


@contextlib.contextmanager
def _csv_errors(path: Path, encoding: str, kind: str) -> Iterator[None]:
    with reading(path, encoding):
        try:
            yield
        except pd.errors.ParserError as error:
            reason = str(error).replace("Error tokenizing data. C error: ", "").strip()
            raise InputError(f"{path}: cannot read as {kind} ({reason})") from None


# -- Parquet ------------------------------------------------------------------------------------


def read_parquet(path: Path, builder: CorpusBuilder, options: ColumnOptions, chunksize: int) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("reading Parquet needs pyarrow: pip install 'topics[parquet]'") from None
    table = _Table(path, builder, options)
    source: Path | io.BytesIO = path
    if is_gzip(path):  # Parquet needs random access: decompress into memory
        with reading(path), open_binary(path) as handle:
            source = io.BytesIO(handle.read())
    try:
        parquet = pq.ParquetFile(source)
        for batch in parquet.iter_batches(batch_size=max(1, int(chunksize))):
            table.add(batch.to_pandas())
    except (pa.ArrowException, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{path}: not a valid Parquet file ({reason})") from None
    if table.plan is None:  # a valid file without rows: still check the columns make sense
        plan_columns(path, [str(n) for n in parquet.schema_arrow.names], options)


# -- JSON -----------------------------------------------------------------------------------------


def _clean_surrogates(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_clean_surrogates(k): _clean_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_surrogates(v) for v in value]
    return value


def _loads(text: str) -> object:
    value = json.loads(text)
    # lone "\ud800" escapes decode to unpaired surrogates that no string column can hold
    return _clean_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value


def _reason(error: json.JSONDecodeError) -> str:
    return error.msg.removesuffix(" at")  # "Invalid control character at"


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _records(path: Path, data: object, builder: CorpusBuilder) -> list[dict]:
    """The list of records in a parsed .json file: an array, or an object holding one array. A record
    that is neither an object nor a string goes to ``builder.skip``."""
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        names = ("data", "records", "papers", "items", "documents", "rows", "results")  # results: OpenAlex
        preferred = [k for k in names if k in lists]
        if preferred:
            data = lists[preferred[0]]
        elif len(lists) == 1:
            data = next(iter(lists.values()))
        elif lists and all(len(v) == len(next(iter(lists.values()))) for v in lists.values()):
            keys = list(lists)  # columns: {"title": [...], "abstract": [...]}
            data = [
                dict(zip(keys, row, strict=False)) for row in zip(*(lists[k] for k in keys), strict=False)
            ]
        elif data and all(isinstance(v, dict) for v in data.values()):
            data = [{"id": k, **v} for k, v in data.items()]  # {"id1": {...}, "id2": {...}}
        else:
            keys = ", ".join(shown_name(k) for k in list(data)[:10]) or "(none)"
            raise InputError(
                f"{path}: expected an array of records or an object holding one "
                f'(like {{"data": [...]}}); found an object with keys {keys}'
            )
    if not isinstance(data, list):
        raise InputError(f"{path}: expected an array of records, found {_kind(data)}")
    records = []
    for i, item in enumerate(data, start=1):
        if isinstance(item, dict):
            records.append(item)
        elif isinstance(item, str):
            records.append({"text": item})
        else:
            shown = line_start(json.dumps(item, ensure_ascii=False))
            builder.skip(f"record {i} is {_kind(item)}, expected an object (or a string): {shown}")
    return records


def read_json(
    path: Path, builder: CorpusBuilder, options: ColumnOptions, encoding: str, chunksize: int
) -> None:
    text = read_text(path, encoding)
    if not text.strip():
        raise NoDocumentsError(f"{path} contains no documents")
    try:
        data = _loads(text)
    except json.JSONDecodeError as error:
        hint = ""
        if error.msg == "Extra data" and error.colno == 1:
            hint = "; it looks like JSON Lines (one object a line): pass format='jsonl' (or --format jsonl)"
        raise InputError(
            f"{path}, line {error.lineno}, column {error.colno}: not valid JSON ({_reason(error)}){hint}"
        ) from None
    except RecursionError:
        raise InputError(f"{path}: not valid JSON (nested too deeply)") from None
    records = _records(path, data, builder)
    table = _Table(path, builder, options)
    for batch in records_in_chunks(records, max(1, int(chunksize))):
        table.add(pd.DataFrame.from_records(batch))  # no records: the builder says there are no documents


# -- JSON Lines -----------------------------------------------------------------------------------


def iter_json_lines(path: Path, encoding: str, builder: CorpusBuilder) -> Iterator[tuple[int, dict]]:
    """(line number, record) for each non-blank line; a line that is not a JSON object goes to
    ``builder.skip`` (counted and shown, or an error when reading strictly)."""
    with reading(path, encoding), open_text(path, encoding) as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            line = line.rstrip("\r\n")
            try:
                record = _loads(line)
            except json.JSONDecodeError as error:
                problem = f"not valid JSON ({_reason(error)} at column {error.colno})"
            except RecursionError:
                problem = "not valid JSON (nested too deeply)"
            else:
                if isinstance(record, dict):
                    yield line_no, record
                    continue
                problem = f"expected a JSON object, found {_kind(record)}"
            builder.skip(f"line {line_no}: {problem}: {line_start(line)}")


def line_start(line: str, width: int = 40) -> str:
    """The start of a line as a message shows it: quoted, control characters escaped, cut at `width`."""
    line = line.strip()
    return repr(line[:width]) + ("..." if len(line) > width else "")


def read_jsonl(
    path: Path, builder: CorpusBuilder, options: ColumnOptions, encoding: str, chunksize: int
) -> None:
    table = _Table(path, builder, options)
    records = (record for _, record in iter_json_lines(path, encoding, builder))
    for batch in records_in_chunks(records, max(1, int(chunksize))):
        table.add(pd.DataFrame.from_records(batch))
