"""TF-IDF features on real text: the word-context vectors beside the LSA, and how they survive saving."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import read_shared

import topics
from topics import defaults
from topics.features import ContextVectors, LsaProjection, Vocabulary


@pytest.fixture(scope="module")
def ai_texts():
    return read_shared("ai-conference-papers.csv.gz")["text"].tolist()


@pytest.fixture(scope="module")
def ai_context(ai_texts):
    vocabulary, _ = Vocabulary.fit(ai_texts)
    return vocabulary, ContextVectors.fit(ai_texts, vocabulary, 42)


def _word_vector(vocabulary, context, word):
    column = vocabulary.terms.index(word)
    row = int(np.flatnonzero(context.terms == column)[0])
    vector = context.vectors[row]
    return vector / np.linalg.norm(vector)


def test_words_used_alike_get_close_context_vectors(ai_context):
    """Learned from the words around each word in 6,253 conference abstracts: a field's words sit together,
    and apart from another field's, although many of them rarely share an abstract."""
    vocabulary, context = ai_context
    words = ("reinforcement", "policy", "reward", "segmentation", "image", "pixel", "translation", "sentence")
    word = {w: _word_vector(vocabulary, context, w) for w in words}
    assert word["reinforcement"] @ word["policy"] > word["reinforcement"] @ word["segmentation"] + 0.2
    assert word["segmentation"] @ word["pixel"] > word["segmentation"] @ word["reward"] + 0.2
    assert word["translation"] @ word["sentence"] > word["translation"] @ word["image"] + 0.2


def test_documents_get_both_halves_from_a_thousand_documents_on(ai_texts):
    large, small = ai_texts[:1000], ai_texts[:999]
    for texts, has_context in ((large, True), (small, False)):
        vocabulary, counts = Vocabulary.fit(texts)
        tfidf = vocabulary.tfidf(counts)
        projection, vectors = LsaProjection.fit(tfidf, 42, texts, vocabulary)
        assert (projection.context is not None) is has_context
        assert vectors.shape[1] == (200 if has_context else 100)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        # new documents go through the same projection: the fitted vectors come back
        np.testing.assert_allclose(projection.transform(tfidf), vectors, atol=1e-5)
    assert defaults.MIN_DOCUMENTS_FOR_CONTEXT == 1000


def test_a_saved_model_keeps_its_context_vectors(ai_texts, tmp_path):
    texts = ai_texts[:1200]
    model = topics.TopicModel(progress=False).fit(texts)
    assert model.lsa_.context is not None
    model.save(tmp_path / "model")
    loaded = topics.TopicModel.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.lsa_.context.vectors, model.lsa_.context.vectors)
    # the report's settings (page, report.md, run.json) say what the vectors are made of
    from topics.report.files import model_settings

    words = len(loaded.lsa_.context.terms)
    assert model_settings(loaded)["vectors"] == (
        "TF-IDF reduced by LSA to 100 dimensions, beside word-context vectors of 100 dimensions "
        f"({words:,} words)")
    new = ai_texts[2000:2100]
    before, confidence_before = model.transform(new)
    after, confidence_after = loaded.transform(new)
    assert before.tolist() == after.tolist()
    np.testing.assert_allclose(confidence_after, confidence_before, atol=1e-6)
    fitted, _ = loaded.transform(texts)
    kept = model.document_topics_ >= 0
    assert (fitted[kept] == model.document_topics_[kept]).mean() >= 0.95
