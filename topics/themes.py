"""Themes: topics merged hierarchically by size-weighted Ward linkage on their centroids.

Ward's merge cost w_a w_b / (w_a + w_b) |c_a - c_b|^2 weighs each topic by w = size ** 0.5
(`defaults.THEME_SIZE_WEIGHT`), so a handful of small topics cannot pull a large one into a catch-all theme
(plain average linkage on centroids does exactly that), while a large topic still joins its neighbours (with
w = size, the exact Ward of the documents, a field's big general topic stays apart and its small neighbours
pile up with each other). The number of themes, unless given, is where the merge costs jump clearly.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from topics import defaults
from topics.wording import plural


def ward_linkage(centroids: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """A SciPy-style linkage matrix (rows: left, right, height, size) for the Ward merges of topics with
    `sizes` documents, each weighted by size ** `defaults.THEME_SIZE_WEIGHT`."""
    n = len(centroids)
    if n < 2:
        return np.zeros((0, 4))
    vectors = {i: centroids[i].astype(np.float64) for i in range(n)}
    weights = {i: float(max(sizes[i], 1)) ** defaults.THEME_SIZE_WEIGHT for i in range(n)}
    counts = {i: 1 for i in range(n)}
    rows = []
    next_id = n
    while len(vectors) > 1:
        ids = sorted(vectors)
        matrix = np.vstack([vectors[i] for i in ids])
        w = np.array([weights[i] for i in ids])
        squared = ((matrix[:, None, :] - matrix[None, :, :]) ** 2).sum(-1)
        cost = (w[:, None] * w[None, :]) / (w[:, None] + w[None, :]) * squared
        np.fill_diagonal(cost, np.inf)
        a, b = np.unravel_index(np.argmin(cost), cost.shape)
        left, right = ids[min(a, b)], ids[max(a, b)]
        height = float(np.sqrt(2.0 * cost[a, b]))
        merged_weight = weights[left] + weights[right]
        vectors[next_id] = (vectors[left] * weights[left] + vectors[right] * weights[right]) / merged_weight
        weights[next_id] = merged_weight
        counts[next_id] = counts[left] + counts[right]
        rows.append([left, right, height, counts[next_id]])
        for old in (left, right):
            del vectors[old], weights[old]
        next_id += 1
    linkage = np.array(rows, dtype=np.float64)
    linkage[:, 2] = np.maximum.accumulate(linkage[:, 2])  # guard against rounding making it non-monotone
    return linkage


def cut(linkage: np.ndarray, n_topics: int, n_themes: int) -> np.ndarray:
    """Theme of each topic when the tree is cut into `n_themes` groups; themes numbered by first topic."""
    groups = {i: [i] for i in range(n_topics)}
    next_id = n_topics
    for left, right, _, _ in linkage:
        if len(groups) <= n_themes:
            break
        groups[next_id] = groups.pop(int(left)) + groups.pop(int(right))
        next_id += 1
    theme_of_topic = np.zeros(n_topics, dtype=int)
    for theme, members in enumerate(sorted(groups.values(), key=min)):
        theme_of_topic[members] = theme
    return theme_of_topic


def theme_jumps(linkage: np.ndarray, n_topics: int) -> dict[int, float]:
    """For each candidate number of themes k (`defaults.fewest_themes`, at least 3, to about
    sqrt(2 x topics), at most topics / 2 + 1): the height of the merge that would take k themes to k - 1
    over the height of the merge before it."""
    if n_topics <= 3 or len(linkage) < n_topics - 1:
        return {}
    heights = linkage[:, 2]
    return {
        k: float(heights[n_topics - k] / max(heights[n_topics - k - 1], 1e-12))
        for k in range(defaults.fewest_themes(n_topics), _most_themes(n_topics) + 1)
        if n_topics - k - 1 >= 0
    }


def _most_themes(n_topics: int) -> int:
    return max(3, min(n_topics // 2 + 1, defaults.fallback_n_themes(n_topics)))


def clearest_level(linkage: np.ndarray, n_topics: int) -> tuple[int | None, float | None]:
    """The number of themes at the largest jump of the tree, and the jump (None for a tree too small)."""
    jumps = theme_jumps(linkage, n_topics)
    if not jumps:
        return None, None
    level = max(jumps, key=lambda k: (jumps[k], -k))
    return level, jumps[level]


def clear_levels(linkage: np.ndarray, n_topics: int) -> list[int]:
    """The numbers of themes where the tree's merge height jumps clearly (`defaults.THEME_GAP_RATIO`)."""
    return [k for k, jump in theme_jumps(linkage, n_topics).items() if jump >= defaults.THEME_GAP_RATIO]


def choose_n_themes(
    linkage: np.ndarray, n_topics: int, levels: list[list[int]] | None = None
) -> tuple[int, str]:
    """The number of themes and why.

    `levels`: for each topic size the `min_cluster_size` sweep tried, the clear levels of the tree of its
    clusters (`clear_levels`). A level that at least half of the sizes show clearly holds whatever the
    topic size; the finest such level is taken (a corpus can have two, e.g. 3 broad fields and 7 areas
    within them: the finer says more). Otherwise the final tree's own largest jump is taken if it is
    clear and, when the sweep was trusted (`levels` given), at least `defaults.THEME_LEVEL_MIN_TREES` of
    the sweep's trees jump clearly there too; without such a jump the tree has no natural level and is cut
    into `defaults.fallback_n_themes` themes. Levels coarser than `defaults.fewest_themes` (about
    sqrt(topics) / 2) are not considered.
    """
    if n_topics <= 3:
        return n_topics, f"{plural(n_topics, 'topic')}: each is its own theme"
    gap = defaults.THEME_GAP_RATIO
    levels = levels or []
    support = Counter(k for clear in levels for k in set(clear))
    fewest = defaults.fewest_themes(n_topics)
    held = [k for k, count in support.items() if count * 2 >= len(levels) and fewest <= k <= n_topics]
    if held:
        level = max(held)
        others = sorted(set(held) - {level})
        also = f"; coarser levels that hold too: {', '.join(map(str, others))}" if others else ""
        themes = plural(level, "theme")
        return level, (
            f"{themes}: for {support[level]} of the {len(levels)} topic sizes tried, the topic tree jumps "
            f"clearly (x{gap} or more in merge height) at {themes}, a level that holds whatever the topic "
            f"size (the finest such level{also})"
        )
    upper = _most_themes(n_topics)
    best, jump = clearest_level(linkage, n_topics)
    if best is None:
        return upper, f"{plural(upper, 'theme')}: the tree is too small to look for a gap"
    shown = support[best]
    if jump >= gap and (not levels or shown >= defaults.THEME_LEVEL_MIN_TREES):
        also = f"; {shown} of the {len(levels)} topic sizes tried jump there too" if levels else ""
        return best, (
            f"{plural(best, 'theme')}: the topic tree's merge heights jump x{jump:.2f} there (the largest "
            f"jump between {fewest} and {upper} themes, above the {gap} that marks a clear level{also})"
        )
    if jump >= gap:
        return upper, (
            f"{plural(upper, 'theme')} (about sqrt(2 x {n_topics} topics)): the topic tree's largest jump "
            f"in merge height, x{jump:.2f} at {plural(best, 'theme')}, shows clearly in only {shown} of the "
            f"{len(levels)} topic sizes tried, too few to be a level of the corpus rather than of one tree"
        )
    return upper, (
        f"{plural(upper, 'theme')} (about sqrt(2 x {n_topics} topics)): the topic tree has no clear level, "
        f"its largest jump in merge height is x{jump:.2f} at {plural(best, 'theme')}, below {gap}"
    )
