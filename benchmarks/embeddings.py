"""Fast encoders against sentence-transformers MiniLM: throughput and topic quality, in one run.

    python benchmarks/embeddings.py --encoders all-MiniLM-L6-v2 minilm-onnx-int8 minilm-onnx-int8:64 \
        minilm-hybrid:64

rewrites the "Fast encoders" section of docs/benchmarks.md and benchmarks/results/embeddings.json (the
vectors go through the usual embedding cache, so a rerun does not re-encode the corpora).

Throughput: documents per second of each encoder on the same 250 AI-conference abstracts (a fixed random
sample), through `topics.embeddings.embed` without the cache (so tokenisation, batching and normalisation
count), encoders loaded and artifacts built beforehand. The encoders take turns (never in parallel) for
`--rounds` rounds. docs/s is the median over the rounds; the speed-up is the median over the rounds of
the encoder's rate divided by the reference's rate in the same round, which cancels most of the load of
other jobs on a shared machine (that load changes within minutes, so one encoder's best round against
another's would flatter whichever ran in a quiet moment).

Quality, on BBC News and AI-conference papers (full corpora as `topics.read_corpus` gives them):
- `TopicModel(features="embeddings", embedding_model=NAME, random_state=SEED)` with default settings for each
  of `--seeds` (42 1 7), scored by `topics.evaluate` against the corpus labels: theme and topic NMI as the
  mean over the seeds (theme NMI moves by ~0.03 between seeds, with the number of themes), NPMI and
  diversity of the first seed;
- fixed-k NMI: KMeans with k = the number of labels (n_init=10, seeds 0, 1, 2; mean) on the encoder's
  vectors, independent of how many topics or themes the model picks.
Full-corpus vectors go through the embedding cache (`--cache-dir`), so a rerun does not re-encode. For
sentence-transformers the vectors of `--baseline-dir/<dataset>.npy` (all CSV rows, CSV order) are used if
given; an encoder whose vectors equal sentence-transformers' on the throughput sample (mean cosine >=
0.9999, e.g. `minilm-onnx`) gets the sentence-transformers quality row (marked "(a)"). "cut" is how many
documents of each corpus are longer than what the encoder's transformer reads (the count its warning gives).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import topics  # noqa: E402
from topics.embeddings import embed  # noqa: E402
from topics.encoders import get_encoder, window  # noqa: E402

DATA = Path(os.environ.get("TOPICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
if not DATA.exists():
    DATA = Path("/work/shared/data")
DATASETS = {"bbc-news": "BBC News", "ai-conference-papers": "AI-conference"}
BASELINE = "all-MiniLM-L6-v2"
ENCODERS = [
    BASELINE,
    "minilm-onnx",
    "minilm-onnx-int8",
    "minilm-onnx-int8:128",
    "minilm-onnx-int8:96",
    "minilm-onnx-int8:64",
    "minilm-static",
    "minilm-hybrid",
    "minilm-hybrid:96",
    "minilm-hybrid:64",
]
KMEANS_SEEDS = (0, 1, 2)
SEEDS = (42, 1, 7)


def corpus(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.read_corpus(DATA / f"{name}.csv.gz")


def baseline_vectors(name: str, table: pd.DataFrame, directory: Path) -> np.ndarray:
    rows = pd.read_csv(DATA / f"{name}.csv.gz", usecols=["id"])["id"].astype(str)
    position = {key: i for i, key in enumerate(rows)}
    return np.load(directory / f"{name}.npy")[[position[key] for key in table["id"]]]


def throughput(encoders: list[str], texts: list[str], rounds: int) -> dict[str, dict]:
    """Median docs/s of each encoder over `rounds` turns, its median speed-up over the first encoder in
    the same turn, and its vectors of `texts`."""
    for name in encoders:  # build artifacts and warm the imports and sessions outside the clock
        get_encoder(name)
        embed(texts[:32], name, use_cache=False, progress=False)
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    vectors: dict[str, np.ndarray] = {}
    for turn in range(rounds):
        for name in encoders:
            started = time.perf_counter()
            vectors[name] = embed(texts, name, use_cache=False, progress=False)
            rates[name].append(len(texts) / (time.perf_counter() - started))
            print(f"round {turn + 1}: {name} {rates[name][-1]:.1f} docs/s", file=sys.stderr, flush=True)
    reference = np.array(rates[encoders[0]])
    return {
        name: {
            "docs_per_s": float(np.median(rates[name])),
            "speedup": float(np.median(np.array(rates[name]) / reference)),
            "rounds": rates[name],
            "vectors": vectors[name],
        }
        for name in encoders
    }


def kmeans_nmi(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Mean NMI of KMeans(k = number of labels) over a few seeds."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    k = len(set(labels))
    scores = [
        normalized_mutual_info_score(labels, KMeans(k, n_init=10, random_state=seed).fit_predict(vectors))
        for seed in KMEANS_SEEDS
    ]
    return float(np.mean(scores))


def quality(name: str, dataset: str, table: pd.DataFrame, args) -> dict:
    if name == BASELINE and args.baseline_dir:
        embeddings = baseline_vectors(dataset, table, Path(args.baseline_dir))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            embeddings = embed(table["text"].tolist(), name, cache_dir=args.cache_dir, progress=True)
    runs = []
    for seed in args.seeds:
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = topics.TopicModel(
                features="embeddings", embedding_model=name, random_state=seed, progress=False
            )
            model.fit(table, embeddings=embeddings)
            metrics = topics.evaluate(model, labels="label")
        runs.append({
            "seed": seed,
            "topics": int(model.n_topics_),
            "themes": int(model.n_themes_),
            "theme_nmi": metrics["theme_nmi"],
            "topic_nmi": metrics["topic_nmi"],
            "npmi": metrics["npmi"],
            "diversity": metrics["diversity"],
            "fit_s": time.perf_counter() - started,
        })
    reads = window(name)
    return {
        "theme_nmi": float(np.mean([run["theme_nmi"] for run in runs])),
        "topic_nmi": float(np.mean([run["topic_nmi"] for run in runs])),
        "kmeans_nmi": kmeans_nmi(embeddings, table["label"].to_numpy()),
        "npmi": runs[0]["npmi"],
        "diversity": runs[0]["diversity"],
        "cut": reads.count(table["text"].tolist()) if reads else None,
        "documents": len(table),
        "seeds": runs,
    }


def _per_seed(quality: dict, key: str, digits: int = 3) -> str:
    return "/".join(f"{run[key]:.{digits}f}" if digits else str(run[key]) for run in quality["seeds"])


def markdown(results: list[dict]) -> str:
    """Two tables: speed and the means over seeds, then each seed's theme NMI and number of themes."""
    reference = results[0]
    lines = [
        "| encoder | docs/s | speed-up | cosine to MiniLM | cut BBC / AI | NMI themes BBC / AI (mean) "
        "| vs reference | NMI topics BBC / AI (mean) | NMI KMeans-k BBC / AI | NPMI BBC / AI "
        "| diversity BBC / AI |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, a = r["bbc-news"], r["ai-conference-papers"]
        note = " (a)" if r.get("baseline_vectors") else ""
        base = reference["bbc-news"], reference["ai-conference-papers"]
        gap = [b["theme_nmi"] - base[0]["theme_nmi"], a["theme_nmi"] - base[1]["theme_nmi"]]
        cut = " / ".join(f"{q['cut']:,}" if q.get("cut") is not None else "?" for q in (b, a))
        lines.append(
            f"| `{r['encoder']}`{note} | {r['docs_per_s']:.1f} | {r['speedup']:.1f}x | "
            f"{r['cosine']:.3f} | {cut} | "
            f"{b['theme_nmi']:.3f} / {a['theme_nmi']:.3f} | {gap[0]:+.3f} / {gap[1]:+.3f} | "
            f"{b['topic_nmi']:.3f} / {a['topic_nmi']:.3f} | {b['kmeans_nmi']:.3f} / {a['kmeans_nmi']:.3f} | "
            f"{b['npmi']:.3f} / {a['npmi']:.3f} | {b['diversity']:.3f} / {a['diversity']:.3f} |"
        )
    seeds = "/".join(str(run["seed"]) for run in reference["bbc-news"]["seeds"])
    lines += [
        "",
        f"| encoder | NMI themes BBC, seeds {seeds} | themes | NMI themes AI, seeds {seeds} | themes "
        "| NMI topics BBC | NMI topics AI |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        b, a = r["bbc-news"], r["ai-conference-papers"]
        lines.append(
            f"| `{r['encoder']}` | {_per_seed(b, 'theme_nmi')} | {_per_seed(b, 'themes', 0)} | "
            f"{_per_seed(a, 'theme_nmi')} | {_per_seed(a, 'themes', 0)} | {_per_seed(b, 'topic_nmi')} | "
            f"{_per_seed(a, 'topic_nmi')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encoders", nargs="+", default=ENCODERS, help="the first one is the reference")
    parser.add_argument("--baseline-dir", help="directory of <dataset>.npy MiniLM vectors (CSV row order)")
    parser.add_argument("--cache-dir", default=None, help="embedding cache (default: the usual one)")
    parser.add_argument("--sample", type=int, default=250, help="documents for the throughput measurement")
    parser.add_argument("--rounds", type=int, default=4, help="throughput turns per encoder")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS), help="random_state of each fit")
    parser.add_argument("--json", default=str(Path(__file__).parent / "results" / "embeddings.json"),
                        help="where the raw results go")
    args = parser.parse_args(argv)

    tables = {name: corpus(name) for name in DATASETS}
    papers = tables["ai-conference-papers"]["text"].tolist()
    chosen = np.random.RandomState(0).choice(len(papers), args.sample, replace=False)
    texts = [papers[i] for i in chosen]

    speed = throughput(args.encoders, texts, args.rounds)
    reference = speed[args.encoders[0]]["vectors"]
    results = []
    for name in args.encoders:
        entry = speed[name]
        cosine = float((entry.pop("vectors") * reference).sum(1).mean())
        results.append({"encoder": name, "cosine": cosine, **entry})
        print(f"{name}: {entry['docs_per_s']:.1f} docs/s, cosine {cosine:.4f}", file=sys.stderr, flush=True)
    for result in results:
        identical = result is not results[0] and result["cosine"] >= 0.9999
        result["baseline_vectors"] = identical
        for dataset, table in tables.items():
            if identical:
                result[dataset] = dict(results[0][dataset])
            else:
                result[dataset] = quality(result["encoder"], dataset, table, args)
            print(result["encoder"], dataset, json.dumps(result[dataset]), file=sys.stderr, flush=True)
        if args.json:  # after every encoder, so an interrupted run keeps what it measured
            Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    from _doc import provenance, write_section

    command = " ".join(["python benchmarks/embeddings.py", *(argv if argv is not None else sys.argv[1:])])
    text = (
        "## Fast encoders against sentence-transformers MiniLM\n\n"
        + provenance(command, ("topics", "sentence_transformers", "onnxruntime"))
        + "; raw results in `benchmarks/results/embeddings.json`.\n\n"
        f"Throughput: {args.sample} AI-conference abstracts through `topics.embeddings.embed` without the "
        f"cache, encoders taking turns for {args.rounds} rounds; docs/s the median round, speed-up the "
        "median of the per-round ratios to the first encoder (which cancels most of the load of other jobs). "
        "Quality: default `TopicModel(features=\"embeddings\", embedding_model=NAME)` on BBC News and "
        "AI-conference papers for each seed, scored against the corpus labels; KMeans-k: KMeans with k = "
        "the number of labels on the encoder's vectors. \"cut\": documents longer than what the encoder "
        "reads. (a): the same vectors as the reference (cosine >= 0.9999), so its quality rows.\n\n"
        + markdown(results)
    )
    write_section("embeddings.py", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
