"""Assigning topics to a partitioned input: in this process, or on a `dask.distributed` cluster.

`assign_partitions(model_dir, inputs, out_dir)` reads every input file (Parquet, CSV, TSV, JSON Lines,
each optionally gzip'd; one file = one partition) with `topics.read_corpus(..., keep_every_record=True)`,
gives each record its topic (`assign_records`: each distinct text once, with `TopicModel.assign` in
batches) and writes one Parquet file per partition to `out_dir`, named after the input file
(``part-003.csv.gz`` -> ``part-003.parquet``), with the columns ``id``, ``topic``, ``topic_label``,
``theme``, ``theme_label``, ``confidence``, ``is_outlier`` (the topic columns of documents.csv),
``status`` and ``duplicate_of``: one row per input record, in input order. An exact duplicate of an
earlier record of the same file gets that record's topic (``status`` "duplicate", ``duplicate_of`` its
id); a record without text gets topic -1 as an outlier (``status`` "empty"); the others "assigned".

Nothing is lost, and that is checked: per partition, records read = rows written + malformed records
(records the reader cannot parse: they alone have no row, and are counted), rows written = distinct texts
+ duplicates + empty records, and the written file is read back for its row count. The counts are in the
returned summary and in ``out_dir/_topics-summary.json``.

Resumable: an output file is written under a temporary name and renamed into place when complete, and
carries its counts plus a fingerprint of its input file (size, mtime), of the reading options and of
the model in its Parquet metadata. A rerun skips every partition whose output is present with a matching
fingerprint, and redoes the others.

The model goes to the workers once: the client reads the model directory's files (JSON and NumPy
arrays; our model objects are never pickled) and registers them as a worker plugin, which the scheduler
hands to every worker once (also to workers that join or restart later); each worker process loads the
model from those bytes the first time it needs it and keeps it for its later partitions, and drops it
when the run ends. So the model directory need not be on a filesystem the workers share; the input and
output folders must be (or be on storage that every worker mounts at the same path).

Warnings raised while a partition is assigned (an encoder's truncation count, a saved ``cache_dir`` that
cannot be used here, ...) are collected where the partition runs, worker or this process, and raised again
in the calling process, the partition's file name first (``part-003.csv.gz: 12 of 40 documents are
longer ...``), as partitions finish: so they are shown as the caller shows warnings (``topics: warning:``
on the command line) whatever the engine, and with a remote scheduler they reach the caller rather than a
worker's log. Each partition's warnings are also in the summary (``"warnings"``).

A worker process that dies mid-partition (killed, out of memory) loses nothing: the output was not
renamed into place, and the scheduler runs the partition again on another worker (up to
``distributed.scheduler.allowed-failures`` times, 3 by default); an exception inside a partition is
retried ``retries`` times.

One module (~650 lines, a quarter of them this description) because the partition bookkeeping (inputs,
fingerprints, resumable outputs, the count checks) and the two engines share one task record and one
summary; split, each half would have to know the other's fields.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import signal
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from topics.errors import InputError, InputFileNotFoundError, ModelError, NoDocumentsError, TopicsError
from topics.wording import plural

__all__ = ["OUTPUT_COLUMNS", "STATUSES", "SUMMARY_FILE", "assign_partitions", "assign_records", "find_inputs",
           "output_name"]

OUTPUT_COLUMNS = ["id", "topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier", "status",
                  "duplicate_of"]
STATUSES = ("assigned", "duplicate", "empty")
_OUTPUT_FORMAT = 2  # 2: a row per readable record (duplicates and empty rows too), status, duplicate_of
SUMMARY_FILE = "_topics-summary.json"  # a leading _ keeps it out of Parquet dataset readers
_METADATA_KEY = b"topics"
_TEMP_MARK = ".tmp-"
_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json", ".txt")
_READER_OPTIONS = ("format", "text_columns", "title_column", "abstract_column", "id_column", "encoding")


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


# ---------------------------------------------------------------------------------------------- the model
def _model_files(model_dir: str | os.PathLike) -> tuple[dict[str, bytes], str, Path]:
    """The files of a saved model as bytes (plain data, never a pickle), their digest and the folder."""
    directory = Path(model_dir).expanduser()
    if not directory.exists():
        raise ModelError(f"model folder {directory} does not exist")
    if (directory / "model").is_dir() and not (directory / "model.json").exists():
        directory = directory / "model"  # the model/ folder of a report
    if not (directory / "model.json").is_file():
        raise ModelError(f"{directory} is not a saved topics model (no model.json)")
    # the model's own files; documents.parquet (written by `topics fit --sample`) is data, not model
    files = {p.name: p.read_bytes() for p in sorted(directory.iterdir())
             if p.is_file() and not p.name.startswith(".") and not p.name.endswith(".parquet")}
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return files, digest.hexdigest()[:16], directory.resolve()


# models loaded in this process, by digest: a worker loads each model once and keeps it
_MODELS: dict[str, object] = {}


def _model_from(payload: dict) -> tuple[object, bool]:
    """The model of a payload ({"digest", "files"} or {"digest", "model"}); True if loaded by this call."""
    if "model" in payload:  # in-process engine: loaded once by the caller, not kept here
        return payload["model"], False
    digest = payload["digest"]
    if digest in _MODELS:
        return _MODELS[digest], False
    from topics.model import TopicModel

    with tempfile.TemporaryDirectory(prefix="topics-model-") as folder:
        for name, data in payload["files"].items():
            Path(folder, name).write_bytes(data)
        model = TopicModel.load(folder)
    model.progress = False
    _MODELS.clear()  # one model at a time per worker process
    _MODELS[digest] = model
    return model, True


try:  # the dask engine is optional; without distributed, ModelPlugin is a plain class nobody uses
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover
    _WorkerPlugin = object


class ModelPlugin(_WorkerPlugin):
    """Carries a saved model's files (bytes) to every worker once, including workers that join or restart.

    The worker loads the model from them the first time a partition needs it; `teardown` (when the run
    unregisters the plugin) drops it, so a long-lived cluster does not keep it.
    """

    def __init__(self, digest: str, files: dict[str, bytes]):
        self.digest = digest
        self.files = files
        self.name = plugin_name(digest)

    def teardown(self, worker) -> None:  # noqa: ARG002 - the WorkerPlugin signature
        _MODELS.pop(self.digest, None)


def plugin_name(digest: str) -> str:
    return f"topics-model-{digest}"


def run_partition_on_worker(digest: str, task: dict) -> dict:
    """`run_partition` on a Dask worker, with the model carried there by `ModelPlugin`."""
    from distributed import get_worker

    plugin = get_worker().plugins[plugin_name(digest)]
    return run_partition({"digest": digest, "files": plugin.files}, task)


# ---------------------------------------------------------------------------------------------- warnings
# warnings of the partitions running in this process, per thread: a Dask worker may run several at once, and
# `warnings.catch_warnings` is process-wide (two partitions would take each other's warnings)
_COLLECTING = threading.local()
_HOOK_LOCK = threading.Lock()
_HOOK_USERS = [0]
_SHOWN_BEFORE: list = []  # the `warnings.showwarning` that `_show_or_collect` stands in front of


def _show_or_collect(message, category, filename, lineno, file=None, line=None):
    log = getattr(_COLLECTING, "log", None)
    if log is None:  # a warning of another thread than a partition's: shown as it would have been
        return _SHOWN_BEFORE[0](message, category, filename, lineno, file, line)
    log.append({"category": f"{category.__module__}.{category.__qualname__}",
                "message": " ".join(str(message).split())})
    return None


@contextlib.contextmanager
def _collected_warnings():
    """The warnings raised in this thread inside the block, as a list of {"category", "message"}; filled
    when the block ends. The process's warning filters still apply (an ignored warning is not collected)."""
    log: list[dict] = []
    with _HOOK_LOCK:
        if _HOOK_USERS[0] == 0 or warnings.showwarning is not _show_or_collect:
            _SHOWN_BEFORE[:] = [warnings.showwarning]
            warnings.showwarning = _show_or_collect
        _HOOK_USERS[0] += 1
    _COLLECTING.log = log
    try:
        yield log
    finally:
        _COLLECTING.log = None
        with _HOOK_LOCK:
            _HOOK_USERS[0] -= 1
            if _HOOK_USERS[0] == 0 and warnings.showwarning is _show_or_collect:
                warnings.showwarning = _SHOWN_BEFORE[0]


