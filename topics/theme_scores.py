"""How well a text scores against a named theme, and whether that score is high: the theme vectors,
cosines (`best_two_themes`) and decoy themes (`decoy_pool`, `decoy_z`). `topics.named_themes` applies its
rules to these numbers.

A theme's vector is the mean of the vectors of its description and of each seed term, in the space the
themes are matched in (`topics.theme_space`); a theme none of whose words that space knows has no vector.

Is the score high? Decoy themes
-------------------------------
How high a cosine has to be depends on the corpus, the features and the theme: on the 58 sample papers
unrelated themes scored at most 0.16 with TF-IDF, but on 6,253 AI-conference papers "computer vision"
scored 0.22-0.28 with generic machine-learning topics (graphs, label noise, quantization), and a fixed 0.20
attached 11 of 39 topics wrongly. So a score is judged against the scores the same topic (or paper) gives
to decoy themes: `NULL_DRAWS` (1,000) random sets of as many terms as the theme has texts, each turned into
a vector exactly like a theme. `z` = (score - mean of the decoys' scores) / their standard deviation: how
unusual the score is for a theme of that size in this model. Decoys come from
(`topics.named_themes.DECOYS_FROM`):

- "themes" (TF-IDF): the texts of all the themes, each theme's texts together as likely as another
  theme's; the themes' own texts included. A theme stands out when the topic prefers it to a mixture of the
  user's themes. With fewer than 3 themes (or under `MIN_POOL` texts outside the largest theme), the
  topics' keywords are drawn as one more group.
- "keywords" (TF-IDF and embeddings): the keywords of the model's topics. A theme stands out when the topic
  prefers it to a mixture of the corpus's own vocabulary.

TF-IDF uses both and takes the higher z: keyword decoys alone miss the sample's core self-supervised topic
(z 0.2: in a corpus about self-supervised learning, the theme looks like any mixture of its keywords), and
theme decoys alone miss the sample's medical self-supervised topic (z 1.65: decoys half made of
self-supervised terms score high on it too); each catches the other's case, and on the AI-conference papers
neither lets a wrong attachment through. Embeddings use keyword decoys only: theme decoys, after centring,
vary so little that unrelated topics reached z 2-3.6 (8 of 26 topics attached wrongly).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from topics.theme_files import NamedTheme

NULL_DRAWS = 1000  # decoy themes per theme
MIN_POOL = 20  # fewer theme texts than this (or than twice the largest theme): draw from keywords too


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


class BestTwoThemes(NamedTuple):
    """What `best_two_themes` gives: all the scores, and each row's best and second-best theme."""

    scores: np.ndarray  # (rows, themes) cosines; a theme with no vector scores -1 everywhere
    best: np.ndarray  # index of each row's best theme (ties: the first theme given)
    best_score: np.ndarray
    second: np.ndarray  # index of each row's second-best theme; -1 with a single theme
    second_score: np.ndarray  # -1.0 with a single theme

    @property
    def lead(self) -> np.ndarray:
        """How much each row's best theme scores above its second best."""
        return self.best_score - self.second_score


def best_two_themes(vectors: np.ndarray, theme_matrix: np.ndarray,
                    mean: np.ndarray | None = None) -> BestTwoThemes:
    """Cosine of each row of `vectors` to each theme vector, and each row's two best themes.

    With `mean` (the corpus's mean document vector) the score is the centred cosine: `mean` is taken
    from the rows and from every theme that has a vector. Themes whose vector is zero score -1.
    """
    theme_matrix = np.asarray(theme_matrix, dtype=np.float64)
    usable = np.linalg.norm(theme_matrix, axis=1) > 0
    vectors = np.asarray(vectors, dtype=np.float64)
    if mean is not None:
        vectors = vectors - mean
        theme_matrix = np.where(usable[:, None], theme_matrix - mean, 0.0)
    scores = _unit(vectors) @ _unit(theme_matrix).T
    scores[:, ~usable] = -1.0
    order = np.argsort(-scores, axis=1, kind="stable")
    rows = np.arange(len(scores))
    best = order[:, 0]
    if scores.shape[1] > 1:
        second = order[:, 1]
        second_score = scores[rows, second]
    else:
        second = np.full(len(scores), -1)
        second_score = np.full(len(scores), -1.0)
    return BestTwoThemes(scores, best, scores[rows, best], second, second_score)


