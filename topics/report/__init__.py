"""`write_report`: the shareable report folder for a fitted TopicModel.

The folder holds index.html (self-contained), report.md, the PNG plots, topics.csv, documents.csv,
run.json and the saved model. A model fitted on a sample (`fit(corpus, sample=N)`) is reported over every
paper of `corpus=` (see `topics.report.coverage`). Everything is built in a hidden sibling folder that
replaces the old report only once complete (`topics.folders.replace_folder`, as for a saved model), so an
interrupted run (an error, SIGINT, SIGTERM, a full disk) leaves the previous report as it was; the folder's
mode follows the umask; files of the user's in an old report stay, the old report's own files go. What a
killed run leaves beside the folder is cleaned up by the next report to the same place. `_check_target`
refuses, before the fit, a destination that cannot be written or must not be replaced.
"""

from __future__ import annotations

import os
import sys
import time
import types
from collections.abc import Sequence
from pathlib import Path

from topics.errors import ReportError
from topics.folders import as_written, clash, existing_parent, recorded_path, replace_folder, sha256

__all__ = ["ReportError", "write_report"]


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


def _check_target(out: str | Path, force: bool, inputs: Sequence[str | Path] = ()) -> None:
    """Refuse, before any slow work, an `out` the report cannot or must not replace (a `ReportError` that
    names `out` as given).

    Always refused, even with `force`: the current folder or one of its parents, an input file or a
    folder holding one (`inputs`), an existing file, a place under a file or in a folder without write
    permission. Without `force`, a non-empty folder that is not a topics report; with it, such a folder
    only when it holds nothing but files a report writes (index.html, the CSV files, the plots, ...).
    """
    from topics.report.files import REPORT_FILES, is_our_report

    out = Path(out).expanduser()
    kind, item = clash(out, inputs) or (None, None)
    if kind in ("current", "holds current"):
        raise ReportError(f"{out} is the current folder or one of its parents, and a report replaces its "
                          "folder; choose a new folder for --out, e.g. reports/NAME")
    if kind == "input":
        raise ReportError(f"{out} is the input file; choose another --out")
    if kind == "holds input":
        raise ReportError(f"{out} holds the input file {item}, and a report replaces its folder; choose "
                          "another --out")
    if os.path.lexists(out) and not out.is_dir():
        raise ReportError(f"{out} exists and is not a folder; choose another --out")
    above = existing_parent(out)  # the report is built beside `out`: in the first folder above it that exists
    if not above.is_dir():
        raise ReportError(f"cannot write the report to {out}: {as_written(out, above)} is a file, not a "
                          "folder; choose another --out")
    if not os.access(above, os.W_OK | os.X_OK):
        raise ReportError(f"cannot write the report to {out}: no permission to write in "
                          f"{as_written(out, above)}; choose another --out")
    if not out.is_dir():
        return
    try:
        entries = sorted(entry.name for entry in out.iterdir())
    except OSError as error:
        raise ReportError(f"cannot read the folder {out} ({error.strerror}); choose another --out") from error
    if not entries or is_our_report(out):
        return
    if not force:
        raise ReportError(f"{out} exists and is not a topics report (no run.json of ours); choose another "
                          "--out, or pass --force to replace it")
    others = [name for name in entries if name not in REPORT_FILES]
    if others:
        listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise ReportError(f"{out} is not a topics report and holds files a report does not write ({listed}); "
                          "--force replaces only a folder of report files: move them or choose another --out")


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
    from topics.emerging import find_emerging
    from topics.emerging import method as emerging_method
    from topics.emerging import summary as emerging_summary
    from topics.plots import available_plots, png_bytes
    from topics.report import content as content_module
    from topics.report import files, html, markdown
    from topics.report.cells import CELLS_NEUTRALISED, CELLS_RAW, write_csv
    from topics.report.changes import CHANGES_PLOT, changes_of, flat_table
    from topics.report.coverage import AllPapers, all_papers
    from topics.report.emerging import EMERGING_PLOT, changed_topics
    from topics.report.emerging import csv_table as emerging_csv

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
    _check_target(out, force, [corpus_path] if corpus_path else ())
    if name is None:
        name = _stem(corpus_path) if corpus_path else out.name
    read_info = dict(read_info or getattr(model.corpus_, "attrs", {}).get("topics_read", {}) or {})
    all_timings = dict(timings or {})
    all_timings.update({f"model.{k}": v for k, v in getattr(fitted, "timings_", {}).items()})
    ours = set(files.REPORT_FILES)  # what replaces the old report's entries; the user's other files stay
    written: list[str] = []

    def write(folder: Path) -> None:
        clock = time.perf_counter()
        plots = available_plots(model)
        images: dict[str, tuple[bytes, str]] = {}
        for plot_name, (function, caption) in plots.items():
            figure = function(model)
            images[plot_name] = (png_bytes(figure), caption)
            (folder / f"{plot_name}.png").write_bytes(images[plot_name][0])
        if named is not None:
            from topics.plots import has_dates
            from topics.plots.named_themes import plot_named_themes_over_time

            if has_dates(model):
                caption = "Share of each named theme among the papers of each period."
                png = png_bytes(plot_named_themes_over_time(model, named))
                images["named-themes-over-time"] = (png, caption)
                (folder / "named-themes-over-time.png").write_bytes(png)
        emerging = find_emerging(model)
        if emerging is not None and changed_topics(emerging):
            from topics.plots.emerging import plot_emerging_shares

            png = png_bytes(plot_emerging_shares(model, emerging))
            images[EMERGING_PLOT] = (png, "Share of each period's papers in the topics that emerged, grew or "
                                          "faded; the last period as compared is shaded.")
            (folder / f"{EMERGING_PLOT}.png").write_bytes(png)
        changes = changes_of(model)
        if changes is not None:
            from topics.plots.changes import plot_theme_changes

            png = png_bytes(plot_theme_changes(fitted))
            images[CHANGES_PLOT] = (png, "Papers per theme in the previous run and now.")
            (folder / f"{CHANGES_PLOT}.png").write_bytes(png)
        all_timings["plots"] = time.perf_counter() - clock
        _say(quiet, f"topics: plots: {len(images)} figures ({all_timings['plots']:.1f} s)")

        clock = time.perf_counter()
        metrics = _metrics(fitted)
        if metrics:
            all_timings["metrics"] = time.perf_counter() - clock
        clock = time.perf_counter()
        shown_settings = dict(settings or {}) | {"model": files.model_settings(model)}
        content = content_module.build(model, name, shown_settings, metrics, read_info=read_info)
        if changes is not None:
            from topics.changes import summary

            content.changes, content.changes_summary = changes, summary(changes, fitted.previous_)
            write_csv(flat_table(changes), folder / "changes.csv", raw=raw_csv)
        if emerging is not None:
            content.emerging = emerging
            content.emerging_summary = emerging_summary(emerging)
            content.emerging_method = emerging_method(emerging)
            write_csv(emerging_csv(emerging), folder / "emerging.csv", raw=raw_csv)
        if named is not None:
            content.named_themes = content_module.build_named_themes(named, content.papers)
            write_csv(named.papers, folder / "named-themes.csv", raw=raw_csv)
        (folder / "index.html").write_text(html.render(model, content, images), encoding="utf-8")
        md_images = {k: (f"{k}.png", caption) for k, (_, caption) in images.items()}
        (folder / "report.md").write_text(markdown.render(content, md_images), encoding="utf-8")
        files.write_tables(model, folder, raw=raw_csv)
        if hasattr(fitted, "save"):
            fitted.save(folder / "model")
        input_info = {"path": None, "sha256": None, "name": name}
        if corpus_path:
            path = Path(corpus_path)
            input_info = {"path": recorded_path(path), "sha256": sha256(path) if path.is_file() else None,
                          "name": name, "format": read_info.get("format")}
        all_timings["writing"] = time.perf_counter() - clock
        written.extend(sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")))
        written.append("run.json")
        record = files.run_record(model, input_info=input_info, read_info=read_info, settings=settings,
                                  timings=all_timings, metrics=metrics, files=written)
        record["csv_cells"] = CELLS_RAW if raw_csv else CELLS_NEUTRALISED
        if named is not None:
            record["named_themes"] = files._jsonable(named.explanation())
        if emerging is not None:
            record["emerging"] = files._jsonable(emerging.attrs["emerging"])
        files.write_json(folder / "run.json", record)
        ours.update(written)

    try:
        replace_folder(out, write, ours)
    except OSError as error:  # a full disk, no permission: name the report's folder, say nothing was lost
        while isinstance(error.__cause__, OSError):  # e.g. the model's own "could not be saved"
            error = error.__cause__
        reason = error.strerror or str(error)
        raise OSError(error.errno, f"the report could not be written ({reason}); a report there before is "
                                   "unchanged", str(out)) from error
    _say(quiet, f"topics: writing: {len(written)} files ({all_timings['writing']:.1f} s)")
    return out / "index.html"


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
