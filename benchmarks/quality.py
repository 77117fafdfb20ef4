"""Quality and speed of our defaults against BERTopic 0.17 on real labelled corpora.

    python benchmarks/quality.py                    # sample papers, BBC News, AI-conference papers
    python benchmarks/quality.py --all              # + 20 Newsgroups and arXiv CS 2025 (TF-IDF only)
    python benchmarks/quality.py --embeddings-dir DIR   # reuse <dataset>.npy embeddings (CSV row order)

The run rewrites its section of docs/benchmarks.md and benchmarks/results/quality.json.

Each run (dataset x features x model) is a fresh subprocess, so fit time and peak memory (maximum resident
set size of that process, imports included) are measured alike. Both models get the *same vectors*:
MiniLM embeddings for "embeddings"; for "tfidf" our TF-IDF + LSA vectors, passed to BERTopic as its
embeddings. BERTopic runs its recommended setup: CountVectorizer(stop_words="english"), default UMAP
and HDBSCAN. NPMI (document co-occurrence, top 10 words, corpus as reference) and diversity are computed by
`topics.evaluation` for both, each model's words looked up in its own tokenisation. BERTopic has no themes;
its -1 outliers count as one cluster in NMI/ARI. The table goes to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DATASETS = {
    "sample": None,
    "bbc-news": "bbc-news.csv.gz",
    "ai-conference-papers": "ai-conference-papers.csv.gz",
    "20newsgroups": "20newsgroups.csv.gz",
    "arxiv-cs-2025": "arxiv-cs-2025.csv.gz",
}
DEFAULT_DATASETS = ["sample", "bbc-news", "ai-conference-papers"]
LARGE_DATASETS = ["20newsgroups", "arxiv-cs-2025"]  # with --all: TF-IDF only (MiniLM: 15-20 min each)


# ------------------------------------------------------------------------------------------ one run
def _load(dataset: str, data_dir: Path):
    import numpy as np
    import pandas as pd

    import topics

    if dataset == "sample":
        return topics.datasets.load_sample_papers(), None
    path = data_dir / DATASETS[dataset]
    corpus = topics.read_corpus(path)
    raw = pd.read_csv(path, usecols=["id"])["id"].astype(str)
    # read_corpus makes repeated ids unique as "<id>-2", "<id>-3", ... in file order (20 Newsgroups)
    occurrence = raw.groupby(raw).cumcount() + 1
    keys = raw.where(occurrence == 1, raw + "-" + occurrence.astype(str))
    rows = pd.Series(np.arange(len(raw)), index=keys).loc[corpus["id"].astype(str)].to_numpy()
    return corpus, rows


def _embeddings(dataset: str, corpus, rows, embeddings_dir: str | None):
    import numpy as np

    if embeddings_dir and dataset != "sample":
        path = Path(embeddings_dir) / f"{dataset}.npy"
        if path.exists():
            return np.load(path)[rows]
    from topics.embeddings import embed

    return embed(corpus["text"].tolist(), "all-MiniLM-L6-v2", progress=False)


def _lsa(corpus):
    from topics import defaults  # noqa: F401
    from topics.features import LsaProjection, Vocabulary

    texts = corpus["text"].tolist()
    vocabulary, counts = Vocabulary.fit(texts)
    _, vectors = LsaProjection.fit(vocabulary.tfidf(counts), 42, texts, vocabulary)
    return vectors


def run_one(dataset: str, features: str, model: str, data_dir: Path, embeddings_dir: str | None) -> dict:
    import warnings

    import numpy as np

    warnings.filterwarnings("ignore")
    from topics.evaluation import label_agreement, tokenize, topic_coherence_npmi, topic_diversity

    corpus, rows = _load(dataset, data_dir)
    vectors = _embeddings(dataset, corpus, rows, embeddings_dir) if features == "embeddings" else None
    texts = corpus["text"].tolist()
    labels = corpus["label"].astype(str).to_numpy() if "label" in corpus.columns else None
    result: dict = {"dataset": dataset, "features": features, "model": model, "documents": len(corpus)}
    if model == "topics":
        import topics

        started = time.perf_counter()
        fitted = topics.TopicModel(
            features="embeddings" if features == "embeddings" else "tfidf", progress=False
        ).fit(corpus, embeddings=vectors)
        result["fit_s"] = time.perf_counter() - started
        metrics = topics.evaluate(fitted, labels=labels)
        result.update(
            topics=fitted.n_topics_,
            themes=fitted.n_themes_,
            outliers=metrics["outlier_share"],
            npmi=metrics["npmi"],
            npmi_window=metrics["npmi_window"],
            diversity=metrics["diversity"],
        )
        for key in ("topic_nmi", "topic_ari", "theme_nmi", "theme_ari"):
            result[key] = metrics.get(key)
    else:
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer

        if vectors is None:
            started = time.perf_counter()
            vectors = _lsa(corpus)  # our own features, handed to BERTopic as its embeddings
            result["features_s"] = time.perf_counter() - started
        vectorizer = CountVectorizer(stop_words="english")
        started = time.perf_counter()
        bertopic = BERTopic(vectorizer_model=vectorizer)
        assigned, _ = bertopic.fit_transform(texts, embeddings=np.asarray(vectors))
        result["fit_s"] = time.perf_counter() - started + result.pop("features_s", 0.0)
        assigned = np.asarray(assigned)
        words = [[w for w, _ in bertopic.get_topic(t)][:10] for t in sorted(set(assigned.tolist()) - {-1})]
        words = [w for w in words if w]
        analyzer = vectorizer.build_analyzer()
        token_lists = [analyzer(t) for t in texts]
        result.update(
            topics=len(words),
            themes=None,
            outliers=float((assigned == -1).mean()),
            npmi=topic_coherence_npmi(words, token_lists),
            npmi_window=topic_coherence_npmi(words, token_lists, window=10),
            diversity=topic_diversity(words),
        )
        if labels is not None:
            agreement = label_agreement(labels, assigned)
            result.update(
                topic_nmi=agreement["nmi"], topic_ari=agreement["ari"], theme_nmi=None, theme_ari=None
            )
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del tokenize
    return result


# ------------------------------------------------------------------------------------------ driver
def _fmt(value, digits=3):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(results: list[dict]) -> str:
    head = (
        "| dataset | features | model | docs | topics | themes | outliers | NMI themes | ARI themes | "
        "NMI topics | ARI topics | NPMI (doc) | NPMI (window 10) | diversity | fit s | peak MB |\n"
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for r in results:
        if "error" in r:
            lines.append(
                f"| {r['dataset']} | {r['features']} | {r['model']} | error: {r['error']} |" + " |" * 12
            )
            continue
        lines.append(
            f"| {r['dataset']} | {r['features']} | {r['model']} | {r['documents']} | {r['topics']} | "
            f"{_fmt(r['themes'])} | {r['outliers']:.1%} | "
            f"{_fmt(r.get('theme_nmi'))} | {_fmt(r.get('theme_ari'))} | "
            f"{_fmt(r.get('topic_nmi'))} | {_fmt(r.get('topic_ari'))} | {_fmt(r['npmi'])} | "
            f"{_fmt(r['npmi_window'])} | {_fmt(r['diversity'])} | {r['fit_s']:.1f} | {r['peak_mb']:.0f} |"
        )
    return head + "\n".join(lines) + "\n"


def write_doc(results: list[dict], command: str) -> None:
    """Rewrite the "Quality and speed against BERTopic" section of docs/benchmarks.md."""
    from _doc import provenance, write_section

    text = (
        "## Quality and speed against BERTopic\n\n"
        + provenance(command, ("topics", "bertopic", "umap", "hdbscan", "sklearn"))
        + "; raw results in `benchmarks/results/quality.json`.\n\n"
        "Both models get the same vectors: MiniLM (all-MiniLM-L6-v2) embeddings, or for `tfidf` our "
        "TF-IDF + LSA (and, from 1,000 documents, word-context) "
        'vectors handed to BERTopic as its embeddings. BERTopic: `CountVectorizer(stop_words="english")`, '
        "default UMAP and HDBSCAN. NMI/ARI against the datasets' labels (BBC: 5 sections; AI-conference: 17 "
        "areas; 20 Newsgroups: 20 groups; arXiv: primary category); BERTopic has no themes and its -1 counts "
        "as one cluster. NPMI: top 10 words, corpus as "
        "reference, document co-occurrence (our default) and gensim-style 10-token sliding windows; "
        "each model's "
        "words are looked up in its own tokenisation. "
        "Diversity: unique words over the top 10 of every topic. "
        "Fit time: fit only (features given; for BERTopic on `tfidf` it includes computing the LSA vectors), "
        "in a fresh process with numba's cache warm. Peak MB: maximum resident set of that process, imports "
        "included. Timings are wall-clock on a shared 2-core machine. 20 Newsgroups and arXiv CS 2025 run "
        "with TF-IDF only (MiniLM needs 15-20 minutes for each on 2 cores).\n\n" + markdown(results)
    )
    write_section("quality.py", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--all", action="store_true", help="also 20 Newsgroups and arXiv CS 2025")
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), help="datasets to run")
    parser.add_argument(
        "--features", nargs="+", default=["tfidf", "embeddings"], choices=["tfidf", "embeddings"]
    )
    parser.add_argument("--models", nargs="+", default=["topics", "bertopic"], choices=["topics", "bertopic"])
    parser.add_argument("--data-dir", default=str(DATA))
    parser.add_argument(
        "--embeddings-dir", help="directory of <dataset>.npy embeddings in the CSV's row order"
    )
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "quality.json"),
                        help="where the raw results go")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: dataset,features,model in this process
    args = parser.parse_args(argv)

    if args.one:
        dataset, features, model = args.one.split(",")
        print(json.dumps(run_one(dataset, features, model, Path(args.data_dir), args.embeddings_dir)))
        return 0

    datasets = args.datasets or (list(DATASETS) if args.all else DEFAULT_DATASETS)
    results = []
    for dataset in datasets:
        if DATASETS[dataset] and not (Path(args.data_dir) / DATASETS[dataset]).exists():
            print(f"skipping {dataset}: {Path(args.data_dir) / DATASETS[dataset]} is absent", file=sys.stderr)
            continue
        large = dataset in LARGE_DATASETS and not args.datasets
        for features in [f for f in args.features if not (large and f == "embeddings")]:
            for model in args.models:
                command = [
                    sys.executable,
                    __file__,
                    "--one",
                    f"{dataset},{features},{model}",
                    "--data-dir",
                    args.data_dir,
                ]
                if args.embeddings_dir:
                    command += ["--embeddings-dir", args.embeddings_dir]
                print(f"{dataset} / {features} / {model} ...", file=sys.stderr, flush=True)
                done = subprocess.run(command, capture_output=True, text=True)
                if done.returncode != 0:
                    error = (done.stderr.strip().splitlines() or ["failed"])[-1][:200]
                    results.append({"dataset": dataset, "features": features, "model": model, "error": error})
                else:
                    results.append(json.loads(done.stdout.strip().splitlines()[-1]))
                print("   ", json.dumps(results[-1]), file=sys.stderr, flush=True)
    shown = " ".join(["python benchmarks/quality.py", *(argv if argv is not None else sys.argv[1:])])
    write_doc(results, shown)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
