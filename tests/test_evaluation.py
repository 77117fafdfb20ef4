"""Evaluation metrics: hand-checkable cases, the bundled sample papers, and gensim's c_npmi as a reference."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

import topics
from topics.evaluation import (
    label_agreement,
    silhouette,
    tokenize,
    topic_coherence_npmi,
    topic_diversity,
)

# ------------------------------------------------------------------------------------------ hand cases
TOY = ["apple banana", "apple banana", "apple cherry", "durian"]


def test_npmi_document_cooccurrence_by_hand():
    # p(apple) = 3/4, p(banana) = 2/4, p(apple, banana) = 2/4
    expected = math.log(0.5 / (0.75 * 0.5)) / -math.log(0.5)
    assert topic_coherence_npmi([["apple", "banana"]], TOY) == pytest.approx(expected, abs=1e-9)
    # never together: log(eps / (p p)) / -log(eps), close to -1
    never = math.log(1e-12 / (0.25 * 0.25)) / -math.log(1e-12)
    assert topic_coherence_npmi([["cherry", "durian"]], TOY) == pytest.approx(never, abs=1e-9)


def test_npmi_means_over_pairs_then_topics():
    pair = topic_coherence_npmi([["apple", "banana"]], TOY)
    three = topic_coherence_npmi([["apple", "banana", "cherry"]], TOY, per_topic=True)
    ab, ac = pair, topic_coherence_npmi([["apple", "cherry"]], TOY)
    bc = topic_coherence_npmi([["banana", "cherry"]], TOY)
    assert three[0] == pytest.approx((ab + ac + bc) / 3)
    both = topic_coherence_npmi([["apple", "banana"], ["apple", "cherry"]], TOY)
    assert both == pytest.approx((ab + ac) / 2)


def test_npmi_top_n_and_unknown_words():
    assert topic_coherence_npmi([["apple", "banana", "durian"]], TOY, top_n=2) == pytest.approx(
        topic_coherence_npmi([["apple", "banana"]], TOY)
    )
    # a word absent from the reference gives -1 for its pairs
    assert topic_coherence_npmi([["apple", "zebra"]], TOY) == -1.0
    assert math.isnan(topic_coherence_npmi([["apple"]], TOY))


def test_npmi_sliding_window_by_hand():
    # 6 tokens, windows of 3: [a b x] [b x y] [x y a] [y a b] -> 4 contexts
    texts = [["aa", "bb", "xx", "yy", "aa", "bb"]]
    # aa in windows 1, 3, 4; bb in 1, 2, 4; together in 1 and 4
    expected = math.log(0.5 / (0.75 * 0.75)) / -math.log(0.5)
    assert topic_coherence_npmi([["aa", "bb"]], texts, window=3) == pytest.approx(expected)
    # xx and bb: xx in windows 1, 2, 3; together in 1, 2
    expected = math.log(0.5 / (0.75 * 0.75)) / -math.log(0.5)
    assert topic_coherence_npmi([["xx", "bb"]], texts, window=3) == pytest.approx(expected)
    # a document no longer than the window is one context: same as document co-occurrence
    assert topic_coherence_npmi([["apple", "banana"]], TOY, window=10) == pytest.approx(
        topic_coherence_npmi([["apple", "banana"]], TOY)
    )


def test_bigram_keyword_is_present_where_the_phrase_occurs():
    texts = [
        "Reinforcement learning for robots.",
        "Robots learning by reinforcement.",  # both words, not the phrase
        "Deep reinforcement learning of robots and reinforcement learning.",
    ]
    # "reinforcement learning" in documents 1 and 3, "robots" in all three
    expected = math.log((2 / 3) / ((2 / 3) * 1.0)) / -math.log(2 / 3)
    value = topic_coherence_npmi([["reinforcement learning", "robots"]], texts)
    assert value == pytest.approx(expected, abs=1e-9)
    # a bigram must fit entirely in the window: window of 2 over "robots learning reinforcement"
    assert topic_coherence_npmi([["reinforcement learning", "robots"]], texts[1:2], window=2) == -1.0


def test_tokenize_follows_the_vocabulary():
    assert tokenize(["The Transformer-based model, GPT-4, in 2024 is a Model!"]) == [
        ["transformer-based", "model", "gpt-4", "model"]
    ]


def test_topic_diversity_by_hand():
    assert topic_diversity([["a", "b"], ["a", "c"]]) == pytest.approx(3 / 4)
    assert topic_diversity([["a", "b", "c"], ["d", "e", "f"]], top_n=2) == 1.0
    assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
    assert math.isnan(topic_diversity([]))


def test_silhouette_of_separated_groups_and_sampling():
    rng = np.random.RandomState(0)
    points = np.vstack([rng.normal(0, 0.1, (50, 2)), rng.normal(10, 0.1, (50, 2))])
    classes = np.repeat([0, 1], 50)
    assert silhouette(points, classes) > 0.95
    classes_with_noise = classes.copy()
    classes_with_noise[:5] = -1  # noise is left out
    assert silhouette(points, classes_with_noise) > 0.95
    assert math.isnan(silhouette(points, np.zeros(100, dtype=int)))
    # sampled: deterministic
    assert silhouette(points, classes, sample=30) == silhouette(points, classes, sample=30)


def test_label_agreement_by_hand():
    perfect = label_agreement(["x", "x", "y", "y"], [1, 1, 0, 0])
    assert perfect == {"nmi": 1.0, "ari": 1.0, "homogeneity": 1.0, "completeness": 1.0}
    split = label_agreement(["x", "x", "y", "y"], [0, 1, 2, 3], prefix="topic_")
    assert split["topic_homogeneity"] == pytest.approx(1.0)
    assert split["topic_completeness"] == pytest.approx(0.5)
    # missing labels are left out
    partial = label_agreement(["x", None, "y", ""], [0, 5, 1, 7])
    assert partial["nmi"] == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------ sample papers
@pytest.fixture(scope="module")
def papers():
    return topics.datasets.load_sample_papers()


@pytest.fixture(scope="module")
def small_model(papers):
    """25 papers: agglomerative clustering, no UMAP, fast."""
    return topics.TopicModel(progress=False).fit(papers.head(25))


@pytest.fixture(scope="module")
def model(papers):
    return topics.TopicModel(progress=False).fit(papers)


def _documents_with(texts, word):
    return {i for i, tokens in enumerate(tokenize(texts)) if word in tokens}


def test_npmi_on_sample_papers_counted_by_hand(papers):
    texts = papers["text"].tolist()
    language, models = _documents_with(texts, "language"), _documents_with(texts, "models")
    n = len(texts)
    joint = len(language & models) / n
    expected = math.log(joint / (len(language) / n * len(models) / n)) / -math.log(joint)
    assert expected > 0  # the two words go together in this corpus
    assert topic_coherence_npmi([["language", "models"]], texts) == pytest.approx(expected, abs=1e-9)


def test_npmi_of_a_model_matches_its_texts(small_model):
    from_counts = topic_coherence_npmi(small_model)
    from_texts = topic_coherence_npmi(small_model.topic_keywords_, small_model.corpus_["text"].tolist())
    assert from_counts == pytest.approx(from_texts, abs=1e-9)
    per_topic = topic_coherence_npmi(small_model, per_topic=True)
    assert len(per_topic) == small_model.n_topics_
    assert np.all((per_topic[np.isfinite(per_topic)] >= -1) & (per_topic[np.isfinite(per_topic)] <= 1))
    window = topic_coherence_npmi(small_model, window=10)
    assert -1 <= window <= 1


def test_diversity_of_a_model(small_model):
    keywords = small_model.topic_keywords_
    flat = [w for k in keywords for w in k[:10]]
    assert topic_diversity(small_model) == pytest.approx(len(set(flat)) / len(flat))
    at_25 = topic_diversity(small_model, top_n=25)
    assert 0 < at_25 <= 1


def test_evaluate_small_model(small_model):
    result = topics.evaluate(small_model)
    assert result["n_documents"] == 25
    assert result["label_grounding"] == 1.0  # every label keyword occurs in its topic's documents
    assert result["theme_label_grounding"] == 1.0
    assert math.isnan(result["dbcv"])  # HDBSCAN did not run on 25 documents
    assert all(isinstance(v, float) for v in result.values())


def test_evaluate_sample_papers(model):
    result = topics.evaluate(model)
    expected = {
        "n_documents", "n_topics", "n_themes", "npmi", "npmi_window", "diversity", "diversity_25",
        "outlier_share", "noise_share", "silhouette", "silhouette_themes", "dbcv", "label_grounding",
        "theme_label_grounding",
    }
    assert set(result) == expected
    assert result["n_documents"] == 58
    assert result["n_topics"] == model.n_topics_
    assert result["outlier_share"] == pytest.approx(model.outlier_share_)
    assert result["noise_share"] == pytest.approx(float((model.raw_labels_ < 0).mean()))
    assert result["dbcv"] == pytest.approx(model.relative_validity_)
    assert result["label_grounding"] == 1.0
    assert -1 <= result["silhouette"] <= 1
    assert -1 <= result["npmi"] <= 1 and -1 <= result["npmi_window"] <= 1
    assert 0 < result["diversity"] <= 1
    assert topics.evaluate(model) == result  # deterministic


def test_evaluate_with_labels(model):
    # a model's own topics as labels agree perfectly with its topics
    result = topics.evaluate(model, labels=model.document_topics_)
    assert result["topic_nmi"] == pytest.approx(1.0)
    assert result["topic_ari"] == pytest.approx(1.0)
    # themes group topics: every theme is pure in topics-as-labels terms -> completeness 1
    assert result["theme_completeness"] == pytest.approx(1.0)
    by_theme = topics.evaluate(model, labels=model.document_themes_)
    assert by_theme["theme_nmi"] == pytest.approx(1.0)
    assert by_theme["topic_homogeneity"] == pytest.approx(1.0)
    # a column of the corpus works too
    by_column = topics.evaluate(model, labels="listed")
    assert 0 <= by_column["theme_nmi"] <= 1
    with pytest.raises(ValueError, match="no column"):
        topics.evaluate(model, labels="no-such-column")
    with pytest.raises(ValueError, match="labels for"):
        topics.evaluate(model, labels=[1, 2, 3])


def test_evaluate_needs_a_fitted_model():
    with pytest.raises(topics.ModelError):
        topics.evaluate(topics.TopicModel())


# ------------------------------------------------------------------------------------------ gensim
def _gensim():
    try:
        from gensim.corpora import Dictionary
        from gensim.models.coherencemodel import CoherenceModel
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("gensim is not installed (pip install gensim): it is the reference for the NPMI check")
    return Dictionary, CoherenceModel


def test_npmi_agrees_with_gensim_c_npmi(papers, small_model):
    Dictionary, CoherenceModel = _gensim()
    token_lists = tokenize(papers["text"].tolist())
    dictionary = Dictionary(token_lists)
    # top words: the model's unigram keywords (gensim's texts hold unigrams), plus the corpus's frequent words
    top_words = [[w for w in words if " " not in w][:10] for words in small_model.topic_keywords_]
    top_words = [words for words in top_words if len(words) >= 3]
    frequent = sorted(dictionary.token2id, key=lambda w: -dictionary.dfs[dictionary.token2id[w]])[:40]
    top_words += [frequent[i : i + 10] for i in range(0, 40, 10)]
    assert len(top_words) >= 5

    def gensim_npmi(window_size):
        return np.array(
            CoherenceModel(
                topics=top_words, texts=token_lists, dictionary=dictionary, coherence="c_npmi",
                window_size=window_size, processes=1,
            ).get_coherence_per_topic()
        )

    # document co-occurrence: a window longer than any document makes each document one window
    ours = topic_coherence_npmi(top_words, token_lists, per_topic=True)
    np.testing.assert_allclose(ours, gensim_npmi(100_000), atol=1e-6)
    # sliding windows of 10 (gensim's c_npmi default); gensim's window update can drop a word repeated
    # inside a window, so the values are close rather than equal. Compared on the frequent-word lists:
    # on rarer keyword pairs the dropped repeats shift single topics by up to ~0.03 (the mean stays close).
    ours_all = topic_coherence_npmi(top_words, token_lists, window=10, per_topic=True)
    theirs_all = gensim_npmi(10)
    assert abs(ours_all.mean() - theirs_all.mean()) < 0.01
    ours, theirs = ours_all[-4:], theirs_all[-4:]
    np.testing.assert_allclose(ours, theirs, atol=0.02)
    assert abs(ours.mean() - theirs.mean()) < 0.01
