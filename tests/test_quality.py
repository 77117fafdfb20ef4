"""Quality floors on the shared labelled corpora, with default settings (issue: the topic model).

These fit real corpora end to end and run in CI. They need ../shared/data beside the checkout (or
$TOPICS_SHARED_DATA). The floors that need sentence-embedding vectors of a whole corpus (MiniLM on 2,225
BBC articles: ~2 min on 2 cores; on 6,253 AI-conference abstracts: ~5 min), and the whole-corpus TF-IDF
floors (BBC, sharing its fit with the named-themes floor: about 25 s; AI-conference: about 35 s), are marked
`floors`: the README's test command leaves them out to stay under 10 minutes; `pytest -m "floors or builds"`
runs them, and `.ci/run` runs both.
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
def bbc_cache(tmp_path_factory):
    """One embedding cache for the module: the BBC articles' MiniLM vectors are computed once."""
    return tmp_path_factory.mktemp("embeddings")


@pytest.fixture(scope="module")
def bbc_tfidf(bbc, bbc_cache):
    return topics.TopicModel(progress=False, cache_dir=bbc_cache).fit(bbc)


BBC_SECTIONS = {
    "politics": "politics, government, elections and parliament",
    "business": "business, companies, markets and the economy",
    "sport": "sport, football, tennis, athletics and matches",
    "tech": "technology, computers, the internet and mobile phones",
    "entertainment": "entertainment, films, music, television and celebrities",
}


@pytest.mark.floors
def test_bbc_sections_named_as_one_line_descriptions_land(bbc, bbc_tfidf):
    """Issue 20's floor: the five sections as one-line descriptions put >= 0.93 of the articles in their own
    section (matched in sentence embeddings, though the model's features are TF-IDF; 0.81-0.83 before)."""
    pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
    named = bbc_tfidf.name_themes(BBC_SECTIONS)
    assert "sentence embeddings" in named.space
    accuracy = (named.papers["theme"].to_numpy() == bbc["label"].to_numpy()).mean()
    majority = bbc["label"].value_counts(normalize=True).iloc[0]
    assert accuracy >= 0.93 and accuracy > majority, (accuracy, named.topics[["topic_label", "theme"]])


@pytest.mark.floors  # shares the BBC fit with the named-themes floor, which computes it anyway
def test_bbc_tfidf_themes_match_the_sections(bbc_tfidf):
    scores = topics.evaluate(bbc_tfidf, labels="label")
    assert scores["theme_nmi"] >= 0.80, scores
    assert scores["outlier_share"] < 0.15, scores


@pytest.mark.floors
def test_bbc_labels_are_coherent_and_diverse(bbc_tfidf):
    scores = topics.evaluate(bbc_tfidf)
    assert scores["npmi"] >= 0.18, scores
    assert scores["diversity"] >= 0.85, scores


@pytest.mark.floors
def test_bbc_embeddings_themes_match_the_sections(bbc, bbc_cache):
    pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
    model = topics.TopicModel(features="embeddings", cache_dir=bbc_cache, progress=False).fit(bbc)
    scores = topics.evaluate(model, labels="label")
    assert scores["theme_nmi"] >= 0.80, scores
    assert scores["npmi"] >= 0.18 and scores["diversity"] >= 0.85, scores


@pytest.fixture(scope="module")
def ai_conference():
    return read_shared("ai-conference-papers.csv.gz")


@pytest.mark.floors
def test_ai_conference_papers_tfidf_reach_the_floor(ai_conference):
    """The issue's floor, theme NMI >= 0.34 (BERTopic on the same vectors: 0.30-0.32), with the default
    TF-IDF features. With the word-context vectors beside the LSA, 8 seeds measured 0.321-0.359 (mean
    0.345; LSA alone 0.312-0.343, mean 0.333); the default seed 42 gives 0.352 and is tested."""
    model = topics.TopicModel(progress=False).fit(ai_conference)
    assert model.lsa_.context is not None and model.vectors_.shape[1] == 200
    scores = topics.evaluate(model, labels="label")
    assert scores["topic_nmi"] >= 0.32, scores
    assert scores["theme_nmi"] >= 0.34, scores
    assert scores["outlier_share"] < 0.2, scores


@pytest.mark.floors
def test_ai_conference_papers_embeddings_reach_the_floor(ai_conference, tmp_path_factory):
    """The issue's floor, theme NMI >= 0.34 (BERTopic with MiniLM: 0.32), with MiniLM embeddings of the
    papers as read_corpus gives them. Seeds 42 / 1 / 7 measured 0.372 / 0.328 / 0.353: seed 42 is tested."""
    pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
    model = topics.TopicModel(
        features="embeddings", cache_dir=tmp_path_factory.mktemp("embeddings"), progress=False
    ).fit(ai_conference)
    scores = topics.evaluate(model, labels="label")
    assert scores["theme_nmi"] >= 0.34, scores
    assert scores["outlier_share"] < 0.2, scores


def test_informal_text_gets_no_contraction_fragments_as_keywords():
    """20 Newsgroups posts are full of "don't" and "I've": what the tokenizer leaves of them ("don", "ve")
    must not become keywords or labels."""
    posts = read_shared("20newsgroups.csv.gz").iloc[:1500]
    model = topics.TopicModel(progress=False).fit(posts)
    words = {word for keywords in model.topic_keywords_ for phrase in keywords for word in phrase.split()}
    words |= {word for label in model.theme_labels_ for word in label.replace("·", " ").split()}
    assert not words & {"don", "ve", "ll", "didn", "doesn", "isn"}
    assert len(model.topic_keywords_) >= 5
