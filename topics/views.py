"""What a fitted `TopicModel` shows: its tables, search, plots and notebook display.

`ModelViews` is a base class of `TopicModel` (`topics.model`), kept apart so that the estimator's module holds
what the model computes (fitting, assigning new documents, merging). Every method here reads the fitted
state; the tables and plots are drawn by their stage modules (`topics.tables`, `topics.plots`).

In Jupyter the model shows as its counts and first topics: `_repr_mimebundle_` gives that table, since
scikit-learn's own bundle (an estimator diagram of the parameters) would win over `_repr_html_`."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from topics import tables
from topics.errors import ModelError


class ModelViews:
    """Tables, search and plots of a fitted model (mixed into `topics.model.TopicModel`)."""

    def _check_fitted(self) -> None:
        if not hasattr(self, "document_topics_"):
            raise ModelError("this TopicModel is not fitted yet; call fit(documents) first")

    # ------------------------------------------------------------------ tables
    def topic_info(self) -> pd.DataFrame:
        """One row per topic: theme, size, label, keywords with scores, representative documents."""
        self._check_fitted()
        return tables.topic_table(self)

    def theme_info(self) -> pd.DataFrame:
        """One row per theme: size, label, keywords, and its topics."""
        self._check_fitted()
        return tables.theme_table(self)

    def document_info(self) -> pd.DataFrame:
        """One row per document: topic and theme with labels, confidence, outlier flag, map position."""
        self._check_fitted()
        return tables.document_table(self, self.corpus_, self.document_topics_, self.document_confidence_,
                              self.is_outlier_, self.map_)

    def hierarchy(self) -> pd.DataFrame:
        """The merge tree of topics into themes: one row per merge (SciPy linkage order)."""
        self._check_fitted()
        return tables.hierarchy_table(self)

    def get_topic(self, topic: int) -> list[tuple[str, float]]:
        """Keywords of one topic with their c-TF-IDF scores."""
        self._check_fitted()
        whole = isinstance(topic, (int, np.integer)) and not isinstance(topic, bool)
        if not whole or not 0 <= topic < self.n_topics_:
            raise ModelError(f"no topic {topic}; topics are 0 to {self.n_topics_ - 1}")
        return list(zip(self.topic_keywords_[topic], self.topic_keyword_scores_[topic], strict=True))

    def find_topics(self, query: str, top_n: int = 5) -> pd.DataFrame:
        """Topics closest to a phrase, by cosine similarity in the model's feature space."""
        self._check_fitted()
        if isinstance(top_n, bool) or not isinstance(top_n, (int, np.integer)) or top_n < 1:
            raise ModelError(f"top_n must be a whole number of at least 1, not {top_n!r}")
        vector = self._vectors_for([query])
        if not np.any(vector):
            raise ModelError(f"the query {query!r} has no word this model knows; try other words")
        similarity = (vector @ self.topic_vectors_.T)[0]
        order = np.argsort(-similarity, kind="stable")[:top_n]
        return pd.DataFrame({
            "topic": order,
            "label": [self.topic_labels_[t] for t in order],
            "similarity": np.round(similarity[order].astype(float), 4),
        })

    def search_documents(self, topic: int) -> pd.DataFrame:
        """The documents of one topic, most confident first."""
        self.get_topic(topic)  # validates the id
        documents = self.document_info()
        members = documents[documents["topic"] == topic]
        return members.sort_values("confidence", ascending=False, kind="stable")

    # ------------------------------------------------------------------ plots (each returns a Figure)
    def plot_map(self, **options):
        """The documents on a 2-D map, coloured by theme, topic labels placed without overlap."""
        from topics.plots import plot_map

        return plot_map(self, **options)

    def plot_topics(self):
        """Documents per topic, coloured by theme."""
        from topics.plots import plot_topic_sizes

        return plot_topic_sizes(self)

    def plot_keywords(self, **options):
        """Top keywords of each topic with their scores (small multiples)."""
        from topics.plots import plot_topic_keywords

        return plot_topic_keywords(self, **options)

    def plot_hierarchy(self):
        """How topics merge into themes (dendrogram)."""
        from topics.plots import plot_hierarchy

        return plot_hierarchy(self)

    def cluster_sweep(self) -> pd.DataFrame:
        """The min_cluster_size settings tried by min_cluster_size="auto": topics, noise, DBCV, objective."""
        from topics.plots import sweep_table

        self._check_fitted()
        return sweep_table(self)

    def plot_cluster_sweep(self):
        """The min_cluster_size sweep: objective, clusters found and noise share per setting."""
        from topics.plots import plot_cluster_sweep

        self._check_fitted()
        return plot_cluster_sweep(self)

    def plot_similarity(self):
        """Cosine similarity between topics (heatmap)."""
        from topics.plots import plot_topic_similarity

        return plot_topic_similarity(self)

    def plot_theme_composition(self, **options):
        """For each label of the corpus (its `label` column), the share of its documents in each theme."""
        from topics.plots import has_labels, plot_theme_composition

        if not has_labels(self):
            raise ModelError("the corpus has no labels; read it with a label column (label_column=...)")
        return plot_theme_composition(self, **options)

    def plot_over_time(self, **options):
        """Documents per period for the largest topics; needs a `date` column in the corpus."""
        from topics.plots import has_dates, plot_topics_over_time

        if not has_dates(self):
            raise ModelError("the corpus has no dates; read it with a date column (date_column=...)")
        return plot_topics_over_time(self, **options)

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """What Jupyter shows: the text of `repr` and the table of `_repr_html_`."""
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        """In Jupyter: the counts and the first ten topics as a table."""
        if not hasattr(self, "document_topics_"):
            return f"<pre>{html.escape(repr(self))}</pre>"
        shown = range(min(self.n_topics_, 10))
        table = pd.DataFrame({
            "topic": list(shown),
            "label": [self.topic_labels_[t] for t in shown],
            "size": [int(self.topic_sizes_[t]) for t in shown],
            "theme": [self.theme_labels_[self.topic_themes_[t]] for t in shown],
        }).to_html(index=False, border=0)  # escapes every cell
        more = f"<p>... and {self.n_topics_ - 10} more topics</p>" if self.n_topics_ > 10 else ""
        return (f"<div><b>TopicModel</b> ({html.escape(str(self.features))}): "
                f"{html.escape(self._counts())}{table}{more}</div>")

    def __repr__(self) -> str:
        if not hasattr(self, "document_topics_"):
            return super().__repr__()
        return f"TopicModel(features={self.features!r}): {self._counts()}"

    def _counts(self) -> str:
        from topics.wording import plural

        return (f"{plural(self.n_documents_, 'document')}, {plural(self.n_topics_, 'topic')}, "
                f"{plural(self.n_themes_, 'theme')}, {self.outlier_share_:.0%} outliers")
