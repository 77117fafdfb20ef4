"""The report against hostile input and hostile places (issue 21, section 3): CSV cells that a spreadsheet
would run, the report folder's mode, leftovers of killed runs, and --out where it must not go."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

import topics
from topics.named_themes import map_topics
from topics.report import ReportError, _check_target, write_report
from topics.report.cells import neutralise
from topics.theme_files import NamedTheme, load_themes

REPO = Path(__file__).resolve().parents[1]
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1",
            "\t=1+1", "\r=1+1"]
CSV_FILES = ("documents.csv", "topics.csv", "named-themes.csv")


# ------------------------------------------------------------------------------------------- CSV cells
@pytest.mark.parametrize(("value", "written"), [
    *[(f, "'" + f) for f in FORMULAS],
    ("=", "'="), ("-", "'-"), ("+-1", "'+-1"), ("-1e", "'-1e"), ("-inf", "'-inf"), ("- 1", "'- 1"),
    ("-0.5", "-0.5"), ("-1", "-1"), ("+3", "+3"), ("-.5", "-.5"), ("-2.5e-3", "-2.5e-3"), ("+1E+9", "+1E+9"),
    ("normal text", "normal text"), ("", ""), ("a=b", "a=b"), (" =1", " =1"), ("'=1", "'=1"),
    (-0.5, -0.5), (-1, -1), (None, None),
])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(value, written):
    assert neutralise(value) == written


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    """Reports of the sample papers whose ids, titles, an extra column, topic names (a namer) and named
    themes begin with formulas: one written as usual, one with raw_csv=True."""
    corpus = topics.datasets.load_sample_papers()
    corpus["id"] = [f"{FORMULAS[i % 6]} {i}" for i in range(len(corpus))]
    corpus["title"] = [f"{FORMULAS[i % 6]} {title}" for i, title in enumerate(corpus["title"])]
    corpus.loc[0, "title"] = FORMULAS[0]  # a cell that is all formula
    corpus["=cmd"] = [["-0.5", "=1+1", "-1", "normal", "+3", "@x"][i % 6] for i in range(len(corpus))]
    corpus["delta"] = [[-0.5, 0.25, -1.0][i % 3] for i in range(len(corpus))]  # numbers, some negative
    corpus["rank"] = [[-1, 0, 7][i % 3] for i in range(len(corpus))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = topics.TopicModel(progress=False, namer=lambda request: FORMULAS[request["topic"] % 4])
        model.fit(corpus)
    themes = [NamedTheme(FORMULAS[i % 4] + f" {i}", t.description, t.seeds)
              for i, t in enumerate(load_themes(REPO / "examples" / "themes.toml"))]
    named = map_topics(model, themes, space="model")
    folder = tmp_path_factory.mktemp("hostile")
    return {mode: write_report(model, folder / mode, quiet=True, name="hostile", themes=named,
                               raw_csv=mode == "raw").parent for mode in ("neutralised", "raw")}


def _cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_every_csv_neutralises_formulas_and_keeps_everything_else(hostile):
    """Cell by cell against the raw report: a formula gets its quote, every other cell (numbers such as
    -1 and -0.5 among them) is written exactly as in the raw file."""
    seen = set()
    for name in CSV_FILES:
        safe, raw = _cells(hostile["neutralised"] / name), _cells(hostile["raw"] / name)
        assert len(safe) == len(raw) and len(safe) > 1, name
        for safe_row, raw_row in zip(safe, raw, strict=True):
            assert len(safe_row) == len(raw_row), name
            for cell, original in zip(safe_row, raw_row, strict=True):
                if original[:1] in ("=", "+", "-", "@", "\t", "\r") and neutralise(original) != original:
                    assert cell == "'" + original, (name, original)
                    seen.add(original[0])
                else:
                    assert cell == original, (name, original)
    assert seen == {"=", "+", "-", "@", "\t", "\r"}  # every kind of formula reached a CSV
    for cell in (row[0] for row in _cells(hostile["neutralised"] / "documents.csv")[1:]):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_numbers_and_plain_text_are_kept(hostile):
    documents = pd.read_csv(hostile["neutralised"] / "documents.csv", keep_default_na=False)
    raw = pd.read_csv(hostile["raw"] / "documents.csv", keep_default_na=False)
    assert "'=cmd" in documents.columns and "=cmd" in raw.columns  # a column's name is a cell too
    assert documents["'=cmd"].tolist()[:6] == ["-0.5", "'=1+1", "-1", "normal", "+3", "'@x"]
    assert raw["=cmd"].tolist()[:6] == ["-0.5", "=1+1", "-1", "normal", "+3", "@x"]
    for column in ("topic", "theme", "confidence", "x", "y", "is_outlier", "delta", "rank"):
        assert documents[column].tolist() == raw[column].tolist(), column
    assert documents["delta"].tolist()[:3] == [-0.5, 0.25, -1.0]
    assert documents["rank"].tolist()[:3] == [-1, 0, 7]
    assert documents["title"].iloc[0] == "'" + FORMULAS[0] and raw["title"].iloc[0] == FORMULAS[0]
    assert documents["id"].iloc[4] == "'\t=1+1 4" and raw["id"].iloc[4] == "\t=1+1 4"
    assert documents["id"].iloc[5] == "'\r=1+1 5" and raw["id"].iloc[5] == "\r=1+1 5"
    assert len(documents) == len(raw) == 58  # a carriage return in a cell does not split its row


def test_run_json_says_how_cells_were_written(hostile):
    for mode, folder in hostile.items():
        record = json.loads((folder / "run.json").read_text())
        assert record["csv_cells"] == mode


def test_csv_files_of_ordinary_text_are_unchanged(tmp_path):
    """The cells a spreadsheet reads as text anyway are written exactly as pandas writes them."""
    from topics.report.cells import write_csv

    table = pd.DataFrame({"title": ["A study", "x, y", 'say "hi"', "two\nlines", None],
                          "confidence": [-0.5, 0.25, 1.0, -1.0, 0.0], "topic": [-1, 0, 1, 2, 3]})
    write_csv(table, tmp_path / "t.csv")
    expected = io.StringIO()
    table.to_csv(expected, index=False, lineterminator="\n")
    assert (tmp_path / "t.csv").read_bytes() == expected.getvalue().encode()


# ------------------------------------------------------------------------------- the folder and its place
@pytest.fixture(scope="module")
def model() -> topics.TopicModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(topics.datasets.load_sample_papers())


@pytest.fixture(scope="module")
def saved(model, tmp_path_factory) -> Path:
    """The model saved, for the runs in other processes."""
    return model.save(tmp_path_factory.mktemp("saved") / "model")


def _drop_root_powers() -> None:
    """Run as root without the powers that ignore permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
    CAP_FOWNER): read-only folders stop it as they stop anyone else. Called in the child before exec."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_as_a_user(args: list[str], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run `args` (after the Python executable) as a user whom file permissions apply to."""
    env = dict(os.environ, PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    root = os.geteuid() == 0
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, preexec_fn=_drop_root_powers if root else None, **kwargs)


