"""Progress of the long steps, shown where it is read: a tqdm bar in a terminal, a widget in Jupyter, and
plain lines (``topics: fitting: UMAP map (step 4 of 6)``) when stderr is a file, a pipe or a CI log, so a
log never fills with carriage-return frames. Disabled, it is silent and imports nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")

LINE_SECONDS = 30.0  # in plain-line mode, a counted step says how far it is at most this often


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (Notebook, Lab, VS Code, Colab): tqdm draws a widget there."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    return any(kind.__name__ == "ZMQInteractiveShell" for kind in type(shell).__mro__)


def mode() -> str:
    """How progress is shown now: "widget" (Jupyter), "bar" (stderr is a terminal) or "lines"."""
    if in_jupyter():
        return "widget"
    try:
        return "bar" if sys.stderr.isatty() else "lines"
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return "lines"


def _line(message: str) -> None:
    print(f"topics: {message}", file=sys.stderr, flush=True)


class Steps:
    """Progress over named steps: `advance("UMAP")` marks the step before as done and names the next one.

    A bar in a terminal or Jupyter; elsewhere one line as each step starts.
    """

    def __init__(self, steps: int, description: str, enabled: bool = True):
        self._bar = None
        self._lines = enabled and mode() == "lines"
        self._steps, self._description, self._done = steps, description, 0
        if enabled and not self._lines:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=steps, desc=description, unit="step", leave=False)
        self._started = False

    def advance(self, name: str) -> None:
        """Start the step `name` (the one before it is done)."""
        if self._lines:
            self._done += 1
            _line(f"{self._description}: {name} (step {min(self._done, self._steps)} of {self._steps})")
            return
        if self._bar is None:
            return
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_postfix_str(name, refresh=True)

    def close(self) -> None:
        """The last step is done; the bar goes."""
        if self._bar is not None:
            if self._started:
                self._bar.update(1)
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Lines:
    """A counter that writes a plain line at most every `LINE_SECONDS`, and a closing one if it wrote any."""

    def __init__(self, total: int | None, description: str, unit: str):
        self.total, self.description, self.unit = total, description, unit
        self.n, self._said = 0, False
        self._started = self._last = time.monotonic()

    def _count(self) -> str:
        of = f" of {self.total:,}" if self.total is not None else ""
        unit = self.unit if (self.total if self.total is not None else self.n) == 1 else f"{self.unit}s"
        return f"{self.n:,}{of} {unit}"

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self._last >= LINE_SECONDS:
            self._last, self._said = now, True
            _line(f"{self.description}: {self._count()} ({now - self._started:.0f} s)")

    def close(self) -> None:
        if self._said:
            self._said = False
            _line(f"{self.description}: {self._count()} done ({time.monotonic() - self._started:.0f} s)")

    def __enter__(self) -> _Lines:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Silent:
    """The counter of disabled progress: counts nothing, says nothing."""

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc) -> None:
        pass


def bar(total: int | None, description: str, unit: str = "it", enabled: bool = True):
    """A counter to `update(n)` as work gets done, used as a context manager: a tqdm bar in a terminal or
    Jupyter, plain lines elsewhere (see `_Lines`), nothing when not `enabled`."""
    if not enabled:
        return _Silent()
    if mode() == "lines":
        return _Lines(total, description, unit)
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit=unit, leave=False)


def progress(items: Iterable[Item], description: str, total: int | None = None,
             enabled: bool = True, unit: str = "it") -> Iterator[Item]:
    """`items` with progress shown when `enabled` (and more than one item), else `items` as they are."""
    if not enabled or (total is not None and total <= 1):
        yield from items
        return
    with bar(total, description, unit=unit) as counter:
        for item in items:
            yield item
            counter.update(1)
