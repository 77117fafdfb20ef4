"""Plots of a fitted model on the sample papers: figures, colours, label placement, reproducible PNGs."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import read_shared
from matplotlib.figure import Figure

import topics
from topics import plots
from topics.errors import ModelError
from topics.plots import palette


@pytest.fixture(scope="module")
def model():
    corpus = topics.datasets.load_sample_papers()
    corpus["date"] = pd.to_datetime("2020-01-15") + pd.to_timedelta(np.arange(len(corpus)) * 23, unit="D")
    corpus["label"] = np.where(np.arange(len(corpus)) % 3 == 0, "cs.LG", "cs.CV")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(corpus)


@pytest.fixture(scope="module")
def plain_model():
    corpus = topics.datasets.load_sample_papers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False, n_themes=2).fit(corpus)


def test_every_plot_is_a_figure_with_content(model):
    available = plots.available_plots(model)
    assert set(available) == {"map", "topic-sizes", "topic-keywords", "topic-similarity", "hierarchy",
                              "topic-size-sweep", "topics-over-time", "theme-composition"}
    for name, (function, caption) in available.items():
        figure = function(model)
        assert isinstance(figure, Figure), name
        assert caption
        visible = [ax for ax in figure.axes if ax.get_visible()]
        assert visible, name
        assert any(ax.has_data() for ax in visible), f"{name} has an empty panel"
        png = plots.png_bytes(figure)
        assert png.startswith(b"\x89PNG")
        assert figure.dpi == plots.DPI == 150


def test_no_pyplot_state_leaks(model):
    import sys

    plots.plot_map(model)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        assert plt.get_fignums() == []


def test_pngs_are_reproducible_and_dateless(model, tmp_path):
    first = plots.png_bytes(plots.plot_hierarchy(model))
    second = plots.png_bytes(plots.plot_hierarchy(model))
    assert first == second
    assert b"Software" not in first and b"Creation" not in first
    path = plots.save_png(plots.plot_topic_sizes(model), tmp_path / "sizes.png")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_map_labels_do_not_overlap(model):
    figure = plots.plot_map(model)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(boxes) == model.n_topics_  # one label per topic
    frame = ax.get_window_extent(renderer)
    for i, a in enumerate(boxes):
        assert frame.x0 - 1 <= a.x0 and a.x1 <= frame.x1 + 1 and frame.y0 - 1 <= a.y0 and a.y1 <= frame.y1 + 1
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two topic labels overlap"


def test_place_labels_separates_labels_at_the_same_spot():
    from topics.plots._figure import new_figure

    figure = new_figure(4, 3)
    ax = figure.add_subplot()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    labels = [plots.Label(5, 5, f"label number {i}") for i in range(6)]
    texts = plots.place_labels(ax, labels, np.array([[5.0, 5.0]]))
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_colours_follow_themes(model):
    themes = palette.theme_colors(model)
    assert len(set(themes)) == model.n_themes_
    topic_colors = palette.topic_colors(model)
    assert len(set(topic_colors)) == model.n_topics_  # shades differ within a theme
    for t, color in enumerate(topic_colors):
        members = [u for u in range(model.n_topics_) if model.topic_themes_[u] == model.topic_themes_[t]]
        if len(members) == 1:
            assert color == themes[model.topic_themes_[t]]
    documents = palette.document_colors(model)
    assert len(documents) == model.n_documents_
    outlier = np.asarray(model.is_outlier_)
    assert all(c == palette.OUTLIER for c, o in zip(documents, outlier, strict=True) if o)
    assert palette.theme_color(-1) == palette.OUTLIER
    assert palette.OKABE_ITO[0] == themes[0]


def test_time_and_label_plots_need_their_columns(plain_model):
    assert set(plots.available_plots(plain_model)) == {"map", "topic-sizes", "topic-keywords",
                                                       "topic-similarity", "hierarchy", "topic-size-sweep"}
    with pytest.raises(ModelError, match="date"):
        plots.plot_topics_over_time(plain_model)
    with pytest.raises(ModelError, match="label"):
        plots.plot_theme_composition(plain_model)
    assert plain_model.n_themes_ == 2
    plots.plot_hierarchy(plain_model)


def _gap_below_figure_title(figure: Figure) -> float:
    """Pixels between the figure title and the first panel's title below it (negative: they overlap)."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    title = figure._suptitle.get_window_extent(renderer)
    panel = figure.axes[0]._left_title.get_window_extent(renderer)
    return title.y0 - panel.y1


