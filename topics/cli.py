"""The `topics` command: `topics report`, `topics fit`, `topics info`, `topics assign`.

Heavy modules (pandas, scikit-learn, UMAP, matplotlib) are imported inside the commands, so that
`topics --help` and `topics --version` answer at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from topics.cli_checks import check_default_report, check_model_out, printable, sample_path
from topics.cli_options import (
    CommandError,
    UsageError,
    auto_or_positive,
    min_cluster_size,
    positive_int,
    resolve_options,
    seed,
    whole_number,
)
from topics.wording import plural

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM
RAW = argparse.RawDescriptionHelpFormatter
SAMPLE = "sample-papers"
QUIET_HELP = ("no progress messages; warnings that data was skipped, changed or removed still print, one "
              "line each")

EPILOG = """\
examples:
  topics report                                   the bundled sample papers -> reports/sample-papers/
  topics report papers.csv                        -> reports/papers/index.html
  topics report refs.bib --out reports/mine --n-themes 5
  topics report data.csv --text-column title --text-column abstract --date-column year --label-column area
  topics report papers.jsonl --config topics.toml --quiet
  topics report papers.csv --themes examples/themes.toml --stability 5
  topics report big.csv --sample 5000             fit on 5,000 papers; the report covers every paper
  topics fit papers.csv --out models/papers       fit and save the model only
  topics fit big.csv --out models/big --sample 20000
                                                  fit on 20,000 papers, then assign every paper
  topics assign models/big 'parts/*.parquet' --out assigned --engine dask --workers 4
                                                  topics of a partitioned input, one Parquet file per part
  topics info models/papers                       summary and topic table of a saved model
  topics evaluate reports/papers --labels area    quality numbers, agreement with a label column

options can also come from a TOML file (--config) with the long option names as keys, e.g.
  min_cluster_size = 8
  text_column = ["title", "abstract"]
options given on the command line win over the file.

