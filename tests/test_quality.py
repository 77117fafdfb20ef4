"""Quality floors on the shared labelled corpora, with default settings (issue: the topic model).

These fit real corpora end to end (a minute or two each on 2 cores) and run in CI. They need
../shared/data beside the checkout (or $TOPICS_SHARED_DATA).
"""

from __future__ import annotations

import pytest
from helpers import read_shared

import topics

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def bbc():
    return read_shared("bbc-news.csv.gz")


@pytest.fixture(scope="module")
def bbc_tfidf(bbc):
    return topics.TopicModel(progress=False).fit(bbc)


def test_bbc_tfidf_themes_match_the_sections(bbc_tfidf):
    scores = topics.evaluate(bbc_tfidf, labels="label")
    assert scores["theme_nmi"] >= 0.80, scores
    assert scores["outlier_share"] < 0.15, scores


def test_bbc_labels_are_coherent_and_diverse(bbc_tfidf):
    scores = topics.evaluate(bbc_tfidf)
    assert scores["npmi"] >= 0.18, scores
    assert scores["diversity"] >= 0.85, scores


def test_bbc_embeddings_themes(bbc, tmp_path_factory):
    """Regression guard at today's level (0.72; BERTopic 0.52). The issue's target is 0.80: the automatic
    number of themes picks 6 where 4-5 would score 0.75-0.78 (see docs/benchmarks.md)."""
    pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
    model = topics.TopicModel(
        features="embeddings", cache_dir=tmp_path_factory.mktemp("embeddings"), progress=False
    ).fit(bbc)
    scores = topics.evaluate(model, labels="label")
    assert scores["theme_nmi"] >= 0.70, scores
    assert scores["npmi"] >= 0.18 and scores["diversity"] >= 0.85, scores


def test_ai_conference_papers_themes(tmp_path_factory):
    corpus = read_shared("ai-conference-papers.csv.gz")
    model = topics.TopicModel(progress=False).fit(corpus)
    scores = topics.evaluate(model, labels="label")
    # Regression guards at today's level: topics 0.335 (BERTopic 0.30-0.31), themes 0.26. The issue's
    # target for themes is 0.34; even the best cut of today's tree reaches only ~0.33 (docs/benchmarks.md).
    assert scores["topic_nmi"] >= 0.32, scores
    assert scores["theme_nmi"] >= 0.25, scores
    assert scores["outlier_share"] < 0.2, scores
