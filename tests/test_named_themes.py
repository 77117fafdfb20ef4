"""Named themes (topics.named_themes): reading theme files, mapping topics and papers, the theme overview."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import read_shared

import topics
from topics.errors import InputError
from topics.named_themes import OTHER, NamedThemes, map_topics
from topics.report import write_report
from topics.theme_files import load_themes, parse_themes
from topics.theme_scores import best_two_themes

THEMES = Path(__file__).resolve().parents[1] / "examples" / "themes.toml"
EXPECTED = {
    "LVM-Med:": "medical imaging",
    "Harvard Glaucoma Detection": "medical imaging",
    "HumanPlus:": "robotics",
    "Learning Latent Plans from Play": "robotics",
    "ReST-MCTS*:": "language models",
    "Barlow Twins:": "self-supervised learning",
}


def _fit(features: str) -> topics.TopicModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(features=features, progress=False).fit(topics.datasets.load_sample_papers())


@pytest.fixture(scope="module")
def tfidf_model():
    return _fit("tfidf")


@pytest.fixture(scope="module")
def embeddings_model():
    pytest.importorskip("sentence_transformers")
    return _fit("embeddings")


def _theme_of(named: NamedThemes, title_start: str) -> str:
    rows = named.papers[named.papers["title"].str.startswith(title_start, na=False)]
    assert len(rows) == 1, title_start
    return rows["theme"].iloc[0]


# ---------------------------------------------------------------------------------------------- mapping
@pytest.mark.parametrize(
    ("features", "space"), [("tfidf", "model"), ("tfidf", "auto"), ("embeddings", "auto")])
def test_sample_papers_get_the_expected_themes(features, space, request):
    """In the model's TF-IDF features (no embeddings extra) and, by default, in sentence embeddings."""
    model = request.getfixturevalue(f"{features}_model")
    if space == "auto":
        pytest.importorskip("sentence_transformers")
    named = map_topics(model, THEMES, space=space)
    assert named.centered is (space == "model" and features == "embeddings")
    assert ("sentence embeddings" in named.space) is (space == "auto" or features == "embeddings")
    assert any("matched with sentence embeddings" in n for n in named.notes) is (space == "auto")
    for title, theme in EXPECTED.items():
        got = _theme_of(named, title)
        if space == "auto" and theme == "medical imaging":
            # self-supervised medical imaging papers, in a corpus gathered around self-supervision: plain
            # cosines in sentence embeddings (the default) vote for the corpus's own theme (issue 20 note)
            assert got in {"medical imaging", "self-supervised learning"}, (features, title, got)
            continue
        assert got == theme, (features, title)
    # every theme gets topics and papers on this corpus; tables are complete and consistent
    assert set(named.topics["theme"]) - {OTHER} >= {t.name for t in named.themes} - {"medical imaging"}
    assert len(named.papers) == model.n_documents_ and len(named.topics) == model.n_topics_
    assert set(named.papers["rule"]) <= {"topic", "paper", "no topic"}
    follows = named.papers["rule"] == "topic"
    topic_theme = named.topics.set_index("topic")["theme"]
    assert (named.papers.loc[follows, "theme"].to_numpy()
            == topic_theme.loc[named.papers.loc[follows, "topic"]].to_numpy()).all()
    moved = named.papers[~follows]
    assert (moved["theme"] != moved["topic_theme"]).all()
    # a topic takes its papers' vote when the vote stands out or its z reaches the threshold; else Other
    from topics.named_themes import VOTE_MIN_Z, VOTE_OVER_CHANCE

    voted = (named.topics["votes"] >= VOTE_OVER_CHANCE / len(named.themes) - 1e-3) & (
        named.topics["z"] >= VOTE_MIN_Z) & (space == "auto")
    attached = voted | (named.topics["z"] >= named.threshold)
    assert (named.topics.loc[~attached, "theme"] == OTHER).all()
    assert (named.topics.loc[attached, "theme"] != OTHER).all()
    between = named.between_papers()
    assert ((between["score"] - between["second_score"]).abs() < named.between + 1e-4).all()
    record = named.explanation()
    assert sum(record["counts"]["rules"].values()) == model.n_documents_
    assert sum(record["counts"]["papers_per_theme"].values()) == model.n_documents_
    json.dumps(record)


