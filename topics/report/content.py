"""What the HTML and Markdown reports say, computed once from a fitted model (no formatting here)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from topics.wording import noun, plural

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])")
MAX_SENTENCE = 320
SHOWN_SKIPPED = 5  # malformed entries listed by their reason (line number) on the page


def first_sentence(text: str) -> str:
    """The first sentence of `text` (at most ~320 characters)."""
    text = " ".join(str(text or "")[: 8 * MAX_SENTENCE].split())  # the start is enough, however long the text
    if not text:
        return ""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > MAX_SENTENCE:
        sentence = sentence[: MAX_SENTENCE - 1].rsplit(" ", 1)[0] + "…"
    return sentence


@dataclass
class Paper:
    index: int
    id: str
    title: str
    topic: int
    theme: int
    confidence: float
    is_outlier: bool
    summary: str


@dataclass
class Topic:
    topic: int
    theme: int
    label: str
    size: int
    share: float
    keywords: list[tuple[str, float]]
    representative: list[Paper]
    papers: list[Paper] = field(default_factory=list)
    stability: str = ""  # e.g. "unstable: came back in 1 of 5 reruns"; empty when not measured


def stability_note(model, topic: int) -> str:
    """How often a topic came back when refitted with other seeds (model.stability()), if that was run."""
    table = getattr(model, "topic_stability_", None)
    if table is None or topic >= len(table):
        return ""
    reruns = int(model.stability_["runs"]) - 1
    came_back = int(round(float(table["reappearance"].iloc[topic]) * reruns))
    verdict = "stable" if bool(table["stable"].iloc[topic]) else "unstable"
    return f"{verdict}: came back in {came_back} of {plural(reruns, 'rerun')} with other seeds"


@dataclass
class Theme:
    theme: int
    label: str
    size: int
    keywords: list[tuple[str, float]]
    topics: list[Topic] = field(default_factory=list)


NAMED_THEMES_INTRO = (
    "Each topic goes to the named theme it matches best when that match stands out: its score is compared "
    "with what 1,000 random sets of words score in the same model, and below z = 2 the topic is Other "
    "(the z is in brackets; for a topic in Other, with the theme it came closest to). A paper follows its "
    "topic unless it matches another theme much better.")


@dataclass
class NamedThemeRow:
    """One named theme in the report's overview (or "Other")."""

    name: str
    size: int
    share: float
    topics: list[tuple[int, str, str]]  # (topic, label, how well it matches: 'z 2.6', 'z 1.9 for ...')
    by_paper: int  # papers placed by their own match rather than their topic
    color: str = ""


@dataclass
class NamedThemesContent:
    """The theme overview: papers per named theme, its topics, papers between two themes, the rules."""

    themes: list[NamedThemeRow]
    between: list[tuple[Paper, str, float, str, float]]  # paper, theme, score, second theme, score
    moved: list[tuple[Paper, str, str, float]]  # paper, topic's theme, own theme, score
    rules: list[str]
    notes: list[str]


@dataclass
class Reading:
    """What reading the input dropped or kept: sentences for the page, and the first malformed entries."""

    sentences: list[str]
    skipped: list[str]  # the first few reasons, e.g. "line 62: entry 'x': field 'title' has ..."
    n_skipped: int


def reading_note(read_info: dict | None) -> Reading | None:
    """What the reader did with the input (`corpus.attrs["topics_read"]`), for the shared page; None when it
    dropped nothing and says nothing else worth showing (columns chosen, dates it could not read)."""
    info = dict(read_info or {})
    sentences = []
    dropped = []
    if info.get("n_duplicates"):
        dropped.append(f"{plural(int(info['n_duplicates']), 'exact duplicate')} removed (first copy kept)")
    if info.get("n_empty"):
        dropped.append(f"{plural(int(info['n_empty']), 'empty document')} dropped")
    n_skipped = int(info.get("n_skipped") or 0)
    if n_skipped:
        dropped.append(f"{plural(n_skipped, 'malformed entry', 'malformed entries')} skipped")
    if dropped:
        source = f" from {Path(str(info['path'])).name}" if info.get("path") else ""
        read = f"Read {plural(int(info['n_read']), 'record')}{source}: " if "n_read" in info else ""
        kept = (f"; {plural(int(info['n_documents']), 'paper')} remain"
                if "n_documents" in info else "")
        sentences.append(f"{read}{', '.join(dropped)}{kept}.")
    if isinstance(info.get("columns"), dict) and _columns_sentence(info["columns"]):
        sentences.append(_columns_sentence(info["columns"]))
    if info.get("n_unparsed_dates"):
        count = int(info["n_unparsed_dates"])
        sentences.append(f"{plural(count, 'date')} could not be read; "
                         f"{'that paper has' if count == 1 else 'those papers have'} no date.")
    if not sentences:
        return None
    skipped = [str(s) for s in (info.get("skipped") or [])][:SHOWN_SKIPPED] if n_skipped else []
    return Reading(sentences=sentences, skipped=skipped, n_skipped=n_skipped)