def _relay_warnings(record: dict, stacklevel: int) -> None:
    """Raise again, in this process, the warnings collected while `record`'s partition was assigned."""
    import importlib

    name = Path(record["input"]).name
    for item in record.get("warnings", ()):
        module, _, qualname = item["category"].rpartition(".")
        try:
            category = getattr(importlib.import_module(module), qualname)
        except (ImportError, AttributeError, ValueError):
            category = UserWarning
        if not (isinstance(category, type) and issubclass(category, Warning)):
            category = UserWarning
        warnings.warn(f"{name}: {item['message']}", category, stacklevel=stacklevel + 1)


# ---------------------------------------------------------------------------------------------- partitions
def _schema():
    """The same Parquet schema for every partition (an all-null ``duplicate_of`` is still a string)."""
    import pyarrow as pa

    kinds = {"topic": pa.int64(), "theme": pa.int64(), "confidence": pa.float64(), "is_outlier": pa.bool_()}
    return pa.schema([(name, kinds.get(name, pa.string())) for name in OUTPUT_COLUMNS])


def _completed(output: Path, expected: dict) -> dict | None:
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
        if metadata.num_rows != record["n_assigned"] or _count_problems(record):
            return None
    except (KeyError, TypeError):  # an output of an older version
        return None
    return record


