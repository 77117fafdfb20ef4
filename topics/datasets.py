"""Sample data bundled with `topics`."""

from __future__ import annotations

from importlib import resources

import pandas as pd

__all__ = ["load_sample_papers"]

SAMPLE_PAPERS = "sample-papers.txt"


def load_sample_papers() -> pd.DataFrame:
    """The 58 papers of the bundled trending-papers listing, as a corpus table.

    Columns ``id``, ``title``, ``abstract``, ``text``, ``listed`` (the listing's date line, "Mar 11")
    and ``line`` (where the title is in the file).
    """
    from topics.corpus import read_corpus

    source = resources.files("topics") / "data" / SAMPLE_PAPERS
    with resources.as_file(source) as path:
        return read_corpus(path, format="listing")
