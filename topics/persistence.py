"""Saving and loading a TopicModel without pickle: JSON for settings and text, .npz for arrays.

Loading reads only JSON, gzip'd JSON Lines and NumPy arrays with `allow_pickle=False`, so a model directory
can never run code. A format version and the package versions it was written with are recorded.

Saving builds the folder beside its target and swaps it in once complete (`topics.folders`), so a failure
while saving leaves the previous model whole. model.json records the SHA-256 of each other file, and loading
checks them, then every parameter, piece of state and array (`topics.params`, `topics.model_checks`): a
folder mixed from two models, or damaged, is a ModelError naming the file or field. Models saved before the
digests load without that check.

Parameters are saved as given. So `cache_dir` is saved only if it was set (the default, None, is saved as
None and means the loader's own default cache, ``$TOPICS_CACHE_DIR/embeddings``); a model loaded where the
saved `cache_dir` cannot be used (another machine, a Dask worker: the folder cannot be created or written)
uses the loader's default cache instead, with a `TopicsWarning` that says so.
"""

from __future__ import annotations

import json
import os
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from topics import folders, model_checks, params
from topics.errors import ModelError, TopicsWarning

if TYPE_CHECKING:
    from topics.model import TopicModel

FORMAT = "topics-model"
FORMAT_VERSION = 1
_PACKAGES = ("topics", "numpy", "scipy", "pandas", "scikit-learn", "umap-learn", "hdbscan")

# learned state: (attribute, kind) — "array" goes to arrays.npz, "json" into model.json
_STATE = [
    ("vectors_", "array"), ("map_", "array"), ("reduced_", "array"), ("document_topics_", "array"),
    ("document_confidence_", "array"), ("raw_labels_", "array"), ("class_to_topic_", "array"),
    ("n_documents_", "json"), ("clustering_method_", "json"), ("clustering_settings_", "json"),
    ("relative_validity_", "json"), ("notes_", "json"), ("timings_", "json"),
]
# written since the first release of format 1; a model without them loads with these defaults
_OPTIONAL_STATE = {"n_input_documents_": None, "sample_indices_": None, "guided_": None,
                   "vectors_from_": None,  # None in models saved before it existed: inferred on use
                   "previous_": None, "changes_": None}  # continued from a previous model (topics.changes)
_NAMES_STATE = {"topic_names_": None, "naming_notes_": []}  # a namer's names: kept, the namer is not saved
MANIFEST = "model.json"
DATA_FILES = ("arrays.npz", "counts.npz", "corpus.jsonl.gz")  # their digests are in model.json's "files"


def package_versions(names: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Installed versions of `names` (by default the packages a saved model depends on)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def save(model: TopicModel, directory: str | Path) -> Path:
    """Write `model` to `directory` (created if needed): model.json, arrays.npz, counts.npz and
    corpus.jsonl.gz, all at once: the folder replaces the previous model only when complete. Other files in
    the folder stay."""
    model._check_fitted()
    settings = model.get_params()
    if callable(settings["features"]):
        settings["features"] = "callable"
    settings["namer"] = None  # a function of the user's: its names are saved instead
    settings["guided_themes"] = themes_as_json(settings.get("guided_themes"))
    directory = Path(directory).expanduser()
    if directory.exists() and not directory.is_dir():
        raise ModelError(f"{directory} exists and is not a folder; save the model to a folder")
    arrays = {name: np.asarray(getattr(model, name)) for name, kind in _STATE if kind == "array"}
    arrays["idf"] = model.vocabulary_.idf
    arrays["assigner_weights"] = model.assigner_.weights
    arrays["assigner_bias"] = model.assigner_.bias
    if model.lsa_ is not None:
        arrays["lsa_components"] = model.lsa_.components
        if model.lsa_.context is not None:
            arrays["context_terms"] = model.lsa_.context.terms
            arrays["context_vectors"] = model.lsa_.context.vectors
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": package_versions(),
        "params": {k: (str(v) if isinstance(v, Path) else v) for k, v in settings.items()},
        "state": {
            **{name: getattr(model, name) for name, kind in _STATE if kind == "json"},
            **{name: getattr(model, name, default) for name, default in _OPTIONAL_STATE.items()},
            "changes_": _records(getattr(model, "changes_", None)),
            **{name: getattr(model, name, default) for name, default in _NAMES_STATE.items()},
        },
        "vocabulary": model.vocabulary_.terms,
    }

    def write(folder: Path) -> None:
        np.savez_compressed(folder / "arrays.npz", **arrays)
        # the term counts: recounting a large corpus on every load (each Dask worker loads once) is slow
        sp.save_npz(folder / "counts.npz", model.counts_.tocsr(), compressed=True)
        model.corpus_.to_json(
            folder / "corpus.jsonl.gz", orient="records", lines=True, date_format="iso",
            compression={"method": "gzip", "mtime": 0},
        )
        document["files"] = {name: {"sha256": folders.sha256(folder / name)} for name in DATA_FILES}
        (folder / MANIFEST).write_text(json.dumps(document, indent=1, default=_json_default))

    try:
        folders.replace_folder(directory, write, ours=(MANIFEST, *DATA_FILES))
    except OSError as error:  # a full disk, no permission: say that nothing was lost
        reason = error.strerror or str(error)
        raise OSError(error.errno, f"the model could not be saved ({reason}); a model saved there before is "
                                   "unchanged", str(directory)) from error
    return directory