def _empty_output():
    """An output table of no rows, with the columns and types of a written partition."""
    return _schema().empty_table().to_pandas()


def assign_records(model, corpus, batch_size: int = 20_000):
    """Topic columns for every row of a corpus read with ``keep_every_record=True``, in its order.

    Each distinct text is featurised and assigned once; an exact repeat gets the topic of its first copy
    (``status`` "duplicate", ``duplicate_of`` = that copy's id), an empty row topic -1 as an outlier
    with confidence 0 (``status`` "empty"); the others have ``status`` "assigned". Returns the table
    (`OUTPUT_COLUMNS`) and the number of distinct texts assigned.
    """
    import numpy as np
    import pandas as pd

    texts = corpus["text"].to_numpy(dtype=object)
    codes, _ = pd.factorize(texts)  # rows with the same text share a code
    n = len(texts)
    first = np.full(codes.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(n))  # the first row of each text
    empty = np.array([not t for t in texts], dtype=bool)
    distinct = (first[codes] == np.arange(n)) & ~empty
    assigned = model.assign(corpus.loc[distinct].reset_index(drop=True), batch_size=batch_size)
    slot = np.full(len(first), -1, dtype=np.int64)  # code -> row of `assigned`
    slot[codes[distinct]] = np.arange(int(distinct.sum()))
    source = slot[codes]
    ids = corpus["id"].to_numpy(dtype=object)
    status = np.where(empty, "empty", np.where(distinct, "assigned", "duplicate")).astype(object)
    duplicate_of = np.where(status == "duplicate", ids[first[codes]] if n else ids, None)
    table = pd.DataFrame({"id": ids})
    filled = np.maximum(source, 0)
    for column, missing in (("topic", -1), ("topic_label", "outlier"), ("theme", -1),
                            ("theme_label", "outlier"), ("confidence", 0.0), ("is_outlier", True)):
        values = assigned[column].to_numpy()
        if len(values):
            values = np.where(empty, missing, values[filled]) if empty.any() else values[filled]
        else:  # nothing to assign: every row is empty
            values = np.full(n, missing, dtype=object if isinstance(missing, str) else None)
        table[column] = values
    table["topic"] = table["topic"].astype(np.int64)
    table["theme"] = table["theme"].astype(np.int64)
    table["confidence"] = table["confidence"].astype(float)
    table["is_outlier"] = table["is_outlier"].astype(bool)
    table["status"] = pd.Series(status, dtype="str")
    table["duplicate_of"] = pd.Series(duplicate_of, dtype="str")  # missing where not a duplicate
    return table[OUTPUT_COLUMNS], int(distinct.sum())


