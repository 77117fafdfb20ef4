"""Named themes: map the topics a model found to the themes a user cares about.

The themes come from a themes file (TOML), a mapping or a list of `NamedTheme`; `topics.theme_files` reads
and checks them and describes the file's format and its errors (its names can still be imported from
here). `map_topics(model, themes)` maps every topic of a fitted `TopicModel` to its best-matching theme, or
to "Other", and gives every paper a theme with the rule that decided it.

How the scores are made
-----------------------
A theme's vector is the mean of the model's own vectors (`model._vectors_for`) of its description and of
each seed term, so each seed counts as much as the description (TF-IDF features go through the model's
LSA projection; terms the vocabulary does not know add nothing and are listed in the notes). Scores are
cosine similarities *after removing the corpus's mean document vector* from documents, topic centroids
and theme vectors ("centred cosine"). Without that, a theme whose words resemble the typical paper of the
corpus (e.g. "self-supervised learning" on a corpus gathered around self-supervision) is the nearest
theme of almost every topic with sentence embeddings, whose raw cosines all sit in 0.2-0.6. Centring
asks instead which theme a topic leans towards *compared with the rest of the corpus*.

Centring is used for sentence embeddings only (`center="auto"`): TF-IDF already leaves out words found in
more than half of the documents, its own corpus-relative step, and centring it again pushed the sample's
core self-supervised topic to -0.16.

Is the score high?
------------------
A score is judged against decoy themes (`topics.theme_scores`, which explains them): `z` says how
unusual it is for a theme of that size in this model.

Rules
-----
1. topic -> theme, in sentence embeddings (the default when the extra is installed, `topics.theme_space`):
   the theme most of its papers score highest (their votes), when it has `VOTE_OVER_CHANCE` (1.5) times
   chance of the votes and the topic's z for it reaches `VOTE_MIN_Z` (0.5), or when that z reaches
   `threshold` (OTHER_Z); else "Other". On BBC News with the five sections as one-line descriptions, the
   TF-IDF centroid's best theme by z put 0.81-0.83 of the articles right, the embeddings' vote 0.940; on
   AI-conference papers with the 16 area names 0.229 -> 0.490. In the model's own features
   (`space="model"`, or no embeddings extra): the theme with the highest z, or "Other" when that z is below
   `threshold`; votes there attached unrelated topics (11 of 40 wrong on AI-conference papers).
2. paper -> theme ("topic" rule): the theme of its topic, unless
3. ("paper" rule) the paper's own best theme (by z) reaches `threshold` and scores (cosine) at least
   `margin` (PAPER_MARGIN) higher than the paper's own score for its topic's theme (for a topic in "Other":
   higher than its decoys' mean score). Papers without a topic (outliers kept with keep_outliers) take
   their own best theme when its z reaches `threshold` ("no topic" rule), else "Other".
4. A paper is "between two themes" when the scores of its two best themes (by z) differ by less than
   `between` (BETWEEN_MARGIN) and both z reach `threshold`.

The numbers
-----------
threshold: z 2.0 for both kinds of score, measured on three corpora and five models (topics judged by their
keywords and the conference area most of their papers come from; examples/themes.toml on the sample,
examples/themes-ai-conference.toml, 8 areas and a "marine biology" theme nothing is about, on the
AI-conference papers):

- AI-conference papers, TF-IDF, all 6,253 (44 topics): wrong attachments have z <= 1.94, right ones
  >= 2.36 but for one at 1.31. 28 topics attached, none wrong (0.20 raw cosine: 39 attached, 11 wrong);
  Other 16 topics, 34% of papers (was 5, 8%). The sample's themes on the same model: 6 topics attached
  (was 30 of 44: recommendation, object detection, point clouds... to self-supervised learning).
- the same, 1,500 and 2,500 papers (22 and 49 topics): 2 of 14 and 4 of 31 wrong (was 5 of 18, 9 of 38),
  near misses such as argumentation or ontology queries to language processing, network quantization to
  vision; one clear language topic ("dialogue · dialog · responses", z 1.73) stays Other at 2,500.
- AI-conference papers, MiniLM embeddings, 1,500 papers (26 topics): 19 attached, 1 wrong (quantization to
  vision, z 2.78); 0.05 centred cosine: 21 attached, 3 wrong, among them clustering to marine biology.
- the sample, TF-IDF (8 topics): 6 keep their theme; "target · pretraining · source" (z 1.74) and
  "ECG · devices · contrastive" (1.87) become Other, 14% of papers (was none). Embeddings (6 topics):
  "pre-trained · model · student" (1.89) joins "action recognition · video" (-0.2) in Other, 17% of papers
  (was 5%).

margin 0.20 and between 0.05 (cosines) were read off the sample before decoys existed: the margin is larger
than the median gap between a paper's two best themes (0.18 TF-IDF, 0.14 embeddings), so only papers that
clearly belong elsewhere move (on the sample 5 of 58 with TF-IDF, e.g. "Barlow Twins" out of the medical
topic, none with embeddings); between is about the smallest tenth of those gaps.

"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from topics.errors import ModelError
from topics.params import check_range
from topics.theme_files import (
    OTHER,
    NamedTheme,
    as_themes,
    load_themes,
    parse_themes,
)
from topics.theme_scores import (
    NULL_DRAWS,
    best_two_themes,
    decoy_pool,
    decoy_z,
    mean_theme_vectors,
    theme_texts,
)

__all__ = [
    "BETWEEN_MARGIN",
    "OTHER",
    "OTHER_THRESHOLD",
    "OTHER_Z",
    "PAPER_MARGIN",
    "NamedTheme",
    "NamedThemes",
    "as_themes",
    "load_themes",
    "map_topics",
    "parse_themes",
]

# Default numbers per kind of score ("centred": embeddings, "raw": TF-IDF/LSA); why: module docstring.
OTHER_Z = {"centred": 2.0, "raw": 2.0}  # a topic's best theme must score this many SDs above decoys
DECOYS_FROM = {"centred": ("keywords",), "raw": ("themes", "keywords")}  # what decoy themes are drawn from
VOTE_OVER_CHANCE = 1.5  # a topic takes the theme most of its papers prefer if that share is 1.5x chance ...
VOTE_MIN_Z = 0.5  # ... and the topic's own z for it reaches this
# Cosine floor of guided fitting's seeding only (topics.guided); naming topics uses OTHER_Z.
OTHER_THRESHOLD = {"centred": 0.05, "raw": 0.20}
PAPER_MARGIN = {"centred": 0.20, "raw": 0.20}
BETWEEN_MARGIN = {"centred": 0.05, "raw": 0.05}


@dataclass
class NamedThemes:
    """Topics and papers of a fitted model mapped to named themes (see the module docstring for the rules).

    topics: one row per topic: topic, topic_label, size, theme, score, z, second_theme, second_score,
        second_z (theme: the best by z, or Other; second: the next by z).
    papers: one row per paper: id, title, topic, topic_theme, theme, score, z, rule, second_theme,
        second_score, between (True when the two best themes are within `between`).
    topic_scores / paper_scores: the full score matrices (rows topics/papers, columns theme names);
    topic_z: the z of every topic for every theme (decoys: `topics.theme_scores`).
    """

    themes: list[NamedTheme]
    topics: pd.DataFrame
    papers: pd.DataFrame
    topic_scores: pd.DataFrame
    paper_scores: pd.DataFrame
    threshold: float
    margin: float
    between: float
    centered: bool
    notes: list[str] = field(default_factory=list)
    topic_z: pd.DataFrame | None = None  # z of each topic (rows) for each theme (columns)
    decoys: str = ""  # what decoy themes were drawn from: "themes", "keywords" or "none"
    space: str = ""  # what the themes were matched in: "sentence embeddings (all-MiniLM-L6-v2)", ...

    @property
    def names(self) -> list[str]:
        """Theme names in the order given, then "Other"."""
        return [t.name for t in self.themes] + [OTHER]

    def summary(self) -> pd.DataFrame:
        """One row per named theme (then Other): papers, topics, papers from each rule, papers between."""
        rows = []
        for name in self.names:
            members = self.papers[self.papers["theme"] == name]
            topic_rows = self.topics[self.topics["theme"] == name]
            rows.append({
                "theme": name, "papers": len(members), "share": len(members) / max(len(self.papers), 1),
                "topics": topic_rows["topic"].tolist(),
                "by_topic": int((members["rule"] == "topic").sum()),
                "by_paper": int((members["rule"] != "topic").sum()),
                "between": int(members["between"].sum()),
            })
        return pd.DataFrame(rows)

    def between_papers(self) -> pd.DataFrame:
        """Papers whose two best themes score within `between` of each other, closest first."""
        table = self.papers[self.papers["between"]].copy()
        table["gap"] = (table["score"] - table["second_score"]).round(4)
        return table.sort_values(["gap", "title"], kind="stable")

    def explanation(self) -> dict:
        """What run.json records: the rules, thresholds, the themes, and counts per rule and theme."""
        rules = self.papers["rule"].value_counts()
        return {
            "themes": [{"name": t.name, "description": t.description, "seeds": list(t.seeds)}
                       for t in self.themes],
            "score": (f"cosine similarity in {self.space or 'the model feature space'} between a topic (or "
                      "paper) vector and the theme vector, the mean of the vectors of the theme's "
                      "description and of each seed term"
                      + ("; all vectors centred on the corpus's mean document vector" if self.centered
                         else "")),
            "z": (f"how many standard deviations the score lies above the scores of {NULL_DRAWS} decoy "
                  "themes made of as many random terms (drawn from: " + (self.decoys or "?") + "); with "
                  "several kinds of decoys, the highest z"),
            "rules": {
                "topic": (f"a topic takes the theme most of its papers score highest (their votes) when "
                          f"that theme has {VOTE_OVER_CHANCE:g}x chance of the votes and its z for it "
                          f"reaches {VOTE_MIN_Z:g}, or that z reaches threshold ({self.threshold:g}); else "
                          f"{OTHER!r}") if "sentence embeddings" in self.space and not self.centered else (
                          f"a topic takes the theme with the highest z, or {OTHER!r} when that z is below "
                          f"threshold ({self.threshold:g})"),
                "paper_follows_topic": "a paper takes the theme of its topic (rule 'topic') ...",
                "paper_own_match": f"... unless its own best theme (by z) reaches the threshold and scores "
                                   f"at least margin ({self.margin:g}) above its own score for the topic's "
                                   f"theme (or, when the topic is {OTHER!r}, above what decoy themes score "
                                   "on average) (rule 'paper')",
                "no_topic": "a paper without a topic takes its own best theme when its z reaches the "
                            "threshold (rule 'no topic')",
                "between": f"a paper is between two themes when the scores of its two best themes differ by "
                           f"less than {self.between:g} and both z reach the threshold",
            },
            "threshold": self.threshold,
            "decoys": self.decoys,
            "space": self.space,
            "margin": self.margin,
            "between_margin": self.between,
            "centered": self.centered,
            "counts": {
                "rules": {rule: int(rules.get(rule, 0)) for rule in ("topic", "paper", "no topic")},
                "papers_per_theme": {name: int((self.papers["theme"] == name).sum()) for name in self.names},
                "topics_per_theme": {name: int((self.topics["theme"] == name).sum()) for name in self.names},
                "papers_between_two_themes": int(self.papers["between"].sum()),
            },
            "topics": [
                {"topic": int(r.topic), "theme": r.theme, "score": _rounded(r.score, 4),
                 "z": _rounded(r.z, 2), "votes": _rounded(r.votes, 3), "second_theme": r.second_theme,
                 "second_score": _rounded(r.second_score, 4), "second_z": _rounded(r.second_z, 2)}
                for r in self.topics.itertuples()
            ],
            "notes": list(self.notes),
        }


def _rounded(value, digits: int) -> float | None:
    """A number for run.json: rounded, None for NaN (a theme the model cannot read)."""
    return None if pd.isna(value) else round(float(value), digits)


def _scored(scores: np.ndarray, themes: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """`scores` (one per row, for the theme index in `themes`) with NaN where that theme has no vector."""
    return np.where(usable[np.maximum(themes, 0)], np.asarray(scores, dtype=np.float64), np.nan)


def _ranked(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best and second-best theme by z (themes without a z last; ties: the first theme given);
    the second is -1 with a single theme."""
    order = np.argsort(-np.nan_to_num(z, nan=-np.inf), axis=1, kind="stable")
    second = order[:, 1] if z.shape[1] > 1 else np.full(len(z), -1)
    return order[:, 0], second


