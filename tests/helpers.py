"""Shared test helpers: where the shared corpora live, and quiet reading of them."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pandas as pd
import pytest

from topics import TopicsWarning, read_corpus


def shared_data_dir() -> Path:
    """``$TOPICS_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("TOPICS_SHARED_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """The path of a shared corpus; skip (or fail under CI) when it is not there."""
    path = shared_data_dir() / name
    if not path.is_file():
        reason = (
            f"shared corpus {name} not found at {path}; set TOPICS_SHARED_DATA to the folder that holds "
            "the shared corpora (../shared/data beside the checkout by default)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def read_shared(name: str) -> pd.DataFrame:
    """A shared corpus read with `read_corpus`, its duplicate warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return read_corpus(shared_file(name))