def themes_as_json(themes):
    """Guided themes as model.json can hold them: a path as text, NamedTheme objects as a mapping."""
    from topics.theme_files import NamedTheme

    if isinstance(themes, Path):
        return str(themes)
    if isinstance(themes, (list, tuple)) and all(isinstance(t, NamedTheme) for t in themes):
        return {"themes": {t.name: {"description": t.description, "seeds": list(t.seeds)} for t in themes}}
    return themes


def _records(table: pd.DataFrame | None) -> list[dict] | None:
    """`changes_` as JSON rows (its missing ids as null)."""
    if table is None:
        return None
    return [{k: (None if v is pd.NA else v) for k, v in row.items()} for row in table.to_dict("records")]


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return value.tolist()
    raise TypeError(f"cannot save {type(value).__name__} in model.json")


def load(directory: str | Path, model_class: type[TopicModel]) -> TopicModel:
    """Read a model written by `save` into a new `model_class` (`TopicModel.load` passes itself, so this
    module never imports the model); a corrupt, foreign, mixed or tampered directory is a ModelError that
    names the file or field."""
    directory = Path(directory).expanduser()
    document = _manifest(directory)
    try:
        params.check_saved_params(document.get("params"), model_class._get_param_names())
        model_checks.check_state(document.get("state"), document.get("vocabulary"))
    except ModelError as error:
        raise ModelError(f"{directory / MANIFEST} cannot be used: {error}") from error
    _check_digests(directory, document)
    damaged = f"{directory} holds a damaged topics model"
    try:
        model = _model(directory, document, model_class)
    except ModelError as error:
        raise ModelError(f"{damaged}: {error}") from error
    except Exception as error:  # noqa: BLE001 - any damage to the files means the same to the user
        raise ModelError(f"{damaged} ({type(error).__name__}: {error})") from error
    model.cache_dir = _usable_cache_dir(model)
    for name, default in _NAMES_STATE.items():
        setattr(model, name, document["state"].get(name, default))
    return model


