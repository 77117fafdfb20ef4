"""Checks the `topics` command makes before any slow work: where `--out` points, and text fit to print.

Every message names paths as the user wrote them. Nothing here imports pandas or the model, so a refused
destination is said at once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from topics.errors import TopicsError
from topics.folders import as_written, clash, existing_parent, recorded_path

__all__ = ["DestinationError", "check_default_report", "check_destination", "check_model_out", "printable",
           "sample_path"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: ESC and CSI start terminal escapes


class DestinationError(TopicsError):
    """`--out` points somewhere the command must not or cannot write."""


def printable(text: object) -> str:
    """`text` as a terminal message may show it: control characters (terminal escapes among them) as
    spaces, whitespace collapsed to single spaces."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def sample_path() -> Path:
    """The bundled sample papers file (the input when none is given)."""
    from importlib import resources

    return Path(str(resources.files("topics") / "data" / "sample-papers.txt"))


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path.expanduser()))


def check_destination(out: Path, option: str = "--out") -> None:
    """Refuse a destination that cannot be written: an existing file, a path under a file, or a folder
    whose first existing parent this process may not write into (the folder is built beside `out`)."""
    shown = printable(out)
    if out.exists() and not out.is_dir():
        raise DestinationError(f"{option} {shown} is a file, not a folder; choose another {option}")
    parent = existing_parent(out)
    if not parent.is_dir():
        raise DestinationError(f"cannot write {option} {shown}: {printable(as_written(out, parent))} "
                               "is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot write {option} {shown}: no permission to create files in "
                               f"{printable(as_written(out, parent))}")
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise DestinationError(f"cannot replace {option} {shown}: no permission to change that folder")


def check_model_out(out: Path, inputs: Iterable[Path], force: bool) -> None:
    """Refuse a `topics fit --out` folder that saving would harm: the current folder or one holding it,
    an input file or a folder holding one (never, even with `force`), a non-empty folder that holds no
    saved model (unless `force`)."""
    shown = printable(out)
    kind, path = clash(out, list(inputs)) or (None, None)
    if kind in ("current", "holds current"):
        what = "the current folder" if kind == "current" else "a folder that holds the current folder"
        raise DestinationError(f"--out {shown} is {what}; save the model in a folder of its own, e.g. "
                               "--out models/NAME")
    if kind == "input":
        raise DestinationError(f"--out {shown} is the input {printable(path)} itself; choose a folder "
                               "for the model, e.g. --out models/NAME")
    if kind == "holds input":
        raise DestinationError(f"--out {shown} holds the input {printable(path)}; a model is saved into "
                               "a folder of its own (--force does not change this): choose another "
                               "--out, e.g. models/NAME")
    check_destination(out)
    if out.is_dir() and any(out.iterdir()) and not (out / "model.json").is_file() and not force:
        raise DestinationError(f"--out {shown} exists and does not hold a saved model; choose another --out "
                               "or pass --force to save the model there")


def check_default_report(out: Path, source: Path, force: bool) -> None:
    """Refuse the default report folder `out` when it holds a report of another input file of the same
    name (``papers.csv`` and ``papers.json`` both default to ``reports/papers``), unless `force`."""
    if force or not source.is_file():  # a missing input is said by the reader
        return
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    recorded = record.get("input") if isinstance(record, dict) else None
    if not (isinstance(recorded, dict) and isinstance(recorded.get("path"), str) and recorded["path"]):
        return
    if record.get("generator") != "topics" or recorded["path"] == recorded_path(source) or _real(
            Path(recorded["path"])) == _real(source):
        return
    digest = recorded.get("sha256")
    if isinstance(digest, str) and source.is_file():
        from topics.folders import sha256

        if sha256(source) == digest:  # the same file, named from another folder
            return
    other = printable(recorded["path"])
    suggestion = Path(out.parent) / source.name.replace(".", "-")
    raise DestinationError(f"{printable(out)} holds the report of {other}, not of {printable(source)}; "
                           f"write this one with --out {printable(suggestion)}, or pass --force to replace "
                           "that report")
