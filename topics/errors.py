"""Exceptions raised by `topics`: one message a user can act on, never a deep library traceback."""

from __future__ import annotations


class TopicsError(Exception):
    """Base class of every error `topics` raises on purpose."""


class InputError(TopicsError, ValueError):
    """Input that cannot be used: a bad file, an unknown format, a table without text."""


class NoDocumentsError(InputError):
    """An input that holds no usable document (an empty file, a header alone, only malformed records).
    `report` holds what the reader counted (``n_read``, ``n_skipped``, ...), empty if it read nothing."""

    def __init__(self, message: str, report: dict | None = None) -> None:
        super().__init__(message)
        self.report = dict(report or {})


class InputFileNotFoundError(TopicsError, FileNotFoundError):
    """An input path that does not exist."""

    def __str__(self) -> str:  # FileNotFoundError formats its args as a tuple otherwise
        return str(self.args[0]) if self.args else ""


class ModelError(TopicsError, ValueError):
    """A model that cannot be fitted, used or loaded as asked."""


class ReportError(TopicsError):
    """The report cannot be written where asked."""


class TopicsWarning(UserWarning):
    """Something was skipped or adjusted; the message says what and how many."""
