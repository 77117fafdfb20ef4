"""The examples in the documentation run: every `>>>` in docs/api.md and docs/guide.md is a doctest."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", ["api.md", "guide.md"])
def test_doctests(name, tmp_path, monkeypatch):
    path = DOCS / name
    assert path.is_file(), f"{path} is missing"
    monkeypatch.chdir(tmp_path)  # anything an example writes by a relative path lands here
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "cache"))
    result = doctest.testfile(str(path), module_relative=False, optionflags=FLAGS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in docs/{name} failed"


def test_api_reference_has_examples():
    """The API reference keeps its examples (a doctest file without any would pass silently)."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert text.count(">>> ") > 50
    import topics

    for name in topics.__all__:
        assert f"`topics.{name}" in text or f"'{name}'" in text, f"topics.{name} is not documented in api.md"
