"""The papers-listing reader, on the bundled listing and on small fixtures."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from topics import read_corpus
from topics.corpus.listing import looks_like_listing

DATA = Path(__file__).parent / "data"
BUNDLED = Path(__file__).resolve().parents[1] / "topics" / "data" / "sample-papers.txt"
BOILERPLATE = ("Get trending papers", "Subscribe", "byAK", "research community", "Mar 11")


@pytest.fixture(scope="module")
def listing() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the bundled listing reads without any warning
        return read_corpus(BUNDLED)


def _abstract_of(df: pd.DataFrame, title: str) -> str:
    rows = df.loc[df["title"] == title, "abstract"]
    assert len(rows) == 1, f"{title!r} not found exactly once"
    return rows.iloc[0]


def test_bundled_listing_has_its_58_papers(listing):
    report = listing.attrs["topics_read"]
    assert report["format"] == "listing"
    assert len(listing) == 58
    assert report["n_read"] == 58 and report["n_documents"] == 58
    assert report["n_duplicates"] == report["n_empty"] == report["n_skipped"] == 0
    assert list(listing.columns[:4]) == ["id", "title", "abstract", "text"]
    assert "date" not in listing.columns  # "Mar 11" has no year
    assert set(listing["listed"]) == {"Mar 11"}
    assert listing["id"].is_unique and listing["id"].iloc[0] == "doc-0001"
    assert isinstance(listing.index, pd.RangeIndex)
    assert (listing["title"].str.len() > 0).all() and (listing["abstract"].str.len() > 200).all()


@pytest.mark.parametrize(
    ("title", "abstract_start"),
    [
        (
            "Adapting Multilingual Speech Representation Model for a New, Underresourced Language "
            "through Multilingual Fine-tuning and Continued Pretraining",
            "In recent years, neural models",
        ),
        ("Can Pre-trained Networks Detect Familiar Out-of-Distribution Data?", "Out-of-distribution (OOD)"),
        ("Barlow Twins: Self-Supervised Learning via Redundancy Reduction", "Self-supervised learning"),
        ("SLIM: Skill Learning with Multiple Critics", "Self-supervised skill learning aims"),
        ("HumanPlus: Humanoid Shadowing and Imitation from Humans", "One of the key arguments"),
        ("ReST-MCTS*: LLM Self-Training via Process Reward Guided Tree Search", "Recent methodologies"),
        ("Self-Judge: Selective Instruction Following with Alignment Self-Evaluation", "Pre-trained large"),
        ("Learning Latent Plans from Play", "Acquiring a diverse repertoire"),
    ],
)
def test_bundled_listing_pairs_titles_with_abstracts(listing, title, abstract_start):
    assert _abstract_of(listing, title).startswith(abstract_start)


def test_bundled_listing_first_and_last_papers(listing):
    assert listing["title"].iloc[0].startswith("Adapting Multilingual Speech Representation Model")
    last = listing.iloc[-1]
    assert last["title"].startswith("LVM-Med: Learning Large-Scale Self-Supervised Vision Models")
    assert last["abstract"].startswith("Obtaining large pre-trained models")
    assert last["abstract"].endswith("ResNet-50.")
    semixup = listing[listing["title"].str.startswith("Semixup:")]
    assert semixup["abstract"].iloc[0].startswith("Knee osteoarthritis (OA)")


def test_bundled_listing_text_joins_title_and_abstract(listing):
    first = listing.iloc[0]
    assert first["text"] == f"{first['title']}. {first['abstract']}"
    question = listing[listing["title"].str.endswith("?")].iloc[0]
    assert question["text"] == f"{question['title']} {question['abstract']}"


def test_no_boilerplate_leaks(listing):
    for column in ("title", "abstract"):
        for phrase in BOILERPLATE:
            assert not listing[column].str.contains(phrase, regex=False).any(), (column, phrase)
    assert not listing["title"].isin(["new", "Subscribe"]).any()


def test_listing_with_sections_missing_abstract_and_continued_abstract():
    df = read_corpus(DATA / "listing-sections.txt")
    assert df.attrs["topics_read"]["format"] == "listing"
    assert df["title"].tolist() == [
        "Do Large Language Models Dream of Electric Sheep?",
        "Sparse Attention: A Survey of Efficient Transformers",
        "A Paper Whose Abstract Is Missing From The Listing",
        "Graph Neural Networks for Protein Folding",
        "Tabular Foundation Models at Scale",
    ]
    assert df["listed"].tolist() == ["Mar 11", "Mar 11", "Mar 11", "Mar 12", "Mar 12"]
    assert "date" not in df.columns
    missing = df.iloc[2]
    assert missing["abstract"] == "" and missing["text"] == missing["title"]
    assert df["abstract"].iloc[1].endswith("adds the benchmark details and the code link.")
    # the "42" (an upvote count) between a title and its abstract is boilerplate
    assert df["abstract"].iloc[3].startswith("Proteins fold")
    assert not df["abstract"].str.contains("42").any()


def test_listing_with_years_gets_a_date_column():
    df = read_corpus(DATA / "listing-dated.txt")
    assert df.attrs["topics_read"]["format"] == "listing"
    assert len(df) == 3
    assert list(df.columns[:5]) == ["id", "title", "abstract", "text", "date"]
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-03-11", "2024-03-11", "2024-03-12"]
    assert df["listed"].tolist() == ["March 11, 2024", "March 11, 2024", "2024-03-12"]
    assert "Daily Papers" not in " ".join(df["title"])


def test_plain_paragraphs_are_not_a_listing():
    assert not looks_like_listing((DATA / "notes.txt").read_text())
    assert looks_like_listing(BUNDLED.read_text())


def test_format_listing_can_be_forced_on_any_extension(tmp_path):
    path = tmp_path / "page.dump"
    path.write_bytes((DATA / "listing-sections.txt").read_bytes())
    df = read_corpus(path, format="listing")
    assert len(df) == 5


def test_listing_prose_outside_any_paper_is_reported(tmp_path):
    path = tmp_path / "listing.txt"
    intro = "This page lists the papers that people liked this week. It is updated every day at noon."
    path.write_text(intro + "\n\n" + (DATA / "listing-sections.txt").read_text())
    with pytest.warns(UserWarning, match="paragraph outside any paper"):
        df = read_corpus(path)
    report = df.attrs["topics_read"]
    assert report["n_skipped"] == 1 and report["skipped"] == ["line 1: a paragraph outside any paper"]
    assert len(df) == 5