def _manifest(directory: Path) -> dict:
    """model.json, checked to be ours and of the format this version reads."""
    manifest = directory / MANIFEST
    if not manifest.is_file():
        raise ModelError(f"{directory} is not a saved topics model (no model.json)")
    try:
        document = json.loads(manifest.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelError(f"{manifest} is corrupt: {error}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelError(f"{directory} is not a saved topics model (model.json has no format '{FORMAT}')")
    if document.get("format_version") != FORMAT_VERSION:
        versions = document.get("versions")
        written_by = versions.get("topics", "unknown") if isinstance(versions, dict) else "unknown"
        raise ModelError(
            f"{directory} has model format {document.get('format_version')}; this version of topics reads "
            f"format {FORMAT_VERSION}. Refit the model, or use the topics version that wrote it "
            f"({written_by})"
        )
    return document


def _check_digests(directory: Path, document: dict) -> None:
    """Each file is the one saved with model.json (models saved before the digests have none to check)."""
    files = document.get("files")
    if files is None:
        return
    for name in DATA_FILES:
        entry = files.get(name) if isinstance(files, dict) else None
        expected = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(expected, str):
            raise ModelError(f"{directory / MANIFEST} cannot be used: files has no sha256 of {name}")
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{directory} holds a damaged topics model: {name} is missing")
        if folders.sha256(path) != expected:
            raise ModelError(
                f"{directory} holds a damaged topics model: {name} does not belong with {MANIFEST} (its "
                "SHA-256 is not the one saved with the model: the folder mixes files of two models, or the "
                "file was changed or cut short); save the model again"
            )


def _model(directory: Path, document: dict, model_class: type[TopicModel]) -> TopicModel:
    """The model of checked model.json and the other files, themselves checked before use."""
    from topics.assignment import TopicAssigner
    from topics.features import ContextVectors, LsaProjection, Vocabulary

    state, vocabulary = document["state"], document["vocabulary"]
    n_documents = state["n_documents_"]
    with np.load(directory / "arrays.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    model_checks.check_arrays(arrays, n_documents, len(vocabulary))
    corpus = pd.read_json(directory / "corpus.jsonl.gz", lines=True, dtype=False, compression="gzip")
    model_checks.check_corpus(corpus, n_documents)
    model = model_class(**document["params"])
    for name, kind in _STATE:
        setattr(model, name, arrays[name] if kind == "array" else state[name])
    for name, default in _OPTIONAL_STATE.items():
        setattr(model, name, state.get(name, default))
    if model.changes_ is not None:
        from topics.changes import changes_table

        model.changes_ = changes_table(model.changes_)
    if model.sample_indices_ is not None:
        model.sample_indices_ = np.asarray(model.sample_indices_, dtype=np.int64)
    model.vocabulary_ = Vocabulary(terms=list(vocabulary), idf=arrays["idf"])
    model.lsa_ = None
    if "lsa_components" in arrays:
        context = None  # models saved before context vectors, or fitted on fewer documents, have none
        if "context_vectors" in arrays:
            context = ContextVectors(terms=arrays["context_terms"], vectors=arrays["context_vectors"])
        model.lsa_ = LsaProjection(arrays["lsa_components"], context)
    model.assigner_ = TopicAssigner(weights=arrays["assigner_weights"], bias=arrays["assigner_bias"])
    if "date" in corpus.columns:
        corpus["date"] = pd.to_datetime(corpus["date"], errors="coerce")
    for column in ("id", "title", "text"):
        corpus[column] = corpus[column].fillna("").astype(str)
    model.corpus_ = corpus
    counts_file = directory / "counts.npz"
    counts = sp.load_npz(counts_file).tocsr() if counts_file.is_file() else None
    if counts is None or counts.shape != (len(corpus), len(vocabulary)):
        counts = model.vocabulary_.counts(corpus["text"].tolist())
    model.counts_ = counts
    model._describe()
    return model


def _usable_cache_dir(model: TopicModel):
    """The saved `cache_dir` of an embeddings model if it can hold the cache here, else None (the default
    cache) with a warning; a model that does not embed keeps it as saved (it never uses it)."""
    saved = model.cache_dir
    if saved is None or model.features != "embeddings":
        return saved
    problem = _cache_dir_problem(Path(saved).expanduser())
    if problem is None:
        return saved
    from topics.embeddings import default_cache_dir

    warnings.warn(
        f"the model was saved with cache_dir={str(saved)!r}, which cannot be used here "
        f"({problem}); its embedding cache is the default {default_cache_dir()} instead (set "
        "$TOPICS_CACHE_DIR, or model.cache_dir, to choose another)",
        TopicsWarning,
        stacklevel=4,  # the caller of TopicModel.load
    )
    return None


def _cache_dir_problem(path: Path) -> str | None:
    """Why `path` cannot be (created as) a writable folder, without creating anything; None if it can."""
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            return "no part of the path exists"
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder" if existing != path else "it is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return "it is not writable" if existing == path else f"{existing} is not writable"
    return None
