"""Fast encoders against sentence-transformers MiniLM: throughput and topic quality, in one run.

    python benchmarks/embeddings.py --baseline-dir /tmp/exp --json /tmp/encoders.json

Throughput: documents per second of each encoder on the same 500 AI-conference abstracts (a fixed random
sample), encoders loaded and artifacts built beforehand, measured one after the other (never in parallel),
through `topics.embeddings.embed` without the cache (so tokenisation, batching and normalisation count).
Quality: `TopicModel(features="embeddings", embedding_model=NAME)` with default settings on BBC News and
AI-conference papers, scored by `topics.evaluate` (theme NMI, NPMI, diversity). The full-corpus vectors go
through the embedding cache (`--cache-dir`), so a rerun does not re-encode. For sentence-transformers the
vectors of `--baseline-dir/<dataset>.npy` (all CSV rows, CSV order) are used instead of re-encoding.
"""

from __future__ import annotations

import argparse
import json
import platform
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
from topics.encoders import get_encoder  # noqa: E402

DATA = Path("/work/shared/data")
DATASETS = {"bbc-news": "BBC News", "ai-conference-papers": "AI-conference"}
BASELINE = "all-MiniLM-L6-v2"
ENCODERS = [BASELINE, "minilm-onnx", "minilm-onnx-int8", "minilm-onnx-int8:128", "minilm-static"]


def corpus(name: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.read_corpus(DATA / f"{name}.csv.gz")


def baseline_vectors(name: str, table: pd.DataFrame, directory: Path) -> np.ndarray:
    rows = pd.read_csv(DATA / f"{name}.csv.gz", usecols=["id"])["id"].astype(str)
    position = {key: i for i, key in enumerate(rows)}
    return np.load(directory / f"{name}.npy")[[position[key] for key in table["id"]]]


def throughput(name: str, texts: list[str]) -> tuple[float, np.ndarray]:
    get_encoder(name)  # build artifacts and warm the imports outside the clock
    embed(texts[:16], name, use_cache=False, progress=False)
    started = time.perf_counter()
    vectors = embed(texts, name, use_cache=False, progress=False)
    return len(texts) / (time.perf_counter() - started), vectors


def quality(name: str, dataset: str, table: pd.DataFrame, args, identical: bool) -> dict:
    """`identical`: the encoder gave the baseline's vectors on the throughput sample (cosine >= 0.9999),
    so the baseline's precomputed vectors stand in for it (said in the table)."""
    if (name == BASELINE or identical) and args.baseline_dir:
        embeddings = baseline_vectors(dataset, table, Path(args.baseline_dir))
    else:
        embeddings = embed(table["text"].tolist(), name, cache_dir=args.cache_dir, progress=True)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = topics.TopicModel(features="embeddings", embedding_model=name, progress=False)
        model.fit(table, embeddings=embeddings)
        metrics = topics.evaluate(model, labels="label")
    return {
        "topics": int(model.n_topics_),
        "themes": int(model.n_themes_),
        "theme_nmi": metrics["theme_nmi"],
        "topic_nmi": metrics["topic_nmi"],
        "npmi": metrics["npmi"],
        "diversity": metrics["diversity"],
        "fit_s": time.perf_counter() - started,
    }


def markdown(results: list[dict]) -> str:
    lines = [
        "| encoder | docs/s | speed-up | cosine to MiniLM | NMI themes BBC | NMI themes AI-conf "
        "| NMI topics BBC / AI | NPMI BBC / AI | diversity BBC / AI | topics BBC / AI |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    base = results[0]["docs_per_s"]
    for r in results:
        b, a = r["bbc-news"], r["ai-conference-papers"]
        note = " (a)" if r.get("baseline_vectors") else ""
        lines.append(
            f"| `{r['encoder']}`{note} | {r['docs_per_s']:.1f} | {r['docs_per_s'] / base:.1f}x | "
            f"{r['cosine']:.3f} | {b['theme_nmi']:.3f} | {a['theme_nmi']:.3f} | "
            f"{b['topic_nmi']:.3f} / {a['topic_nmi']:.3f} | {b['npmi']:.3f} / {a['npmi']:.3f} | "
            f"{b['diversity']:.3f} / {a['diversity']:.3f} | {b['topics']} / {a['topics']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--encoders", nargs="+", default=ENCODERS)
    parser.add_argument("--baseline-dir", help="directory of <dataset>.npy MiniLM vectors (CSV row order)")
    parser.add_argument("--cache-dir", default=None, help="embedding cache (default: the usual one)")
    parser.add_argument("--sample", type=int, default=500, help="documents for the throughput measurement")
    parser.add_argument("--json", help="write the raw results here")
    args = parser.parse_args(argv)

    tables = {name: corpus(name) for name in DATASETS}
    papers = tables["ai-conference-papers"]["text"].tolist()
    chosen = np.random.RandomState(0).choice(len(papers), args.sample, replace=False)
    texts = [papers[i] for i in chosen]

    results = []
    reference = None
    for name in args.encoders:  # throughput first, one encoder after the other
        rate, vectors = throughput(name, texts)
        reference = vectors if reference is None else reference
        cosine = float((vectors * reference).sum(1).mean())
        results.append({"encoder": name, "docs_per_s": rate, "cosine": cosine})
        print(f"{name}: {rate:.1f} docs/s, cosine {cosine:.4f}", file=sys.stderr, flush=True)
    for result in results:
        for dataset, table in tables.items():
            identical = result["encoder"] != args.encoders[0] and result["cosine"] >= 0.9999
            result["baseline_vectors"] = identical and bool(args.baseline_dir)
            result[dataset] = quality(result["encoder"], dataset, table, args, identical)
            print(result["encoder"], dataset, json.dumps(result[dataset]), file=sys.stderr, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(
        f"{platform.node()}, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}\n"
        + markdown(results)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
