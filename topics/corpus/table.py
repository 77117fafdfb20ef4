"""The one place that turns reader output into the corpus table.

Readers push chunks of rows with the canonical columns (``id``, ``title``, ``abstract``, optionally
``text``/``date``/``label``) plus any metadata columns; `CorpusBuilder` cleans the text, drops empty
documents and exact duplicates (remembering a hash of each text, not the text), and `finish` builds
the final frame with its read report in ``df.attrs["topics_read"]``.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from topics.corpus.dates import arxiv_id_dates, parse_dates, read_dates
from topics.corpus.normalize import join_text, normalize_text, shown_name, to_str_or_none
from topics.errors import InputError, NoDocumentsError, TopicsWarning
from topics.wording import noun, plural

__all__ = ["CANONICAL", "CorpusBuilder", "parse_dates", "primary_label", "read_dates", "records_in_chunks"]

CANONICAL = ("id", "title", "abstract", "text", "date", "label")
MAX_SKIPPED = 20
ARXIV_DATES_FROM = "arXiv ids"  # the read report's source of the dates when they come from the ids
_LABEL_SPLIT = re.compile(r"[\s,;]+")


def primary_label(value: object) -> str | None:
    """The first token of a category list such as ``"cs.LG stat.ML"``."""
    text = to_str_or_none(value)
    if text is None:
        return None
    tokens = [t for t in _LABEL_SPLIT.split(text.strip()) if t]
    return tokens[0] if tokens else None


class CorpusBuilder:
    """Collects cleaned, de-duplicated documents chunk by chunk; `finish` builds the corpus table."""

    def __init__(
        self, path: Path, fmt: str, *, keep_every_record: bool = False, strict: bool = False
    ) -> None:
        self.path = path
        self.format = fmt
        self.strict = strict  # a malformed record is an error instead of skipped and counted
        # keep exact duplicates and empty documents as rows (still counted): `topics assign` gives
        # every record a row of its own
        self.keep_every_record = keep_every_record
        self.n_read = 0
        self.n_duplicates = 0
        self.n_empty = 0
        self.n_skipped = 0
        self.skipped: list[str] = []
        self.notes: list[str] = []
        self._seen: set[bytes] = set()
        # every record's own id, kept or not: ids made unique over all records are the same whether
        # duplicates and empty records are dropped or kept
        self._record_ids: list[str | None] = []
        self._parts: list[pd.DataFrame] = []
        self.has_date = False
        self.has_label = False
        # the source column (or field) of each canonical column; set by the reader
        self.columns: dict[str, str] = {}
        self.date_given = False  # the date column was named by the user: it must hold dates
        self.n_dates = 0
        self.n_unparsed_dates = 0
        self.n_dates_from_ids = 0  # dates taken from arXiv ids (no date column)
        self._unparsed_sample: str | None = None

    # -- input -------------------------------------------------------------------------------
    def skip(self, description: str, *, count_as_read: bool = True) -> None:
        """Record a malformed record that the reader could not use; InputError when reading strictly.

        `description` names where it is (``line 3: ...``) and what is wrong with it."""
        if self.strict:
            raise InputError(f"{self.path}, {description} (strict reading: a malformed entry is an error)")
        self.n_skipped += 1
        if count_as_read:
            self.n_read += 1
        if len(self.skipped) < MAX_SKIPPED:
            self.skipped.append(description)

    def add_records(self, records: Sequence[Mapping[str, object]]) -> None:
        if records:
            self.add(pd.DataFrame.from_records(list(records)))

    def add(self, chunk: pd.DataFrame, *, text_from: Sequence[str] | None = None) -> None:
        """Add rows with canonical columns (any may be absent) plus metadata columns.

        `text_from` names columns of `chunk` to clean and join into ``text`` (they are consumed);
        otherwise ``text`` is the chunk's own ``text`` column, or title and abstract joined.
        """
        n = len(chunk)
        self.n_read += n
        if n == 0:
            return
        first_record = len(self._record_ids)
        if "id" in chunk.columns:
            self._record_ids.extend(to_str_or_none(v) for v in chunk["id"])
        else:
            self._record_ids.extend([None] * n)
        titles = self._clean(chunk, "title", n)
        abstracts = self._clean(chunk, "abstract", n)
        if text_from:
            columns = [[normalize_text(v) for v in chunk[c]] for c in text_from]
            texts = [join_text(*parts) for parts in zip(*columns, strict=False)]
            chunk = chunk.drop(columns=[c for c in text_from if c not in CANONICAL])
        elif "text" in chunk.columns:
            texts = self._clean(chunk, "text", n)
        else:
            texts = [join_text(t, a) for t, a in zip(titles, abstracts, strict=False)]

        keep = []
        seen = self._seen
        for i, text in enumerate(texts):
            if not text:
                self.n_empty += 1
                if self.keep_every_record:
                    keep.append(i)
                continue
            digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
            if digest in seen:
                self.n_duplicates += 1
                if self.keep_every_record:
                    keep.append(i)
                continue
            seen.add(digest)
            keep.append(i)
        if not keep:
            return

        # keep only the surviving rows, in compact string columns (not Python objects)
        def kept(values: Sequence) -> list:
            return [values[i] for i in keep]

        chunk = chunk.iloc[keep].reset_index(drop=True)
        out: dict[str, pd.Series] = {
            "id": pd.Series([first_record + i for i in keep], dtype="int64"),  # the record; its id in finish
            "title": pd.Series(kept(titles), dtype="str"),
            "abstract": pd.Series(kept(abstracts), dtype="str"),
            "text": pd.Series(kept(texts), dtype="str"),
        }  # fmt: skip
        if "date" in chunk.columns:
            self.has_date = True
            out["date"], given, unread = read_dates(chunk["date"])
            self.n_dates += given
            self.n_unparsed_dates += len(unread)
            self._unparsed_sample = self._unparsed_sample or (unread[0] if unread else None)
        if "label" in chunk.columns:
            self.has_label = True
            out["label"] = pd.Series([to_str_or_none(v) for v in chunk["label"]], dtype="str")
        meta = chunk.drop(columns=[c for c in chunk.columns if c in CANONICAL])
        self._parts.append(
            pd.concat([pd.DataFrame(out), meta], axis=1) if len(meta.columns) else pd.DataFrame(out)
        )

    @staticmethod
    def _clean(chunk: pd.DataFrame, column: str, n: int) -> list[str]:
        if column not in chunk.columns:
            return [""] * n
        return [normalize_text(v) for v in chunk[column]]

    # -- output ------------------------------------------------------------------------------
    @property
    def n_documents(self) -> int:
        return sum(len(p) for p in self._parts)

    def report(self) -> dict:
        return {
            "path": str(self.path),
            "format": self.format,
            "n_read": self.n_read,
            "n_duplicates": self.n_duplicates,
            "n_empty": self.n_empty,
            "n_skipped": self.n_skipped,
            "n_documents": self.n_documents,
            "skipped": list(self.skipped),
            "n_unparsed_dates": self.n_unparsed_dates,
            **({"n_dates_from_ids": self.n_dates_from_ids} if self.n_dates_from_ids else {}),
            "columns": {role: shown_name(source) for role, source in self.columns.items()},
        }

    def finish(self) -> pd.DataFrame:
        if not self._parts:
            raise NoDocumentsError(self._no_documents_message(), self.report())
        self._check_dates()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # all-NA metadata columns in some chunks
            df = pd.concat(self._parts, ignore_index=True) if len(self._parts) > 1 else self._parts[0]
        self._parts = [df]
        n = len(df)
        unique, renamed = self._unique_ids(self._record_ids)
        renamed_kept = len(renamed.intersection(df["id"]))  # a dropped duplicate's new id is never seen
        if renamed_kept:
            self.notes.append(f"made {plural(renamed_kept, 'repeated id')} unique with a -2, -3... suffix")
        df["id"] = pd.Series([unique[record] for record in df["id"]], dtype="str")
        for column in ("title", "abstract", "text"):
            if df[column].dtype != "str":  # pragma: no cover - every part holds str columns
                df[column] = df[column].astype("str")
        if self.has_date and not pd.api.types.is_datetime64_any_dtype(df["date"]):
            df["date"] = parse_dates(df["date"])  # a part without dates left missing values
        if not self.has_date:
            self._dates_from_ids(df)
        order = [c for c in CANONICAL if c in df.columns]
        result = df[order + [c for c in df.columns if c not in CANONICAL]]
        result.index = pd.RangeIndex(n)
        result.attrs["topics_read"] = self.report()
        self._warn()
        return result

    def _dates_from_ids(self, df: pd.DataFrame) -> None:
        """Without a date column, the month of submission that arXiv ids name (2503.01234, hep-th/9901001)
        is the date, when at least half of the papers have such an id; the read report says so
        (``"columns"``: date from arXiv ids, ``n_dates_from_ids``)."""
        dates = arxiv_id_dates(df["id"])
        found = int(dates.notna().sum())
        if not found or 2 * found < len(df):
            return
        df["date"] = dates.to_numpy()
        self.has_date = True
        self.columns["date"] = ARXIV_DATES_FROM
        self.n_dates_from_ids = found

    def _check_dates(self) -> None:
        """Count unreadable dates in the warning; refuse a named date column without one date."""
        if not self.n_unparsed_dates:
            return
        column = shown_name(self.columns.get("date", "date"))
        sample = (self._unparsed_sample or "")[:60]
        if self.n_unparsed_dates == self.n_dates:
            message = f"no value of the date column {column!r} could be read as a date (e.g. {sample!r})"
            if self.date_given:
                raise InputError(f"{self.path}: {message}; pass date_column=... (or --date-column) "
                                 "naming a column of dates, or leave it out")  # fmt: skip
            self.notes.append(message)
        else:
            left = noun(self.n_unparsed_dates, "it is", "they are")
            self.notes.append(f"could not read {plural(self.n_unparsed_dates, 'date')} in column {column!r} "
                              f"(e.g. {sample!r}); {left} left empty")  # fmt: skip

    def _unique_ids(self, values: list[object]) -> tuple[list[str], set[int]]:
        """An id for every record (missing ones made up, repeated ones suffixed), and which were renamed."""
        ids = [to_str_or_none(v) for v in values]  # missing ids come back from a str column as NaN
        width = max(4, len(str(len(ids))))
        taken = {i for i in ids if i}
        out: list[str] = []
        used: set[str] = set()
        renamed: set[int] = set()
        for position, value in enumerate(ids, start=1):
            if not value:
                value = f"doc-{position:0{width}d}"
                while value in taken or value in used:
                    value += "-x"
            elif value in used:
                renamed.add(position - 1)
                suffix = 2
                while f"{value}-{suffix}" in used or f"{value}-{suffix}" in taken:
                    suffix += 1
                value = f"{value}-{suffix}"
            used.add(value)
            out.append(value)
        return out, renamed

    def _no_documents_message(self) -> str:
        detail = []
        if self.n_read:
            detail.append(f"{plural(self.n_read, 'record')} read")
        if self.n_empty:
            detail.append(f"{self.n_empty} empty")
        if self.n_skipped:
            detail.append(f"{self.n_skipped} malformed")
        if self.skipped:
            detail.append("; ".join(self.skipped[:3]))
        suffix = f" ({', '.join(detail)})" if detail else ""
        return f"{self.path} contains no documents{suffix}"

    def _warn(self) -> None:
        what = []
        if self.n_duplicates:
            what.append(f"kept {plural(self.n_duplicates, 'exact duplicate')}" if self.keep_every_record
                        else f"removed {plural(self.n_duplicates, 'exact duplicate')} (kept the first)")
        if self.n_empty:
            what.append(f"{'kept' if self.keep_every_record else 'dropped'} "
                        f"{plural(self.n_empty, 'empty document')}")
        if self.n_skipped:
            shown = "; ".join(self.skipped[:3]) + ("; ..." if self.n_skipped > 3 else "")
            what.append(f"skipped {plural(self.n_skipped, 'malformed entry')} ({shown})")
        what.extend(self.notes)
        if what:
            message = f"read {plural(self.n_read, 'record')} from {self.path.name}: " + ", ".join(what)
            warnings.warn(message, TopicsWarning, stacklevel=4)


def records_in_chunks(records: Iterable[Mapping[str, object]], size: int) -> Iterable[list]:
    """Group an iterable of records into lists of at most `size`."""
    batch: list = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
