"""The choice of the number of themes from the topic trees of the min_cluster_size sweep."""

from __future__ import annotations

import numpy as np

from topics import defaults, themes


def _tree(n_topics: int = 20):
    # topics in 3 well separated fields, each field holding 2-3 areas of close topics
    rng = np.random.RandomState(0)
    fields = rng.normal(size=(3, 30)) * 10
    areas = np.vstack([field + rng.normal(size=(3, 30)) * 3 for field in fields])[:7]
    centroids = np.vstack([areas[i % 7] + rng.normal(size=30) for i in range(n_topics)])
    return themes.ward_linkage(centroids, rng.randint(20, 200, size=n_topics))


def test_the_finest_level_that_half_the_topic_sizes_show_is_taken():
    linkage = _tree()
    # 3 themes clear for 5 of the 6 sizes, 7 for 3 of them: both hold whatever the size; 7 says more
    n_themes, why = themes.choose_n_themes(linkage, 20, [[3, 7], [3], [3, 7], [7], [3, 6], [3]])
    assert n_themes == 7
    assert "3 of the 6 topic sizes" in why and "coarser levels that hold too: 3" in why
    # 7 clear for only 2 of 6 sizes does not hold
    n_themes, why = themes.choose_n_themes(linkage, 20, [[3], [3, 7], [3], [5], [3, 7], [6]])
    assert n_themes == 3 and "4 of the 6" in why


def test_without_a_level_that_holds_the_final_tree_decides():
    linkage = _tree()
    jumps = themes.theme_jumps(linkage, 20)
    # the final tree jumps most at its 7 areas (x3.2), more than at its 3 fields (x2.8)
    assert max(jumps, key=jumps.get) == 7 and jumps[7] > jumps[3] > 1.12
    # 7 is clear for 2 of the 6 sizes: not half, but more than the final tree alone
    n_themes, why = themes.choose_n_themes(linkage, 20, [[3], [4], [7], [6], [7], []])
    assert n_themes == 7 and "jump x3.24 there" in why
    assert "2 of the 6 topic sizes tried jump there too" in why
    assert themes.clear_levels(linkage, 20) == [3, 5, 7]


def test_a_jump_of_the_final_tree_alone_is_not_a_level():
    # as all 22,628 arXiv abstracts: the final tree jumps clearly at a coarse level that only one of the
    # topic sizes tried shows; that is a property of one tree, so the tree is cut as one without a level
    linkage = _tree(80)
    assert themes.clearest_level(linkage, 80)[0] == 7 and defaults.fallback_n_themes(80) == 13
    n_themes, why = themes.choose_n_themes(linkage, 80, [[3]] * 5 + [[7]])
    assert n_themes == 13
    assert "at 7 themes, shows clearly in only 1 of the 6 topic sizes tried" in why
    # without a trusted sweep (a small corpus) the final tree's own clear jump still decides
    assert themes.choose_n_themes(linkage, 80, [])[0] == 7


def test_few_topics_are_their_own_themes():
    assert themes.choose_n_themes(np.zeros((2, 4)), 3, [[3]])[0] == 3


def test_a_tree_of_many_topics_is_not_cut_into_too_few_themes():
    # 80 topics in 3 themes would be 27 topics a theme: the middle level would no longer help to find one's
    # way, so levels coarser than sqrt(80) / 2 -> 5 themes are not considered, even where every size holds 3
    linkage = _tree(80)
    assert defaults.fewest_themes(80) == 5 and defaults.fewest_themes(20) == 3
    n_themes, why = themes.choose_n_themes(linkage, 80, [[3]] * 4 + [[3, 7]] * 2)
    assert n_themes == 7 and "between 5 and 13 themes" in why
    assert min(themes.theme_jumps(linkage, 80)) == 5
