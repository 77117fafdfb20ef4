"""topics: find the themes in a collection of research papers and show them.

Heavy libraries (UMAP, HDBSCAN, scikit-learn, matplotlib, torch) load lazily, when a step needs them,
so `import topics` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from topics.errors import InputError, ModelError, TopicsError, TopicsWarning

__version__ = "0.1.0"

__all__ = [
    "InputError",
    "ModelError",
    "TopicModel",
    "TopicsError",
    "TopicsWarning",
    "__version__",
    "datasets",
    "evaluate",
    "read_corpus",
    "report",
]

# name -> (module, attribute); attribute None means the module itself
_LAZY = {
    "read_corpus": ("topics.corpus", "read_corpus"),
    "TopicModel": ("topics.model", "TopicModel"),
    "datasets": ("topics.datasets", None),
    "evaluate": ("topics.evaluation", "evaluate"),
    "report": ("topics.report", "write_report"),
}

if TYPE_CHECKING:  # pragma: no cover
    from topics import datasets
    from topics.corpus import read_corpus
    from topics.evaluation import evaluate
    from topics.model import TopicModel
    from topics.report import write_report as report


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'topics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