def test_rules_and_thresholds(tfidf_model):
    named = map_topics(tfidf_model, THEMES, space="model")
    # Barlow Twins sits in a medical topic with TF-IDF; its own match moves it (rule 'paper')
    row = named.papers[named.papers["title"].str.startswith("Barlow Twins")].iloc[0]
    assert row["rule"] == "paper" and row["topic_theme"] == "medical imaging"
    # a threshold (a z) above every z puts everything in Other; a huge margin keeps papers with their topic
    assert (map_topics(tfidf_model, THEMES, threshold=100, space="model").papers["theme"] == OTHER).all()
    assert (map_topics(tfidf_model, THEMES, margin=2.0, space="model").papers["rule"] == "topic").all()
    # the library takes a mapping too, including plain strings (descriptions) and lists (seeds)
    named = map_topics(tfidf_model, {"robotics": ["robot", "imitation learning", "manipulation"],
                                     "language models": "large language models reasoning LLM"}, space="model")
    assert _theme_of(named, "HumanPlus:") == "robotics"
    assert _theme_of(named, "ReST-MCTS*:") == "language models"
    with pytest.raises(topics.ModelError, match="threshold"):
        map_topics(tfidf_model, THEMES, threshold=1000, space="model")


def test_best_two_themes_scores_and_orders():
    vectors = np.array([[2.0, 0.0], [1.0, 1.0], [0.0, -3.0]])
    themes = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])  # the middle theme has no vector
    match = best_two_themes(vectors, themes)
    root = np.sqrt(0.5)
    assert np.allclose(match.scores, [[1, -1, 0], [root, -1, root], [0, -1, -1]])
    assert match.best.tolist() == [0, 0, 0]  # ties go to the first theme given
    assert match.second.tolist() == [2, 2, 1]
    assert np.allclose(match.lead, [1, 0, 1])
    # centred: the mean is taken from the rows and from every theme that has a vector
    mean = vectors.mean(axis=0)
    centred = best_two_themes(vectors, themes, mean)
    expected = best_two_themes(vectors - mean, np.where([[True], [False], [True]], themes - mean, 0.0))
    assert np.array_equal(centred.scores, expected.scores)
    # a single theme: no second (index -1, score -1)
    alone = best_two_themes(vectors, themes[:1])
    assert alone.second.tolist() == [-1, -1, -1] and (alone.second_score == -1.0).all()


# ---------------------------------------------------------------------- a real corpus: AI-conference papers
AI_THEMES = Path(__file__).resolve().parents[1] / "examples" / "themes-ai-conference.toml"
# When is a topic about a theme? When one of its 10 keywords starts with one of the theme's words, or when
# most of its papers come from the theme's conference area. Fixed by hand before measuring; lenient on
# purpose, so that what it calls wrong is clearly wrong.
ABOUT = {
    "computer vision": ({"Computer Vision"}, r"image|video|visual|vision|pixel|segmentation|object detection|"
                                             r"pose|point cloud|face|3d|depth|camera|object"),
    "natural language processing": ({"Natural Language Processing"}, r"language|text|sentence|translation|"
                                    r"dialog|question|answer|word|nlp|entity|summariz|speech"),
    "reinforcement learning": (set(), r"reinforcement|policy|policies|reward|rl\b|marl|bandit|regret|mdp"),
    "medical and health": (set(), r"medical|clinical|patient|disease|drug|health|molecul|protein|diagnos"),
    "robotics": ({"Robotics"}, r"robot|manipulat|navigation|grasp|driving|vehicle"),
    "recommender systems": (set(), r"recommend|user|item|click|ctr|retrieval|ranking|collaborative"),
    "game theory and mechanism design": ({"Game Theory and Economics"}, r"game|equilibri|nash|auction|"
                                         r"mechanism|voting|voter|social choice|allocation|goods|envy|"
                                         r"election"),
    "constraint satisfaction and planning": ({"Constraints and Optimization", "Planning and Scheduling",
                                              "Search"}, r"sat\b|constraint|solver|planning|plan\b|plans|"
                                             r"heuristic|search|scheduling|asp\b|maxsat|csp"),
    "marine biology": (set(), r"ocean|fish|marine|sea\b|coral|whale"),
}


