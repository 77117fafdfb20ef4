"""How good is a topic model? Coherence, diversity, cluster quality, grounding, and agreement with labels.

`evaluate(model, labels=None)` bundles every metric into one flat dict of floats:

- ``npmi``: topic coherence, NPMI of the top 10 keywords with the corpus itself as reference and
  *document* co-occurrence (two words co-occur when they are in the same document). This is the default
  because our documents are short (titles and abstracts) and a document is the natural unit of context.
- ``npmi_window``: the same with the *sliding-window* convention of gensim's ``c_npmi`` (windows of 10
  tokens; a document shorter than the window is one window). Use it to compare with published figures
  (OCTIS and the BERTopic paper report this variant).
- ``diversity`` / ``diversity_25``: topic diversity, unique keywords over all keywords, top 10 and top 25.
- ``outlier_share`` (documents flagged low-confidence or -1) and ``noise_share`` (HDBSCAN's raw -1).
- ``silhouette`` (topics) and ``silhouette_themes`` in the reduced (UMAP) space, on a fixed sample of at
  most 5,000 documents; ``dbcv``: HDBSCAN's relative validity (NaN when HDBSCAN did not run).
- ``label_grounding`` / ``theme_label_grounding``: share of label keywords that occur in the class's own
  documents (1.0 is the only acceptable value for our labels; a diagnostic for other models).
- with labels: ``topic_nmi``, ``topic_ari``, ``topic_homogeneity``, ``topic_completeness`` and the same four
  for themes (``theme_nmi`` ...). Documents without a label are left out; topic -1 counts as one cluster.

Tokens are those of the model's vocabulary: lower case, `topics.features.TOKEN_PATTERN`, stop words dropped.
A bigram keyword ("reinforcement learning") is present where its two words are adjacent in that token
sequence, which is exactly how the vocabulary forms bigrams, so every keyword of a fitted model is found.

NPMI follows gensim's ``c_npmi``: for each topic, every pair of its top words,
``npmi = log((p(a, b) + eps) / (p(a) p(b))) / -log(p(a, b) + eps)`` with ``eps = 1e-12``, averaged over the
pairs, then over the topics. A word that never occurs in the reference gives -1 for its pairs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from topics.documents import capped
from topics.errors import ModelError

EPSILON = 1e-12
WINDOW = 10  # gensim's c_npmi window
SILHOUETTE_SAMPLE = 5_000

__all__ = [
    "evaluate",
    "label_agreement",
    "label_grounding",
    "silhouette",
    "tokenize",
    "topic_coherence_npmi",
    "topic_diversity",
]


# ---------------------------------------------------------------------------------------------- tokens
def _tokenizer(stop_words: bool = True):
    from topics.features import TOKEN_PATTERN
    from topics.features import stop_words as default_stop_words

    pattern = re.compile(TOKEN_PATTERN)
    stops = frozenset(default_stop_words()) if stop_words else frozenset()

    def tokenize_one(text: str) -> list[str]:
        return [t for t in pattern.findall(text.lower()) if t not in stops]

    return tokenize_one


def tokenize(texts: Sequence[str], stop_words: bool = True) -> list[list[str]]:
    """Tokens as the model's vocabulary sees them: lower case, TOKEN_PATTERN, stop words dropped."""
    tokenize_one = _tokenizer(stop_words)
    return [tokenize_one(t) for t in texts]


def _is_model(obj: Any) -> bool:
    return hasattr(obj, "topic_keywords_") and hasattr(obj, "corpus_")


def _keyword_lists(model_or_keywords: Any, top_n: int) -> list[list[str]]:
    keywords = model_or_keywords.topic_keywords_ if _is_model(model_or_keywords) else model_or_keywords
    return [[str(w).lower() for w in list(words)[:top_n]] for words in keywords]


