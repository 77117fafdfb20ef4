"""Topic keywords: class-based TF-IDF, redundancy removed; the commonest spelling of a word in the papers.

A keyword must occur in the topic's own documents; near-repeats ("learning, learned, learn", or "medical" next
to "medical imaging") are skipped in favour of the next distinct word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from topics import defaults

_SUFFIXES = (
    "ations", "ation", "ings", "ing", "ness", "ities", "ity", "ies", "ers", "er", "es", "ed", "s", "al", "e",
)


def _stem(word: str) -> str:
    """A crude stem, only to tell that two keywords say the same thing ("LLMs"/"LLM", "learned"/"learn")."""
    for suffix in _SUFFIXES:
        shortest = 3 if suffix == "s" else 4
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            return word[: -len(suffix)]
    return word


def word_stems(term: str) -> set[str]:
    """The crude stems of a term's words, to tell that two terms overlap."""
    # hyphens dropped, so "pre-training" and "pretraining" are one word
    return {_stem(part.replace("-", "")) for part in term.split() if part}


@dataclass
class Keywords:
    """Per class: keywords (lower case, as in the vocabulary) and their scores."""

    terms: list[list[str]]
    scores: list[list[float]]


def class_tfidf(counts: sp.csr_matrix, classes: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """c-TF-IDF weights (n_classes x n_terms), and how many documents of each class hold each term."""
    membership = sp.csr_matrix(
        (np.ones(len(classes), dtype=np.float32), (classes, np.arange(len(classes)))),
        shape=(n_classes, len(classes)),
    )
    class_counts = np.asarray((membership @ counts).todense())
    documents_with_term = np.asarray((membership @ (counts > 0).astype(np.float32)).todense())
    totals = class_counts.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    term_frequency = class_counts / totals
    average_words = class_counts.sum() / max(n_classes, 1)
    term_totals = class_counts.sum(axis=0)
    idf = np.log(1.0 + average_words / np.maximum(term_totals, 1.0))
    return term_frequency * idf, documents_with_term


def _display_forms(terms: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    """The commonest spelling of each term in `texts` (keeps "MRI", "ImageNet"), else the term itself."""
    forms: dict[str, str] = {}
    joined = "\n".join(texts)
    for term in terms:
        pattern = r"(?<![\w-])" + r"[\s-]+".join(re.escape(p) for p in term.split()) + r"(?![\w-])"
        found = Counter(re.findall(pattern, joined, flags=re.IGNORECASE)[:200])
        if found:
            best = max(found.items(), key=lambda item: (item[1], item[0].islower()))[0]
            # Title-cased words at sentence starts are not the word's own spelling
            forms[term] = best if best.lower() != best and not best.istitle() else term
        else:
            forms[term] = term
    return forms


def select_keywords(
    weights: np.ndarray,
    documents_with_term: np.ndarray,
    class_sizes: np.ndarray,
    terms: Sequence[str],
    n_keywords: int,
) -> list[list[int]]:
    """Indices of each class's keywords: best c-TF-IDF first, grounded in its documents, no near-repeats."""
    n_classes = len(weights)
    # A word describes at most `defaults.MAX_CLASSES_PER_KEYWORD` classes: those where it weighs most.
    # Without this cap, words common to a whole field ("government", "model") head many topics.
    rank_among_classes = np.argsort(np.argsort(-weights, axis=0, kind="stable"), axis=0, kind="stable")
    selected = []
    for c in range(n_classes):
        # a keyword must occur in the class's own documents, in two of them when the class has four or more
        needed = 2 if class_sizes[c] >= 4 else 1
        eligible = documents_with_term[c] >= needed
        if n_classes > defaults.MAX_CLASSES_PER_KEYWORD + 1:
            eligible &= rank_among_classes[c] < defaults.MAX_CLASSES_PER_KEYWORD
        if not eligible.any():
            eligible = documents_with_term[c] >= 1
        scores = np.where(eligible, weights[c], -np.inf)
        order = np.argsort(-scores, kind="stable")
        chosen: list[int] = []
        chosen_stems: list[set[str]] = []
        for index in order[: max(200, n_keywords * 20)]:
            if not np.isfinite(scores[index]) or scores[index] <= 0:
                break
            stems = word_stems(terms[index])
            if any(stems & other for other in chosen_stems):
                continue
            chosen.append(int(index))
            chosen_stems.append(stems)
            if len(chosen) == n_keywords:
                break
        selected.append(chosen)
    return selected


def extract_keywords(
    counts: sp.csr_matrix,
    terms: Sequence[str],
    classes: np.ndarray,
    n_classes: int,
    n_keywords: int = defaults.N_KEYWORDS,
) -> Keywords:
    """Keywords with their c-TF-IDF scores for each class (topic or theme) of the documents; the labels
    people read are phrases (`topics.phrases`)."""
    weights, documents_with_term = class_tfidf(counts, classes, n_classes)
    selected = select_keywords(weights, documents_with_term, np.bincount(classes, minlength=n_classes),
                               terms, n_keywords)
    return Keywords(
        terms=[[terms[i] for i in chosen] for chosen in selected],
        scores=[[round(float(weights[c][i]), 5) for i in chosen] for c, chosen in enumerate(selected)],
    )
