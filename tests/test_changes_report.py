"""`topics report --since`: the report of the bundled sample continued from a report of its first 30
papers shows what changed (issue 23): the section at the top of the page, report.md, changes.csv and the
plot; a --since that is no report or model is one clear error, and the previous report is only read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import topics
from topics.cli import main


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("since")
    papers = topics.datasets.load_sample_papers()[["id", "title", "abstract"]]
    papers.iloc[:30].to_csv(folder / "first.csv", index=False)
    papers.to_csv(folder / "all.csv", index=False)
    assert main(["report", str(folder / "first.csv"), "--out", str(folder / "before"), "-q"]) == 0
    before = _digests(folder / "before")
    assert main(["report", str(folder / "all.csv"), "--out", str(folder / "after"), "--since",
                 str(folder / "before"), "-q"]) == 0
    return folder, before


def test_the_report_says_what_changed(reports):
    folder, _ = reports
    after = folder / "after"
    changes = pd.read_csv(after / "changes.csv")
    assert set(changes["level"]) == {"topic", "theme"}
    assert set(changes["status"]) <= {"new", "grew", "shrank", "faded", "split", "merged", "same"}
    topics_rows = changes[changes["level"] == "topic"]
    model = topics.TopicModel.load(after / "model")
    assert sorted(topics_rows["id"].dropna().astype(int)) == list(range(model.n_topics_))
    # every earlier paper is counted once before, and the new papers are the 28 added
    assert topics_rows.groupby("id", dropna=True)["new_papers"].first().sum() == 28
    page = (after / "index.html").read_text(encoding="utf-8")
    assert page.index('id="changes"') < page.index('id="map-section"')
    assert "What changed" in page and "matched to a previous model of 30 papers" in page
    assert (after / "theme-changes.png").stat().st_size > 5_000
    markdown = (after / "report.md").read_text(encoding="utf-8")
    assert markdown.index("## What changed") < markdown.index("## Themes and topics")


def test_matched_topics_keep_their_numbers(reports):
    folder, _ = reports
    previous = topics.TopicModel.load(folder / "before" / "model")
    model = topics.TopicModel.load(folder / "after" / "model")
    shared = previous.corpus_["id"].tolist()
    now = dict(zip(model.corpus_["id"], model.document_topics_, strict=True))
    kept = sum(now[i] == t for i, t in zip(shared, previous.document_topics_, strict=True))
    assert kept / len(shared) >= 0.7, kept  # earlier papers mostly keep their topic number


def test_the_previous_report_is_only_read(reports):
    folder, before = reports
    assert _digests(folder / "before") == before


def test_since_must_be_a_report_or_a_model(reports, tmp_path, capsys):
    folder, _ = reports
    (tmp_path / "junk").mkdir()
    code = main(["report", str(folder / "all.csv"), "--out", str(tmp_path / "out"), "--since",
                 str(tmp_path / "junk"), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "neither a topics report" in err and "Traceback" not in err
    code = main(["report", str(folder / "all.csv"), "--out", str(tmp_path / "out"), "--since",
                 str(tmp_path / "missing"), "-q"])
    assert code == 1 and "no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
