"""Import UMAP with numba's on-disk cache switched on, compiling portable machine code.

UMAP and pynndescent compile their numba functions in every new process (about 10-30 s here, even for a
handful of documents). Most of those functions are declared without ``cache=True``; we make ``cache=True``
the default while UMAP is imported, so a second process loads the compiled code from disk instead.

numba compiles for the CPU it runs on by default (AVX-512 on one machine, AVX2 on another), which changes
the last bits of UMAP's arithmetic, and UMAP's layout, an optimisation that amplifies them, then gives
other topics on another machine. So numba compiles for a generic x86-64 CPU (``NUMBA_CPU_NAME=generic``,
unless set otherwise): with the float64 features and neighbours (`topics.features`,
`topics.clustering.exact_neighbours`), the same topics on every x86-64 machine, for about 8 % more fitting
time (6,253 AI-conference papers: 18.6 -> 20.1 s). If numba has already compiled code in this process
before UMAP is loaded, its own choice of CPU stays.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType


def cache_dir() -> Path:
    """Where compiled numba code is kept: $NUMBA_CACHE_DIR, else ~/.cache/topics/numba."""
    configured = os.environ.get("NUMBA_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "topics" / "numba"


def import_umap(notify=None) -> ModuleType:
    """Return the ``umap`` module, compiled code cached on disk. ``notify(msg)`` hears of a first compile."""
    if "umap" in sys.modules:
        return sys.modules["umap"]
    directory = cache_dir()
    # numba keys its cache by source path: one marker per UMAP installation
    spec = importlib.util.find_spec("umap")
    origin = spec.origin if spec and spec.origin else "umap"
    os.environ.setdefault("NUMBA_CPU_NAME", "generic")
    target = os.environ["NUMBA_CPU_NAME"]
    marker = directory / f"compiled-{hashlib.sha1(f'{origin}:{target}'.encode()).hexdigest()[:12]}"
    if not marker.exists() and notify is not None:
        notify(
            f"compiling UMAP's numerical code once (30-60 s); later runs reuse it from {directory}"
        )
    directory.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(directory)

    import numba
    from numba.core import config

    config.CACHE_DIR = str(directory)
    if config.CPU_NAME is None:  # numba was imported before the variable was set: it has not compiled yet
        config.CPU_NAME, config.CPU_FEATURES = target, "" if target == "generic" else None
    original_njit, original_jit = numba.njit, numba.jit

    def cached(decorator):
        def wrapper(*args, **kwargs):
            kwargs.setdefault("cache", True)
            return decorator(*args, **kwargs)

        return wrapper

    numba.njit, numba.jit = cached(original_njit), cached(original_jit)
    try:
        with warnings.catch_warnings():
            # functions numba cannot cache (closures, dynamic globals) just compile as before
            warnings.simplefilter("ignore", numba.NumbaWarning)
            import umap
    finally:
        numba.njit, numba.jit = original_njit, original_jit
    marker.touch()
    return umap
