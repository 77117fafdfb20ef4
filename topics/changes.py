"""What changed since a previous model: its topics and themes matched to a new fit's, and the new fit
renumbered so that matched ones keep their numbers (`TopicModel.fit(corpus, previous=model)`).

Papers are paired by id (when the shared ids hold the same text), else by their text (with a note). Where
enough papers are shared, each level (topics, then themes) is matched by the papers it shares: one-to-one by
Hungarian assignment on the number of shared papers, a pair kept when at least half of one side's shared
papers are in the other. A previous topic whose papers go mostly (`COVER`) to two or more new topics, each
holding a real share of them (`REAL_SHARE`) and each made mostly (`MOST`) of them, is *split*; a new topic
made that way of two or more previous ones is *merged*. Other matched topics *grew* or *shrank* when their
share of the corpus changed by a quarter (`GREW`, `SHRANK`), else stayed the *same*; unmatched new topics
are *new*, unmatched previous ones *faded*. Without shared papers (a previous model of another corpus),
topics are matched by the cosine of their centroids in the new model's feature space (centred on the
corpus), which needs the same kind of features; no split or merge is told then.

Numbering: topic and theme numbers stay 0 to n-1 (every table and array of the model is indexed by them).
A matched topic keeps its previous number when that number still exists; the remaining numbers, lowest
first, go to matched topics whose previous number is beyond the new count (fewer topics than before), then
to the new topics, largest first. The same holds for themes. `changes_` says every number and its origin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from topics.errors import ModelError

if TYPE_CHECKING:
    from topics.model import TopicModel

MOST = 0.5  # a pair is matched when half of one side's shared papers are in the other
REAL_SHARE = 0.2  # each piece of a split (or part of a merge) holds at least this share of the papers
COVER = 0.6  # ... and the pieces (parts) together hold at least this share
GREW, SHRANK = 1.25, 0.8  # change of a matched topic's share of the corpus that counts as grown / shrunk
MIN_CHANGE = 2  # ... and by at least this many papers against its size scaled to the new corpus
MIN_SHARED = 0.25  # share of the previous papers that must be in the new corpus to match by papers
SAME_IDS = 0.9  # share of the shared ids whose text agrees for ids to identify papers
CONTENT_MIN = 0.5  # centred cosine of two topics' centroids for a match by content
N_TITLES = 3  # titles of new papers shown per topic
SEED_STRENGTH = 0.2  # UMAP target_weight of the previous topics when a continued fit is seeded
COLUMNS = ["level", "id", "previous", "status", "label", "previous_label", "papers_before", "papers_after",
           "kept", "new_papers", "new_titles", "note"]


@dataclass
class Pairing:
    """Rows of the new corpus (`new`) that were rows of the previous one (`old`), and how they were found."""

    new: np.ndarray
    old: np.ndarray
    by: str  # "ids", "text" or "content" (too few papers shared)
    notes: list[str] = field(default_factory=list)


def _normal(texts: pd.Series) -> np.ndarray:
    return np.array([re.sub(r"\s+", " ", str(t)).strip().lower() for t in texts], dtype=object)


def _pairs(before: np.ndarray, after: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (after, before) with equal keys; the first row of a repeated key only."""
    first: dict = {}
    for row, key in enumerate(before):
        first.setdefault(key, row)
    new = [i for i, key in enumerate(after) if key in first]
    return np.array(new, dtype=np.int64), np.array([first[after[i]] for i in new], dtype=np.int64)


def pair_papers(previous_corpus: pd.DataFrame, corpus: pd.DataFrame) -> Pairing:
    """Which papers of `corpus` were in `previous_corpus`: by id when the shared ids hold the same text,
    else by their text (with a note); "content" when fewer than `MIN_SHARED` of the previous are shared."""
    old_text, new_text = _normal(previous_corpus["text"]), _normal(corpus["text"])
    new, old = _pairs(previous_corpus["id"].astype(str).to_numpy(), corpus["id"].astype(str).to_numpy())
    needed = max(2, MIN_SHARED * len(previous_corpus))
    if len(new) >= needed and (old_text[old] == new_text[new]).mean() >= SAME_IDS:
        return Pairing(new, old, "ids")
    by_text = _pairs(old_text, new_text)
    if len(by_text[0]) >= needed:
        why = ("the two corpora share no id" if len(new) == 0 else
               f"only {(old_text[old] == new_text[new]).mean():.0%} of the {len(new):,} shared ids hold the "
               "same text")
        return Pairing(*by_text, "text", [
            f"papers matched to the previous model's by their text ({len(by_text[0]):,} of "
            f"{len(previous_corpus):,}): {why}"])
    return Pairing(new[:0], old[:0], "content", [
        f"the new corpus holds {max(len(new), len(by_text[0])):,} of the previous model's "
        f"{len(previous_corpus):,} papers, too few to match by papers: topics matched by their content"])