def run_partition(payload: dict, task: dict) -> dict:
    """Read one input partition, assign its records, write its Parquet file; the counts, checked, and the
    warnings raised meanwhile (``"warnings"``, for the caller to raise again: `_relay_warnings`)."""
    with _collected_warnings() as raised:
        record = _run_partition(payload, task)
    record["warnings"] = raised
    return record


def _run_partition(payload: dict, task: dict) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from topics.corpus import read_corpus

    started = time.perf_counter()
    model, loaded = _model_from(payload)
    source = Path(task["input"])
    output = Path(task["output"])
    options = task["reader"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # duplicates, empties and malformed records are counted below
            corpus = read_corpus(
                source, format=options.get("format"), text_columns=options.get("text_columns"),
                title_column=options.get("title_column"), abstract_column=options.get("abstract_column"),
                id_column=options.get("id_column"), encoding=options.get("encoding") or "utf-8",
                keep_every_record=True,
            )
    except NoDocumentsError as error:  # an empty partition (a header alone, or only malformed records)
        info, table, n_distinct = error.report, _empty_output(), 0
    else:
        info = corpus.attrs.get("topics_read", {})
        table, n_distinct = assign_records(model, corpus, batch_size=task["batch_size"])
        del corpus

    crash_dir = task.get("crash_once_in")
    if crash_dir:  # testing hook: a file <output name>.crash there makes the worker die once, mid-partition
        request = Path(crash_dir) / f"{output.name}.crash"
        try:
            os.replace(request, request.with_suffix(".crashed"))  # atomic: only one attempt dies
        except FileNotFoundError:
            pass
        else:
            request.with_suffix(".crashed").write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)

    status = table["status"].value_counts()
    record = {
        "input": str(source), "output": str(output), "status": "assigned",
        "n_read": int(info.get("n_read", len(table))), "n_assigned": len(table),
        "n_distinct": n_distinct, "n_duplicates": int(status.get("duplicate", 0)),
        "n_empty": int(status.get("empty", 0)), "n_malformed": int(info.get("n_skipped", 0)),
        "fingerprint": task["fingerprint"], "worker_pid": os.getpid(), "model_loaded": loaded,
    }
    problems = _count_problems(record)
    if (record["n_duplicates"], record["n_empty"]) != (info.get("n_duplicates", 0), info.get("n_empty", 0)):
        problems.append(f"the reader counted {info.get('n_duplicates', 0)} duplicates and "
                        f"{info.get('n_empty', 0)} empty records")
    if not table["id"].is_unique:
        problems.append("repeated ids")
    if problems:
        raise RuntimeError(f"{source}: {'; '.join(problems)}; nothing was written")
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
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


