"""Reading a date column: ISO dates, years, "Mar 2021", ``05.03.2021`` (day first), and numbers.

A number (``2020``, ``2020.0``, ``202003``, ``20200101``, or the same digits as text) is a date only as a
4-digit year, YYYYMM or YYYYMMDD; any other number (``-5000``, ``12345``, a Unix time) is unreadable
rather than a date in 1970. Dates outside the years `FIRST_YEAR`..`LAST_YEAR` are unreadable too. Every
value given that cannot be read is returned, so that the reader can count and show it.

`arxiv_id_dates` gives the month of submission that an arXiv id names (``2503.01234``, ``arXiv:2503.01234v2``,
``hep-th/9901001``), for a corpus without a date column; `date_periods` chooses the periods (years, months
or days) in which dates are counted, and `paper_dates` which papers of a read corpus have a date, for the
plots over time and the emerging topics alike.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

from topics.corpus.normalize import to_str_or_none

__all__ = ["FIRST_YEAR", "LAST_YEAR", "arxiv_id_dates", "date_periods", "paper_dates", "parse_dates",
           "read_dates"]

FIRST_YEAR, LAST_YEAR = 1000, 2999
_NUMBER = re.compile(r"^\s*([+-]?\d+)(?:\.0*)?\s*$")  # 2020, 2020.0, 20200101, -5000
_DOTTED = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")  # 05.03.2021: day first, as in Europe


def _from_digits(digits: str) -> str | None:
    """The ISO date of a 4-digit year, YYYYMM or YYYYMMDD; None for any other number or a date that
    does not exist (20201345)."""
    if not digits.isdigit() or len(digits) not in (4, 6, 8):
        return None
    year, month, day = int(digits[:4]), int(digits[4:6] or 1), int(digits[6:8] or 1)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def _candidate(value: object) -> tuple[str | None, str | None]:
    """(the value as text, None when missing; the text to parse as a date, None when it cannot be one)."""
    if isinstance(value, (bool, np.bool_)):
        return str(value), None
    if isinstance(value, (int, np.integer)):
        return str(value), _from_digits(str(value))
    if isinstance(value, (float, np.floating)):
        if value != value:  # NaN
            return None, None
        if not float(value).is_integer() or abs(value) >= 1e18:
            return repr(float(value)), None
        return str(int(value)), _from_digits(str(int(value)))
    text = to_str_or_none(value)
    if text is None or not text.strip():
        return None, None
    text = text.strip()
    number = _NUMBER.match(text)
    if number:
        return text, _from_digits(number.group(1))
    dotted = _DOTTED.match(text)
    if dotted:
        day, month, year = dotted.groups()
        return text, f"{year}-{int(month):02d}-{int(day):02d}"
    return text, text


def _parse_one(text: str) -> pd.Timestamp:
    try:
        stamp = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if stamp is None or pd.isna(stamp) or not FIRST_YEAR <= stamp.year <= LAST_YEAR:
        return pd.NaT
    return stamp


def read_dates(values: pd.Series) -> tuple[pd.Series, int, list[str]]:
    """`parse_dates`, the number of values given, and the given values (as text) that could not be read."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        dates = pd.to_datetime(values, utc=True)
        return dates.dt.tz_localize(None).reset_index(drop=True), int(dates.notna().sum()), []
    pairs = [_candidate(v) for v in values]
    parsed = {c: _parse_one(c) for c in {c for _, c in pairs if c is not None}}
    stamps = [parsed[c] if c is not None else pd.NaT for _, c in pairs]
    dates = pd.to_datetime(pd.Series(stamps, dtype=object), utc=True)
    given = [text for text, _ in pairs if text is not None]
    unread = [text for text, c in pairs if text is not None and (c is None or pd.isna(parsed[c]))]
    return dates.dt.tz_localize(None).reset_index(drop=True), len(given), unread


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as naive UTC datetime64; a year alone is 1 January of it, ``05.03.2021`` is 5 March,
    ``20200101`` 1 January 2020; anything unreadable is NaT."""
    return read_dates(values)[0]


# new-style arXiv ids (April 2007 on): YYMM.NNNN until 2014, YYMM.NNNNN from 2015; 1-3 digits after the point
# are accepted too, since a spreadsheet that took the id for a number dropped its trailing zeros
# (2501.00010 -> 2501.0001); optional "arXiv:" or an arxiv.org/abs address before, "v2" after
_ARXIV_NEW = re.compile(
    r"^\s*(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)?(\d{2})(\d{2})\.\d{1,5}(?:v\d+)?(?:\.pdf)?\s*$",
    re.IGNORECASE,
)
# old-style ids (1991 to March 2007): archive[.subject]/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136
_ARXIV_OLD = re.compile(
    r"^\s*(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)?[a-z][a-z-]*(?:\.[a-z]{2})?/(\d{2})(\d{2})\d{3}"
    r"(?:v\d+)?\s*$",
    re.IGNORECASE,
)


def _arxiv_month(value: object) -> str | None:
    """The ISO date (first of the month) that an arXiv id names; None for anything else."""
    text = to_str_or_none(value)
    if not text:
        return None
    new = _ARXIV_NEW.match(text)
    if new:
        year, month = 2000 + int(new.group(1)), int(new.group(2))
        if not 1 <= month <= 12 or (year, month) < (2007, 4):
            return None
        return f"{year}-{month:02d}-01"
    old = _ARXIV_OLD.match(text)
    if old:
        yy, month = int(old.group(1)), int(old.group(2))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if not 1 <= month <= 12 or (year, month) > (2007, 3):
            return None
        return f"{year}-{month:02d}-01"
    return None


def arxiv_id_dates(ids: pd.Series) -> pd.Series:
    """The first day of the month of submission that each arXiv id names (``2503.01234`` -> 2025-03-01,
    ``hep-th/9901001`` -> 1999-01-01), as naive datetime64; NaT for a value that is no arXiv id."""
    months = [_arxiv_month(v) for v in ids]
    return pd.to_datetime(pd.Series(months, dtype=object), format="%Y-%m-%d").reset_index(drop=True)


def paper_dates(corpus: pd.DataFrame | None) -> pd.Series | None:
    """Each paper's date (NaT where it has none; index 0..n-1, the papers' rows), or None when the corpus
    has no date column."""
    if corpus is None or "date" not in corpus.columns:
        return None
    return pd.to_datetime(corpus["date"]).reset_index(drop=True)


def date_periods(dates: pd.Series) -> tuple[pd.Series, str]:
    """The period of each date (none missing) as sortable text, and the unit: years when the dates span more
    than three years or are all 1 January, months when they span more than 90 days, else days."""
    span = dates.max() - dates.min()
    if span > pd.Timedelta(days=3 * 365) or (dates.dt.month.eq(1) & dates.dt.day.eq(1)).all():
        return dates.dt.year.astype("Int64").astype(str), "year"
    if span > pd.Timedelta(days=90):
        return dates.dt.strftime("%Y-%m"), "month"
    return dates.dt.strftime("%Y-%m-%d"), "day"