def theme_texts(model, themes: Sequence[NamedTheme], embed=None) -> tuple[list[np.ndarray], list[str]]:
    """The vectors of each theme's texts that the model (or `embed`) can read (one array per theme,
    possibly empty), and notes on seed terms the model's vocabulary does not know (TF-IDF features only)."""
    embed = embed or model._vectors_for
    notes = []
    texts = []
    for theme in themes:
        embedded = np.asarray(embed(theme.texts), dtype=np.float64)
        known = np.linalg.norm(embedded, axis=1) > 0
        if not known.all():
            missing = [t for t, k in zip(theme.texts, known, strict=True) if not k]
            notes.append(f"theme {theme.name!r}: the model's vocabulary knows no word of "
                         + ", ".join(repr(m) for m in missing)
                         + " (too rare or too common in this corpus); they do not count")
        if not known.any():
            notes.append(f"theme {theme.name!r} cannot match anything: none of its words is in the model's "
                         "vocabulary")
        texts.append(embedded[known])
    return texts, notes


def theme_vectors(model, themes: Sequence[NamedTheme]) -> tuple[np.ndarray, list[str]]:
    """One unit vector per theme in the model's feature space (zero when none of its words is known),
    and notes on seed terms the model's vocabulary does not know (TF-IDF features only)."""
    texts, notes = theme_texts(model, themes)
    return mean_theme_vectors(texts), notes


def mean_theme_vectors(texts: list[np.ndarray]) -> np.ndarray:
    """One unit vector per theme, the mean of its text vectors; zero for a theme without any."""
    return np.vstack([_unit(t.mean(axis=0)) if len(t) else np.zeros(t.shape[1]) for t in texts])


def decoy_pool(model, texts: list[np.ndarray], source: str, embed=None) -> tuple[np.ndarray, np.ndarray]:
    """The term vectors decoy themes are drawn from, and the group of each: the index of the theme whose
    text it is, or -1 for the keywords of the model's topics (see the module docstring). "keywords": the
    topics' keywords only; "themes": the texts of the themes, with the topics' keywords added as one more
    group when there are fewer than 3 themes or their texts are too few."""
    groups = [(i, t) for i, t in enumerate(texts) if len(t)]
    largest = max((len(t) for _, t in groups), default=0)
    few = len(groups) < 3 or sum(len(t) for _, t in groups) - largest < MIN_POOL
    if source == "keywords" or few:
        words = sorted({str(w) for keywords in model.topic_keywords_ for w in keywords})
        embed = embed or model._vectors_for
        embedded = np.asarray(embed(words), dtype=np.float64) if words else np.zeros((0, 1))
        keywords = embedded[np.linalg.norm(embedded, axis=1) > 0]
        groups = ([] if source == "keywords" else groups) + ([(-1, keywords)] if len(keywords) else [])
    if not groups:
        return np.zeros((0, 1)), np.zeros(0, dtype=int)
    return np.vstack([t for _, t in groups]), np.concatenate([np.full(len(t), i) for i, t in groups])


def decoy_z(vectors: np.ndarray, scores: np.ndarray, texts: list[np.ndarray],
            pool: tuple[np.ndarray, np.ndarray], mean: np.ndarray | None, rng: np.random.Generator,
            draws: int = NULL_DRAWS) -> tuple[np.ndarray, np.ndarray]:
    """How far each score (rows x themes, as `best_two_themes` gives them) stands above the scores the same
    rows give to `draws` decoy themes: (score - decoys' mean) / decoys' standard deviation, per row and
    theme; and the decoys' mean score. A decoy of a theme is the mean of as many `pool` vectors as the theme
    has texts, drawn at random from the pool, each group (a theme's texts, the keywords) as likely as
    another whatever its size. NaN for a theme without vectors (or with nothing to draw from)."""
    pool, group = pool
    vectors = np.asarray(vectors, dtype=np.float64)
    rows = _unit(vectors - mean if mean is not None else vectors)
    z = np.full(scores.shape, np.nan)
    level = np.full(scores.shape, np.nan)
    for j, own in enumerate(texts):
        # the pool holds the theme's own texts too: see the module docstring
        if not len(own) or not len(pool):
            continue
        kinds, counts = np.unique(group, return_counts=True)
        chance = np.ones(len(pool))
        for kind, count in zip(kinds, counts, strict=True):
            chance[group == kind] /= count * len(kinds)
        size = min(len(own), len(pool))
        picks = np.vstack([rng.choice(len(pool), size=size, replace=False, p=chance) for _ in range(draws)])
        decoys = _unit(pool[picks].mean(axis=1))
        if mean is not None:
            decoys = _unit(decoys - mean)
        for start in range(0, len(rows), 4096):  # bounded memory whatever the number of papers
            part = slice(start, start + 4096)
            null = rows[part] @ decoys.T
            level[part, j], spread = null.mean(axis=1), null.std(axis=1)
            z[part, j] = np.divide(scores[part, j] - level[part, j], spread, out=np.zeros(len(null)),
                                   where=spread > 1e-9)
    return z, level
