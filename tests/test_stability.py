"""Stability across seeds on the sample papers: refits reuse the features and match topics by overlap."""

from __future__ import annotations

import numpy as np
import pytest

import topics
from topics.errors import ModelError
from topics.stability import _best_jaccard


def test_jaccard_matching_by_hand():
    base = np.array([0, 0, 0, 1, 1, 2])
    other = np.array([5, 5, 1, 1, 1, -1])
    # topic 0 {0,1,2} vs other 5 {0,1}: 2/3; topic 1 {3,4} vs other 1 {2,3,4}: 2/3; topic 2 has no match
    assert np.allclose(_best_jaccard(base, other, 3), [2 / 3, 2 / 3, 0.0])


def test_stability_on_sample_papers():
    corpus = topics.datasets.load_sample_papers()
    model = topics.TopicModel(progress=False).fit(corpus)
    before = model.document_topics_.copy()
    table = model.stability(k=3)
    assert np.array_equal(model.document_topics_, before), "stability must not change the fitted model"
    assert table["topic"].tolist() == list(range(model.n_topics_))
    assert table["reappearance"].between(0, 1).all() and table["mean_jaccard"].between(0, 1).all()
    summary = model.stability_
    assert summary["runs"] == 4
    assert -1 <= summary["ari_between_runs_min"] <= summary["ari_between_runs_mean"] <= 1
    # the robotics papers form the clearest group of the sample: their topic comes back in every run
    info = model.document_info()
    robotics = info.loc[info["title"].str.startswith("HumanPlus"), "topic"].item()
    assert table.loc[robotics, "reappearance"] == 1.0 and table.loc[robotics, "stable"]
    with pytest.raises(ModelError, match="k must be"):
        model.stability(k=0)


def test_the_largest_seed_reruns_with_seeds_that_wrap_around():
    """random_state 2**32 - 1 is valid; its reruns use 0, 1, ... rather than seeds no generator accepts."""
    papers = topics.datasets.load_sample_papers()
    model = topics.TopicModel(random_state=2**32 - 1, progress=False).fit(papers)
    table = model.stability(2)
    assert len(table) == model.n_topics_
