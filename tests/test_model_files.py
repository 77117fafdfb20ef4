"""A saved model's folder: written whole or not at all, its files checked to belong together, and a damaged
or tampered folder refused with one clear error naming the file or field (issue 21)."""

from __future__ import annotations

import gzip
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import topics
from topics.errors import ModelError
from topics.folders import sha256

MODEL_FILES = ["arrays.npz", "corpus.jsonl.gz", "counts.npz", "model.json"]


@pytest.fixture(scope="module")
def sample():
    return topics.datasets.load_sample_papers()


@pytest.fixture(scope="module")
def fitted(sample) -> topics.TopicModel:
    return topics.TopicModel(progress=False).fit(sample)


@pytest.fixture(scope="module")
def other(sample) -> topics.TopicModel:
    """A second model, of 50 of the papers, with two themes: its files differ from `fitted`'s."""
    return topics.TopicModel(progress=False, n_themes=2).fit(sample.head(50))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    command = [sys.executable, "-m", "topics.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    """The single `topics: error: ...` line of a failed command (exit 1, no traceback)."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: "), result.stderr
    return lines[0]


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rewrite_manifest(folder: Path, change) -> None:
    """Change model.json with `change(document)`, then record the digests of the files as they now are: a
    folder tampered with consistently, which only the checks of the contents can catch."""
    manifest = folder / "model.json"
    document = json.loads(manifest.read_text())
    change(document)
    if "files" in document:
        document["files"] = {name: {"sha256": sha256(folder / name)} for name in document["files"]}
    manifest.write_text(json.dumps(document))


def rewrite_arrays(folder: Path, **replaced: np.ndarray) -> None:
    with np.load(folder / "arrays.npz") as stored:
        arrays = {name: stored[name] for name in stored.files}
    np.savez_compressed(folder / "arrays.npz", **{**arrays, **replaced})
    rewrite_manifest(folder, lambda document: None)