def map_topics(model, themes, threshold: float | None = None, margin: float | None = None,
               between: float | None = None, center: bool | str = "auto", space: str = "auto") -> NamedThemes:
    """Map each topic (and each paper) of a fitted `model` to a named theme or "Other".

    `themes`: a TOML file path, a mapping or a list of `NamedTheme` (see `as_themes`). `threshold` (a z:
    how many standard deviations above decoy themes), `margin` and `between` (cosines) are the rules'
    numbers (module docstring; None: the defaults for the kind of score). `center`: "auto" centres
    embeddings and leaves TF-IDF/LSA vectors raw; True or False forces it. `space`: "auto" matches in
    sentence embeddings when the embeddings extra is installed, else in the model's features
    (`topics.theme_space`); "embeddings" or "model" forces one.
    """
    from topics.theme_space import theme_space

    model._check_fitted()
    themes = as_themes(themes)
    matched_in, space_notes = theme_space(model, space)
    if center == "auto":
        center = matched_in.centred
    elif not isinstance(center, bool):
        raise ModelError(f"center must be 'auto', True or False, not {center!r}")
    kind = "centred" if center else "raw"
    threshold = check_range("threshold", OTHER_Z[kind] if threshold is None else threshold, -10.0, 100.0)
    margin = check_range("margin", PAPER_MARGIN[kind] if margin is None else margin, 0.0, 2.0)
    between = check_range("between", BETWEEN_MARGIN[kind] if between is None else between, 0.0, 2.0)
    names = [t.name for t in themes]
    texts, notes = theme_texts(model, themes, matched_in.embed)
    notes = space_notes + notes
    theme_matrix = mean_theme_vectors(texts)
    documents = matched_in.documents
    topics = np.asarray(model.document_topics_)
    n_topics = int(model.n_topics_)
    centroids = np.vstack([documents[topics == t].mean(axis=0) for t in range(n_topics)]) if n_topics \
        else np.zeros((0, documents.shape[1]))
    mean = documents.mean(axis=0) if center else None
    by_topic = best_two_themes(centroids, theme_matrix, mean)
    by_paper = best_two_themes(documents, theme_matrix, mean)
    topic_scores, paper_scores = by_topic.scores, by_paper.scores
    seed = int(getattr(model, "random_state", 0) or 0)  # the same decoys for topics and papers
    topic_z = paper_z = paper_level = None
    for source in DECOYS_FROM[kind]:  # several kinds of decoys: a score must stand out against one of them
        pool = decoy_pool(model, texts, source, matched_in.embed)
        t_z, _ = decoy_z(centroids, topic_scores, texts, pool, mean, np.random.default_rng(seed))
        p_z, p_level = decoy_z(documents, paper_scores, texts, pool, mean, np.random.default_rng(seed))
        if topic_z is None:
            topic_z, paper_z, paper_level = t_z, p_z, p_level
        else:
            topic_z = np.fmax(topic_z, t_z)
            paper_level = np.where(p_z > paper_z, p_level, paper_level)
            paper_z = np.fmax(paper_z, p_z)
    # a theme none of whose words the model knows scores -1 (a sentinel, not a cosine): NaN in the tables
    usable = np.linalg.norm(theme_matrix, axis=1) > 0
    rows = np.arange(n_topics)
    votes = topic_votes(topics, _ranked(paper_z)[0], usable, n_topics, len(names))
    sizes = np.bincount(topics[topics >= 0], minlength=n_topics)
    if matched_in.kind == "embeddings":
        first, second, stands_out = _voted(votes, sizes, topic_z, threshold)
    else:  # the model's own features: the topic's z alone (votes attached unrelated topics there)
        first, second = _ranked(topic_z)
        stands_out = topic_z[rows, first] >= threshold
    best_z = topic_z[rows, first]
    topic_theme = np.where(stands_out, first, -1)  # -1: Other
    label = np.array(names + [OTHER], dtype=object)
    topic_table = pd.DataFrame({
        "topic": rows,
        "topic_label": [str(model.topic_labels_[t]) for t in rows],
        "size": [int(model.topic_sizes_[t]) for t in rows],
        "theme": label[topic_theme],
        "score": _scored(topic_scores[rows, first], first, usable).round(4),
        "z": best_z.round(2),
        "votes": (votes[rows, first] / np.maximum(sizes, 1)).round(3),
        "second_theme": label[second] if len(names) > 1 else OTHER,
        "second_score": (_scored(topic_scores[rows, second], second, usable) if len(names) > 1
                         else np.full(n_topics, np.nan)).round(4),
        "second_z": (topic_z[rows, second] if len(names) > 1 else np.full(n_topics, np.nan)).round(2),
    })

    n = len(documents)
    index = np.arange(n)
    p_first, p_second = _ranked(paper_z)
    own_best, own_z = paper_scores[index, p_first], paper_z[index, p_first]
    has_topic = topics >= 0
    of_topic = np.where(has_topic, topic_theme[np.maximum(topics, 0)] if n_topics else -1, -1)
    # what the paper's own best theme must beat by `margin`: its score for the topic's theme, or for a topic
    # in Other what decoy themes score on average
    reference = np.where(of_topic >= 0, paper_scores[index, np.maximum(of_topic, 0)],
                         paper_level[index, p_first])
    moves = has_topic & (p_first != of_topic) & (own_z >= threshold) & (own_best - reference >= margin)
    theme = np.where(moves, p_first, of_topic)
    rule = np.where(moves, "paper", "topic").astype(object)
    alone = ~has_topic
    theme[alone] = np.where(own_z[alone] >= threshold, p_first[alone], -1)
    rule[alone] = "no topic"
    shown = np.where(theme >= 0, theme, p_first)
    score = _scored(paper_scores[index, shown], shown, usable)
    z = paper_z[index, shown]
    # the runner-up: the best theme (by z) other than the one the paper got
    masked = np.nan_to_num(paper_z, nan=-np.inf)
    masked[index[theme >= 0], theme[theme >= 0]] = -np.inf
    runner = masked.argmax(axis=1)
    runner_score = _scored(paper_scores[index, runner], runner, usable)
    if len(names) == 1:
        runner_label = np.where(theme >= 0, OTHER, label[0])
        runner_score = np.where(theme >= 0, np.nan, score)
    else:
        runner_label = label[runner]
    lead = np.abs(own_best - paper_scores[index, np.maximum(p_second, 0)])
    is_between = (len(names) > 1) & (lead < between) & (np.nan_to_num(paper_z[index, np.maximum(p_second, 0)],
                                                                     nan=-np.inf) >= threshold)
    corpus = model.corpus_.reset_index(drop=True)
    paper_table = pd.DataFrame({
        "id": corpus["id"].astype(str).to_numpy(),
        "title": corpus["title"].fillna("").astype(str).to_numpy(),
        "topic": topics,
        "topic_theme": label[of_topic],
        "theme": label[theme],
        "score": score.round(4),
        "z": np.round(z, 2),
        "rule": rule,
        "second_theme": runner_label,
        "second_score": np.round(runner_score, 4),
        "between": is_between,
    })
    return NamedThemes(
        themes=themes, topics=topic_table, papers=paper_table,
        topic_scores=pd.DataFrame(np.where(usable, topic_scores, np.nan).round(4), columns=names),
        paper_scores=pd.DataFrame(np.where(usable, paper_scores, np.nan).round(4), columns=names,
                                  index=paper_table["id"]),
        threshold=threshold, margin=margin, between=between, centered=center, notes=notes,
        topic_z=pd.DataFrame(np.round(topic_z, 2), columns=names),
        decoys=" and ".join(DECOYS_FROM[kind]), space=matched_in.description,
    )


