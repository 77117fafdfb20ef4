"""A papers listing: a text copy of a trending-papers page.

Page boilerplate ("new", "Subscribe", "Get trending papers in your email inbox!", date lines such
as "Mar 11"), then for each paper a one-line title followed by an abstract paragraph, all separated
by blank lines. Each block is classified on its own (boilerplate, date, title, prose) and papers
are read off the sequence: a title takes the prose that follows it (a second paragraph continues
the abstract); a title followed by another title is a paper without abstract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from topics.corpus.plaintext import Block, blocks
from topics.corpus.source import read_text
from topics.corpus.table import CorpusBuilder, records_in_chunks

__all__ = ["Paper", "classify", "looks_like_listing", "parse_listing", "read_listing"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_PREFIX = r"(?:(?:published|submitted|updated|listed|posted)(?:\s+on)?:?\s+)?"
_DATE_LINE = re.compile(
    rf"^{_PREFIX}{_WEEKDAY}(?:"
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"  # Mar 11 / March 11, 2024
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<y2>\d{{4}}))?"  # 11 March 2024
    rf"|{_MONTH}\s+(?P<y3>\d{{4}})"  # March 2024
    r"|(?P<y4>\d{4})-\d{1,2}-\d{1,2}"  # 2024-03-11
    r"|\d{1,2}/\d{1,2}/(?P<y5>\d{4})"  # 03/11/2024
    r")$",
    re.IGNORECASE,
)
_BOILERPLATE = {
    "new", "subscribe", "unsubscribe", "trending", "trending papers", "daily papers", "papers",
    "get trending papers in your email inbox", "upvote", "submit", "submit paper", "submitted by",
    "search", "sign up", "log in", "login", "previous", "next", "load more", "see all", "view all",
    "more", "share", "menu", "home", "top", "back to top",
}  # fmt: skip
_BOILERPLATE_PATTERNS = (
    re.compile(r"^by\s*\S+(?:\s+and\s+the\s+research\s+community)?$", re.IGNORECASE),
    re.compile(r"^[\W\d_]*$"),  # counts, bullets, separators
    re.compile(r"^(?:©|\(c\)\s|copyright\b|powered by\b|all rights reserved)", re.IGNORECASE),
)
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
MAX_TITLE_CHARS = 300


def _key(line: str) -> str:
    return re.sub(r"[^\w\s]", "", line).strip().lower()


def date_of(line: str) -> tuple[bool, str | None]:
    """(is a date line, the ISO date when it names a year)."""
    match = _DATE_LINE.match(line.strip())
    if not match:
        return False, None
    if not any(match.group(g) for g in ("y1", "y2", "y3", "y4", "y5")):
        return True, None
    text = re.sub(rf"^{_PREFIX}", "", line.strip(), flags=re.IGNORECASE)
    stamp = pd.to_datetime(text, errors="coerce", format="mixed")
    return True, (None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d"))


def classify(block: Block) -> str:
    """One of "boilerplate", "date", "title", "prose"."""
    if len(block.lines) == 1:
        line = block.lines[0]
        if date_of(line)[0]:
            return "date"
        if _key(line) in _BOILERPLATE or any(p.match(line) for p in _BOILERPLATE_PATTERNS):
            return "boilerplate"
        if (
            len(line) <= MAX_TITLE_CHARS
            and not line.endswith((".", ",", ";"))
            and len(_SENTENCE_BREAK.findall(line)) <= 1
        ):
            return "title"
    return "prose"


def _short(line: str) -> bool:
    return len(line.split()) <= 2 and len(line) < 20


@dataclass
class Paper:
    title: str
    abstract: str
    line: int
    listed: str | None = None
    date: str | None = None


def parse_listing(text: str) -> tuple[list[Paper], list[str]]:
    """The papers in a listing, and descriptions of paragraphs that belong to no paper."""
    items = [(b, k) for b in blocks(text) if (k := classify(b)) != "boilerplate"]
    papers: list[Paper] = []
    orphans: list[str] = []
    listed: str | None = None
    listed_date: str | None = None
    previous = None
    for i, (block, kind) in enumerate(items):
        following = items[i + 1][1] if i + 1 < len(items) else None
        if kind == "date":
            listed = block.lines[0]
            listed_date = date_of(listed)[1]
        elif kind == "title" and (following == "prose" or not _short(block.lines[0])):
            papers.append(Paper(block.lines[0], "", block.line, listed, listed_date))
            kind = "paper"
        elif kind == "prose" and previous in ("paper", "abstract"):
            papers[-1].abstract = f"{papers[-1].abstract}\n\n{block.text}".strip()
            kind = "abstract"
        elif kind == "prose":
            orphans.append(f"line {block.line}: a paragraph outside any paper")
        previous = kind
    return papers, orphans


def looks_like_listing(text: str) -> bool:
    """True when most paragraphs pair up as title + abstract (at least two such pairs)."""
    kinds = [k for b in blocks(text) if (k := classify(b)) != "boilerplate"]
    content = sum(k in ("title", "prose") for k in kinds)
    pairs = sum(a == "title" and b == "prose" for a, b in zip(kinds, kinds[1:], strict=False))
    return pairs >= 2 and 2 * pairs >= 0.6 * content


def read_listing(path: Path, builder: CorpusBuilder, encoding: str, chunksize: int) -> None:
    papers, orphans = parse_listing(read_text(path, encoding))
    for description in orphans:
        builder.skip(description)
    with_listed = any(p.listed for p in papers)
    with_date = any(p.date for p in papers)

    def record(paper: Paper) -> dict:
        row: dict = {"title": paper.title, "abstract": paper.abstract}
        if with_date:
            row["date"] = paper.date
        if with_listed:
            row["listed"] = paper.listed
        row["line"] = paper.line
        return row

    for batch in records_in_chunks(map(record, papers), chunksize):
        builder.add_records(batch)
