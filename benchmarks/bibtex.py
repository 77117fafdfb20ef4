"""Our BibTeX reader against bibtexparser 2, and LaTeX decoding with and without pylatexenc (issue 22, 3).

    pip install bibtexparser pylatexenc        # bibtexparser 2 (it brings pylatexenc)
    python benchmarks/bibtex.py --markdown

The .bib is built from the shared corpora (../shared/data or $TOPICS_SHARED_DATA): the 6,253 AI-conference
papers and the 22,628 arXiv abstracts (the latter as arXiv writes them: LaTeX math, ``\\emph``, ``\\href``,
``\\%`` and bare ``%`` as text), one entry each, written as a .bib file is by hand or by reference managers:
``@string`` macros for the venues and ``month = mar``, titles with braces protecting capitals (``{BERT}``)
and some in double braces, quoted and braced values, ``&`` ``%`` ``#`` ``_`` escaped in text written by us,
non-ASCII letters written as LaTeX accents in three styles (``{\\"o}``, ``\\"{o}``, ``\\"o``).

Each reader gives (title, abstract, booktitle) per entry; each pipeline's text then goes through
`topics.corpus.normalize.normalize_text`, as every reader's does. Measured:
- time to parse the file (and, separately, to decode its LaTeX);
- entries read (all 28,881 are well-formed);
- exact text of the entries whose source had no LaTeX of its own: the text read back must equal the
  original (normalised), accents and escapes decoded;
- of the entries whose source has LaTeX (``$`` or ``\\``), the share still holding a LaTeX command or a
  ``$`` after decoding, and the share losing more than 5 % of its words (bare ``%`` read as a comment);
- a handful of hand-checked strings (`CASES`), the expected plain text written by us.
Raw results: benchmarks/results/bibtex.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
import unicodedata
import warnings
from pathlib import Path

import pandas as pd
from _doc import run_record, write_section

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("TOPICS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "benchmarks" / "results" / "bibtex.json"
COMMAND = "python benchmarks/bibtex.py --markdown"

from topics.corpus import bibtex as ours  # noqa: E402
from topics.corpus.normalize import normalize_text  # noqa: E402

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
VENUES = {"AAAI": "aaai", "IJCAI": "ijcai"}
ACCENT = {"\u0308": '"', "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0303": "~", "\u0327": "c",
          "\u030c": "v", "\u030b": "H", "\u0304": "=", "\u0306": "u", "\u030a": "r"}
CASES = {  # LaTeX -> the plain text a reader of the report should see
    r"$\alpha$-divergence": "α-divergence",
    r"$\epsilon$-greedy exploration": "ϵ-greedy exploration",  # LaTeX's \epsilon is the lunate ϵ
    r"$O(n \log n)$ time": "O(n log n) time",
    r"$\ell_1$-norm in $\mathbb{R}^d$": "ℓ_1-norm in ℝ^d",
    r"where $m\le n$ and $x \in X$": "where m≤n and x∈X",
    r"about $\sim$5\% faster": "about ∼5% faster",
    r"$\times 2$ speed-up": "×2 speed-up",
    r"Schr{\"o}dinger, caf\'e and Erd\H{o}s": "Schrödinger, café and Erdős",
    r"{\ss} {\o} \c{c} \v{s}": "ß ø ç š",
    r"\emph{latent} {D}irichlet \textbf{allocation}": "latent Dirichlet allocation",
    r"as in \cite{blei2003} and \citep[p.~3]{x}.": "as in and.",
    r"Code at \href{https://x.org}{our site}.": "Code at our site.",
    r"R\&D at 95% of cost": "R&D at 95% of cost",
    r"a tie~here -- and---there": "a tie here – and—there",
}


# ------------------------------------------------------------------------------------------ the .bib
def latex_accents(text: str, style: int) -> str:
    """Non-ASCII letters that decompose into a letter and one accent written as LaTeX accents."""
    out = []
    for character in text:
        parts = unicodedata.normalize("NFD", character)
        if len(parts) == 2 and parts[0].isascii() and parts[1] in ACCENT:
            mark, letter = ACCENT[parts[1]], parts[0]
            out.append((f"{{\\{mark}{letter}}}", f"\\{mark}{{{letter}}}",
                        f"\\{mark}{letter}" if not mark.isalpha() else f"\\{mark}{{{letter}}}")[style % 3])
        else:
            out.append(character)
    return "".join(out)


def escaped(text: str, style: int) -> str:
    """Plain text as a .bib holds it: & % # _ escaped, accents in LaTeX."""
    return latex_accents(re.sub(r"([&%#_])", r"\\\1", text), style)


def protect(title: str) -> str:
    """Capitalised acronyms in braces, as reference managers write titles."""
    return re.sub(r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z0-9]*)\b", r"{\1}", title)


