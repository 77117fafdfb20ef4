"""Bad input: every failure is one of our exceptions with a message that says what to do."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from topics import InputError, TopicsError, TopicsWarning, read_corpus
from topics.errors import InputFileNotFoundError

DATA = Path(__file__).parent / "data"


def _write(path: Path, content: bytes | str) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(InputFileNotFoundError, match=re.escape(f"No such file: {missing}")) as info:
        read_corpus(missing)
    assert isinstance(info.value, FileNotFoundError)
    assert str(info.value) == f"No such file: {missing}"


def test_directory(tmp_path):
    with pytest.raises(InputError, match=r"is a directory.*supported formats: listing, csv, tsv"):
        read_corpus(tmp_path)


def test_unknown_extension(tmp_path):
    path = _write(tmp_path / "papers.xlsx", "whatever")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    message = str(info.value)
    assert "supported formats: listing, csv, tsv, parquet, json, jsonl, arxiv, bibtex, text" in message
    assert "pass format=... (or --format on the command line)" in message


def test_unknown_format_option():
    with pytest.raises(InputError, match=r"unknown format 'excel'; supported formats: listing"):
        read_corpus(DATA / "papers.csv", format="excel")


def test_unknown_encoding():
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        read_corpus(DATA / "papers.csv", encoding="klingon")


def test_column_options_on_a_non_table():
    with pytest.raises(InputError, match=r"title_column=\.\.\. only applies to tables.*read as bibtex"):
        read_corpus(DATA / "refs.bib", title_column="title")


@pytest.mark.parametrize(
    "name", ["empty.csv", "empty.tsv", "empty.json", "empty.jsonl", "empty.bib", "empty.txt", "empty.md"]
)
@pytest.mark.parametrize("content", ["", "  \n\n \t\n"])
def test_empty_files(tmp_path, name, content):
    path = _write(tmp_path / name, content)
    with pytest.raises(InputError, match=re.escape(f"{path} contains no documents")):
        read_corpus(path)


def test_empty_gzip(tmp_path):
    path = tmp_path / "empty.csv.gz"
    with gzip.open(path, "wb"):
        pass
    with pytest.raises(InputError, match="contains no documents"):
        read_corpus(path)


def test_only_boilerplate_listing(tmp_path):
    page = "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nMar 11\n"
    path = _write(tmp_path / "page.txt", page)
    with pytest.raises(InputError, match="contains no documents"):
        read_corpus(path, format="listing")


def test_no_documents_after_cleaning(tmp_path):
    path = _write(tmp_path / "blank.csv", 'title,abstract\n" ","  "\n,\n')
    with pytest.raises(InputError, match=r"contains no documents \(2 records read, 2 empty\)"):
        read_corpus(path)


def test_header_only_csv(tmp_path):
    path = _write(tmp_path / "header.csv", "title,abstract\n")
    with pytest.raises(InputError, match="contains no documents"):
        read_corpus(path)


def test_no_text_column(tmp_path):
    path = _write(tmp_path / "numbers.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert str(info.value) == (
        f"{path}: no text column found; columns are: a, b, c. Pass text_columns=[...] (or --text-column)"
    )


def test_no_text_column_jsonl(tmp_path):
    path = _write(tmp_path / "numbers.jsonl", '{"x": 1, "y": 2}\n')
    with pytest.raises(InputError, match=r"no text column found; columns are: x, y\. Pass text_columns"):
        read_corpus(path)


@pytest.mark.parametrize(
    ("option", "value"),
    [("title_column", "Headline"), ("text_columns", ["Abstract", "Body"]), ("date_column", "when")],
)
def test_named_column_that_does_not_exist(option, value):
    with pytest.raises(InputError, match=r"is not a column; columns are: paper_id, Title, Abstract, year"):
        read_corpus(DATA / "papers.csv", **{option: value})


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".jsonl", ".txt", ".bib", ".csv.gz"])
def test_undecodable_bytes(tmp_path, suffix):
    content = b'title,abstract\nfine,"also fine"\nbad,"caf\xe9 au lait"\n'
    if suffix == ".tsv":
        content = content.replace(b",", b"\t")
    if suffix in (".json", ".jsonl"):
        content = b'{"title": "fine"}\n{"title": "caf\xe9"}\n'
    path = tmp_path / f"bad{suffix}"
    if suffix.endswith(".gz"):
        with gzip.open(path, "wb") as handle:
            handle.write(content)
    else:
        path.write_bytes(content)
    line = content.count(b"\n", 0, content.index(b"\xe9")) + 1
    offset = content.index(b"\xe9")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert str(info.value) == (
        f"{path}: cannot decode byte 0xe9 at line {line} (offset {offset}) as utf-8; "
        "pass encoding=... (or --encoding), e.g. 'latin-1'"
    )


def test_undecodable_byte_deep_in_a_big_csv(tmp_path):
    rows = [f"title {i},abstract number {i} about things" for i in range(5000)]
    rows[4321] = "caf\xe9,bad row"
    path = tmp_path / "big.csv"
    path.write_bytes(("title,abstract\n" + "\n".join(rows) + "\n").encode("latin-1"))
    with pytest.raises(InputError, match=r"cannot decode byte 0xe9 at line 4323 \(offset \d+\) as utf-8"):
        read_corpus(path, chunksize=1000)


def test_malformed_json_line_with_strict(tmp_path):
    path = _write(tmp_path / "bad.jsonl", '{"text": "ok"}\n\n{"text": "missing quote}\n{"text": "fine"}\n')
    with pytest.raises(InputError) as info:
        read_corpus(path, strict=True)
    message = str(info.value)
    assert message.startswith(f"{path}, line 3: not valid JSON (")
    assert "Unterminated string starting at column 10" in message


def test_json_line_that_is_not_an_object_with_strict(tmp_path):
    path = _write(tmp_path / "bad.jsonl", '{"text": "ok"}\n[1, 2]\n')
    with pytest.raises(InputError, match=r"line 2: expected a JSON object, found an array: '\[1, 2\]'"):
        read_corpus(path, strict=True)


def test_malformed_json_file(tmp_path):
    path = _write(tmp_path / "bad.json", '[\n  {"title": "ok"},\n  {"title": "broken",}\n]\n')
    with pytest.raises(InputError, match=re.escape(f"{path}, line 3, column 22: not valid JSON (")):
        read_corpus(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("42", "expected an array of records, found a number"),
        ('{"a": 1, "b": "x"}', "expected an array of records or an object holding one"),
        ("[1, 2]", "no documents (2 records read, 2 malformed, record 1 is a number, expected an object"),
    ],
)
def test_json_of_the_wrong_shape(tmp_path, content, expected):
    path = _write(tmp_path / "shape.json", content)
    with pytest.raises(InputError, match=re.escape(expected)):
        read_corpus(path)


def test_malformed_arxiv_line_with_strict(tmp_path):
    good = (DATA / "arxiv-snapshot.jsonl").read_text().splitlines()[0]
    path = _write(tmp_path / "snapshot.jsonl", good + "\n" + good[:-10] + "\n")
    with pytest.raises(InputError, match=re.escape(f"{path}, line 2: not valid JSON (")):
        read_corpus(path, strict=True)


def test_broken_csv_quote(tmp_path):
    path = _write(tmp_path / "quote.csv", 'title,abstract\nA,"never closed\nB,fine\n')
    with pytest.raises(InputError, match=re.escape(f"{path}: cannot read as CSV (")):
        read_corpus(path)


def test_all_bibtex_entries_broken(tmp_path):
    path = _write(tmp_path / "broken.bib", "@article{one,\n  title = {A}\n\n@article{two, title {B}}\n")
    with pytest.raises(InputError) as info:
        read_corpus(path)
    message = str(info.value)
    assert message.startswith(f"{path} contains no documents (2 records read, 2 malformed")
    assert "line 1: entry 'one' has no closing brace" in message
    assert "line 4: entry 'two': expected '=' after field 'title'" in message


def test_bibtex_unclosed_field_brace_is_contained(tmp_path):
    path = _write(
        tmp_path / "unclosed.bib",
        "@article{bad,\n  title = {Never closed,\n  year = 2020\n}\n\n@article{good, title = {Fine}}\n",
    )
    with pytest.warns(TopicsWarning, match=r"skipped 1 malformed entry \(line 1: entry 'bad'"):
        df = read_corpus(path)
    assert df["id"].tolist() == ["good"]


def test_corrupt_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    path = _write(tmp_path / "bad.parquet", b"PAR1 this is not really parquet")
    with pytest.raises(InputError, match=re.escape(f"{path}: not a valid Parquet file (")):
        read_corpus(path)


@pytest.mark.parametrize("name", ["bad.csv.gz", "bad.jsonl.gz", "bad.txt.gz", "bad.parquet.gz"])
def test_corrupt_gzip(tmp_path, name):
    path = _write(tmp_path / name, b"definitely not gzip data")
    with pytest.raises(InputError, match=re.escape(f"{path}: not a valid gzip file (")):
        read_corpus(path)


def test_truncated_gzip(tmp_path):
    data = gzip.compress(("title,abstract\n" + "A,some text here\n" * 2000).encode())
    path = _write(tmp_path / "cut.csv.gz", data[: len(data) // 2])
    with pytest.raises(InputError, match=re.escape(f"{path}: not a valid gzip file (")):
        read_corpus(path)


def test_errors_are_topics_errors(tmp_path):
    path = _write(tmp_path / "bad.json", json.dumps({"nothing": "here"}))
    with pytest.raises(TopicsError):
        read_corpus(path)
    with pytest.raises(ValueError):  # InputError is also a ValueError
        read_corpus(path)