def topic_votes(topics: np.ndarray, paper_best: np.ndarray, usable: np.ndarray, n_topics: int,
                n_themes: int) -> np.ndarray:
    """How many of each topic's papers have each theme as their best, by z (topics x themes): by cosine,
    AI-conference areas 0.490, BBC 0.940; by z 0.486 and 0.940, and a theme that only resembles the
    typical paper wins fewer votes."""
    votes = np.zeros((n_topics, n_themes))
    counted = (topics >= 0) & usable[paper_best]
    np.add.at(votes, (topics[counted], paper_best[counted]), 1)
    return votes


def _voted(votes: np.ndarray, sizes: np.ndarray, z: np.ndarray,
           threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each topic's theme by its papers' votes (ties: the higher z), the runner-up by z, and whether the
    theme stands out: its share of the votes reaches `VOTE_OVER_CHANCE` times chance and the topic's z
    for it `VOTE_MIN_Z`, or that z reaches `threshold`."""
    n_topics, n_themes = votes.shape
    rows = np.arange(n_topics)
    order = np.lexsort((-np.nan_to_num(z, nan=-np.inf), -votes), axis=-1) if n_topics else votes.astype(int)
    first = order[:, 0] if n_themes else np.zeros(n_topics, dtype=int)
    masked = np.nan_to_num(z, nan=-np.inf).copy()
    masked[rows, first] = -np.inf
    second = masked.argmax(axis=1) if n_themes > 1 else np.full(n_topics, -1)
    share = votes[rows, first] / np.maximum(sizes, 1)
    best_z = np.nan_to_num(z[rows, first], nan=-np.inf)
    stands_out = ((share >= VOTE_OVER_CHANCE / max(n_themes, 1)) & (best_z >= VOTE_MIN_Z))
    stands_out |= best_z >= threshold
    has_vector = np.isfinite(z[rows, first])
    return first, second, stands_out & has_vector
