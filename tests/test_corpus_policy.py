"""One policy for hostile and broken input in every reader (issue 21).

A malformed entry is skipped, counted and shown with its line (or an error with ``strict=True``); dates
given as numbers are read or counted as unreadable, never dropped silently; repeated CSV header names
are warned of; column names are shown without control characters.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from topics import InputError, TopicsWarning, read_corpus

DATA = Path(__file__).parent / "data"
ABSTRACTS = [
    "We train robots to grasp objects with deep reinforcement learning.",
    "We segment tumours in brain MRI scans with a convolutional network.",
    "We parse sentences with a neural dependency parser for many languages.",
    "We find communities in large social graphs with spectral clustering.",
]


def _write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def _read_warning(path: Path, **options) -> tuple[pd.DataFrame, str]:
    """The corpus and the one TopicsWarning that reading it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_corpus(path, **options)
    messages = [str(w.message) for w in caught if issubclass(w.category, TopicsWarning)]
    assert len(messages) == 1, messages
    return df, messages[0]


def _jsonl(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _record(i: int) -> str:
    return json.dumps({"id": f"p{i}", "title": f"Paper {i}", "abstract": ABSTRACTS[i % len(ABSTRACTS)]})


# -- malformed JSON Lines: skipped, counted, shown -------------------------------------------------------


def test_a_malformed_json_line_is_skipped_counted_and_shown(tmp_path):
    path = _write(tmp_path / "papers.jsonl", _jsonl(_record(0), '{"id": "p1", "title": "Broken', _record(2)))
    df, message = _read_warning(path)
    assert df["id"].tolist() == ["p0", "p2"]
    report = df.attrs["topics_read"]
    assert report["n_read"] == 3 and report["n_skipped"] == 1 and report["n_documents"] == 2
    expected = (
        "line 2: not valid JSON (Unterminated string starting at column 23): "
        """'{"id": "p1", "title": "Broken'"""
    )
    assert report["skipped"] == [expected]
    assert f"skipped 1 malformed entry ({expected})" in message


def test_json_lines_that_are_not_objects_are_skipped(tmp_path):
    lines = (_record(0), "[1, 2]", '"just a string"', "42", _record(1))
    path = _write(tmp_path / "papers.jsonl", _jsonl(*lines))
    df, message = _read_warning(path)
    assert df["id"].tolist() == ["p0", "p1"]
    assert df.attrs["topics_read"]["skipped"] == [
        "line 2: expected a JSON object, found an array: '[1, 2]'",
        """line 3: expected a JSON object, found a string: '"just a string"'""",
        "line 4: expected a JSON object, found a number: '42'",
    ]
    assert "skipped 3 malformed entries" in message


def test_the_shown_start_of_a_line_is_short_and_escapes_control_characters(tmp_path):
    long_line = '{"title": "\x1b[31mred ' + "x" * 200
    path = _write(tmp_path / "papers.jsonl", _jsonl(_record(0), long_line, _record(1)))
    df, message = _read_warning(path)
    shown = df.attrs["topics_read"]["skipped"][0]
    assert shown.startswith("line 2: not valid JSON (") and shown.endswith("...")
    assert "\x1b" not in shown and "\\x1b[31mred" in shown
    assert len(shown) < 120
    assert "\x1b" not in message


def test_a_deeply_nested_json_line_is_skipped(tmp_path):
    path = _write(tmp_path / "papers.jsonl", _jsonl(_record(0), "[" * 100_000 + "]" * 100_000, _record(1)))
    df, _ = _read_warning(path)
    assert df["id"].tolist() == ["p0", "p1"]
    assert df.attrs["topics_read"]["skipped"][0].startswith("line 2: ")


def test_a_malformed_arxiv_snapshot_line_is_skipped(tmp_path):
    good = (DATA / "arxiv-snapshot.jsonl").read_text().splitlines()
    path = _write(tmp_path / "snapshot.jsonl", _jsonl(good[0], good[1][:-10], *good[2:]))
    df, message = _read_warning(path)
    assert df.attrs["topics_read"]["format"] == "arxiv"
    assert df.attrs["topics_read"]["n_skipped"] == 1 and len(df) == len(good) - 1
    assert df.attrs["topics_read"]["skipped"][0].startswith("line 2: not valid JSON (")
    assert "skipped 1 malformed entry (line 2: not valid JSON" in message


def test_a_json_file_skips_records_that_are_not_objects(tmp_path):
    records = [{"title": "Paper 0", "abstract": ABSTRACTS[0]}, 7, None, {"title": "Paper 1"}]
    path = _write(tmp_path / "papers.json", json.dumps(records))
    df, message = _read_warning(path)
    assert df["title"].tolist() == ["Paper 0", "Paper 1"]
    assert df.attrs["topics_read"]["skipped"] == [
        "record 2 is a number, expected an object (or a string): '7'",
        "record 3 is null, expected an object (or a string): 'null'",
    ]
    assert "skipped 2 malformed entries" in message


def test_only_malformed_json_lines_is_no_documents_with_the_lines_shown(tmp_path):
    path = _write(tmp_path / "papers.jsonl", _jsonl("{bad", "[]"))
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert str(info.value).startswith(f"{path} contains no documents (2 records read, 2 malformed, line 1: ")
    assert info.value.report["n_skipped"] == 2


# -- strict: a malformed entry is an error, naming the file and the line --------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("ragged.csv", "title,abstract\nA,first\nB,second,extra\nC,third\n",
         "line 3: expected 2 fields, saw 3"),
        ("ragged.tsv", "title\tabstract\nA\tfirst\nB\tsecond\textra\n", "line 3: expected 2 fields, saw 3"),
        ("first-long.csv", "id,title,abstract\np1,T1,robots,EXTRA\np2,T2,MRI scans\n",
         "the line starting 'p1': more fields than the header's 3"),
        ("papers.jsonl", _jsonl(_record(0), "{oops", _record(1)), "line 2: not valid JSON ("),
        ("papers.json", json.dumps([{"title": "A"}, [1]]), "record 2 is an array, expected an object"),
        ("refs.bib", "@article{good, title = {Fine}}\n\n@article{bad, title {B}}\n",
         "line 3: entry 'bad': expected '=' after field 'title'"),
        ("listing.txt", "A paragraph of prose that introduces the page, ending with a full stop.\n\n"
         "Robots That Grasp\n\nWe train robots to grasp objects.\n\nTumours In MRI\n\nWe segment tumours.\n",
         "line 1: a paragraph outside any paper"),
    ],
)  # fmt: skip
def test_strict_makes_a_malformed_entry_an_error_naming_file_and_line(tmp_path, name, content, expected):
    path = _write(tmp_path / name, content)
    with pytest.warns(TopicsWarning, match="skipped 1 malformed entry"):
        assert read_corpus(path).attrs["topics_read"]["n_skipped"] == 1
    with pytest.raises(InputError) as info:
        read_corpus(path, strict=True)
    message = str(info.value)
    assert message.startswith(f"{path}, {expected}")
    assert message.endswith("(strict reading: a malformed entry is an error)")