def _modes(folder: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of the folder and everything in it."""
    found = {("folder", stat.S_IMODE(folder.stat().st_mode))}
    for path in folder.rglob("*"):
        found.add(("folder" if path.is_dir() else "file", stat.S_IMODE(path.stat().st_mode)))
    return found


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_the_report_folder_follows_the_umask(model, tmp_path, umask):
    previous = os.umask(umask)
    try:
        target = tmp_path / "r"
        for _ in range(2):  # written, then replaced
            write_report(model, target, quiet=True)
            assert _modes(target) == {("folder", 0o777 & ~umask), ("file", 0o666 & ~umask)}
    finally:
        os.umask(previous)


def _dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_runs_are_cleaned_by_the_next_report(model, tmp_path):
    target = tmp_path / "r"
    write_report(model, target, quiet=True)
    pid = _dead_pid()
    partial = tmp_path / f".r.partial-{pid}-0badc0de"  # a run killed while writing
    partial.mkdir()
    (partial / "map.png").write_bytes(b"half")
    old = tmp_path / f".r.old-{pid}-0badc0de"  # a run killed while putting back the user's files
    old.mkdir()
    (old / "index.html").write_text("the report before")
    (old / "notes.txt").write_text("the user's notes")
    legacy = tmp_path / ".r.partial-k2x9_q1a"  # tempfile.mkdtemp's name, from earlier versions
    legacy.mkdir()
    (legacy / ".pid").write_text(str(pid))
    write_report(model, target, quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (target / "notes.txt").read_text() == "the user's notes"
    assert (target / "index.html").read_text() != "the report before"


def test_an_old_report_killed_between_two_renames_is_put_back(model, tmp_path):
    """Killed after the old report was moved aside and before the new one took its place: the next run
    finds no report, only the old one aside; it puts it back, so the user's files in it stay."""
    old = tmp_path / f".r.old-{_dead_pid()}-0badc0de"
    write_report(model, old, quiet=True)
    (old / "notes.txt").write_text("the user's notes")
    write_report(model, tmp_path / "r", quiet=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]
    assert (tmp_path / "r" / "notes.txt").read_text() == "the user's notes"


READ_ONLY_REPORT = """
import json, os, sys, warnings
from pathlib import Path
import topics
from topics.report import ReportError, _check_target, write_report

model = topics.TopicModel.load(sys.argv[1])
target = Path(sys.argv[2])
write_report(model, target, quiet=True)
for folder in (target / "model", target):
    os.chmod(folder, 0o555)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    write_report(model, target, quiet=True)
print(json.dumps({"beside": sorted(os.listdir(target.parent)), "mode": os.stat(target).st_mode & 0o777,
                  "warnings": [str(w.message) for w in caught if w.category is topics.TopicsWarning]}))
"""


def test_a_read_only_report_is_replaced_without_leftovers(saved, tmp_path):
    folder = tmp_path / "place"
    folder.mkdir()
    result = run_as_a_user(["-c", READ_ONLY_REPORT, str(saved), str(folder / "r")], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome == {"beside": ["r"], "mode": 0o777 & ~_umask(), "warnings": []}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file of the old report to another "
                                               "user (a report that cannot be removed even when writable)")
def test_an_old_report_that_cannot_be_removed_is_named_and_removed_next_time(model, saved, tmp_path):
    folder = tmp_path / "place"
    target = folder / "r"
    write_report(model, target, quiet=True)
    stuck = target / "model"  # given to another user: neither removable nor made writable by this one
    os.chown(stuck, 65534, 65534)
    os.chmod(stuck, 0o555)
    script = ("import sys, topics; from topics.report import write_report; "
              "write_report(topics.TopicModel.load(sys.argv[1]), sys.argv[2], quiet=True)")
    result = run_as_a_user(["-W", "always", "-c", script, str(saved), str(target)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    left = [p for p in folder.iterdir() if p.name != "r"]
    assert len(left) == 1 and left[0].name.startswith(".r.old-"), left
    assert f"{left[0]} is the previous r, which could not be removed" in result.stderr
    os.chown(left[0] / "model", 0, 0)  # the owner makes it removable again
    result = run_as_a_user(["-c", script, str(saved), str(target)], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["r"]


REPORT_OF_SAVED_MODEL = """
import sys, topics
from topics.report import write_report
model = topics.TopicModel.load(sys.argv[1])
model.n_themes = 2
write_report(model, sys.argv[2], quiet=True)
"""


@pytest.mark.parametrize("caller", ["library", "command"])
def test_sigterm_while_writing_leaves_no_partial_folder(model, saved, tmp_path, caller):
    """A report stopped by SIGTERM (a CI timeout, `kill`, a container stopping) while it is written, from
    a program that does not handle SIGTERM itself (`write_report`) and from `topics report` (which does):
    the partial folder is removed, the previous report is intact, the exit status is 143."""
    target = tmp_path / "report"
    write_report(model, target, quiet=True)
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    args = {"library": ["-c", REPORT_OF_SAVED_MODEL, str(saved), str(target)],
            "command": ["-m", "topics.cli", "report", "--out", str(target), "--n-themes", "2", "-q"]}[caller]
    env = dict(os.environ, PYTHONWARNINGS="ignore", MPLBACKEND="Agg")
    process = subprocess.Popen([sys.executable, *args], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    try:
        while not list(tmp_path.glob(".report.partial-*")):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the run never started writing: {process.communicate()}")
            time.sleep(0.02)
        time.sleep(0.3)  # inside the writing: plots under way
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    assert {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()} == before


# ------------------------------------------------------------------------------ where --out may not go
def _one_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: "), result.stderr
    return lines[0]


def test_out_under_a_file_or_in_a_read_only_folder_fails_before_the_fit(tmp_path):
    (tmp_path / "papers.txt").write_text("not a folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    cases = {"papers.txt/report": "papers.txt is a file, not a folder",
             "locked/report": "no permission to write in locked",
             "locked/deeper/report": "no permission to write in locked"}
    for out, why in cases.items():
        result = run_as_a_user(["-m", "topics.cli", "report", "--out", out], cwd=tmp_path)
        line = _one_error(result)  # the command's own check or the report's: the user's path, no other
        assert out in line and why.split()[0] in line and ".partial-" not in line, line
        assert "features:" not in result.stderr  # refused before the fit started
        script = ("import sys; from topics.report import ReportError, _check_target\n"
                  "try: _check_target(sys.argv[1], True)\nexcept ReportError as error: print(error)")
        result = run_as_a_user(["-c", script, out], cwd=tmp_path)
        assert result.stdout.startswith(f"cannot write the report to {out}: {why}"), result
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked", "papers.txt"]
    assert list(locked.iterdir()) == []


def test_force_never_replaces_the_current_folder_an_input_or_its_folder(model, tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    papers = data / "raw" / "papers.csv"
    papers.write_text("title,abstract\n")
    monkeypatch.chdir(data)
    refused = {
        ".": "current folder", str(data): "current folder", "..": "current folder", "/": "current folder",
        "raw": "holds the input file", str(papers): "is the input file",
    }
    for out, message in refused.items():
        for force in (False, True):
            with pytest.raises(ReportError, match=message):
                _check_target(out, force, inputs=[str(papers)])
    with pytest.raises(ReportError, match="holds the input file"):  # the library's corpus_path too
        write_report(model, data / "raw", quiet=True, force=True, corpus_path=papers)
    assert papers.read_text() == "title,abstract\n"
    _check_target("reports/papers", True, inputs=[str(papers)])  # a new folder beside is fine
    _check_target(data / "raw" / "report", True, inputs=[str(papers)])


def test_force_replaces_only_a_folder_of_report_files(tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()
    (folder / "index.html").write_text("a page")
    (folder / "documents.csv").write_text("id\n")
    _check_target(folder, True)
    with pytest.raises(ReportError, match="pass --force"):
        _check_target(folder, False)
    (folder / "thesis.tex").write_text("years of work")
    with pytest.raises(ReportError, match=r"holds files a report does not write \(thesis.tex\)"):
        _check_target(folder, True)
    with pytest.raises(ReportError, match="exists and is not a folder"):
        _check_target(folder / "thesis.tex", True)
