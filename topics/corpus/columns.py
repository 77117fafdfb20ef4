"""Which columns of a table hold the title, abstract, text, id, date and label.

Names are matched case-insensitively in the order listed below; explicit options win.
Rule for the text: with a title and/or abstract, ``text`` is title + abstract (a body column
such as ``body``/``text`` stands in for a missing abstract); ``text_columns=[...]`` overrides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from topics.corpus.table import CANONICAL, primary_label
from topics.errors import InputError

__all__ = ["CANDIDATES", "ColumnOptions", "ColumnPlan", "metadata_names", "plan_columns"]

CANDIDATES = {
    "title": ("title", "name", "subject"),
    "abstract": ("abstract", "summary", "description"),
    # body columns, used as the abstract when there is none; `body` first: in 20 Newsgroups `text`
    # repeats the mail headers that `body` leaves out
    "body": ("body", "content", "full_text", "text"),
    "id": ("id", "paper_id", "doc_id", "key", "arxiv_id"),
    "date": ("date", "published", "publication_date", "update_date", "year", "created"),
    "label": ("label", "category", "categories", "class", "topic", "area"),
}


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


def _named(path: object, columns: Sequence[str], option: str, name: str) -> str:
    if name in columns:
        return name
    matches = [c for c in columns if c.lower() == str(name).lower()]
    if len(matches) == 1:
        return matches[0]
    raise InputError(
        f"{path}: {option}={name!r} is not a column; columns are: {', '.join(map(str, columns))}"
    )


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
            raise InputError(f"{path}: text_columns is empty; columns are: {', '.join(map(str, columns))}")
        plan.text_columns = [_named(path, columns, "text_columns", n) for n in names]

    taken = {c for c in (plan.title, plan.abstract, plan.id, plan.date, plan.label) if c}
    taken |= set(plan.text_columns)
    for role in ("title", "abstract", "id", "date", "label"):
        if getattr(plan, role) is None and explicit[role] is None:
            found = _find(columns, CANDIDATES[role], taken)
            if found is not None:
                setattr(plan, role, found)
                taken.add(found)
    if plan.abstract is None and options.abstract_column is None:
        plan.abstract = _find(columns, CANDIDATES["body"], taken)
    if plan.label is not None:
        plan.label_is_list = str(plan.label).strip().lower() == "categories"
    if not plan.text_columns and plan.title is None and plan.abstract is None:
        raise InputError(
            f"{path}: no text column found; columns are: {', '.join(map(str, columns))}. "
            "Pass text_columns=[...] (or --text-column)"
        )
    return plan