def test_keyword_panels_keep_clear_of_the_figure_title():
    """1,000 AI-conference papers in many small topics: 30 panels in 8 rows (a tall figure, where the
    title used to sit on the first panel's two-line label)."""
    corpus = read_shared("ai-conference-papers.csv.gz").sample(1000, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = topics.TopicModel(progress=False, min_cluster_size=8).fit(corpus)
    figure = plots.plot_topic_keywords(model)
    assert len(figure.axes) >= 24  # a tall figure: 6 rows of panels or more
    assert _gap_below_figure_title(figure) > 0


@pytest.fixture(scope="module")
def ai_model():
    """400 AI-conference papers: about 20 topics with long labels, acronyms among the keywords ("SAT",
    "GNNs") and long label values ("Knowledge Representation and Reasoning")."""
    corpus = read_shared("ai-conference-papers.csv.gz").iloc[:400]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(corpus)


def _inside(box, frame, slack: float = 1.0) -> bool:
    return (frame.x0 - slack <= box.x0 and box.x1 <= frame.x1 + slack
            and frame.y0 - slack <= box.y0 and box.y1 <= frame.y1 + slack)


def test_similarity_labels_fit_inside_the_figure(ai_model):
    figure = plots.plot_topic_similarity(ai_model)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    ax = figure.axes[0]
    labels = ax.get_yticklabels()
    assert len(labels) == ai_model.n_topics_
    assert max(len(label.get_text()) for label in labels) > 30  # long labels, the case that was cut off
    for label in [*labels, *ax.get_xticklabels(), ax.title, ax.xaxis.label]:
        assert _inside(label.get_window_extent(renderer), figure.bbox), label.get_text()
    cells = ax.get_window_extent(renderer)
    assert cells.width == pytest.approx(cells.height, rel=0.03)  # square cells


def test_keyword_panels_show_their_scores_and_spell_words_as_the_labels(ai_model):
    figure = plots.plot_topic_keywords(ai_model)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == ai_model.n_topics_
    spelled = 0
    for t, ax in enumerate(panels):
        scores = list(ai_model.topic_keyword_scores_[t])[:8]
        shown = [text.get_text().strip() for text in ax.texts]
        assert len(shown) == len(scores), f"topic {t}: {shown}"
        for number, score in zip(shown, scores, strict=True):  # rounded to the digits shown
            assert float(number) == pytest.approx(score, abs=0.51 * 10.0 ** -len(number.split(".")[1]))
        for text in ax.texts:
            assert _inside(text.get_window_extent(renderer), figure.bbox)
        # keywords in the panel's title are written the same way on its bars ("SAT", not "sat")
        bars = [label.get_text() for label in ax.get_yticklabels()]
        for word in ai_model.topic_labels_[t].split(" · "):
            if word.lower() in ai_model.topic_keywords_[t][:8] and len(word) <= 20:
                assert word in bars, f"{word!r} is spelled otherwise on topic {t}'s bars: {bars}"
        spelled += sum(bar.lower() != bar for bar in bars)
    assert spelled >= 1  # "SAT", "GNNs", "RL": keywords are spelled as the AI papers spell them


def test_theme_composition_keeps_the_count_of_a_shortened_label(model):
    import copy

    long_name = "A label far too long to be written in full beside its bar, so shortened"
    labelled = copy.deepcopy(model)
    labelled.corpus_["label"] = np.where(np.arange(model.n_documents_) % 2 == 0, long_name, "short")
    figure = plots.plot_theme_composition(labelled)
    texts = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    n_long = int((np.arange(model.n_documents_) % 2 == 0).sum())
    assert texts[0].endswith(f"… ({n_long})") and texts[0].startswith("A label far")
    assert texts[1] == f"short ({model.n_documents_ - n_long})"


@pytest.mark.parametrize(("width", "height"), [(5, 4), (4, 3)])
def test_small_map_keeps_title_legend_and_labels_apart(ai_model, width, height):
    title = "A long custom title for the small map of four hundred AI papers, longer than the figure"
    figure = plots.plot_map(ai_model, width=width, height=height, title=title)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    heading = figure._suptitle.get_window_extent(renderer)
    legend = figure.legends[0].get_window_extent(renderer)
    assert _inside(heading, figure.bbox) and _inside(legend, figure.bbox)
    assert "\n" in figure._suptitle.get_text()  # wrapped, not cut
    labels = [text.get_window_extent(renderer) for text in figure.axes[0].texts]
    assert len(labels) == ai_model.n_topics_
    for i, box in enumerate(labels):
        assert _inside(box, figure.bbox)
        assert not box.overlaps(heading) and not box.overlaps(legend), "a label covers the title or legend"
        assert not any(box.overlaps(other) for other in labels[i + 1:]), "two topic labels overlap"