def has_latex(text: str) -> bool:
    return bool(re.search(r"[\\$]", text))


def build(path: Path) -> list[dict]:
    """Write the .bib; the truth of each entry, in order."""
    papers = pd.read_csv(DATA / "ai-conference-papers.csv.gz").fillna("")
    arxiv = pd.read_csv(DATA / "arxiv-cs-2025.csv.gz").fillna("")
    lines = ['@string{aaai = "AAAI Conference on Artificial Intelligence"}',
             '@string{ijcai = "International Joint Conference on Artificial Intelligence"}',
             "@comment{built by benchmarks/bibtex.py from the shared corpora}", ""]
    truth = []
    for i, row in enumerate(papers.itertuples()):
        source = row.title + row.abstract
        clean = not (has_latex(source) or re.search(r"[{}~]", source))
        title = protect(escaped(row.title, i))
        title = f"{{{{{title}}}}}" if i % 7 == 0 else (f'"{title}"' if '"' not in title and i % 3 == 0
                                                         else f"{{{title}}}")
        lines += [f"@inproceedings{{paper{i},", f"  title = {title},",
                  f"  booktitle = {VENUES[row.venue]} # {{ {row.year}}},",
                  f"  year = {row.year}, month = {MONTHS[i % 12]},",
                  f"  abstract = {{{escaped(row.abstract, i + 1)}}}", "}", ""]
        truth.append({"key": f"paper{i}", "title": row.title, "abstract": row.abstract, "clean": clean,
                      "latex": False})
    for i, row in enumerate(arxiv.itertuples()):
        latex = has_latex(row.abstract)
        abstract = row.abstract if latex else escaped(row.abstract, i)  # arXiv's own LaTeX, as given
        lines += [f"@article{{arxiv{i},", f"  journal = {{arXiv {row.label}}},", "  year = {2025},",
                  f"  abstract = {{{abstract}}}", "}", ""]
        truth.append({"key": f"arxiv{i}", "title": "", "abstract": row.abstract,
                      "clean": not latex and not re.search(r"[{}~]", row.abstract), "latex": latex})
    path.write_text("\n".join(lines), encoding="utf-8")
    return truth


# ------------------------------------------------------------------------------------------ readers
def read_ours(text: str) -> tuple[list[dict], int]:
    entries, errors = ours.parse_bibtex(text)
    return [{"key": e.key, **{k: e.fields.get(k, "") for k in ("title", "abstract", "booktitle")}}
            for e in entries], len(errors)


def read_bibtexparser(text: str, decode: bool) -> tuple[list[dict], int]:
    import logging

    import bibtexparser
    from bibtexparser import middlewares

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    extra = [middlewares.LatexDecodingMiddleware()] if decode else []
    library = bibtexparser.parse_string(text, append_middleware=extra)
    rows = [{"key": e.key, **{k: str(e.fields_dict[k].value) if k in e.fields_dict else ""
                              for k in ("title", "abstract", "booktitle")}} for e in library.entries]
    return rows, len(library.failed_blocks)


def pylatexenc_whole() -> callable:
    """pylatexenc's LatexNodes2Text on the whole value (its defaults), falling back on the value."""
    from pylatexenc.latex2text import LatexNodes2Text

    decoder = LatexNodes2Text()

    def decode(value: str) -> str:
        if not has_latex(value):
            return value
        try:
            return decoder.latex_to_text(value)
        except Exception:  # noqa: BLE001 - it raises on some real abstracts (\href)
            return value

    return decode


DECODERS = {"tidy_latex only": None, "pylatexenc, whole value": pylatexenc_whole}
if hasattr(ours, "decode_math"):  # the reader as it is now: math spans by pylatexenc, the rest by tidy_latex
    DECODERS["pylatexenc on math, tidy_latex on the rest (ours now)"] = lambda: ours.decode_math


# ------------------------------------------------------------------------------------------ scoring
def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{3,}", text))


def score(rows: list[dict], truth: list[dict], decode) -> dict:
    by_key = {row["key"]: row for row in rows}
    exact = clean = latex = leftover = lost = 0
    started = time.perf_counter()
    texts = {}
    for row in rows:
        texts[row["key"]] = {k: normalize_text(decode(row[k]) if decode else row[k])
                             for k in ("title", "abstract")}
    seconds = time.perf_counter() - started
    for item in truth:
        got = texts.get(item["key"])
        if got is None:
            continue
        if item["clean"]:
            clean += 1
            exact += got["title"] == normalize_text(item["title"]) and \
                got["abstract"] == normalize_text(item["abstract"])
        if item["latex"]:
            latex += 1
            leftover += bool(re.search(r"\\[A-Za-z]+|\$", got["abstract"]))
            lost += words(got["abstract"]) < 0.95 * words(re.sub(r"\\[A-Za-z]+", " ", item["abstract"]))
    venues = sum(by_key[k]["booktitle"].startswith(("AAAI Conference", "International Joint"))
                 for k in by_key if k.startswith("paper"))
    return {"decode_and_normalise_seconds": round(seconds, 2), "clean_entries": clean,
            "clean_exact": round(exact / max(clean, 1), 4), "latex_entries": latex,
            "latex_leftover": round(leftover / max(latex, 1), 4),
            "latex_lost_words": round(lost / max(latex, 1), 4),
            "macros_expanded": venues}


