"""Document features: the term counts every model needs for its keywords, and the dense vectors it clusters.

Two kinds of dense vectors: TF-IDF reduced by LSA (truncated SVD), the fast default, or sentence embeddings
(see `topics.embeddings`). Everything learned here is plain arrays and lists, so a model saves without pickle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from topics import defaults
from topics.errors import ModelError

# A word starts with a letter and ends with a letter or digit: no numbers, no one-letter fragments.
TOKEN_PATTERN = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"


def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    extra = defaults.SCHOLARLY_STOP_WORDS | defaults.FRAGMENT_STOP_WORDS | {"state-of-the-art"}
    return sorted(set(ENGLISH_STOP_WORDS) | extra)


def _count_vectorizer(**settings):
    """The one tokenisation of the package: words (TOKEN_PATTERN), unigrams and bigrams, no stop words."""
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        token_pattern=TOKEN_PATTERN, stop_words=stop_words(), ngram_range=(1, 2), dtype=np.float32, **settings
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
        return vectorizer.transform(texts).tocsr()

    def tfidf(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Sublinear TF-IDF, rows scaled to unit length."""
        from sklearn.preprocessing import normalize

        weighted = counts.copy().astype(np.float32)
        weighted.data = 1.0 + np.log(weighted.data)
        weighted = weighted @ sp.diags(self.idf)
        return normalize(weighted).tocsr()


@dataclass
class LsaProjection:
    """TF-IDF to a dense space by truncated SVD (latent semantic analysis)."""

    components: np.ndarray  # (k, n_terms)

    @classmethod
    def fit(cls, tfidf: sp.csr_matrix, random_state: int) -> tuple[LsaProjection, np.ndarray]:
        from sklearn.decomposition import TruncatedSVD

        n_components = defaults.lsa_components(*tfidf.shape)
        if n_components < 2 or tfidf.shape[1] < 3:
            dense = tfidf.toarray()
            return cls(components=np.eye(tfidf.shape[1], dtype=np.float32)), _unit_rows(dense)
        from threadpoolctl import threadpool_limits

        svd = TruncatedSVD(n_components=n_components, algorithm="randomized", random_state=random_state)
        # OpenBLAS and MKL sum in an order that depends on their thread count, and a difference in the 4th
        # decimal here becomes another UMAP map: one thread makes the vectors the same whatever the machine's
        # thread settings (OPENBLAS_NUM_THREADS=1 on a cluster, 2 on a laptop)
        with threadpool_limits(limits=1, user_api="blas"):
            reduced = svd.fit_transform(tfidf)
        return cls(components=svd.components_.astype(np.float32)), _unit_rows(reduced)

    def transform(self, tfidf: sp.csr_matrix) -> np.ndarray:
        return _unit_rows(np.asarray(tfidf @ self.components.T))


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


unit_rows = _unit_rows
