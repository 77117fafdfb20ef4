"""One very long record (a whole book pasted into an abstract field) costs what its first
`defaults.MAX_RECORD_CHARACTERS` cost, is said in the notes, and is kept whole (issue 21, 3.6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import topics
from topics import defaults


@pytest.fixture(scope="module")
def with_long_record():
    sample = topics.datasets.load_sample_papers()
    words = np.array(" ".join(sample["abstract"]).split())
    text = " ".join(np.random.default_rng(0).choice(words, 60_000))  # ~400,000 characters
    assert len(text) > 3 * defaults.MAX_RECORD_CHARACTERS
    long = pd.DataFrame([{"id": "long", "title": "A long record", "text": text}])
    corpus = pd.concat([sample[["id", "title", "text"]], long], ignore_index=True)
    return corpus, topics.TopicModel(progress=False).fit(corpus)


def test_a_long_record_is_read_up_to_the_limit_and_said(with_long_record):
    corpus, model = with_long_record
    text = corpus["text"].iloc[-1]
    notes = [note for note in model.notes_ if "longer than" in note]
    assert len(notes) == 1 and "1 document is longer than 100,000 characters" in notes[0], model.notes_
    assert f"the longest {len(text):,}" in notes[0]
    assert model.corpus_["text"].iloc[-1] == text  # kept whole
    head = text[: defaults.MAX_RECORD_CHARACTERS]
    topic_whole, confidence_whole = model.transform([text])
    topic_head, confidence_head = model.transform([head])
    assert topic_whole[0] == topic_head[0] and confidence_whole[0] == confidence_head[0]


def test_the_long_record_changes_nothing_else(with_long_record):
    """The other papers get the topics of a fit where the long record is its first 100,000 characters."""
    corpus, model = with_long_record
    cut = corpus.copy()
    cut.loc[cut.index[-1], "text"] = cut["text"].iloc[-1][: defaults.MAX_RECORD_CHARACTERS]
    again = topics.TopicModel(progress=False).fit(cut)
    assert np.array_equal(again.document_topics_, model.document_topics_)
    assert again.topic_labels_ == model.topic_labels_
