"""Property: whatever the file holds, read_corpus returns a valid corpus table or raises TopicsError."""

from __future__ import annotations

import gzip
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topics import TopicsError, TopicsWarning, read_corpus

SUFFIXES = [".csv", ".tsv", ".json", ".jsonl", ".bib", ".txt", ".parquet", ".csv.gz"]
FUZZ = settings(
    max_examples=int(os.environ.get("TOPICS_FUZZ_EXAMPLES", 18)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _check_corpus(df: pd.DataFrame) -> None:
    assert list(df.columns[:4]) == ["id", "title", "abstract", "text"]
    assert len(df) > 0
    assert isinstance(df.index, pd.RangeIndex)
    assert df["id"].is_unique
    assert df["id"].map(lambda v: isinstance(v, str) and v != "").all()
    for column in ("title", "abstract", "text"):
        assert df[column].map(lambda v: isinstance(v, str)).all()
    assert (df["text"].str.len() > 0).all()
    if "date" in df.columns:
        assert pd.api.types.is_datetime64_dtype(df["date"])
    report = df.attrs["topics_read"]
    assert report["n_documents"] == len(df)
    assert (
        report["n_documents"] + report["n_duplicates"] + report["n_empty"] + report["n_skipped"]
        == (report["n_read"])
    )


def _read_or_topics_error(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        try:
            df = read_corpus(path)
        except TopicsError:
            return
    _check_corpus(df)


# arbitrary bytes, with some structure mixed in so the readers get past their first check
_FRAGMENTS = st.sampled_from(
    [
        b"title,abstract\n",
        b"id\ttext\n",
        b'{"title": "x", "abstract": "y"}\n',
        b"@article{k, title={",
        b"}",
        b"\n\n",
        b'"',
        b",",
        b"\xff",
        b"\xe9",
        b"[",
        b"{",
        b"PAR1",
        b"A title\n\nSome abstract text. More text here.\n\n",
    ]
)
_BYTES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(_FRAGMENTS, st.binary(max_size=20)), max_size=12).map(b"".join),
)


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=_BYTES)
def test_arbitrary_bytes(suffix, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") and data[:1] != b"x" else data)
        _read_or_topics_error(path)


_NAMES = st.sampled_from(["title", "abstract", "text", "id", "label", "year", "date", "x", "Body", "n"])
_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_NUMBER = st.one_of(st.integers(-(10**6), 10**6), st.floats(allow_nan=True, allow_infinity=False))


@st.composite
def _frames(draw) -> pd.DataFrame:
    names = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    rows = draw(st.integers(min_value=0, max_value=6))
    columns = {}
    for name in names:
        values = draw(st.sampled_from([_TEXT, _NUMBER]))
        columns[name] = draw(st.lists(values, min_size=rows, max_size=rows))
    return pd.DataFrame(columns)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
@settings(
    max_examples=int(os.environ.get("TOPICS_FUZZ_EXAMPLES", 30)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(frame=_frames())
def test_arbitrary_frames(suffix, frame):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"frame{suffix}"
        if suffix == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_json(path, orient="records", lines=True, force_ascii=False)
        _read_or_topics_error(path)
