"""The `topics` command: `topics report`, `topics fit`, `topics info`, `topics assign`.

Heavy modules (pandas, scikit-learn, UMAP, matplotlib) are imported inside the commands, so that
`topics --help` and `topics --version` answer at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from topics.cli_checks import printable
from topics.cli_commands import EXIT_OK, cmd_assign, cmd_evaluate, cmd_fit, cmd_info, cmd_report
from topics.cli_options import (
    CommandError,
    UsageError,
    auto_or_positive,
    min_cluster_size,
    positive_int,
    seed,
    whole_number,
)

EXIT_ERROR, EXIT_USAGE = 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM
RAW = argparse.RawDescriptionHelpFormatter
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
    model.add_argument("--since", metavar="PREVIOUS",
                       help="continue from an earlier report folder or saved model: its topics and themes "
                            "keep their numbers and names where they match, and what changed is reported "
                            "(new, grew, shrank, faded, split, merged; changes.csv). PREVIOUS is only read")
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