def test_strict_on_the_arxiv_snapshot(tmp_path):
    good = (DATA / "arxiv-snapshot.jsonl").read_text().splitlines()
    path = _write(tmp_path / "snapshot.jsonl", _jsonl(good[0], "", good[1][:-10]))
    with pytest.raises(InputError, match=re.escape(f"{path}, line 3: not valid JSON (")):
        read_corpus(path, strict=True)


@pytest.mark.parametrize("name", ["papers.csv", "papers.tsv", "papers.jsonl", "papers.json", "refs.bib"])
def test_strict_reads_a_sound_file_as_usual(tmp_path, name):
    source = DATA / name
    if name == "refs.bib":  # the bundled one has broken entries on purpose: keep the sound ones
        text = source.read_text()
        source = _write(tmp_path / name, text[: text.index("@article{broken2020")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        expected = read_corpus(source)
        strict = read_corpus(source, strict=True)
    pd.testing.assert_frame_equal(strict, expected)
    assert strict.attrs["topics_read"]["n_skipped"] == 0


# -- dates given as numbers ----------------------------------------------------------------------------


def _dated_csv(tmp_path: Path, dates: list[str], column: str = "date") -> Path:
    lines = [f"title,abstract,{column}"]
    lines += [f"Paper {i},{ABSTRACTS[i % 4]} Number {i}.,{d}" for i, d in enumerate(dates)]
    return _write(tmp_path / "dated.csv", "\n".join(lines) + "\n")


def _iso(df: pd.DataFrame) -> list[str]:
    return df["date"].dt.strftime("%Y-%m-%d").fillna("-").tolist()


def test_integer_dates_yyyymmdd_yyyymm_and_years_are_read(tmp_path):
    path = _dated_csv(tmp_path, ["20200101", "20211231", "202003", "2019"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicsWarning)  # nothing to warn about
        df = read_corpus(path)
    assert _iso(df) == ["2020-01-01", "2021-12-31", "2020-03-01", "2019-01-01"]
    assert df.attrs["topics_read"]["n_unparsed_dates"] == 0


def test_float_dates_from_a_column_with_gaps_are_read(tmp_path):
    path = _dated_csv(tmp_path, ["2020", "", "20200315", "202106"])  # pandas reads the column as float
    df = read_corpus(path)
    assert _iso(df) == ["2020-01-01", "-", "2020-03-15", "2021-06-01"]
    assert df.attrs["topics_read"]["n_unparsed_dates"] == 0


def test_numbers_that_are_not_dates_are_counted_and_shown(tmp_path):
    path = _dated_csv(tmp_path, ["20200101", "-5000", "20201345", "1577836800", "12345", "2020.5"])
    df, message = _read_warning(path)
    assert _iso(df) == ["2020-01-01", "-", "-", "-", "-", "-"]  # -5000 is not 1970-01-01
    assert df.attrs["topics_read"]["n_unparsed_dates"] == 5
    assert "could not read 5 dates in column 'date' (e.g. '-5000'); they are left empty" in message


def test_dates_out_of_range_are_unreadable(tmp_path):
    path = _dated_csv(tmp_path, ["2020-05-01", "9999-12-31", "0099-01-01", "0500"])
    df, message = _read_warning(path)
    assert _iso(df) == ["2020-05-01", "-", "-", "-"]
    assert df.attrs["topics_read"]["n_unparsed_dates"] == 3
    assert "could not read 3 dates" in message


def test_one_unreadable_date_is_worded_in_the_singular(tmp_path):
    path = _dated_csv(tmp_path, ["2020", "-5000"])
    _, message = _read_warning(path)
    assert "could not read 1 date in column 'date' (e.g. '-5000'); it is left empty" in message


def test_a_date_column_of_only_unreadable_numbers_is_warned_of(tmp_path):
    path = _dated_csv(tmp_path, ["-5000", "12345"], column="year")
    df, message = _read_warning(path)
    assert df["date"].isna().all() and df.attrs["topics_read"]["n_unparsed_dates"] == 2
    assert "no value of the date column 'year' could be read as a date (e.g. '-5000')" in message


def test_integer_dates_in_json_lines_and_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    rows = [{"title": f"Paper {i}", "abstract": ABSTRACTS[i], "date": d}
            for i, d in enumerate([20200101, 2019, 202003, -5000])]  # fmt: skip
    jsonl = _write(tmp_path / "dated.jsonl", _jsonl(*map(json.dumps, rows)))
    parquet = tmp_path / "dated.parquet"
    pd.DataFrame(rows).to_parquet(parquet)
    for path in (jsonl, parquet):
        df, message = _read_warning(path)
        assert _iso(df) == ["2020-01-01", "2019-01-01", "2020-03-01", "-"], path
        assert "could not read 1 date" in message


# -- repeated CSV header names -------------------------------------------------------------------------


def test_a_repeated_csv_column_is_kept_renamed_and_warned_of(tmp_path):
    path = _write(tmp_path / "dup.csv", "title,abstract,note,note,note\nA,first,x,y,z\nB,second,u,v,w\n")
    df, message = _read_warning(path)
    assert df[["note", "note.1", "note.2"]].values.tolist() == [["x", "y", "z"], ["u", "v", "w"]]
    assert ("column 'note' appears 3 times in the header; the first is read as 'note', the copies as "
            "'note.1', 'note.2'") in message  # fmt: skip


def test_a_repeated_title_column_in_a_tsv_names_the_copy(tmp_path):
    path = _write(tmp_path / "dup.tsv", "title\ttitle\tabstract\nA\tA2\tfirst\nB\tB2\tsecond\n")
    df, message = _read_warning(path)
    assert df["title"].tolist() == ["A", "B"] and df["title.1"].tolist() == ["A2", "B2"]
    assert ("column 'title' appears 2 times in the header; the first is read as 'title', the copy as "
            "'title.1'") in message  # fmt: skip


def test_a_header_name_that_merely_ends_in_a_number_is_not_a_repeat(tmp_path):
    path = _write(tmp_path / "versions.csv", "title,abstract,v.1\nA,first,x\nB,second,y\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicsWarning)
        df = read_corpus(path)
    assert df["v.1"].tolist() == ["x", "y"]


# -- control characters in column names ----------------------------------------------------------------

ESCAPED = "\x1b[31mtitle\x1b[0m"


def test_column_names_in_errors_have_no_control_characters(tmp_path):
    path = _write(tmp_path / "hostile.csv", f"{ESCAPED},year\x07\n1,2\n")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    message = str(info.value)
    assert "columns are: [31mtitle [0m, year." in message
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", message)
    with pytest.raises(InputError) as info:
        read_corpus(path, title_column="headline")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", str(info.value))


def test_column_names_in_warnings_and_the_read_report_have_no_control_characters(tmp_path):
    lines = [f"{ESCAPED},notes\x1b,date\x9b"]
    lines += [f"Paper {i},{ABSTRACTS[i]} {ABSTRACTS[i - 1]},{'2020' if i % 2 else 'n.d.'}" for i in range(4)]
    path = _write(tmp_path / "hostile.csv", "\n".join(lines) + "\n")
    df, message = _read_warning(path, title_column=ESCAPED, date_column="date\x9b")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", message)
    assert "but column 'notes' holds longer text" in message
    assert "could not read 2 dates in column 'date' (e.g. 'n.d.')" in message
    assert df.attrs["topics_read"]["columns"] == {"title": "[31mtitle [0m", "date": "date"}
    assert "notes\x1b" in df.columns  # the table keeps the source's own names


def test_json_keys_in_a_shape_error_have_no_control_characters(tmp_path):
    path = _write(tmp_path / "shape.json", json.dumps({"\x1b[2Jwipe": 1, "b": "x"}))
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert "with keys [2Jwipe, b" in str(info.value)
    assert "\x1b" not in str(info.value)


def test_a_broken_bibtex_entry_key_is_shown_without_control_characters(tmp_path):
    path = _write(tmp_path / "refs.bib", "@article{ok, title = {Fine}}\n\n@article{\x1b[2Jkey, title {B}}\n")
    df, message = _read_warning(path)
    assert df.attrs["topics_read"]["skipped"] == ["line 3: entry '[2Jkey': expected '=' after field 'title'"]
    assert "\x1b" not in message