def cases(decode) -> dict:
    got = {case: normalize_text(decode(case) if decode else case) for case in CASES}
    right = [case for case, text in got.items() if re.sub(r"\s", "", text) == re.sub(r"\s", "", CASES[case])]
    return {"right": len(right), "of": len(CASES), "outputs": got}


def run() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "corpus.bib"
        truth = build(path)
        text = path.read_text(encoding="utf-8")
        results["file"] = {"entries": len(truth), "megabytes": round(len(text.encode()) / 1e6, 1),
                           "with_latex": sum(t["latex"] for t in truth)}
        parsed = {}
        for label, reader in (("ours", read_ours),
                              ("bibtexparser 2", lambda t: read_bibtexparser(t, decode=False))):
            started = time.perf_counter()
            rows, failed = reader(text)
            parsed[label] = rows
            results[f"parse: {label}"] = {"seconds": round(time.perf_counter() - started, 2),
                                          "entries": len(rows), "failed": failed}
        started = time.perf_counter()
        rows, failed = read_bibtexparser(text, decode=True)
        results["parse: bibtexparser 2 + LatexDecodingMiddleware"] = {
            "seconds": round(time.perf_counter() - started, 2), "entries": len(rows), "failed": failed,
            **score(rows, truth, None)}
        for label, make in DECODERS.items():
            decode = make() if make else None
            results[f"decode: {label}"] = {**score(parsed["ours"], truth, decode), "cases": cases(decode)}
        results["decode: bibtexparser's LatexDecodingMiddleware"] = {"cases": cases(_middleware_decode())}
    return results


def _middleware_decode():
    from bibtexparser.middlewares import LatexDecodingMiddleware

    middleware = LatexDecodingMiddleware()
    return lambda value: middleware._transform_python_value_string(value)[0]


# ------------------------------------------------------------------------------------------ report
def markdown(summary: dict) -> str:
    r = summary["results"]
    head = (f"`{summary['command']}` ({summary['machine']}, {summary['date']}; bibtexparser "
            f"{summary['versions']['bibtexparser']}, pylatexenc {summary['versions']['pylatexenc']}); "
            f"{r['file']['entries']:,} entries, {r['file']['megabytes']} MB, "
            f"{r['file']['with_latex']:,} abstracts with LaTeX of their own")
    lines = [head, "", "| parser | parse (s) | entries read | failed blocks |", "|---|---:|---:|---:|"]
    for key, row in r.items():
        if key.startswith("parse: "):
            lines.append(f"| {key[7:]} | {row['seconds']:.1f} | {row['entries']:,} | {row['failed']} |")
    lines += ["", "| LaTeX decoding (after our parser; then normalize_text) | decode + normalise (s) | "
              "exact text, entries without LaTeX | LaTeX left, entries with LaTeX | words lost | "
              "hand cases right |", "|---|---:|---:|---:|---:|---:|"]
    rows = [(key[8:], row) for key, row in r.items() if key.startswith("decode: ") and "clean_exact" in row]
    whole = r["parse: bibtexparser 2 + LatexDecodingMiddleware"]
    middleware_cases = r["decode: bibtexparser's LatexDecodingMiddleware"]["cases"]
    rows.append(("bibtexparser 2 + LatexDecodingMiddleware (its parser)", {**whole, "cases": middleware_cases,
                 "decode_and_normalise_seconds": whole["decode_and_normalise_seconds"]}))
    for label, row in rows:
        lines.append(f"| {label} | {row['decode_and_normalise_seconds']:.1f} | {row['clean_exact']:.1%} | "
                     f"{row['latex_leftover']:.1%} | {row['latex_lost_words']:.1%} | "
                     f"{row['cases']['right']}/{row['cases']['of']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the tables for docs/benchmarks.md")
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run()
    summary = {**run_record(COMMAND, ("bibtexparser", "pylatexenc")), "results": results}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(markdown(summary) if args.markdown else json.dumps(results, indent=1, ensure_ascii=False))
    if args.markdown:
        title = "## BibTeX: our reader against bibtexparser 2, LaTeX decoding"
        write_section("bibtex.py", f"{title}\n\n{markdown(summary)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
