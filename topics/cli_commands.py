"""The commands behind `topics report`, `fit`, `assign`, `info` and `evaluate`: read, fit, write, each
given the options that `topics.cli` parsed and merged with the config file (`topics.cli_options`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from topics.cli_checks import check_default_report, check_model_out, printable, sample_path
from topics.cli_options import CommandError, UsageError, resolve_options
from topics.wording import plural

EXIT_OK = 0
SAMPLE = "sample-papers"


class Progress:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.started = time.perf_counter()

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"topics: {printable(message)}", file=sys.stderr, flush=True)


def _input_name(path: str | None) -> str:
    if path is None:
        return SAMPLE
    name = Path(path).name
    return name.split(".")[0] or name


def _read(options: dict, progress: Progress):
    """The corpus table, the input path (None for the sample) and the seconds it took."""
    import topics

    clock = time.perf_counter()
    source = options["input"]
    if source is None:
        corpus = topics.datasets.load_sample_papers()
        path = corpus.attrs.get("topics_read", {}).get("path")
    else:
        path = source
        corpus = topics.read_corpus(
            source, format=options["format"], text_columns=options["text_column"],
            title_column=options["title_column"], abstract_column=options["abstract_column"],
            id_column=options["id_column"], date_column=options["date_column"],
            label_column=options["label_column"], encoding=options["encoding"],
            strict=bool(options["strict"]),
        )
    seconds = time.perf_counter() - clock
    info = corpus.attrs.get("topics_read", {})
    extras = []
    for key, what in (("n_duplicates", "duplicates removed"), ("n_empty", "empty dropped"),
                      ("n_skipped", "skipped")):
        if info.get(key):
            extras.append(f"{info[key]:,} {what}")
    detail = f" ({', '.join(extras)})" if extras else ""
    where = "the bundled sample papers" if source is None else source
    progress.say(f"reading: {plural(len(corpus), 'paper')} from {where}{detail} ({seconds:.1f} s)")
    return corpus, path, seconds


def _namer(options: dict):
    """The --namer function, or None; a spec that cannot be loaded is a usage error before any fit."""
    if not options.get("namer"):
        return None
    from topics.naming import load_namer

    return load_namer(options["namer"])


def _previous(since: str | None):
    """The model of `--since`: a report folder (its model/) or a saved model folder; read, never written."""
    if not since:
        return None
    from topics import TopicModel

    path = Path(since).expanduser()
    if not path.exists():
        raise CommandError(f"--since {printable(since)}: no such file or folder")
    for folder in (path / "model", path):
        if (folder / "model.json").is_file():
            return TopicModel.load(folder)
    raise CommandError(f"--since {printable(since)} is neither a topics report (a folder with model/) nor a "
                       "saved model (a folder with model.json); give the report or model to continue from")


def _fit(corpus, options: dict, progress: Progress, guided_themes=None):
    from topics import TopicModel, defaults

    model = TopicModel(
        features=options["features"], n_themes=options["n_themes"],
        embedding_model=options["embedding_model"] or defaults.EMBEDDING_MODEL,
        min_cluster_size=options["min_cluster_size"] or "auto",
        random_state=options["random_state"], progress=not progress.quiet, guided_themes=guided_themes,
        namer=_namer(options),
    )
    features = "TF-IDF" if model.features == "tfidf" else f"{model.embedding_model} embedding"
    sample = options.get("sample")
    if sample is not None and sample < len(corpus):
        progress.say(f"fitting on a sample of {sample:,} of {len(corpus):,} papers: "
                     f"{features} features, map, clusters, labels")
    else:
        sample = None
        progress.say(f"fitting: {features} features, map, clusters, labels")
    previous = _previous(options.get("since"))
    model.fit(corpus, sample=sample, previous=previous)
    if previous is not None:
        from topics.changes import summary

        progress.say(f"since {printable(options['since'])}: {summary(model.changes_, model.previous_)}")
    timings = model.timings_
    dims = getattr(model, "vectors_", None)
    shape = f" -> {dims.shape[1]} dimensions" if dims is not None else ""
    seconds = timings.get("features", 0)
    progress.say(f"features: {plural(model.n_documents_, 'paper')}{shape} ({seconds:.1f} s)")
    progress.say(f"map+clusters: {plural(model.n_topics_, 'topic')}, "
                 f"{plural(int(model.is_outlier_.sum()), 'outlier')} ({model.clustering_method_}) "
                 f"({timings.get('clusters', 0):.1f} s)")
    progress.say(f"labels: {plural(model.n_topics_, 'topic label')}, {plural(model.n_themes_, 'theme')} "
                 f"({timings.get('labels', 0):.1f} s)")
    return model


def _settings(options: dict) -> dict:
    hidden = {"force", "quiet", "out", "engine", "scheduler", "workers", "batch_size"}
    shown = {k: v for k, v in options.items() if k not in hidden and v is not None}
    if not shown.get("raw_csv"):
        shown.pop("raw_csv", None)  # the default (cells neutralised) is said by run.json's csv_cells
    return shown


def _source(options: dict) -> Path:
    """The input file: --input as given, or the bundled sample papers."""
    return Path(options["input"]) if options["input"] else sample_path()


def _check_report_out(out: Path, options: dict) -> None:
    """Refuse a report folder that cannot or must not be written, before reading and fitting."""
    from topics.report import _check_target

    force = bool(options["force"])
    # under a file, unwritable, the current folder, the input or its folder, files not of a report
    _check_target(out, force, inputs=[_source(options)])
    if not options["out"]:  # the default reports/<stem>: not another input's report of the same stem
        check_default_report(out, _source(options), force)


def cmd_report(args: argparse.Namespace) -> int:
    options = resolve_options(args)
    progress = Progress(bool(options["quiet"]))
    out = Path(options["out"] or Path("reports") / _input_name(options["input"]))
    _check_report_out(out, options)  # fail before the slow part
    from topics.report import write_report

    themes = None
    if options["themes"]:
        from topics.theme_files import load_themes

        themes = load_themes(options["themes"])
    if options["stability"] < 0:
        raise UsageError(f"--stability must be 0 or more, not {options['stability']}")
    if options["guided"] and not themes:
        raise UsageError("--guided needs --themes FILE.toml: the themes that guide the clustering")
    corpus, path, read_seconds = _read(options, progress)
    model = _fit(corpus, options, progress, guided_themes=themes if options["guided"] else None)
    timings = {"reading": read_seconds}
    shown = model  # what the report shows: the fitted model, or every paper when it was fitted on a sample
    if model.sample_indices_ is not None:
        from topics.report.coverage import all_papers

        clock = time.perf_counter()
        shown = all_papers(model, corpus)
        timings["assigning"] = time.perf_counter() - clock
        n_rest = shown.n_documents_ - shown.n_fitted_documents_
        outliers = int(shown.is_outlier_[~shown.in_sample_].sum())
        progress.say(f"assigning: {n_rest:,} papers outside the sample, {outliers:,} of them outliers, "
                     f"placed on the map ({timings['assigning']:.1f} s)")
    named = None
    if themes:
        from topics.named_themes import map_topics

        named = map_topics(shown, themes)
        counts = named.explanation()["counts"]
        other, own = counts["topics_per_theme"].get("Other", 0), counts["rules"].get("paper", 0)
        progress.say(f"named themes: {plural(len(themes), 'theme')}; {plural(other, 'topic')} in Other, "
                     f"{plural(own, 'paper')} placed by {'its' if own == 1 else 'their'} own match")
    if options["stability"]:
        clock = time.perf_counter()
        table = model.stability(options["stability"])
        progress.say(f"stability: {int(table['stable'].sum())} of {plural(len(table), 'topic')} came back in "
                     f"at least half of the {plural(options['stability'], 'rerun')} with other seeds "
                     f"({time.perf_counter() - clock:.1f} s)")
    progress.say(f"plots and writing: {out}")
    index = write_report(
        shown, out, corpus_path=path, read_info=corpus.attrs.get("topics_read"), settings=_settings(options),
        force=bool(options["force"]), quiet=progress.quiet, name=_input_name(options["input"]),
        timings=timings, themes=named, raw_csv=bool(options["raw_csv"]),
    )
    if not progress.quiet:
        elapsed = time.perf_counter() - progress.started
        fitted = "" if shown is model else f" (model fitted on a sample of {model.n_documents_:,})"
        counts = (f"{plural(shown.n_documents_, 'paper')}{fitted}, {plural(model.n_topics_, 'topic')}, "
                  f"{plural(model.n_themes_, 'theme')}")
        print(f"topics: report of {counts} written in {elapsed:.1f} s: {printable(index.resolve())}")
    return EXIT_OK


def cmd_fit(args: argparse.Namespace) -> int:
    options = resolve_options(args)
    if not options["out"]:
        raise UsageError("topics fit needs --out MODEL_DIR (where to save the model)")
    progress = Progress(bool(options["quiet"]))
    out = Path(options["out"])
    check_model_out(out, [_source(options)], bool(options["force"]))  # before the slow part
    corpus, _, _ = _read(options, progress)
    model = _fit(corpus, options, progress)
    clock = time.perf_counter()
    model.save(out)
    documents = out / "documents.parquet"
    documents.unlink(missing_ok=True)  # from an earlier fit on a sample: it would no longer match
    progress.say(f"writing: model saved ({time.perf_counter() - clock:.1f} s)")
    if model.sample_indices_ is not None:
        clock = time.perf_counter()
        table, expected = _every_record(model, corpus, options)
        if len(table) != expected or not table["id"].is_unique:
            raise CommandError(f"assigned {len(table):,} of {expected:,} papers; "
                               "documents.parquet not written")
        temporary = out / ".documents.parquet.tmp"
        try:
            table.to_parquet(temporary, index=False)
        except ImportError:
            raise CommandError("--sample writes documents.parquet and needs pyarrow: "
                               "pip install 'topics[parquet]'; the model is saved") from None
        temporary.replace(documents)
        progress.say(f"assigning: {_record_rows(table)}; {int(table['is_outlier'].sum()):,} outliers "
                     f"({time.perf_counter() - clock:.1f} s)")
    if not progress.quiet:
        sampled = "" if model.sample_indices_ is None else f" (sampled from {model.n_input_documents_:,})"
        counts = f"{plural(model.n_documents_, 'paper')}{sampled}, {plural(model.n_topics_, 'topic')}"
        print(f"topics: model of {counts} saved to {printable(out.resolve())}")
    return EXIT_OK


def _record_rows(table) -> str:
    """What documents.parquet of a fit on a sample holds, in words: a row per record of the input, which
    counts the duplicates and empty records that reading removed from the papers (they are rows here)."""
    status = table["status"].value_counts()
    duplicates, empty = int(status.get("duplicate", 0)), int(status.get("empty", 0))
    if not (duplicates or empty):
        return f"all {plural(len(table), 'paper')} in documents.parquet"
    their = "its" if duplicates == 1 else "their"
    return (f"{len(table):,} rows in documents.parquet, one per record of the input: "
            f"{plural(int(status.get('assigned', 0)), 'paper')}, {plural(duplicates, 'exact duplicate')} "
            f"(the topic of {their} first copy), {plural(empty, 'empty record')} (outliers)")


def _every_record(model, corpus, options: dict):
    """documents.parquet of a fit on a sample: a row per readable record of the input, as `topics assign`
    writes (duplicates with their first copy's topic, empty records as outliers), and the rows expected from
    the first read's counts (records read, less the malformed ones)."""
    from topics.partition_worker import assign_records

    info = corpus.attrs.get("topics_read", {})
    if options["input"] is None or not (info.get("n_duplicates") or info.get("n_empty")):
        every = corpus  # nothing was dropped: the corpus is every record
    else:
        import warnings

        import topics

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # said when the corpus was read
            every = topics.read_corpus(
                options["input"], format=options["format"], text_columns=options["text_column"],
                title_column=options["title_column"], abstract_column=options["abstract_column"],
                id_column=options["id_column"], date_column=options["date_column"],
                label_column=options["label_column"], encoding=options["encoding"], keep_every_record=True,
                strict=bool(options["strict"]),
            )
    table, _ = assign_records(model, every)
    # what the first read counted: every record it read but could not parse gets no row, the rest one each
    expected = int(info["n_read"]) - int(info.get("n_skipped", 0)) if "n_read" in info else len(every)
    return table, expected


def cmd_assign(args: argparse.Namespace) -> int:
    options = resolve_options(args)
    if not options["out"]:
        raise UsageError("topics assign needs --out OUTPUT_DIR (where the Parquet files go)")
    engine = options["engine"]
    if engine is None:
        engine = "dask" if options["scheduler"] or options["workers"] else "local"
    if engine == "local" and (options["scheduler"] or options["workers"]):
        raise UsageError("--scheduler and --workers need --engine dask")
    if options["scheduler"] and options["workers"]:
        raise UsageError("give --scheduler or --workers, not both")
    progress = Progress(bool(options["quiet"]))
    from topics.distributed import assign_partitions

    summary = assign_partitions(
        args.model_dir, args.inputs, options["out"], engine=engine, scheduler=options["scheduler"],
        workers=options["workers"], format=options["format"], text_columns=options["text_column"],
        title_column=options["title_column"], abstract_column=options["abstract_column"],
        id_column=options["id_column"], encoding=options["encoding"], batch_size=options["batch_size"],
        progress=progress.say,
    )
    counts = (f"{summary['rows_read']:,} read = {summary['rows_assigned']:,} assigned + "
              f"{summary['n_malformed']:,} malformed (of the assigned: {summary['n_duplicates']:,} "
              f"duplicates given their first copy's topic, {summary['n_empty']:,} empty as outliers)")
    if summary["failed"]:
        first = next(p for p in summary["partitions"] if p["status"] == "failed")
        raise CommandError(f"{summary['failed']} of {summary['n_partitions']} partitions failed (first: "
                           f"{Path(first['input']).name}: {first['error']}); the others are written, run "
                           "the command again to retry the failed ones")
    if not summary["rows_checked"]:
        raise CommandError(f"row counts do not add up: {counts}")
    if not progress.quiet:
        elapsed = time.perf_counter() - progress.started
        print(f"topics: {summary['n_partitions']} partitions ({summary['assigned']} assigned, "
              f"{summary['already_done']} already done): {counts}; written to "
              f"{printable(Path(options['out']).resolve())} in {elapsed:.1f} s")
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    import pandas as pd

    from topics import TopicModel

    model = TopicModel.load(_model_directory(args.model_dir))
    print(repr(model))
    settings = getattr(model, "clustering_settings_", {}) or {}
    sweep = settings.get("min_cluster_size_sweep") or []
    long = ("min_cluster_size_sweep", "min_cluster_size_choice")
    shown = {k: v for k, v in settings.items() if k not in long}
    if shown:
        print("settings: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    if sweep:
        print(f"min_cluster_size: {len(sweep)} sizes tried ({settings.get('min_cluster_size_choice', '')}); "
              "the table: TopicModel.load(...).cluster_sweep()")
    print(f"themes: {model.theme_choice_}")
    table = model.topic_info()[["topic", "theme", "size", "label"]]
    with pd.option_context("display.max_rows", None, "display.width", 120, "display.max_colwidth", 70):
        print(table.to_string(index=False))
    return EXIT_OK


def _model_directory(path: str) -> Path:
    directory = Path(path)
    if not directory.exists():
        raise CommandError(f"{directory} does not exist")
    if (directory / "model").is_dir() and not (directory / "model.json").exists():
        directory = directory / "model"  # a report folder
    return directory


def cmd_evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from topics import TopicModel, evaluate

    model = TopicModel.load(_model_directory(args.model_dir))
    if args.labels and args.labels not in model.corpus_.columns:
        columns = ", ".join(c for c in model.corpus_.columns if c not in ("text", "abstract"))
        raise CommandError(f"no column {args.labels!r} in the model's documents; columns are: {columns}")
    if args.stability < 0:
        raise UsageError(f"--stability must be 0 or more, not {args.stability}")
    scores = evaluate(model, labels=args.labels)
    if args.stability:
        model.stability(args.stability)
        scores.update({f"stability_{k}": v for k, v in model.stability_.items()})
    print(repr(model))
    table = pd.DataFrame({"metric": list(scores), "value": [round(float(v), 4) for v in scores.values()]})
    print(table.to_string(index=False))
    return EXIT_OK


# ---------------------------------------------------------------------------------------------- entry
