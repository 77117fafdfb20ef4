"""What follows from the documents' topics: sizes, centroids, keywords, phrase labels, themes, representative
papers and the namer's names (`TopicDescription._describe`), recomputed after a fit, a merge or a load.
A base class of `topics.model.TopicModel`; it reads the fitted state (`document_topics_`, `vectors_`,
`counts_`, `corpus_`) and writes the attributes the views and the report show."""

from __future__ import annotations

import numpy as np

from topics import defaults, phrase_labels, phrases, themes
from topics.features import unit_rows
from topics.representation import extract_keywords
from topics.wording import plural


class TopicDescription:
    """Topic and theme description for a fitted `TopicModel`."""

    def _describe(self) -> None:
        """Everything that follows from the documents' topics: sizes, keywords, labels, themes."""
        topics = self.document_topics_
        n_topics = int(topics.max()) + 1 if (topics >= 0).any() else 0
        assigned = topics >= 0
        self.n_topics_ = n_topics
        self.topic_sizes_ = np.bincount(topics[assigned], minlength=n_topics)
        centroids = np.vstack(
            [self.vectors_[topics == t].mean(axis=0) for t in range(n_topics)]
        ) if n_topics else np.zeros((0, self.vectors_.shape[1]))
        self.topic_vectors_ = unit_rows(centroids)
        keywords = extract_keywords(
            self.counts_[assigned], self.vocabulary_.terms, topics[assigned], n_topics, self.n_keywords)
        self.topic_keywords_ = keywords.terms
        self.topic_keyword_scores_ = keywords.scores
        rows = np.flatnonzero(assigned)
        self.topic_labels_ = phrase_labels.topic_labels(self._phrases(), rows, topics[assigned], n_topics)
        self.linkage_ = themes.ward_linkage(self.topic_vectors_, self.topic_sizes_)
        if self.n_themes == "auto":
            sweep = (getattr(self, "clustering_settings_", None) or {}).get("min_cluster_size_sweep") or []
            # below this size the sweep is only shown (its scores are noise), so it has no say here either
            trusted = self.n_documents_ >= defaults.MIN_DOCUMENTS_FOR_SWEEP_CHOICE
            levels = [list(row.get("clear_theme_levels") or []) for row in sweep] if trusted else []
            n_themes, self.theme_choice_ = themes.choose_n_themes(self.linkage_, n_topics, levels)
        else:
            n_themes = min(int(self.n_themes), n_topics)
            self.theme_choice_ = f"{plural(n_themes, 'theme')}: set by n_themes={self.n_themes}" + (
                f" (capped at the {plural(n_topics, 'topic')} found)" if n_themes < self.n_themes else "")
        self.topic_themes_ = themes.cut(self.linkage_, n_topics, n_themes)
        numbers = (getattr(self, "previous_", None) or {}).get("theme_numbers")  # kept from a previous fit
        if numbers is not None and len(numbers) == n_themes:
            self.topic_themes_ = np.asarray(numbers, dtype=self.topic_themes_.dtype)[self.topic_themes_]
        self.n_themes_ = n_themes
        document_themes = self.topic_themes_[topics[assigned]]
        theme_keywords = extract_keywords(
            self.counts_[assigned], self.vocabulary_.terms, document_themes, n_themes, self.n_keywords)
        self.theme_keywords_ = theme_keywords.terms
        self.theme_keyword_scores_ = theme_keywords.scores
        self.theme_labels_ = phrase_labels.theme_labels(self._phrases(), rows, document_themes, n_themes)
        similarity = self.vectors_ @ self.topic_vectors_.T if n_topics else None
        self.representative_documents_ = []
        for t in range(n_topics):
            members = np.flatnonzero(topics == t)
            best = members[np.argsort(-similarity[members, t], kind="stable")]
            self.representative_documents_.append(best[: defaults.N_REPRESENTATIVE_DOCUMENTS].tolist())
        self.topic_names_, self.naming_notes_ = self._names() if callable(self.namer) else (None, [])

    def _names(self) -> tuple[list[str | None], list[str]]:
        """The namer's name for each topic (None: it gave none; the phrase label stays), and notes."""
        from topics.naming import name_topics

        titles = self.corpus_["title"].fillna("").astype(str).tolist()
        requests = [{
            "level": "topic", "topic": t, "label": self.topic_labels_[t],
            "phrases": self.topic_labels_[t].split(phrases.SEPARATOR),
            "keywords": list(self.topic_keywords_[t]), "size": int(self.topic_sizes_[t]),
            "titles": [titles[d] for d in self.representative_documents_[t]],
        } for t in range(self.n_topics_)]
        return name_topics(self.namer, requests)

    def _phrases(self) -> phrases.PhraseTable:
        """The corpus's candidate label phrases, counted once per fit or load (merges reuse them)."""
        table = self.__dict__.get("_phrase_table")
        if table is None:
            table = phrases.PhraseTable.fit(self.corpus_["text"].tolist(), self.corpus_["title"].tolist())
            self.__dict__["_phrase_table"] = table
        return table
