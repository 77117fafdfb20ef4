"""BibTeX: a small tolerant parser, and LaTeX math decoded to Unicode text by pylatexenc.

Entries ``@type{key, field = {...} | "..." | 123 | macro # ..., ...}`` with nested braces; ``@comment``
and ``@preamble`` are ignored, simple ``@string`` macros are expanded. A broken entry is skipped (and
reported with its line); parsing resumes at the next line that starts with ``@``. Each ``$...$`` span
of a field becomes text by pylatexenc (`decode_math`: ``$\\alpha$`` is ``α``, ``$m\\le n$`` ``m≤ n``);
the rest of the LaTeX (accents, ``\\emph``, citations, ``\\%``) is `topics.corpus.normalize.tidy_latex`'s,
as for every reader.

Why this parser rather than bibtexparser 2, and pylatexenc on math only, measured by
``benchmarks/bibtex.py`` (results/bibtex.json; a 39 MB .bib of 28,881 entries built from the shared
AI-conference and arXiv corpora, arXiv's own LaTeX in 4,545 abstracts, @string macros, protected capitals,
accents, escapes; 2 cores shared with other work, so times are rough):
- parsing: ours 2.2 s, bibtexparser 2.1 5.9 s, for the same entries but the few whose abstract has an
  unbalanced brace: bibtexparser reads three of them silently with stray braces in the text, where ours
  skips them and names them ("line 2070: entry 'paper295': expected ',' or '}' after field 'abstract'
  (unbalanced braces?)"). With its LaTeX middleware bibtexparser takes 310 s, fails 40 more entries and
  leaves math as it is (55 % of the math abstracts keep LaTeX).
- LaTeX: tidy_latex alone leaves a LaTeX command or a ``$`` in 57 % of the abstracts with math;
  pylatexenc on the math spans 6 %, for 4 s more on the file (13.9 s against 9.7 s with normalisation;
  the spans are cached, ``$n$`` comes back); pylatexenc on whole values 0.5 %, but in 97 s, raising on
  some real abstracts (``\\href``), reading a bare ``%`` (a per cent sign in an abstract) as a comment and
  so losing words in 4 % of them, and writing citations as ``<cit.>``. Of 14 hand-checked strings, 13 come
  out right (6 by tidy_latex alone). Entries without LaTeX of their own are read exactly either way.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from topics.corpus.columns import metadata_names
from topics.corpus.normalize import normalize_text, shown_name
from topics.corpus.source import read_text
from topics.corpus.table import CorpusBuilder, records_in_chunks
from topics.errors import NoDocumentsError

__all__ = ["BibtexError", "Entry", "decode_math", "parse_bibtex", "read_bibtex"]

_AT = re.compile(r"@[ \t]*([A-Za-z][\w-]*)\s*([{(])")
_NEXT_ENTRY = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z][\w-]*\s*[{(]")
_KEY = re.compile(r"\s*([^\s,{}()\"=#]+)\s*")
_NAME = re.compile(r"[A-Za-z_][\w\-.:+/]*")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s*")
_BRACE = re.compile(r"[{}]")
_BRACE_OR_QUOTE = re.compile(r'[{}"]')
# $...$ or $$...$$, not an escaped \$; at most 300 characters, as topics.corpus.normalize reads math
_MATH_SPAN = re.compile(r"(?<!\\)(\$\$?)(?=\S)([^$]{1,300}?)(?<=\S)(?<!\\)\1")
_BARE_PERCENT = re.compile(r"(?<!\\)%")  # a comment to LaTeX, a per cent sign in an abstract
_MATH_LETTERS = re.compile("[\U0001d400-\U0001d7ff]")  # \mathcal{O}, \mathbf{W}: the plain letter
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_MONTH_NAMES = {
    m: n for m, n in zip(_MONTHS, ("January", "February", "March", "April", "May", "June", "July",
                                   "August", "September", "October", "November", "December"), strict=False)
}  # fmt: skip


class BibtexError(Exception):
    """A problem inside one entry; the message is short and human."""


@dataclass
class Entry:
    type: str
    key: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [match.start() for match in re.finditer("\n", text)]
        self.macros: dict[str, str] = dict(_MONTH_NAMES)
        self.entries: list[Entry] = []
        self.errors: list[str] = []

    def line_of(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1

    def skip_space(self, pos: int) -> int:
        return _SPACE.match(self.text, pos).end()

    def parse(self) -> None:
        pos = 0
        text = self.text
        while True:
            at = text.find("@", pos)
            if at < 0:
                return
            match = _AT.match(text, at)
            if not match:  # an @ in free text (comments between entries)
                pos = at + 1
                continue
            kind, opener = match.group(1).lower(), match.group(2)
            closer = "}" if opener == "{" else ")"
            try:
                if kind in ("comment", "preamble"):
                    pos = self.skip_balanced(match.end(), opener, closer)
                elif kind == "string":
                    pos = self.parse_string(match.end(), closer)
                else:
                    pos = self.parse_entry(kind, match.end(), closer, self.line_of(at))
            except BibtexError as error:
                if kind not in ("comment", "preamble", "string"):
                    self.errors.append(f"line {self.line_of(at)}: {error}")
                resync = _NEXT_ENTRY.search(text, match.end())
                if resync is None:
                    return
                pos = resync.start() + 1

    def skip_balanced(self, pos: int, opener: str, closer: str) -> int:
        depth = 1
        text = self.text
        while pos < len(text):
            c = text[pos]
            if c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        raise BibtexError("no closing brace")

    def parse_string(self, pos: int, closer: str) -> int:
        pos = self.skip_space(pos)
        name = _NAME.match(self.text, pos)
        if not name:
            raise BibtexError("@string without a name")
        pos = self.skip_space(name.end())
        if not self.text.startswith("=", pos):
            raise BibtexError("@string without '='")
        value, pos = self.parse_value(self.skip_space(pos + 1), name.group(), "@string")
        pos = self.skip_space(pos)
        if not self.text.startswith(closer, pos):
            raise BibtexError("@string has no closing brace")
        self.macros[name.group().lower()] = value
        return pos + 1

    def parse_entry(self, kind: str, pos: int, closer: str, line: int) -> int:
        text = self.text
        key_match = _KEY.match(text, pos)
        key = key_match.group(1) if key_match else ""
        pos = key_match.end() if key_match else self.skip_space(pos)
        if not key or (pos < len(text) and text[pos] not in ",})"):
            raise BibtexError(f"@{kind} entry has no key")
        label = f"entry '{shown_name(key)}'"
        entry = Entry(kind, key, line)
        while True:
            pos = self.skip_space(pos)
            if pos >= len(text):
                raise BibtexError(f"{label} has no closing brace")
            c = text[pos]
            if c == closer:
                self.entries.append(entry)
                return pos + 1
            if c == ",":
                pos += 1
                continue
            name = _NAME.match(text, pos)
            if not name:
                if c == "@" or c in "{}()":
                    raise BibtexError(f"{label} has no closing brace")
                raise BibtexError(f"{label}: unexpected {text[pos : pos + 10].splitlines()[0]!r}")
            field_name = name.group().lower()
            pos = self.skip_space(name.end())
            if not text.startswith("=", pos):
                raise BibtexError(f"{label}: expected '=' after field '{field_name}'")
            value, pos = self.parse_value(self.skip_space(pos + 1), field_name, label)
            entry.fields[field_name] = value
            pos = self.skip_space(pos)
            if pos < len(text) and text[pos] == "@":
                raise BibtexError(f"{label} has no closing brace")
            if pos < len(text) and text[pos] not in f",{closer}":
                raise BibtexError(
                    f"{label}: expected ',' or '{closer}' after field '{field_name}' (unbalanced braces?)"
                )

    def parse_value(self, pos: int, name: str, label: str) -> tuple[str, int]:
        parts = []
        text = self.text
        while True:
            if pos >= len(text):
                raise BibtexError(f"{label}: field '{name}' has no value")
            c = text[pos]
            if c == "{":
                end = self.brace_end(pos, name, label)
                parts.append(text[pos + 1 : end])
                pos = end + 1
            elif c == '"':
                end = self.quote_end(pos, name, label)
                parts.append(text[pos + 1 : end])
                pos = end + 1
            elif number := _NUMBER.match(text, pos):
                parts.append(number.group())
                pos = number.end()
            elif macro := _NAME.match(text, pos):
                parts.append(self.macros.get(macro.group().lower(), macro.group()))
                pos = macro.end()
            else:
                raise BibtexError(f"{label}: field '{name}' has no value")
            pos = self.skip_space(pos)
            if not text.startswith("#", pos):
                return "".join(parts), pos
            pos = self.skip_space(pos + 1)

    def _unclosed(self, start: int, end: int | None, name: str, label: str) -> None:
        if end is None or _NEXT_ENTRY.search(self.text, start, end):
            raise BibtexError(f"{label}: field '{name}' has an unclosed brace or quote")

    def brace_end(self, pos: int, name: str, label: str) -> int:
        depth = 0
        for match in _BRACE.finditer(self.text, pos):
            if match.group() == "{":
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    self._unclosed(pos, match.start(), name, label)
                    return match.start()
        self._unclosed(pos, None, name, label)
        raise AssertionError  # unreachable

    def quote_end(self, pos: int, name: str, label: str) -> int:
        depth = 0
        text = self.text
        for match in _BRACE_OR_QUOTE.finditer(text, pos + 1):
            c, i = match.group(), match.start()
            if c == "{":
                depth += 1
            elif c == "}":
                depth = max(depth - 1, 0)
            elif depth == 0 and text[i - 1] != "\\":
                self._unclosed(pos, i, name, label)
                return i
        self._unclosed(pos, None, name, label)
        raise AssertionError  # unreachable


def parse_bibtex(text: str) -> tuple[list[Entry], list[str]]:
    """The entries of a BibTeX text, and one description per entry that could not be read."""
    parser = _Parser(text)
    parser.parse()
    return parser.entries, parser.errors


@lru_cache(maxsize=1)
def _latex_to_text():
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text").latex_to_text


@lru_cache(maxsize=65536)  # the same spans come back ($n$, $k$-means, $\\epsilon$) paper after paper
def _math_text(span: str) -> str:
    try:
        text = _latex_to_text()(_BARE_PERCENT.sub(r"\\%", span))
    except Exception:  # noqa: BLE001 - pylatexenc raises on some malformed macros: keep the span as written
        return span
    return _MATH_LETTERS.sub(lambda letter: unicodedata.normalize("NFKC", letter.group()), text)


def decode_math(value: str) -> str:
    """`value` with each LaTeX math span as Unicode text, by pylatexenc: ``$\\alpha$`` is ``α``,
    ``$m\\le n$`` ``m≤ n``, ``$\\mathbb{R}^d$`` ``ℝ^d``, ``$\\mathcal{O}(n)$`` ``O(n)``. The text outside
    math (accents, ``\\emph``, citations, ``\\%``) is left to `topics.corpus.normalize.tidy_latex`."""
    return _MATH_SPAN.sub(lambda span: _math_text(span.group()), value) if "$" in value else value


def _date(fields: dict[str, str]) -> str | None:
    if fields.get("date"):
        return fields["date"].strip()
    year = re.search(r"\d{4}", fields.get("year", ""))
    if not year:
        return None
    month = fields.get("month", "").strip().lower()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year.group()}-{number:02d}-01" if number else year.group()


def _record(entry: Entry, with_date: bool) -> dict:
    fields = {name: decode_math(value) for name, value in entry.fields.items()}
    row: dict = {"id": entry.key, "title": fields.get("title", ""), "abstract": fields.get("abstract", "")}
    if with_date:
        row["date"] = _date(fields)
    row["entry_type"] = entry.type
    used = ("title", "abstract", "date", "year", "month") if with_date else ("title", "abstract")
    rest = {k: normalize_text(v) for k, v in fields.items() if k not in used}
    renames = metadata_names(list(rest))
    row.update({renames.get(k, k): v for k, v in rest.items()})
    return row


def read_bibtex(path: Path, builder: CorpusBuilder, encoding: str, chunksize: int) -> None:
    entries, errors = parse_bibtex(read_text(path, encoding))
    if not entries and not errors:
        raise NoDocumentsError(
            f"{path} contains no documents: no BibTeX entries found (entries look like "
            "@article{key, title = {...}, ...}); pass format=... (or --format) if it is not BibTeX"
        )
    for description in errors:
        builder.skip(description)
    with_date = any(_date(e.fields) for e in entries)
    builder.columns = {"id": "key", "title": "title", "abstract": "abstract"}
    if with_date:
        builder.columns["date"] = "date (else year, month)"
    records = (_record(e, with_date) for e in entries)
    for batch in records_in_chunks(records, chunksize):
        builder.add_records(batch)
