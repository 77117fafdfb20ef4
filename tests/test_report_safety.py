"""The report against hostile input and hostile places (issue 21, section 3): CSV cells that a spreadsheet
would run, the report folder's mode, leftovers of killed runs, and --out where it must not go."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

import topics
from topics.named_themes import map_topics
from topics.report import write_report
from topics.report.cells import neutralise
from topics.theme_files import NamedTheme, load_themes

REPO = Path(__file__).resolve().parents[1]
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1",
            "\t=1+1", "\r=1+1"]
CSV_FILES = ("documents.csv", "topics.csv", "named-themes.csv")


# ------------------------------------------------------------------------------------------- CSV cells
@pytest.mark.parametrize(("value", "written"), [
    *[(f, "'" + f) for f in FORMULAS],
    ("=", "'="), ("-", "'-"), ("+-1", "'+-1"), ("-1e", "'-1e"), ("-inf", "'-inf"), ("- 1", "'- 1"),
    ("-0.5", "-0.5"), ("-1", "-1"), ("+3", "+3"), ("-.5", "-.5"), ("-2.5e-3", "-2.5e-3"), ("+1E+9", "+1E+9"),
    ("normal text", "normal text"), ("", ""), ("a=b", "a=b"), (" =1", " =1"), ("'=1", "'=1"),
    (-0.5, -0.5), (-1, -1), (None, None),
])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value, written):
    assert neutralise(value) == written


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Reports of the sample papers whose ids, titles, an extra column, topic names (a namer) and named
    themes begin with formulas: one written as usual, one with raw_csv=True."""
    corpus = topics.datasets.load_sample_papers()
    corpus["id"] = [f"{FORMULAS[i % 6]} {i}" for i in range(len(corpus))]
    corpus["title"] = [f"{FORMULAS[i % 6]} {title}" for i, title in enumerate(corpus["title"])]
    corpus.loc[0, "title"] = FORMULAS[0]  # a cell that is all formula
    corpus["=cmd"] = [["-0.5", "=1+1", "-1", "normal", "+3", "@x"][i % 6] for i in range(len(corpus))]
    corpus["delta"] = [[-0.5, 0.25, -1.0][i % 3] for i in range(len(corpus))]  # numbers, some negative
    corpus["rank"] = [[-1, 0, 7][i % 3] for i in range(len(corpus))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = topics.TopicModel(progress=False, namer=lambda request: FORMULAS[request["topic"] % 4])
        model.fit(corpus)
    themes = [NamedTheme(FORMULAS[i % 4] + f" {i}", t.description, t.seeds)
              for i, t in enumerate(load_themes(REPO / "examples" / "themes.toml"))]
    named = map_topics(model, themes, space="model")
    folder = tmp_path_factory.mktemp("hostile")
    return {mode: write_report(model, folder / mode, quiet=True, name="hostile", themes=named,
                               raw_csv=mode == "raw").parent for mode in ("neutralised", "raw")}


def _cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_every_csv_neutralises_formulas_and_keeps_everything_else(hostile):
    """Cell by cell against the raw report: a formula gets its quote, every other cell (numbers such as
    -1 and -0.5 among them) is written exactly as in the raw file."""
    seen = set()
    for name in CSV_FILES:
        safe, raw = _cells(hostile["neutralised"] / name), _cells(hostile["raw"] / name)
        assert len(safe) == len(raw) and len(safe) > 1, name
        for safe_row, raw_row in zip(safe, raw, strict=True):
            assert len(safe_row) == len(raw_row), name
            for cell, original in zip(safe_row, raw_row, strict=True):
                if original[:1] in ("=", "+", "-", "@", "\t", "\r") and neutralise(original) != original:
                    assert cell == "'" + original, (name, original)
                    seen.add(original[0])
                else:
                    assert cell == original, (name, original)
    assert seen == {"=", "+", "-", "@", "\t", "\r"}  # every kind of formula reached a CSV
    for cell in (row[0] for row in _cells(hostile["neutralised"] / "documents.csv")[1:]):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_numbers_and_plain_text_are_kept(hostile):
    documents = pd.read_csv(hostile["neutralised"] / "documents.csv", keep_default_na=False)
    raw = pd.read_csv(hostile["raw"] / "documents.csv", keep_default_na=False)
    assert "'=cmd" in documents.columns and "=cmd" in raw.columns  # a column's name is a cell too
    assert documents["'=cmd"].tolist()[:6] == ["-0.5", "'=1+1", "-1", "normal", "+3", "'@x"]
    assert raw["=cmd"].tolist()[:6] == ["-0.5", "=1+1", "-1", "normal", "+3", "@x"]
    for column in ("topic", "theme", "confidence", "x", "y", "is_outlier", "delta", "rank"):
        assert documents[column].tolist() == raw[column].tolist(), column
    assert documents["delta"].tolist()[:3] == [-0.5, 0.25, -1.0]
    assert documents["rank"].tolist()[:3] == [-1, 0, 7]
    assert documents["title"].iloc[0] == "'" + FORMULAS[0] and raw["title"].iloc[0] == FORMULAS[0]
    assert documents["id"].iloc[4] == "'\t=1+1 4" and raw["id"].iloc[4] == "\t=1+1 4"
    assert documents["id"].iloc[5] == "'\r=1+1 5" and raw["id"].iloc[5] == "\r=1+1 5"
    assert len(documents) == len(raw) == 58  # a carriage return in a cell does not split its row


def test_run_json_says_how_cells_were_written(hostile):
    for mode, folder in hostile.items():
        record = json.loads((folder / "run.json").read_text())
        assert record["csv_cells"] == mode


def test_csv_files_of_ordinary_text_are_unchanged(tmp_path):
    """The cells a spreadsheet reads as text anyway are written exactly as pandas writes them."""
    from topics.report.cells import write_csv

    table = pd.DataFrame({"title": ["A study", "x, y", 'say "hi"', "two\nlines", None],
                          "confidence": [-0.5, 0.25, 1.0, -1.0, 0.0], "topic": [-1, 0, 1, 2, 3]})
    write_csv(table, tmp_path / "t.csv")
    expected = io.StringIO()
    table.to_csv(expected, index=False, lineterminator="\n")
    assert (tmp_path / "t.csv").read_bytes() == expected.getvalue().encode()