# ---------------------------------------------------------------------------------------------- NPMI
def _presence_from_tokens(
    token_lists: Sequence[Sequence[str]], terms: list[str], window: int | None
) -> tuple[Any, int]:
    """Sparse (contexts x terms) 0/1 matrix; contexts are documents, or sliding windows of `window` tokens."""
    import scipy.sparse as sp

    index = {t: i for i, t in enumerate(terms)}
    unigrams = {t for t in terms if " " not in t}
    bigrams: dict[str, set[str]] = {}
    for t in terms:
        parts = t.split()
        if len(parts) == 2:
            bigrams.setdefault(parts[0], set()).add(parts[1])
        elif len(parts) > 2:
            raise ValueError(f"keyword {t!r}: only unigrams and bigrams are supported")
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    n_contexts = 0
    for tokens in token_lists:
        tokens = list(tokens)
        length = len(tokens)
        # (term, first position, length in tokens) of every relevant occurrence
        hits = [(index[w], p, 1) for p, w in enumerate(tokens) if w in unigrams]
        if bigrams:
            hits.extend(
                (index[w + " " + tokens[p + 1]], p, 2)
                for p, w in enumerate(tokens[:-1])
                if w in bigrams and tokens[p + 1] in bigrams[w]
            )
        if window is None or length <= window:
            if hits:
                present = np.unique([h[0] for h in hits])
                rows.append(np.full(len(present), n_contexts))
                cols.append(present)
            n_contexts += 1
            continue
        n_windows = length - window + 1
        if hits:
            # occurrence at p spanning k tokens lies in windows s with p + k - window <= s <= p
            terms_hit = np.array([h[0] for h in hits])
            first = np.array([max(0, h[1] + h[2] - window) for h in hits])
            last = np.array([min(h[1], n_windows - 1) for h in hits])
            local, local_terms = np.unique(terms_hit, return_inverse=True)
            marks = np.zeros((n_windows + 1, len(local)), dtype=np.int32)
            np.add.at(marks, (first, local_terms), 1)
            np.add.at(marks, (last + 1, local_terms), -1)
            inside = np.cumsum(marks[:-1], axis=0) > 0
            r, c = np.nonzero(inside)
            rows.append(r + n_contexts)
            cols.append(local[c])
        n_contexts += n_windows
    if rows:
        r = np.concatenate(rows)
        c = np.concatenate(cols)
    else:
        r = c = np.zeros(0, dtype=int)
    matrix = sp.csr_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(n_contexts, len(terms)))
    return matrix, n_contexts


def _presence_from_counts(counts, vocabulary: Sequence[str], terms: list[str]) -> tuple[Any, int]:
    import scipy.sparse as sp

    position = {t: i for i, t in enumerate(vocabulary)}
    missing = [t for t in terms if t not in position]
    if missing:
        raise KeyError(missing[0])
    columns = sp.csr_matrix(counts)[:, [position[t] for t in terms]]
    presence = (columns > 0).astype(np.float64).tocsr()
    return presence, counts.shape[0]


def _npmi_per_topic(topics: list[list[str]], presence, n_contexts: int, terms: list[str]) -> np.ndarray:
    index = {t: i for i, t in enumerate(terms)}
    co = np.asarray((presence.T @ presence).todense(), dtype=np.float64) / max(n_contexts, 1)
    p = np.diag(co).copy()
    values = []
    for words in topics:
        ids = [index[w] for w in words]
        if len(ids) < 2:
            values.append(np.nan)
            continue
        a, b = np.triu_indices(len(ids), k=1)
        ia, ib = np.array(ids)[a], np.array(ids)[b]
        joint = co[ia, ib]
        with np.errstate(divide="ignore", invalid="ignore"):
            pmi = np.log((joint + EPSILON) / (p[ia] * p[ib]))
            npmi = pmi / -np.log(joint + EPSILON)
        npmi = np.where((p[ia] > 0) & (p[ib] > 0), npmi, -1.0)
        values.append(float(npmi.mean()))
    return np.array(values, dtype=np.float64)


def topic_coherence_npmi(
    model_or_keywords: Any,
    texts: Sequence[str] | Sequence[Sequence[str]] | None = None,
    top_n: int = 10,
    window: int | None = None,
    *,
    counts=None,
    vocabulary: Sequence[str] | None = None,
    per_topic: bool = False,
) -> float | np.ndarray:
    """NPMI coherence of the topics' top words, with the corpus as reference.

    `model_or_keywords` is a fitted `TopicModel` (its keywords and corpus are used) or a list of keyword
    lists. The reference is `texts` (strings, tokenised like the model's vocabulary, or lists of tokens
    used as they are), or a document-term `counts` matrix with its `vocabulary` (document co-occurrence
    only). `window=None` counts co-occurrence in the same document; `window=10` in sliding windows of 10
    tokens like gensim's ``c_npmi``. Returns the mean over topics (NaN with no topic of two words), or the
    value of each topic with `per_topic=True`.
    """
    topics = [t for t in _keyword_lists(model_or_keywords, top_n)]
    terms = sorted({w for words in topics for w in words})
    if window is not None and window < 2:
        raise ValueError(f"window must be at least 2 tokens, not {window}")
    presence = None
    if _is_model(model_or_keywords) and texts is None and counts is None:
        model = model_or_keywords
        if window is None:
            try:
                presence, n_contexts = _presence_from_counts(model.counts_, model.vocabulary_.terms, terms)
            except KeyError:
                presence = None
        texts = capped(model.corpus_["text"].tolist())
    elif counts is not None:
        if vocabulary is None:
            raise ValueError("counts= needs vocabulary= (the term of each column)")
        if window is not None:
            raise ValueError("the sliding-window NPMI needs texts, not counts")
        presence, n_contexts = _presence_from_counts(counts, vocabulary, terms)
    if presence is None:
        if texts is None:
            raise ValueError("pass the reference texts (or counts= with vocabulary=)")
        texts = list(texts)
        token_lists = tokenize(texts) if texts and isinstance(texts[0], str) else texts
        presence, n_contexts = _presence_from_tokens(token_lists, terms, window)
    values = _npmi_per_topic(topics, presence, n_contexts, terms)
    if per_topic:
        return values
    valid = values[np.isfinite(values)]
    return float(valid.mean()) if len(valid) else float("nan")


