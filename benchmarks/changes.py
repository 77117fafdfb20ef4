"""How stable a continued fit is (`TopicModel.fit(corpus, previous=model)`, issue 23) against a fresh one.

    python benchmarks/changes.py                  # rewrites docs/benchmarks.md "changes.py"
    python benchmarks/changes.py --arxiv-sample 0 # the whole arXiv corpus (slower)

Two corpora grow: AI-conference papers fitted on 2020-2022, then on 2020-2024; arXiv CS 2025 fitted on
January-June, then on January-November (the month from the arXiv id, 2503.01234 is March). A third run
makes a subject truly new: arXiv January-June without one category (`NEW_AREA`), then all of
January-November; there the share of that category's papers put in topics flagged new is measured too.
Each fit runs on `topics.TopicModel` defaults (TF-IDF); the later corpus is fitted twice: continued from
the earlier model, and fresh (matched to the earlier model afterwards by `topics.changes.follow`, the
reference). Measured: the share of the earlier papers whose topic (theme) is the one matched to their
earlier topic (theme); the share of earlier topics matched; the topics flagged new and the precision of
"new" (the share of a new topic's papers from the new period); fit times; NMI of topics and themes against
the corpus labels (AI areas, arXiv categories). Raw results: benchmarks/results/changes.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _doc import RESULTS, provenance, write_section  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
# a subject left out of the earlier corpus: arXiv's Sound category (speech, audio, music), which no other
# category of the corpus covers (AI-conference areas overlap: without "Game Theory and Economics" the
# earlier topics on auctions, voting and games already held 208 papers from other areas)
NEW_AREA = "cs.SD"


def corpora(arxiv_sample: int) -> dict[str, tuple[pd.DataFrame, np.ndarray, str]]:
    """name -> (corpus, is_later, what the periods are)."""
    import topics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", topics.TopicsWarning)
        ai = topics.read_corpus(DATA / "ai-conference-papers.csv.gz")
        arxiv = topics.read_corpus(DATA / "arxiv-cs-2025.csv.gz")
    years = pd.read_csv(DATA / "ai-conference-papers.csv.gz", usecols=["id", "year"])
    year = ai["id"].map(dict(zip(years["id"].astype(str), years["year"], strict=True))).to_numpy()
    months = arxiv["id"].astype(str).str[2:4].astype(int).to_numpy()
    sampled = ""
    if arxiv_sample and arxiv_sample < len(arxiv):
        rows = np.sort(np.random.RandomState(0).choice(len(arxiv), arxiv_sample, replace=False))
        arxiv, months = arxiv.iloc[rows].reset_index(drop=True), months[rows]
        sampled = f", a sample of {arxiv_sample:,} drawn with seed 0"
    held_out = (arxiv["label"] == NEW_AREA).to_numpy()
    return {
        "AI-conference papers": (ai, year > 2022, "2020-2022, then 2020-2024"),
        "arXiv CS 2025": (arxiv, months > 6, f"January-June, then January-November{sampled}"),
        # a subject truly new to the later corpus: one area left out of the earlier one
        f"arXiv CS 2025, {NEW_AREA} new": (
            arxiv, (months > 6) | held_out,
            f"January-June without {NEW_AREA}, then January-November with it{sampled}"),
    }


def measure(name: str, corpus: pd.DataFrame, later: np.ndarray, periods: str) -> dict:
    """Fit the earlier papers, then all papers continued and fresh; the numbers of the docstring."""
    import topics
    from topics import changes

    def fit(documents, previous=None):
        started = time.perf_counter()
        model = topics.TopicModel(progress=False).fit(documents, previous=previous)
        return model, time.perf_counter() - started

    earlier, earlier_seconds = fit(corpus[~later].reset_index(drop=True))
    continued, continued_seconds = fit(corpus, previous=earlier)
    fresh, fresh_seconds = fit(corpus)
    matched_fresh = copy.deepcopy(fresh)
    changes.follow(matched_fresh, earlier)
    result = {"corpus": name, "periods": periods, "earlier_documents": int(earlier.n_documents_),
              "documents": int(fresh.n_documents_), "earlier_topics": int(earlier.n_topics_),
              "earlier_themes": int(earlier.n_themes_), "seed_strength": changes.SEED_STRENGTH,
              "earlier_fit_seconds": round(earlier_seconds, 1)}
    for kind, model, seconds in (("continued", continued, continued_seconds),
                                 ("fresh", matched_fresh, fresh_seconds)):
        result[kind] = stability(model, earlier) | {
            "fit_seconds": round(seconds, 1), "topics": int(model.n_topics_), "themes": int(model.n_themes_),
            "topic_nmi": round(nmi(model, model.document_topics_), 4),
            "theme_nmi": round(nmi(model, model.document_themes_), 4),
        }
    result["fresh"]["fit_seconds"] = round(fresh_seconds, 1)
    return result


def nmi(model, groups: np.ndarray) -> float:
    labels = model.corpus_["label"].astype(str).to_numpy()
    return float(normalized_mutual_info_score(labels, groups))


def stability(model, earlier) -> dict:
    """Earlier papers keeping their (matched) topic and theme, topics matched, the new ones' precision, and
    the share of the papers of `NEW_AREA` that are in topics flagged new (when it was left out before)."""
    from topics.changes import pair_papers

    pairing = pair_papers(earlier.corpus_, model.corpus_)
    topic_ids = np.asarray(model.previous_["topic_ids"])
    theme_ids = np.asarray(model.previous_["theme_ids"])
    before_topics = earlier.document_topics_[pairing.old]
    after_topics = model.document_topics_[pairing.new]
    before_themes = earlier.document_themes_[pairing.old]
    after_themes = model.document_themes_[pairing.new]
    keep_topic = np.where(after_topics >= 0, topic_ids[np.maximum(after_topics, 0)], -2) == before_topics
    keep_theme = np.where(after_themes >= 0, theme_ids[np.maximum(after_themes, 0)], -2) == before_themes
    table = model.changes_
    new = table[(table["level"] == "topic") & (table["status"] == "new")]
    precision = (new["new_papers"] / new["papers_after"].clip(lower=1)).tolist()
    statuses = table[table["level"] == "topic"]["status"].value_counts().to_dict()
    return {
        "keep_topic": round(float(keep_topic.mean()), 3),
        "keep_topic_number": round(float((after_topics == before_topics).mean()), 3),
        "keep_theme": round(float(keep_theme.mean()), 3),
        "earlier_topics_matched": round(float((topic_ids >= 0).sum() / earlier.n_topics_), 3),
        "new_topics": len(new),
        "new_precision_mean": round(float(np.mean(precision)), 3) if precision else None,
        "new_precision_pooled": round(float(new["new_papers"].sum() / max(new["papers_after"].sum(), 1)), 3)
        if len(new) else None,
        "statuses": {k: int(v) for k, v in statuses.items()},
        "new_area_in_new_topics": _new_area_recall(model, earlier, new["id"].astype(int).tolist()),
    }


def _new_area_recall(model, earlier, new_topics: list[int]) -> float | None:
    """Share of the `NEW_AREA` papers put in a topic flagged new; None when the area was there before."""
    if "label" not in earlier.corpus_.columns or (earlier.corpus_["label"] == NEW_AREA).any():
        return None
    area = (model.corpus_["label"] == NEW_AREA).to_numpy()
    if not area.any():
        return None
    return round(float(np.isin(model.document_topics_[area], new_topics).mean()), 3)


def section(results: list[dict], command: str) -> str:
    def cell(value):
        return "—" if value is None else f"{value}"

    lines = [
        provenance(command),
        "",
        "A continued fit (`fit(all, previous=earlier)`: the earlier papers' topics seed UMAP, target weight "
        f"{results[0]['seed_strength']}, then matching and renumbering) against a fresh fit of all papers "
        "matched to the earlier model afterwards. *keep topic*: share of the earlier papers whose topic is "
        "the one matched to their earlier topic (target >= 0.85); *new precision*: share of a flagged-new "
        "topic's papers from the new period, mean over the new topics (target >= 0.8). TF-IDF defaults.",
        "",
        "| corpus | periods | fit | docs before → after | topics before → after | keep topic | keep theme | "
        "earlier topics matched | new topics | new precision | fit s | NMI topics | NMI themes |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind in ("continued", "fresh"):
            k = r[kind]
            lines.append(
                f"| {r['corpus']} | {r['periods']} | {kind} | "
                f"{r['earlier_documents']:,} → {r['documents']:,} | "
                f"{r['earlier_topics']} → {k['topics']} | {k['keep_topic']} | {k['keep_theme']} | "
                f"{k['earlier_topics_matched']} | {k['new_topics']} | {cell(k['new_precision_mean'])} | "
                f"{k['fit_seconds']} | {k['topic_nmi']} | {k['theme_nmi']} |")
    lines += ["", "Topic statuses of the continued fits: " + "; ".join(
        f"{r['corpus']}: " + ", ".join(f"{v} {s}" for s, v in r["continued"]["statuses"].items())
        for r in results) + "."]
    for r in results:
        for kind in ("continued", "fresh"):
            recall = r[kind].get("new_area_in_new_topics")
            if recall is not None:
                lines.append(f"{r['corpus']}, {kind} fit: {recall:.0%} of the {NEW_AREA} papers are in "
                             f"topics flagged new ({r[kind]['new_topics']} new topics).")
    if not any(r[kind]["new_topics"] for r in results for kind in ("continued", "fresh")):
        lines.append("No topic was flagged new (a new topic is unmatched and at least half new papers; the "
                     "others are told as split or merged from the earlier topics), so the precision of "
                     "\"new\" could not be measured on these runs.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run both corpora, write the JSON results and the docs section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arxiv-sample", type=int, default=10_000,
                        help="arXiv papers drawn with seed 0 (0: all 22,628)")
    args = parser.parse_args(argv)
    results = []
    for name, (corpus, later, periods) in corpora(args.arxiv_sample).items():
        results.append(measure(name, corpus, later, periods))
        print(json.dumps(results[-1], indent=1), flush=True)
    (RESULTS / "changes.json").write_text(json.dumps(results, indent=1) + "\n")
    command = "python benchmarks/changes.py" + (f" --arxiv-sample {args.arxiv_sample}"
                                                if args.arxiv_sample != 10_000 else "")
    write_section("changes.py", section(results, command))


if __name__ == "__main__":
    main()
