"""Scaling curve: time and peak memory of `fit` (1k-50k documents, TF-IDF and embeddings) and of assignment
(100k, 1M documents).

Every measurement runs in its own subprocess; the parent samples the resident memory (RSS) of that
process and all its children (for the Dask engine: the scheduler, the nannies and the workers) every
0.1 s and records the peak of the sum, and the load average before and after. Results go to a JSON file
(default benchmarks/results/scaling.json, updated after every measurement; rows of sizes not run this
time are kept) and lines on stdout; docs/scaling.md quotes them.

Fit: `TopicModel(features=...).fit(corpus, sample=N)`: N abstracts of arxiv-cs-2025 (22,628 abstracts),
the deterministic sample of `fit`, for N up to 20,000; for 50,000 the four shared corpora together
(bbc-news + ai-conference-papers + 20newsgroups + arxiv-cs-2025 = 49,952 records, 49,829 documents after
the reader drops 123 exact duplicates; see `make_combined`), all of them. The 20k TF-IDF model is saved
and used for assignment.

Embeddings: the texts of both fit corpora are embedded once with `--encoder` (a fast encoder of
`topics.encoders`; sentence-transformers would take about 40 minutes for 50k documents on 2 cores) into
the embedding cache under WORK/cache (TOPICS_CACHE_DIR), timed on its own ("embed": docs/s); the fits then
read their vectors from that cache, so their time is the fit after embedding (cache lookup, vocabulary,
map, clusters, labels). `--throughput` measures the embedding rate of several encoders on the same texts,
taking turns, for the implied embedding times.

Assignment: there is no million-abstract labelled corpus at hand, so the inputs are the 22,628 real
arxiv-cs-2025 abstracts repeated: partitions of 20,000 rows (Parquet), each a different deterministic
draw of 20,000 distinct abstracts, ids made unique per partition. 100k = 5 partitions, 1M = 50. Engines:
in-process (`--engine local`) and a LocalCluster of 2 worker processes (`--engine dask --workers 2`).

    python benchmarks/scaling.py                       # everything (about 1-2 hours on 2 shared cores)
    python benchmarks/scaling.py --fit 1000,5000 --features tfidf --assign 100000
    python benchmarks/scaling.py --fit '' --assign '' --throughput all-MiniLM-L6-v2,minilm-onnx-int8
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
def fit_corpus_path(n: int, work: Path) -> Path:
    """arxiv-cs-2025 up to its 22,628 abstracts; above that the four shared corpora together (49,952)."""
    return shared("arxiv-cs-2025.csv.gz") if n <= 22_628 else make_combined(work)


def make_combined(work: Path) -> Path:
    """The four shared corpora in one Parquet file: 2,225 + 6,253 + 18,846 + 22,628 = 49,952 records.

    Columns id (prefixed by the corpus), title, abstract, label, source. BBC: title + article text;
    AI conferences: title + abstract; 20 Newsgroups: subject + body (without the mail headers); arXiv:
    the abstract alone (no titles), so that its text is the same as when arxiv-cs-2025 is read alone.
    """
    import pandas as pd

    path = work / "corpus-all4.parquet"
    if path.is_file():
        return path
    parts = []
    sources = (("bbc-news", "title", "text"), ("ai-conference-papers", "title", "abstract"),
               ("20newsgroups", "subject", "body"), ("arxiv-cs-2025", None, "abstract"))
    for name, title, abstract in sources:
        table = pd.read_csv(shared(f"{name}.csv.gz"), dtype=str, keep_default_na=False)
        parts.append(pd.DataFrame({
            "id": name + ":" + table["id"], "title": table[title] if title else "",
            "abstract": table[abstract], "label": table["label"], "source": name,
        }))
    combined = pd.concat(parts, ignore_index=True)
    work.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    combined.to_parquet(temporary, index=False)
    temporary.replace(path)
    return path


def read_quietly(path: Path):
    import topics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.read_corpus(path)


def child_fit(n: int, features: str, save: str | None, work: str, encoder: str) -> dict:
    """Fit on N documents; with embeddings, the vectors come from the embedding cache (see child_embed)."""
    import topics

    clock = time.perf_counter()
    corpus = read_quietly(fit_corpus_path(n, Path(work)))
    read = time.perf_counter() - clock
    clock = time.perf_counter()
    model = topics.TopicModel(features=features, embedding_model=encoder, progress=False)
    model.fit(corpus, sample=n if n < len(corpus) else None)
    fit = time.perf_counter() - clock
    if save:
        model.save(save)
    info = corpus.attrs.get("topics_read", {})
    return {"read_seconds": read, "fit_seconds": fit, "n_documents": int(model.n_documents_),
            "corpus": fit_corpus_path(n, Path(work)).name, "records_in_file": int(info.get("n_read", 0)),
            "corpus_documents": len(corpus),
            "n_topics": int(model.n_topics_), "n_themes": int(model.n_themes_),
            "stages": {k: round(v, 2) for k, v in model.timings_.items()}}


def child_embed(work: str, encoder: str) -> dict:
    """Embed every distinct text of the fit corpora once into the cache ($TOPICS_CACHE_DIR); docs/s."""
    from topics.embeddings import EmbeddingCache, embed
    from topics.encoders import get_encoder

    texts: list[str] = []
    for path in (shared("arxiv-cs-2025.csv.gz"), make_combined(Path(work))):  # arXiv (1k-20k fits) first
        texts.extend(read_quietly(path)["text"].tolist())
    texts = list(dict.fromkeys(texts))
    cache = EmbeddingCache(None, encoder)
    cached = cache.get([cache.key(t) for t in texts], None)
    missing = [t for t in texts if cache.key(t) not in cached]
    clock = time.perf_counter()
    get_encoder(encoder)  # load (and build, if absent) the encoder outside the timed part
    load = time.perf_counter() - clock
    clock = time.perf_counter()
    embed(missing, encoder, progress=False)
    seconds = time.perf_counter() - clock
    return {"encoder": encoder, "n_texts": len(texts), "n_embedded": len(missing),
            "n_cached_before": len(texts) - len(missing), "load_seconds": round(load, 1),
            "embed_seconds": round(seconds, 1),
            "docs_per_second": round(len(missing) / seconds, 1) if missing and seconds else None,
            "mean_characters": round(sum(map(len, missing)) / max(1, len(missing)))}


def child_assign(model: str, inputs: str, out: str, engine: str) -> dict:
    from topics.distributed import assign_partitions

    clock = time.perf_counter()
    summary = assign_partitions(model, inputs, out, engine=engine, workers=2 if engine == "dask" else None)
    return {"assign_seconds": time.perf_counter() - clock,
            **{k: summary[k] for k in ("n_partitions", "rows_read", "rows_assigned", "n_distinct",
                                        "n_duplicates", "n_empty", "n_malformed", "complete", "model_loads")}}


def child_throughput(work: str, encoders: str, n: int, rounds: int) -> dict:
    """Docs/s of each encoder on the same n texts of the 50k corpus (a fixed draw), without the cache; the
    encoders take turns for `rounds` rounds (the machine's load changes within minutes), models loaded
    beforehand. Reports every round and the median."""
    import statistics

    import numpy as np

    from topics import defaults
    from topics.encoders import get_encoder

    texts = read_quietly(make_combined(Path(work)))["text"].tolist()
    chosen = np.random.RandomState(7).choice(len(texts), n, replace=False)
    sample = [texts[i] for i in np.sort(chosen)]
    names = encoders.split(",")
    loaded = {name: get_encoder(name) for name in names}
    for encoder in loaded.values():
        encoder.encode(sample[:8], 8)  # load and warm up
    rates: dict[str, list[float]] = {name: [] for name in names}
    loads = []
    for _ in range(rounds):
        for name in names:
            loads.append(os.getloadavg()[0])
            clock = time.perf_counter()
            loaded[name].encode(sample, defaults.EMBEDDING_BATCH_SIZE)
            rates[name].append(round(n / (time.perf_counter() - clock), 1))
    return {"n_texts": n, "mean_characters": round(sum(map(len, sample)) / n), "rounds": rates,
            "median_docs_per_second": {k: statistics.median(v) for k, v in rates.items()},
            "load_average_during": [round(x, 1) for x in loads]}


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
    parser.add_argument("--fit", default="1000,5000,20000,50000",
                        help="fit sizes (comma-separated; '' for none); 50000 = the four corpora together")
    parser.add_argument("--features", default="tfidf,embeddings", help="fit features (comma-separated)")
    parser.add_argument("--encoder", default="minilm-onnx-int8",
                        help="embedding model for features=embeddings (vectors computed once, then cached)")
    parser.add_argument("--throughput", default="",
                        help="encoders whose embedding rate to measure on the same texts, e.g. "
                             "all-MiniLM-L6-v2,minilm-onnx-int8,minilm-hybrid:64 ('' for none)")
    parser.add_argument("--throughput-texts", type=int, default=400)
    parser.add_argument("--assign", default="100000,1000000", help="assignment sizes ('' for none)")
    parser.add_argument("--engines", default="local,dask")
    parser.add_argument("--work", default="/tmp/topics-scaling", help="inputs, models and outputs")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "scaling.json"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    # the embedding cache (and the fast encoders' artifacts) of this benchmark, not the user's
    os.environ.setdefault("TOPICS_CACHE_DIR", str(work / "cache"))
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "platform": platform.platform(),
                           "load_average_at_start": list(os.getloadavg())},
               "fit": [], "embed": [], "throughput": None, "assign": []}
    fit_sizes = [int(x) for x in args.fit.split(",") if x]
    fit_features = [f for f in args.features.split(",") if f] if fit_sizes else []
    if Path(args.out).is_file():  # keep the sections that are not run this time
        earlier = json.loads(Path(args.out).read_text())
        runs = {(int(x), e) for x in args.assign.split(",") if x for e in args.engines.split(",")}
        results["machine"] = {**earlier.get("machine", {}), **results["machine"]}
        results["fit"] = [r for r in earlier.get("fit", [])
                          if (r["n"], r.get("features", "tfidf")) not in {(n, f) for n in fit_sizes
                                                                           for f in fit_features}]
        results["embed"] = [r for r in earlier.get("embed", [])
                            if "embeddings" not in fit_features or r["encoder"] != args.encoder]
        results["assign"] = [r for r in earlier.get("assign", []) if (r["n"], r["engine"]) not in runs]
        results["throughput"] = earlier.get("throughput")
    model = work / "model-20000"
    if "embeddings" in fit_features:  # every text of the fit corpora, embedded once into the cache
        row = {"load_average": list(os.getloadavg()), **measure(["_embed", str(work), args.encoder])}
        results["embed"].append(row)
        print(f"embed {row['n_embedded']:,} texts with {args.encoder}: {row['embed_seconds']:.1f} s, "
              f"{row['docs_per_second']} docs/s, {row['peak_rss_mb']:,} MB peak", flush=True)
    if args.throughput:
        row = measure(["_throughput", str(work), args.throughput, str(args.throughput_texts), "3"])
        results["throughput"] = row
        print(f"throughput on {row['n_texts']} texts: {row['median_docs_per_second']} docs/s (median of "
              f"3 rounds), load {row['load_average_during']}", flush=True)
        save_results(results, args.out)
    for features in fit_features:
        for n in fit_sizes:
            save = str(model) if n == 20_000 and features == "tfidf" else ""
            encoder = args.encoder if features == "embeddings" else "all-MiniLM-L6-v2"
            row = measured(["_fit", str(n), features, save, str(work), encoder], n=n, features=features,
                           **({"encoder": encoder} if features == "embeddings" else {}))
            results["fit"].append(row)
            print(f"fit {features} {n:>7,}: {row['fit_seconds']:6.1f} s fit, {row['wall_seconds']:6.1f} s "
                  f"wall, {row['cpu_seconds']:6.1f} s cpu, {row['peak_rss_mb']:,} MB peak, "
                  f"{row['n_documents']:,} docs, {row['n_topics']} topics, stages {row['stages']}, "
                  f"load {row['load_average_before'][0]:.1f}", flush=True)
            save_results(results, args.out)
    sizes = [int(x) for x in args.assign.split(",") if x]
    if sizes:
        if not (model / "model.json").is_file():
            measure(["_fit", "20000", "tfidf", str(model), str(work), "all-MiniLM-L6-v2"])
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
                row = measured(["_assign", str(model), str(subset), str(out), engine], n=n, engine=engine)
                results["assign"].append(row)
                print(f"assign {n:>9,} {engine:>5}: {row['assign_seconds']:6.1f} s, "
                      f"{row['cpu_seconds']:.0f} s cpu, "
                      f"{row['peak_rss_mb']:,} MB peak, {row['rows_assigned']:,} rows, "
                      f"complete={row['complete']}", flush=True)
                save_results(results, args.out)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    save_results(results, args.out)
    print(f"results: {args.out}")


def measured(child: list[str], **fields) -> dict:
    """`fields`, the measurement of `child` (see `measure`) and the load average just before and after."""
    load = list(os.getloadavg())
    return {**fields, **measure(child), "load_average_before": load,
            "load_average_after": list(os.getloadavg())}


def save_results(results: dict, out: str) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_fit":
        n, features, save, work, encoder = sys.argv[2:7]
        print(json.dumps(child_fit(int(n), features, save or None, work, encoder)))
    elif len(sys.argv) > 1 and sys.argv[1] == "_throughput":
        work, encoders, n, rounds = sys.argv[2:6]
        print(json.dumps(child_throughput(work, encoders, int(n), int(rounds))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_embed":
        print(json.dumps(child_embed(*sys.argv[2:4])))
    elif len(sys.argv) > 1 and sys.argv[1] == "_assign":
        print(json.dumps(child_assign(*sys.argv[2:6])))
    else:
        main()
