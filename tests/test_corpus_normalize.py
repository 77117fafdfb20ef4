"""Text cleaning: Unicode, whitespace, line-wrap hyphens, LaTeX."""

from __future__ import annotations

import pandas as pd
import pytest

from topics.corpus.normalize import join_text, normalize_text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  many   spaces\n\tand\r\nlines  ", "many spaces and lines"),
        ("repre-\nsentation learning", "representation learning"),
        ("self-supervised, not wrapped", "self-supervised, not wrapped"),
        ("cafe\u0301", "café"),  # NFC
        ("We use $x^2$ and $\\alpha$-divergence", "We use x^2 and \\alpha-divergence"),
        ("costs $5 and $6 today", "costs $5 and $6 today"),  # money is not math
        ("\\emph{deep} \\textbf{\\emph{nets}}", "deep nets"),
        ("Schr{\\\"o}dinger, Erd\\H{o}s, caf\\'e, \\c{c}a", "Schrödinger, Erdős, café, ça"),
        ('G\\"{o}del', "Gödel"),
        ("Fig.~3 as shown~\\cite{smith2020}.", "Fig. 3 as shown."),
        ("see http://example.org/~user", "see http://example.org/~user"),
        ("{BERT} and {{GPT}}", "BERT and GPT"),
        ("50\\% \\& more", "50% & more"),
        ("bad\x00control", "bad control"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    ],
)
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", "   \n "])
def test_missing_values_become_empty(missing):
    assert normalize_text(missing) == ""


def test_numbers_and_lists_become_text():
    assert normalize_text(3.0) == "3"
    assert normalize_text(12) == "12"
    assert normalize_text(["deep", "learning"]) == "deep learning"


def test_normalize_is_idempotent():
    text = 'A {\\"o}  $x$ repre-\nsentation~here'
    once = normalize_text(text)
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    ("title", "abstract", "joined"),
    [
        ("A title", "An abstract.", "A title. An abstract."),
        ("Is it?", "Yes.", "Is it? Yes."),
        ("Ends with colon:", "rest", "Ends with colon: rest"),
        ("", "Only abstract.", "Only abstract."),
        ("Only title", "", "Only title"),
        ("", "", ""),
    ],
)
def test_join_text(title, abstract, joined):
    assert join_text(title, abstract) == joined


@pytest.mark.parametrize(
    ("raw", "clean"),
    [  # Zotero's and JabRef's BibTeX export
        ("Details (Don{\\textquoteright}t) Matter", "Details (Don’t) Matter"),
        ("{\\textquoteleft}{\\textquoteleft}odd{\\textquoteright}{\\textquoteright}", "‘‘odd’’"),
        ("{\\textquotedblleft}few-shot{\\textquotedblright} learning", "“few-shot” learning"),
        ("pages 3{\\textendash}5 {\\textemdash} a dash", "pages 3–5 — a dash"),
        ("{\\textless}5\\% error, {\\textgreater}90\\%", "<5% error, >90%"),
        ("C:{\\textbackslash}data and \\textasciitilde{}5", "C:\\data and ~5"),
        ("{\\em unlabeled} data, {\\bf bold} and {\\it italic}", "unlabeled data, bold and italic"),
        ("\\emph{deep} and \\textbf{wide}", "deep and wide"),
        ("see \\href{https://x.org}{link text}.", "see link text."),
        ("code at \\url{https://github.com/a/b}", "code at https://github.com/a/b"),
        ("\\LaTeX{} rocks, {\\TeX} too", "LaTeX rocks, TeX too"),
        ("Zotero{\\unknowncommand}s export", "Zoteros export"),
        ("repre\\-sentation and 52.6\\\\% less", "representation and 52.6% less"),
    ],
)
def test_latex_text_commands(raw, clean):
    assert normalize_text(raw) == clean
