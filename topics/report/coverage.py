"""A model fitted on a sample, seen through every paper of its input, for the report.

`TopicModel.fit(corpus, sample=N)` describes the N sampled papers only. `all_papers(model, corpus)` gives
the other papers their topic with the model's classifier (`model.assign`) and a map position beside the
fitted papers they resemble most (`topics.placement.place`), and returns an `AllPapers` view: it has the
per-paper attributes of a fitted model (corpus_, document_topics_, map_, topic_sizes_, ...) for every
paper, and passes everything else (labels, keywords, themes, hierarchy, save) to the fitted model. The
report's tables, plots and pages read it like a model, so sizes and shares count every paper.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.errors import ReportError

_BATCH = 20_000


class AllPapers:
    """Every paper of the input with a topic, a confidence and a map position; the rest from `model`.

    Attributes beyond a model's: `model` (the fitted TopicModel), `n_fitted_documents_` (papers it was
    fitted on) and `in_sample_` (True for those papers).
    """

    def __init__(self, model, corpus: pd.DataFrame, *, topics, confidence, is_outlier, map_2d, vectors,
                 in_sample):
        self.model = model
        self.corpus_ = corpus
        self.document_topics_ = np.asarray(topics, dtype=np.int64)
        self.document_confidence_ = np.asarray(confidence, dtype=np.float32)
        self.is_outlier_ = np.asarray(is_outlier, dtype=bool)
        self.map_ = np.asarray(map_2d, dtype=np.float64)
        self.vectors_ = vectors
        self.in_sample_ = np.asarray(in_sample, dtype=bool)
        self.n_documents_ = len(corpus)
        self.n_fitted_documents_ = int(model.n_documents_)
        assigned = self.document_topics_ >= 0
        self.topic_sizes_ = np.bincount(self.document_topics_[assigned], minlength=model.n_topics_)
        fitted = np.flatnonzero(self.in_sample_)
        self.representative_documents_ = [fitted[r].tolist() for r in model.representative_documents_]

    def __getattr__(self, name: str):
        # only called for what the view does not have itself: the topics' description, settings, save
        if name.startswith("__") or "model" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["model"], name)

    @property
    def document_themes_(self) -> np.ndarray:
        from topics.tables import themes_of

        return themes_of(self.model, self.document_topics_)

    @property
    def outlier_share_(self) -> float:
        return float(self.is_outlier_.mean()) if len(self.is_outlier_) else 0.0

    def document_info(self) -> pd.DataFrame:
        """One row per paper of the input, the columns of `TopicModel.document_info`."""
        from topics.tables import document_table

        return document_table(self.model, self.corpus_, self.document_topics_, self.document_confidence_,
                              self.is_outlier_, self.map_)

    def __repr__(self) -> str:
        return (f"AllPapers({self.n_documents_} papers, the model fitted on {self.n_fitted_documents_}: "
                f"{self.model!r})")


def sampled(model) -> bool:
    """True when `model` was fitted on a sample of its input (`fit(..., sample=N)` with N < papers)."""
    return getattr(model, "sample_indices_", None) is not None


def all_papers(model, corpus, embeddings: np.ndarray | None = None):
    """`model` seen through every paper of `corpus`, the input it was fitted on with `sample=`.

    Returns an `AllPapers` view when the model was fitted on a sample of `corpus`, else `model` itself
    (after checking that `corpus` holds the papers it was fitted on). `embeddings` (one row per paper of
    `corpus`) are needed only when the model was fitted on embeddings given by the caller.
    """
    from topics.documents import as_corpus
    from topics.placement import place
    from topics.plots.map import topic_anchors

    model._check_fitted()
    if isinstance(model, AllPapers):
        return model
    table = as_corpus(corpus)
    ids = table["id"].astype(str).to_numpy()
    fitted_ids = model.corpus_["id"].astype(str).to_numpy()
    if not sampled(model):
        if len(ids) != len(fitted_ids) or not (ids == fitted_ids).all():
            raise ReportError(f"corpus= has {len(ids):,} papers that are not the {len(fitted_ids):,} the "
                              "model was fitted on; pass the corpus given to fit, or leave corpus= out")
        return model
    chosen = np.asarray(model.sample_indices_, dtype=np.int64)
    expected = int(getattr(model, "n_input_documents_", 0) or 0)
    if len(ids) != expected or chosen.max() >= len(ids) or not (ids[chosen] == fitted_ids).all():
        raise ReportError(f"the model was fitted on a sample of {len(chosen):,} of {expected:,} papers, but "
                          f"corpus= has {len(ids):,} papers that do not match; pass the corpus given to fit")
    if embeddings is not None and len(embeddings) != len(ids):
        raise ReportError(f"embeddings= has {len(embeddings):,} rows; expected one per paper ({len(ids):,})")
    n = len(ids)
    in_sample = np.zeros(n, dtype=bool)
    in_sample[chosen] = True
    topics = np.empty(n, dtype=np.int64)
    confidence = np.empty(n, dtype=np.float32)
    outlier = np.empty(n, dtype=bool)
    map_2d = np.empty((n, 2), dtype=np.float64)
    vectors = np.empty((n, model.vectors_.shape[1]), dtype=np.float32)
    topics[chosen] = model.document_topics_
    confidence[chosen] = model.document_confidence_
    outlier[chosen] = model.is_outlier_
    map_2d[chosen] = model.map_
    vectors[chosen] = model.vectors_
    anchors = topic_anchors(model) if model.n_topics_ else np.zeros((0, 2))
    rest = np.flatnonzero(~in_sample)
    tally: list[tuple[int, int]] = []  # documents the encoder cut, per batch: said once, summed
    for start in range(0, len(rest), _BATCH):
        rows = rest[start : start + _BATCH]
        batch = table.iloc[rows]
        given = None if embeddings is None else np.asarray(embeddings)[rows]
        batch_vectors = model._vectors_for(batch["text"].tolist(), given, tally)
        assigned = model.assign(batch, embeddings=batch_vectors)
        batch_topics = assigned["topic"].to_numpy(dtype=np.int64)
        topics[rows] = batch_topics
        confidence[rows] = assigned["confidence"].to_numpy(dtype=np.float32)
        outlier[rows] = assigned["is_outlier"].to_numpy(dtype=bool)
        vectors[rows] = batch_vectors
        # a paper like none of the fitted ones goes to its topic's centre
        fallback = anchors[np.maximum(batch_topics, 0)] if len(anchors) else None
        map_2d[rows] = place(batch_vectors, model.vectors_, model.map_, fallback=fallback)
    if tally:
        from topics.embeddings import say_truncation

        say_truncation(model.embedding_model, tally)
    return AllPapers(model, table, topics=topics, confidence=confidence, is_outlier=outlier, map_2d=map_2d,
                     vectors=vectors, in_sample=in_sample)