def seed_labels(previous: TopicModel, corpus: pd.DataFrame) -> np.ndarray | None:
    """The previous model's topic of each paper of `corpus` it held (-1 for the others), to seed a
    continued fit's UMAP; None when too few papers are shared."""
    check_previous(previous)
    pairing = pair_papers(previous.corpus_, corpus)
    if pairing.by == "content":
        return None
    labels = np.full(len(corpus), -1, dtype=np.int64)
    labels[pairing.new] = np.asarray(previous.document_topics_)[pairing.old]
    return labels


def check_previous(previous) -> None:
    """A fitted TopicModel, or a clear ModelError."""
    if not hasattr(previous, "_check_fitted"):
        raise ModelError(f"previous must be a fitted TopicModel, not {type(previous).__name__}")
    try:
        previous._check_fitted()
    except ModelError as error:
        raise ModelError("the previous model is not fitted: fit it (or load a saved one) first") from error


def _features(model: TopicModel) -> str:
    source = model._vector_source()
    if source == "encoder":
        return f"sentence embeddings ({model.embedding_model})"
    return {"tfidf": "TF-IDF", "callable": "a features function",
            "given": "vectors passed as embeddings="}[source]


# ---------------------------------------------------------------------------------------------- matching
@dataclass
class Level:
    """One level matched: for each new id its matched previous id (-1: none) and the rows of `changes_`."""

    matched: np.ndarray
    rows: list[dict]


def _match_by_papers(before: np.ndarray, after: np.ndarray, n_before: int, n_after: int) -> tuple:
    """Matched pairs, split pieces and merged parts from the labels of the shared papers."""
    shared = np.zeros((n_before, n_after))
    kept = (before >= 0) & (after >= 0)
    np.add.at(shared, (before[kept], after[kept]), 1)
    gone = np.maximum(np.bincount(before[before >= 0], minlength=n_before), 1)[:, None]  # a's shared papers
    came = np.maximum(np.bincount(after[after >= 0], minlength=n_after), 1)[None, :]  # b's shared papers
    went_to, came_from = shared / gone, shared / came  # share of a in b; share of b's from a
    matched = np.full(n_after, -1, dtype=np.int64)
    for a, b in zip(*linear_sum_assignment(shared, maximize=True), strict=True):
        if shared[a, b] > 0 and max(went_to[a, b], came_from[a, b]) >= MOST:
            matched[b] = a
    piece = (went_to >= REAL_SHARE) & (came_from >= MOST)  # b is a piece of a
    part = (went_to >= MOST) & (came_from >= REAL_SHARE)  # a is a part of b
    split = {a: np.flatnonzero(piece[a]).tolist() for a in range(n_before)
             if piece[a].sum() >= 2 and went_to[a, piece[a]].sum() >= COVER}
    merged = {b: np.flatnonzero(part[:, b]).tolist() for b in range(n_after)
              if part[:, b].sum() >= 2 and came_from[part[:, b], b].sum() >= COVER}
    return matched, split, merged, shared


def _match_by_content(similarity: np.ndarray) -> np.ndarray:
    matched = np.full(similarity.shape[1], -1, dtype=np.int64)
    for a, b in zip(*linear_sum_assignment(similarity, maximize=True), strict=True):
        if similarity[a, b] >= CONTENT_MIN:
            matched[b] = a
    return matched