# ---------------------------------------------------------------------------------------------- driver
def assign_partitions(
    model_dir: str | os.PathLike,
    inputs: str | os.PathLike | Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    engine: str = "dask",
    scheduler: str | None = None,
    workers: int | None = None,
    format: str | None = None,  # noqa: A002 - the public name of the option
    text_columns: Sequence[str] | None = None,
    title_column: str | None = None,
    abstract_column: str | None = None,
    id_column: str | None = None,
    encoding: str = "utf-8",
    batch_size: int = 20_000,
    retries: int = 2,
    progress: Callable[[str], None] | None = None,
    _crash_once_in: str | os.PathLike | None = None,
) -> dict:
    """Assign topics to every document of every input partition; returns the run's summary.

    Parameters
    ----------
    model_dir
        A model saved by `TopicModel.save` / `topics fit` (or a report folder holding ``model/``).
    inputs
        Input files, glob patterns or folders; each file is one partition.
    out_dir
        Where the Parquet files go, one per partition, plus ``_topics-summary.json``.
    engine
        ``"dask"`` (a `dask.distributed` cluster) or ``"local"`` (this process, one partition at a time).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); default: a local cluster of
        `workers` processes (2 by default), one thread each.
    format, text_columns, title_column, abstract_column, id_column, encoding
        Reading options, as for `topics.read_corpus`.
    batch_size
        Documents per `TopicModel.assign` batch.
    retries
        Extra attempts of a partition that raised an exception (a dead worker is handled by the scheduler).
    progress
        Called with a one-line message as partitions finish.

    Returns
    -------
    dict
        Totals (``rows_read``, ``rows_assigned``, ``n_duplicates``, ``n_empty``, ``n_malformed``,
        partitions ``assigned`` / ``already_done`` / ``failed``), ``complete`` (every partition written
        and every count checked), ``model_loads`` (per worker process) and one entry per partition.
    """
    if engine not in ("dask", "local"):
        raise InputError(f"engine must be 'dask' or 'local', not {engine!r}")
    if engine == "local" and (scheduler or workers):
        raise InputError("--scheduler and --workers only apply to --engine dask")
    if scheduler and workers:
        raise InputError("give either a scheduler address or a number of local workers, not both")
    try:
        import pyarrow  # noqa: F401 - the outputs are Parquet
    except ImportError:
        raise InputError("topics assign writes Parquet and needs pyarrow: "
                         "pip install 'topics[parquet]'") from None
    started = time.perf_counter()
    say = progress or (lambda message: None)
    files, digest, model_path = _model_files(model_dir)
    paths = find_inputs(inputs)
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(f".*{_TEMP_MARK}*"):  # from a run that was killed
        leftover.unlink(missing_ok=True)

    reader = {"format": format, "text_columns": list(text_columns) if text_columns else None,
              "title_column": title_column, "abstract_column": abstract_column, "id_column": id_column,
              "encoding": encoding}
    results: dict[str, dict] = {}
    tasks = []
    for path in paths:
        output = out / output_name(path)
        fingerprint = {"input": _fingerprint(path), "reader": reader, "model": digest,
                       "output_format": _OUTPUT_FORMAT}
        done = _completed(output, fingerprint)
        if done is not None:
            results[str(path)] = {**done, "status": "already done"}
            continue
        tasks.append({"input": str(path), "output": str(output), "fingerprint": fingerprint,
                      "reader": reader, "batch_size": batch_size,
                      "crash_once_in": str(_crash_once_in) if _crash_once_in else None})
    if results:
        say(f"{len(results)} of {len(paths)} partitions already done, skipped")

    cluster_info: dict = {"engine": engine}
    if tasks and engine == "local":
        from topics.model import TopicModel

        model = TopicModel.load(model_path)
        payload = {"digest": digest, "model": model}
        for number, task in enumerate(tasks, start=1):
            try:
                record = run_partition(payload, task)
            except (TopicsError, OSError, RuntimeError) as error:
                record = _failure(task, error)
            results[task["input"]] = record
            say(_line(number, len(tasks), record))
            _relay_warnings(record, stacklevel=2)
        cluster_info["model_loads"] = {str(os.getpid()): 1}
    elif tasks:
        cluster_info.update(_run_on_dask(files, digest, tasks, results, scheduler, workers, retries, say))

    partitions = [results[str(p)] for p in paths]
    summary = _summarise(partitions, cluster_info, model_path, out, time.perf_counter() - started)
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=1))
    return summary


