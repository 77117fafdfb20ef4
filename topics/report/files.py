"""The report's data files: topics.csv, documents.csv, run.json and the saved model."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd

from topics.persistence import package_versions
from topics.report.cells import write_csv
from topics.report.content import model_notes

GENERATOR = "topics"
RUN_FORMAT = 1
DOCUMENT_COLUMNS = ["id", "title", "topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier",
                    "x", "y"]
TOPIC_COLUMNS = ["topic", "theme", "theme_label", "label", "size", "share", "keywords", "keyword_scores",
                 "representative_ids", "representative_titles"]
PACKAGES = ("topics", "numpy", "scipy", "pandas", "scikit-learn", "umap-learn", "hdbscan", "matplotlib")
# parameters whose None means "sized to the corpus when fitting" (clustering.resolved_settings)
AUTO_PARAMS = {"min_cluster_size", "min_samples", "n_neighbors", "n_components", "cluster_selection_method"}
# the variables that set BLAS/OpenMP thread counts at start-up (they can change results at float level)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
# every plot a report may draw (topics.plots.available_plots and the named themes' plot over time)
PLOT_FILES = tuple(f"{name}.png" for name in (
    "map", "topic-sizes", "topic-size-sweep", "topic-keywords", "topic-similarity", "hierarchy",
    "topics-over-time", "theme-composition", "named-themes-over-time", "theme-changes", "emerging-topics"))
# the entries of a report folder: what replacing a report removes, and all --force lets it replace
REPORT_FILES = frozenset({"index.html", "report.md", "documents.csv", "topics.csv", "named-themes.csv",
                          "changes.csv", "emerging.csv",
                          "run.json", "model", *PLOT_FILES})
# corpus columns that are not metadata: the text itself is long and already in the input
_NOT_METADATA = {"id", "title", "abstract", "text"}



def documents_table(model) -> pd.DataFrame:
    """documents.csv: one row per paper, the documented columns first, then the input's metadata."""
    table = model.document_info()[DOCUMENT_COLUMNS].copy()
    table["x"] = table["x"].round(4)
    table["y"] = table["y"].round(4)
    in_sample = getattr(model, "in_sample_", None)
    if in_sample is not None:  # fitted on a sample: which papers the model saw
        table["in_sample"] = np.asarray(in_sample, dtype=bool)
    corpus = model.corpus_.reset_index(drop=True)
    for column in corpus.columns:
        if column in _NOT_METADATA or column in table.columns:
            continue
        values = corpus[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            values = values.dt.strftime(date_format(values))
        table[str(column)] = values.to_numpy()
    return table


def date_format(dates: pd.Series) -> str:
    """As precise as the input was: "%Y" when every date is a 1 January (years only, as BibTeX and most
    exports give them), "%Y-%m" when every one is the first of a month, else "%Y-%m-%d"."""
    known = dates.dropna()
    if len(known) and (known.dt.day == 1).all():
        return "%Y" if (known.dt.month == 1).all() else "%Y-%m"
    return "%Y-%m-%d"


def topics_table(model) -> pd.DataFrame:
    ids = model.corpus_["id"].astype(str).tolist()
    titles = model.corpus_["title"].fillna("").astype(str).tolist()
    rows = []
    for t in range(model.n_topics_):
        h = int(model.topic_themes_[t])
        representative = model.representative_documents_[t]
        rows.append({
            "topic": t, "theme": h, "theme_label": model.theme_labels_[h], "label": model.topic_labels_[t],
            **({"name": model.topic_names_[t] or ""} if getattr(model, "topic_names_", None) else {}),
            "size": int(model.topic_sizes_[t]),
            "share": round(float(model.topic_sizes_[t] / model.n_documents_), 4),
            "keywords": "; ".join(model.topic_keywords_[t]),
            "keyword_scores": "; ".join(f"{float(s):.4f}" for s in model.topic_keyword_scores_[t]),
            "representative_ids": "; ".join(ids[i] for i in representative),
            "representative_titles": " | ".join(titles[i] for i in representative),
        })
    named = bool(getattr(model, "topic_names_", None))
    columns = [*TOPIC_COLUMNS[:TOPIC_COLUMNS.index("label") + 1], "name",
               *TOPIC_COLUMNS[TOPIC_COLUMNS.index("label") + 1:]] if named else TOPIC_COLUMNS
    return pd.DataFrame(rows, columns=columns)


def write_tables(model, folder: Path, *, raw: bool = False) -> None:
    """documents.csv and topics.csv into `folder`, their text cells neutralised unless `raw`
    (`topics.report.cells`)."""
    write_csv(documents_table(model), folder / "documents.csv", raw=raw)
    write_csv(topics_table(model), folder / "topics.csv", raw=raw)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if callable(value):
        return getattr(value, "__name__", "callable")
    return str(value)


def model_settings(model) -> dict:
    """Every setting: the estimator's parameters and what 'auto' resolved to when fitting."""
    from topics.persistence import themes_as_json

    params = dict(model.get_params())
    params.pop("progress", None)
    params.pop("cache_dir", None)
    if params.get("features") == "tfidf":  # no embedding model is used
        params.pop("embedding_model", None)
    params["guided_themes"] = themes_as_json(params.get("guided_themes"))
    if params["guided_themes"] is None:  # not guided
        del params["guided_themes"]
    if params.get("namer") is None:  # no names from the user's function
        params.pop("namer", None)
    # None means "sized to the corpus when fitting": recorded as "auto", as the report shows it
    params = {k: "auto" if v is None and k in AUTO_PARAMS else v for k, v in params.items()}
    clustering = dict(getattr(model, "clustering_settings_", {}) or {})
    clustering.pop("min_cluster_size_sweep", None)  # a table: run.json keeps it apart
    clustering.pop("min_cluster_size_choice", None)
    settings = {
        "params": params,
        "clustering_method": getattr(model, "clustering_method_", None),
        "clustering": clustering,
        "n_topics": int(model.n_topics_),
        "n_themes": int(model.n_themes_),
    }
    if getattr(model, "lsa_", None) is not None:
        settings["vectors"] = model.lsa_.describe()
    if getattr(model, "guided_", None):
        settings["guided"] = model.guided_
    return settings


def choices_record(model) -> dict:
    """run.json's "choices": how min_cluster_size and the number of themes were chosen, and the sweep."""
    clustering = getattr(model, "clustering_settings_", {}) or {}
    return {
        "min_cluster_size": clustering.get("min_cluster_size_choice",
                                           f"min_cluster_size={clustering.get('min_cluster_size')}: set"),
        "min_cluster_size_sweep": clustering.get("min_cluster_size_sweep"),
        "n_themes": getattr(model, "theme_choice_", None),
    }


def sample_record(model) -> dict | None:
    """run.json's "sample": papers fitted, papers of the input, papers in the report, and in words."""
    from topics.placement import K_NEIGHBORS
    from topics.report.content import sample_counts, sample_note

    counts = sample_counts(model)
    if counts is None:
        return None
    fitted, total, covers_all = counts
    return {
        "n_fitted": fitted, "n_input": total, "n_in_report": total if covers_all else fitted,
        "n_assigned": total - fitted if covers_all else 0,
        "placement": f"similarity-weighted mean of the map positions of the {K_NEIGHBORS} most similar "
                     "fitted papers (cosine in the model's feature space)" if covers_all else None,
        "note": sample_note(model),
    }


def environment_record() -> dict:
    """run.json's "environment": CPUs, and the BLAS/OpenMP libraries with their thread counts; the same
    input and seed can give different topics with another thread count (float-level differences)."""
    from threadpoolctl import threadpool_info

    pools = sorted(({"library": str(p.get("prefix")), "internal_api": str(p.get("internal_api")),
                     "num_threads": int(p.get("num_threads") or 0), "version": p.get("version")}
                    for p in threadpool_info()), key=lambda p: (p["internal_api"], p["library"]))
    variables = {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ}
    return {"cpu_count": os.cpu_count(), "threadpools": pools, "thread_variables": variables}


def run_record(model, *, input_info: dict, read_info: dict | None, settings: dict | None, timings: dict,
               metrics: dict, files: list[str]) -> dict:
    from topics import __version__

    counts = {}
    if read_info:
        for key in ("n_read", "n_duplicates", "n_empty", "n_skipped", "n_documents"):
            if key in read_info:
                counts[key] = int(read_info[key])
    counts.setdefault("n_documents", int(model.n_documents_))
    record = {
        "generator": GENERATOR,
        "format": RUN_FORMAT,
        "topics_version": __version__,
        "input": input_info,
        "settings": {"options": dict(settings or {}), "model": model_settings(model)},
        "random_state": model.get_params().get("random_state"),
        "versions": package_versions(PACKAGES),
        "environment": environment_record(),
        "timings": {k: round(float(v), 3) for k, v in timings.items()},
        "counts": counts,
        "results": {
            "n_documents": int(model.n_documents_), "n_topics": int(model.n_topics_),
            "n_themes": int(model.n_themes_), "n_outliers": int(np.asarray(model.is_outlier_).sum()),
            "outlier_share": round(float(model.outlier_share_), 4),
        },
        "metrics": metrics,
        "choices": choices_record(model),
        "notes": model_notes(model),
        "files": files,
    }
    sample = sample_record(model)
    if sample is not None:
        record["sample"] = sample
        record["results"]["n_fitted_documents"] = sample["n_fitted"]
        record["notes"].append(sample["note"])
    if read_info and read_info.get("skipped"):
        record["skipped"] = read_info["skipped"][:50]
    return _jsonable(record)


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def is_our_report(folder: Path) -> bool:
    """True when `folder` holds a run.json written by this package."""
    try:
        data = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("generator") == GENERATOR
