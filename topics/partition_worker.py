"""One partition's work, where it runs (a Dask worker, or this process for the local engine).

`run_partition` reads an input file with `topics.read_corpus(..., keep_every_record=True)`, gives each record
its topic (`assign_records`), checks the counts and writes the output (`topics.partitions`). What it needs
there comes with it: the model, as its files' bytes (`model_files`; carried to every Dask worker once by the
`ModelPlugin` worker plugin) and loaded once per worker process; the warnings raised meanwhile are collected
per thread and handed back in the partition's record, for the caller to raise again (`relay_warnings`).
Dask sends `run_partition_on_worker` and `ModelPlugin` by reference, so they stay module-level names here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import tempfile
import threading
import time
import warnings
from pathlib import Path

from topics.errors import ModelError, NoDocumentsError
from topics.partitions import OUTPUT_COLUMNS, count_problems, empty_output, write_output

__all__ = ["ModelPlugin", "assign_records", "model_files", "plugin_name", "relay_warnings", "run_partition",
           "run_partition_on_worker"]


# ---------------------------------------------------------------------------------------------- the model
def model_files(model_dir: str | os.PathLike) -> tuple[dict[str, bytes], str, Path]:
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


def relay_warnings(record: dict, stacklevel: int) -> None:
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


# ---------------------------------------------------------------------------------------------- a partition
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
    warnings raised meanwhile (``"warnings"``, for the caller to raise again: `relay_warnings`)."""
    with _collected_warnings() as raised:
        record = _run_partition(payload, task)
    record["warnings"] = raised
    return record


def _run_partition(payload: dict, task: dict) -> dict:
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
        info, table, n_distinct = error.report, empty_output(), 0
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
    problems = count_problems(record)
    if (record["n_duplicates"], record["n_empty"]) != (info.get("n_duplicates", 0), info.get("n_empty", 0)):
        problems.append(f"the reader counted {info.get('n_duplicates', 0)} duplicates and "
                        f"{info.get('n_empty', 0)} empty records")
    if not table["id"].is_unique:
        problems.append("repeated ids")
    if problems:
        raise RuntimeError(f"{source}: {'; '.join(problems)}; nothing was written")
    write_output(table, record, output)
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record

