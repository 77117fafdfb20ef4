"""Document features: the term counts every model needs for its keywords, and the dense vectors it clusters.

Two kinds of dense vectors: TF-IDF projected to a dense space (the fast default, `LsaProjection`), or
sentence embeddings (see `topics.embeddings`). Everything learned here is plain arrays and lists, so a model
saves without pickle.

The TF-IDF projection has two halves, each unit length, side by side:
- LSA: truncated SVD of the document-term matrix. It knows which words occur in the same *documents*.
- Context vectors: each word's vector comes from the words found within `defaults.CONTEXT_WINDOW` words of
  it across the corpus (positive PMI, then truncated SVD), and a document is the TF-IDF weighted sum of its
  words' vectors. Words used in the same way ("segmentation", "lesion") get close vectors even when they
  rarely share a document, which LSA cannot see. With both halves, theme NMI over 8 seeds rose from
  0.333 to 0.345 on AI-conference papers and from 0.821 to 0.845 on BBC News (docs/benchmarks.md). Below
  `defaults.MIN_DOCUMENTS_FOR_CONTEXT` documents the vectors are LSA alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from topics import defaults
from topics.documents import capped
from topics.errors import ModelError

# A word starts with a letter and ends with a letter or digit: no numbers, no one-letter fragments.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"


def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = defaults.SCHOLARLY_STOP_WORDS | defaults.FRAGMENT_STOP_WORDS | {"state-of-the-art"}
    return sorted(set(ENGLISH_STOP_WORDS) | extra)


def _count_vectorizer(ngram_range: tuple[int, int] = (1, 2), **settings):
    """The one tokenisation of the package: words (TOKEN_PATTERN), unigrams and bigrams, no stop words."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        token_pattern=TOKEN_PATTERN, stop_words=stop_words(), ngram_range=ngram_range, dtype=np.float32,
        **settings,
    )


@dataclass
class Vocabulary:
    """Unigrams and bigrams of the corpus, with their inverse document frequencies."""

    terms: list[str]
    idf: np.ndarray

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[Vocabulary, sp.csr_matrix]:
        """Learn the vocabulary of `texts`; return it with the document-term count matrix."""
        n = len(texts)
        texts = capped(texts)
        vectorizer = _count_vectorizer(
            min_df=defaults.vocabulary_min_df(n), max_df=defaults.vocabulary_max_df(n), max_features=200_000
        )
        try:
            counts = vectorizer.fit_transform(texts)
        except ValueError:
            # too few words left after stop words and frequency limits: keep every word
            vectorizer.set_params(min_df=1, max_df=1.0)
            try:
                counts = vectorizer.fit_transform(texts)
            except ValueError as error:
                raise ModelError(
                    "the documents contain no usable words (only stop words, numbers or punctuation)"
                ) from error
        document_frequency = np.asarray((counts > 0).sum(axis=0)).ravel()
        idf = np.log((1 + n) / (1 + document_frequency)) + 1.0
        terms = vectorizer.get_feature_names_out().tolist()
        return cls(terms=terms, idf=idf.astype(np.float32)), counts.tocsr()

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Document-term counts of (new) texts over this vocabulary."""
        vectorizer = _count_vectorizer(vocabulary={term: i for i, term in enumerate(self.terms)})
        return vectorizer.transform(capped(texts)).tocsr()

    def tfidf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear TF-IDF, rows scaled to unit length."""
        from sklearn.preprocessing import normalize

        weighted = counts.copy().astype(np.float32)
        weighted.data = 1.0 + np.log(weighted.data)
        weighted = weighted @ sp.diags(self.idf)
        return normalize(weighted).tocsr()


