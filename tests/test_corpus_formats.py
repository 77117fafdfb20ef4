"""Each reader on small real files: CSV, TSV, Parquet, JSON, JSON Lines, arXiv, BibTeX, plain text."""

from __future__ import annotations

import gzip
import json
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

from topics import TopicsWarning, read_corpus

DATA = Path(__file__).parent / "data"
REPORT_KEYS = {
    "path", "format", "n_read", "n_duplicates", "n_empty", "n_skipped", "n_documents", "skipped",
    "n_unparsed_dates", "columns",
}  # fmt: skip


def _quiet(path, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return read_corpus(path, **kwargs)


def _gzip(source: Path, target: Path) -> Path:
    with open(source, "rb") as raw, gzip.open(target, "wb") as packed:
        shutil.copyfileobj(raw, packed)
    return target


def _check_table(df: pd.DataFrame) -> None:
    assert list(df.columns[:4]) == ["id", "title", "abstract", "text"]
    assert isinstance(df.index, pd.RangeIndex)
    assert df["id"].is_unique
    assert (df["text"].str.len() > 0).all()
    assert set(df.attrs["topics_read"]) == REPORT_KEYS
    assert df.attrs["topics_read"]["n_documents"] == len(df)


# -- CSV / TSV ------------------------------------------------------------------------------------


def test_csv_detects_columns_dedups_and_reports():
    with pytest.warns(TopicsWarning) as caught:
        df = read_corpus(DATA / "papers.csv")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message == (
        "read 6 records from papers.csv: removed 1 exact duplicate (kept the first), dropped 1 empty document"
    )
    _check_table(df)
    assert df.columns.tolist() == ["id", "title", "abstract", "text", "date", "label", "venue"]
    assert df["id"].tolist() == ["p1", "p2", "p3", "p6"]  # p4 repeats p1 (up to spaces), p5 is empty
    assert df["text"].iloc[0].startswith("Attention Is All You Need. The dominant sequence")
    assert df["text"].iloc[3].startswith("Adam: A Method for Stochastic Optimization. We introduce Adam")
    assert pd.api.types.is_datetime64_dtype(df["date"])
    assert df["date"].iloc[0] == pd.Timestamp("2017-01-01") and pd.isna(df["date"].iloc[3])
    assert df["label"].tolist() == ["cs.CL", "cs.CV", "stat.ML", "cs.LG"]
    report = df.attrs["topics_read"]
    assert report == {
        "path": str(DATA / "papers.csv"),
        "format": "csv",
        "n_read": 6,
        "n_duplicates": 1,
        "n_empty": 1,
        "n_skipped": 0,
        "n_documents": 4,
        "skipped": [],
        "n_unparsed_dates": 0,
        "columns": {
            "id": "paper_id",
            "title": "Title",
            "abstract": "Abstract",
            "date": "year",
            "label": "category",
        },
    }


def test_attrs_survive_and_index_is_clean():
    df = _quiet(DATA / "papers.csv")
    assert df.index.equals(pd.RangeIndex(4))
    assert df.copy().attrs["topics_read"]["n_documents"] == 4


def test_tsv_and_gzip(tmp_path):
    df = read_corpus(DATA / "papers.tsv")
    _check_table(df)
    assert df.attrs["topics_read"]["format"] == "tsv"
    assert df["title"].tolist() == [
        "Attention Is All You Need",
        "Deep Residual Learning for Image Recognition",
    ]
    packed = read_corpus(_gzip(DATA / "papers.tsv", tmp_path / "papers.tsv.gz"))
    pd.testing.assert_frame_equal(packed, df)


def test_csv_gz_matches_csv(tmp_path):
    plain = _quiet(DATA / "papers.csv")
    packed = _quiet(_gzip(DATA / "papers.csv", tmp_path / "papers.csv.gz"))
    pd.testing.assert_frame_equal(plain, packed)
    assert packed.attrs["topics_read"]["format"] == "csv"


def test_small_chunks_give_the_same_table(tmp_path):
    whole = _quiet(DATA / "papers.csv")
    chunked = _quiet(DATA / "papers.csv", chunksize=1)
    pd.testing.assert_frame_equal(whole, chunked)
    assert chunked.attrs["topics_read"] == whole.attrs["topics_read"]


def test_explicit_columns_override_detection():
    df = _quiet(DATA / "papers.csv", text_columns=["Abstract"], id_column="venue", label_column="year")
    # text is the abstract alone; the title is still shown
    assert df["text"].iloc[0].startswith("The dominant sequence")
    assert df["title"].iloc[0] == "Attention Is All You Need"
    assert df["id"].tolist()[:3] == ["NeurIPS", "CVPR", "NeurIPS-2"]  # repeated ids made unique
    assert df["label"].iloc[0] == "2017"
    assert "paper_id" in df.columns  # unused id-like column stays as metadata


def test_text_columns_join_several_columns():
    df = _quiet(DATA / "papers.csv", text_columns=["Title", "venue"])
    assert df["text"].iloc[0] == "Attention Is All You Need. NeurIPS"


def test_body_column_stands_in_for_the_abstract(tmp_path):
    path = tmp_path / "news.csv"
    pd.DataFrame(
        {
            "subject": ["Engines", "Re: Engines"],
            "body": ["My car engine makes noise.", "Check the belt."],
            "text": ["From: a\nSubject: Engines\n\nMy car engine makes noise.", "From: b\n\nCheck the belt."],
        }
    ).to_csv(path, index=False)
    df = read_corpus(path)
    assert df["title"].tolist() == ["Engines", "Re: Engines"]
    assert df["abstract"].tolist() == ["My car engine makes noise.", "Check the belt."]
    assert df["text"].iloc[0] == "Engines. My car engine makes noise."
    assert df["source_text"].iloc[0].startswith("From: a")  # the unused `text` column is kept, renamed


def test_only_a_text_column(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text("Content,n\nfirst document,1\nsecond document,2\n")
    df = read_corpus(path)
    assert df["title"].tolist() == ["", ""]
    assert df["text"].tolist() == ["first document", "second document"]
    assert df["id"].tolist() == ["doc-0001", "doc-0002"]
    assert df["n"].tolist() == [1, 2]


def test_ids_keep_their_text_form(tmp_path):
    path = tmp_path / "arxiv.csv"
    path.write_text("id,abstract\n2501.00010,one\n2501.00100,two\n")
    assert read_corpus(path)["id"].tolist() == ["2501.00010", "2501.00100"]


def test_csv_bad_lines_are_skipped_and_reported(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("title,abstract\nA,first\nB,second,extra\nC,third\n")
    with pytest.warns(TopicsWarning, match=r"skipped 1 malformed entry \(line 3: expected 2 fields, saw 3\)"):
        df = read_corpus(path)
    assert df["title"].tolist() == ["A", "C"]
    report = df.attrs["topics_read"]
    assert report["n_read"] == 3 and report["n_skipped"] == 1 and report["n_documents"] == 2


def test_csv_whose_first_line_has_a_field_too_many_is_not_shifted(tmp_path):
    # pandas takes the first column for an index when the first data line is one field longer than the
    # header, and shifts every line: ids become titles and titles abstracts
    path = tmp_path / "first-long.csv"
    path.write_text("id,title,abstract\np1,T1,robots,EXTRA\np2,T2,MRI scans\np3,T3,parsing,X\np4,T4,graph\n")
    with pytest.warns(TopicsWarning, match=r"2 malformed entries \(the line starting 'p1': more fields"):
        df = read_corpus(path)
    assert df["id"].tolist() == ["p2", "p4"]
    assert df["title"].tolist() == ["T2", "T4"] and df["abstract"].tolist() == ["MRI scans", "graph"]
    assert df.attrs["topics_read"]["n_read"] == 4


def test_csv_lines_ending_in_a_delimiter_are_kept_whole(tmp_path):
    path = tmp_path / "trailing.csv"
    path.write_text("id,title,abstract\np1,T1,robots,\np2,T2,MRI scans,\n")
    df = read_corpus(path)
    assert df["id"].tolist() == ["p1", "p2"] and df["abstract"].tolist() == ["robots", "MRI scans"]


def test_latin1_with_encoding_option(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("title,abstract\nCaf\xe9 culture,Na\xefve models\n".encode("latin-1"))
    df = read_corpus(path, encoding="latin-1")
    assert df["title"].iloc[0] == "Café culture"


def test_utf8_bom_is_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,title\nx1,A title\n")
    df = read_corpus(path)
    assert df["id"].tolist() == ["x1"]


def test_home_directory_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    shutil.copy(DATA / "papers.tsv", tmp_path / "mine.tsv")
    assert len(read_corpus("~/mine.tsv")) == 2


# -- Parquet ----------------------------------------------------------------------------------------


def test_parquet_and_parquet_gz(tmp_path):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame(
        {
            "paper_id": [1, 2, 3],
            "title": ["Alpha", "Beta", "Alpha"],
            "summary": ["first", "second", "first"],
            "published": pd.to_datetime(["2020-05-01", "2021-06-02", "2020-05-01"]),
            "citations": [10, 20, 30],
        }
    )
    path = tmp_path / "papers.parquet"
    frame.to_parquet(path)
    with pytest.warns(TopicsWarning, match="removed 1 exact duplicate"):
        df = read_corpus(path, chunksize=2)
    _check_table(df)
    assert df["id"].tolist() == ["1", "2"]
    assert df["text"].tolist() == ["Alpha. first", "Beta. second"]
    assert df["date"].tolist() == [pd.Timestamp("2020-05-01"), pd.Timestamp("2021-06-02")]
    assert df["citations"].tolist() == [10, 20]
    assert df.attrs["topics_read"]["format"] == "parquet"
    packed = _quiet(_gzip(path, tmp_path / "papers.parquet.gz"))
    pd.testing.assert_frame_equal(packed, df)


# -- JSON / JSON Lines -------------------------------------------------------------------------------


def test_json_object_with_a_list_of_records():
    df = read_corpus(DATA / "papers.json")
    _check_table(df)
    assert df.attrs["topics_read"]["format"] == "json"
    assert df["id"].tolist() == ["a", "b", "c"]
    assert df["title"].tolist() == ["BERT", "ResNet", "Word2Vec"]  # `name` is a title
    assert df["abstract"].iloc[0].startswith("We introduce a new language")  # `summary` an abstract
    assert df["label"].tolist() == ["nlp", "vision", "nlp"]  # `topic` a label
    assert df["date"].iloc[0] == pd.Timestamp("2018-10-11") and pd.isna(df["date"].iloc[2])


def test_json_array_of_records_and_of_strings(tmp_path):
    records = tmp_path / "records.json"
    records.write_text(json.dumps([{"title": "One", "abstract": "First."}, {"title": "Two"}]))
    assert read_corpus(records)["text"].tolist() == ["One. First.", "Two"]
    strings = tmp_path / "strings.json"
    strings.write_text(json.dumps(["first document", "second document"]))
    assert read_corpus(strings)["text"].tolist() == ["first document", "second document"]


def test_jsonl_streams_records():
    with pytest.warns(TopicsWarning, match="dropped 1 empty document"):
        df = read_corpus(DATA / "papers.jsonl", chunksize=2)
    _check_table(df)
    assert df.attrs["topics_read"]["format"] == "jsonl"
    assert df["id"].tolist() == ["1", "2", "4"]
    assert df["label"].tolist() == ["optimization", "optimization", "regularization"]
    assert df["n_pages"].tolist() == [9, 11, 30]


def test_ndjson_gz(tmp_path):
    path = _gzip(DATA / "papers.jsonl", tmp_path / "papers.ndjson.gz")
    assert len(_quiet(path)) == 3


# -- arXiv snapshot -----------------------------------------------------------------------------------


def test_arxiv_snapshot():
    df = read_corpus(DATA / "arxiv-snapshot.jsonl")
    _check_table(df)
    assert df.attrs["topics_read"]["format"] == "arxiv"
    assert df["id"].tolist() == ["0704.0001", "0704.0002", "2401.00003"]
    assert df["title"].iloc[0] == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert df["title"].iloc[2] == "Self-Supervised Representation Learning with Masked Autoencoders"
    assert df["abstract"].iloc[2] == "We revisit masked autoencoders for vision."
    assert df["label"].tolist() == ["hep-ph", "math.CO", "cs.LG"]
    assert df["categories"].iloc[1] == "math.CO cs.CG"
    assert df["authors"].iloc[0].startswith("C. Balázs")
    # the first version's date (a 2007 paper revised in 2008 counts as 2007), else update_date
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2007-04-02", "2007-03-31", "2024-01-01"]
    assert df["update_date"].tolist()[:2] == ["2008-11-13", "2008-12-13"]
    assert "versions" not in df.columns and "authors_parsed" not in df.columns
    assert df.attrs["topics_read"]["columns"]["date"] == "versions[0].created (else update_date)"


def test_arxiv_forced_as_generic_jsonl():
    df = read_corpus(DATA / "arxiv-snapshot.jsonl", format="jsonl")
    assert df.attrs["topics_read"]["format"] == "jsonl"
    assert df["label"].tolist() == ["hep-ph", "math.CO", "cs.LG"]  # `categories` -> primary category
    assert df["categories"].iloc[1] == "math.CO cs.CG"


# -- BibTeX -------------------------------------------------------------------------------------------


def test_bibtex_reads_good_entries_and_reports_broken_ones():
    with pytest.warns(TopicsWarning) as caught:
        df = read_corpus(DATA / "refs.bib")
    assert len(caught) == 1
    assert "skipped 2 malformed entries" in str(caught[0].message)
    _check_table(df)
    assert df["id"].tolist() == ["blei2003lda", "grootendorst2022bertopic", "schrodinger"]
    assert df["title"].tolist() == [
        "Latent Dirichlet Allocation",
        "BERTopic: Neural topic modeling with a class-based TF-IDF procedure",
        "Schrödinger's cat and Erdős numbers: café talk",
    ]
    assert df["abstract"].iloc[0].startswith("We describe latent Dirichlet allocation (LDA), a generative")
    assert df["abstract"].iloc[2] == ""
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2003-01-01", "2022-03-01", "1935-01-01"]
    assert df["journal"].iloc[0] == "Journal of Machine Learning Research"  # @string macro
    assert df["keywords"].iloc[0] == "topic models, Bayesian inference"
    assert df["booktitle"].iloc[1] == "arXiv preprint"
    assert df["note"].iloc[2] == "with a tie here and math x^2"
    assert df["entry_type"].tolist() == ["article", "inproceedings", "misc"]
    report = df.attrs["topics_read"]
    assert report["n_read"] == 5 and report["n_skipped"] == 2 and report["n_documents"] == 3
    assert report["skipped"] == [
        "line 29: entry 'broken2020' has no closing brace",
        "line 40: entry 'noequals': expected '=' after field 'title'",
    ]


def test_bibtex_parenthesised_entries_and_concatenation(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        '@string(venue = "NeurIPS")\n@inproceedings(k1, title = "Paper at " # venue, year = 2019)\n'
    )
    df = read_corpus(path)
    assert df["id"].tolist() == ["k1"] and df["title"].tolist() == ["Paper at NeurIPS"]


# -- plain text ---------------------------------------------------------------------------------------


def test_plain_text_paragraphs():
    with pytest.warns(TopicsWarning, match="removed 1 exact duplicate"):
        df = read_corpus(DATA / "notes.txt")
    _check_table(df)
    assert df.attrs["topics_read"]["format"] == "text"
    assert df["title"].tolist() == ["", ""]
    assert df["abstract"].iloc[1] == (
        "Clustering sentence embeddings is a simple alternative: embed, reduce, cluster, "
        "then describe each cluster with its most distinctive words."
    )
    assert df["text"].tolist() == df["abstract"].tolist()
    assert df["line"].tolist() == [1, 3]


def test_markdown_and_forced_text(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("One paragraph.\n\nAnother paragraph.\n")
    assert len(read_corpus(path)) == 2
    assert read_corpus(DATA / "listing-dated.txt", format="text").attrs["topics_read"]["format"] == "text"


@pytest.mark.parametrize("with_ids", [False, True])
def test_ids_do_not_depend_on_keeping_every_record(tmp_path, with_ids):
    """`topics fit` reads without duplicates and empty records, `topics assign` keeps them: a record shared
    by both reads must get the same id in both (missing ids are numbered, repeated ids suffixed, over all
    records), or joining the two outputs by id would pair a paper with another paper's topic."""
    papers = read_corpus("topics/data/sample-papers.txt")[["title", "abstract"]].head(8)
    rows = pd.concat([papers.iloc[:1], papers.iloc[:1], papers.iloc[:1].assign(title="", abstract=""),
                      papers.iloc[1:]], ignore_index=True)
    if with_ids:
        rows.insert(0, "id", ["x", "x", "y", "x", "y", "z", "z", "w", "v", "u"])
    rows.to_csv(tmp_path / "papers.csv", index=False)
    deduplicated = _quiet(tmp_path / "papers.csv")
    every = _quiet(tmp_path / "papers.csv", keep_every_record=True)
    assert len(every) == len(rows) and len(deduplicated) == len(rows) - 2
    assert every["id"].is_unique and deduplicated["id"].is_unique
    same = every.merge(deduplicated, on="id", suffixes=("_every", "_dedup"))
    assert len(same) == len(deduplicated)
    assert (same["title_every"] == same["title_dedup"]).all()
    assert (same["abstract_every"] == same["abstract_dedup"]).all()


def test_the_renamed_id_note_counts_only_papers_that_are_kept(tmp_path):
    """Exact copies share their id; they are dropped, so no id in the corpus was renamed and the warning
    must not say it "made 2 repeated ids unique" (a user would look for -2 ids that are not there)."""
    papers = read_corpus("topics/data/sample-papers.txt")[["id", "title", "abstract"]].head(6)
    rows = pd.concat([papers, papers.iloc[:2]], ignore_index=True)
    rows.to_csv(tmp_path / "copies.csv", index=False)
    with pytest.warns(TopicsWarning) as caught:
        corpus = read_corpus(tmp_path / "copies.csv")
    message = " ".join(str(w.message) for w in caught)
    assert "removed 2 exact duplicates" in message and "repeated id" not in message
    assert corpus["id"].tolist() == papers["id"].tolist()
    rows.loc[7, "abstract"] = "A different abstract under a repeated id."
    rows.to_csv(tmp_path / "renamed.csv", index=False)
    with pytest.warns(TopicsWarning, match="made 1 repeated id unique"):
        corpus = read_corpus(tmp_path / "renamed.csv")
    assert corpus["id"].iloc[-1] == f"{papers['id'].iloc[1]}-2"