# ---------------------------------------------------------------------------------------------- diversity
def topic_diversity(model_or_keywords: Any, top_n: int = 10) -> float:
    """Unique keywords over all keywords, taking the top `top_n` of each topic (1.0: no word is shared).

    Keywords are compared as given, so a bigram is one keyword. With a fitted model and `top_n` above the
    number of keywords it keeps, the keywords are recomputed the model's way (c-TF-IDF) to `top_n`.
    """
    if _is_model(model_or_keywords):
        model = model_or_keywords
        kept = min((len(k) for k in model.topic_keywords_), default=0)
        keywords = model.topic_keywords_ if top_n <= kept else _model_keywords(model, top_n)
    else:
        keywords = model_or_keywords
    lists = [[str(w).lower() for w in list(words)[:top_n]] for words in keywords]
    total = sum(len(words) for words in lists)
    if total == 0:
        return float("nan")
    return len({w for words in lists for w in words}) / total


def _model_keywords(model: Any, n_keywords: int) -> list[list[str]]:
    """The model's keyword selection (c-TF-IDF, grounded, near-repeats skipped) taken to `n_keywords`."""
    from topics.representation import class_tfidf, select_keywords

    topics = model.document_topics_
    assigned = topics >= 0
    n_topics = model.n_topics_
    weights, documents_with_term = class_tfidf(model.counts_[assigned], topics[assigned], n_topics)
    sizes = np.bincount(topics[assigned], minlength=n_topics)
    terms = model.vocabulary_.terms
    selected = select_keywords(weights, documents_with_term, sizes, terms, n_keywords)
    return [[terms[i] for i in chosen] for chosen in selected]


# ---------------------------------------------------------------------------------------------- clusters
def silhouette(
    reduced: np.ndarray, classes: np.ndarray, sample: int = SILHOUETTE_SAMPLE, random_state: int = 0
) -> float:
    """Mean silhouette of the classes (-1 left out) in `reduced`, on a fixed sample of `sample` points."""
    from sklearn.metrics import silhouette_score

    classes = np.asarray(classes)
    keep = classes >= 0
    points, classes = np.asarray(reduced)[keep], classes[keep]
    n_classes = len(np.unique(classes))
    if n_classes < 2 or n_classes >= len(classes):
        return float("nan")
    if len(classes) > sample:
        chosen = np.sort(np.random.RandomState(random_state).choice(len(classes), sample, replace=False))
        points, classes = points[chosen], classes[chosen]
        if len(np.unique(classes)) < 2:
            return float("nan")
    return float(silhouette_score(points, classes, metric="euclidean"))


def label_grounding(model: Any, level: str = "topic", n_label_words: int | None = None) -> float:
    """Share of the label keywords (of topics, or of themes) that occur in the class's own documents."""
    from topics import defaults

    n_words = n_label_words or defaults.N_LABEL_WORDS
    if level == "topic":
        classes, keywords = model.document_topics_, model.topic_keywords_
    elif level == "theme":
        classes, keywords = model.document_themes_, model.theme_keywords_
    else:
        raise ValueError(f"level must be 'topic' or 'theme', not {level!r}")
    position = {t: i for i, t in enumerate(model.vocabulary_.terms)}
    counts = model.counts_
    tokenize_one = None
    found = total = 0
    for c, words in enumerate(keywords):
        members = np.flatnonzero(classes == c)
        for word in list(words)[:n_words]:
            total += 1
            if word in position:
                column = counts[members][:, position[word]]
                found += int(column.sum() > 0)
            else:  # not a vocabulary term: look for it in the documents' tokens
                if tokenize_one is None:
                    tokenize_one = _tokenizer()
                texts = capped(model.corpus_["text"].to_numpy()[members])
                phrase = word.lower().split()
                found += int(any(_contains(tokenize_one(t), phrase) for t in texts))
    return found / total if total else float("nan")


