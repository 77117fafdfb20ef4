"""Guided fitting on the bundled sample papers: named themes nudge the clustering (issue: named themes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import topics
from topics.errors import ModelError
from topics.guided import seed_documents
from topics.theme_files import load_themes

THEMES = "examples/themes.toml"


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return topics.datasets.load_sample_papers()


def _seed_purity(topics_of: np.ndarray, seeds: np.ndarray) -> float:
    """Share of seeded papers whose topic's most common seed theme is their own."""
    seeded = seeds >= 0
    table = pd.crosstab(topics_of[seeded], seeds[seeded])
    return float(table.max(axis=1).sum() / seeded.sum())


@pytest.mark.parametrize("random_state", [42, 43])
def test_seeded_papers_of_a_theme_end_up_together(sample, random_state):
    from pathlib import Path

    themes = Path(__file__).resolve().parents[1] / THEMES
    plain = topics.TopicModel(progress=False, random_state=random_state).fit(sample)
    guided = topics.TopicModel(progress=False, random_state=random_state, guided_themes=themes).fit(sample)
    seeds = seed_documents(guided, guided.vectors_, themes).labels
    # every theme of the example file seeds some papers, and not every paper is seeded
    assert (np.bincount(seeds[seeds >= 0], minlength=4) >= 3).all()
    assert 0.3 < (seeds >= 0).mean() < 0.9
    # measured: 0.72-0.83 unguided, 0.94-0.97 guided
    assert _seed_purity(guided.document_topics_, seeds) >= 0.9
    assert _seed_purity(guided.document_topics_, seeds) > _seed_purity(plain.document_topics_, seeds)
    assert guided.guided_["seeded"] == {
        name: int((seeds == i).sum()) for i, name in enumerate(t.name for t in load_themes(themes))
    }
    assert any(note.startswith("guided by 4 themes") for note in guided.notes_), guided.notes_


def test_guided_model_saves_and_loads_with_its_themes(sample, tmp_path):
    from pathlib import Path

    themes = load_themes(Path(__file__).resolve().parents[1] / THEMES)  # NamedTheme objects
    guided = topics.TopicModel(progress=False, guided_themes=themes).fit(sample)
    loaded = topics.TopicModel.load(guided.save(tmp_path / "model"))
    assert loaded.guided_ == guided.guided_
    assert [t.name for t in topics.named_themes.as_themes(loaded.guided_themes)] == [t.name for t in themes]
    assert np.array_equal(loaded.transform(sample)[0], guided.transform(sample)[0])


def test_guided_fitting_errors_are_clear(sample):
    with pytest.raises(ModelError, match="guide_strength must be a number between 0 and 1"):
        topics.TopicModel(progress=False, guided_themes={"robotics": ["robot"]}, guide_strength=2).fit(sample)
    for strength in (10**400, float("nan"), True):  # too large for a float; not a number; a bool
        with pytest.raises(ModelError, match="guide_strength must be a number between 0 and 1"):
            topics.TopicModel(progress=False, guided_themes={"robotics": ["robot"]},
                              guide_strength=strength).fit(sample)
    vectors = topics.TopicModel(progress=False).fit(sample).vectors_
    robotics = topics.TopicModel(progress=False, guided_themes={"robotics": ["robot"]})
    with pytest.raises(ModelError, match="guided_themes needs the model's own features"):
        robotics.fit(sample, embeddings=vectors)
    with pytest.raises(topics.InputError, match="no themes defined"):
        topics.TopicModel(progress=False, guided_themes={}).fit(sample)
    tiny = topics.TopicModel(progress=False, guided_themes={"robotics": ["robot"]}).fit(sample.head(12))
    assert any("too small" in note for note in tiny.notes_)
