"""Counted nouns for messages and pages: '1 paper', '2 papers', '1,000 malformed entries'."""

from __future__ import annotations


def noun(count: int, singular: str, many: str | None = None) -> str:
    """`singular` for 1, else `many` (default: "entry" -> "entries", "paper" -> "papers")."""
    if count == 1:
        return singular
    if many:
        return many
    if singular.endswith("y") and singular[-2:-1] not in tuple("aeiou"):
        return singular[:-1] + "ies"
    return singular + "s"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """The count with its noun: '1 paper', '2 papers', '1,000 papers'."""
    return f"{count:,} {noun(count, singular, many)}"