def _columns_sentence(columns: dict) -> str:
    """'Text from columns Title + Abstract Note; dates from Publication Year.' (canonical -> source)."""
    def names(key: str) -> list[str]:
        value = columns.get(key) or []
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]

    text = [name for key in ("title", "abstract", "text") for name in names(key)]
    parts = [f"text from {'column' if len(text) == 1 else 'columns'} {' + '.join(text)}"] if text else []
    parts += [f"{what} from {' + '.join(names(key))}" for key, what in
              (("date", "dates"), ("label", "labels"), ("id", "ids")) if names(key)]
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if sentence else ""


@dataclass
class Content:
    name: str
    n_documents: int
    n_topics: int
    n_themes: int
    n_outliers: int
    outlier_share: float
    themes: list[Theme]
    papers: list[Paper]
    unassigned: list[Paper]
    overview: list[tuple[str, str]]
    settings: list[tuple[str, str]]
    notes: list[str]
    metrics: dict[str, float]
    named_themes: NamedThemesContent | None = None
    sample_note: str = ""  # when the model was fitted on a sample: says so, and what the report covers
    reading: Reading | None = None  # what reading the input dropped; None when nothing was
    changes: object = None  # the model's changes_ (a DataFrame) when it continued a previous one
    changes_summary: str = ""
    emerging: object = None  # topics.emerging's table when the papers are dated in two periods or more
    emerging_summary: str = ""
    emerging_method: str = ""


def sample_counts(model) -> tuple[int, int, bool] | None:
    """(papers fitted, papers of the input, whether the report covers them all) for a model fitted on a
    sample (`fit(..., sample=N)`), else None. `model` is a TopicModel or a `coverage.AllPapers` view."""
    fitted = getattr(model, "n_fitted_documents_", None)
    if fitted is not None:  # the view: every paper of the input
        return (int(fitted), int(model.n_documents_), True) if fitted < model.n_documents_ else None
    if getattr(model, "sample_indices_", None) is None:
        return None
    return int(model.n_documents_), int(getattr(model, "n_input_documents_", 0) or model.n_documents_), False


def sample_note(model) -> str:
    """One plain sentence or two on the sample the model was fitted on; empty when it saw every paper."""
    counts = sample_counts(model)
    if counts is None:
        return ""
    fitted, total, covers_all = counts
    seed = model.get_params().get("random_state")
    head = (f"The model was fitted on a sample of {fitted:,} of {total:,} papers (drawn with random_state "
            f"{seed}).")
    if covers_all:
        return (f"{head} The other {total - fitted:,} papers were given their topic by the model's "
                "classifier and placed on the map beside the fitted papers most similar to them. Keywords, "
                "labels and representative papers come from the sample; sizes, shares and paper lists count "
                "every paper. Topics are numbered by their size in the sample, so the sizes shown need not "
                "be in order.")
    return (f"{head} This report shows those {fitted:,} papers only; to cover every paper, pass the corpus "
            f"to topics.report(model, out, corpus=...) or run topics report INPUT --sample {fitted}.")


def _summary_source(corpus: pd.DataFrame) -> list[str]:
    if "abstract" in corpus.columns:
        abstracts = corpus["abstract"].fillna("").astype(str)
        texts = corpus["text"].fillna("").astype(str)
        return [a if a.strip() else t for a, t in zip(abstracts, texts, strict=True)]
    return corpus["text"].fillna("").astype(str).tolist()