@dataclass
class ContextVectors:
    """Word vectors from the words around each word; a document is the TF-IDF weighted sum of its words'."""

    terms: np.ndarray  # (n_words,) the vocabulary columns (single words) that have a vector
    vectors: np.ndarray  # (n_words, k)

    @classmethod
    def fit(cls, texts: Sequence[str], vocabulary: Vocabulary, random_state: int) -> ContextVectors | None:
        """Positive PMI of word pairs within `defaults.CONTEXT_WINDOW` words of each other (stop words left
        out first), reduced by truncated SVD; None when the corpus has too few words for it."""
        from sklearn.decomposition import TruncatedSVD
        from threadpoolctl import threadpool_limits

        terms = np.array([i for i, term in enumerate(vocabulary.terms) if " " not in term], dtype=np.int64)
        if len(terms) > defaults.MAX_CONTEXT_WORDS:
            # the most frequent words (lowest idf; ties in vocabulary order): rarer ones have too few pairs
            # for a vector of their own, and the SVD's cost grows with the words (20 Newsgroups: 49,092)
            frequent = np.argsort(vocabulary.idf[terms], kind="stable")[: defaults.MAX_CONTEXT_WORDS]
            terms = np.sort(terms[frequent])
        n_components = defaults.context_dimensions(len(terms))
        if n_components < 2:
            return None
        pmi = _positive_pmi(_cooccurrences(texts, vocabulary, terms))
        if pmi.nnz == 0:
            return None
        svd = TruncatedSVD(n_components=n_components, algorithm="randomized", random_state=random_state)
        with threadpool_limits(limits=1, user_api="blas"):  # thread-count and CPU independent, as the LSA
            scaled = svd.fit_transform(pmi)
        # the singular vectors themselves (every dimension weighted alike): scaling them by the singular
        # values let a few broad dimensions dominate (a 3-seed screen, AI-conference theme NMI 0.343
        # against 0.356; docs/benchmarks.md)
        singular = np.where(svd.singular_values_ > 0, svd.singular_values_, 1.0)
        return cls(terms=terms, vectors=(scaled / singular).astype(np.float32))

    def transform(self, tfidf: sp.csr_matrix) -> np.ndarray:
        return _unit_rows(np.asarray(tfidf[:, self.terms] @ self.vectors))


def _cooccurrences(texts: Sequence[str], vocabulary: Vocabulary, terms: np.ndarray) -> sp.csr_matrix:
    """Symmetric counts of word pairs at most `defaults.CONTEXT_WINDOW` words apart, built in chunks of
    documents so that a large corpus never holds all its pairs at once."""
    analyze = _count_vectorizer(ngram_range=(1, 1)).build_analyzer()
    column = {vocabulary.terms[t]: i for i, t in enumerate(terms)}
    n_words = len(terms)
    total = sp.csr_matrix((n_words, n_words), dtype=np.float32)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    pending = 0
    for text in capped(texts):
        ids = np.array([column[w] for w in analyze(text) if w in column], dtype=np.int32)
        for distance in range(1, defaults.CONTEXT_WINDOW + 1):
            if len(ids) > distance:
                rows.append(ids[:-distance])
                cols.append(ids[distance:])
                pending += len(ids) - distance
        if pending > 5_000_000:
            total = total + _pair_counts(rows, cols, n_words)
            rows, cols, pending = [], [], 0
    total = total + _pair_counts(rows, cols, n_words)
    return (total + total.T).tocsr()


def _pair_counts(rows: list[np.ndarray], cols: list[np.ndarray], n_words: int) -> sp.csr_matrix:
    if not rows:
        return sp.csr_matrix((n_words, n_words), dtype=np.float32)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n_words, n_words))


def _positive_pmi(counts: sp.csr_matrix) -> sp.csr_matrix:
    """log(p(w, c) / (p(w) p(c))) where positive, with context counts smoothed by
    `defaults.CONTEXT_SMOOTHING` (rare context words otherwise get the highest PMI)."""
    pairs = counts.tocoo()
    total = float(pairs.data.sum())
    word_totals = np.asarray(counts.sum(axis=1)).ravel()
    smoothed = word_totals ** defaults.CONTEXT_SMOOTHING
    smoothed = smoothed / max(smoothed.sum(), 1e-12) * total
    pmi = np.log(pairs.data * total / (word_totals[pairs.row] * smoothed[pairs.col]))
    keep = pmi > 0
    values = pmi[keep].astype(np.float32).astype(np.float64)  # float32's precision: numpy's log differs by
    # CPU in its last bits; float64 for the SVD (see LsaProjection.fit)
    return sp.csr_matrix((values, (pairs.row[keep], pairs.col[keep])), shape=counts.shape)


