"""`write_report`: the shareable report folder for a fitted TopicModel.

The folder holds index.html (self-contained), report.md, the PNG plots, topics.csv, documents.csv,
run.json and the saved model. A model fitted on a sample (`fit(corpus, sample=N)`) is reported over every
paper of `corpus=` (see `topics.report.coverage`). Everything is built in a temporary sibling folder that
replaces the old report only once complete, so an interrupted run leaves the previous report as it was.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import types
from pathlib import Path

from topics.errors import TopicsError
from topics.folders import sha256

__all__ = ["ReportError", "write_report"]

PARTIAL = ".partial-"
OLD = ".old-"


class ReportError(TopicsError):
    """The report cannot be written where asked."""


def _say(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def _metrics(model) -> dict[str, float]:
    try:
        from topics import evaluation
    except ImportError:
        return {}
    if not hasattr(evaluation, "evaluate"):
        return {}
    values = dict(evaluation.evaluate(model))
    values.update({f"stability_{k}": v for k, v in getattr(model, "stability_", {}).items()})
    return {str(k): float(v) for k, v in values.items()}


def _check_target(out: Path, force: bool) -> None:
    from topics.report.files import is_our_report

    if out.exists() and not out.is_dir():
        if not force:
            raise ReportError(f"{out} exists and is not a folder; choose another --out or pass --force")
        return
    if out.is_dir() and any(out.iterdir()) and not is_our_report(out) and not force:
        raise ReportError(
            f"{out} exists and is not a topics report (no run.json of ours); choose another --out, "
            "or pass --force to replace it"
        )


def _clean_leftovers(out: Path) -> None:
    """Remove partial folders of earlier runs that were interrupted (their process is gone)."""
    for stale in out.parent.glob(f".{out.name}{PARTIAL}*"):
        pid_file = stale / ".pid"
        try:
            pid = int(pid_file.read_text())
            os.kill(pid, 0)  # still running: leave it alone
            continue
        except (OSError, ValueError):
            pass
        shutil.rmtree(stale, ignore_errors=True)


def write_report(model, out, *, corpus=None, embeddings=None, corpus_path=None, read_info: dict | None = None,
                 settings: dict | None = None, force: bool = False, quiet: bool = False,
                 name: str | None = None, timings: dict | None = None, themes=None,
                 raw_csv: bool = False) -> Path:
    """Write the report of a fitted `model` into the folder `out`; returns the path of index.html.

    Parameters
    ----------
    corpus
        For a model fitted on a sample (``fit(corpus, sample=N)``): the whole corpus given to fit. The
        papers outside the sample get their topic from ``model.assign`` and a map position beside the
        fitted papers they resemble (`topics.placement`), and the report covers every paper: tables,
        map, sizes and shares. Without it such a report shows the N fitted papers only, and says so.
        `model` may also be the view `topics.report.coverage.all_papers(model, corpus)` returns.
    embeddings
        One row per paper of `corpus`, only for a model fitted on embeddings given by the caller.
    corpus_path
        The input file, recorded in run.json with its SHA-256.
    read_info
        ``corpus.attrs["topics_read"]`` (counts of records read, duplicates, empty, skipped).
    settings
        The options the report was made with (recorded in run.json and shown in the report).
    force
        Replace `out` even when it is not a report written by topics.
    quiet
        No progress on stderr.
    name
        The corpus's name in titles (default: the input file's stem, else the folder name).
    timings
        Seconds per earlier stage (e.g. reading), recorded in run.json beside the model's.
    themes
        Named themes: a `topics.named_themes.NamedThemes` (from `map_topics`), or what `map_topics`
        takes (a themes TOML path, a mapping, a list of NamedTheme). Adds the theme overview to the
        report, named-themes.csv, and the rules and counts to run.json ("named_themes"). Without it the
        report's themes are the model's automatic ones, named by their keywords.
    raw_csv
        Write the CSV files' cells as they are. By default a text cell that a spreadsheet would run as a
        formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return and is not a number)
        gets a leading ``'`` (`topics.report.cells`); run.json's ``"csv_cells"`` says which.
    """
    from topics.plots import available_plots, png_bytes
    from topics.report import content as content_module
    from topics.report import files, html, markdown
    from topics.report.cells import CELLS_NEUTRALISED, CELLS_RAW, write_csv
    from topics.report.coverage import AllPapers, all_papers

    model._check_fitted()
    if corpus is not None:
        model = all_papers(model, corpus, embeddings)
    fitted = model.model if isinstance(model, AllPapers) else model  # `model` may cover more papers
    named = None
    if themes is not None:
        from topics.named_themes import NamedThemes, map_topics

        named = themes if isinstance(themes, NamedThemes) else map_topics(model, themes)
        ids = model.corpus_["id"].astype(str).tolist()
        if named.papers["id"].astype(str).tolist() != ids:  # mapped for the fitted papers only: map all
            named = map_topics(model, named.themes, threshold=named.threshold, margin=named.margin,
                               between=named.between, center=named.centered)
    out = Path(out).expanduser()
    _check_target(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    if name is None:
        name = _stem(corpus_path) if corpus_path else out.name
    read_info = dict(read_info or getattr(model.corpus_, "attrs", {}).get("topics_read", {}) or {})
    all_timings = dict(timings or {})
    all_timings.update({f"model.{k}": v for k, v in getattr(fitted, "timings_", {}).items()})

    temporary = Path(tempfile.mkdtemp(prefix=f".{out.name}{PARTIAL}", dir=out.parent))
    try:
        (temporary / ".pid").write_text(str(os.getpid()))
        clock = time.perf_counter()
        plots = available_plots(model)
        images: dict[str, tuple[bytes, str]] = {}
        for plot_name, (function, caption) in plots.items():
            figure = function(model)
            images[plot_name] = (png_bytes(figure), caption)
            (temporary / f"{plot_name}.png").write_bytes(images[plot_name][0])
        if named is not None:
            from topics.plots import has_dates
            from topics.plots.named_themes import plot_named_themes_over_time

            if has_dates(model):
                caption = "Share of each named theme among the papers of each period."
                png = png_bytes(plot_named_themes_over_time(model, named))
                images["named-themes-over-time"] = (png, caption)
                (temporary / "named-themes-over-time.png").write_bytes(png)
        all_timings["plots"] = time.perf_counter() - clock
        _say(quiet, f"topics: plots: {len(images)} figures ({all_timings['plots']:.1f} s)")

        clock = time.perf_counter()
        metrics = _metrics(fitted)
        if metrics:
            all_timings["metrics"] = time.perf_counter() - clock
        clock = time.perf_counter()
        shown_settings = dict(settings or {}) | {"model": files.model_settings(model)}
        content = content_module.build(model, name, shown_settings, metrics, read_info=read_info)
        if named is not None:
            content.named_themes = content_module.build_named_themes(named, content.papers)
            write_csv(named.papers, temporary / "named-themes.csv", raw=raw_csv)
        (temporary / "index.html").write_text(html.render(model, content, images), encoding="utf-8")
        md_images = {k: (f"{k}.png", caption) for k, (_, caption) in images.items()}
        (temporary / "report.md").write_text(markdown.render(content, md_images), encoding="utf-8")
        files.write_tables(model, temporary, raw=raw_csv)
        if hasattr(fitted, "save"):
            fitted.save(temporary / "model")
        input_info = {"path": None, "sha256": None, "name": name}
        if corpus_path:
            path = Path(corpus_path)
            input_info = {"path": str(path), "sha256": sha256(path) if path.is_file() else None,
                          "name": name, "format": read_info.get("format")}
        all_timings["writing"] = time.perf_counter() - clock
        written = sorted(p.name for p in temporary.iterdir() if not p.name.startswith("."))
        record = files.run_record(model, input_info=input_info, read_info=read_info, settings=settings,
                                  timings=all_timings, metrics=metrics, files=[*written, "run.json"])
        record["csv_cells"] = CELLS_RAW if raw_csv else CELLS_NEUTRALISED
        if named is not None:
            record["named_themes"] = files._jsonable(named.explanation())
        files.write_json(temporary / "run.json", record)
        (temporary / ".pid").unlink()
        _swap(temporary, out)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    _say(quiet, f"topics: writing: {len(written) + 1} files ({all_timings['writing']:.1f} s)")
    return out / "index.html"


def _swap(temporary: Path, out: Path) -> None:
    """Put the finished folder in place of `out`; the old one is removed only after the move succeeded."""
    old = None
    if out.exists() or out.is_symlink():
        old = out.parent / f".{out.name}{OLD}{os.getpid()}"
        if old.exists():
            shutil.rmtree(old)
        os.replace(out, old)
    try:
        os.replace(temporary, out)
    except BaseException:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink()


def _stem(path) -> str:
    """A file's name without any of its extensions: papers.csv.gz -> papers."""
    name = Path(str(path)).name
    return name.split(".")[0] or name


class _CallableModule(types.ModuleType):
    """`topics.report(model, out)` works even after `import topics.report` has replaced the lazy attribute
    on the package with this module (Python sets a package's attribute to its submodule on import)."""

    def __call__(self, *args, **kwargs) -> Path:
        return write_report(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
