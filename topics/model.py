"""`TopicModel`: features -> UMAP -> HDBSCAN -> topics, themes and readable labels, scikit-learn style.

This module holds what the estimator computes: the order of the fit's stages, new documents' topics
(`topics.assignment` does the exact arithmetic), merging, and saving (`topics.persistence`). Its base
classes: `topics.description.TopicDescription` (what follows from the documents' topics: keywords, labels,
themes, names) and `topics.views.ModelViews` (what a fitted model shows: tables, search, plots, its notebook
display)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from topics import clustering, defaults, params, tables, themes
from topics.assignment import TopicAssigner
from topics.description import TopicDescription
from topics.documents import (
    Documents,
    as_corpus,
    blank_out,
    checked_vectors,
    count_capped,
    say_blank_and_repeated,
)
from topics.errors import ModelError
from topics.features import LsaProjection, Vocabulary, unit_rows
from topics.views import ModelViews


class TopicModel(ModelViews, TopicDescription, BaseEstimator):
    """Find topics and themes in short documents.

    Parameters are stored as given; anything left at None is sized to the corpus when fitting (see
    `topics.defaults`). After `fit`, learned state lives in attributes ending in `_`.
    """

    def __init__(
        self,
        features: str | Callable[[list[str]], np.ndarray] = "tfidf",
        embedding_model: str = defaults.EMBEDDING_MODEL,
        n_themes: int | str = "auto",
        min_cluster_size: int | str | None = "auto",
        min_samples: int | None = None,
        n_neighbors: int | None = None,
        n_components: int | None = None,
        cluster_selection_method: str | None = None,
        keep_outliers: bool = False,
        outlier_threshold: float = defaults.OUTLIER_CONFIDENCE,
        n_keywords: int = defaults.N_KEYWORDS,
        random_state: int = defaults.RANDOM_STATE,
        cache_dir: str | Path | None = None,
        progress: bool = True,
        guided_themes=None,
        guide_strength: float = defaults.GUIDE_STRENGTH,
        namer: Callable[[dict], str] | None = None,
    ):
        self.features = features
        self.embedding_model = embedding_model
        self.n_themes = n_themes
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.cluster_selection_method = cluster_selection_method
        self.keep_outliers = keep_outliers
        self.outlier_threshold = outlier_threshold
        self.n_keywords = n_keywords
        self.random_state = random_state
        self.cache_dir = cache_dir
        self.progress = progress
        self.guided_themes = guided_themes
        self.guide_strength = guide_strength
        self.namer = namer

    # ------------------------------------------------------------------ fitting
    def fit(
        self, documents: Documents, embeddings: np.ndarray | None = None, sample: int | None = None,
        previous: TopicModel | None = None,
    ) -> TopicModel:
        """Fit topics and themes to a corpus table, a Series or a list of strings; returns self.

        `sample=N` fits on N documents drawn deterministically (by `random_state`); the model then
        describes that sample, and `assign` gives every document, sampled or not, its topic.
        `previous=model` continues from an earlier fit: its topics and themes are matched to the new ones,
        which keep their numbers and names, and `changes_` says what changed (`topics.changes`); the
        previous topics of the shared papers seed UMAP (unless `guided_themes` do) to keep them stable.
        """
        if previous is not None:
            from topics.changes import check_previous

            check_previous(previous)
        started = time.perf_counter()
        self._forget_derived()
        self.__dict__.pop("vectors_", None)  # the vector space is fitted anew
        self.__dict__.pop("_phrase_table", None)
        self.timings_: dict[str, float] = {}
        corpus = as_corpus(documents)
        self.n_input_documents_ = len(corpus)
        self.sample_indices_ = None
        if sample is not None:
            if not isinstance(sample, (int, np.integer)) or sample < 2:
                raise ModelError(f"sample must be an integer of at least 2, not {sample!r}")
            if sample < len(corpus):
                chosen = np.random.RandomState(self.random_state).choice(len(corpus), sample, replace=False)
                self.sample_indices_ = np.sort(chosen)
                corpus = corpus.iloc[self.sample_indices_].reset_index(drop=True)
                if embeddings is not None and len(embeddings) == self.n_input_documents_:
                    embeddings = np.asarray(embeddings)[self.sample_indices_]
        if len(corpus) < 2:
            raise ModelError(f"a topic model needs at least 2 documents; got {len(corpus)}")
        texts = corpus["text"].tolist()
        self._check_params()
        overrides = {
            "min_cluster_size": self.min_cluster_size,
            "min_samples": self.min_samples,
            "n_neighbors": self.n_neighbors,
            "n_components": self.n_components,
            "cluster_selection_method": self.cluster_selection_method,
        }
        clustering.check_overrides(overrides, len(corpus))
        say_blank_and_repeated(texts)

        from topics.progress import Steps

        with Steps(6, "fitting", enabled=self.progress) as steps:
            steps.advance("features")
            clock = time.perf_counter()
            self.vocabulary_, counts = Vocabulary.fit(texts)
            embedding_notes: list[str] = []  # what the encoder says (documents it cut): first in notes_
            long_records = count_capped(texts)
            if long_records:
                embedding_notes.append(long_records)
            vectors = self._fit_vectors(texts, counts, embeddings, embedding_notes)
            self.timings_["features"] = time.perf_counter() - clock

            clock = time.perf_counter()
            seeds = self._seed(vectors)
            labels, weight = None if seeds is None else seeds.labels, self.guide_strength
            if previous is not None and seeds is None:  # continued: the previous topics seed UMAP
                from topics import changes

                labels, weight = changes.seed_labels(previous, corpus), changes.SEED_STRENGTH
            found = clustering.cluster(
                vectors, overrides, self.random_state, self._say, steps.advance, seeds=labels,
                seed_weight=weight,
            )
            self.timings_["clusters"] = time.perf_counter() - clock

            steps.advance("topics and labels")
            clock = time.perf_counter()
            self._fit_topics(corpus, vectors, counts, found, embedding_notes)
            self.timings_["labels"] = time.perf_counter() - clock
        self.guided_ = None
        if previous is not None:
            from topics.changes import follow

            clock = time.perf_counter()
            follow(self, previous)
            self.timings_["changes"] = time.perf_counter() - clock
        if seeds is not None:
            self.guided_ = {"strength": float(self.guide_strength), "seeded": seeds.counts()}
            used = found.method.startswith("umap")
            self.notes_ += seeds.notes + [seeds.summary() if used else (
                "guided fitting needs UMAP, and this corpus is too small for it: the themes did not guide "
                "the clustering")]
        self.timings_["total"] = time.perf_counter() - started
        return self

    def _fit_topics(
        self, corpus: pd.DataFrame, vectors: np.ndarray, counts, found, notes: list[str] | None = None
    ) -> None:
        """From HDBSCAN's clusters to every document's topic, and everything that follows."""
        raw = np.asarray(found.labels)
        n_raw = int(raw.max()) + 1 if (raw >= 0).any() else 0
        if n_raw == 0:  # no cluster at all: one topic holds everything
            raw = np.zeros(len(raw), dtype=int)
            n_raw = 1
        assigner = TopicAssigner.fit(vectors, raw, n_raw, self.random_state)
        topics, _ = assigner.assign(vectors)
        # topics numbered by size, largest first; classes the classifier never picks are dropped
        sizes = np.bincount(topics[topics >= 0], minlength=n_raw)  # documents with no vector have none
        order = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] > 0]
        class_to_topic = np.full(n_raw, -1, dtype=np.int64)
        class_to_topic[order] = np.arange(len(order))
        self.assigner_ = TopicAssigner(weights=assigner.weights[order], bias=assigner.bias[order])
        self.class_to_topic_ = np.arange(len(order))
        topics, confidence = self._assign(vectors)
        self.raw_labels_ = np.where(raw >= 0, class_to_topic[np.maximum(raw, 0)], -1)
        if self.keep_outliers:
            topics = np.where(found.labels >= 0, topics, -1)

        self.corpus_ = corpus
        self.vectors_ = vectors
        self.counts_ = counts
        self.map_ = found.map_2d
        self.reduced_ = found.reduced
        self.clustering_method_ = found.method
        self.clustering_settings_ = found.settings
        self.relative_validity_ = found.relative_validity
        self.notes_ = [*(notes or []), *found.notes]
        self.document_topics_ = topics
        self.document_confidence_ = confidence
        self.n_documents_ = len(corpus)
        self._describe()

    def fit_transform(self, documents: Documents, embeddings: np.ndarray | None = None) -> np.ndarray:
        """Fit, then return each document's topic."""
        return self.fit(documents, embeddings).document_topics_.copy()

    def _check_params(self) -> None:
        if not (callable(self.features) or self.features in ("tfidf", "embeddings")):
            raise ModelError(
                f"features={self.features!r} is not known; use 'tfidf', 'embeddings' or a callable "
                "that turns a list of texts into an array"
            )
        params.check_n_themes(self.n_themes)
        params.check_random_state(self.random_state)
        params.check_n_keywords(self.n_keywords)
        params.check_outlier_threshold(self.outlier_threshold)
        if self.features == "embeddings":
            from topics.encoders import require

            require(self.embedding_model)

    def _seed(self, vectors: np.ndarray):
        """Guided fitting: the documents that clearly match one of `guided_themes` (topics.guided)."""
        if self.guided_themes is None:
            return None
        from topics.guided import seed_documents

        params.check_range("guide_strength", self.guide_strength, 0.0, 1.0)
        if self.lsa_ is None and not (callable(self.features) or self.features == "embeddings"):
            raise ModelError("guided_themes needs the model's own features to score the themes' words: fit "
                             "without embeddings=, or use features='embeddings' or a callable")
        return seed_documents(self, vectors, self.guided_themes)

    def _fit_vectors(
        self, texts: list[str], counts, embeddings: np.ndarray | None, notes: list[str] | None = None
    ) -> np.ndarray:
        if embeddings is not None:
            self.lsa_, self.vectors_from_ = None, "given"
            return blank_out(texts, unit_rows(checked_vectors(embeddings, len(texts))))
        if self.features == "tfidf":
            self.vectors_from_ = "tfidf"
            self.lsa_, vectors = LsaProjection.fit(
                self.vocabulary_.tfidf(counts), self.random_state, texts, self.vocabulary_)
            return vectors
        self.lsa_ = None
        self.vectors_from_ = "callable" if callable(self.features) else "encoder"
        # unit_rows once, as for embeddings given by the caller: the vectors `embed` returns are unit length
        # to float32 rounding only, and a difference in the last bit can change UMAP's graph and so the topics
        # (AI-conference papers, minilm-hybrid:64, seed 1: 25 topics one way, 57 the other)
        return blank_out(texts, unit_rows(checked_vectors(self._embed(texts, notes), len(texts))))

    def _embed(self, texts: list[str], notes: list | None = None, tally: list | None = None) -> np.ndarray:
        from topics.embeddings import embed

        if callable(self.features):
            return self.features(list(texts))  # checked (made dense) by the callers
        return embed(texts, self.embedding_model, cache_dir=self.cache_dir, progress=self.progress,
                     notes=notes, tally=tally)

    def _vectors_for(
        self, texts: list[str], embeddings: np.ndarray | None = None, tally: list | None = None
    ) -> np.ndarray:
        fitted = getattr(self, "vectors_", None)  # absent while fitting (guided themes embed their words)
        dimensions = None if fitted is None else fitted.shape[1]
        if embeddings is not None:
            return blank_out(texts, unit_rows(checked_vectors(embeddings, len(texts), dimensions)))
        if self.lsa_ is not None:
            return self.lsa_.transform(self.vocabulary_.tfidf(self.vocabulary_.counts(texts)))
        source = self._vector_source()
        if source == "given":
            raise ModelError(
                "this model was fitted on vectors you passed (embeddings=), so it cannot embed text itself: "
                "pass embeddings= for these documents too (transform, assign), or fit with features= "
                "'embeddings' or your encoding function to let the model embed queries and new documents")
        if source == "callable" and not callable(self.features):
            raise ModelError(
                "this model was fitted with a function as features, which is not saved with it: give it "
                "back with model.set_params(features=your_function), or pass embeddings=")
        vectors = self._embed(texts, tally=tally)
        return blank_out(texts, unit_rows(checked_vectors(vectors, len(texts), dimensions)))

    def _vector_source(self) -> str:
        """Where the fitted vectors came from: "tfidf", "encoder", "callable" or "given" (embeddings=);
        inferred for models saved before this was recorded."""
        recorded = getattr(self, "vectors_from_", None)
        if recorded:
            return recorded
        if self.lsa_ is not None:
            return "tfidf"
        return "callable" if callable(self.features) or self.features == "callable" else "encoder"

    def _forget_derived(self) -> None:
        """Drop what describes earlier topics (named themes, stability, changes): a new fit or merge replaces
        them."""
        for stale in ("named_themes_", "stability_", "topic_stability_", "changes_", "previous_"):
            self.__dict__.pop(stale, None)

    @property
    def document_themes_(self) -> np.ndarray:
        return tables.themes_of(self, self.document_topics_)

    @property
    def is_outlier_(self) -> np.ndarray:
        return (self.document_topics_ < 0) | (self.document_confidence_ < self.outlier_threshold)

    @property
    def outlier_share_(self) -> float:
        return float(self.is_outlier_.mean())

    # ------------------------------------------------------------------ analyses
    def name_themes(self, themes, **options):
        """Map topics and papers to named themes: a themes TOML path, a mapping of name -> description
        and/or seeds, or a list of NamedTheme. Stores and returns `named_themes_`
        (topics.named_themes.NamedThemes); options: threshold, margin, between, center."""
        from topics.named_themes import map_topics

        self._check_fitted()
        self.named_themes_ = map_topics(self, themes, **options)
        return self.named_themes_

    def stability(self, k: int = 5) -> pd.DataFrame:
        """Refit with `k` other seeds on the same features; per topic, how often it comes back.

        Also sets `stability_` (ARI between runs and more) and `topic_stability_` (the returned table).
        """
        from topics.stability import stability

        self.stability_, self.topic_stability_ = stability(self, k)
        return self.topic_stability_

    def emerging_topics(self, **options) -> pd.DataFrame:
        """Per topic, its share of the last period's papers against the periods before, and a status
        (emerging / growing / steady / fading); needs dated papers in two periods. See topics.emerging."""
        from topics.emerging import emerging_topics

        self._check_fitted()
        return emerging_topics(self, **options)

    # ------------------------------------------------------------------ new documents
    def transform(
        self, documents: Documents, embeddings: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Topic ids and confidences (float64; for the same features the same to the last bit whatever the
        batch, thread count or CPU: `_assign`) of (new) documents; -1 only with keep_outliers and low
        confidence."""
        self._check_fitted()
        return self._transform(as_corpus(documents), embeddings)

    def _transform(self, corpus: pd.DataFrame, embeddings: np.ndarray | None, tally: list | None = None):
        if len(corpus) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        vectors = self._vectors_for(corpus["text"].tolist(), embeddings, tally)
        topics, confidence = self._assign(vectors)
        if self.keep_outliers:
            topics = np.where(confidence >= self.outlier_threshold, topics, -1)
        return topics, confidence

    def assign(
        self, documents: Documents, embeddings: np.ndarray | None = None, batch_size: int = 20_000
    ) -> pd.DataFrame:
        """The topic columns of documents.csv (id, topic, topic_label, theme, theme_label, confidence,
        is_outlier) for any documents, in batches so that memory stays bounded. The confidence is rounded to
        4 decimals from the exact value (`_assign`): the batch size changes no digit."""
        self._check_fitted()
        from topics.progress import progress

        corpus = as_corpus(documents)
        parts = []
        tally: list[tuple[int, int]] = []  # documents the encoder cut, per batch: said once, summed
        starts = range(0, len(corpus), batch_size)
        for start in progress(starts, "assigning", total=len(starts), enabled=self.progress, unit="batch"):
            batch = corpus.iloc[start : start + batch_size]
            vectors = None if embeddings is None else embeddings[start : start + batch_size]
            topics, confidence = self._transform(batch, vectors, tally)
            parts.append(
                pd.DataFrame({"id": batch["id"].to_numpy(), "topic": topics, "confidence": confidence})
            )
        if tally:
            from topics.embeddings import say_truncation

            say_truncation(self.embedding_model, tally)
        table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            {"id": [], "topic": [], "confidence": []}
        )
        topics = table["topic"].to_numpy(dtype=np.int64)
        confidence = table["confidence"].to_numpy(dtype=float).round(4)
        return pd.DataFrame({
            "id": table["id"].to_numpy(),
            **tables.topic_columns(self, topics),
            "confidence": confidence,
            "is_outlier": (topics < 0) | (confidence < self.outlier_threshold),
        })

    def _assign(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Topic and confidence, exact to the last bit (`TopicAssigner.assign`); files show the confidence
        rounded to 4 decimals."""
        return self.assigner_.assign(vectors, self.class_to_topic_)

    # ------------------------------------------------------------------ merging
    def merge_topics(self, groups: Sequence[int] | Sequence[Sequence[int]]) -> TopicModel:
        """Merge topics: one list of topic ids, or a list of such lists. Topics are renumbered by size."""
        self._check_fitted()
        groups = [groups] if groups and all(isinstance(g, (int, np.integer)) for g in groups) else groups
        target = np.arange(self.n_topics_)
        seen: set[int] = set()
        for group in groups:
            members = sorted({int(t) for t in group})
            unknown = [t for t in members if not 0 <= t < self.n_topics_]
            if unknown or not members:
                raise ModelError(f"no topic {unknown[0] if unknown else '(empty group)'}; topics are "
                                 f"0 to {self.n_topics_ - 1}")
            if seen & set(members):
                raise ModelError(f"topic {sorted(seen & set(members))[0]} is in two merge groups")
            seen |= set(members)
            target[members] = members[0]
        self._relabel(target[self.class_to_topic_])
        return self

    def reduce_topics(self, n_topics: int) -> TopicModel:
        """Merge the closest topics (along the theme hierarchy) until `n_topics` remain."""
        self._check_fitted()
        if not 1 <= n_topics <= self.n_topics_:
            raise ModelError(f"n_topics must lie between 1 and {self.n_topics_}, not {n_topics}")
        groups = themes.cut(self.linkage_, self.n_topics_, n_topics)
        self._relabel(groups[self.class_to_topic_])
        return self

    def _relabel(self, class_to_group: np.ndarray) -> None:
        """Give classifier classes new topics, renumber them by size and redo everything downstream."""
        _, class_to_group = np.unique(class_to_group, return_inverse=True)
        topics, _ = self.assigner_.assign(self.vectors_, class_to_group)
        # documents without a vector (-1) belong to no group; nothing is changed before this is known
        sizes = np.bincount(topics[topics >= 0], minlength=int(class_to_group.max()) + 1)
        order = np.argsort(-sizes, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self.class_to_topic_ = rank[class_to_group]
        topics, confidence = self._assign(self.vectors_)
        if self.keep_outliers:
            topics = np.where(self.raw_labels_ >= 0, topics, -1)
        self.document_topics_, self.document_confidence_ = topics, confidence
        self._forget_derived()  # a mapping to named themes or a stability table describes the old topics
        self._describe()

    def _say(self, message: str) -> None:
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    # ------------------------------------------------------------------ saving
    def save(self, directory: str | Path) -> Path:
        """Save to a directory (JSON and NumPy arrays, no pickle); returns the directory."""
        from topics.persistence import save

        return save(self, directory)

    @classmethod
    def load(cls, directory: str | Path) -> TopicModel:
        """Load a model saved with `save`; never executes code from the files."""
        from topics.persistence import load

        return load(directory, cls)
