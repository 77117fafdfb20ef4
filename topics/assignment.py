"""Assigning documents to topics: one linear classifier serves `fit` and `transform` alike.

HDBSCAN's clustered documents train a multinomial logistic regression in the feature space; every document,
HDBSCAN's noise included, then gets the topic the classifier gives it and its probability as confidence.
Because `fit` uses the very function `transform` uses, a model never disagrees with itself.

The probabilities are the same to the last bit whatever computes them: one document or a batch of 20,000,
1 or 16 BLAS threads, AVX2 or AVX-512, this process or a Dask worker. A float32 matrix product gives a
row a result that depends on the kernel BLAS picks for the batch's shape, the thread split and the CPU
(the 4th decimal of 0.1 % of the confidences moved), so the scores are computed in whole numbers instead:
the features (unit rows rounded to `FEATURE_DECIMALS` decimals) are integers of 1e-6, the weights are
rounded to integers of a power of two chosen so that every product and every partial sum stays below
2**53, where float64 is exact, so any order of the sums gives the same score. The softmax then uses only
IEEE-754 +, -, *, / in a fixed order (`_exp`, and sums class by class), which round the same on every CPU,
rather than `np.exp`, whose last bit differs between NumPy's AVX-512 and AVX2 code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from topics.errors import ModelError
from topics.features import FEATURE_DECIMALS

_GRID = 10.0**FEATURE_DECIMALS  # the features are whole multiples of 1 / _GRID


@dataclass
class TopicAssigner:
    weights: np.ndarray  # (n_topics, dimensions)
    bias: np.ndarray  # (n_topics,)

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: np.ndarray, n_topics: int, random_state: int) -> TopicAssigner:
        """Train on the documents with a topic (label >= 0)."""
        if n_topics == 1:
            return cls(weights=np.zeros((1, vectors.shape[1]), np.float32), bias=np.zeros(1, np.float32))
        from sklearn.linear_model import LogisticRegression

        known = labels >= 0
        classifier = LogisticRegression(C=4.0, max_iter=2000, random_state=random_state)
        classifier.fit(vectors[known], labels[known])
        weights = np.zeros((n_topics, vectors.shape[1]), np.float32)
        bias = np.zeros(n_topics, np.float32)
        if classifier.coef_.shape[0] == 1:  # two topics: sklearn keeps one row; the softmax form has two
            weights[classifier.classes_[1]] = classifier.coef_[0] / 2
            weights[classifier.classes_[0]] = -classifier.coef_[0] / 2
            bias[classifier.classes_[1]] = classifier.intercept_[0] / 2
            bias[classifier.classes_[0]] = -classifier.intercept_[0] / 2
        else:
            weights[classifier.classes_] = classifier.coef_
            bias[classifier.classes_] = classifier.intercept_
        return cls(weights=weights, bias=bias)

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """Each class's score (n, classes) in float64, the same for a row whatever rows come with it.

        `vectors` are unit rows (`topics.features.unit_rows`). x @ w is computed as whole numbers: x in
        units of 1e-6 (exact for features rounded to 6 decimals, any other value is rounded to them) and
        the weights in units of 2**-e, e as large as keeps sum(|x| * |w|) under 2**53 for every unit row,
        a step of at most 2**-25 of the largest weight up to 4,096 dimensions (2**-27 up to 256): a float32
        weight of at least a quarter of the largest (an eighth up to 256 dimensions) is kept exactly, a
        smaller one moves by at most 2**-26 of the largest. Every product and partial sum is then a whole
        number that float64 holds exactly, so the BLAS kernel, the thread count and the summation order
        cannot change the result."""
        grid = np.rint(np.asarray(vectors, dtype=np.float64) * _GRID)
        dimensions = grid.shape[1]
        bound = _GRID * math.sqrt(dimensions) * 1.001  # sum(|x|) of a unit row, 6-decimal rounding included
        outside = ~(np.abs(grid).sum(axis=1) <= bound)  # a sum of whole numbers: exact in any order
        if outside.any():
            raise ModelError(f"feature row {int(np.flatnonzero(outside)[0])} is not a unit vector; the "
                             "classifier takes the rows that topics.features.unit_rows makes")
        weights = np.asarray(self.weights, dtype=np.float64)
        largest = float(np.abs(weights).max()) if weights.size else 0.0
        if not math.isfinite(largest):
            raise ModelError("the classifier's weights are not finite numbers")
        _, exponent = math.frexp(bound * largest)  # bound * largest < 2**exponent
        shift = 52 - exponent  # so that bound * max|w| * 2**shift < 2**52
        fixed = np.rint(np.ldexp(weights, shift))  # |fixed| <= 2**52 / bound + 0.5: partial sums < 2**53
        whole = grid @ fixed.T  # exact: whole numbers below 2**53, in any order
        return np.ldexp(whole, -shift) / _GRID + np.asarray(self.bias, dtype=np.float64)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """Softmax of `scores` (n, classes), float64, by IEEE-754 operations in a fixed order."""
        scores = self.scores(vectors)
        scores -= scores.max(axis=1, keepdims=True)
        exp = _exp(scores)
        total = np.zeros(len(exp))
        for column in exp.T:  # class by class: the same order for every row and every batch
            total += column
        return exp / total[:, None]

    def assign(self, vectors: np.ndarray, class_topics: np.ndarray | None = None,
               batch_size: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
        """Topic and confidence of each document, in batches to bound memory: the topic of the most likely
        class (`class_topics[c]`: class c's topic; by default each class is its own topic), with the
        probability summed over that topic's classes. Taking the class first means that merging topics
        relabels their documents and moves no other (the summed probabilities of a merged pair would pull in
        documents that were unsure between their own topic and one of the pair). A document without any
        vector (no word the model knows, or no text) gets no topic: -1 with confidence 0.

        Exact: a document's topic and confidence (float64) are the same to the last bit whatever documents
        come with it, the batch size, the BLAS thread count and the x86-64 CPU (`scores` computes in whole
        numbers, the sums below go class by class)."""
        classes = np.arange(len(self.bias)) if class_topics is None else np.asarray(class_topics)
        topics = np.empty(len(vectors), dtype=np.int64)
        confidence = np.empty(len(vectors), dtype=np.float64)
        for start in range(0, len(vectors), batch_size):
            batch = vectors[start : start + batch_size]
            p = self.probabilities(batch)
            chosen = classes[p.argmax(axis=1)]
            own = np.zeros(len(batch))
            for column, topic in enumerate(classes):  # class by class: one order for every row
                own += np.where(chosen == topic, p[:, column], 0.0)
            blank = ~np.any(batch != 0, axis=1)
            topics[start : start + batch_size] = np.where(blank, -1, chosen)
            confidence[start : start + batch_size] = np.where(blank, 0.0, own)
        return topics, confidence


_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm's split of log(2)
_INV_LN2 = 1.4426950408889634  # 1 / log(2), a literal: math.log may differ in its last bit between libms
_TAYLOR = [1.0 / math.factorial(n) for n in range(14)]  # exp(r) = sum r**n / n!, |r| <= log(2) / 2


def _exp(x: np.ndarray) -> np.ndarray:
    """exp(x) for x <= 0 in float64 to about 1e-16 relative, by +, -, *, / and exact scaling by 2**k only:
    the same bits on every CPU (np.exp's last bit differs between NumPy's AVX-512 and AVX2 code, in about 5 %
    of values). Values below -700 (exp < 1e-304) give 0."""
    k = np.rint(x * _INV_LN2)
    r = (x - k * _LN2_HI) - k * _LN2_LO  # k * _LN2_HI is exact: _LN2_HI ends in 21 zero bits
    result = np.full_like(r, _TAYLOR[-1])
    for coefficient in reversed(_TAYLOR[:-1]):  # Horner
        result = result * r + coefficient
    tiny = x < -700.0
    return np.where(tiny, 0.0, np.ldexp(result, np.where(tiny, 0, k).astype(np.int64)))