def build(model, name: str, settings: dict, metrics: dict | None = None,
          read_info: dict | None = None) -> Content:
    """Everything the pages say about `model`; `read_info` is the reader's counts (`topics_read`)."""
    corpus = model.corpus_.reset_index(drop=True)
    sources = _summary_source(corpus)
    titles = corpus["title"].fillna("").astype(str).tolist()
    ids = corpus["id"].astype(str).tolist()
    topics = np.asarray(model.document_topics_)
    themes = np.asarray(model.document_themes_)
    confidence = np.asarray(model.document_confidence_, dtype=float)
    outlier = np.asarray(model.is_outlier_)
    papers = [
        Paper(i, ids[i], titles[i] or ids[i], int(topics[i]), int(themes[i]), round(float(confidence[i]), 3),
              bool(outlier[i]), first_sentence(sources[i]))
        for i in range(len(corpus))
    ]
    topic_list = []
    for t in range(model.n_topics_):
        members = [papers[i] for i in np.flatnonzero(topics == t)]
        members.sort(key=lambda p: (-p.confidence, p.index))
        names = getattr(model, "topic_names_", None) or [None] * model.n_topics_
        # a namer's name first, the phrases it came from beside it
        label = f"{names[t]} — {model.topic_labels_[t]}" if names[t] else str(model.topic_labels_[t])
        topic_list.append(Topic(
            topic=t, theme=int(model.topic_themes_[t]), label=label,
            size=int(model.topic_sizes_[t]), share=float(model.topic_sizes_[t] / model.n_documents_),
            keywords=[(str(w), float(s)) for w, s in zip(model.topic_keywords_[t],
                                                         model.topic_keyword_scores_[t], strict=False)],
            representative=[papers[i] for i in model.representative_documents_[t]],
            papers=members,
            stability=stability_note(model, t),
        ))
    theme_list = []
    for h in range(model.n_themes_):
        members = [topic_list[t] for t in np.flatnonzero(np.asarray(model.topic_themes_) == h)]
        theme_list.append(Theme(
            theme=h, label=str(model.theme_labels_[h]), size=sum(t.size for t in members),
            keywords=[(str(w), float(s)) for w, s in zip(model.theme_keywords_[h],
                                                         model.theme_keyword_scores_[h], strict=False)],
            topics=members,
        ))
    n_outliers = int(outlier.sum())
    overview = [
        (noun(len(papers), "paper"), f"{len(papers):,}"),
        (noun(model.n_topics_, "topic"), str(model.n_topics_)),
        (noun(model.n_themes_, "theme"), str(model.n_themes_)),
        (noun(n_outliers, "outlier"), f"{n_outliers:,} ({model.outlier_share_:.1%})"),
    ]
    counts = sample_counts(model)
    if counts is not None:
        overview.append(("papers fitted (sample)", f"{counts[0]:,} of {counts[1]:,}"))
    flat = [(key, _format(value)) for key, value in _flatten(settings)]
    return Content(
        name=name, n_documents=len(papers), n_topics=model.n_topics_, n_themes=model.n_themes_,
        n_outliers=n_outliers, outlier_share=float(model.outlier_share_), themes=theme_list, papers=papers,
        unassigned=[p for p in papers if p.topic < 0], overview=overview, settings=flat,
        notes=model_notes(model), metrics=dict(metrics or {}),
        sample_note=sample_note(model), reading=reading_note(read_info),
    )


def model_notes(model) -> list[str]:
    """What the model says about how it was fitted, and how the number of themes was chosen."""
    notes = [str(n) for n in getattr(model, "notes_", [])]
    if getattr(model, "theme_choice_", None):
        notes.append(str(model.theme_choice_))
    return notes


def _flatten(mapping: dict, prefix: str = ""):
    for key, value in mapping.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _format(value) -> str:
    if value is None:
        return "auto"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def _match_text(named, row) -> str:
    """How far a topic's match stands out from decoy themes (its z), and for a topic in Other the theme it
    came closest to: the number that decided, not the cosine (a cosine of 0.38 can be Other)."""
    z = named.topic_z.loc[row.topic] if named.topic_z is not None else None
    if z is None or z.isna().all():
        return "—"
    if row.theme in z.index:
        return f"z {z[row.theme]:.1f}"
    nearest = z.fillna(-np.inf).idxmax()
    return f"z {z[nearest]:.1f} for {nearest}"


def build_named_themes(named, papers: list[Paper]) -> NamedThemesContent:
    """The theme overview of a `topics.named_themes.NamedThemes` (papers: `Content.papers`)."""
    from topics.plots.named_themes import named_theme_colors

    colors = named_theme_colors(named.names)
    rows = []
    table = named.papers
    n = max(len(table), 1)
    for name in named.names:
        members = table["theme"] == name
        topic_rows = named.topics[named.topics["theme"] == name]
        if name == named.names[-1] and not members.any() and topic_rows.empty:
            continue  # no "Other" row when nothing is in it
        rows.append(NamedThemeRow(
            name=name, size=int(members.sum()), share=float(members.sum() / n),
            topics=[(int(r.topic), str(r.topic_label), _match_text(named, r))
                    for r in topic_rows.itertuples()],
            by_paper=int((members & (table["rule"] != "topic")).sum()), color=colors[name],
        ))
    between = [
        (papers[i], str(r.theme), float(r.score), str(r.second_theme), float(r.second_score))
        for i, r in zip(named.between_papers().index, named.between_papers().itertuples(), strict=True)
    ]
    moved_rows = table[table["rule"] == "paper"]
    moved = [(papers[i], str(r.topic_theme), str(r.theme), float(r.score))
             for i, r in zip(moved_rows.index, moved_rows.itertuples(), strict=True)]
    explanation = named.explanation()
    rules = [
        explanation["rules"]["topic"],
        explanation["rules"]["paper_follows_topic"].replace(" ...", "") + ", "
        + explanation["rules"]["paper_own_match"].replace("... ", ""),
        explanation["rules"]["between"],
        "score: " + explanation["score"],
    ]
    return NamedThemesContent(themes=rows, between=between, moved=moved, rules=rules, notes=list(named.notes))
