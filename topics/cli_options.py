"""The options of the `topics` command: their kinds and defaults, the checks of their values (on the command
line and in a --config file), and how the two are merged (`resolve_options`)."""

from __future__ import annotations

import argparse

__all__ = ["OPTIONS", "CommandError", "UsageError", "auto_or_positive", "min_cluster_size", "positive_int",
           "resolve_options", "seed", "whole_number"]


class UsageError(Exception):
    """Wrong use of the command (exit code 2)."""


class CommandError(Exception):
    """A failure that is not a TopicsError (exit code 1)."""


# option name -> (kind, default); kinds validate values coming from a --config file
OPTIONS: dict[str, tuple[str, object]] = {
    "input": ("str", None),
    "out": ("str", None),
    "features": ("choice:tfidf,embeddings", None),  # None: tfidf, or embeddings with an embedding_model
    "embedding_model": ("str", None),
    "format": ("str", None),
    "text_column": ("strlist", None),
    "title_column": ("str", None),
    "abstract_column": ("str", None),
    "id_column": ("str", None),
    "date_column": ("str", None),
    "label_column": ("str", None),
    "encoding": ("str", "utf-8"),
    "min_cluster_size": ("cluster_size", None),
    "n_themes": ("auto", "auto"),
    "random_state": ("seed", 42),
    "sample": ("posint", None),
    "themes": ("str", None),
    "since": ("str", None),
    "guided": ("bool", False),
    "namer": ("str", None),
    "strict": ("bool", False),
    "stability": ("int", 0),
    "engine": ("choice:local,dask", None),
    "scheduler": ("str", None),
    "workers": ("posint", None),
    "batch_size": ("posint", 20_000),
    "raw_csv": ("bool", False),
    "force": ("bool", False),
    "quiet": ("bool", False),
}


def positive_int(text: str) -> int:
    """A whole number of at least 1 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def whole_number(text: str) -> int:
    """A whole number (an argparse type)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None


def auto_or_positive(text: str) -> int | str:
    """'auto' or a whole number of at least 1 (an argparse type)."""
    if str(text).strip().lower() == "auto":
        return "auto"
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        message = f"expected 'auto' or a positive whole number, not {text!r}"
        raise argparse.ArgumentTypeError(message) from None


def min_cluster_size(text: str) -> int | str:
    """'auto' or a whole number, by the model's own rule (`clustering.check_overrides`)."""
    if str(text).strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a whole number, not {text!r}") from None
    from topics.clustering import check_overrides
    from topics.errors import ModelError

    try:
        check_overrides({"min_cluster_size": value}, 0)
    except ModelError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return value


def seed(text: str) -> int:
    """A random seed, by the model's own rule (`params.check_random_state`)."""
    from topics.errors import ModelError
    from topics.params import check_random_state

    try:
        value = int(text)
        check_random_state(value)
    except (ValueError, ModelError):
        from topics.params import RANDOM_STATE_LIMIT

        message = f"expected a whole number from 0 to {RANDOM_STATE_LIMIT - 1}, not {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    return value


def _load_toml(path: str) -> dict:
    from topics.theme_files import toml_parser

    tomllib = toml_parser()
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise CommandError(f"config file {path} not found") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"config file {path} is not valid TOML: {error}") from None
    return data


def _check_config_value(path: str, key: str, value):
    kind = OPTIONS[key][0]
    bad = f"config file {path}: {key} = {value!r} is not valid"
    if kind == "str":
        if not isinstance(value, str):
            raise UsageError(f"{bad} (expected a string)")
    elif kind == "strlist":
        value = [value] if isinstance(value, str) else value
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise UsageError(f"{bad} (expected a string or a list of strings)")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise UsageError(f"{bad} (expected true or false)")
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{bad} (expected a whole number)")
    elif kind == "posint":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise UsageError(f"{bad} (expected a positive whole number)")
    elif kind in ("seed", "cluster_size"):
        parse, types = (seed, int) if kind == "seed" else (min_cluster_size, (int, str))
        expected = ("a whole number from 0 to 4294967295" if kind == "seed"
                    else "'auto' or a whole number of at least 2")
        try:
            value = parse(str(value) if isinstance(value, types) and not isinstance(value, bool) else "x")
        except argparse.ArgumentTypeError:
            raise UsageError(f"{bad} (expected {expected})") from None
    elif kind == "auto":
        try:
            value = auto_or_positive(str(value)) if not isinstance(value, bool) else auto_or_positive("x")
        except argparse.ArgumentTypeError:
            raise UsageError(f"{bad} (expected 'auto' or a positive whole number)") from None
    elif kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split(",")
        if value not in choices:
            raise UsageError(f"{bad} (expected one of {', '.join(choices)})")
    return value


def resolve_options(args: argparse.Namespace) -> dict:
    """Defaults, then the --config file, then the command line (which wins)."""
    options = {key: default for key, (_, default) in OPTIONS.items()}
    config_path = getattr(args, "config", None)
    if config_path:
        for key, value in _load_toml(config_path).items():
            normalised = key.replace("-", "_")
            if normalised not in OPTIONS:
                raise UsageError(f"config file {config_path}: unknown option {key!r} "
                                 f"(known: {', '.join(OPTIONS)})")
            options[normalised] = _check_config_value(config_path, normalised, value)
    for key in OPTIONS:
        value = getattr(args, key, None)
        if value is not None:
            options[key] = value
    if options["features"] is None:
        options["features"] = "embeddings" if options["embedding_model"] else "tfidf"
    elif options["features"] == "tfidf" and options["embedding_model"]:
        raise UsageError("--embedding-model chooses the encoder of --features embeddings, not of tfidf: "
                         "drop one of them")
    if options["features"] == "embeddings":  # say a missing extra now, not after reading the corpus
        from topics import defaults
        from topics.encoders import require

        require(options["embedding_model"] or defaults.EMBEDDING_MODEL)
    return options