def _contains(tokens: list[str], phrase: list[str]) -> bool:
    k = len(phrase)
    return any(tokens[i : i + k] == phrase for i in range(len(tokens) - k + 1))


def _labels_for(model: Any, labels: Any) -> np.ndarray:
    if isinstance(labels, str):
        if labels not in model.corpus_.columns:
            raise ModelError(
                f"the corpus has no column {labels!r} (columns: {', '.join(map(str, model.corpus_.columns))})"
            )
        values = model.corpus_[labels]
    else:
        values = labels
    import pandas as pd

    values = pd.Series(np.asarray(values, dtype=object))
    if len(values) != model.n_documents_:
        raise ModelError(f"{len(values)} labels for {model.n_documents_} documents; give one per document")
    return values.to_numpy(dtype=object)


def label_agreement(truth: Sequence[Any], predicted: Sequence[int], prefix: str = "") -> dict[str, float]:
    """NMI, ARI, homogeneity and completeness of `predicted` against `truth` (missing labels left out)."""
    import pandas as pd
    from sklearn import metrics

    truth_series = pd.Series(np.asarray(truth, dtype=object))
    known = ~(truth_series.isna() | (truth_series.astype(str).str.strip() == "")).to_numpy()
    t = truth_series[known].astype(str).to_numpy()
    p = np.asarray(predicted)[known]
    if len(t) == 0:
        nan = float("nan")
        return {f"{prefix}{name}": nan for name in ("nmi", "ari", "homogeneity", "completeness")}
    homogeneity, completeness, _ = metrics.homogeneity_completeness_v_measure(t, p)
    return {
        f"{prefix}nmi": float(metrics.normalized_mutual_info_score(t, p)),
        f"{prefix}ari": float(metrics.adjusted_rand_score(t, p)),
        f"{prefix}homogeneity": float(homogeneity),
        f"{prefix}completeness": float(completeness),
    }


# ---------------------------------------------------------------------------------------------- bundle
def _silhouette_or_nan(reduced: np.ndarray | None, classes: np.ndarray, random_state: int) -> float:
    return float("nan") if reduced is None else silhouette(reduced, classes, random_state=random_state)


def evaluate(model: Any, labels: str | Sequence[Any] | None = None, top_n: int = 10) -> dict[str, float]:
    """Every metric of a fitted `TopicModel` as a flat dict of floats (see the module's docstring).

    `labels`: a column of ``model.corpus_`` or one label per document, for NMI/ARI/homogeneity/completeness
    of topics and themes against them.
    """
    if not hasattr(model, "document_topics_"):
        from topics.errors import ModelError

        raise ModelError("evaluate needs a fitted TopicModel; call fit(documents) first")
    topics = np.asarray(model.document_topics_)
    document_themes = np.asarray(model.document_themes_)
    raw = getattr(model, "raw_labels_", None)
    validity = getattr(model, "relative_validity_", None)
    random_state = int(getattr(model, "random_state", 0) or 0)
    reduced = getattr(model, "reduced_", None)
    result: dict[str, float] = {
        "n_documents": float(model.n_documents_),
        "n_topics": float(model.n_topics_),
        "n_themes": float(model.n_themes_),
        "npmi": topic_coherence_npmi(model, top_n=top_n),
        "npmi_window": topic_coherence_npmi(model, top_n=top_n, window=WINDOW),
        "diversity": topic_diversity(model, top_n=10),
        "diversity_25": topic_diversity(model, top_n=25),
        "outlier_share": float(model.outlier_share_),
        "noise_share": float((np.asarray(raw) < 0).mean()) if raw is not None else float("nan"),
        "silhouette": _silhouette_or_nan(reduced, topics, random_state),
        "silhouette_themes": _silhouette_or_nan(reduced, document_themes, random_state),
        "dbcv": float(validity) if validity is not None else float("nan"),
        "label_grounding": label_grounding(model, "topic"),
        "theme_label_grounding": label_grounding(model, "theme"),
    }
    if labels is not None:
        truth = _labels_for(model, labels)
        result.update(label_agreement(truth, topics, prefix="topic_"))
        result.update(label_agreement(truth, document_themes, prefix="theme_"))
    return result
