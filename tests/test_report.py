"""`topics.report` (write_report) in-process: files, escaping, determinism, refusing and replacing folders."""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd
import pytest

import topics
from topics.report import ReportError, write_report
from topics.report.html import safe_json
from topics.report.markdown import escape

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a | b # *c* _d_ [e](f) `g`"]


@pytest.fixture(scope="module")
def model():
    corpus = topics.datasets.load_sample_papers()
    for row, title in zip((2, 5, 9), HOSTILE, strict=True):
        corpus.loc[row, "title"] = title
    corpus.loc[5, "abstract"] = "</script><script>alert(2)</script> First sentence. Second one."
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(corpus)


def test_writes_every_file(model, tmp_path):
    index = write_report(model, tmp_path / "r", quiet=True)
    folder = index.parent
    assert index.name == "index.html"
    names = {p.name for p in folder.iterdir()}
    assert {"index.html", "report.md", "topics.csv", "documents.csv", "run.json", "model", "map.png"} <= names
    documents = pd.read_csv(folder / "documents.csv")
    assert len(documents) == model.n_documents_ and documents["id"].is_unique
    assert {"listed", "line"} <= set(documents.columns)  # the input's metadata columns
    assert "text" not in documents.columns
    record = json.loads((folder / "run.json").read_text())
    assert record["generator"] == "topics"
    assert record["results"]["n_topics"] == model.n_topics_
    loaded = topics.TopicModel.load(folder / "model")
    assert loaded.n_topics_ == model.n_topics_


def test_corpus_text_is_escaped(model, tmp_path):
    folder = write_report(model, tmp_path / "r", quiet=True).parent
    html = (folder / "index.html").read_text()
    assert "<script>alert" not in html and "</script><script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    data = html.split('id="topics-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "&" not in data
    assert HOSTILE[0] in json.loads(data)["title"]
    markdown = (folder / "report.md").read_text()
    assert re.search(r"(?<!\\)<(script|img|/script)", markdown) is None  # only backslash-escaped
    assert escape(HOSTILE[2]) in markdown
    assert escape(HOSTILE[2]) == r"a \| b \# \*c\* \_d\_ \[e\]\(f\) \`g\`"


def test_safe_json_round_trips():
    value = {"t": "</script><!-- & \u2028 >"}
    text = safe_json(value)
    assert not set("<>&") & set(text)
    assert json.loads(text) == value


def test_same_model_same_files(model, tmp_path):
    a = write_report(model, tmp_path / "a", quiet=True, name="same").parent
    b = write_report(model, tmp_path / "b", quiet=True, name="same").parent
    for name in ("index.html", "report.md", "documents.csv", "topics.csv", "map.png", "topic-keywords.png"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_replaces_its_own_report_but_not_other_folders(model, tmp_path):
    target = tmp_path / "r"
    write_report(model, target, quiet=True)
    (target / "stale.txt").write_text("from an older report")
    write_report(model, target, quiet=True)  # a report of ours: replaced whole
    assert not (target / "stale.txt").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(ReportError, match="not a topics report"):
        write_report(model, other, quiet=True)
    assert (other / "notes.txt").read_text() == "keep me"
    write_report(model, other, quiet=True, force=True)
    assert not (other / "notes.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "r"]  # nothing temporary left behind


def test_a_failure_while_writing_keeps_the_previous_report(model, tmp_path):
    target = tmp_path / "r"
    write_report(model, target, quiet=True)
    before = (target / "index.html").read_bytes()
    unfitted = topics.TopicModel()
    with pytest.raises(topics.ModelError):
        write_report(unfitted, target, quiet=True)
    broken = topics.TopicModel().fit(topics.datasets.load_sample_papers()["text"].tolist()[:40])
    del broken.linkage_  # a model that breaks half-way through the plots
    with pytest.raises(AttributeError):
        write_report(broken, target, quiet=True)
    assert (target / "index.html").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