exit codes: 0 done, 1 error (bad input, cannot write), 2 wrong usage, 130 interrupted (Ctrl-C),
143 terminated (SIGTERM); an interrupted command leaves the report or model it replaces as it was.
"""

class _Parser(argparse.ArgumentParser):
    """argparse, with what the user typed shown without control characters (terminal escapes)."""

    def error(self, message: str):
        super().error(printable(message))


# ---------------------------------------------------------------------------------------------- parsing
def _version() -> str:
    from topics import __version__

    return __version__


def _reading_options(parent: argparse.ArgumentParser, with_metadata: bool = True) -> None:
    reading = parent.add_argument_group("reading the input")
    reading.add_argument("--format", help="force a reader: listing, csv, tsv, parquet, json, jsonl, arxiv, "
                                          "bibtex, text (default: from the file name and contents)")
    reading.add_argument("--text-column", action="append", metavar="COL",
                         help="a column holding text to read (repeat to join several)")
    reading.add_argument("--title-column", metavar="COL")
    reading.add_argument("--abstract-column", metavar="COL")
    reading.add_argument("--id-column", metavar="COL")
    if with_metadata:
        reading.add_argument("--date-column", metavar="COL", help="dates, for the topics-over-time plot")
        reading.add_argument("--label-column", metavar="COL",
                             help="categories, for the theme composition plot")
    reading.add_argument("--encoding", help="text encoding of the input (default: utf-8)")
    reading.add_argument("--strict", action="store_true", default=None,
                         help="a malformed entry is an error (naming file and line) instead of skipped, "
                              "counted and shown")


def _common_options(with_out: bool) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    _reading_options(parent)
    model = parent.add_argument_group("the topic model")
    model.add_argument("--features", choices=["tfidf", "embeddings"],
                       help="tfidf (default, fast) or embeddings (needs topics[embeddings])")
    model.add_argument("--embedding-model", metavar="NAME",
                       help="the encoder of --features embeddings (implied by this option): "
                            "all-MiniLM-L6-v2 (default), a faster one, e.g. minilm-onnx-int8 (1.7-2.7x, "
                            "MiniLM's vectors to cosine 0.995; needs topics[fast]), or any local "
                            "sentence-transformers model path")
    model.add_argument("--min-cluster-size", type=min_cluster_size, metavar="N",
                       help="smallest topic, in papers, or 'auto' (default: several sizes are tried on the "
                            "same map and the best by DBCV x share in a topic is kept)")
    model.add_argument("--n-themes", type=auto_or_positive, metavar="N",
                       help="number of themes, or 'auto' (default)")
    model.add_argument("--random-state", type=seed, metavar="SEED",
                       help="random seed, 0 to 4294967295 (default: 42)")
    general = parent.add_argument_group("general")
    general.add_argument("--config", metavar="FILE.toml", help="read options from a TOML file")
    if with_out:
        general.add_argument("--force", action="store_true", default=None,
                             help="replace --out even if it is not a topics report")
    general.add_argument("-q", "--quiet", action="store_true", default=None, help=QUIET_HELP)
    return parent


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="topics",
        description="Find the topics and themes in a collection of research papers and show them.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"topics {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    report = commands.add_parser(
        "report", parents=[_common_options(True)], epilog=EPILOG, formatter_class=RAW,
        help="fit a topic model and write the shareable report (HTML, Markdown, CSV, plots)",
        description="Fit a topic model to INPUT and write the report folder: index.html, report.md, "
                    "PNG plots, topics.csv, documents.csv, run.json and the saved model.",
    )
    report.add_argument("input", nargs="?", metavar="INPUT",
                        help="papers file (.csv .tsv .json .jsonl .parquet .bib .txt, optionally .gz); "
                             "default: the bundled sample papers")
    report.add_argument("--out", metavar="DIR",
                        help="report folder (default: reports/<input name>, e.g. reports/papers for "
                             "papers.csv; when that folder holds the report of another input of the same "
                             "name, e.g. papers.json, the command stops and suggests --out "
                             "reports/papers-json, or --force replaces it)")
    report.add_argument("--themes", metavar="FILE.toml",
                        help="named themes (description and/or seeds per theme; see examples/themes.toml): "
                             "topics and papers are mapped to them and the report gains a theme overview")
    report.add_argument("--guided", action="store_true", default=None,
                        help="let the --themes nudge the clustering: papers that clearly match one theme "
                             "pull together (semi-supervised UMAP); without it themes only name the topics")
    report.add_argument("--namer", metavar="MODULE:FUNCTION",
                        help="your function naming each topic from its phrases, keywords and three titles "
                             "(e.g. a call to a local language model; topics.naming.chat_namer makes one); "
                             "the report shows its names beside the phrase labels")
    report.add_argument("--stability", type=whole_number, metavar="K",
                        help="refit with K other seeds and mark the topics that do not come back "
                             "(default: 0, off; each rerun costs about one clustering)")
    report.add_argument("--sample", type=positive_int, metavar="N",
                        help="fit on N papers drawn deterministically (by --random-state); the others get "
                             "their topic from the model and a place on the map beside the papers they "
                             "resemble, and the report covers every paper (sizes count them all; like any "
                             "report, one row per paper: exact duplicates and empty records are removed, "
                             "and counted)")
    report.add_argument("--raw-csv", action="store_true", default=None,
                        help="write CSV cells as they are (by default cells starting with = + - @ are "
                             "prefixed with ' so spreadsheets do not run them)")
    report.set_defaults(handler=cmd_report)

    fit = commands.add_parser(
        "fit", parents=[_common_options(True)], epilog=EPILOG, formatter_class=RAW,
        help="fit a topic model and save it (no report)",
        description="Fit a topic model to INPUT and save it to --out (JSON and NumPy files).",
    )
    fit.add_argument("input", nargs="?", metavar="INPUT",
                     help="papers file; default: the bundled sample papers")
    fit.add_argument("--out", metavar="MODEL_DIR", help="where to save the model (required)")
    fit.add_argument("--sample", type=positive_int, metavar="N",
                     help="fit on N papers drawn deterministically (by --random-state), then assign every "
                          "paper; MODEL_DIR/documents.parquet gets a row per input record, as topics "
                          "assign writes it (an exact duplicate with its first copy's topic, an empty "
                          "record as an outlier, each with its status)")
    fit.set_defaults(handler=cmd_fit)

    assign = commands.add_parser(
        "assign", epilog=EPILOG, formatter_class=RAW,
        help="give every paper of a (partitioned) input its topic with a saved model",
        description="Assign topics to every paper of INPUT (files, globs or folders; Parquet, CSV, TSV or "
                    "JSON Lines, optionally .gz; each file is one partition) with a model saved by "
                    "`topics fit`. Writes one Parquet file per input file to --out (id, topic, topic_label, "
                    "theme, theme_label, confidence, is_outlier) and _topics-summary.json with the counts. "
                    "Finished partitions are skipped when the command is run again.",
    )
    assign.add_argument("model_dir", metavar="MODEL", help="a model folder written by `topics fit`")
    assign.add_argument("inputs", nargs="+", metavar="INPUT", help="input files, glob patterns or folders")
    assign.add_argument("--out", metavar="OUTPUT_DIR", help="where the Parquet files go (required)")
    running = assign.add_argument_group("where it runs")
    running.add_argument("--engine", choices=["local", "dask"],
                         help="local: this process, one partition after another (default); dask: a "
                              "dask.distributed cluster (a local one unless --scheduler is given)")
    where = running.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                            "(implies --engine dask)")
    where.add_argument("--workers", type=positive_int, metavar="N",
                       help="worker processes of the local Dask cluster (default: 2; implies --engine dask)")
    running.add_argument("--batch-size", type=positive_int, metavar="N",
                         help="papers per assignment batch (default: 20000)")
    _reading_options(assign, with_metadata=False)
    general = assign.add_argument_group("general")
    general.add_argument("--config", metavar="FILE.toml", help="read options from a TOML file")
    general.add_argument("-q", "--quiet", action="store_true", default=None, help=QUIET_HELP)
    assign.set_defaults(handler=cmd_assign)

    info = commands.add_parser("info", help="summary and topic table of a saved model",
                               description="Print a summary and the topic table of a model saved by "
                                           "`topics fit` (or the model/ folder of a report).")
    info.add_argument("model_dir", metavar="MODEL_DIR")
    info.set_defaults(handler=cmd_info)

    evaluate = commands.add_parser(
        "evaluate", help="quality numbers of a saved model or report",
        description="Print coherence (NPMI), diversity, outlier share, silhouette, DBCV and label grounding "
                    "of a model saved by `topics fit` or the model/ folder of a report; with --labels, "
                    "agreement (NMI, ARI, homogeneity, completeness) of topics and themes with a column of "
                    "the input.",
    )
    evaluate.add_argument("model_dir", metavar="MODEL_OR_REPORT")
    evaluate.add_argument("--labels", metavar="COLUMN", help="a column of the input holding known labels")
    evaluate.add_argument("--stability", type=whole_number, metavar="K", default=0,
                          help="also refit with K other seeds and report how stable the topics are")
    evaluate.set_defaults(handler=cmd_evaluate)
    return parser


# ---------------------------------------------------------------------------------------------- commands
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
    progress.say(f"reading: {len(corpus):,} papers from {where}{detail} ({seconds:.1f} s)")
    return corpus, path, seconds


def _namer(options: dict):
    """The --namer function, or None; a spec that cannot be loaded is a usage error before any fit."""
    if not options.get("namer"):
        return None
    from topics.naming import load_namer

    return load_namer(options["namer"])


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
    model.fit(corpus, sample=sample)
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
        print(f"topics: report of {shown.n_documents_:,} papers{fitted}, {model.n_topics_} topics, "
              f"{model.n_themes_} themes written in {elapsed:.1f} s: {printable(index.resolve())}")
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
        print(f"topics: model of {model.n_documents_:,} papers{sampled}, {model.n_topics_} topics saved to "
              f"{printable(out.resolve())}")
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
    from topics.distributed import assign_records

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
def _show_warning(message, category, filename, lineno, file=None, line=None):  # noqa: ARG001
    print(f"topics: warning: {printable(message)}", file=sys.stderr, flush=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it ends the command as Ctrl-C does: every half-written
    folder is removed and what was there before stays (exit code 143)."""


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the `topics` command with `argv` (default: the process's arguments); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits with 2 on wrong usage
    import threading
    import warnings

    warnings.showwarning = _show_warning  # one line each; --quiet silences progress, never these
    handler = None
    if threading.current_thread() is threading.main_thread():
        handler = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _run(parser, args)
    finally:
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The command's handler, its failures turned into one line on stderr and an exit code."""
    from topics.errors import TopicsError

    try:
        return args.handler(args)
    except UsageError as error:
        parser.print_usage(sys.stderr)
        print(f"topics: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `topics info MODEL | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except (TopicsError, CommandError, OSError) as error:
        print(f"topics: error: {_one_line(error)}", file=sys.stderr)
        return EXIT_ERROR
    except Terminated:
        print("topics: terminated (SIGTERM)", file=sys.stderr)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        print("topics: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _one_line(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, OSError) and error.filename and error.strerror:
        text = f"{error.filename}: {error.strerror}"
    return printable(text) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
