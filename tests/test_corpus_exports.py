"""Exports from reference managers and databases: Zotero, OpenAlex, Web of Science, the arXiv snapshot
under its Kaggle name, Excel's semicolon CSV, UTF-16 files; dates and the columns each read used."""

from __future__ import annotations

import gzip
import json
import warnings

import pandas as pd
import pytest

from topics import TopicsWarning, read_corpus
from topics.errors import InputError

ABSTRACTS = [
    "We study district-based elections with two candidates, in which the winner of the election is the "
    "candidate that wins in the majority of the districts, and model persuasion of voters.",
    "We propose a novel zero-shot multi-frame image restoration method for removing unwanted obstruction "
    "elements such as rain, snow and moire patterns that vary in successive frames.",
    "The maximum k-club problem is an important clique relaxation problem with wide applications; we "
    "develop an efficient local search algorithm for large-scale instances.",
]
TITLES = [
    "Persuading Voters in District-based Elections",
    "SiamTrans: Zero-Shot Multi-Frame Image Restoration with Pre-trained Siamese Transformers",
    "NukCP: An Improved Local Search Algorithm for Maximum k-Club Problem",
]


def _quiet(path, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return read_corpus(path, **kwargs)


def _no_warning(path, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error", TopicsWarning)
        return read_corpus(path, **kwargs)


def _csv(rows: list[list[object]], sep: str = ",") -> str:
    return pd.DataFrame(rows[1:], columns=rows[0]).to_csv(sep=sep, index=False)


# -- Zotero, OpenAlex: abstracts under other names -------------------------------------------------------


def test_zotero_csv_uses_abstract_note_and_publication_year(tmp_path):
    header = ["Key", "Item Type", "Publication Year", "Author", "Title", "Publication Title", "Abstract Note"]
    rows = [
        [f"K0000{i}", "conferencePaper", 2021 + i, "Doe, John; Smith, Jane", title, "AAAI", abstract]
        for i, (title, abstract) in enumerate(zip(TITLES, ABSTRACTS, strict=True))
    ]
    path = tmp_path / "zotero.csv"
    path.write_text("\ufeff" + _csv([header, *rows]), encoding="utf-8")
    df = _no_warning(path)
    assert df["abstract"].tolist() == ABSTRACTS
    assert df["text"].iloc[0] == f"{TITLES[0]}. {ABSTRACTS[0]}"
    assert df["date"].dt.year.tolist() == [2021, 2022, 2023]
    assert "Abstract Note" not in df.columns and "Publication Year" not in df.columns
    assert df.attrs["topics_read"]["columns"] == {
        "id": "Key", "title": "Title", "abstract": "Abstract Note", "date": "Publication Year",
    }  # fmt: skip


def _inverted_index(text: str) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(text.split()):
        index.setdefault(word, []).append(position)
    return index


def _openalex_work(i: int) -> dict:
    return {
        "id": f"https://openalex.org/W{4000 + i}",
        "doi": None,
        "title": TITLES[i],
        "display_name": TITLES[i],
        "publication_year": 2021,
        "publication_date": f"2021-0{i + 1}-15",
        "abstract_inverted_index": _inverted_index(ABSTRACTS[i]),
        "concepts": [{"display_name": "Computer science"}],
    }


def test_openalex_abstract_is_rebuilt_from_its_inverted_index(tmp_path):
    path = tmp_path / "openalex.jsonl"
    path.write_text("".join(json.dumps(_openalex_work(i)) + "\n" for i in range(3)), encoding="utf-8")
    df = _no_warning(path)
    assert df["abstract"].tolist() == ABSTRACTS
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-01-15", "2021-02-15", "2021-03-15"]
    assert "abstract_inverted_index" not in df.columns
    assert df.attrs["topics_read"]["columns"]["abstract"] == "abstract_inverted_index"


def test_openalex_api_response_json(tmp_path):
    response = {
        "meta": {"count": 3, "page": 1},
        "results": [_openalex_work(i) for i in range(3)],
        "group_by": [],
    }
    path = tmp_path / "works.json"
    path.write_text(json.dumps(response, indent=2), encoding="utf-8")
    df = _no_warning(path)
    assert df["abstract"].tolist() == ABSTRACTS


def test_title_only_text_warns_about_a_long_text_column(tmp_path):
    rows = [["title", "year", "snippet"], *([t, 2021, a] for t, a in zip(TITLES, ABSTRACTS, strict=True))]
    path = tmp_path / "scholar.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.warns(TopicsWarning) as caught:
        df = read_corpus(path)
    message = str(caught[0].message)
    assert "the text is the title column 'title' alone, but column 'snippet' holds longer text" in message
    assert "abstract_column='snippet' (or --abstract-column 'snippet')" in message
    assert df["text"].tolist() == TITLES
    assert df.attrs["topics_read"]["columns"] == {"title": "title", "date": "year"}
    # and the advice works
    assert _no_warning(path, abstract_column="snippet")["abstract"].tolist() == ABSTRACTS


# -- Web of Science: tab-delimited savedrecs.txt ----------------------------------------------------


def _savedrecs() -> str:
    header = "PT\tAU\tTI\tSO\tDE\tAB\tPY\tDI\tUT\t\n"
    lines = [
        f"J\tDoe, J; Roe, R\t{title}\tIJCAI\tkeyword one; keyword two\t{abstract}\t{2020 + i}\t"
        f"10.1000/x{i}\tWOS:00000000000000{i}\t\n"
        for i, (title, abstract) in enumerate(zip(TITLES, ABSTRACTS, strict=True))
    ]
    return header + "".join(lines)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # older exports are UTF-16 with a BOM
def test_web_of_science_savedrecs_txt(tmp_path, encoding):
    path = tmp_path / "savedrecs.txt"
    path.write_bytes(_savedrecs().encode(encoding))
    df = _no_warning(path)
    assert df.attrs["topics_read"]["format"] == "tsv"
    assert df["id"].tolist() == ["WOS:000000000000000", "WOS:000000000000001", "WOS:000000000000002"]
    assert df["title"].tolist() == TITLES and df["abstract"].tolist() == ABSTRACTS
    assert df["date"].dt.year.tolist() == [2020, 2021, 2022]
    assert df.attrs["topics_read"]["columns"] == {"id": "UT", "title": "TI", "abstract": "AB", "date": "PY"}
    assert {"AU", "SO", "DE"} <= set(df.columns)


def test_plain_text_with_tabs_stays_plain_text(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(f"{ABSTRACTS[0]}\n\n\tIndented: {ABSTRACTS[1]}\n\n{ABSTRACTS[2]}\n", encoding="utf-8")
    df = _no_warning(path)
    assert df.attrs["topics_read"]["format"] == "text"
    assert len(df) == 3


def test_two_letter_columns_outside_web_of_science_are_not_tags(tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("ti,ab\nx,y\n", encoding="utf-8")
    with pytest.raises(InputError, match="no text column found"):
        read_corpus(path)


# -- the arXiv snapshot as Kaggle ships it ----------------------------------------------------------


def _arxiv_record(i: int) -> dict:
    return {
        "id": f"0704.000{i}",
        "submitter": "A. Author",
        "authors": "A. Author and B. Author",
        "title": TITLES[i],
        "comments": "10 pages",
        "journal-ref": None,
        "doi": None,
        "categories": "cs.GT cs.AI",
        "license": None,
        "abstract": "  " + ABSTRACTS[i] + "\n",
        "versions": [
            {"version": "v1", "created": f"Mon, {i + 2} Apr 2007 19:18:42 GMT"},
            {"version": "v2", "created": "Tue, 24 Jan 2023 20:10:27 GMT"},
        ],
        "update_date": "2023-01-25",
        "authors_parsed": [["Author", "A.", ""], ["Author", "B.", ""]],
    }


def test_arxiv_snapshot_under_its_kaggle_name(tmp_path):
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    path.write_text("".join(json.dumps(_arxiv_record(i)) + "\n" for i in range(3)), encoding="utf-8")
    df = _no_warning(path)
    assert df.attrs["topics_read"]["format"] == "arxiv"
    assert df["abstract"].tolist() == ABSTRACTS
    # dated by the first version, not by the 2023 revision
    assert df["date"].dt.strftime("%Y-%m-%d").tolist() == ["2007-04-02", "2007-04-03", "2007-04-04"]
    assert df["update_date"].tolist() == ["2023-01-25"] * 3


def test_json_lines_in_a_json_file(tmp_path):
    path = tmp_path / "export.json"
    records = [{"title": t, "abstract": a} for t, a in zip(TITLES, ABSTRACTS, strict=True)]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    df = _no_warning(path)
    assert df.attrs["topics_read"]["format"] == "jsonl"
    assert df["abstract"].tolist() == ABSTRACTS
    with pytest.raises(InputError, match=r"looks like JSON Lines.*format='jsonl' \(or --format jsonl\)"):
        read_corpus(path, format="json")


def test_one_line_json_object_is_still_json(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text(json.dumps({"papers": [{"title": t} for t in TITLES]}) + "\n", encoding="utf-8")
    assert _no_warning(path).attrs["topics_read"]["format"] == "json"


# -- Excel's semicolon-separated CSV ---------------------------------------------------------------


def test_semicolon_separated_csv(tmp_path):
    rows = [["title", "abstract", "year"], *([t, a, 2021] for t, a in zip(TITLES, ABSTRACTS, strict=True))]
    path = tmp_path / "export.csv"
    path.write_text(_csv(rows, sep=";").replace("\n", "\r\n"), encoding="utf-8")
    with pytest.warns(TopicsWarning, match="export.csv: the columns are separated by semicolons"):
        df = read_corpus(path)
    assert df["title"].tolist() == TITLES  # a title with ", " stays whole
    assert df["abstract"].tolist() == ABSTRACTS
    assert df["date"].dt.year.tolist() == [2021] * 3


# -- dates -----------------------------------------------------------------------------------------


def test_dates_day_first_when_dotted_and_unreadable_ones_counted(tmp_path):
    dates = ["05.03.2021", "2021-03", "Mar 2021", "2021", "n.d.", "Spring 2021", ""]
    rows = [["title", "date"], *([f"Paper number {i}", d] for i, d in enumerate(dates))]
    path = tmp_path / "dates.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.warns(TopicsWarning) as caught:
        df = read_corpus(path)
    assert df["date"].dt.strftime("%Y-%m-%d").fillna("-").tolist() == [
        "2021-03-05", "2021-03-01", "2021-03-01", "2021-01-01", "-", "-", "-",
    ]  # fmt: skip
    assert df.attrs["topics_read"]["n_unparsed_dates"] == 2
    assert "could not read 2 dates in column 'date' (e.g. 'n.d.'); they are left empty" in str(
        caught[0].message
    )


def test_a_named_date_column_without_a_single_date_is_an_error(tmp_path):
    rows = [["title", "abstract", "year"], *([t, a, 2021] for t, a in zip(TITLES, ABSTRACTS, strict=True))]
    path = tmp_path / "papers.tsv"
    path.write_text(_csv(rows, sep="\t"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_corpus(path, date_column="title")
    assert str(info.value) == (
        f"{path}: no value of the date column 'title' could be read as a date (e.g. {TITLES[0]!r}); "
        "pass date_column=... (or --date-column) naming a column of dates, or leave it out"
    )


def test_a_detected_date_column_without_dates_is_a_warning(tmp_path):
    rows = [["title", "year"], ["A first paper", "forthcoming"], ["A second paper", "in press"]]
    path = tmp_path / "papers.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.warns(TopicsWarning, match="no value of the date column 'year' could be read as a date"):
        df = read_corpus(path)
    assert df["date"].isna().all() and df.attrs["topics_read"]["n_unparsed_dates"] == 2


# -- wrong format, UTF-16 ------------------------------------------------------------------------------


def test_bibtex_format_on_a_table_says_no_entries(tmp_path):
    path = tmp_path / "papers.tsv"
    path.write_text("title\tabstract\nA paper\tAbout things, e-mail x@y.org.\n", encoding="utf-8")
    with pytest.raises(InputError, match="no BibTeX entries found"):
        read_corpus(path, format="bibtex")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_csv(tmp_path, encoding):
    rows = [["title", "abstract"], *([t, a] for t, a in zip(TITLES, ABSTRACTS, strict=True))]
    text = ("\ufeff" if encoding == "utf-16-be" else "") + _csv(rows).replace(TITLES[0], "Persuading Vöters")
    path = tmp_path / "utf16.csv"
    path.write_bytes(text.encode(encoding))
    df = _no_warning(path)
    assert df["title"].tolist() == ["Persuading Vöters", *TITLES[1:]]
    assert df["abstract"].tolist() == ABSTRACTS


def test_gzipped_paths_are_sniffed_too(tmp_path):
    path = tmp_path / "savedrecs.txt.gz"
    path.write_bytes(gzip.compress(_savedrecs().encode("utf-8")))
    assert _no_warning(path)["title"].tolist() == TITLES
