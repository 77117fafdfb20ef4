"""read_corpus on the real corpora in ../shared/data (see its README.md).

They are not part of the project: when absent these tests skip with the reason, except under CI
(environment variable CI set), where a missing corpus is a failure.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import read_shared

pytestmark = pytest.mark.slow


def _read(name: str) -> pd.DataFrame:
    return read_shared(name)


def _check(df: pd.DataFrame, n_read: int) -> dict:
    report = df.attrs["topics_read"]
    assert report["format"] == "csv"
    assert report["n_read"] == n_read
    assert report["n_documents"] + report["n_duplicates"] + report["n_empty"] == n_read
    assert report["n_skipped"] == 0
    assert len(df) == report["n_documents"]
    assert list(df.columns[:4]) == ["id", "title", "abstract", "text"]
    assert df["id"].is_unique
    assert (df["text"].str.len() > 0).all()
    assert not df["text"].duplicated().any()
    assert isinstance(df.index, pd.RangeIndex)
    return report


@pytest.fixture(scope="module")
def bbc() -> pd.DataFrame:
    return _read("bbc-news.csv.gz")


def test_bbc_news(bbc):
    report = _check(bbc, 2225)
    # 133 bodies repeat an earlier one (`duplicate_of_earlier`); 35 of those come with a different
    # headline, and the text is headline + body, so 100 rows are exact duplicates of the text
    assert report["n_duplicates"] == 100
    assert report["n_empty"] == 0
    assert report["n_documents"] == 2125
    assert bbc.columns.tolist() == ["id", "title", "abstract", "text", "label", "duplicate_of_earlier"]
    assert bbc["id"].iloc[0] == "business/001.txt"
    assert bbc["title"].iloc[0] == "Ad sales boost Time Warner profit"
    assert (
        bbc["abstract"]
        .iloc[0]
        .startswith("Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn")
    )
    assert bbc["text"].iloc[0].startswith("Ad sales boost Time Warner profit. Quarterly profits")
    assert sorted(bbc["label"].unique()) == ["business", "entertainment", "politics", "sport", "tech"]


def test_ai_conference_papers():
    df = _read("ai-conference-papers.csv.gz")
    report = _check(df, 6253)
    assert report["n_duplicates"] == 0 and report["n_empty"] == 0 and report["n_documents"] == 6253
    assert df.columns.tolist() == ["id", "title", "abstract", "text", "date", "label", "venue", "area_raw"]
    assert pd.api.types.is_datetime64_dtype(df["date"])
    assert set(df["date"].dt.year) <= set(range(2020, 2025)) and (df["date"].dt.day_of_year == 1).all()
    assert df["label"].nunique() == 17
    assert (df["title"].str.len() > 0).all() and (df["abstract"].str.len() > 0).all()


def test_20newsgroups_uses_subject_as_title_and_body_as_abstract():
    df = _read("20newsgroups.csv.gz")
    report = _check(df, 18846)
    assert report["n_duplicates"] == 23 and report["n_empty"] == 0 and report["n_documents"] == 18823
    # `subject` is the title, `body` (the post without mail headers) the abstract; the raw `text`
    # with headers is kept as `source_text`
    assert df.columns.tolist() == ["id", "title", "abstract", "text", "label", "split", "source_text"]
    assert df["title"].iloc[0] == "Re: about the bible quiz answers"
    assert df["abstract"].iloc[0].startswith("In article <healta.153.735242337@saturn.wwc.edu>")
    assert df["source_text"].str.contains("From:", regex=False).mean() > 0.99
    assert df["abstract"].str.startswith("From:").mean() < 0.01
    assert df["source_text"].iloc[0].startswith("From: decay@cbnewsj.cb.att.com")
    assert df["label"].nunique() == 20
    # message numbers repeat across newsgroups: ids are made unique with a suffix
    assert df["id"].iloc[0] == "53068"


def test_arxiv_cs_2025_abstracts_only():
    df = _read("arxiv-cs-2025.csv.gz")
    report = _check(df, 22628)
    assert report["n_duplicates"] == 0 and report["n_empty"] == 0 and report["n_documents"] == 22628
    assert df.columns.tolist() == ["id", "title", "abstract", "text", "date", "label", "label_name"]
    # no date column: the arXiv ids give the month of submission, January to November 2025
    assert report["columns"]["date"] == "arXiv ids" and report["n_dates_from_ids"] == 22628
    assert df["date"].dt.strftime("%Y-%m").agg(["min", "max"]).tolist() == ["2025-01", "2025-11"]
    assert (df["title"] == "").all()
    assert (df["text"] == df["abstract"]).all()
    assert df["id"].iloc[0] == "2501.00008"  # kept as text, not the float 2501.00008
    assert df["label"].nunique() == 29
