"""The report's CSV files, written so that opening them in a spreadsheet runs nothing.

A spreadsheet (Excel, LibreOffice, Google Sheets) takes a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula, and a tab or carriage return before one as white space to skip; a title such as
``=HYPERLINK("http://evil.example","click")`` would run for whoever opens documents.csv. Following OWASP's
advice on CSV injection, every text cell (and column name) that begins with one of ``= + - @``, a tab or a
carriage return gets a leading ``'``, which spreadsheets show as text and hide; a ``+`` or ``-`` that
starts a plain number (``-0.5``, ``-1``, ``+3e-2``) is kept, as are numeric columns. ``raw=True`` writes
every value as it is (``write_report(..., raw_csv=True)``, ``topics report --raw-csv``); run.json's
``"csv_cells"`` says which (``"neutralised"`` or ``"raw"``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

__all__ = ["CELLS_NEUTRALISED", "CELLS_RAW", "neutralise", "neutralise_table", "write_csv"]

CELLS_NEUTRALISED = "neutralised"
CELLS_RAW = "raw"
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_QUOTED_OR_ROW_END = re.compile(r'("[^"]*(?:""[^"]*)*")|\r\n')  # a quoted cell (kept whole), or a row's end


def neutralise(value):
    """`value` with a leading ``'`` when it is text a spreadsheet would take for a formula; else as it is."""
    if not isinstance(value, str) or not value.startswith(_TRIGGERS):
        return value
    if value[0] in "+-" and _NUMBER.fullmatch(value):
        return value  # a signed number, not a formula
    return "'" + value


def neutralise_table(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose text cells and column names are neutralised (numbers, booleans and dates
    are left alone)."""
    table = table.copy()
    for column in table.columns:
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            table[column] = values.map(neutralise, na_action="ignore").astype(values.dtype)
    table.columns = [neutralise(c) if isinstance(c, str) else c for c in table.columns]
    return table


def write_csv(table: pd.DataFrame, path: Path, *, raw: bool = False) -> None:
    """Write `table` to `path` as the report's CSV files are written: UTF-8, ``\\n`` line ends, no index,
    cells neutralised unless `raw`.

    A cell holding a carriage return is quoted, in both modes: with ``\\n`` line ends Python 3.11's csv
    writer leaves it bare, and a bare CR ends the row in a spreadsheet or in `pandas.read_csv`, so the
    rest of the cell would become a row of its own (its first cell a formula).
    The table is written with CRLF ends, which quotes every cell holding a CR or LF, and the row ends
    outside quotes become LF.
    """
    text = (table if raw else neutralise_table(table)).to_csv(index=False, lineterminator="\r\n")
    text = _QUOTED_OR_ROW_END.sub(lambda match: match.group(1) or "\n", text)
    Path(path).write_text(text, encoding="utf-8", newline="")
