"""`topics.distributed`: a partitioned shared corpus assigned on a real LocalCluster of worker processes.

Rows in = rows out (duplicates and empty documents counted), resumable reruns, a worker killed
mid-partition, the model loaded once per worker process, errors.
"""

from __future__ import annotations

import logging
import os
import warnings

import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import shared_file

import topics
from topics.distributed import OUTPUT_COLUMNS, SUMMARY_FILE, assign_partitions
from topics.errors import InputError, InputFileNotFoundError, ModelError, TopicsWarning

try:
    import distributed
except ImportError:  # pragma: no cover - the dask engine is an optional extra
    if os.environ.get("CI"):
        raise  # CI must run these tests, not skip them
    pytest.skip("dask[distributed] is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A model fitted on a sample of the AI-conference papers, and the papers cut into 4 partitions."""
    folder = tmp_path_factory.mktemp("distributed")
    table = pd.read_csv(shared_file("ai-conference-papers.csv.gz")).iloc[:4000].reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        corpus = topics.read_corpus(shared_file("ai-conference-papers.csv.gz"))
    model = topics.TopicModel(progress=False).fit(corpus.iloc[:4000], sample=400)
    model.save(folder / "model")
    parts = folder / "in"
    parts.mkdir()
    a, b, c, d = (table.iloc[i : i + 1000].copy() for i in range(0, 4000, 1000))
    # partition b: 3 exact duplicates and 2 empty documents, which the reader drops and counts
    empty = b.head(2).assign(id=["empty-1", "empty-2"], title="", abstract="")
    b = pd.concat([b, b.head(3).assign(id=["dup-1", "dup-2", "dup-3"]), empty], ignore_index=True)
    a.to_csv(parts / "part-a.csv.gz", index=False)
    b.to_json(parts / "part-b.jsonl", orient="records", lines=True)
    c.to_parquet(parts / "part-c.parquet", index=False)
    d.to_csv(parts / "part-d.tsv", sep="\t", index=False)
    return {"folder": folder, "model_dir": folder / "model", "inputs": parts, "model": model}


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes (with nannies that restart a killed worker)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local


def expected_counts(path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        corpus = topics.read_corpus(path)
    return corpus.attrs["topics_read"] | {"ids": corpus["id"].tolist(), "corpus": corpus}


def test_rows_in_equal_rows_out_and_the_model_is_loaded_once_per_worker(data, tmp_path):
    out = tmp_path / "out"
    summary = assign_partitions(data["model_dir"], str(data["inputs"] / "part-*"), out)  # own LocalCluster
    assert summary["engine"] == "dask" and summary["n_workers"] == 2
    assert summary["complete"] and summary["rows_checked"]
    assert summary["n_partitions"] == 4 and summary["assigned"] == 4 and summary["failed"] == 0
    assert summary["rows_read"] == 4005 and summary["rows_assigned"] == 4000
    assert summary["n_duplicates"] == 3 and summary["n_empty"] == 2
    assert sorted(p.name for p in out.iterdir()) == [
        SUMMARY_FILE, "part-a.parquet", "part-b.parquet", "part-c.parquet", "part-d.parquet"]
    model = data["model"]
    for record in summary["partitions"]:
        expected = expected_counts(record["input"])
        assert record["n_read"] == expected["n_read"]
        assert record["n_read"] == (record["n_assigned"] + record["n_duplicates"] + record["n_empty"]
                                    + record["n_malformed"])
        written = pd.read_parquet(record["output"])
        assert list(written.columns) == OUTPUT_COLUMNS
        assert written["id"].tolist() == expected["ids"]  # every document once, in input order
        same = model.assign(expected["corpus"])  # the workers' answer is the in-process answer
        pd.testing.assert_frame_equal(written, same[OUTPUT_COLUMNS], check_dtype=False)
    # the model went to each worker process once, not once per partition
    loads = summary["model_loads"]
    assert 1 <= len(loads) <= 2 and set(loads.values()) == {1}, loads
    assert sum(p["model_loaded"] for p in summary["partitions"]) == len(loads)
    assert pd.read_parquet(out).shape[0] == 4000  # the folder reads as one dataset (summary ignored)


def test_rerun_skips_finished_partitions_and_redoes_changed_ones(data, cluster, tmp_path):
    out = tmp_path / "out"
    first = assign_partitions(data["model_dir"], data["inputs"], out, scheduler=cluster.scheduler_address)
    assert first["assigned"] == 4 and first["complete"]
    mtimes = {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")}

    again = assign_partitions(data["model_dir"], data["inputs"], out, scheduler=cluster.scheduler_address)
    assert again["already_done"] == 4 and again["assigned"] == 0 and again["complete"]
    assert again["rows_assigned"] == first["rows_assigned"]  # counts kept in the files' metadata
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == mtimes

    (out / "part-a.parquet").unlink()  # lost output
    (out / ".part-c.parquet.tmp-123").write_bytes(b"half written")  # a killed run's leftover
    changed = data["inputs"] / "part-d.tsv"
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))  # input changed
    third = assign_partitions(data["model_dir"], data["inputs"], out, engine="local")
    status = {os.path.basename(p["input"]): p["status"] for p in third["partitions"]}
    assert status == {"part-a.csv.gz": "assigned", "part-b.jsonl": "already done",
                      "part-c.parquet": "already done", "part-d.tsv": "assigned"}
    assert third["complete"] and third["rows_assigned"] == 4000
    assert (out / "part-b.parquet").stat().st_mtime_ns == mtimes["part-b.parquet"]
    assert not list(out.glob(".*"))


def test_a_worker_killed_mid_partition_has_it_retried(data, cluster, tmp_path):
    crash = tmp_path / "crash"
    crash.mkdir()
    (crash / "part-c.parquet.crash").write_text("")  # the first attempt at part-c kills its worker
    out = tmp_path / "out"
    summary = assign_partitions(data["model_dir"], data["inputs"], out, scheduler=cluster.scheduler_address,
                                _crash_once_in=crash)
    killed = int((crash / "part-c.parquet.crashed").read_text())  # the worker did die
    with pytest.raises(ProcessLookupError):
        os.kill(killed, 0)
    assert summary["complete"] and summary["assigned"] == 4 and summary["rows_assigned"] == 4000
    record = next(p for p in summary["partitions"] if p["input"].endswith("part-c.parquet"))
    assert record["worker_pid"] != killed and record["n_assigned"] == 1000
    assert pq.read_metadata(out / "part-c.parquet").num_rows == 1000
    assert not list(out.glob(".*"))  # no half-written file


def test_a_bad_partition_fails_alone(data, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("part-a.csv.gz", "part-c.parquet"):
        (folder / name).symlink_to(data["inputs"] / name)
    (folder / "part-x.csv").write_text("a,b\n1,2\n")  # no text column
    summary = assign_partitions(data["model_dir"], folder, tmp_path / "out", engine="local")
    assert summary["failed"] == 1 and summary["assigned"] == 2 and not summary["complete"]
    bad = next(p for p in summary["partitions"] if p["status"] == "failed")
    assert bad["input"].endswith("part-x.csv") and "InputError" in bad["error"]
    assert not (tmp_path / "out" / "part-x.parquet").exists()


def test_errors(data, tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        assign_partitions(tmp_path / "nowhere", data["inputs"], tmp_path / "out")
    with pytest.raises(ModelError, match="not a saved topics model"):
        assign_partitions(data["inputs"], data["inputs"], tmp_path / "out")
    with pytest.raises(InputFileNotFoundError, match="no input files match"):
        assign_partitions(data["model_dir"], str(tmp_path / "*.csv"), tmp_path / "out")
    with pytest.raises(InputFileNotFoundError, match="not found"):
        assign_partitions(data["model_dir"], tmp_path / "missing.csv", tmp_path / "out")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "part-a.csv").write_text("text\nhello\n")
    with pytest.raises(InputError, match="would both be written"):
        both = [data["inputs"] / "part-a.csv.gz", tmp_path / "x" / "part-a.csv"]
        assign_partitions(data["model_dir"], both, tmp_path / "out")
    with pytest.raises(InputError, match="only apply to"):
        assign_partitions(data["model_dir"], data["inputs"], tmp_path / "out", engine="local", workers=2)