@pytest.fixture(scope="module")
def ai_conference_model():
    """TF-IDF topics of 1,500 AI-conference papers (of 6,253; 22-37 topics by CPU, about 15 s)."""
    papers = read_shared("ai-conference-papers.csv.gz").sample(1500, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(papers)


def _about(model, topic: int, theme: str) -> bool:
    areas, words = ABOUT[theme]
    keywords = " ".join(w for w, _ in model.get_topic(topic)[:10]).lower()
    labels = model.corpus_["label"].to_numpy()[np.asarray(model.document_topics_) == topic]
    return bool(re.search(rf"\b(?:{words})", keywords)) or pd.Series(labels).mode()[0] in areas


def test_ai_conference_topics_attach_only_to_themes_they_are_about(ai_conference_model):
    """The audit's case: with TF-IDF on AI-conference papers, generic machine-learning topics (graphs, label
    noise, adversarial attacks, ...) scored 0.22-0.28 raw cosine with "computer vision", above the 0.20
    threshold read off the 58 sample papers, and were attached: 5 of 18 attachments wrong here (10 of 39 on
    all 6,253 papers). Scores are now judged against decoy themes in the same model."""
    model = ai_conference_model
    named = map_topics(model, AI_THEMES, space="model")
    attached = named.topics[named.topics["theme"] != OTHER]
    wrong = [(r.topic_label, r.theme) for r in attached.itertuples() if not _about(model, r.topic, r.theme)]
    assert len(attached) >= 10 and len(wrong) <= 0.15 * len(attached), (len(attached), wrong)
    assert "marine biology" not in set(named.topics["theme"])  # a theme nothing in the corpus is about
    # clearly related topics keep their theme: those whose papers mostly come from an area a theme names
    labels = model.corpus_["label"].to_numpy()
    area = {"Computer Vision": "computer vision",
            "Natural Language Processing": "natural language processing",
            "Planning and Scheduling": "constraint satisfaction and planning"}
    clear = 0
    for row in named.topics.itertuples():
        members = labels[np.asarray(model.document_topics_) == row.topic]
        shares = pd.Series(members).value_counts(normalize=True)
        if shares.index[0] in area and shares.iloc[0] >= 0.6:
            clear += 1
            assert row.theme == area[shares.index[0]], (row.topic_label, row.theme, shares.head(2).to_dict())
    assert clear >= 4
    recommendation = named.topics[named.topics["topic_label"].str.contains("recommendation")]
    assert len(recommendation) == 1 and recommendation["theme"].iloc[0] == "recommender systems"


def test_sample_themes_on_ai_conference_papers_leave_unrelated_topics_alone(ai_conference_model):
    """The sample's themes (self-supervised learning, medical imaging, robotics, language models) on
    AI-conference papers: most topics are about none of them. Before, 20 of 22 topics were attached
    (recommendation to self-supervised learning, object detection to self-supervised learning, image
    attention to medical imaging, ...)."""
    model = ai_conference_model
    named = map_topics(model, THEMES, space="model")
    attached = named.topics[named.topics["theme"] != OTHER]
    assert len(attached) <= len(named.topics) // 2, attached[["topic_label", "theme"]]
    for row in attached.itertuples():
        assert not _about(model, row.topic, "recommender systems"), (row.topic_label, row.theme)
        vision = _about(model, row.topic, "computer vision")
        # a vision topic may go to medical imaging only as a topic of segmentation, which the theme names in
        # its description and a seed (on some CPUs the fit has a topic of semantic segmentation, a few of its
        # papers medical); image attention, detection or point clouds may not
        keywords = {word for word, _ in model.get_topic(row.topic)[:5]}
        segmentation = "segmentation" in keywords
        assert not (vision and row.theme == "medical imaging" and not segmentation), row.topic_label
    reinforcement = named.topics[named.topics["topic_label"].str.startswith("reinforcement")]
    assert reinforcement["theme"].tolist() == ["robotics"]  # policies and control: the nearest theme given


# ---------------------------------------------------------------------------------------------- files
def test_example_file_loads():
    themes = load_themes(THEMES)
    assert [t.name for t in themes] == ["self-supervised learning", "medical imaging", "robotics",
                                        "language models"]
    assert all(t.description and t.seeds for t in themes)


BAD = {
    "unknown key": ('[themes.robotics]\nseeds = ["robot"]\n\n[themes."medical imaging"]\ndescription = "x"\n'
                    'keywords = ["a"]\n', 6, "unknown key 'keywords'"),
    "empty theme": ('[themes.robotics]\nseeds = ["robot"]\n\n[themes."medical imaging"]\n', 4, "is empty"),
    "empty seeds": ('[themes.robotics]\nseeds = []\ndescription = " "\n', 1, "is empty"),
    "duplicate": ('[themes.robotics]\nseeds = ["robot"]\n\n[themes.robotics]\ndescription = "x"\n', 4,
                  "named twice; it was first defined on line 1"),
    "duplicate case": ('[themes.robotics]\nseeds = ["robot"]\n\n[themes."Robotics"]\ndescription = "x"\n', 4,
                       "named twice"),
    "bad toml": ('[themes.robotics]\nseeds = ["robot"\n\n[themes.x]\n', 4, "not valid TOML"),
    "wrong type": ('[themes.robotics]\nseeds = ["robot"]\ndescription = 3\n', 3,
                   "description must be a string"),
    "top-level key": ('threshold = 0.3\n[themes.robotics]\nseeds = ["robot"]\n', 1,
                      "unknown key 'threshold'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_theme_files_name_the_line(case, tmp_path):
    text, line, message = BAD[case]
    path = tmp_path / "themes.toml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_themes(path)
    assert str(path) in str(caught.value)
    assert re.search(rf"\bline {line}\b", str(caught.value)), str(caught.value)
    assert message in str(caught.value)


def test_bad_mappings_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_themes(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="named twice"):
        parse_themes({"Robotics": ["robot"], "robotics ": ["arm"]})
    with pytest.raises(InputError, match="reserved"):
        parse_themes({"other": ["x"]})
    with pytest.raises(InputError, match="seeds must be a list of strings"):
        parse_themes({"robotics": {"seeds": [1]}})


# ---------------------------------------------------------------------------------------------- report
def test_report_renders_the_overview_and_escapes_names(tfidf_model, tmp_path):
    hostile = "<b>robots</b> & \"arms\" | *x*"
    themes = {"self-supervised learning": load_themes(THEMES)[0].seeds,
              hostile: ["robot", "imitation learning", "manipulation", "demonstrations"]}
    model = tfidf_model
    corpus = model.corpus_
    dated = corpus.assign(date=pd.Timestamp("2023-01-01") + pd.to_timedelta(np.arange(len(corpus)) * 12, "D"))
    model.corpus_ = dated
    try:
        folder = write_report(model, tmp_path / "r", quiet=True, themes=themes).parent
    finally:
        model.corpus_ = corpus
    page = (folder / "index.html").read_text()
    assert 'id="named-themes"' in page and "Theme overview" in page
    assert "<b>robots</b>" not in page and "&lt;b&gt;robots&lt;/b&gt; &amp; &quot;arms&quot;" in page
    assert 'id="plot-named-themes-over-time"' in page
    markdown = (folder / "report.md").read_text()
    assert "## Theme overview" in markdown and "<b>" not in markdown
    assert "named-themes-over-time.png" in markdown and (folder / "named-themes-over-time.png").is_file()
    record = json.loads((folder / "run.json").read_text())
    assert record["named_themes"]["counts"]["papers_per_theme"][hostile] > 0
    assert set(record["named_themes"]["rules"]) >= {"topic", "paper_own_match", "between"}
    table = pd.read_csv(folder / "named-themes.csv")
    assert len(table) == model.n_documents_


def test_report_without_themes_is_unchanged(tfidf_model, tmp_path):
    folder = write_report(tfidf_model, tmp_path / "r", quiet=True).parent
    assert 'id="named-themes"' not in (folder / "index.html").read_text()
    assert "Theme overview" not in (folder / "report.md").read_text()
    assert not (folder / "named-themes.csv").exists()
    assert "named_themes" not in json.loads((folder / "run.json").read_text())


def test_a_theme_the_model_cannot_read_has_no_score(tfidf_model, tmp_path):
    """A theme none of whose words is in the vocabulary scores nothing: NaN in the tables, "—" on the
    pages, null in run.json; never the -1 sentinel shown as if it were a cosine."""
    quantum = ["qubit", "quantum annealing"]
    alone = map_topics(tfidf_model, {"quantum": quantum}, space="model")
    assert (alone.topics["theme"] == OTHER).all()
    assert alone.topics["score"].isna().all() and alone.topics["second_score"].isna().all()
    assert alone.papers["score"].isna().all() and alone.topic_scores["quantum"].isna().all()
    mixed = map_topics(tfidf_model, {"quantum": quantum, "robotics": ["robot", "manipulation"]},
                       space="model")
    assert mixed.topic_scores["quantum"].isna().all() and mixed.paper_scores["quantum"].isna().all()
    assert mixed.topic_scores["robotics"].notna().all()
    for table in (alone.topics, alone.papers, mixed.topics, mixed.papers):
        assert not (table[["score", "second_score"]] <= -1).any().any()
    folder = write_report(tfidf_model, tmp_path / "r", quiet=True, themes=alone).parent
    page, markdown = (folder / "index.html").read_text(), (folder / "report.md").read_text()
    assert "-1.00" not in page and "-1.00" not in markdown
    assert '<span class="score">—</span>' in page and "(—)" in markdown
    record = json.loads((folder / "run.json").read_text())
    assert all(t["score"] is None for t in record["named_themes"]["topics"])


def test_the_overview_shows_the_number_that_decided(tfidf_model, tmp_path):
    """The page shows each topic's z, the number that decides, not its cosine: a cosine of 0.38 can be Other
    while 0.28 is not. A topic in Other shows the theme it came closest to."""
    named = map_topics(tfidf_model, THEMES, space="model")
    if not (named.topics["theme"] == OTHER).any():  # every topic attached in this fit: raise the bar above
        named = map_topics(tfidf_model, THEMES, threshold=float(named.topics["z"].min()) + 0.01,
                           space="model")  # the lowest
    folder = write_report(tfidf_model, tmp_path / "r", quiet=True, themes=named).parent
    page, markdown = (folder / "index.html").read_text(), (folder / "report.md").read_text()
    overview = markdown.split("## Theme overview")[1].split("\n\n", 3)[2]
    for row in named.topics.itertuples():
        z = named.topic_z.loc[row.topic]
        if row.theme == OTHER:
            nearest = z.idxmax()
            shown = f"(z {z[nearest]:.1f} for {nearest})".replace("-", "\\-")
        else:
            shown = f"(z {z[row.theme]:.1f})"
        assert shown.replace(".", "\\.") in overview, (shown, overview)
        assert f"({row.score:.2f})" not in overview
    assert (named.topics["theme"] == OTHER).any(), "topics in Other: the case this tests"
    assert "topics (z)" in page and "below z = 2" in page
