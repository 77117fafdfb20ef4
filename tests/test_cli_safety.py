"""`topics` on the command line against careless and hostile use (issue 21, section 3): what --quiet keeps,
where --out may point, progress in logs, control characters in messages, SIGTERM. Real subprocesses."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

import topics

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "topics" / "data" / "sample-papers.txt"


def run(*args: str, cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """`topics ARGS` in a subprocess; warnings are not filtered (PYTHONWARNINGS is unset)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"} | (env or {})
    command = [sys.executable, "-m", "topics.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)


def write_papers(path: Path, ragged: bool = True) -> Path:
    """The 58 sample papers as CSV (title, abstract, year); with `ragged`, also an exact duplicate, a row with
    two fields too many (line 61) and an unreadable year: what reading skips, removes or changes."""
    papers = topics.datasets.load_sample_papers()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "abstract", "year"])
        for i, (title, abstract) in enumerate(zip(papers["title"], papers["abstract"], strict=True)):
            writer.writerow([title, abstract, 2020 + i % 4])
        if ragged:
            writer.writerow([papers["title"][0], papers["abstract"][0], 2020])
            writer.writerow(["A ragged row", "with two fields too many", "2021", "extra", "fields"])
            writer.writerow(["A paper of no known year", "about something else entirely", "someday"])
    return path


def one_line_errors(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: "), result.stderr
    return lines


# ------------------------------------------------------------------------------------------------ --quiet
@pytest.mark.parametrize("command", [["fit", "--out", "model"], ["report", "--out", "report"]])
def test_quiet_silences_progress_but_not_what_reading_dropped(tmp_path, command):
    write_papers(tmp_path / "papers.csv")
    name, *rest = command
    result = run(name, "papers.csv", *rest, "--date-column", "year", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # one warning, one line, no progress
    warning = lines[0]
    assert warning.startswith("topics: warning: read 61 records from papers.csv: ")
    for said in ("removed 1 exact duplicate", "skipped 1 malformed entry (line 61: expected 3 fields, saw 5)",
                 "could not read 1 date in column 'year'"):
        assert said in warning, said
    assert "\r" not in result.stderr
