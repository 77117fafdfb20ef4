"""Progress bars for long steps (tqdm.auto: a widget in Jupyter, a line in a terminal); silent if disabled."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")


class Steps:
    """A bar over named steps: `advance("UMAP")` marks the step before as done and names the next one.

    Disabled, it costs nothing and imports nothing.
    """

    def __init__(self, steps: int, description: str, enabled: bool = True):
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=steps, desc=description, unit="step", leave=False)
        self._started = False

    def advance(self, name: str) -> None:
        if self._bar is None:
            return
        if self._started:
            self._bar.update(1)
        self._started = True
        self._bar.set_postfix_str(name, refresh=True)

    def close(self) -> None:
        if self._bar is not None:
            if self._started:
                self._bar.update(1)
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Steps:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress(items: Iterable[Item], description: str, total: int | None = None,
             enabled: bool = True, unit: str = "it") -> Iterator[Item]:
    """`items` with a progress bar when `enabled` (and more than one item), else `items` as they are."""
    if not enabled or (total is not None and total <= 1):
        yield from items
        return
    from tqdm.auto import tqdm

    with tqdm(items, desc=description, total=total, unit=unit, leave=False) as bar:
        yield from bar
