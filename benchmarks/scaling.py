"""Scaling curve: time and peak memory of `fit` (1k-20k documents) and of assignment (100k, 1M documents).

Every measurement runs in its own subprocess; the parent samples the resident memory (RSS) of that
process and all its children (for the Dask engine: the scheduler, the nannies and the workers) every
0.1 s and records the peak of the sum. Results go to a JSON file (default
benchmarks/results/scaling.json) and a Markdown table on stdout; docs/scaling.md quotes them.

Fit: TF-IDF features, `TopicModel().fit(corpus, sample=N)` on N abstracts of arxiv-cs-2025 (22,628
abstracts), the deterministic sample of `fit`. The 20k model is saved and used for assignment.

Assignment: there is no million-abstract labelled corpus at hand, so the inputs are the 22,628 real
arxiv-cs-2025 abstracts repeated: partitions of 20,000 rows (Parquet), each a different deterministic
draw of 20,000 distinct abstracts (so the readers' per-file exact-duplicate removal drops nothing),
ids made unique per partition. 100k = 5 partitions, 1M = 50. Engines: in-process (`--engine local`)
and a LocalCluster of 2 worker processes (`--engine dask --workers 2`).

    python benchmarks/scaling.py                       # everything (about 20-30 minutes on 2 cores)
    python benchmarks/scaling.py --fit 1000,5000 --assign 100000
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PARTITION_ROWS = 20_000


def shared(name: str) -> Path:
    folder = Path(os.environ.get("TOPICS_SHARED_DATA", REPO.parent / "shared" / "data")).expanduser()
    path = folder / name
    if not path.is_file():
        sys.exit(f"scaling: shared corpus {name} not found at {path} (set TOPICS_SHARED_DATA)")
    return path


# ---------------------------------------------------------------------------------------------- children
def child_fit(n: int, features: str, save: str | None) -> dict:
    import topics

    clock = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = topics.read_corpus(shared("arxiv-cs-2025.csv.gz"))
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    model = topics.TopicModel(features=features, progress=False)
    model.fit(corpus, sample=n if n < len(corpus) else None)
    fit = time.perf_counter() - clock
    if save:
        model.save(save)
    return {"read_seconds": read, "fit_seconds": fit, "n_documents": int(model.n_documents_),
            "n_topics": int(model.n_topics_), "n_themes": int(model.n_themes_),
            "stages": {k: round(v, 2) for k, v in model.timings_.items()}}


def child_assign(model: str, inputs: str, out: str, engine: str) -> dict:
    from topics.distributed import assign_partitions

    clock = time.perf_counter()
    summary = assign_partitions(model, inputs, out, engine=engine, workers=2 if engine == "dask" else None)
    return {"assign_seconds": time.perf_counter() - clock,
            **{k: summary[k] for k in ("n_partitions", "rows_read", "rows_assigned", "n_duplicates",
                                        "n_empty", "complete", "model_loads")}}


# ---------------------------------------------------------------------------------------------- parent
def measure(args: list[str]) -> dict:
    """Run this script as a child with `args`; wall time, peak RSS of its process tree, its result."""
    import psutil

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    root = psutil.Process(process.pid)
    peak = 0
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            rss = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = process.communicate()
    seconds = time.perf_counter() - clock
    if process.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{err[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result = json.loads(out.strip().splitlines()[-1])
    # cpu: user + system seconds of the finished descendants (less sensitive to other jobs than wall time)
    return {"wall_seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "peak_rss_mb": round(peak / 2**20), **result}


def make_partitions(folder: Path, n_partitions: int) -> None:
    """Partitions of 20,000 distinct real abstracts each (a different draw per partition)."""
    import numpy as np

    import topics

    done = folder / ".complete"
    if done.is_file() and int(done.read_text()) >= n_partitions:
        return
    folder.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = topics.read_corpus(shared("arxiv-cs-2025.csv.gz"))[["id", "abstract"]]
    for k in range(n_partitions):
        rows = np.random.RandomState(k).choice(len(corpus), PARTITION_ROWS, replace=False)
        part = corpus.iloc[np.sort(rows)].reset_index(drop=True)
        part["id"] = part["id"] + f"~{k:03d}"
        part.to_parquet(folder / f"part-{k:03d}.parquet", index=False)
    done.write_text(str(n_partitions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", default="1000,5000,20000", help="fit sizes (comma-separated; '' for none)")
    parser.add_argument("--assign", default="100000,1000000", help="assignment sizes ('' for none)")
    parser.add_argument("--engines", default="local,dask")
    parser.add_argument("--work", default="/tmp/topics-scaling", help="inputs, models and outputs")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "scaling.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(),
                           "load_average_at_start": list(os.getloadavg())},
               "fit": [], "assign": []}
    if Path(args.out).is_file():  # keep the sections that are not run this time
        earlier = json.loads(Path(args.out).read_text())
        fit_sizes = {int(x) for x in args.fit.split(",") if x}
        runs = {(int(x), e) for x in args.assign.split(",") if x for e in args.engines.split(",")}
        results["fit"] = [r for r in earlier.get("fit", []) if r["n"] not in fit_sizes]
        results["assign"] = [r for r in earlier.get("assign", []) if (r["n"], r["engine"]) not in runs]
    model = work / "model-20000"
    for n in [int(x) for x in args.fit.split(",") if x]:
        save = str(model) if n == 20_000 else ""
        row = {"n": n, "features": "tfidf", **measure(["_fit", str(n), "tfidf", save])}
        results["fit"].append(row)
        print(f"fit {n:>7,}: {row['fit_seconds']:6.1f} s fit, {row['wall_seconds']:6.1f} s wall, "
              f"{row['cpu_seconds']:6.1f} s cpu, "
              f"{row['peak_rss_mb']:,} MB peak, {row['n_topics']} topics", flush=True)
    sizes = [int(x) for x in args.assign.split(",") if x]
    if sizes:
        if not (model / "model.json").is_file():
            measure(["_fit", "20000", "tfidf", str(model)])
        inputs = work / "inputs"
        make_partitions(inputs, max(sizes) // PARTITION_ROWS)
        for n in sizes:
            subset = work / f"inputs-{n}"
            if not subset.is_dir():
                subset.mkdir()
                for k in range(n // PARTITION_ROWS):
                    (subset / f"part-{k:03d}.parquet").symlink_to(inputs / f"part-{k:03d}.parquet")
            for engine in args.engines.split(","):
                out = work / f"out-{n}-{engine}"
                shutil.rmtree(out, ignore_errors=True)
                child = ["_assign", str(model), str(subset), str(out), engine]
                row = {"n": n, "engine": engine, **measure(child)}
                results["assign"].append(row)
                print(f"assign {n:>9,} {engine:>5}: {row['assign_seconds']:6.1f} s, "
                      f"{row['cpu_seconds']:.0f} s cpu, "
                      f"{row['peak_rss_mb']:,} MB peak, {row['rows_assigned']:,} rows, "
                      f"complete={row['complete']}", flush=True)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"results: {args.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_fit":
        n, features, save = sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else ""
        print(json.dumps(child_fit(int(n), features, save or None)))
    elif len(sys.argv) > 1 and sys.argv[1] == "_assign":
        print(json.dumps(child_assign(*sys.argv[2:6])))
    else:
        main()
