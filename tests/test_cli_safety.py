"""`topics` on the command line against careless and hostile use (issue 21, section 3): what --quiet keeps,
where --out may point, progress in logs, control characters in messages, SIGTERM. Real subprocesses, but for
the runs that only write a report or a model (see `here`)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import run_topics_here

import topics
import topics.progress as progress_module
from topics.cli import UsageError, build_parser
from topics.cli_options import resolve_options

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "topics" / "data" / "sample-papers.txt"


def run(*args: str, cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """`topics ARGS` in a subprocess; warnings are not filtered (PYTHONWARNINGS is unset)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"} | (env or {})
    command = [sys.executable, "-m", "topics.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)


def here(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`topics ARGS` in this process (`topics.cli.main`, what the `topics` script runs), warnings filtered as
    in a fresh interpreter: for runs that only need a report or a model written, or what the command prints,
    without a new interpreter's 3-4 s of imports and compiling. What a real process shows (--quiet's stderr
    with every import's warnings, progress in a log or a terminal, exit codes, SIGTERM) stays with `run`."""
    return run_topics_here(*args, cwd=cwd, show_warnings=True)


def write_papers(path: Path, ragged: bool = True, count: int = 58) -> Path:
    """The first `count` sample papers as CSV (title, abstract, year); with `ragged`, also an exact duplicate,
    a row with two fields too many (line 61 of the 58) and an unreadable year: what reading skips, removes or
    changes."""
    papers = topics.datasets.load_sample_papers().head(count)
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


# ------------------------------------------------------------------------------------------------ --out
FIT_OUT_CASES = {  # case: (--out, extra options, how the one error line starts)
    "under a file": ("notes.txt/model", [],
                     "cannot write --out notes.txt/model: notes.txt is a file, not a folder"),
    "a file": ("notes.txt", [], "--out notes.txt is a file, not a folder"),
    "the current folder": (".", ["--force"], "--out . is the current folder"),
    "a folder holding the current one": ("..", ["--force"],
                                         "--out .. is a folder that holds the current folder"),
    "the input itself": ("data/papers.csv", ["--force"],
                         "--out data/papers.csv is the input data/papers.csv itself"),
    "the input's folder": ("data", ["--force"], "--out data holds the input data/papers.csv"),
    "a folder of other files": ("notes", [], "--out notes exists and does not hold a saved model"),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """data/papers.csv, notes.txt and notes/thesis.tex: an input and files of the user's."""
    folder = tmp_path_factory.mktemp("workspace")
    (folder / "data").mkdir()
    write_papers(folder / "data" / "papers.csv", ragged=False)
    (folder / "notes.txt").write_text("my notes")
    (folder / "notes").mkdir()
    (folder / "notes" / "thesis.tex").write_text("years of work")
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", list(FIT_OUT_CASES))
def test_fit_refuses_a_harmful_out_before_reading(workspace, case):
    out, extra, said = FIT_OUT_CASES[case]
    before = files_of(workspace)
    result = run("fit", "data/papers.csv", "--out", out, *extra, cwd=workspace)
    assert result.returncode == 1, result.stderr
    [line] = one_line_errors(result)  # no "topics: reading" before it: refused before any work
    assert line.startswith(f"topics: error: {said}"), line
    assert ".partial" not in line
    assert files_of(workspace) == before


def test_fit_force_saves_into_a_folder_of_other_files_and_keeps_them(workspace, tmp_path):
    (tmp_path / "scratch").mkdir()
    (tmp_path / "scratch" / "keep.txt").write_text("mine")
    result = here("fit", str(workspace / "data" / "papers.csv"), "--out", "scratch", "--force", "-q",
                  cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "scratch" / "model.json").is_file()
    assert (tmp_path / "scratch" / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("out", ["notes.txt/report", "notes.txt"])
def test_report_refuses_an_out_under_a_file_before_reading(workspace, out):
    result = run("report", "data/papers.csv", "--out", out, cwd=workspace)
    assert result.returncode == 1, result.stderr
    [line] = one_line_errors(result)  # named as written, not as an internal folder
    assert line.startswith(f"topics: error: cannot write the report to {out}: " if "/" in out
                           else f"topics: error: {out} exists and is not a folder"), line
    assert ".partial" not in line and (workspace / "notes.txt").read_text() == "my notes"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not bind the root user")
@pytest.mark.parametrize("command", ["fit", "report"])
def test_an_unwritable_parent_is_refused_before_reading(workspace, tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run(command, str(workspace / "data" / "papers.csv"), "--out", "locked/out", cwd=tmp_path)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1, result.stderr
    [line] = one_line_errors(result)
    assert "locked/out" in line and "permission" in line, line


def test_two_inputs_of_one_name_do_not_share_the_default_report(tmp_path):
    write_papers(tmp_path / "papers.csv", ragged=False, count=20)  # few papers: quick reports
    papers = topics.read_corpus(tmp_path / "papers.csv")
    papers[["title", "abstract"]].to_json(tmp_path / "papers.json", orient="records")
    assert here("report", "papers.csv", "-q", cwd=tmp_path).returncode == 0
    first = files_of(tmp_path / "reports" / "papers")
    result = here("report", "papers.json", cwd=tmp_path)
    assert result.returncode == 1
    [line] = one_line_errors(result)
    assert line == ("topics: error: reports/papers holds the report of papers.csv, not of papers.json; write "
                    "this one with --out reports/papers-json, or pass --force to replace that report")
    assert files_of(tmp_path / "reports" / "papers") == first
    # the first input still writes its own default folder, also when it was named from another folder
    (tmp_path / "elsewhere").mkdir()
    again = here("report", "../papers.csv", "--out", "../reports/papers", "-q", cwd=tmp_path / "elsewhere")
    assert again.returncode == 0, again.stderr
    assert here("report", "papers.csv", "-q", cwd=tmp_path).returncode == 0  # same file, named another way
    # --force replaces the other input's report
    assert here("report", "papers.json", "--force", "-q", cwd=tmp_path).returncode == 0
    record = json.loads((tmp_path / "reports" / "papers" / "run.json").read_text())
    assert record["input"]["path"] == "papers.json"


# ------------------------------------------------------------------------------------------------ --raw-csv
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "@SUM(1+1)"]


@pytest.mark.parametrize("raw", [False, True])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised_unless_raw_csv(tmp_path, raw):
    write_papers(tmp_path / "papers.csv", ragged=False)
    table = pd.read_csv(tmp_path / "papers.csv")
    table.loc[: len(FORMULAS) - 1, "title"] = FORMULAS
    table.to_csv(tmp_path / "papers.csv", index=False)
    result = here("report", "papers.csv", "--out", "r", "-q", *(["--raw-csv"] if raw else []), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    documents = pd.read_csv(tmp_path / "r" / "documents.csv", keep_default_na=False)
    titles = set(documents["title"])
    for formula in FORMULAS:
        assert (formula if raw else "'" + formula) in titles
        assert (("'" + formula) if raw else formula) not in titles
    record = json.loads((tmp_path / "r" / "run.json").read_text())
    assert record["csv_cells"] == ("raw" if raw else "neutralised")
    assert record["settings"]["options"].get("raw_csv", False) is raw


def test_raw_csv_in_the_config_file(tmp_path):
    (tmp_path / "raw.toml").write_text("raw_csv = true\n")
    (tmp_path / "bad.toml").write_text('raw_csv = "yes"\n')
    parser = build_parser()
    assert resolve_options(parser.parse_args(["report", "--config", str(tmp_path / "raw.toml")]))["raw_csv"]
    assert not resolve_options(parser.parse_args(["report"]))["raw_csv"]
    with pytest.raises(UsageError, match=r"raw_csv = 'yes' is not valid \(expected true or false\)"):
        resolve_options(parser.parse_args(["report", "--config", str(tmp_path / "bad.toml")]))


# ------------------------------------------------------------------------------------------------ progress
def test_progress_in_a_log_is_plain_lines(tmp_path):
    """stderr to a file (a CI log): one line per step, no carriage-return frames of a bar."""
    log = tmp_path / "stderr.log"
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    with open(log, "w") as handle:
        command = [sys.executable, "-m", "topics.cli", "report", "--out", "r", "--stability", "2"]
        result = subprocess.run(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=handle, timeout=300,
                                env=environment)
    assert result.returncode == 0, log.read_text()
    text = log.read_text()
    assert "\r" not in text and "\x1b" not in text
    lines = text.splitlines()
    assert all(line.startswith("topics: ") for line in lines), text
    steps = [line for line in lines if line.startswith("topics: fitting: ") and "(step " in line]
    assert steps[0] == "topics: fitting: features (step 1 of 6)" and len(steps) == 6, text


def test_progress_in_a_terminal_is_a_bar(tmp_path):
    """stderr to a terminal (a pseudo-terminal here): the tqdm bar, redrawn in place, as before."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "topics.cli", "fit", "--out", "m"], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=300) == 0
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "\r" in text and "fitting:" in text and "step 1 of 6" not in text


def test_plain_lines_say_how_far_a_long_step_is(capsys, monkeypatch):
    monkeypatch.setattr(progress_module, "LINE_SECONDS", 0.0)  # every update is "long enough"
    assert progress_module.mode() == "lines"  # pytest captures stderr: not a terminal
    assert list(progress_module.progress(range(3), "stability reruns", total=3, unit="run")) == [0, 1, 2]
    with progress_module.Steps(2, "fitting") as steps:
        steps.advance("features")
        steps.advance("UMAP")
    assert list(progress_module.progress(range(3), "hidden", total=3, enabled=False)) == [0, 1, 2]
    lines = capsys.readouterr().err.splitlines()
    assert [line.rsplit(" (", 1)[0] for line in lines] == [
        "topics: stability reruns: 1 of 3 runs", "topics: stability reruns: 2 of 3 runs",
        "topics: stability reruns: 3 of 3 runs", "topics: stability reruns: 3 of 3 runs done",
        "topics: fitting: features", "topics: fitting: UMAP"]


def test_in_jupyter_progress_stays_a_widget(tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="needs the dev extra (nbformat)")
    nbclient = pytest.importorskip("nbclient", reason="needs the dev extra (nbclient)")
    pytest.importorskip("ipykernel", reason="needs the dev extra (ipykernel)")
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    spec = tmp_path / "kernels" / "topics-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "topics tests", "language": "python"}))
    source = ("from topics.progress import Steps, mode\nprint(mode())\n"
              "with Steps(2, 'fitting') as steps:\n"
              "    steps.advance('features')\n    steps.advance('UMAP')\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    manager = AsyncKernelManager(kernel_name="topics-test", kernel_spec_manager=specs)
    nbclient.NotebookClient(notebook, km=manager, timeout=120, allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = notebook.cells[0].outputs
    printed = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
    assert printed.splitlines()[0] == "widget" and "topics: fitting" not in printed
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in outputs)


# ------------------------------------------------------------------------------------------------ escapes
ESCAPE = "\x1b[31m\x9b2J"  # red text, and a C1 "clear screen"


@pytest.mark.parametrize("case", ["missing input", "unknown option", "unknown column", "out under a file"])
def test_what_the_user_typed_is_echoed_without_terminal_escapes(workspace, case):
    args = {
        "missing input": ["report", f"{ESCAPE}nowhere.csv"],
        "unknown option": ["report", f"--bogus{ESCAPE}"],
        "unknown column": ["report", "data/papers.csv", "--text-column", f"{ESCAPE}red"],
        "out under a file": ["fit", "data/papers.csv", "--out", f"notes.txt/{ESCAPE}model"],
    }[case]
    result = run(*args, cwd=workspace)
    assert result.returncode == (2 if case == "unknown option" else 1), result.stderr
    assert "Traceback" not in result.stderr
    assert not set(result.stderr) & {"\x1b", "\x9b", "\r"}, repr(result.stderr)
    assert result.stderr.strip().splitlines()[-1].startswith("topics")


def test_an_input_whose_name_holds_escapes_is_named_without_them(tmp_path):
    name = f"{ESCAPE}papers.csv"
    write_papers(tmp_path / name)
    result = here("fit", name, "--out", "model", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not set(result.stderr + result.stdout) & {"\x1b", "\x9b", "\r"}, repr(result.stderr)
    shown = "[31m 2Jpapers.csv"  # ESC and CSI as spaces, the spaces collapsed
    assert f"topics: warning: read 61 records from {shown}: removed 1 exact duplicate" in result.stderr
    assert f"topics: reading: 59 papers from {shown}" in result.stderr


# ------------------------------------------------------------------------------------------------ SIGTERM
def leftovers(out: Path) -> list[str]:
    """Hidden folders of a write of `out` beside it (``.NAME.partial-*``, ``.NAME.old-*``, ...)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


def writing(out: Path) -> bool:
    """A new report of `out` is being written: its partial folder beside `out` holds a first file (then
    the writer is well inside its cleanup, not between creating the folder and guarding it)."""
    for name in leftovers(out):
        try:
            if ".partial" in name and any((out.parent / name).iterdir()):
                return True
        except OSError:  # gone meanwhile
            pass
    return False


def terminate_when(process: subprocess.Popen, ready, what: str, seconds: float = 240) -> None:
    """Send SIGTERM to `process` as soon as `ready()` holds."""
    deadline = time.monotonic() + seconds
    while not ready():
        if process.poll() is not None:
            pytest.fail(f"the run finished before {what}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the run never got to {what}")
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)


def test_sigterm_while_a_report_is_written_leaves_the_previous_report(tmp_path):
    out = tmp_path / "report"
    assert here("report", "--out", str(out), "-q", cwd=tmp_path).returncode == 0  # the previous report
    before = files_of(out)
    process = subprocess.Popen([sys.executable, "-m", "topics.cli", "report", "--out", str(out),
                                "--n-themes", "2", "-q"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        terminate_when(process, lambda: writing(out), "writing its report")
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1] == "topics: terminated (SIGTERM)" and "Traceback" not in stderr
    assert leftovers(out) == []
    assert files_of(out) == before


def test_sigterm_while_fitting_leaves_the_previous_model(tmp_path):
    out = tmp_path / "model"
    assert here("fit", "--out", "model", "-q", cwd=tmp_path).returncode == 0  # the previous model
    before = files_of(out)
    log = tmp_path / "stderr.log"
    with open(log, "w") as handle:
        process = subprocess.Popen([sys.executable, "-m", "topics.cli", "fit", "--out", "model",
                                    "--random-state", "7"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                   stderr=handle)
        try:
            terminate_when(process, lambda: "topics: fitting: UMAP" in log.read_text(), "its UMAP step")
            process.wait(timeout=60)
        finally:
            process.kill()
    assert process.returncode == 143, log.read_text()
    assert log.read_text().strip().splitlines()[-1] == "topics: terminated (SIGTERM)"
    assert leftovers(out) == []
    assert files_of(out) == before
