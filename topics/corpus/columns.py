"""Which columns of a table hold the title, abstract, text, id, date and label.

Names are matched case-insensitively in the order listed below; explicit options win. Web of
Science field tags (TI, AB, PY, UT) count when the header looks like a Web of Science export.
Rule for the text: with a title and/or abstract, ``text`` is title + abstract (a body column such
as ``body``/``text`` stands in for a missing abstract); ``text_columns=[...]`` overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from topics.corpus.normalize import shown_name
from topics.corpus.table import CANONICAL, primary_label
from topics.errors import InputError

__all__ = ["CANDIDATES", "ColumnOptions", "ColumnPlan", "long_text_column", "metadata_names", "plan_columns"]

CANDIDATES = {
    "title": ("title", "name", "subject"),
    # "abstract note": Zotero; "abstract_inverted_index": OpenAlex (rebuilt into text by the reader)
    "abstract": ("abstract", "summary", "description", "abstract note", "abstract_inverted_index"),
    # body columns, used as the abstract when there is none; `body` first: in 20 Newsgroups `text`
    # repeats the mail headers that `body` leaves out
    "body": ("body", "content", "full_text", "text"),
    "id": ("id", "paper_id", "doc_id", "key", "arxiv_id"),
    "date": (
        "date", "published", "publication_date", "update_date", "year", "created", "publication year",
        "publication_year",
    ),
    "label": ("label", "category", "categories", "class", "topic", "area"),
}  # fmt: skip
# Web of Science field tags, used only when the header looks like a Web of Science export
_WOS = {"title": ("ti",), "abstract": ("ab",), "date": ("py",), "id": ("ut",)}
_WOS_TAGS = {"PT", "AU", "SO", "AB", "PY", "UT", "DI", "DE"}
LONG_TEXT = 100  # mean characters from which an unused column looks like an abstract


@dataclass(frozen=True)
class ColumnOptions:
    text_columns: Sequence[str] | None = None
    title_column: str | None = None
    abstract_column: str | None = None
    id_column: str | None = None
    date_column: str | None = None
    label_column: str | None = None

    def given(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ColumnPlan:
    """Source column for each role (None when absent) and how to rename the rest."""

    title: str | None = None
    abstract: str | None = None
    id: str | None = None
    date: str | None = None
    label: str | None = None
    text_columns: list[str] = field(default_factory=list)
    label_is_list: bool = False

    def sources(self) -> dict[str, str]:
        """The source column behind each canonical column that is used (text: its joined columns)."""
        roles = {role: getattr(self, role) for role in ("id", "title", "abstract", "date", "label")}
        if self.text_columns:
            roles["text"] = " + ".join(self.text_columns)
        return {role: str(source) for role, source in roles.items() if source is not None}

    def title_only(self) -> bool:
        return self.abstract is None and not self.text_columns

    def string_columns(self) -> list[str]:
        roles = [self.title, self.abstract, self.id, self.label, *self.text_columns]
        return [c for c in dict.fromkeys(roles) if c is not None]

    def apply(self, chunk: pd.DataFrame) -> tuple[pd.DataFrame, list[str] | None]:
        """The chunk with canonical column names; returns also the columns to join into text."""
        n = len(chunk)
        out: dict[str, object] = {}
        for role in ("id", "title", "abstract", "date"):
            source = getattr(self, role)
            if source is not None:
                out[role] = chunk[source].to_numpy() if source in chunk.columns else [None] * n
        if self.label is not None:
            values = chunk[self.label] if self.label in chunk.columns else [None] * n
            out["label"] = [primary_label(v) for v in values] if self.label_is_list else list(values)
        text_from = None
        if self.text_columns:
            text_from = [f"\x00text{i}" for i in range(len(self.text_columns))]
            for name, source in zip(text_from, self.text_columns, strict=False):
                out[name] = chunk[source].to_numpy() if source in chunk.columns else [None] * n
        used = {self.id, self.title, self.abstract, self.date, *self.text_columns}
        if not self.label_is_list:  # a category list stays as metadata beside its primary label
            used.add(self.label)
        frame = pd.DataFrame(out, index=chunk.index) if out else pd.DataFrame(index=chunk.index)
        meta = chunk[[c for c in chunk.columns if c not in used]]
        meta = meta.rename(columns=metadata_names(list(meta.columns)))
        return pd.concat([frame, meta], axis=1), text_from


def metadata_names(columns: list[str]) -> dict[str, str]:
    """Unused source columns whose names clash with the corpus columns get a ``source_`` prefix."""
    taken = set(columns) | set(CANONICAL)
    renames = {}
    for column in columns:
        if column in CANONICAL:
            new = f"source_{column}"
            while new in taken:
                new = f"source_{new}"
            taken.add(new)
            renames[column] = new
    return renames


def _find(columns: Sequence[str], candidates: Sequence[str], exclude: set[str]) -> str | None:
    lowered: dict[str, str] = {}
    for column in columns:
        lowered.setdefault(str(column).strip().lower(), column)
    for candidate in candidates:
        column = lowered.get(candidate)
        if column is not None and column not in exclude:
            return column
    return None


def _candidates(columns: Sequence[str]) -> dict[str, tuple[str, ...]]:
    if "TI" in columns and len(_WOS_TAGS.intersection(columns)) >= 2:
        return {role: names + _WOS.get(role, ()) for role, names in CANDIDATES.items()}
    return CANDIDATES


def long_text_column(chunk: pd.DataFrame, plan: ColumnPlan) -> str | None:
    """The unused column of the longest prose (it may be an abstract the plan missed), or None."""
    used = {plan.id, plan.title, plan.abstract, plan.date, plan.label, *plan.text_columns}
    head = chunk.head(1000)
    lengths = {column: _prose_length(head[column]) for column in head.columns if column not in used}
    best = max(lengths, key=lengths.__getitem__, default=None)
    return best if best is not None and lengths[best] >= LONG_TEXT else None


def _prose_length(values: pd.Series) -> float:
    """Mean length of the texts, or 0 unless most of their words are lower-case (not author lists, URLs)."""
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    words = [w for text in texts for w in text.split()]
    if not texts or len(words) < 10 * len(texts) or sum(w[0].islower() for w in words) < 0.5 * len(words):
        return 0.0
    return sum(map(len, texts)) / len(texts)


def _listed(columns: Sequence[object]) -> str:
    """Column names for a message, without the control characters some hold (terminal escapes)."""
    return ", ".join(shown_name(c) for c in columns)


def _named(path: object, columns: Sequence[str], option: str, name: str) -> str:
    if name in columns:
        return name
    matches = [c for c in columns if c.lower() == str(name).lower()]
    if len(matches) == 1:
        return matches[0]
    raise InputError(f"{path}: {option}={name!r} is not a column; columns are: {_listed(columns)}")


def plan_columns(path: object, columns: Sequence[str], options: ColumnOptions) -> ColumnPlan:
    """Decide which columns play which role, or raise `InputError` naming the columns that exist."""
    columns = list(columns)
    plan = ColumnPlan()
    explicit = {
        "title": options.title_column,
        "abstract": options.abstract_column,
        "id": options.id_column,
        "date": options.date_column,
        "label": options.label_column,
    }
    for role, name in explicit.items():
        if name is not None:
            setattr(plan, role, _named(path, columns, f"{role}_column", name))
    if options.text_columns is not None:
        names = [options.text_columns] if isinstance(options.text_columns, str) else options.text_columns
        if not names:
            raise InputError(f"{path}: text_columns is empty; columns are: {_listed(columns)}")
        plan.text_columns = [_named(path, columns, "text_columns", n) for n in names]

    taken = {c for c in (plan.title, plan.abstract, plan.id, plan.date, plan.label) if c}
    taken |= set(plan.text_columns)
    candidates = _candidates(columns)
    for role in ("title", "abstract", "id", "date", "label"):
        if getattr(plan, role) is None and explicit[role] is None:
            found = _find(columns, candidates[role], taken)
            if found is not None:
                setattr(plan, role, found)
                taken.add(found)
    if plan.abstract is None and options.abstract_column is None:
        plan.abstract = _find(columns, CANDIDATES["body"], taken)
    if plan.label is not None:
        plan.label_is_list = str(plan.label).strip().lower() == "categories"
    if not plan.text_columns and plan.title is None and plan.abstract is None:
        raise InputError(
            f"{path}: no text column found; columns are: {_listed(columns)}. "
            "Pass text_columns=[...] (or --text-column)"
        )
    return plan