# ---------------------------------------------------------------------------------------------- saving whole
def test_a_failure_while_saving_leaves_the_previous_model_whole(fitted, tmp_path):
    """A real write failure partway through (the file size limit reached while writing arrays.npz, as on a
    full disk): the previous model is left byte for byte, and no half-written folder stays behind."""
    folder = fitted.save(tmp_path / "model")
    before = contents(folder)
    script = textwrap.dedent(f"""
        import resource, signal, sys
        import topics
        model = topics.TopicModel.load({str(folder)!r})
        model.n_themes = 2  # another model, to be saved over the first
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, resource.RLIM_INFINITY))
        try:
            model.save({str(folder)!r})
        except OSError as error:
            print(error.strerror)
            sys.exit(3)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stderr
    assert "too large" in result.stdout  # EFBIG, during np.savez
    assert contents(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no partial folder left
    assert topics.TopicModel.load(folder).n_topics_ == fitted.n_topics_


def test_topics_fit_that_cannot_write_says_so_in_one_line_and_keeps_the_previous_model(tmp_path):
    assert run("fit", "--out", "model", "-q", cwd=tmp_path).returncode == 0
    before = contents(tmp_path / "model")

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, resource.RLIM_INFINITY))

    command = [sys.executable, "-m", "topics.cli", "fit", "--out", "model", "-q", "--n-themes", "2"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            preexec_fn=limited)
    assert one_error_line(result) == ("topics: error: model: the model could not be saved (File too large); "
                                      "a model saved there before is unchanged")
    assert contents(tmp_path / "model") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_failure_in_model_json_keeps_the_previous_model(fitted, tmp_path):
    """model.json is written last, after the arrays: a value it cannot hold fails the save, and the old
    model is still there, loadable."""
    folder = fitted.save(tmp_path / "model")
    before = contents(folder)
    broken = topics.TopicModel.load(folder)
    broken.timings_ = {"features": object()}
    with pytest.raises(TypeError, match="cannot save object"):
        broken.save(folder)
    assert contents(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_the_saved_folder_and_files_follow_the_umask(fitted, tmp_path, umask):
    previous = os.umask(umask)
    try:
        folder = fitted.save(tmp_path / "model")
        fitted.save(folder)  # replacing an existing model too
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's 700
    for path in folder.iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name


def test_saving_again_replaces_the_model_and_keeps_other_files(fitted, other, tmp_path):
    folder = fitted.save(tmp_path / "model")
    (folder / "notes.txt").write_text("my notes on this model")
    (folder / "plots").mkdir()
    (folder / "plots" / "map.png").write_bytes(b"png")
    other.save(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([*MODEL_FILES, "notes.txt", "plots"])
    assert (folder / "notes.txt").read_text() == "my notes on this model"
    assert (folder / "plots" / "map.png").read_bytes() == b"png"
    assert topics.TopicModel.load(folder).n_themes_ == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_saving_through_a_symlink_replaces_the_folder_it_points_to(fitted, other, tmp_path):
    real = fitted.save(tmp_path / "v1")
    link = tmp_path / "current"
    link.symlink_to(real, target_is_directory=True)
    other.save(link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert topics.TopicModel.load(real).n_themes_ == 2


def test_a_partial_folder_of_a_dead_process_is_removed_and_a_file_in_the_way_is_an_error(fitted, tmp_path):
    stale = tmp_path / ".model.partial-999999999-0a1b2c3d"  # no such process
    stale.mkdir()
    (stale / "arrays.npz").write_bytes(b"half")
    fitted.save(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(ModelError, match="exists and is not a folder"):
        fitted.save(tmp_path / "file")


# ---------------------------------------------------------------------------------------------- belonging
def test_a_folder_mixed_from_two_models_is_refused_naming_the_file(fitted, other, tmp_path):
    folder = fitted.save(tmp_path / "model")
    theirs = other.save(tmp_path / "other")
    manifest = json.loads((folder / "model.json").read_text())
    assert set(manifest["files"]) == {"arrays.npz", "counts.npz", "corpus.jsonl.gz"}
    assert manifest["files"]["arrays.npz"]["sha256"] == sha256(folder / "arrays.npz")
    own = (folder / "arrays.npz").read_bytes()
    shutil.copy(theirs / "arrays.npz", folder / "arrays.npz")
    with pytest.raises(ModelError, match=r"arrays.npz does not belong with model.json .*two models"):
        topics.TopicModel.load(folder)
    line = one_error_line(run("info", str(folder), cwd=tmp_path))
    assert "arrays.npz does not belong with model.json" in line
    (folder / "counts.npz").unlink()
    (folder / "arrays.npz").write_bytes(own)
    with pytest.raises(ModelError, match="counts.npz is missing"):
        topics.TopicModel.load(folder)


def test_a_model_saved_before_the_digests_loads_without_a_word(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    document = json.loads((folder / "model.json").read_text())
    del document["files"]
    (folder / "model.json").write_text(json.dumps(document))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = topics.TopicModel.load(folder)
    assert np.array_equal(loaded.transform(fitted.corpus_)[0], fitted.document_topics_)


# ---------------------------------------------------------------------------------------------- damage
def test_an_empty_corpus_file_is_a_clear_error_everywhere(fitted, sample, tmp_path):
    folder = fitted.save(tmp_path / "model")
    with gzip.open(folder / "corpus.jsonl.gz", "wb"):
        pass  # a valid, empty gzip file
    rewrite_manifest(folder, lambda document: None)
    with pytest.raises(ModelError, match="corpus.jsonl.gz holds 0 documents; model.json says 58"):
        topics.TopicModel.load(folder)
    for command in (["info", str(folder)], ["evaluate", str(folder)]):
        assert "corpus.jsonl.gz holds 0 documents" in one_error_line(run(*command, cwd=tmp_path))
    papers = tmp_path / "papers.csv"
    sample[["id", "title", "abstract"]].head(5).to_csv(papers, index=False)
    result = run("assign", str(folder), str(papers), "--out", "assigned", "-q", cwd=tmp_path)
    assert "corpus.jsonl.gz holds 0 documents" in one_error_line(result)


def test_arrays_of_the_wrong_size_fail_on_load_not_in_transform(fitted, tmp_path):
    """A vocabulary or a classifier of the wrong size used to pass `info` and `evaluate`, then crash
    `assign` and `transform` with a matmul dimension mismatch."""
    folder = fitted.save(tmp_path / "model")
    rewrite_manifest(folder, lambda document: document["vocabulary"].pop())
    with pytest.raises(ModelError, match=r"idf has shape \(1059,\); axis 0 should be 1058 \(the terms of"):
        topics.TopicModel.load(folder)
    assert "idf has shape" in one_error_line(run("info", str(folder), cwd=tmp_path))

    folder = fitted.save(tmp_path / "model")
    narrow = fitted.assigner_.weights[:, :-1]
    rewrite_arrays(folder, assigner_weights=narrow)
    with pytest.raises(ModelError, match=r"assigner_weights has shape .*the dimensions of vectors_"):
        topics.TopicModel.load(folder)
    assert "assigner_weights has shape" in one_error_line(run("evaluate", str(folder), cwd=tmp_path))


@pytest.mark.parametrize(("replaced", "message"), [
    ({"document_topics_": np.zeros(58, np.float32)}, "document_topics_ must hold integers, not float32"),
    ({"map_": np.zeros((58, 3), dtype=np.float32)}, r"map_ has shape \(58, 3\); axis 1 should be 2"),
    ({"document_topics_": np.full(58, 99)}, "document_topics_ must lie from -1 to 4"),
    ({"vectors_": np.full((58, 57), np.nan, dtype=np.float32)}, "vectors_ holds NaN"),
    ({"class_to_topic_": np.array([[0, 1, 2, 3, 4]])}, "class_to_topic_ must have 1 dimension"),
])
def test_arrays_of_the_wrong_dtype_shape_or_values_are_named(fitted, tmp_path, replaced, message):
    folder = fitted.save(tmp_path / "model")
    rewrite_arrays(folder, **replaced)
    with pytest.raises(ModelError, match=f"damaged topics model: arrays.npz: {message}"):
        topics.TopicModel.load(folder)


def _set(section: str, name: str, value):
    return lambda document: document[section].__setitem__(name, value)


@pytest.mark.parametrize(("change", "message"), [
    (_set("params", "min_cluster_size", "; rm -rf /"),
     "min_cluster_size must be a whole number of at least 2, not '; rm -rf /'"),
    (_set("params", "random_state", -1), "random_state must be a whole number from 0 to 4294967295, not -1"),
    (_set("params", "n_keywords", 0), "n_keywords must be a positive whole number, not 0"),
    (_set("params", "features", "__import__('os')"), "features must be 'tfidf', 'embeddings' or 'callable'"),
    (_set("params", "evil", 1), "unknown parameter 'evil'"),
    (_set("params", "keep_outliers", "yes"), "keep_outliers must be true or false"),
    (_set("state", "n_documents_", "58"), "state: n_documents_ must be a positive whole number"),
    (_set("state", "notes_", "a note"), "state: notes_ must be a list of strings"),
    (_set("state", "vectors_from_", "pickle"), "state: vectors_from_ must be null or one of"),
    (_set("state", "sample_indices_", [3, 1]), "state: sample_indices_ must be null or n_documents_"),
    (lambda document: document.__setitem__("vocabulary", "words"), "vocabulary must be a non-empty list"),
])
def test_tampered_settings_are_refused_naming_the_field(fitted, tmp_path, change, message):
    folder = fitted.save(tmp_path / "model")
    rewrite_manifest(folder, change)
    with pytest.raises(ModelError, match=f"model.json cannot be used: {message}".replace("(", r"\(")):
        topics.TopicModel.load(folder)


def test_a_tampered_setting_is_one_line_from_the_command_line(fitted, tmp_path):
    folder = fitted.save(tmp_path / "model")
    rewrite_manifest(folder, _set("params", "min_cluster_size", "; rm -rf /"))
    line = one_error_line(run("info", str(folder), cwd=tmp_path))
    assert line.endswith("model.json cannot be used: min_cluster_size must be a whole number of at least 2, "
                         "not '; rm -rf /'")
