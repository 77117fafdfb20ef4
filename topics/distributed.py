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

This module is the driver: `assign_partitions`, the two engines and the run's summary. What runs a partition
(the model payload, the warnings relay, `assign_records`) is in `topics.partition_worker`; the input files,
output names, fingerprints and output files, with the count checks, are in `topics.partitions`.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from topics.errors import InputError, TopicsError
from topics.partition_worker import (
    ModelPlugin,
    assign_records,
    model_files,
    plugin_name,
    relay_warnings,
    run_partition,
    run_partition_on_worker,
)
from topics.partitions import (
    OUTPUT_COLUMNS,
    STATUSES,
    SUMMARY_FILE,
    completed_record,
    count_problems,
    find_inputs,
    output_name,
    partition_fingerprint,
    remove_unfinished,
)
from topics.wording import plural

__all__ = ["OUTPUT_COLUMNS", "STATUSES", "SUMMARY_FILE", "assign_partitions", "assign_records", "find_inputs",
           "output_name"]


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
    files, digest, model_path = model_files(model_dir)
    paths = find_inputs(inputs)
    out = Path(out_dir).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    remove_unfinished(out)  # from a run that was killed

    reader = {"format": format, "text_columns": list(text_columns) if text_columns else None,
              "title_column": title_column, "abstract_column": abstract_column, "id_column": id_column,
              "encoding": encoding}
    results: dict[str, dict] = {}
    tasks = []
    for path in paths:
        output = out / output_name(path)
        fingerprint = partition_fingerprint(path, reader, digest)
        done = completed_record(output, fingerprint)
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
            relay_warnings(record, stacklevel=2)
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
                relay_warnings(record, stacklevel=3)
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
    checked = all(not count_problems(p) for p in ok)
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