def numbers(matched: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The final number of each new id: its match's number when it still exists, else the lowest free
    numbers, first to matches beyond the new count (by previous number), then to new ones (largest first)."""
    n = len(matched)
    final = np.full(n, -1, dtype=np.int64)
    keep = (matched >= 0) & (matched < n)
    final[keep] = matched[keep]
    free = iter(sorted(set(range(n)) - set(final[keep].tolist())))
    beyond = sorted(np.flatnonzero(matched >= n), key=lambda b: matched[b])
    fresh = sorted(np.flatnonzero(matched < 0), key=lambda b: (-sizes[b], b))
    for b in [*beyond, *fresh]:
        final[b] = next(free)
    return final


def _status(before: int, after: int, n_before: int, n_after: int) -> str:
    expected = before * n_after / max(n_before, 1)
    if after >= GREW * expected and after - expected >= MIN_CHANGE:
        return "grew"
    if after <= SHRANK * expected and expected - after >= MIN_CHANGE:
        return "shrank"
    return "same"


def _level_rows(level: str, context: dict, matched: np.ndarray, split: dict, merged: dict,
                shared: np.ndarray | None) -> list[dict]:
    """The rows of `changes_` for one level, ids already final on both sides."""
    before_sizes, after_sizes = context["before_sizes"], context["after_sizes"]
    n_before, n_after = context["n_before"], context["n_after"]
    before_labels, after_labels = context["before_labels"], context["after_labels"]
    pieces = {b: a for a, bs in split.items() for b in bs}
    rows, told = [], set()
    for b in range(len(after_sizes)):
        a = int(matched[b])
        note = ""
        if b in merged:
            previous, status = sorted(merged[b], key=lambda p: (p != a, p)), "merged"
        elif b in pieces:
            previous, status = [pieces[b]], "split"
        elif a >= 0:
            previous, note = [a], ""
            status = _status(int(before_sizes[a]), int(after_sizes[b]), n_before, n_after)
        else:
            previous, status, note = _unmatched(shared, b, context)
        told.update(previous)
        note = "" if a < 0 else note
        if a >= 0 and a != b:
            note = f"was {level} {a} (numbers stay 0 to {len(after_sizes) - 1})"
        rows.append({
            "level": level, "id": b, "previous": previous, "status": status, "label": after_labels[b],
            "previous_label": " + ".join(before_labels[p] for p in previous),
            "papers_before": int(sum(before_sizes[p] for p in previous)), "papers_after": int(after_sizes[b]),
            "kept": int(sum(shared[p, b] for p in previous)) if shared is not None else 0,
            "new_papers": int(context["new_counts"][b]), "new_titles": context["new_titles"][b], "note": note,
        })
    for a in range(len(before_sizes)):
        if a in told:
            continue
        note = ""
        if shared is not None and shared[a].sum() > 0:
            where = int(np.argmax(shared[a]))
            note = (f"{int(shared[a].sum()):,} of its papers remain; most ({int(shared[a, where]):,}) are in "
                    f"{level} {where}")
        rows.append({
            "level": level, "id": pd.NA, "previous": [a], "status": "faded", "label": before_labels[a],
            "previous_label": before_labels[a], "papers_before": int(before_sizes[a]), "papers_after": 0,
            "kept": 0, "new_papers": 0, "new_titles": [], "note": note,
        })
    return rows


def _unmatched(shared: np.ndarray | None, b: int, context: dict) -> tuple[list[int], str, str]:
    """previous, status and note of a new topic that matched none: *new* when at least half of its papers
    are new; made mostly of earlier papers, a *split* from the one previous topic, or a *merge* of the
    previous topics, that hold a real share (`REAL_SHARE`) of those papers."""
    earlier = None if shared is None else shared[:, b]
    if earlier is None or earlier.sum() == 0 or 2 * context["new_counts"][b] >= context["after_sizes"][b]:
        return [], "new", ""
    shares = earlier / earlier.sum()
    sources = [int(a) for a in np.argsort(-shares, kind="stable") if shares[a] >= REAL_SHARE]
    if not sources:
        return [], "new", f"{int(earlier.sum()):,} of its papers were in the previous model, in many topics"
    return sources, "split" if len(sources) == 1 else "merged", "mostly earlier papers, regrouped"


def _new_papers(model: TopicModel, groups: np.ndarray, n_groups: int, is_new: np.ndarray,
                centroids: np.ndarray) -> tuple[np.ndarray, list[list[str]]]:
    """Per group (topic or theme): how many of its papers are new, and the titles of the most central."""
    titles = model.corpus_["title"].fillna("").astype(str).to_numpy()
    counts = np.bincount(groups[is_new & (groups >= 0)], minlength=n_groups)
    chosen = []
    for g in range(n_groups):
        rows = np.flatnonzero(is_new & (groups == g))
        closeness = model.vectors_[rows] @ centroids[g]
        chosen.append([titles[r] for r in rows[np.argsort(-closeness, kind="stable")[:N_TITLES]]])
    return counts, chosen


def _centroids(vectors: np.ndarray, groups: np.ndarray, n: int) -> np.ndarray:
    from topics.features import unit_rows

    return unit_rows(np.vstack([vectors[groups == g].mean(axis=0) if (groups == g).any()
                                else np.zeros(vectors.shape[1]) for g in range(n)]))


def content_similarity(previous: TopicModel, model: TopicModel) -> tuple[np.ndarray, list[str]]:
    """Cosine of each previous topic's centroid with each new topic's, both in `model`'s feature space and
    centred on its corpus; a ModelError when the two models' features cannot be compared."""
    source, before = model._vector_source(), previous._vector_source()
    if source != before or (source == "encoder" and previous.embedding_model != model.embedding_model):
        raise ModelError(
            f"the previous model was fitted with {_features(previous)} and this one with {_features(model)}, "
            "and they share too few papers to be matched by them: fit with the previous model's features "
            "(or on a corpus that holds its papers)")
    notes = []
    if source == "tfidf":  # each fit has its own vocabulary and LSA: the previous papers in the new space
        vectors = model._vectors_for(previous.corpus_["text"].tolist())
    else:
        vectors = np.asarray(previous.vectors_, dtype=model.vectors_.dtype)
        if vectors.shape[1] != model.vectors_.shape[1]:
            raise ModelError(f"the previous model's vectors have {vectors.shape[1]} dimensions and this "
                             f"one's {model.vectors_.shape[1]}: they cannot be compared")
        if source != "encoder":
            notes.append(f"topics matched by content assuming both models' {_features(model)} share a space")
    centre = model.vectors_.mean(axis=0)
    topics = np.asarray(previous.document_topics_)
    before_centroids = _centroids(vectors - centre, topics, previous.n_topics_)
    after_centroids = _centroids(model.vectors_ - centre, model.document_topics_, model.n_topics_)
    return before_centroids @ after_centroids.T, notes


def renumber(model: TopicModel, final: np.ndarray, theme_numbers: list[int] | None = None) -> None:
    """Give topic t of `model` the number `final[t]` (a permutation) in every topic-indexed array, and its
    themes `theme_numbers` (kept in `previous_`); everything downstream is described again, the namer's
    names carried over rather than asked again."""
    final = np.asarray(final, dtype=np.int64)
    model.class_to_topic_ = final[np.asarray(model.class_to_topic_)]
    labels = np.asarray(model.document_topics_)  # raw_labels_ are HDBSCAN's classes (only >= 0 counts)
    model.document_topics_ = np.where(labels >= 0, final[np.maximum(labels, 0)], -1)
    names, notes, namer = model.topic_names_, model.naming_notes_, model.namer
    if theme_numbers is not None:
        model.previous_ = {**(model.previous_ or {}), "theme_numbers": [int(n) for n in theme_numbers]}
    model.namer = None
    try:
        model._describe()
    finally:
        model.namer = namer
    if names is not None:
        names = [names[t] for t in np.argsort(final)]
    model.topic_names_, model.naming_notes_ = names, notes


def _topics(model: TopicModel) -> np.ndarray:
    return np.asarray(model.document_topics_)


def _themes(model: TopicModel) -> np.ndarray:
    return model.document_themes_


def _display(model: TopicModel, level: str) -> list[str]:
    if level == "theme":
        return list(model.theme_labels_)
    names = getattr(model, "topic_names_", None) or [None] * model.n_topics_
    return [name or label for name, label in zip(names, model.topic_labels_, strict=True)]


def follow(model: TopicModel, previous: TopicModel) -> pd.DataFrame:
    """Match the just fitted `model` to `previous`, renumber it so that matched topics and themes keep
    their numbers (and topics their previous names), and set `changes_` (returned) and `previous_`."""
    check_previous(previous)
    pairing = pair_papers(previous.corpus_, model.corpus_)
    notes = list(pairing.notes)
    if pairing.by == "content":
        similarity, more = content_similarity(previous, model)
        notes += more
    elif _features(previous) != _features(model):
        notes.append(f"the previous model was fitted with {_features(previous)}, this one with "
                     f"{_features(model)}: matched by the papers they share")
    is_new = np.ones(model.n_documents_, dtype=bool)
    is_new[pairing.new] = False
    model.previous_ = {"matched_by": pairing.by, "n_documents": int(previous.n_documents_),
                       "shared_documents": int(len(pairing.new))}
    rows, topic_match = [], np.empty(0, dtype=np.int64)
    for level in ("topic", "theme"):
        groups = _topics if level == "topic" else _themes
        n_before = previous.n_topics_ if level == "topic" else previous.n_themes_
        n_after = model.n_topics_ if level == "topic" else model.n_themes_
        if pairing.by == "content":
            if level == "topic":
                matched, split, merged, shared = _match_by_content(similarity), {}, {}, None
            else:  # themes by the topics they hold: a theme matches the theme of most of its topics' matches
                matched, split, merged, shared = _themes_by_topics(previous, model, topic_match), {}, {}, None
        else:
            matched, split, merged, shared = _match_by_papers(
                groups(previous)[pairing.old], groups(model)[pairing.new], n_before, n_after)
        sizes = np.bincount(groups(model)[groups(model) >= 0], minlength=n_after)
        final = numbers(matched, sizes)
        if level == "topic":
            renumber(model, final)
        else:
            renumber(model, np.arange(model.n_topics_), final)
        order = np.argsort(final)  # new number -> old
        matched = matched[order]
        split = {a: sorted(final[bs].tolist()) for a, bs in split.items()}
        merged = {int(final[b]): parts for b, parts in merged.items()}
        shared = None if shared is None else shared[:, order]
        after = groups(model)
        vectors = model.topic_vectors_ if level == "topic" else _centroids(model.vectors_, after, n_after)
        new_counts, new_titles = _new_papers(model, after, n_after, is_new, vectors)
        context = {
            "before_sizes": np.bincount(groups(previous)[groups(previous) >= 0], minlength=n_before),
            "after_sizes": np.bincount(after[after >= 0], minlength=n_after),
            "n_before": previous.n_documents_, "n_after": model.n_documents_,
            "before_labels": _display(previous, level), "after_labels": _display(model, level),
            "new_counts": new_counts, "new_titles": new_titles,
        }
        rows += _level_rows(level, context, matched, split, merged, shared)
        model.previous_[f"{level}_ids"] = matched.tolist()
        if level == "topic":
            topic_match = matched
            old_names = getattr(previous, "topic_names_", None)
            if old_names:
                mine = model.topic_names_ or [None] * model.n_topics_
                model.topic_names_ = [old_names[a] if a >= 0 and old_names[a] else mine[t]
                                      for t, a in enumerate(matched)]
    model.changes_ = changes_table(rows)
    model.notes_ = [*model.notes_, *notes, summary(model.changes_, model.previous_)]
    model.previous_["notes"] = notes
    return model.changes_


def _themes_by_topics(previous: TopicModel, model: TopicModel, topic_match: np.ndarray) -> np.ndarray:
    """Themes matched through their topics' matches (content matching): the votes of matched topics."""
    votes = np.zeros((previous.n_themes_, model.n_themes_))
    for t, a in enumerate(topic_match):
        if a >= 0:
            votes[previous.topic_themes_[a], model.topic_themes_[t]] += 1
    matched = np.full(model.n_themes_, -1, dtype=np.int64)
    for a, b in zip(*linear_sum_assignment(votes, maximize=True), strict=True):
        if votes[a, b] > 0:
            matched[b] = a
    return matched


def changes_table(rows: list[dict]) -> pd.DataFrame:
    """`changes_` from its rows (also used when loading a saved model)."""
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["id"] = table["id"].astype("Int64")
    for column in ("papers_before", "papers_after", "kept", "new_papers"):
        table[column] = table[column].astype(np.int64)
    return table


def summary(changes: pd.DataFrame, previous: dict) -> str:
    """One line: what changed since the previous model, topic by status."""
    topics = changes[changes["level"] == "topic"]
    counts = topics["status"].value_counts()
    told = ", ".join(f"{counts[s]} {s}" for s in ("same", "grew", "shrank", "split", "merged", "new", "faded")
                     if s in counts)
    by = previous["matched_by"]
    return (f"topics matched to a previous model of {previous['n_documents']:,} papers (by their {by}, "
            f"{previous['shared_documents']:,} papers shared): {told}")