@dataclass
class LsaProjection:
    """TF-IDF to a dense space: LSA (truncated SVD) beside the documents' context vectors, each half unit
    length, the whole unit length. Models saved before context vectors existed have LSA alone."""

    components: np.ndarray  # (k, n_terms)
    context: ContextVectors | None = None

    @classmethod
    def fit(
        cls, tfidf: sp.csr_matrix, random_state: int, texts: Sequence[str] | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> tuple[LsaProjection, np.ndarray]:
        """Fit on the TF-IDF of the corpus; `texts` and their `vocabulary` add the context vectors."""
        from sklearn.decomposition import TruncatedSVD

        n_components = defaults.lsa_components(*tfidf.shape)
        if n_components < 2 or tfidf.shape[1] < 3:
            dense = tfidf.toarray()
            return cls(components=np.eye(tfidf.shape[1], dtype=np.float32)), _unit_rows(dense)
        from threadpoolctl import threadpool_limits

        svd = TruncatedSVD(n_components=n_components, algorithm="randomized", random_state=random_state)
        # OpenBLAS and MKL sum in an order that depends on their thread count, and a difference in the 4th
        # decimal here becomes another UMAP map: one thread makes the vectors the same whatever the machine's
        # thread settings (OPENBLAS_NUM_THREADS=1 on a cluster, 2 on a laptop). They also pick their kernels
        # by CPU, which changes the last bits: in float64, rounded to the float32 features, those vanish
        # (in float32 they changed the sample papers' topics between CPUs)
        with threadpool_limits(limits=1, user_api="blas"):
            reduced = svd.fit_transform(tfidf.astype(np.float64))
        context = None
        enough = tfidf.shape[0] >= defaults.MIN_DOCUMENTS_FOR_CONTEXT
        if texts is not None and vocabulary is not None and enough:
            context = ContextVectors.fit(texts, vocabulary, random_state)
        projection = cls(components=svd.components_.astype(np.float32), context=context)
        return projection, projection._combine(_unit_rows(reduced), tfidf)

    def transform(self, tfidf: sp.csr_matrix) -> np.ndarray:
        return self._combine(_unit_rows(np.asarray(tfidf @ self.components.T)), tfidf)

    def describe(self) -> str:
        """What the vectors are made of, in words (the report's settings)."""
        n_components, n_terms = self.components.shape
        lsa = (f"TF-IDF of {n_terms:,} terms, not reduced (too few documents for LSA)"
               if n_components == n_terms else f"TF-IDF reduced by LSA to {n_components} dimensions")
        if self.context is None:
            minimum = defaults.MIN_DOCUMENTS_FOR_CONTEXT
            return f"{lsa}; no word-context vectors (they need {minimum:,} documents or more)"
        words, dimensions = self.context.vectors.shape
        return f"{lsa}, beside word-context vectors of {dimensions} dimensions ({words:,} words)"

    def _combine(self, lsa: np.ndarray, tfidf: sp.csr_matrix) -> np.ndarray:
        if self.context is None:
            return lsa
        return _unit_rows(np.hstack([lsa, self.context.transform(tfidf)]))


FEATURE_DECIMALS = 6  # features are rounded to this many decimals (why: `_unit_rows`)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, rounded to `FEATURE_DECIMALS` decimals, as float32.

    BLAS picks its kernels by CPU, and in an SVD their last-bit differences grow to about 1e-13; in float32
    a few values in 100,000 still came out one bit apart, and UMAP makes another map of one bit. Rounded
    in float64 to 1e-6, far coarser than those differences and far finer than any distance that matters,
    the features are the same on every CPU (but for a value within 1e-13 of a rounding boundary)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.round(matrix / norms, FEATURE_DECIMALS).astype(np.float32)


unit_rows = _unit_rows
