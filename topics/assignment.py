"""Assigning documents to topics: one linear classifier serves `fit` and `transform` alike.

HDBSCAN's clustered documents train a multinomial logistic regression in the feature space; every document,
HDBSCAN's noise included, then gets the topic the classifier gives it and its probability as confidence.
Because `fit` uses the very function `transform` uses, a model never disagrees with itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        scores = vectors @ self.weights.T + self.bias
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def assign(self, vectors: np.ndarray, batch_size: int = 100_000) -> tuple[np.ndarray, np.ndarray]:
        """Topic and confidence of each document, in batches to bound memory."""
        topics = np.empty(len(vectors), dtype=np.int64)
        confidence = np.empty(len(vectors), dtype=np.float32)
        for start in range(0, len(vectors), batch_size):
            p = self.probabilities(vectors[start : start + batch_size])
            topics[start : start + batch_size] = p.argmax(axis=1)
            confidence[start : start + batch_size] = p.max(axis=1)
        return topics, confidence
