"""LaTeX math in BibTeX fields read as Unicode text (issue 22, 3): pylatexenc decodes each ``$...$`` span,
the rest stays with `topics.corpus.normalize.tidy_latex`. On real arXiv abstracts (the shared corpus, as
arXiv writes them) and on the strings a .bib holds."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from helpers import shared_file

from topics import read_corpus
from topics.corpus.bibtex import decode_math
from topics.corpus.normalize import normalize_text

COMMAND = re.compile(r"\\[A-Za-z]+")


@pytest.mark.parametrize(("latex", "text"), [
    (r"$\alpha$-divergence", "α-divergence"),
    (r"where $m\le n$ and $x \in X$", "where m≤ n and x ∈ X"),
    (r"$O(n \log n)$ time, $\ell_1$-norm in $\mathbb{R}^d$", "O(n log n) time, ℓ_1-norm in ℝ^d"),
    (r"$\mathcal{O}(n^2)$ and $\mathbf{W}$", "O(n^2) and W"),  # mathematical letters as plain ones
    (r"about $\sim$5\% faster, $5%$ of it", "about ∼5% faster, 5% of it"),  # a bare % is no comment
    (r"costs \$5 and \$6", "costs $5 and $6"),  # escaped dollars are no math
    (r"$$\frac{1}{2}$$ of $k$-means", "1/2 of k-means"),
    (r"Schr{\"o}dinger's \emph{cat} \cite{x}", "Schrödinger's cat"),  # outside math: tidy_latex as before
])
def test_math_spans_become_text(latex, text):
    assert normalize_text(decode_math(latex)) == text


def test_a_span_pylatexenc_cannot_read_is_kept_as_written():
    assert decode_math(r"code at $\href{x}$ and $\alpha$") == r"code at $\href{x}$ and α"


def test_arxiv_abstracts_read_from_bibtex_keep_no_latex_commands(tmp_path):
    """400 arXiv abstracts with math, written to a .bib as they are: every entry is read, their math comes
    out as text (a LaTeX command left in fewer than 10 % of them, against more than half by tidy_latex
    alone), and no words are lost (a bare % is a per cent sign, not a comment)."""
    table = pd.read_csv(shared_file("arxiv-cs-2025.csv.gz"), dtype=str).fillna("")
    table = table[table["abstract"].str.contains("$", regex=False)].head(400)
    entries = [f"@article{{a{i},\n  title = {{Paper {i}}},\n  abstract = {{{abstract}}}\n}}\n"
               for i, abstract in enumerate(table["abstract"])]
    path = tmp_path / "arxiv.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    read = read_corpus(path).set_index("id")["abstract"]
    originals = dict(zip([f"a{i}" for i in range(len(table))], table["abstract"], strict=True))
    balanced = [key for key, text in originals.items() if text.count("{") == text.count("}")]
    assert set(balanced) <= set(read.index)

    def left(texts) -> float:
        return sum(bool(COMMAND.search(text) or "$" in text) for text in texts) / len(texts)

    assert left(read) < 0.10
    assert left([normalize_text(originals[key]) for key in read.index]) > 0.5

    def words(text: str) -> int:
        return len(re.findall(r"[A-Za-z]{3,}", text))

    lost = [key for key in read.index if words(read[key]) < 0.95 * words(COMMAND.sub(" ", originals[key]))]
    assert len(lost) <= 0.01 * len(read), [read[key][:200] for key in lost[:3]]
    # one of them, as a reader of the report sees it
    sequences = [key for key, text in originals.items() if "$m\\le n$" in text and key in read.index]
    assert sequences and "m≤ n" in read[sequences[0]] and "\\le" not in read[sequences[0]]
