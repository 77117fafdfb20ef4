"""`topics.distributed`: a partitioned shared corpus assigned on a real LocalCluster of worker processes.

Rows in = rows out: every readable record gets a row, in input order (an exact duplicate the topic of its
first copy, an empty document topic -1 with status "empty"; only malformed records have none, and are
counted), resumable reruns, a worker killed mid-partition, the model loaded once per worker process, errors.
"""

from __future__ import annotations

import gzip
import json
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
    # partition a: 1 malformed line (too many fields), which has no row and is counted
    bad = "broken" + ",x" * 12 + "\n"
    text = a.iloc[:500].to_csv(index=False) + bad + a.iloc[500:].to_csv(index=False, header=False)
    with gzip.open(parts / "part-a.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(text)
    # partition b: 3 exact duplicates and 2 empty documents among the others
    empty = b.head(2).assign(id=["empty-1", "empty-2"], title="", abstract="")
    repeats = b.iloc[[0, 1, 1]].assign(id=["dup-1", "dup-2", "dup-3"])
    b = pd.concat([b.iloc[:500], repeats, empty.iloc[:1], b.iloc[500:], empty.iloc[1:]], ignore_index=True)
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


def read_all(path, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return topics.read_corpus(path, **options)


def check_partition(record: dict, model) -> pd.DataFrame:
    """The written file holds one row per readable record of the input, in input order, with the topic of
    the in-process model; duplicates carry their first copy's topic, empty records topic -1."""
    every = read_all(record["input"], keep_every_record=True)  # every readable record, in input order
    distinct = read_all(record["input"])  # what `fit` would read: duplicates and empty records dropped
    info = every.attrs["topics_read"]
    assert record["n_read"] == info["n_read"] == len(every) + info["n_skipped"]
    assert record["n_malformed"] == info["n_skipped"]
    assert record["n_assigned"] == len(every) == record["n_read"] - record["n_malformed"]
    assert record["n_distinct"] == len(distinct)
    assert record["n_assigned"] == record["n_distinct"] + record["n_duplicates"] + record["n_empty"]
    written = pd.read_parquet(record["output"])
    assert list(written.columns) == OUTPUT_COLUMNS
    assert written["id"].tolist() == every["id"].tolist()  # every record once, in input order
    assert written["id"].is_unique
    # the distinct documents: the workers' answer is the in-process answer, exactly (a worker runs one BLAS
    # thread and its own batches; the confidence is the same to the last bit whatever, topics.assignment)
    kept = written[written["status"] == "assigned"].reset_index(drop=True)
    same = model.assign(distinct)
    pd.testing.assert_frame_equal(kept[same.columns.tolist()], same, check_dtype=False, check_exact=True)
    # a duplicate: its first copy's topic, and that copy's id
    first: dict[str, str] = {}
    for text, identifier in zip(every["text"], every["id"], strict=False):
        first.setdefault(text, identifier)
    by_id = written.set_index("id")
    duplicates = written[written["status"] == "duplicate"]
    assert len(duplicates) == record["n_duplicates"]
    texts = every.set_index("id")["text"]
    for row in duplicates.itertuples():
        assert row.duplicate_of == first[texts[row.id]] != row.id
        original = by_id.loc[row.duplicate_of]
        assert original["status"] == "assigned"
        assert (row.topic, row.theme, row.confidence, row.is_outlier) == (
            original["topic"], original["theme"], original["confidence"], original["is_outlier"])
    empty = written[written["status"] == "empty"]
    assert len(empty) == record["n_empty"]
    assert (empty["topic"] == -1).all() and empty["is_outlier"].all() and (empty["confidence"] == 0).all()
    assert (empty["topic_label"] == "outlier").all() and (empty["theme"] == -1).all()
    assert texts[empty["id"]].eq("").all()
    assert written.loc[written["status"] != "duplicate", "duplicate_of"].isna().all()
    return written


def test_rows_in_equal_rows_out_and_the_model_is_loaded_once_per_worker(data, tmp_path):
    out = tmp_path / "out"
    # its own LocalCluster; batches of 300 on the workers, of 20,000 (the whole partition) in check_partition
    summary = assign_partitions(data["model_dir"], str(data["inputs"] / "part-*"), out, batch_size=300)
    assert summary["engine"] == "dask" and summary["n_workers"] == 2
    assert summary["complete"] and summary["rows_checked"]
    assert summary["n_partitions"] == 4 and summary["assigned"] == 4 and summary["failed"] == 0
    # 4,006 records: 4,005 rows out (4,000 distinct + 3 duplicates + 2 empty) + 1 malformed line
    assert summary["rows_read"] == 4006 and summary["rows_assigned"] == 4005
    assert summary["n_distinct"] == 4000 and summary["n_duplicates"] == 3 and summary["n_empty"] == 2
    assert summary["n_malformed"] == 1
    assert sorted(p.name for p in out.iterdir()) == [
        SUMMARY_FILE, "part-a.parquet", "part-b.parquet", "part-c.parquet", "part-d.parquet"]
    for record in summary["partitions"]:
        written = check_partition(record, data["model"])
        if record["input"].endswith("part-b.jsonl"):
            assert written["id"].iloc[500:506].tolist() == ["dup-1", "dup-2", "dup-3", "empty-1",
                                                            written["id"].iloc[504], written["id"].iloc[505]]
            assert written["status"].iloc[500:504].tolist() == ["duplicate"] * 3 + ["empty"]
            assert written["id"].iloc[-1] == "empty-2"
        else:
            assert (written["status"] == "assigned").all() and len(written) == 1000
            assert "broken" not in set(written["id"])
            assert record["n_malformed"] == (1 if record["input"].endswith("part-a.csv.gz") else 0)
    saved = json.loads((out / SUMMARY_FILE).read_text())
    assert {k: saved[k] for k in ("rows_read", "rows_assigned", "n_malformed", "complete")} == {
        "rows_read": 4006, "rows_assigned": 4005, "n_malformed": 1, "complete": True}
    # the model went to each worker process once, not once per partition
    loads = summary["model_loads"]
    assert 1 <= len(loads) <= 2 and set(loads.values()) == {1}, loads
    assert sum(p["model_loaded"] for p in summary["partitions"]) == len(loads)
    assert pd.read_parquet(out).shape[0] == 4005  # the folder reads as one dataset (summary ignored)


def test_a_partition_of_repeats_and_empty_records(data, tmp_path):
    """A file of the same few papers many times over, with empty records: one row per record, each distinct
    text assigned once; a file of nothing but empty records still gives its rows."""
    table = pd.read_parquet(data["inputs"] / "part-c.parquet").head(5)
    blank = table.head(1).assign(title="", abstract="  ")
    repeated = pd.concat([table] * 40 + [blank] * 3, ignore_index=True).assign(id=None)  # no ids either
    folder = tmp_path / "in"
    folder.mkdir()
    repeated.to_csv(folder / "repeats.csv", index=False)
    pd.concat([blank] * 4, ignore_index=True).to_parquet(folder / "blank.parquet", index=False)
    summary = assign_partitions(data["model_dir"], folder, tmp_path / "out", engine="local")
    assert summary["complete"] and summary["rows_read"] == 207 and summary["rows_assigned"] == 207
    assert summary["n_distinct"] == 5 and summary["n_duplicates"] == 195 and summary["n_empty"] == 7
    repeats = next(p for p in summary["partitions"] if p["input"].endswith("repeats.csv"))
    check_partition(repeats, data["model"])
    written = pd.read_parquet(tmp_path / "out" / "repeats.parquet")
    assert len(written) == 203 and written["id"].is_unique
    assert written["topic"].tolist()[:200] == written["topic"].tolist()[:5] * 40
    blank_out = pd.read_parquet(tmp_path / "out" / "blank.parquet")
    assert blank_out["status"].tolist() == ["empty"] * 4 and (blank_out["topic"] == -1).all()


def test_empty_partitions_give_empty_outputs(data, tmp_path):
    """Engines that write partitions (Spark, Dask) leave empty part files: a header alone and a zero-byte
    file are 0 rows in, 0 rows out, not failures; a rerun finds them done."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "header.csv").write_text("id,title,abstract\n")
    (folder / "zero.csv").write_bytes(b"")
    (folder / "blank.parquet").write_bytes(b"")
    pd.read_parquet(data["inputs"] / "part-c.parquet").head(3).to_csv(folder / "some.csv", index=False)
    summary = assign_partitions(data["model_dir"], folder, tmp_path / "out", engine="local")
    assert summary["complete"] and summary["failed"] == 0, summary
    assert summary["rows_read"] == 3 and summary["rows_assigned"] == 3 and summary["n_malformed"] == 0
    for name in ("header", "zero", "blank"):
        written = pq.read_table(tmp_path / "out" / f"{name}.parquet")
        assert written.num_rows == 0 and written.column_names == OUTPUT_COLUMNS
    assert len(pd.read_parquet(tmp_path / "out")) == 3
    again = assign_partitions(data["model_dir"], folder, tmp_path / "out", engine="local")
    assert again["already_done"] == 4 and again["complete"], again


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
    assert third["complete"] and third["rows_assigned"] == 4005
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
    assert summary["complete"] and summary["assigned"] == 4 and summary["rows_assigned"] == 4005
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


def test_fit_on_a_sample_writes_a_row_per_record(data, tmp_path):
    """`topics fit --sample`: documents.parquet holds every readable record, as `topics assign` writes it
    (the fit itself reads the de-duplicated corpus)."""
    from topics.cli import main

    table = pd.read_parquet(data["inputs"] / "part-c.parquet").head(300)
    empty = table.head(1).assign(id="empty-1", title="", abstract="")
    repeats = table.head(2).assign(id=["dup-1", "dup-2"])
    source = tmp_path / "papers.csv"
    records = pd.concat([table.iloc[:100], repeats, empty, table.iloc[100:]], ignore_index=True)
    records.to_csv(source, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["fit", str(source), "--out", str(tmp_path / "model"), "--sample", "150", "--quiet"]) == 0
    model = topics.TopicModel.load(tmp_path / "model")
    assert model.n_documents_ == 150 and model.n_input_documents_ == 300  # the fit: distinct papers only
    documents = pd.read_parquet(tmp_path / "model" / "documents.parquet")
    assert list(documents.columns) == OUTPUT_COLUMNS and len(documents) == 303
    assert documents["id"].tolist()[100:103] == ["dup-1", "dup-2", "empty-1"]
    assert documents["status"].value_counts().to_dict() == {"assigned": 300, "duplicate": 2, "empty": 1}
    assert documents["duplicate_of"].iloc[100:102].tolist() == documents["id"].iloc[:2].tolist()
    assert documents["topic"].iloc[100:102].tolist() == documents["topic"].iloc[:2].tolist()
    assert documents["topic"].iloc[102] == -1 and documents["is_outlier"].iloc[102]


def test_warnings_raised_on_the_workers_are_said_as_the_local_ones(tmp_path, monkeypatch):
    """`topics assign --engine dask`: what the workers warn (here MiniLM's truncation count per partition, and
    a saved cache_dir that cannot be used where the model is loaded) reaches the caller and is printed as
    `topics: warning: ...`, as with --engine local, not as a raw Python warning with file, line and code."""
    import subprocess
    import sys

    pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
    from topics.encoders import window

    papers = topics.datasets.load_sample_papers()[["id", "title", "abstract"]]
    parts = tmp_path / "parts"
    parts.mkdir()
    papers.iloc[:30].to_csv(parts / "p1.csv", index=False)
    papers.iloc[30:].to_csv(parts / "p2.csv", index=False)
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "cache"))  # the default cache, filled by the fit
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    model = topics.TopicModel(features="embeddings", progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        model.fit(pd.concat([read_all(parts / "p1.csv"), read_all(parts / "p2.csv")], ignore_index=True))
    # saved on "another machine": its cache_dir cannot be created here (a file is in the way)
    (tmp_path / "elsewhere").write_text("a file, not a folder")
    model.set_params(cache_dir=str(tmp_path / "elsewhere" / "cache")).save(tmp_path / "model")
    reads = window("all-MiniLM-L6-v2")
    expected = {f"{name}: {reads.message(reads.count(corpus['text'].tolist()), len(corpus))}"
                for name in ("p1.csv", "p2.csv") for corpus in [read_all(parts / name)]}

    said = {}
    for engine in (["--engine", "local"], ["--engine", "dask", "--workers", "1"]):
        result = subprocess.run(
            [sys.executable, "-m", "topics.cli", "assign", str(tmp_path / "model"), str(parts),
             "--out", str(tmp_path / f"out-{engine[1]}"), *engine],
            capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "TopicsWarning" not in result.stderr and "warnings.warn" not in result.stderr, result.stderr
        assert ".py:" not in result.stderr and "assigned = " not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if "warning" in line.lower()]
        assert all(line.startswith("topics: warning: ") for line in lines), lines
        said[engine[1]] = {line.removeprefix("topics: warning: ") for line in lines}
        assert expected <= said[engine[1]], (expected, said[engine[1]])
        fallback = [line for line in said[engine[1]] if "cannot be used here" in line]
        assert len(fallback) == 1 and str(tmp_path / "cache" / "embeddings") in fallback[0], said
        summary = json.loads((tmp_path / f"out-{engine[1]}" / SUMMARY_FILE).read_text())
        for record in summary["partitions"]:  # the summary keeps each partition's warnings
            name = os.path.basename(record["input"])
            assert {f"{name}: {w['message']}" for w in record["warnings"]} <= said[engine[1]]
            assert all(w["category"] == "topics.errors.TopicsWarning" for w in record["warnings"])
    # the same words whatever the engine (the dask worker's load warning names the partition it loaded for)
    assert {line.split(": ", 1)[-1] for line in said["local"]} == {line.split(": ", 1)[-1]
                                                                  for line in said["dask"]}
