"""Continuing from a previous model (topics.changes): matching topics and themes by shared papers or by
content, splits and merges, renumbering that keeps save/load/transform consistent, and bad input."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

import topics
from topics import changes
from topics.errors import ModelError

STATUSES = {"new", "grew", "shrank", "faded", "split", "merged", "same"}


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return topics.datasets.load_sample_papers()


@pytest.fixture(scope="module")
def before(sample):
    return topics.TopicModel(progress=False, namer=lambda request: f"name {request['topic']}").fit(
        sample.iloc[:30])


@pytest.fixture(scope="module")
def after(sample, before):
    return topics.TopicModel(progress=False).fit(sample, previous=before)


@pytest.fixture(scope="module")
def fresh(sample):
    return topics.TopicModel(progress=False).fit(sample)


def test_every_topic_and_theme_has_a_row_and_every_previous_one_is_told(after, before):
    table = after.changes_
    assert list(table.columns) == changes.COLUMNS
    assert set(table["status"]) <= STATUSES
    for level, n_after, n_before in (("topic", after.n_topics_, before.n_topics_),
                                     ("theme", after.n_themes_, before.n_themes_)):
        rows = table[table["level"] == level]
        present = rows[rows["status"] != "faded"]
        assert sorted(present["id"].astype(int)) == list(range(n_after))
        assert set().union(*rows["previous"].map(set)) == set(range(n_before))
        assert rows.loc[rows["status"] == "faded", "id"].isna().all()
    topic_rows = table[table["level"] == "topic"].dropna(subset=["id"]).set_index("id")
    assert (topic_rows["papers_after"] == after.topic_sizes_[topic_rows.index.astype(int)]).all()
    assert topic_rows["new_papers"].sum() == 28  # the papers after the first 30
    assert all(len(titles) <= changes.N_TITLES for titles in topic_rows["new_titles"])
    assert after.previous_["matched_by"] == "ids" and after.previous_["shared_documents"] == 30
    assert any("previous model of 30 papers" in note for note in after.notes_)


def test_matched_topics_keep_their_numbers_and_names(after, before):
    ids = np.asarray(after.previous_["topic_ids"])
    assert (ids >= 0).any()
    for topic, previous in enumerate(ids):
        if 0 <= previous < after.n_topics_:
            assert topic == previous  # kept its number
        if previous >= 0:
            assert after.topic_names_[topic] == before.topic_names_[previous]
    kept = np.flatnonzero(ids >= 0)
    old_topics = before.document_topics_
    shared = after.document_topics_[:30]
    # most earlier papers of a matched topic stay under its number
    assert np.mean(ids[shared] == old_topics) >= 0.5
    assert len(kept) >= before.n_topics_ // 2


def test_a_renumbered_model_transforms_saves_and_loads_the_same(after, sample, tmp_path):
    topics_again, confidence = after.transform(sample)
    assert (topics_again == after.document_topics_).all()
    assert np.allclose(confidence, after.document_confidence_, atol=1e-5)  # vectors of the text again
    after.save(tmp_path / "model")
    loaded = topics.TopicModel.load(tmp_path / "model")
    assert (loaded.document_topics_ == after.document_topics_).all()
    assert (loaded.topic_themes_ == after.topic_themes_).all()
    assert loaded.topic_labels_ == after.topic_labels_ and loaded.theme_labels_ == after.theme_labels_
    assert loaded.topic_names_ == after.topic_names_
    assert loaded.previous_ == after.previous_
    pd.testing.assert_frame_equal(loaded.changes_, after.changes_)
    assert (loaded.transform(sample)[0] == after.document_topics_).all()


def test_merging_a_continued_model_forgets_its_changes(after):
    merged = copy.deepcopy(after).merge_topics([0, 1])
    assert getattr(merged, "changes_", None) is None and getattr(merged, "previous_", None) is None
    assert merged.n_topics_ == after.n_topics_ - 1


def test_a_topic_merged_before_is_split_after_and_the_reverse(fresh):
    sizes = fresh.topic_sizes_
    merged = copy.deepcopy(fresh).merge_topics([0, 1])  # the merged pair becomes topic 0 (the largest)
    split_table = changes.follow(copy.deepcopy(fresh), merged)
    pieces = split_table[(split_table["level"] == "topic") & (split_table["status"] == "split")]
    # the piece that continues topic 0 keeps its number; the other takes the one number left free
    assert sorted(pieces["id"].astype(int)) == [0, fresh.n_topics_ - 1]
    assert all(p == [0] for p in pieces["previous"])
    assert pieces["papers_before"].tolist() == [sizes[0] + sizes[1]] * 2

    merge_table = changes.follow(copy.deepcopy(merged), fresh)
    row = merge_table[(merge_table["level"] == "topic") & (merge_table["status"] == "merged")]
    assert len(row) == 1 and sorted(row["previous"].iloc[0]) == [0, 1]
    assert row["id"].iloc[0] == 0 and row["papers_before"].iloc[0] == sizes[0] + sizes[1]
    assert row["kept"].iloc[0] == sizes[0] + sizes[1] and row["new_papers"].iloc[0] == 0


def test_the_same_fit_matches_itself_and_numbers_stay_the_same(fresh):
    table = changes.follow(copy.deepcopy(fresh), fresh)
    assert set(table["status"]) == {"same"}
    assert (table["id"].astype(int) == table["previous"].map(lambda p: p[0])).all()


def test_other_ids_match_by_text_with_a_note(sample, before):
    renamed = sample.assign(id=[f"other-{i}" for i in range(len(sample))])
    model = topics.TopicModel(progress=False).fit(renamed, previous=before)
    assert model.previous_["matched_by"] == "text" and model.previous_["shared_documents"] == 30
    assert any("by their text" in note and "share no id" in note for note in model.notes_)


def test_another_corpus_is_matched_by_content(sample, before):
    model = topics.TopicModel(progress=False).fit(sample.iloc[30:], previous=before)
    assert model.previous_["matched_by"] == "content"
    assert any("too few to match by papers" in note for note in model.notes_)
    assert set(model.changes_["status"]) <= {"new", "grew", "shrank", "faded", "same"}
    assert (model.changes_["kept"] == 0).all()


def _hashed(texts: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=256).transform(texts).toarray()


def test_a_previous_model_of_other_features(sample, before):
    other = topics.TopicModel(progress=False, features=_hashed).fit(sample.iloc[:30])
    with pytest.raises(ModelError, match="fitted with a features function and this one with TF-IDF"):
        topics.TopicModel(progress=False).fit(sample.iloc[30:], previous=other)
    model = topics.TopicModel(progress=False).fit(sample, previous=other)  # shared papers: matched by them
    assert any("matched by the papers they share" in note for note in model.notes_)


def test_a_previous_model_that_is_not_fitted_or_not_a_model(sample):
    with pytest.raises(ModelError, match="previous model is not fitted"):
        topics.TopicModel(progress=False).fit(sample, previous=topics.TopicModel())
    with pytest.raises(ModelError, match="previous must be a fitted TopicModel, not str"):
        topics.TopicModel(progress=False).fit(sample, previous="model")


def test_numbers_keep_matches_then_fill_the_lowest_free():
    # new 0 matched 4 (beyond 3 topics), new 1 unmatched, new 2 matched 0
    assert changes.numbers(np.array([4, -1, 0]), np.array([5, 9, 3])).tolist() == [1, 2, 0]
    assert changes.numbers(np.array([-1, -1]), np.array([1, 7])).tolist() == [1, 0]
