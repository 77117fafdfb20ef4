"""The partitions of `topics assign` (`topics.distributed`): the input files, and the output file of each.

`find_inputs` turns paths, globs and folders into the input files, one partition each; `output_name` names
a partition's output, one Parquet file with the columns `OUTPUT_COLUMNS` (``part-003.csv.gz`` ->
``part-003.parquet``). `write_output` writes it under a temporary name, reads it back for its row count and
renames it into place, with the partition's counts and fingerprint (`partition_fingerprint`: input size and
mtime, reading options, model) in its Parquet metadata; `completed_record` reads them back, so that a rerun
skips a finished partition. `count_problems` is the check that nothing was lost: made when a partition is
written, when a finished one is skipped, and in the run's summary.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Sequence
from pathlib import Path

from topics.errors import InputError, InputFileNotFoundError

__all__ = ["OUTPUT_COLUMNS", "STATUSES", "SUMMARY_FILE", "completed_record", "count_problems", "empty_output",
           "find_inputs", "output_name", "partition_fingerprint", "remove_unfinished", "write_output"]

OUTPUT_COLUMNS = ["id", "topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier", "status",
                  "duplicate_of"]
STATUSES = ("assigned", "duplicate", "empty")
_OUTPUT_FORMAT = 2  # 2: a row per readable record (duplicates and empty rows too), status, duplicate_of
SUMMARY_FILE = "_topics-summary.json"  # a leading _ keeps it out of Parquet dataset readers
_METADATA_KEY = b"topics"
_TEMP_MARK = ".tmp-"
_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json", ".txt")


# ---------------------------------------------------------------------------------------------- inputs
def _is_pattern(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def find_inputs(inputs: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """The input files: paths, globs, or folders (every table file inside), in sorted order per item."""
    items = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not items:
        raise InputError("no input files given")
    found: list[Path] = []
    for item in items:
        text = os.path.expanduser(str(item))
        if _is_pattern(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
            if not matches:
                raise InputFileNotFoundError(f"no input files match {text}")
            found.extend(matches)
        elif Path(text).is_dir():
            matches = sorted(p for p in Path(text).iterdir() if p.is_file() and _table_suffix(p)
                             and not p.name.startswith((".", "_")))
            if not matches:
                raise InputFileNotFoundError(f"{text} holds no Parquet, CSV or JSON Lines files")
            found.extend(matches)
        elif Path(text).is_file():
            found.append(Path(text))
        else:
            raise InputFileNotFoundError(f"input file {text} not found")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    names: dict[str, Path] = {}
    for path in unique:
        name = output_name(path)
        if name in names:
            raise InputError(f"{names[name]} and {path} would both be written to {name}; rename one of them")
        names[name] = path
    return unique


def _table_suffix(path: Path) -> str:
    name = path.name.lower()
    name = name[:-3] if name.endswith(".gz") else name
    return next((s for s in _SUFFIXES if name.endswith(s)), "")


def output_name(path: str | os.PathLike) -> str:
    """The output file of an input partition: its name without .gz and the table extension, + .parquet."""
    name = Path(path).name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    suffix = _table_suffix(Path(name))
    if suffix:
        name = name[: -len(suffix)]
    return f"{name or 'partition'}.parquet"


def _fingerprint(path: Path) -> dict:
    stat = path.stat()
    return {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def partition_fingerprint(path: Path, reader: dict, model_digest: str) -> dict:
    """What a partition's output was made from; an output with another fingerprint is redone."""
    return {"input": _fingerprint(path), "reader": reader, "model": model_digest,
            "output_format": _OUTPUT_FORMAT}


# ---------------------------------------------------------------------------------------------- outputs
def _schema():
    """The same Parquet schema for every partition (an all-null ``duplicate_of`` is still a string)."""
    import pyarrow as pa

    kinds = {"topic": pa.int64(), "theme": pa.int64(), "confidence": pa.float64(), "is_outlier": pa.bool_()}
    return pa.schema([(name, kinds.get(name, pa.string())) for name in OUTPUT_COLUMNS])


def completed_record(output: Path, expected: dict) -> dict | None:
    """The recorded result of a finished output whose fingerprint matches `expected`, else None."""
    if not output.is_file():
        return None
    try:
        import pyarrow.parquet as pq

        metadata = pq.read_metadata(output)
        record = json.loads((metadata.metadata or {}).get(_METADATA_KEY, b"null"))
    except Exception:  # noqa: BLE001 - an unreadable output is redone
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != expected:
        return None
    try:
        if metadata.num_rows != record["n_assigned"] or count_problems(record):
            return None
    except (KeyError, TypeError):  # an output of an older version
        return None
    return record


def empty_output():
    """An output table of no rows, with the columns and types of a written partition."""
    return _schema().empty_table().to_pandas()


def write_output(table, record: dict, output: Path) -> None:
    """Write a partition's table (`OUTPUT_COLUMNS`) to `output`, with `record` (its counts and fingerprint)
    in the Parquet metadata: under a temporary name, read back for its row count, then renamed into place."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, schema=_schema(), preserve_index=False)
    stored = {k: v for k, v in record.items() if k not in ("worker_pid", "model_loaded", "status")}
    arrow = arrow.replace_schema_metadata(
        {**(arrow.schema.metadata or {}), _METADATA_KEY: json.dumps(stored).encode()}
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}{_TEMP_MARK}{os.getpid()}")
    try:
        pq.write_table(arrow, temporary)
        written = pq.read_metadata(temporary).num_rows
        if written != record["n_assigned"]:  # one row per readable record
            raise RuntimeError(f"{output}: wrote {written} rows, expected {record['n_assigned']}")
        os.replace(temporary, output)  # atomic: the output is either absent or complete
    finally:
        temporary.unlink(missing_ok=True)


def remove_unfinished(out: Path) -> None:
    """Remove the temporary files of partitions that were being written when a run was killed."""
    for leftover in out.glob(f".*{_TEMP_MARK}*"):
        leftover.unlink(missing_ok=True)


def count_problems(record: dict) -> list[str]:
    """What does not add up in a partition's counts: read = written + malformed, and written = distinct
    texts + duplicates + empty rows."""
    problems = []
    if record["n_read"] != record["n_assigned"] + record["n_malformed"]:
        problems.append(f"{record['n_read']} records read but {record['n_assigned']} rows + "
                        f"{record['n_malformed']} malformed")
    if record["n_assigned"] != record["n_distinct"] + record["n_duplicates"] + record["n_empty"]:
        problems.append(f"{record['n_assigned']} rows but {record['n_distinct']} distinct + "
                        f"{record['n_duplicates']} duplicates + {record['n_empty']} empty")
    return problems