def _run_on_dask(files, digest, tasks, results, scheduler, workers, retries, say) -> dict:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from None
    import logging

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as error:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
        else:
            # no dashboard; the scheduler's own small HTTP server (health checks) on any free port, not on
            # 8787, which another cluster may hold ("Port 8787 is already in use" would be warned)
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                   dashboard_address=None, scheduler_kwargs={"dashboard_address": ":0"},
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
        with client:
            address = client.scheduler.address
            try:
                client.wait_for_workers(1, timeout=60)
            except TimeoutError:
                raise InputError(f"the Dask scheduler at {address} has no workers (waited 60 s); start "
                                 f"some with: dask worker {address}") from None
            n_workers = len(client.scheduler_info(n_workers=-1)["workers"])
            say(f"dask: {plural(len(tasks), 'partition')} on {plural(n_workers, 'worker')} at {address}")
            # the model's files go to each worker once (and to a worker that joins or restarts later)
            client.register_plugin(ModelPlugin(digest, files), name=plugin_name(digest))
            futures = {}
            for task in tasks:
                future = client.submit(run_partition_on_worker, digest, task, retries=retries, pure=False)
                futures[future] = task
            loads: dict[str, int] = {}
            for number, future in enumerate(as_completed(futures), start=1):
                task = futures[future]
                try:
                    record = future.result()
                except Exception as error:  # noqa: BLE001 - reported per partition, the others go on
                    record = _failure(task, error)
                if record.get("model_loaded"):
                    pid = str(record["worker_pid"])
                    loads[pid] = loads.get(pid, 0) + 1
                results[task["input"]] = record
                say(_line(number, len(tasks), record))
                _relay_warnings(record, stacklevel=3)
            with contextlib.suppress(Exception):  # a worker that is gone has nothing to drop
                client.unregister_worker_plugin(plugin_name(digest))
            return {"engine": "dask", "scheduler": address, "n_workers": n_workers, "model_loads": loads}
    finally:
        if cluster is not None:
            cluster.close()


def _failure(task: dict, error: BaseException) -> dict:
    message = " ".join(str(error).split()) or type(error).__name__
    return {"input": task["input"], "output": task["output"], "status": "failed",
            "error": f"{type(error).__name__}: {message}"}


def _count_problems(record: dict) -> list[str]:
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


def _line(number: int, total: int, record: dict) -> str:
    name = Path(record["input"]).name
    if record["status"] == "failed":
        return f"[{number}/{total}] {name}: failed: {record['error']}"
    return (f"[{number}/{total}] {name}: {record['n_read']:,} read = {record['n_assigned']:,} rows written "
            f"({record['n_duplicates']:,} duplicates, {record['n_empty']:,} empty) + "
            f"{record['n_malformed']:,} malformed ({record.get('seconds', 0):.1f} s)")


def _summarise(
    partitions: list[dict], cluster_info: dict, model_path: Path, out: Path, seconds: float
) -> dict:
    ok = [p for p in partitions if p["status"] != "failed"]
    totals = {key: sum(p[key] for p in ok) for key in
              ("n_read", "n_assigned", "n_distinct", "n_duplicates", "n_empty", "n_malformed")}
    checked = all(not _count_problems(p) for p in ok)
    failed = [p for p in partitions if p["status"] == "failed"]
    return {
        "model": str(model_path), "out_dir": str(out), **cluster_info,
        "n_partitions": len(partitions),
        "assigned": sum(p["status"] == "assigned" for p in partitions),
        "already_done": sum(p["status"] == "already done" for p in partitions),
        "failed": len(failed),
        "rows_read": totals["n_read"], "rows_assigned": totals["n_assigned"],
        "n_distinct": totals["n_distinct"], "n_duplicates": totals["n_duplicates"],
        "n_empty": totals["n_empty"], "n_malformed": totals["n_malformed"],
        "rows_checked": checked,
        "complete": checked and not failed,
        "seconds": round(seconds, 3),
        "partitions": [{k: v for k, v in p.items() if k != "fingerprint"} for p in partitions],
    }
