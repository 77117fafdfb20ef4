"""Shared test helpers: where the shared corpora live, and quiet reading of them."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pandas as pd
import pytest

from topics import TopicsWarning, read_corpus


def shared_data_dir() -> Path:
    """``$TOPICS_SHARED_DATA``, else ``../shared/data`` beside the checkout."""
    configured = os.environ.get("TOPICS_SHARED_DATA")
    if configured:
        return Path(configured).expanduser()
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    """The path of a shared corpus; skip (or fail under CI) when it is not there."""
    path = shared_data_dir() / name
    if not path.is_file():
        reason = (
            f"shared corpus {name} not found at {path}; set TOPICS_SHARED_DATA to the folder that holds "
            "the shared corpora (../shared/data beside the checkout by default)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def read_shared(name: str) -> pd.DataFrame:
    """A shared corpus read with `read_corpus`, its duplicate warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TopicsWarning)
        return read_corpus(shared_file(name))


# The warning filters of a fresh interpreter started without -W or PYTHONWARNINGS (Python's documented
# defaults, a release build): what a user who runs `topics` sees.
FRESH_INTERPRETER_FILTERS = [
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
]


@contextlib.contextmanager
def descriptors_captured():
    """What is written to file descriptors 1 and 2 meanwhile (by C code, or through a stream opened before):
    yields a dict that holds {1: text, 2: text} once the block ends."""
    captured: dict[int, str] = {}

    def flush() -> None:
        for stream in (sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()

    with contextlib.ExitStack() as stack:
        files = {fd: stack.enter_context(tempfile.TemporaryFile()) for fd in (1, 2)}
        flush()
        for fd, handle in files.items():
            copy = os.dup(fd)
            stack.callback(os.close, copy)
            stack.callback(os.dup2, copy, fd)  # (callbacks run last first: dup2 back, then close the copy)
            os.dup2(handle.fileno(), fd)
        try:
            yield captured
        finally:
            flush()
            for fd, handle in files.items():
                handle.seek(0)
                captured[fd] = handle.read().decode("utf-8", "replace")


def run_topics_here(*args: str, cwd: Path, show_warnings: bool = False) -> subprocess.CompletedProcess:
    """`topics ARGS` run from `cwd` in this process, through `topics.cli.main` (the function the `topics`
    script runs), stdout and stderr captured: a run that does not pay a new interpreter's imports and
    compilation. Warnings are ignored, or with `show_warnings` filtered as in a fresh interpreter (so they
    reach stderr through the command's own one-line display), and then what reaches file descriptors 1 and 2
    directly is captured too (after what went through sys.stdout and sys.stderr), so that stdout and stderr
    hold all a process would show. The warning filters and display, the working folder, the descriptors and
    the SIGTERM handler are restored afterwards."""
    from topics.cli import main

    out, err = io.StringIO(), io.StringIO()
    descriptors = descriptors_captured() if show_warnings else contextlib.nullcontext({})
    with (descriptors as direct, contextlib.chdir(cwd), redirect_stdout(out), redirect_stderr(err),
          warnings.catch_warnings()):
        warnings.resetwarnings()
        if show_warnings:
            for action, category, module in reversed(FRESH_INTERPRETER_FILTERS):
                warnings.filterwarnings(action, category=category, module=module)
        else:
            warnings.simplefilter("ignore")
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse: --help, --version, wrong usage
            code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["topics", *args], code, out.getvalue() + direct.get(1, ""),
                                       err.getvalue() + direct.get(2, ""))
