"""Emerging topics in one dated corpus (issue 23, item 3): dates of each kind (a papers listing's date
lines, arXiv ids, a `year` column, a `date` column of ISO dates or "Mar 2021"), papers without a date
counted, a corpus in one period (no section, no error), and a topic that truly emerges: BBC technology
articles all dated in the last year among four sections spread evenly over five years."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import read_shared

import topics
from topics import ModelError, TopicsWarning, read_corpus
from topics.corpus.dates import arxiv_id_dates
from topics.emerging import STATUSES, find_emerging, summary


def _sample() -> pd.DataFrame:
    return topics.datasets.load_sample_papers()[["id", "title", "abstract"]]


def _fit(corpus: pd.DataFrame) -> topics.TopicModel:
    return topics.TopicModel(progress=False).fit(corpus)


def _read(path) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return read_corpus(path)


def _check_table(table: pd.DataFrame, model) -> None:
    """Every topic once, counts adding up to the dated papers with a topic, a known status."""
    assert sorted(table["topic"]) == list(range(model.n_topics_))
    assert set(table["status"]) <= set(STATUSES)
    info = table.attrs["emerging"]
    dated = pd.to_datetime(model.corpus_["date"]).notna().to_numpy()
    with_topic = dated & (np.asarray(model.document_topics_) >= 0)
    assert table["papers_last"].sum() + table["papers_before"].sum() == with_topic.sum()
    assert info["n_last"] + info["n_before"] == dated.sum()
    assert info["n_undated"] == (~dated).sum()


def test_the_listing_date_lines_date_the_papers(tmp_path):
    sample = _sample()
    lines = ["Trending papers", ""]
    for i, row in enumerate(sample.itertuples()):
        date = {0: "March 3, 2024", 18: "April 12, 2024", 36: "Jun 15, 2024"}.get(i)
        lines += [date, ""] if date else []
        lines += [row.title, "", row.abstract, ""]
    path = tmp_path / "listing.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    corpus = _read(path)
    assert corpus["date"].dt.strftime("%Y-%m-%d").value_counts().to_dict() == {
        "2024-03-03": 18, "2024-04-12": 18, "2024-06-15": 22}
    model = _fit(corpus)
    table = model.emerging_topics()
    _check_table(table, model)
    info = table.attrs["emerging"]
    assert (info["unit"], info["last"], info["before"]) == ("month", "2024-06", "2024-03 to 2024-04")
    assert (info["n_last"], info["n_before"], info["n_undated"]) == (22, 36, 0)
    assert "Papers of the last month (2024-06: 22 papers) against the 2 months before" in summary(table)


def test_arxiv_ids_of_every_form_name_their_month():
    ids = pd.Series(["2503.01234", "arXiv:2503.01234v2", "https://arxiv.org/abs/2101.00001v3", "0704.0001",
                     "2501.0001", "hep-th/9901001", "math.GT/0309136", "cs/0112017v1",
                     # not arXiv ids: before April 2007 in the new form, month 34, 13, a DOI, a word
                     "0703.1234", "1234.5", "2013.00001", "10.1000/182", "paper-7", None])
    months = arxiv_id_dates(ids).dt.strftime("%Y-%m").tolist()
    assert months[:8] == ["2025-03", "2025-03", "2021-01", "2007-04", "2025-01", "1999-01", "2003-09",
                          "2001-12"]
    assert all(m != m for m in months[8:])  # NaN: no date


def test_arxiv_ids_date_a_corpus_without_a_date_column(tmp_path):
    sample = _sample()
    months = ["2409", "2410", "2411", "2412", "2501"]
    ids = [f"{months[min(i // 12, 4)]}.{i:05d}" + ("v2" if i % 3 == 0 else "") for i in range(len(sample))]
    ids[5] = "not-an-arxiv-id"  # a paper without an arXiv id has no date: counted, not dropped
    sample.assign(id=ids).to_csv(tmp_path / "papers.csv", index=False)
    corpus = _read(tmp_path / "papers.csv")
    info = corpus.attrs["topics_read"]
    assert info["columns"]["date"] == "arXiv ids" and info["n_dates_from_ids"] == 57
    assert corpus["date"].isna().sum() == 1 and len(corpus) == 58
    model = _fit(corpus)
    table = model.emerging_topics()
    _check_table(table, model)
    emerging = table.attrs["emerging"]
    # January holds 10 papers: too few to compare on their own, so December is joined to it, and said
    assert (emerging["unit"], emerging["last"], emerging["n_undated"]) == ("month", "2024-12 to 2025-01", 1)
    assert emerging["n_last"] == 22 and "joined with the 1 month before it" in emerging["notes"][0]
    assert "1 paper without a date is not counted" in summary(table)
    # a date column wins over the ids; ids that are no arXiv ids give no dates
    sample.assign(id=ids, date="2020-05-01").to_csv(tmp_path / "dated.csv", index=False)
    assert _read(tmp_path / "dated.csv")["date"].dt.year.eq(2020).all()
    sample.assign(id=[f"W{i}" for i in range(len(sample))]).to_csv(tmp_path / "plain.csv", index=False)
    assert "date" not in _read(tmp_path / "plain.csv").columns


def test_a_year_column_gives_years(tmp_path):
    sample = _sample()
    sample["year"] = [2021] * 18 + [2022] * 18 + [2023] * 22
    sample.to_csv(tmp_path / "papers.csv", index=False)
    corpus = _read(tmp_path / "papers.csv")
    assert corpus.attrs["topics_read"]["columns"]["date"] == "year"
    model = _fit(corpus)
    table = model.emerging_topics()
    _check_table(table, model)
    info = table.attrs["emerging"]
    assert (info["unit"], info["last"], info["before"]) == ("year", "2023", "2021 to 2022")
    assert (info["n_last"], info["n_before"]) == (22, 36)


def test_a_date_column_of_iso_dates_and_month_names(tmp_path):
    sample = _sample()
    sample["date"] = (["2021-03-04", "Mar 2021"] * 10 + ["April 2022"] * 18
                      + ["2023-01-15", "Jan 2023"] * 10)
    sample.loc[[3, 17, 25], "date"] = ["", None, "not a date"]  # missing and unreadable: counted
    sample.to_csv(tmp_path / "papers.csv", index=False)
    corpus = _read(tmp_path / "papers.csv")
    assert corpus["date"].isna().sum() == 3
    assert corpus["date"].dt.strftime("%Y-%m").value_counts().to_dict() == {
        "2021-03": 18, "2022-04": 17, "2023-01": 20}  # "Mar 2021" is March 2021
    model = _fit(corpus)
    table = model.emerging_topics()
    _check_table(table, model)
    info = table.attrs["emerging"]
    assert (info["unit"], info["last"], info["n_last"], info["n_undated"]) == ("month", "2023-01", 20, 3)
    assert "3 papers without a date are not counted" in summary(table)


def test_a_corpus_in_one_period_has_no_section_and_no_error(tmp_path):
    sample = _sample()
    sample["year"] = 2024
    sample.to_csv(tmp_path / "papers.csv", index=False)
    model = _fit(_read(tmp_path / "papers.csv"))
    assert find_emerging(model) is None
    with pytest.raises(ModelError, match="at least two periods"):
        model.emerging_topics()
    index = topics.report(model, tmp_path / "report", quiet=True)
    page = index.read_text(encoding="utf-8")
    assert 'id="emerging"' not in page and not (tmp_path / "report" / "emerging.csv").exists()
    assert "## Emerging topics" not in (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    undated = _fit(topics.datasets.load_sample_papers())
    with pytest.raises(ModelError, match="no dates"):
        undated.emerging_topics()


# ------------------------------------------------------------------ a topic that truly emerges
STABLE = ("sport", "business", "politics", "entertainment")
PER_SECTION, N_TECH, YEARS = 80, 50, (2019, 2020, 2021, 2022, 2023)


@pytest.fixture(scope="module")
def emerging_corpus(tmp_path_factory):
    """BBC articles: four sections spread evenly over 2019-2023, technology all in 2023; a `year` column."""
    bbc = read_shared("bbc-news.csv.gz")
    bbc = bbc[bbc["duplicate_of_earlier"].astype(str).str.lower().isin(["false", "0", "nan", "none", ""])]
    parts = []
    for section in STABLE:
        rows = bbc[bbc["label"] == section].iloc[:PER_SECTION].copy()
        rows["year"] = [YEARS[i % len(YEARS)] for i in range(len(rows))]
        parts.append(rows)
    tech = bbc[bbc["label"] == "tech"].iloc[:N_TECH].copy()
    tech["year"] = YEARS[-1]
    parts.append(tech)
    path = tmp_path_factory.mktemp("emerging") / "bbc-dated.csv"
    pd.concat(parts)[["id", "title", "abstract", "year", "label"]].to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def emerging_model(emerging_corpus):
    # leaf clusters of at least 10 papers: the sections come apart at this size (the automatic choice
    # can keep three sections in one cluster at a few hundred articles)
    model = topics.TopicModel(progress=False, min_cluster_size=10, cluster_selection_method="leaf")
    return model.fit(_read(emerging_corpus))


def test_a_topic_whose_papers_are_all_new_is_emerging_and_the_stable_ones_are_not(emerging_model):
    model = emerging_model
    table = model.emerging_topics().set_index("topic")
    labels = model.corpus_["label"].to_numpy()
    topics_of = np.asarray(model.document_topics_)
    tech_topics, stable_topics = [], []
    for t in range(model.n_topics_):
        members = labels[topics_of == t]
        share_tech = float(np.mean(members == "tech"))
        (tech_topics if share_tech > 0.5 else stable_topics if share_tech <= 0.2 else []).append(t)
    assert tech_topics, "the technology articles form a topic of their own"
    # most technology articles are in topics flagged emerging
    emerging = table.index[table["status"] == "emerging"]
    assert set(tech_topics) <= set(emerging)
    assert np.isin(topics_of[labels == "tech"], emerging).mean() >= 0.8
    for t in tech_topics:  # the papers before the last year are the topic's few from other sections
        assert table.loc[t, "papers_before"] <= np.sum((topics_of == t) & (labels != "tech"))
    # the sections spread evenly over the years are neither emerging nor growing
    assert not set(table.loc[stable_topics, "status"]) & {"emerging", "growing"}
    info = table.attrs["emerging"]
    assert (info["unit"], info["last"]) == ("year", "2023")
    assert info["n_last"] == len(STABLE) * PER_SECTION // len(YEARS) + N_TECH


def test_the_report_shows_the_emerging_topics_beside_the_plot_over_time(emerging_model, tmp_path):
    index = topics.report(emerging_model, tmp_path / "report", quiet=True, raw_csv=False)
    folder = index.parent
    page = index.read_text(encoding="utf-8")
    assert page.index('id="map-section"') < page.index('id="emerging"') < page.index('id="plots"')
    section = page[page.index('id="emerging"'):page.index('id="plots"')]
    assert "Emerging topics" in section and 'id="plot-topics-over-time"' in section
    assert section.count('class="status-emerging') >= 1 and "Papers of the last year (2023" in section
    assert page.count('id="plot-topics-over-time"') == 1  # moved, not drawn twice
    # the changed topics' shares per period, first in the section
    assert section.index('id="plot-emerging-topics"') < section.index('id="plot-topics-over-time"')
    assert (folder / "emerging-topics.png").stat().st_size > 5_000
    assert '<a href="#emerging">Emerging topics</a>' in page
    csv = pd.read_csv(folder / "emerging.csv")
    assert list(csv.columns) == ["topic", "theme", "label", "status", "papers_last", "papers_before",
                                 "share_last", "share_before", "growth", "p_value"]
    assert sorted(csv["topic"]) == list(range(emerging_model.n_topics_))
    assert "emerging" in set(csv["status"])
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    assert markdown.index("## Emerging topics") < markdown.index("## Plots")
    assert "| emerging |" in markdown and "(emerging.csv)" in markdown
    assert "](emerging-topics.png)" in markdown
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert record["emerging"]["last"] == "2023" and "emerging.csv" in record["files"]
