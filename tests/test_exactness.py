"""Exact numbers (issue 21): a document's topic, confidence and map position are the same to the last bit
whatever computes them — one document or a thousand at a time, 1, 2 or 16 BLAS threads, OpenBLAS's AVX2
kernels and NumPy without AVX-512, this process, the command line or a Dask worker.

The conditions that differ between machines are forced here and the results compared with ==, never with a
tolerance: the raw float64 confidences (which the code guarantees to the last bit, see
`topics.assignment`) and the written files (the same values rounded to 4 decimals). The float32 BLAS
product these replace gave 343 of the 656 documents below another last bit when they were classified one
at a time rather than together.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import subprocess
import sys
import warnings
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import topics
from topics.assignment import TopicAssigner, _exp
from topics.errors import ModelError, TopicsWarning
from topics.placement import _nearest, place


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    """A model of the 58 sample papers (saved), and 656 real texts to assign: the papers, their titles
    alone and their abstracts' sentences, written as a CSV and read back as `topics assign` reads it."""
    folder = tmp_path_factory.mktemp("exactness")
    papers = topics.datasets.load_sample_papers()
    model = topics.TopicModel(progress=False).fit(papers)
    model.save(folder / "model")
    sentences = [s for abstract in papers["abstract"] for s in re.split(r"(?<=[.!?])\s+", abstract)
                 if len(s.split()) >= 4]
    rows = pd.concat([
        papers[["title", "abstract"]],
        papers[["title"]].assign(abstract=""),
        pd.DataFrame({"title": "", "abstract": sentences}),
    ], ignore_index=True).drop_duplicates(ignore_index=True)
    rows.insert(0, "id", [f"d{i:04d}" for i in range(len(rows))])
    rows.to_csv(folder / "documents.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        corpus = topics.read_corpus(folder / "documents.csv", keep_every_record=True)
    assert len(corpus) == len(rows) == 656 and corpus["text"].is_unique
    return {"folder": folder, "model": model, "corpus": corpus, "rows": rows}


def numbers(model: topics.TopicModel, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Topics, raw confidences (float64) and map positions of `texts`, all at once."""
    assigned, confidence = model.transform(texts)
    positions = place(model._vectors_for(texts), model.vectors_, model.map_)
    return assigned, confidence, positions


def digest(values: tuple[np.ndarray, ...]) -> str:
    return hashlib.sha256(b"".join(np.ascontiguousarray(v).tobytes() for v in values)).hexdigest()


def test_one_document_at_a_time_or_a_thousand(fitted):
    """Batch size 1 against all at once: the same topics, confidences and positions to the last bit."""
    model, texts = fitted["model"], fitted["corpus"]["text"].tolist()
    together = numbers(model, texts)
    assert together[1].dtype == np.float64 and (together[0] >= 0).sum() > 600
    alone = [numbers(model, [text]) for text in texts]
    for i in range(3):
        assert np.array_equal(np.concatenate([a[i] for a in alone]), together[i])
    # TopicModel.assign in batches of 7 and of 1,000 (the batch_size of `topics assign`)
    pd.testing.assert_frame_equal(model.assign(fitted["corpus"], batch_size=7),
                                  model.assign(fitted["corpus"], batch_size=1000), check_exact=True)


def test_blas_threads_in_this_process(fitted):
    """threadpoolctl limits of 1, 2 and 16 BLAS threads give the same numbers."""
    model, texts = fitted["model"], fitted["corpus"]["text"].tolist()
    results = []
    for threads in (1, 2, 16):
        with threadpool_limits(limits=threads, user_api="blas"):
            results.append(digest(numbers(model, texts)))
    assert len(set(results)) == 1


_SCRIPT = """
import hashlib, sys, warnings
import numpy as np, topics
from topics.placement import place
warnings.simplefilter("ignore")
model = topics.TopicModel.load(sys.argv[1])
texts = topics.read_corpus(sys.argv[2], keep_every_record=True)["text"].tolist()
assigned, confidence = model.transform(texts)
positions = place(model._vectors_for(texts), model.vectors_, model.map_)
print(hashlib.sha256(b"".join(np.ascontiguousarray(v).tobytes()
                              for v in (assigned, confidence, positions))).hexdigest())
"""


def _avx512_targets() -> str:
    """NumPy's AVX-512 code paths (named by NumPy's version), to be switched off: NumPy then runs the AVX2
    code an AVX2-only CPU runs."""
    from numpy._core import _multiarray_umath

    return " ".join(t for t in _multiarray_umath.__cpu_dispatch__ if "512" in t or t == "X86_V4")


def test_thread_settings_and_cpu_kernels_of_other_machines(fitted):
    """Subprocesses with OMP/OpenBLAS thread counts of 1 and 16 (a Dask worker has 1, a laptop more), and
    one that runs as an AVX2 machine (OpenBLAS's Haswell kernels, NumPy's AVX-512 code switched off),
    against this process."""
    expected = digest(numbers(fitted["model"], fitted["corpus"]["text"].tolist()))
    avx2 = {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": _avx512_targets()}
    settings = [{"threads": "1"}, {"threads": "16"}, {"threads": "2", **avx2}]
    keep = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS")
    for setting in settings:
        env = {key: value for key, value in os.environ.items() if key not in keep}
        threads = setting.pop("threads")
        env.update(OMP_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads, MKL_NUM_THREADS=threads, **setting)
        result = subprocess.run(
            [sys.executable, "-c", _SCRIPT, str(fitted["folder"] / "model"),
             str(fitted["folder"] / "documents.csv")], env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, (threads, setting)


def _numbers_on_a_worker(model_dir: str, texts: list[str]) -> tuple[np.ndarray, ...]:
    """The raw numbers computed in a Dask worker process (its nanny sets OMP_NUM_THREADS=1 and the rest),
    7 documents at a time."""
    model = topics.TopicModel.load(model_dir)
    model.progress = False
    parts = [numbers(model, texts[start : start + 7]) for start in range(0, len(texts), 7)]
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))


def test_dask_workers_and_partitions_against_the_command_line(fitted, tmp_path):
    """`topics assign` in this process (one partition, batches of 1,000) against a LocalCluster of 2
    worker processes (three partitions of 1, 37 and 618 documents, batches of 1): the same files, value
    for value; and the raw numbers computed on a worker, 7 documents at a time, are this process's (all at
    once) to the last bit."""
    import cloudpickle
    import distributed

    from topics.cli import main
    from topics.distributed import SUMMARY_FILE, assign_partitions

    rows, folder = fitted["rows"], fitted["folder"]
    whole = tmp_path / "whole"
    assert main(["assign", str(folder / "model"), str(folder / "documents.csv"), "--out", str(whole),
                 "--engine", "local", "--batch-size", "1000", "--quiet"]) == 0
    parts = tmp_path / "parts"
    parts.mkdir()
    for name, (start, stop) in {"p1.csv": (0, 1), "p2.csv": (1, 38), "p3.csv": (38, len(rows))}.items():
        rows.iloc[start:stop].to_csv(parts / name, index=False)
    texts = fitted["corpus"]["text"].tolist()
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this file
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster) as client:
            summary = assign_partitions(folder / "model", parts, tmp_path / "split",
                                        scheduler=cluster.scheduler_address, batch_size=1)
            on_worker = client.submit(_numbers_on_a_worker, str(folder / "model"), texts).result()
            worker_env = client.run(lambda: os.environ.get("OMP_NUM_THREADS"))
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert summary["complete"] and summary["engine"] == "dask" and summary["n_workers"] == 2
    assert set(worker_env.values()) == {"1"}  # the workers ran with one thread, this process with more
    split = pd.concat([pd.read_parquet(tmp_path / "split" / f"p{i}.parquet") for i in (1, 2, 3)],
                      ignore_index=True)
    pd.testing.assert_frame_equal(split, pd.read_parquet(whole / "documents.parquet"), check_exact=True)
    here = numbers(fitted["model"], texts)
    for mine, theirs in zip(here, on_worker, strict=True):
        assert np.array_equal(mine, theirs)
    # the files hold the raw confidence rounded to 4 decimals
    assert (split["confidence"].to_numpy() == np.round(here[1], 4)).all()
    assert json.loads((tmp_path / "split" / SUMMARY_FILE).read_text())["rows_assigned"] == len(rows)


def test_the_scores_are_exact_sums(fitted):
    """TopicAssigner.scores is the exact sum of the whole-number products (checked with Python's integers),
    rounded once: nothing in it depends on the order of the additions."""
    model = fitted["model"]
    vectors = model._vectors_for(fitted["corpus"]["text"].tolist()[:80])
    assigner = model.assigner_
    scores = assigner.scores(vectors)
    weights = assigner.weights.astype(np.float64)
    bound = 1e6 * math.sqrt(vectors.shape[1]) * 1.001
    shift = 52 - math.frexp(bound * float(np.abs(weights).max()))[1]
    fixed = [[int(w) for w in row] for row in np.rint(np.ldexp(weights, shift))]
    for row, vector in enumerate(vectors):
        grid = [round(Fraction(float(x)) * 10**6) for x in vector]  # the feature in whole units of 1e-6
        for c, weight_row in enumerate(fixed):
            whole = sum(x * w for x, w in zip(grid, weight_row, strict=True))
            assert abs(whole) < 2**53
            assert scores[row, c] == math.ldexp(float(whole), -shift) / 1e6 + float(assigner.bias[c])
    # and they are the classifier's float32 scores to within float32's own error
    assert np.allclose(scores, vectors @ assigner.weights.T + assigner.bias, rtol=0, atol=1e-5)


def test_rows_that_are_not_unit_vectors_are_refused():
    assigner = TopicAssigner(weights=np.ones((2, 3), np.float32), bias=np.zeros(2, np.float32))
    assert assigner.probabilities(np.array([[0.6, 0.8, 0.0]], np.float32)).shape == (1, 2)
    with pytest.raises(ModelError, match="not a unit vector"):
        assigner.scores(np.array([[0.6, 0.8, 0.0], [3.0, 0.0, 0.0]], np.float32))


def test_exp_is_accurate_and_zero_below_minus_700():
    x = -np.concatenate([np.linspace(0, 700, 20_001), [0.5, 1e-300, 700.0]])
    exact = np.array([math.exp(v) for v in x])
    assert _exp(np.zeros(1))[0] == 1.0
    assert np.abs(_exp(x).view(np.int64) - exact.view(np.int64)).max() <= 2  # units in the last place
    assert _exp(np.array([-700.5, -1e6]))[0] == 0.0 and _exp(np.array([-1e6]))[0] == 0.0


def test_placement_breaks_ties_by_row_whatever_the_block(fitted):
    """Fitted documents with equal similarity (copies of one vector): the lower rows are the neighbours,
    whether a document is placed alone or with others."""
    model = fitted["model"]
    vectors = model.vectors_
    copies = np.vstack([vectors[:1]] * 12 + [vectors[1:]])  # 12 copies of the first paper, then the others
    positions = np.vstack([np.arange(12.0)[:, None] * [1.0, 0.0], model.map_[1:]])
    block = np.rint(vectors[:1].astype(np.float64) * 1e6) @ np.rint(copies.astype(np.float64) * 1e6).T
    assert _nearest(block, 10).tolist() == [list(range(10))]  # rows 0-9, not any other 10 of the 12 copies
    placed = place(vectors[:1], copies, positions, k=10)
    assert placed[0, 0] == pytest.approx(4.5, abs=1e-9) and placed[0, 1] == 0.0  # the mean of rows 0-9
    queries = model._vectors_for(fitted["corpus"]["text"].tolist()[:100])
    together = place(queries, copies, positions)
    alone = np.vstack([place(q[None], copies, positions) for q in queries])
    assert np.array_equal(together, alone)
